import Foundation
import Observation
import Tessera

/// First run and unlock by core's unlock policy (`vaultStatus`, `Unlocker`): which screen comes
/// first, the device key (Secure Enclave, Face ID) before anything is typed, the password when
/// core says it is required, a lost device key registered again after it; and the app lock.
@MainActor
@Observable
public final class UnlockModel {
    /// The screen to show.
    public enum Stage: Equatable, Sendable {
        /// Looking at the vault file.
        case checking
        /// No vault: create one (optionally with a password), then offer an import.
        case firstRun
        /// Locked: unlock with the device key (a button; also after a cancelled prompt when the
        /// vault has no password).
        case locked
        /// Core asks for the password (or, when the vault has none, the recovery key: see
        /// `hasPassword` and `hasRecoveryKey`); `deviceKeyFailure` says why the device key
        /// did not do.
        case passwordNeeded
        /// The device key is lost and the vault has no password: it cannot be opened on this
        /// phone any more (start over and restore a backup).
        case keyLost
        /// Written by a newer Tessera: update the app.
        case newerVersion
        /// Open: `vault` is set.
        case unlocked
    }

    /// The screen to show.
    public private(set) var stage: Stage = .checking
    /// The open vault, while `stage` is `.unlocked`.
    public private(set) var vault: Vault?
    /// Why the device key did not open the vault (lost, cancelled, unavailable), for the
    /// password screen; a cancelled or unavailable key can be tried again.
    public private(set) var deviceKeyFailure: DeviceKeyFailure?
    /// The last unlock registered a new device key (the old one was lost).
    public private(set) var deviceKeyRenewed = false
    /// Why the last attempt failed, for the screen (never a secret).
    public private(set) var message: String?
    /// The vault has a password: the password screen asks for it.
    public private(set) var hasPassword = false
    /// The vault has a recovery key: the password screen offers it ("forgot your password?"),
    /// and asks for it instead when there is no password.
    public private(set) var hasRecoveryKey = false
    /// A call is running (Argon2id takes a moment): disable the buttons.
    public private(set) var busy = false
    /// The vault was just created: offer to import accounts from another app right away.
    public private(set) var offerImport = false
    /// Lock after the app spent this long in the background (0: at once).
    public var idleTimeout: TimeInterval

    @ObservationIgnored private let path: String
    @ObservationIgnored private let keys: KeyProvider
    @ObservationIgnored private let clock: Clock?
    @ObservationIgnored private let kdf: KdfParams?
    @ObservationIgnored private var unlocker: Unlocker?
    @ObservationIgnored private var backgroundSince: Date?

    /// The vault at `path`, its device key `keys` (the Secure Enclave provider in the app), the
    /// codes' `clock`, the password cost `kdf` (nil: core's default), `idleTimeout` from settings.
    public init(path: String, keys: KeyProvider, clock: Clock?, kdf: KdfParams? = nil, idleTimeout: TimeInterval = 60) {
        self.path = path
        self.keys = keys
        self.clock = clock
        self.kdf = kdf
        self.idleTimeout = idleTimeout
    }

    /// App start: first run when there is no vault, an update notice for a newer one,
    /// otherwise the device key at once.
    public func start() async {
        let path = self.path
        do {
            let status = try await offMain { try vaultStatus(path: path) }
            hasPassword = status.hasPassword
            hasRecoveryKey = status.hasRecoveryKey
            if !status.exists {
                stage = .firstRun
            } else if status.newerVersion {
                stage = .newerVersion
            } else {
                await unlockWithDevice()
            }
        } catch {
            message = userMessage(error)
            stage = .locked
        }
    }

    /// First run: creates the vault under the device key; a non-empty `password` becomes
    /// the second way in.
    public func create(password: String?) async {
        let (path, keys, clock, kdf) = (self.path, self.keys, self.clock, self.kdf)
        let password = password.flatMap { $0.isEmpty ? nil : $0 }
        await attempt(failStage: .firstRun) {
            let vault = try Vault.create(path: path, keys: keys, clock: clock)
            if let password { try vault.setPassword(password: password, kdf: kdf) }
            return (vault, false)
        }
        offerImport = stage == .unlocked
    }

