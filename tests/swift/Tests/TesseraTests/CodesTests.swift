import Foundation
import Tessera
import XCTest

/// A guard against a broken watch hanging the suite; never reached when it works.
private let hangGuard: TimeInterval = 60

/// A clock whose reads answer a script (whole seconds), then keep the last answer.
final class ScriptedClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var times: [UInt64]
    init(_ times: UInt64...) { self.times = times }
    func nowUnix() throws -> UInt64 {
        lock.withLock { times.count > 1 ? times.removeFirst() : times[0] }
    }
}

/// Forwards what the watch delivers, from its thread, to the test's.
final class QueueListener: CodesListener, @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [Result<CodeList, TesseraError>] = []

    func onCodes(list: CodeList) throws { put(.success(list)) }
    func onError(error: TesseraError) throws { put(.failure(error)) }

    private func put(_ event: Result<CodeList, TesseraError>) {
        condition.lock()
        events.append(event)
        condition.signal()
        condition.unlock()
    }

    func next() throws -> Result<CodeList, TesseraError> {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(hangGuard)
        while events.isEmpty {
            guard condition.wait(until: deadline) else {
                XCTFail("the watch delivered nothing")
                throw TesseraError.Other(reason: "no delivery")
            }
        }
        return events.removeFirst()
    }

    func nextList() throws -> CodeList { try next().get() }
}

// Expected codes are RFC 6238 / RFC 4226 values, or (Steam) computed outside Tessera.
final class CodesTests: XCTestCase {
    func testCodeListCarriesWhatAScreenShows() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let rfc = try vault.add(account: otpAccount("RFC", "sha1", digits: 8))
        var hotp = otpAccount("", "", kind: .hotp)
        hotp.favorite = true
        _ = try vault.add(account: hotp)

        let list = try vault.codeListAt(query: nil, unixMs: 59_250)
        XCTAssertEqual(list.nextChangeAt, 60)
        XCTAssertEqual(list.nextChangeInMs, 750, "the one timer a screen needs")
        XCTAssertEqual(list.items.count, 2)
        let (first, second) = (list.items[0], list.items[1])
        XCTAssertEqual(first.displayName, "(unnamed)", "favorites first")
        XCTAssertEqual(first.code, "755224")  // RFC 4226 counter 0
        XCTAssertEqual(first.displayCode, "755 224")
        XCTAssertNil(first.period)
        XCTAssertNil(first.validUntil)
        XCTAssertNil(first.fractionLeft)
        XCTAssertEqual(second.id, rfc)
        XCTAssertEqual(second.code, "94287082")  // RFC 6238, T = 59
        XCTAssertEqual(second.displayCode, "9428 7082")
        XCTAssertEqual(second.displayName, "RFC (sha1)")
        XCTAssertEqual(second.period, 30)
        XCTAssertEqual(second.validUntil, 60)
        XCTAssertEqual(second.remainingSeconds, 1)
        XCTAssertEqual(try XCTUnwrap(second.fractionLeft), 0.75 / 30, accuracy: 1e-12)

        let found = try vault.codeListAt(query: CodesQuery(search: "rfc (SHA"), unixMs: 59_000)
        XCTAssertEqual(found.items.map(\.id), [rfc])
        XCTAssertTrue(try vault.codeList(query: CodesQuery(favoritesOnly: true)).items.allSatisfy(\.favorite))
    }

    func testDefaultsPerKindMakeValidAccounts() throws {
        let steam = otpDefaults(kind: .steam)
        XCTAssertEqual(steam.digits, 5)
        XCTAssertEqual(steam.period, 30)
        XCTAssertEqual(steam.algorithm, .sha1)
        XCTAssertEqual(otpDefaults(kind: .totp).digits, 6)
        XCTAssertEqual(otpDefaults(kind: .hotp).counter, 0)
        XCTAssertEqual(try otpCodeAt(secretBase32: rfcSha1, params: steam, unixTime: 59).code, "PV9M4")

        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        for (kind, label) in [(OtpKind.totp, "totp"), (.hotp, "hotp"), (.steam, "steam")] {
            var account = otpAccount("K", label)
            account.params = otpDefaults(kind: kind)
            _ = try vault.add(account: account)
        }
        let codes = Dictionary(
            uniqueKeysWithValues: try vault.codeListAt(query: nil, unixMs: 59_000).items.map { ($0.label, $0.code) })
        XCTAssertEqual(codes, ["totp": "287082", "hotp": "755224", "steam": "PV9M4"])
        // The record's own defaults are TOTP's 6 digits: a Steam account from them is refused.
        var wrong = otpAccount("Steam", "x")
        wrong.params.kind = .steam
        assertThrows("InvalidInput", try vault.add(account: wrong))
    }

    func testListenerFiresAfterThePeriodBoundaryAndEndsWhenLocked() throws {
        let vault = try Vault.create(
            path: tempVaultPath(), keys: PadKeyProvider(), clock: ScriptedClock(59, 60))
        _ = try vault.add(account: otpAccount("RFC", "sha1", digits: 8))
        let listener = QueueListener()
        let watch = try vault.watchCodes(query: CodesQuery(), listener: listener)
        let first = try listener.nextList()
        XCTAssertEqual(first.items.first?.code, "94287082")  // RFC 6238, T = 59
        XCTAssertEqual(first.nextChangeInMs, 1000)
        let second = try listener.nextList()
        XCTAssertEqual(second.items.first?.validUntil, 90, "the next step's code")
        XCTAssertNotEqual(second.items.first?.code, first.items.first?.code)
        XCTAssertTrue(watch.isRunning())

        vault.lock()
        watch.refresh()
        guard case .failure(.Locked) = try listener.next() else {
            return XCTFail("expected Locked")
        }
        XCTAssertFalse(watch.isRunning())
    }

    func testWatchFollowsANewQueryAndStops() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        _ = try vault.add(account: otpAccount("Bank", "hotp", kind: .hotp))
        _ = try vault.add(account: otpAccount("Mail", "alice"))
        let listener = QueueListener()
        let watch = try vault.watchCodes(query: CodesQuery(), listener: listener)
        XCTAssertEqual(try listener.nextList().items.count, 2)
        watch.setQuery(query: CodesQuery(search: "BANK"))
        let bank = try listener.nextList()
        XCTAssertEqual(bank.items.map(\.displayName), ["Bank (hotp)"])
        XCTAssertNil(bank.nextChangeAt, "HOTP alone: nothing to schedule")
        // A change through the vault is delivered without refresh().
        _ = try vault.add(account: otpAccount("Bank", "second", secret: rfcSha256, kind: .hotp))
        XCTAssertEqual(try listener.nextList().items.map(\.displayName), ["Bank (hotp)", "Bank (second)"])
        watch.stop()
        XCTAssertFalse(watch.isRunning())
    }
}
