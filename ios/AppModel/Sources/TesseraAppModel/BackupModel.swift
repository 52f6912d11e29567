import Foundation
import Observation
import Tessera

/// Never losing an account: automatic backups to a folder the user picked, the reminder
/// status core keeps, and the recovery key. Every rule is core's (`docs/vault.md`, *Automatic
/// backups*): when a backup is due, reading it back, which files to keep, when to ask for the
/// backup password again. The model wires the folder in and calls core at the right moments:
/// after every change (through a code watch), at the time core names, and when the app goes
/// to the background.
@MainActor
@Observable
public final class BackupModel {
    /// Core's backup status (on, last verified backup, last failure, unbacked changes, time to
    /// ask for the password); nil before `load()`.
    public private(set) var status: AutoBackupStatus?
    /// The remembered backup folder's name, nil when none.
    public private(set) var folderName: String?
    /// A recovery key can unlock the vault.
    public private(set) var hasRecoveryKey = false
    /// A recovery key just made, shown once until the user confirms it is written down; no
    /// copy is kept after `recoveryKeySaved()`.
    public private(set) var newRecoveryKey: String?
    /// The last outcome, for a banner (never a secret).
    public private(set) var message: String?
    /// A call is running (deriving the backup key takes a moment): disable the buttons.
    public private(set) var busy = false

    @ObservationIgnored private let vault: Vault
    @ObservationIgnored private let folders: BackupFolderStore
    @ObservationIgnored private let clock: Clock?
    @ObservationIgnored private let sleeper: Sleeper
    @ObservationIgnored private let kdf: KdfParams?
    @ObservationIgnored private var watch: CodesWatch?
    /// The call core asked for at a later time.
    @ObservationIgnored private var scheduled: Task<Void, Never>?

    /// Backups of `vault` into the folder `folders` remembers. `clock` is the vault's (nil:
    /// the system's), to wait until the time core names with `sleeper`; `kdf` is the backup
    /// password's cost (nil: core's default).
    public init(vault: Vault, folders: BackupFolderStore, clock: Clock?, sleeper: Sleeper, kdf: KdfParams? = nil) {
        self.vault = vault
        self.folders = folders
        self.clock = clock
        self.sleeper = sleeper
        self.kdf = kdf
    }

    /// Reads core's status and the remembered folder.
    public func load() async {
        let vault = self.vault
        do {
            (status, hasRecoveryKey) = try await offMain { (try vault.autoBackupStatus(), try vault.hasRecoveryKey()) }
            folderName = try folders.load()?.lastPathComponent
        } catch {
            message = userMessage(error)
        }
    }

    /// Switches automatic backups on into `folder` (the document picker's), encrypted with
    /// `password` (asked twice), keeping `keep` backups (core's default when nil); writes and
    /// verifies the first backup at once.
    public func enable(folder: URL, password: String, repeated: String, keep: UInt32? = nil) async {
        guard password == repeated else {
            message = "The two passwords differ."
            return
        }
        let (vault, kdf) = (self.vault, self.kdf)
        let keep = keep ?? defaultAutoBackupKeep()
        busy = true
        defer { busy = false }
        do {
            try folders.save(folder)
            let destination = FolderBackupDestination(folder: folder)
            let outcome = try await offMain {
                try vault.enableAutoBackup(password: password, keep: keep, destination: folder.lastPathComponent, kdf: kdf)
                return try vault.flushAutoBackup(destination: destination)
            }
            message = Self.describe(outcome)
        } catch {
            message = userMessage(error)
        }
        await load()
    }

    /// Switches automatic backups off; the files stay in the folder.
    public func disable() async {
        let vault = self.vault
        do {
            try await offMain { try vault.disableAutoBackup() }
            folders.clear()
            scheduled?.cancel()
            message = "Automatic backups are off. The backups already written stay in the folder."
        } catch {
            message = userMessage(error)
        }
        await load()
    }

    /// Starts calling core after every change made through the vault (a code watch delivers
    /// them) until `stop()`.
    public func start() {
        guard watch == nil else { return }
        let relay = ChangeRelay { [weak self] in Task { @MainActor in await self?.backupIfDue() } }
        watch = try? vault.watchCodes(query: CodesQuery(), listener: relay)
    }

