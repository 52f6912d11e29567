import Foundation
import Tessera
import XCTest

/// Core's unlock policy as an iOS unlock screen drives it: the device key first, the password
/// when core says it is required, a lost device key registered again afterwards.
final class UnlockTests: XCTestCase {
    /// A vault with one account and a password.
    private func vaultWithPassword(_ keys: KeyProvider) throws -> String {
        let path = tempVaultPath()
        let vault = try Vault.create(path: path, keys: keys)
        _ = try vault.add(account: otpAccount("ACME", "alice"))
        try vault.setPassword(password: "correct horse", kdf: cheapKdf)
        return path
    }

    func testStatusTellsTheFirstScreenBeforeUnlocking() throws {
        let path = tempVaultPath()
        XCTAssertFalse(try vaultStatus(path: path).exists)
        let keys = PadKeyProvider()
        _ = try Vault.create(path: path, keys: keys)
        let fresh = try vaultStatus(path: path)
        XCTAssertTrue(fresh.exists && fresh.hasDeviceKey && !fresh.hasPassword && !fresh.newerVersion)
        let unlocker = try Unlocker(path: path, keys: keys)
        try unlocker.unlock().vault.setPassword(password: "pw", kdf: cheapKdf)
        XCTAssertTrue(try unlocker.status().hasPassword)
        let text = path + ".txt"
        try Data("just some text, not a vault".utf8).write(to: URL(fileURLWithPath: text))
        assertThrows("InvalidInput", try vaultStatus(path: text))
    }

    func testTheDeviceKeyUnlocksWithoutAPassword() throws {
        let keys = PadKeyProvider()
        let path = try vaultWithPassword(keys)
        let unlocker = try Unlocker(path: path, keys: keys)
        let result = try unlocker.unlock()
        XCTAssertEqual(try result.vault.list().map(\.label), ["alice"])
        XCTAssertEqual(result.method, .deviceKey)
        XCTAssertFalse(result.deviceKeyRenewed)
        XCTAssertNil(unlocker.deviceKeyFailure())
    }

    func testACancellingSwiftKeyProviderFallsBackToThePassword() throws {
        let keys = PadKeyProvider()
        let path = try vaultWithPassword(keys)
        let unlocker = try Unlocker(path: path, keys: CancelledKeyProvider())
        assertThrows("PasswordRequired", try unlocker.unlock())
        XCTAssertEqual(unlocker.deviceKeyFailure(), .cancelled)
        assertThrows("WrongPassword", try unlocker.unlock(password: "wrong"))
        let result = try unlocker.unlock(password: "correct horse")
        XCTAssertEqual(try result.vault.list().count, 1)
        XCTAssertEqual(result.method, .password)
        // Cancelling says nothing about the key: it stays registered.
        XCTAssertFalse(result.deviceKeyRenewed)
        XCTAssertEqual(try Unlocker(path: path, keys: keys).unlock().method, .deviceKey)
    }

    func testALostDeviceKeyIsRegisteredAgainAfterThePassword() throws {
        let path = try vaultWithPassword(PadKeyProvider())
        // The Keychain item is gone; the app's provider now holds a new key.
        let newKeys = PadKeyProvider()
        let unlocker = try Unlocker(path: path, keys: newKeys)
        assertThrows("PasswordRequired", try unlocker.unlock())
        XCTAssertEqual(unlocker.deviceKeyFailure(), .lost)
        let result = try unlocker.unlock(password: "correct horse")
        XCTAssertTrue(result.deviceKeyRenewed)
        XCTAssertNil(result.deviceKeyProblem)
        XCTAssertEqual(try Unlocker(path: path, keys: newKeys).unlock().method, .deviceKey)
    }

    func testWithoutAPasswordCancelledAndLostAreDistinct() throws {
        let path = tempVaultPath()
        _ = try Vault.create(path: path, keys: PadKeyProvider())
        assertThrows("Cancelled", try Unlocker(path: path, keys: CancelledKeyProvider()).unlock())
        assertThrows("KeyLost", try Unlocker(path: path, keys: PadKeyProvider()).unlock())
    }

    func testAVaultFromANewerVersionAsksForAnUpdate() throws {
        let keys = PadKeyProvider()
        let path = try vaultWithPassword(keys)
        // SQLite's user_version (header offset 60) raised past what this library reads.
        let file = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        file.seek(toFileOffset: 60)
        file.write(Data([0, 0, 0x27, 0x0f]))
        file.closeFile()
        XCTAssertTrue(try vaultStatus(path: path).newerVersion)
        let unlocker = try Unlocker(path: path, keys: keys)
        assertThrows("NewerVersion", try unlocker.unlock())
        assertThrows("NewerVersion", try unlocker.unlock(password: "correct horse"))
    }
    func testTheRecoveryKeyOpensTheVaultWhenTheKeyIsGoneAndThePasswordForgotten() throws {
        let oldPhone = PadKeyProvider()
        let path = try vaultWithPassword(oldPhone)
        let printed = try Unlocker(path: path, keys: oldPhone).unlock().vault.createRecoveryKey()
        XCTAssertEqual(printed.split(separator: "-").count, 7)
        XCTAssertTrue(try vaultStatus(path: path).hasRecoveryKey)
        let newPhone = PadKeyProvider()
        let unlocker = try Unlocker(path: path, keys: newPhone)
        assertThrows("PasswordRequired", try unlocker.unlock())
        // One symbol mistyped: caught by the check symbols, nothing changes.
        let first = printed.first == "A" ? "B" : "A"
        let typo = first + printed.dropFirst()
        do {
            _ = try unlocker.unlockWithRecoveryKey(recoveryKey: typo)
            XCTFail("a typo unlocked")
        } catch TesseraError.InvalidInput(let reason) {
            XCTAssertTrue(reason.contains("typing error"), reason)
        }
        let sloppy = printed.lowercased().replacingOccurrences(of: "-", with: " ")
        let result = try unlocker.unlockWithRecoveryKey(recoveryKey: sloppy)
        XCTAssertEqual(result.method, .recoveryKey)
        XCTAssertTrue(result.deviceKeyRenewed)
        XCTAssertEqual(try result.vault.list().map(\.label), ["alice"])
        try result.vault.setPassword(password: "a new one", kdf: cheapKdf)
        try result.vault.revokeRecoveryKey()
        XCTAssertFalse(try result.vault.hasRecoveryKey())
        XCTAssertEqual(try Unlocker(path: path, keys: newPhone).unlock().method, .deviceKey)
    }
}
