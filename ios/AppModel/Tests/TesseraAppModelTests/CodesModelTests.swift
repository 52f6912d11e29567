import Foundation
import Tessera
import XCTest

@testable import TesseraAppModel

/// The codes screen against the host-built library. Expected codes are RFC 6238's table
/// (SHA-1, 8 digits), never values computed by the code under test.
@MainActor
final class CodesModelTests: XCTestCase {
    private func model(_ vault: Vault, sleeper: Sleeper = ManualSleeper(), pasteboard: Pasteboard? = nil) -> CodesModel {
        CodesModel(vault: vault, sleeper: sleeper, pasteboard: pasteboard)
    }

    /// The row's code as typed, after checking that its grouped form is the same digits.
    private func code(_ codes: CodesModel, _ id: String) -> String? {
        let item = codes.items.first { $0.id == id }
        XCTAssertEqual(item?.displayCode?.filter { $0 != " " }, item?.code)
        return item?.code
    }

    func testRefreshIsScheduledAtTheFirstCodeChangeAndShowsTheNextCode() async throws {
        // RFC 6238: T = 1111111109 → 07081804 (its period ends at 1111111110),
        // T = 1111111111 → 14050471 (that period ends at 1111111140).
        let clock = TestClock(1_111_111_109)
        let vault = try makeVault(clock: clock)
        let totp = try vault.add(account: account("RFC", "totp", digits: 8))
        let hotp = try vault.add(account: account("RFC", "hotp", secret: randomSecret(), kind: .hotp))
        let sleeper = ManualSleeper()
        var wakes = sleeper.requests.makeAsyncIterator()
        let codes = model(vault, sleeper: sleeper)

        await codes.start()
        XCTAssertEqual(codes.nextChangeAt, 1_111_111_110)
        XCTAssertEqual(code(codes, totp), "07081804")
        let hotpRow = try XCTUnwrap(codes.items.first { $0.id == hotp })
        XCTAssertNil(hotpRow.period, "HOTP has no period")
        XCTAssertNil(hotpRow.validUntil, "HOTP codes do not expire")
        let firstWake = await wakes.next()
        XCTAssertEqual(firstWake, 1_000, "sleeps until the code changes, not a fixed tick")

        clock.now = 1_111_111_111
        sleeper.wake()
        let secondWake = await wakes.next()
        XCTAssertEqual(secondWake, 29_000)
        XCTAssertEqual(codes.nextChangeAt, 1_111_111_140)
        XCTAssertEqual(code(codes, totp), "14050471")
        XCTAssertEqual(codes.items.first { $0.id == totp }?.fractionLeft(at: 1_111_111_125), 0.5)

        codes.stop()
        XCTAssertNil(codes.message)
    }

    func testSearchAndGroupNarrowTheListFavoritesFirst() async throws {
        let clock = TestClock(59)
        let vault = try makeVault(clock: clock)
        let github = try vault.add(account: account("GitHub", "alice", secret: randomSecret()))
        let gitlab = try vault.add(account: account("GitLab", "bob", secret: randomSecret()))
        let bank = try vault.add(account: account("Bank", "carol", secret: randomSecret()))
        let codes = model(vault)
        await codes.start()
        XCTAssertEqual(codes.items.map(\.id), [github, gitlab, bank])

        await codes.setFavorite(bank, true)
        XCTAssertEqual(codes.items.map(\.id), [bank, github, gitlab], "favorites first")

        await codes.search("git")
        XCTAssertEqual(Set(codes.items.map(\.id)), [github, gitlab])
        await codes.search("CAROL")
        XCTAssertEqual(codes.items.map(\.id), [bank], "issuer or label, any case")

        await codes.search("")
        await codes.edit(gitlab, issuer: "GitLab", label: "bob", groups: ["work"])
        XCTAssertEqual(codes.groups, ["work"])
        await codes.showGroup("work")
        XCTAssertEqual(codes.items.map(\.id), [gitlab])
        await codes.showGroup(nil)

        // Dragged from the third row onto the second (SwiftUI: offsets [2] to offset 1).
        await codes.move(fromOffsets: [2], toOffset: 1)
        XCTAssertEqual(codes.items.map(\.id), [bank, gitlab, github], "favorites stay first; gitlab moved up")
        // In a searched list the drop names a row, not a place in the whole order.
        await codes.search("git")
        XCTAssertEqual(codes.items.map(\.id), [gitlab, github])
        await codes.move(fromOffsets: [1], toOffset: 0)
        XCTAssertEqual(codes.items.map(\.id), [github, gitlab])
        await codes.move(fromOffsets: [0], toOffset: 2)
        XCTAssertEqual(codes.items.map(\.id), [gitlab, github], "dropped after the last row")
        await codes.search("")
        XCTAssertEqual(codes.items.map(\.id), [bank, gitlab, github])
        codes.stop()
    }

