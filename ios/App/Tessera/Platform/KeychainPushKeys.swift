import Foundation
import Security
import Tessera
import TesseraAppModel

/// The push device keys (`PushDeviceKeys`): RSA key pairs made by `SecKeyCreateRandomKey` in
/// the Keychain (the Secure Enclave holds only P-256), not extractable; signing is
/// RSASSA-PKCS1-v1_5 with SHA-256 (`rsaSignatureMessagePKCS1v15SHA256`). No software RSA: the
/// mobile library has none, and the private key never exists outside the Keychain.
///
/// Stored `AfterFirstUnlockThisDeviceOnly`, not `WhenUnlocked…`: privacyIDEA's poll is signed
/// with this key, and `BGAppRefreshTask` mostly runs while the phone is locked, where a
/// `WhenUnlocked` key cannot be used and every background poll would fail. What the key can
/// do in the background is fetch; answering a request needs the app open (and, for a token
/// with `app_force_unlock`, Face ID). `ThisDeviceOnly`: never in a backup, never on another
/// phone.
final class KeychainPushKeys: PushDeviceKeys, @unchecked Sendable {
    private func tag(_ alias: String) -> Data { Data("org.tessera.app.push.\(alias)".utf8) }

    private func query(_ alias: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag(alias),
            kSecAttrKeyType as String: kSecAttrKeyTypeRSA,
            kSecAttrKeyClass as String: kSecAttrKeyClassPrivate,
        ]
    }

    func generate(alias: String, bits: UInt32) throws -> Data {
        try delete(alias: alias)
        let attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeRSA,
            kSecAttrKeySizeInBits as String: Int(bits),
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrIsExtractable as String: false,
                kSecAttrApplicationTag as String: tag(alias),
                kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
            ] as [String: Any],
        ]
        var error: Unmanaged<CFError>?
        guard let privateKey = SecKeyCreateRandomKey(attributes as CFDictionary, &error),
            let publicKey = SecKeyCopyPublicKey(privateKey),
            let pkcs1 = SecKeyCopyExternalRepresentation(publicKey, &error) as Data?
        else { throw Self.failure(error) }
        // iOS writes an RSA public key as PKCS#1; core takes it as it is (and enrolls SPKI).
        return pkcs1
    }

    func sign(alias: String, message: Data) throws -> Data {
        var query = self.query(alias)
        query[kSecReturnRef as String] = true
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        guard status == errSecSuccess, let item else {
            throw TesseraError.Platform(reason: "no push device key (keystore status \(status))")
        }
        var error: Unmanaged<CFError>?
        let key = item as! SecKey  // kSecReturnRef on kSecClassKey
        guard let signature = SecKeyCreateSignature(key, .rsaSignatureMessagePKCS1v15SHA256, message as CFData, &error) as Data? else {
            throw Self.failure(error)
        }
        return signature
    }

    func delete(alias: String) throws {
        let status = SecItemDelete(query(alias) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw TesseraError.Platform(reason: "deleting a push device key failed (keystore status \(status))")
        }
    }

    private static func failure(_ error: Unmanaged<CFError>?) -> TesseraError {
        let code = error.map { CFErrorGetCode($0.takeRetainedValue()) } ?? 0
        return .Platform(reason: "keystore error \(code)")
    }
}
