import Foundation
import Tessera
import XCTest

final class VaultTests: XCTestCase {
    func testOpensVaultWithSwiftKeyProvider() throws {
        let path = tempVaultPath()
        let keys = PadKeyProvider()
        _ = try Vault.create(path: path, keys: keys).add(account: otpAccount("ACME", "alice"))
        let vault = try Vault.open(path: path, keys: keys)
        XCTAssertEqual(try vault.list().map(\.label), ["alice"])
        XCTAssertGreaterThanOrEqual(keys.unwrapCalls, 1)
        assertThrows("WrongKey", try Vault.open(path: path, keys: PadKeyProvider()))
    }

    func testAddListCodesUpdateDelete() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let rfc = try vault.add(account: otpAccount("RFC", "sha1", digits: 8))
        let google = try vault.addUri(uri: googleExample)
        XCTAssertEqual(try vault.list().map(\.issuer), ["RFC", "Example"])

        let codes = Dictionary(uniqueKeysWithValues: try vault.codesAt(unixTime: 59).map { ($0.id, $0) })
        XCTAssertEqual(codes[rfc]?.code, "94287082")  // RFC 6238, T = 59
        XCTAssertEqual(codes[rfc]?.remainingSeconds, 1)
        XCTAssertEqual(codes[google]?.code?.count, 6)

        try vault.update(id: rfc, change: AccountChange(issuer: "RFC 6238", groups: ["work"], favorite: true))
        XCTAssertEqual(try vault.accountInfo(id: rfc).issuer, "RFC 6238")
        XCTAssertTrue(try vault.accountInfo(id: rfc).favorite)
        XCTAssertEqual(try vault.groups(), ["work"])
        XCTAssertEqual(try vault.list(filter: ListFilter(group: "work")).map(\.id), [rfc])
        try vault.update(id: google, change: AccountChange(note: "recovery codes in the safe"))
        XCTAssertEqual(try vault.accountWithSecret(id: google).note, "recovery codes in the safe")

