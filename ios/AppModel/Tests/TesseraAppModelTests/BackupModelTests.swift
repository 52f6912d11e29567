import Foundation
import Tessera
import XCTest

@testable import TesseraAppModel

/// The folder the user picked, remembered as a plain URL (the app keeps a bookmark instead).
final class RememberedFolder: BackupFolderStore {
    var folder: URL?
    func save(_ folder: URL) throws { self.folder = folder }
    func load() throws -> URL? { folder }
    func clear() { folder = nil }
}

/// Automatic backups into a real directory through `FolderBackupDestination`, the reminder
/// status from core, a restore into a fresh vault, and the recovery key from its creation to
/// an unlock with it.
@MainActor
final class BackupModelTests: XCTestCase {
    nonisolated private func newFolder() throws -> URL {
        let folder = URL(fileURLWithPath: tempVaultPath() + "-backups", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    nonisolated private func files(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    func testBackupsGoToThePickedFolderAfterChangesAndRestoreIntoAFreshVault() async throws {
        let clock = TestClock(1_800_000_000)
        let vault = try makeVault(clock: clock)
        _ = try vault.add(account: account("ACME", "alice", secret: randomSecret()))
        let folder = try newFolder()
        let sleeper = ManualSleeper()
        var wakes = sleeper.requests.makeAsyncIterator()
        let backup = BackupModel(vault: vault, folders: RememberedFolder(), clock: clock, sleeper: sleeper, kdf: cheapKdf)

        await backup.enable(folder: folder, password: "backup pw", repeated: "backup pw!")
        XCTAssertEqual(backup.message, "The two passwords differ.")
        XCTAssertEqual(try files(folder), [], "nothing written")
        await backup.load()
        XCTAssertEqual(backup.status?.enabled, false)

        await backup.enable(folder: folder, password: "backup pw", repeated: "backup pw")
        let status = try XCTUnwrap(backup.status)
        XCTAssertTrue(status.enabled, backup.message ?? "")
        XCTAssertEqual(status.lastVerifiedAt, 1_800_000_000, "the first backup is written and checked at once")
        XCTAssertFalse(status.unbackedChanges)
        XCTAssertEqual(status.keep, defaultAutoBackupKeep(), "switched on without a choice: core's number of backups")
        XCTAssertEqual(backup.folderName, folder.lastPathComponent)
        XCTAssertEqual(try files(folder).count, 1)

        // A change made through the vault reaches core through the code watch; core names
        // the time to come back, and the model sleeps until then.
        backup.start()
        _ = try vault.add(account: account("ACME", "bob", secret: randomSecret()))
        let wait = await wakes.next()
        let ms = try XCTUnwrap(wait)
        XCTAssertGreaterThan(ms, 0, "a change is coalesced, not written at once")
        // The watch keeps delivering (and the model keeps asking core) while the test goes
        // on; stopping it leaves one caller, so what follows is the test's alone.
        backup.stop()
        XCTAssertEqual(try vault.autoBackupStatus().unbackedChanges, true, "the reminder knows a change is not backed up")
        // When core's time comes, the call the model would make writes the backup.
        clock.now += ms / 1000
        await backup.backupIfDue()
        // Core's status, not the model's copy: a delivery still in flight when the watch
        // stopped may land after this call.
        let after = try vault.autoBackupStatus()
        XCTAssertFalse(after.unbackedChanges, backup.message ?? "")
        XCTAssertEqual(after.lastVerifiedAt, clock.now)
        XCTAssertEqual(try files(folder).count, 2)

        // A fresh install restores the newest backup from the same folder.
        let fresh = BackupModel(vault: try makeVault(), folders: RememberedFolder(), clock: nil, sleeper: sleeper)
        let none = await fresh.restoreLatest(from: folder, password: "not it")
        XCTAssertEqual(none, 0)
        XCTAssertEqual(fresh.message, userMessage(TesseraError.WrongPassword))
        let restored = await fresh.restoreLatest(from: folder, password: "backup pw")
        XCTAssertEqual(restored, 2)
    }

    func testAFolderThatIsGoneIsReportedAndTheStatusRemembersIt() async throws {
        let clock = TestClock(1_800_000_000)
        let vault = try makeVault(clock: clock)
        let folder = try newFolder()
        let backup = BackupModel(vault: vault, folders: RememberedFolder(), clock: clock, sleeper: ManualSleeper(), kdf: cheapKdf)
        await backup.enable(folder: folder, password: "backup pw", repeated: "backup pw", keep: 3)
        XCTAssertEqual(backup.status?.lastFailure, nil)
        XCTAssertEqual(backup.status?.keep, 3, "the user's choice")

        try FileManager.default.removeItem(at: folder)
        _ = try vault.add(account: account("ACME", "carol", secret: randomSecret()))
        await backup.flush()
        let failure = try XCTUnwrap(backup.status?.lastFailure, "core records the failure for the reminder")
        XCTAssertTrue(failure.contains(folder.lastPathComponent), failure)
        XCTAssertTrue(backup.message?.hasPrefix("The backup failed") == true, backup.message ?? "")
        XCTAssertEqual(backup.status?.unbackedChanges, true)

        await backup.disable()
        XCTAssertEqual(backup.status?.enabled, false)
        XCTAssertNil(backup.folderName)
    }

    nonisolated func testTheFolderDestinationRefusesNamesOutsideItsFolder() throws {
        let folder = try newFolder()
        let destination = FolderBackupDestination(folder: folder)
        for name in ["", "..", "../escape", "a/b"] {
            XCTAssertThrowsError(try destination.write(name: name, bytes: Data([1]))) { error in
                guard case TesseraError.Platform = error else { return XCTFail("\(error)") }
            }
        }
        try destination.write(name: "one", bytes: Data([1, 2]))
        try destination.write(name: "one", bytes: Data([3]))
        XCTAssertEqual(try destination.read(name: "one"), Data([3]), "replaced")
        XCTAssertEqual(try destination.list(), ["one"], "no temporary file left behind")
        try destination.delete(name: "one")
        XCTAssertThrowsError(try destination.read(name: "one")) { error in
            guard case TesseraError.Platform(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("read one"), reason)
        }
    }

    func testARecoveryKeyIsShownOnceAndUnlocksWhenTheDeviceKeyIsLost() async throws {
        let path = tempVaultPath()
        let keys = SwitchableKeys()
        let first = UnlockModel(path: path, keys: keys, clock: nil, kdf: cheapKdf)
        await first.start()
        await first.create(password: nil)
        let vault = try XCTUnwrap(first.vault)
        let id = try vault.add(account: account("ACME", "dave", secret: randomSecret()))

        let backup = BackupModel(vault: vault, folders: RememberedFolder(), clock: nil, sleeper: ManualSleeper())
        await backup.load()
        XCTAssertFalse(backup.hasRecoveryKey)
        await backup.createRecoveryKey()
        let key = try XCTUnwrap(backup.newRecoveryKey, backup.message ?? "")
        XCTAssertTrue(backup.hasRecoveryKey)
        backup.recoveryKeySaved()
        XCTAssertNil(backup.newRecoveryKey, "shown once")
        first.lock()

        // Another vault's key has the right shape but does not open this one.
        let other = try makeVault()
        let otherKey = try other.createRecoveryKey()

        keys.mode = .lost
        let unlock = UnlockModel(path: path, keys: keys, clock: nil, kdf: cheapKdf)
        await unlock.start()
        XCTAssertEqual(unlock.stage, .passwordNeeded, "no password, but a recovery key: core asks for it")
        XCTAssertFalse(unlock.hasPassword)
        XCTAssertTrue(unlock.hasRecoveryKey)

        var typo = Array(key)
        // Two different neighbouring symbols swapped: core's check symbols always catch it.
        let i = try XCTUnwrap(typo.indices.dropLast().first { typo[$0] != typo[$0 + 1] && typo[$0] != "-" && typo[$0 + 1] != "-" })
        typo.swapAt(i, i + 1)
        await unlock.unlockWithRecoveryKey(String(typo))
        XCTAssertEqual(unlock.stage, .passwordNeeded)
        XCTAssertNotNil(unlock.message, "a typing error is named")
        XCTAssertFalse(unlock.message?.contains(key) == true)

        await unlock.unlockWithRecoveryKey(otherKey)
        XCTAssertEqual(unlock.message, "This recovery key does not open this vault.")

        // As typed: lower case, no dashes or spaces.
        await unlock.unlockWithRecoveryKey(key.lowercased().filter { $0.isLetter || $0.isNumber })
        XCTAssertEqual(unlock.stage, .unlocked, unlock.message ?? "")
        XCTAssertTrue(unlock.deviceKeyRenewed, "a new device key is registered, as after a password")
        XCTAssertEqual(try unlock.vault?.list().map(\.id), [id])
    }
}