    /// No more watching (the vault locks).
    public func stop() {
        watch?.stop()
        watch = nil
        scheduled?.cancel()
        scheduled = nil
    }

    /// After a change, and at the time core named: core writes a backup when the changes have
    /// been quiet long enough, or names the time to call again.
    public func backupIfDue() async {
        await run { vault, destination in try vault.backupIfDue(destination: destination) }
    }

    /// The app goes to the background: anything not backed up yet is written now.
    public func flush() async {
        await run { vault, destination in try vault.flushAutoBackup(destination: destination) }
    }

    /// Core asked for the backup password again (`status.askForPassword`): whether the user
    /// still knows it (a backup is only as good as its password).
    public func testPassword(_ password: String) async {
        let vault = self.vault
        do {
            let known = try await offMain { try vault.testBackupPassword(password: password) }
            message = known ? "That is the backup password." : "That is not the backup password."
        } catch {
            message = userMessage(error)
        }
        await load()
    }

    /// Makes a new recovery key (replacing any earlier one) and shows it once.
    public func createRecoveryKey() async {
        let vault = self.vault
        do {
            newRecoveryKey = try await offMain { try vault.createRecoveryKey() }
            message = nil
        } catch {
            message = userMessage(error)
        }
        await load()
    }

    /// The user confirmed the recovery key is written down: it leaves the screen for good.
    public func recoveryKeySaved() {
        newRecoveryKey = nil
    }

    /// Revokes the recovery key (core refuses when it may be the only way in left).
    public func revokeRecoveryKey() async {
        let vault = self.vault
        do {
            try await offMain { try vault.revokeRecoveryKey() }
            message = "The recovery key no longer opens the vault."
        } catch {
            message = userMessage(error)
        }
        await load()
    }

    /// A fresh install: adds the accounts of the newest intact backup in `folder` (the
    /// document picker's) to this vault. Returns how many were added.
    @discardableResult
    public func restoreLatest(from folder: URL, password: String) async -> Int {
        let vault = self.vault
        let destination = FolderBackupDestination(folder: folder)
        busy = true
        defer { busy = false }
        do {
            let added = try await offMain {
                try vault.addMany(accounts: try readLatestBackup(destination: destination, password: password)).count
            }
            message = "Restored \(added) accounts."
            return added
        } catch {
            message = userMessage(error)
            return 0
        }
    }

    /// One backup call on the remembered folder, then the next call scheduled when core names
    /// a time.
    private func run(_ call: @escaping @Sendable (Vault, BackupDestination) throws -> AutoBackupOutcome) async {
        if status == nil { await load() }
        guard status?.enabled == true else { return }
        let vault = self.vault
        let destination: FolderBackupDestination
        do {
            guard let folder = try folders.load() else { return }
            destination = FolderBackupDestination(folder: folder)
        } catch {
            message = userMessage(error)
            return
        }
        do {
            let (outcome, status) = try await offMain { (try call(vault, destination), try vault.autoBackupStatus()) }
            self.status = status
            if case .failed = outcome { message = Self.describe(outcome) }
            if case .waiting(let dueAt) = outcome { schedule(at: dueAt) }
        } catch {
            message = userMessage(error)
        }
    }

    private func schedule(at dueAt: UInt64) {
        scheduled?.cancel()
        let now = (try? clock?.nowUnix()) ?? UInt64(Date().timeIntervalSince1970)
        let wait = dueAt > now ? (dueAt - now) * 1000 : 0
        let sleeper = self.sleeper
        scheduled = Task { [weak self] in
            do { try await sleeper.sleep(milliseconds: wait) } catch { return }
            guard !Task.isCancelled else { return }
            await self?.backupIfDue()
        }
    }

    private static func describe(_ outcome: AutoBackupOutcome) -> String {
        switch outcome {
        case .upToDate: return "Your accounts are backed up."
        case .waiting: return "A backup will be written in a moment."
        case .written: return "A backup was written and checked."
        case .failed(let reason): return "The backup failed: \(reason)"
        }
    }
}

/// A code watch's deliveries, reduced to "something may have changed".
private final class ChangeRelay: CodesListener, @unchecked Sendable {
    private let changed: @Sendable () -> Void

    init(_ changed: @escaping @Sendable () -> Void) { self.changed = changed }

    func onCodes(list: CodeList) throws { changed() }

    func onError(error: TesseraError) throws {}
}
