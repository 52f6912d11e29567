import Foundation
import LocalAuthentication
import Security
import Tessera

/// The vault's device key (`KeyProvider`): a P-256 private key created inside the Secure
/// Enclave, which never leaves it, wraps the vault key with ECIES
/// (`eciesEncryptionCofactorVariableIVX963SHA256AESGCM`). Stored `WhenUnlockedThisDeviceOnly`
/// (never in a backup, never on another phone); with `requireBiometry`, every unwrap asks for
/// Face ID / Touch ID and a change of the enrolled biometrics invalidates the key.
///
/// The Simulator has no Secure Enclave: there the same key is an ordinary Keychain key
/// (same access control, same code path).
final class SecureEnclaveKeys: KeyProvider, @unchecked Sendable {
    private static let algorithm = SecKeyAlgorithm.eciesEncryptionCofactorVariableIVX963SHA256AESGCM
    private let tag: Data
    /// Face ID / Touch ID for every unwrap; read when the key is made (the first run's choice).
    var requireBiometry: Bool
    private let interactive: Bool
    private let usableWhileLocked: Bool

    /// The key under `tag`. `interactive: false` (the background refresh) never shows a prompt:
    /// a key that would need one fails with `Cancelled` instead. `usableWhileLocked`: stored
    /// `AfterFirstUnlockThisDeviceOnly` instead of `WhenUnlockedThisDeviceOnly` (the poll
    /// slot's key, which a background task uses while the phone is locked).
    init(
        tag: String = "org.tessera.app.vault-key", requireBiometry: Bool, interactive: Bool = true,
        usableWhileLocked: Bool = false
    ) {
        self.tag = Data(tag.utf8)
        self.requireBiometry = requireBiometry
        self.interactive = interactive
        self.usableWhileLocked = usableWhileLocked
    }

    func wrap(key: Data) throws -> Data {
        // A key that is gone (or was invalidated and deleted by `unwrap`) is made anew here:
        // that is how the device key is registered again after a password unlock.
        let privateKey = try existingKey() ?? createKey()
        guard let publicKey = SecKeyCopyPublicKey(privateKey) else {
            throw TesseraError.Platform(reason: "the device key has no public key")
        }
        var error: Unmanaged<CFError>?
        guard let sealed = SecKeyCreateEncryptedData(publicKey, Self.algorithm, key as CFData, &error) as Data? else {
            throw Self.failure(error)
        }
        return sealed
    }

    func unwrap(wrapped: Data) throws -> Data {
        guard let privateKey = try existingKey() else { throw TesseraError.WrongKey }
        var error: Unmanaged<CFError>?
        guard let key = SecKeyCreateDecryptedData(privateKey, Self.algorithm, wrapped as CFData, &error) as Data? else {
            let failure = Self.failure(error)
            if case TesseraError.WrongKey = failure { deleteKey() }
            throw failure
        }
        return key
    }

    private var query: [String: Any] {
        [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
        ]
    }

    private func existingKey() throws -> SecKey? {
        var query = self.query
        query[kSecReturnRef as String] = true
        let context = LAContext()
        context.localizedReason = "Unlock your accounts"
        context.interactionNotAllowed = !interactive
        query[kSecUseAuthenticationContext as String] = context
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let item else { throw Self.failure(status: status) }
        return (item as! SecKey)  // SecItemCopyMatching with kSecReturnRef on kSecClassKey
    }

    private func createKey() throws -> SecKey {
        var flags: SecAccessControlCreateFlags = [.privateKeyUsage]
        if requireBiometry { flags.insert(.biometryCurrentSet) }
        var error: Unmanaged<CFError>?
        let accessible = usableWhileLocked ? kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly : kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        guard let access = SecAccessControlCreateWithFlags(nil, accessible, flags, &error) else {
            throw Self.failure(error)
        }
        var attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: tag,
                kSecAttrAccessControl as String: access,
            ] as [String: Any],
        ]
        #if !targetEnvironment(simulator)
            attributes[kSecAttrTokenID as String] = kSecAttrTokenIDSecureEnclave
        #endif
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else { throw Self.failure(error) }
        return key
    }

    private func deleteKey() { SecItemDelete(query as CFDictionary) }

    /// A Security or LocalAuthentication failure as the vault reads it.
    private static func failure(_ error: Unmanaged<CFError>?) -> TesseraError {
        guard let error = error?.takeRetainedValue() else { return .Platform(reason: "the keystore failed") }
        return failure(status: OSStatus(truncatingIfNeeded: CFErrorGetCode(error)))
    }

    private static func failure(status: OSStatus) -> TesseraError {
        switch status {
        case errSecUserCanceled, OSStatus(LAError.userCancel.rawValue), OSStatus(LAError.appCancel.rawValue),
            OSStatus(LAError.systemCancel.rawValue), errSecInteractionNotAllowed:
            return .Cancelled
        case errSecAuthFailed, errSecItemNotFound, errSecDecode, OSStatus(LAError.biometryLockout.rawValue):
            // The key cannot open this wrapping any more (invalidated by a biometrics change,
            // or not the key that made it): the password is the way in.
            return .WrongKey
        default:
            return .Platform(reason: "keystore error \(status)")
        }
    }
}
