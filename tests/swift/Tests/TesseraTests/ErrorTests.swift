import Foundation
import Tessera
import XCTest

final class ErrorTests: XCTestCase {
    func testEveryErrorVariantArrivesAsItsTypedError() throws {
        let path = tempVaultPath()
        let keys = PadKeyProvider()
        do {
            let vault = try Vault.create(path: path, keys: keys)
            let id = try vault.add(account: otpAccount("ACME", "alice"))
            assertThrows("InvalidInput", try vault.addUri(uri: "otpauth://totp/x"))
            assertThrows("Duplicate", try vault.add(account: otpAccount("Again", "alice")))
            assertThrows("NotFound", try vault.accountInfo(id: "8c5a1a8e-3f6b-4c1e-9a51-7d2f00000000"))
            // Below OWASP's Argon2id floor (19 MiB needs 2 passes): refused, nothing set.
            let weak = KdfParams(memoryKib: 19456, iterations: 1, parallelism: 1)
            assertThrows("InvalidInput", try vault.setPassword(password: "pw", kdf: weak))
            assertThrows("InvalidInput", try vault.exportBackup(password: "pw", kdf: weak))
            XCTAssertFalse(try vault.hasPassword())
            var backup = try vault.exportBackup(password: "pw", kdf: cheapKdf)
            assertThrows("WrongPassword", try importIntoVault(vault: vault, data: backup, password: "wrong"))
            assertThrows("PasswordRequired", try importIntoVault(vault: vault, data: backup))
            backup[backup.count - 1] ^= 1
            assertThrows("InvalidInput", try importIntoVault(vault: vault, data: backup, password: "pw"))
            assertThrows("Platform", try vault.setKeyProvider(keys: ExplodingKeyProvider()))
            assertThrows("Cancelled", try vault.setKeyProvider(keys: CancelledKeyProvider()))
            vault.lock()
            assertThrows("Locked", try vault.accountInfo(id: id))
        }
        assertThrows("WrongKey", try Vault.open(path: path, keys: PadKeyProvider()))
        assertThrows("Storage", try Vault.create(path: path + ".d/missing/vault.db", keys: keys))
        // A vault written by a newer Tessera: SQLite's user_version (header offset 60) raised.
        let file = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        file.seek(toFileOffset: 60)
        file.write(Data([0, 0, 0x27, 0x0f]))
        file.closeFile()
        assertThrows("NewerVersion", try Vault.open(path: path, keys: keys))
    }

    func testThrowingKeyProviderNeitherCrashesNorCorruptsTheVault() throws {
        let failedCreate = tempVaultPath()
        assertThrows("Platform", try Vault.create(path: failedCreate, keys: ExplodingKeyProvider()))
        _ = try Vault.create(path: failedCreate, keys: PadKeyProvider())

        let path = tempVaultPath()
        let keys = PadKeyProvider()
        do {
            let vault = try Vault.create(path: path, keys: keys)
            _ = try vault.add(account: otpAccount("ACME", "alice"))
            assertThrows("Platform", try vault.setKeyProvider(keys: ExplodingKeyProvider()))
            XCTAssertEqual(try vault.list().count, 1)
        }
        for _ in 0..<3 {
            assertThrows("Platform", try Vault.open(path: path, keys: ExplodingKeyProvider()))
        }
        assertThrows("Cancelled", try Vault.open(path: path, keys: CancelledKeyProvider()))
        let vault = try Vault.open(path: path, keys: keys)
        XCTAssertEqual(try vault.list().map(\.label), ["alice"])
        XCTAssertEqual(try vault.codesAt(unixTime: 59).filter { $0.code != nil }.count, 1)
    }

    func testThrowingSwiftClockFailsTheCallButNotTheVault() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider(), clock: ThrowingClock())
        _ = try vault.add(account: otpAccount("ACME", "alice"))
        assertThrows("Platform", try vault.codes())
        XCTAssertEqual(try vault.codesAt(unixTime: 59).count, 1)
    }
}
