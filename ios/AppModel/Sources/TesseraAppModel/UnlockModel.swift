import Foundation
import Observation
import Tessera

/// First run and unlock: which screen comes first, the device key (Secure Enclave, Face ID)
/// tried before anything is typed, the password as the second way in, and the app lock.
@MainActor
@Observable
public final class UnlockModel {
    /// The screen to show.
    public enum Stage: Equatable, Sendable {
        /// Looking at the vault file.
        case checking
        /// No vault: create one (optionally with a password), then offer an import.
        case firstRun
        /// Locked: unlock with the device key (a button, after a cancelled prompt).
        case locked
        /// The device key cannot open the vault: ask for the password.
        case passwordNeeded
        /// Open: `vault` is set.
        case unlocked
    }

    /// The screen to show.
    public private(set) var stage: Stage = .checking
    /// The open vault, while `stage` is `.unlocked`.
    public private(set) var vault: Vault?
    /// Why the last attempt failed, for the screen (never a secret).
    public private(set) var message: String?
    /// A call is running (Argon2id takes a moment): disable the buttons.
    public private(set) var busy = false
    /// Lock after the app spent this long in the background (0: at once).
    public var idleTimeout: TimeInterval

    @ObservationIgnored private let unlocking: VaultUnlocking
    @ObservationIgnored private var backgroundSince: Date?

    /// The unlock flow over `unlocking` (core's unlock policy); `idleTimeout` from settings.
    public init(unlocking: VaultUnlocking, idleTimeout: TimeInterval = 60) {
        self.unlocking = unlocking
        self.idleTimeout = idleTimeout
    }

    /// App start: first run when there is no vault, otherwise the device key at once.
    public func start() async {
        let unlocking = self.unlocking
        do {
            switch try await offMain({ try unlocking.presence() }) {
            case .absent: stage = .firstRun
            case .present: await unlockWithDevice()
            }
        } catch {
            message = userMessage(error)
            stage = .locked
        }
    }

    /// First run: creates the vault under the device key; a non-empty `password` becomes
    /// the second way in.
    public func create(password: String?) async {
        let unlocking = self.unlocking
        let password = password.flatMap { $0.isEmpty ? nil : $0 }
        await attempt(failStage: .firstRun) { try unlocking.create(password: password) }
    }

    /// Unlocks with the device key. A cancelled prompt leaves the lock screen up; a lost key
    /// moves to the password.
    public func unlockWithDevice() async {
        let unlocking = self.unlocking
        await attempt(failStage: .locked) { try unlocking.unlockWithDevice() }
    }

    /// Unlocks with the password (and registers the device key again if it was lost).
    public func unlockWithPassword(_ password: String) async {
        let unlocking = self.unlocking
        await attempt(failStage: .passwordNeeded) { try unlocking.unlockWithPassword(password) }
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

    private func attempt(failStage: Stage, _ open: @escaping @Sendable () throws -> Vault) async {
        busy = true
        defer { busy = false }
        do {
            vault = try await offMain(open)
            message = nil
            stage = .unlocked
        } catch DeviceUnlockFailure.keyLost {
            message = "This device's key no longer opens the vault: enter your password."
            stage = .passwordNeeded
        } catch DeviceUnlockFailure.cancelled {
            message = nil
            stage = .locked
        } catch DeviceUnlockFailure.failed(let reason) {
            message = reason
            stage = failStage
        } catch {
            message = userMessage(error)
            stage = failStage
        }
    }
}