    /// The import offer was shown (taken or declined).
    public func importOffered() { offerImport = false }

    /// Unlocks with the device key (core decides what a failure leads to).
    public func unlockWithDevice() async {
        await unlock(password: nil, failStage: .locked)
    }

    /// Unlocks with the password; core registers a new device key if the old one was lost.
    public func unlockWithPassword(_ password: String) async {
        await unlock(password: password, failStage: .passwordNeeded)
    }

    /// Unlocks with the recovery key as the user typed it (core ignores case, spaces and
    /// dashes, and names a mistyped symbol); a new device key is registered as after a
    /// password. Then set a new password: the recovery key was for a forgotten one.
    public func unlockWithRecoveryKey(_ recoveryKey: String) async {
        guard let unlocker = screenUnlocker(failStage: .passwordNeeded) else { return }
        await attempt(failStage: .passwordNeeded, wrong: "This recovery key does not open this vault.") {
            let result = try unlocker.unlockWithRecoveryKey(recoveryKey: recoveryKey)
            return (result.vault, result.deviceKeyRenewed)
        }
    }

    /// The user chose the password instead of the device key.
    public func usePassword() {
        message = nil
        stage = .passwordNeeded
    }

    /// Locks now: the key leaves memory; the lock screen comes back.
    public func lock() {
        vault?.lock()
        vault = nil
        unlocker = nil
        stage = .locked
    }

    /// The app went to the background (the app-switcher snapshot is hidden by the view).
    public func enteredBackground(at date: Date) {
        backgroundSince = date
        if idleTimeout <= 0 { lock() }
    }

    /// The app came back: locks when it was away for `idleTimeout` or longer. (Which idle
    /// time locks is an app-lock rule that core does not have yet; see ios/README.md.)
    public func enteredForeground(at date: Date) {
        defer { backgroundSince = nil }
        guard stage == .unlocked, let since = backgroundSince else { return }
        if date.timeIntervalSince(since) >= idleTimeout { lock() }
    }

    /// The lock screen's unlocker, made on first use. One per lock screen: it remembers why
    /// the device key failed, which tells the password or recovery-key unlock after it
    /// whether to register a new device key.
    private func screenUnlocker(failStage: Stage) -> Unlocker? {
        if let unlocker { return unlocker }
        do {
            let made = try Unlocker(path: path, keys: keys, clock: clock)
            unlocker = made
            return made
        } catch {
            message = userMessage(error)
            stage = failStage
            return nil
        }
    }

    private func unlock(password: String?, failStage: Stage) async {
        guard let unlocker = screenUnlocker(failStage: failStage) else { return }
        await attempt(failStage: failStage) {
            let result = try unlocker.unlock(password: password)
            return (result.vault, result.deviceKeyRenewed)
        }
        deviceKeyFailure = stage == .unlocked ? nil : unlocker.deviceKeyFailure()
    }

    /// Runs one unlock; `wrong` is what to say when the secret typed does not open the vault.
    private func attempt(
        failStage: Stage, wrong: String = userMessage(TesseraError.WrongPassword),
        _ open: @escaping @Sendable () throws -> (Vault, Bool)
    ) async {
        busy = true
        defer { busy = false }
        do {
            (vault, deviceKeyRenewed) = try await offMain(open)
            message = nil
            unlocker = nil
            stage = .unlocked
        } catch TesseraError.PasswordRequired {
            // Why the device key failed is `deviceKeyFailure`; a cancelled prompt needs no text.
            message = nil
            stage = .passwordNeeded
        } catch TesseraError.WrongPassword {
            message = wrong
            stage = failStage
        } catch TesseraError.Cancelled {
            message = nil
            stage = .locked
        } catch TesseraError.KeyLost(let reason) {
            message = reason
            stage = .keyLost
        } catch TesseraError.NewerVersion(let reason) {
            message = reason
            stage = .newerVersion
        } catch {
            message = userMessage(error)
            stage = failStage
        }
    }
}
