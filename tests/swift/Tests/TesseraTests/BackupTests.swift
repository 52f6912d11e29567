import Foundation
import Tessera
import XCTest

/// A folder as an iOS app's document-picker adapter would expose it, over FileManager.
final class FolderDestination: BackupDestination, @unchecked Sendable {
    let dir: URL
    init(_ dir: URL) { self.dir = dir }
    func write(name: String, bytes: Data) throws {
        try bytes.write(to: dir.appendingPathComponent(name), options: .atomic)
    }
    func read(name: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent(name)) }
    func list() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path) }
    func delete(name: String) throws {
        try FileManager.default.removeItem(at: dir.appendingPathComponent(name))
    }
}

/// Automatic backups through a destination written in Swift, and a restore into a fresh vault.
final class BackupTests: XCTestCase {
    func testChangesAreCoalescedVerifiedAndRestored() throws {
        let folder = URL(fileURLWithPath: tempVaultPath() + "-backups")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let destination = FolderDestination(folder)
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider(), clock: FixedClock(1_800_000_000))
        try vault.enableAutoBackup(password: "backup pw", keep: 2, destination: folder.path, kdf: cheapKdf)
        _ = try vault.add(account: otpAccount("ACME", "alice"))
        guard case .waiting = try vault.backupIfDue(destination: destination) else {
            return XCTFail("a change was not coalesced")
        }
        _ = try vault.add(account: otpAccount("ACME", "alice7", digits: 7))
        guard case .written = try vault.flushAutoBackup(destination: destination) else {
            return XCTFail("no backup written")
        }
        XCTAssertEqual(try vault.flushAutoBackup(destination: destination), .upToDate)
        let status = try vault.autoBackupStatus()
        XCTAssertTrue(status.enabled && !status.unbackedChanges && status.lastVerifiedAt != nil)
        XCTAssertTrue(try vault.testBackupPassword(password: "backup pw"))
        XCTAssertFalse(try vault.testBackupPassword(password: "wrong"))
        assertThrows("WrongPassword", try readLatestBackup(destination: destination, password: "nope"))
        let accounts = try readLatestBackup(destination: destination, password: "backup pw")
        let fresh = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        _ = try fresh.addMany(accounts: accounts)
        XCTAssertEqual(try fresh.list().count, 2)
    }
}