        try vault.delete(id: google)
        XCTAssertEqual(try vault.list().map(\.id), [rfc])
        XCTAssertEqual(try vault.trash().map(\.id), [google])
        try vault.restore(id: google)
        XCTAssertEqual(try vault.list().count, 2)
        try vault.delete(id: google)
        try vault.purge(id: google)
        XCTAssertTrue(try vault.trash().isEmpty)
        assertThrows("NotFound", try vault.accountInfo(id: google))
    }

    func testNextHotpCommitsTheCounterAndFollowsRfc4226() throws {
        let path = tempVaultPath()
        let keys = PadKeyProvider()
        do {
            let vault = try Vault.create(path: path, keys: keys)
            let id = try vault.add(account: otpAccount("Bank", "hotp", kind: .hotp))
            XCTAssertEqual(try vault.codesAt(unixTime: 0).first?.code, "755224")
            XCTAssertEqual(try vault.nextHotp(id: id).code, "287082")  // RFC 4226 counter 1
        }
        let vault = try Vault.open(path: path, keys: keys)
        let id = try vault.list()[0].id
        XCTAssertEqual(try vault.accountInfo(id: id).params.counter, 1)
        XCTAssertEqual(try vault.nextHotp(id: id).code, "359152")  // counter 2
    }

    func testCodesFollowTheVaultsSwiftClock() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider(), clock: FixedClock(59))
        _ = try vault.add(account: otpAccount("RFC", "sha1", digits: 8))
        XCTAssertEqual(try vault.codes().first?.code, "94287082")
    }

    func testServerTimeCorrectsCodesWhenTheDeviceClockIsAnHourBehind() throws {
        // RFC 6238's SHA1 vector at Unix 2000000000 is 69279037; the device believes it is an
        // hour earlier, and a server's Date header says the true time.
        let vault = try Vault.create(
            path: tempVaultPath(), keys: PadKeyProvider(), clock: FixedClock(2_000_000_000 - 3600))
        _ = try vault.add(account: otpAccount("RFC", "sha1", digits: 8))
        XCTAssertNil(try vault.serverTime())
        let status = try vault.recordServerDate(
            date: "Wed, 18 May 2033 03:33:20 GMT", url: "https://user:pw@pi.example/ttype/push?serial=X")
        XCTAssertTrue((3599...3601).contains(status.offsetSeconds), "\(status.offsetSeconds)")
        XCTAssertTrue(status.warning, "an hour is above \(offsetWarningSeconds()) s")
        XCTAssertEqual(status.source, "pi.example", "host only: no password, path or query")
        XCTAssertEqual(status.syncedAt, 2_000_000_000)
        XCTAssertEqual(try vault.codes().first?.code, "69279037")
        XCTAssertEqual(try vault.serverTime(), status)

        assertThrows("InvalidInput", try vault.recordServerDate(date: "yesterday", url: "https://pi.example/"))
        XCTAssertEqual(try vault.serverTime(), status, "a bad date changes nothing")
        try vault.resetServerTime()
        XCTAssertNil(try vault.serverTime())
        XCTAssertEqual(try vault.nowUnix(), 1_999_996_400, "the device clock again")
        XCTAssertEqual(offsetWarningSeconds(), 30)
    }

    func testBackupRoundTripRestoresEveryAccountOnce() throws {
        let source = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        _ = try source.add(account: otpAccount("RFC", "sha1", digits: 8))
        _ = try source.addUri(uri: googleExample)
        let backup = try source.exportBackup(password: "backup password", kdf: cheapKdf)

        let restored = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        // A backup is restored like any other file: one path, one report.
        assertThrows("WrongPassword", try importIntoVault(vault: restored, data: backup, password: "nope"))
        assertThrows("PasswordRequired", try importIntoVault(vault: restored, data: backup))
        XCTAssertTrue(try restored.list().isEmpty)
        let report = try importIntoVault(vault: restored, data: backup, password: "backup password")
        XCTAssertEqual(report.format, .tesseraBackup)
        XCTAssertEqual(report.imported, 2)
        XCTAssertEqual(try restored.list().map(\.issuer), ["RFC", "Example"])
        XCTAssertEqual(try restored.codesAt(unixTime: 59).first?.code, "94287082")
        let again = try importIntoVault(vault: restored, data: backup, password: "backup password")
        XCTAssertTrue(again.entries.allSatisfy { if case .duplicate = $0.outcome { true } else { false } })
        XCTAssertEqual(try restored.list().count, 2)
    }

    func testPasswordOpensTheVault() throws {
        let path = tempVaultPath()
        let keys = PadKeyProvider()
        do {
            let vault = try Vault.create(path: path, keys: keys)
            _ = try vault.add(account: otpAccount("ACME", "alice"))
            try vault.setPassword(password: "correct horse", kdf: cheapKdf)
            XCTAssertTrue(try vault.hasPassword())
        }
        assertThrows("WrongPassword", try Vault.openWithPassword(path: path, password: "wrong"))
        let vault = try Vault.openWithPassword(path: path, password: "correct horse")
        XCTAssertEqual(try vault.list().count, 1)
        assertThrows("Locked", try vault.removePassword())
    }

    func testReleasedVaultIsFreedAndLockDropsTheKey() throws {
        weak var released: Vault?
        do {
            let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
            _ = try vault.add(account: otpAccount("ACME", "alice"))
            released = vault
        }
        XCTAssertNil(released, "the Swift object (and the Rust vault behind it) is freed")

        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        vault.lock()
        vault.lock()
        XCTAssertTrue(vault.isLocked())
        assertThrows("Locked", try vault.list())
        assertThrows("Locked", try vault.codes())
    }

    func testCallsFromSeveralThreadsAtOnce() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let failures = NSLock()
        var errors: [Error] = []
        let letters = Array("ABCDEFGHIJKLMNOP")
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<15 {
                do {
                    // Distinct secrets: the duplicate rule compares secrets.
                    let secret = "JBSWY3DPEHPK3P\(letters[t])\(letters[i])"
                    _ = try vault.add(account: otpAccount("T\(t)", "a\(i)", secret: secret))
                    _ = try vault.codesAt(unixTime: 59)
                    _ = try vault.list()
                } catch {
                    failures.withLock { errors.append(error) }
                }
            }
        }
        XCTAssertTrue(errors.isEmpty, "\(errors)")
        XCTAssertEqual(try vault.list().count, 120)
        XCTAssertEqual(try vault.codesAt(unixTime: 59).filter { $0.code != nil }.count, 120)
    }
}