    func testCopyExpiresWithTheCodeAndTrashCanBeUndone() async throws {
        let clock = TestClock(59)
        let vault = try makeVault(clock: clock)
        let id = try vault.add(account: account("RFC", "totp", digits: 8))
        let pasteboard = RecordingPasteboard()
        let codes = model(vault, pasteboard: pasteboard)
        await codes.start()

        // RFC 6238: T = 59 → 94287082, valid until the period ends at 60. Copied in its last
        // second, it stays the 10 s core's rule (docs of `clipboard_clear_after`) never goes
        // below, counted on the device's clock.
        let copied = await codes.copy(id, now: Date(timeIntervalSince1970: 1_000))
        XCTAssertTrue(copied)
        XCTAssertEqual(pasteboard.copies.map(\.text), ["94287082"])
        XCTAssertEqual(pasteboard.copies.first?.expiresAt, Date(timeIntervalSince1970: 1_010))
        // Copied with 25 s left (T = 35, valid until 60): gone when the code changes.
        clock.now = 35
        await codes.refresh()
        _ = await codes.copy(id, now: Date(timeIntervalSince1970: 2_000))
        XCTAssertEqual(pasteboard.copies.last?.expiresAt, Date(timeIntervalSince1970: 2_025))
        let none = await codes.copy("no-such-id")
        XCTAssertFalse(none)


        await codes.trash(id)
        XCTAssertEqual(codes.items, [])
        XCTAssertEqual(codes.undoable?.id, id)
        XCTAssertEqual(try vault.trash().map(\.id), [id])
        await codes.undoTrash()
        XCTAssertEqual(codes.items.map(\.id), [id])
        XCTAssertNil(codes.undoable)
        XCTAssertEqual(try vault.trash(), [])
        codes.stop()
    }

    func testNextHotpCodeAdvancesTheCounter() async throws {
        // RFC 4226's table for the same secret: counter 0 → 755224, 1 → 287082.
        let clock = TestClock(59)
        let vault = try makeVault(clock: clock)
        let id = try vault.add(account: account("RFC", "hotp", kind: .hotp))
        let pasteboard = RecordingPasteboard()
        let codes = model(vault, pasteboard: pasteboard)
        await codes.start()
        XCTAssertEqual(code(codes, id), "755224")
        // HOTP codes never expire by themselves: core's rule keeps them a minute at most.
        let copied = await codes.copy(id, now: Date(timeIntervalSince1970: 1_000))
        XCTAssertTrue(copied)
        XCTAssertEqual(pasteboard.copies.map(\.text), ["755224"])
        XCTAssertEqual(pasteboard.copies.last?.expiresAt, Date(timeIntervalSince1970: 1_060))
        XCTAssertNil(codes.nextChangeAt, "nothing expires: no refresh is scheduled")
        await codes.nextCode(id)
        XCTAssertEqual(code(codes, id), "287082")
        codes.stop()
    }

    func testTransferQrScansAsTheAccountsUriAndAnUnknownAccountSaysWhy() async throws {
        let clock = TestClock(59)
        let vault = try makeVault(clock: clock)
        let id = try vault.add(account: account("RFC", "totp"))
        let codes = model(vault)
        let qr = await codes.transferQr(id)
        let matrix = try XCTUnwrap(qr)
        XCTAssertEqual(matrix.modules.count, Int(matrix.size) * Int(matrix.size))
        // Drawn 4 pixels a module as QrCanvas does (dark = black), a camera reads the URI back.
        let scale = 4, n = Int(matrix.size), side = n * scale
        var luma = Data(repeating: 255, count: side * side)
        for y in 0..<side {
            for x in 0..<side where matrix.modules[matrix.modules.startIndex + (y / scale) * n + x / scale] != 0 {
                luma[y * side + x] = 0
            }
        }
        let texts = try scanQrLuma(width: UInt32(side), height: UInt32(side), luma: luma)
        XCTAssertEqual(texts, [try formatOtpUri(account: try vault.accountWithSecret(id: id))])
        let none = await codes.transferQr("00000000-0000-0000-0000-000000000000")
        XCTAssertNil(none)
        XCTAssertNotNil(codes.message)
    }

    func testTheClockWarningSaysHowFarTheDeviceClockIsOff() async throws {
        let clock = TestClock(1_800_000_000)
        let vault = try makeVault(clock: clock)
        let codes = model(vault)
        await codes.refresh()
        XCTAssertNil(codes.clockWarning)
        XCTAssertNil(codes.clockWarningText)

        // A server's HTTP Date 94 s ahead of the device (as a push response brings it): core
        // takes the middle of that whole second, 94.5 s, rounded to 95 s.
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = format.string(from: Date(timeIntervalSince1970: 1_800_000_094))
        _ = try vault.recordServerDate(date: date, url: "https://pi.example/ttype/push")
        await codes.refresh()
        XCTAssertEqual(codes.clockWarning?.offsetSeconds, 95)
        XCTAssertEqual(codes.clockWarningText, "1 min 35 s behind pi.example")
    }

    func testVoiceOverReadsTheCodeDigitByDigitInCoresGroups() async throws {
        // RFC 6238, T = 59, SHA-1, 8 digits: 94287082, which core groups as two fours.
        let vault = try makeVault(clock: TestClock(59))
        let id = try vault.add(account: account("RFC", "totp", digits: 8))
        let codes = model(vault)
        await codes.start()
        let item = try XCTUnwrap(codes.items.first { $0.id == id })
        XCTAssertEqual(item.displayCode, "9428 7082")
        XCTAssertEqual(item.spokenCode, "9 4 2 8, 7 0 8 2")
        codes.stop()
    }
}
