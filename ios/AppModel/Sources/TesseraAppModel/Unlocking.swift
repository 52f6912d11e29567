import Foundation
import Tessera

/// What the first screen needs to know about the vault file, without unlocking it.
public enum VaultPresence: Equatable, Sendable {
    /// No vault yet: first run.
    case absent
    /// A vault is there; `hasPassword` is unknown until it is open (nil) or known.
    case present
}

/// How a device-key unlock failed, as the unlock screen acts on it.
public enum DeviceUnlockFailure: Error, Equatable, Sendable {
    /// The user dismissed Face ID / Touch ID: offer to try again, or the password.
    case cancelled
    /// The device key no longer opens the vault (biometrics changed, restored to a new
    /// phone): the password is the way in, after which a new device key is registered.
    case keyLost
    /// Anything else (the keystore failed, the file is damaged): its message.
    case failed(String)
}

/// The ways into a vault: core's unlock policy (device key first, the password as fallback,
/// a lost device key registered again after a password unlock).
public protocol VaultUnlocking: Sendable {
    /// Whether a vault file exists (asked without unlocking).
    func presence() throws -> VaultPresence
    /// First run: a new vault under the device key, with `password` as a second way in.
    func create(password: String?) throws -> Vault
    /// The everyday unlock.
    func unlockWithDevice() throws -> Vault
    /// The fallback; registers the device key again when the device unlock found it lost.
    func unlockWithPassword(_ password: String) throws -> Vault
}

/// The unlock policy over today's bindings (`Vault.open`, `openWithPassword`,
/// `setKeyProvider`). Stand-in until core's unlock call is exported (it decides the same
/// steps and adds `vaultStatus`, `PasswordRequired` and `KeyLost`); then each method becomes
/// a forward to it.
public final class BindingsUnlocking: VaultUnlocking, @unchecked Sendable {
    let path: String
    let keys: KeyProvider
    let clock: Clock?
    let kdf: KdfParams?
    private let lock = NSLock()
    private var deviceKeyLost = false

    /// Unlocks the vault at `path` with `keys` (the Secure Enclave provider in the app);
    /// `clock` is the codes' time; `kdf` the password cost (nil: core's default).
    public init(path: String, keys: KeyProvider, clock: Clock?, kdf: KdfParams? = nil) {
        self.path = path
        self.keys = keys
        self.clock = clock
        self.kdf = kdf
    }

    public func presence() throws -> VaultPresence {
        FileManager.default.fileExists(atPath: path) ? .present : .absent
    }

    public func create(password: String?) throws -> Vault {
        let vault = try Vault.create(path: path, keys: keys, clock: clock)
        if let password { try vault.setPassword(password: password, kdf: kdf) }
        return vault
    }

    public func unlockWithDevice() throws -> Vault {
        do {
            return try Vault.open(path: path, keys: keys, clock: clock)
        } catch TesseraError.WrongKey {
            lock.withLock { deviceKeyLost = true }
            throw DeviceUnlockFailure.keyLost
        } catch TesseraError.Cancelled {
            throw DeviceUnlockFailure.cancelled
        }
    }

    public func unlockWithPassword(_ password: String) throws -> Vault {
        let vault = try Vault.openWithPassword(path: path, password: password, clock: clock)
        if lock.withLock({ deviceKeyLost }) {
            // The vault is open either way; a failed registration only means the next unlock
            // asks for the password again.
            if (try? vault.setKeyProvider(keys: keys)) != nil { lock.withLock { deviceKeyLost = false } }
        }
        return vault
    }
}
