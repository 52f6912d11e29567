#if canImport(COpenSSL)
    import COpenSSL
    import Foundation
    import Tessera

    /// The push device keys (`PushDeviceKeys`) as the iOS app's `KeychainPushKeys` holds them,
    /// on Linux: RSA key pairs made and used by OpenSSL's libcrypto, standing in for
    /// `SecKeyCreateRandomKey` and the Keychain. Like the Keychain's, the private keys stay with
    /// the holder (`EVP_PKEY` objects in this process, never exported), apart from the vault,
    /// so core's poll slot can sign with them while the vault is locked. The public key is
    /// handed over as PKCS#1 `RSAPublicKey` DER, the form `SecKeyCopyExternalRepresentation`
    /// gives on iOS; signatures are RSASSA-PKCS1-v1_5 with SHA-256, as
    /// `rsaSignatureMessagePKCS1v15SHA256` makes them.
    ///
    /// Why not Tessera's own software keys (`PushClient` without `deviceKeys`)? They are sealed
    /// in the vault, and the poll slot never holds a device key (core's rule): a token enrolled
    /// with them cannot be polled in the background, on any platform.
    public final class OpenSslPushKeys: PushDeviceKeys, @unchecked Sendable {
        private let lock = NSLock()
        private var keys: [String: OpaquePointer] = [:]
        private var made: [UInt32] = []
        private var signatures = 0

        /// An empty holder.
        public init() {}

        deinit {
            for key in keys.values { EVP_PKEY_free(key) }
        }

        /// The sizes of the keys made, in order.
        public var bitsMade: [UInt32] { lock.withLock { made } }
        /// How many signatures were made.
        public var signed: Int { lock.withLock { signatures } }

        public func generate(alias: String, bits: UInt32) throws -> Data {
            // OpenSSL's default public exponent is 65537, as the trait asks.
            let key = try evpGenerate("RSA") { EVP_PKEY_CTX_set_rsa_keygen_bits($0, Int32(bits)) }
            let pkcs1: Data
            do {
                pkcs1 = try publicKeyDer(key, "i2d_PublicKey", i2d_PublicKey)
            } catch {
                EVP_PKEY_free(key)
                throw error
            }
            lock.withLock {
                made.append(bits)
                if let replaced = keys.updateValue(key, forKey: alias) { EVP_PKEY_free(replaced) }
            }
            return pkcs1
        }

        public func sign(alias: String, message: Data) throws -> Data {
            try lock.withLock {
                guard let key = keys[alias] else { throw TesseraError.Platform(reason: "no push device key under this alias") }
                let signature = try evpSign(key, digest: "SHA256", message)
                signatures += 1
                return signature
            }
        }

        public func delete(alias: String) throws {
            lock.withLock {
                if let key = keys.removeValue(forKey: alias) { EVP_PKEY_free(key) }
            }
        }
    }
#endif
