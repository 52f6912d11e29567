#if canImport(COpenSSL)
    import COpenSSL
    import Foundation
    import Tessera

    /// Container keys held the way a platform keystore holds them, written in Swift over the
    /// platform's crypto library: on Linux that is OpenSSL's libcrypto (EVP API). It stands in
    /// for the iOS app's Secure Enclave key, which Swift on Linux cannot reach (no CryptoKit, no
    /// Security framework). The private keys live in this process's memory only (`EVP_PKEY`
    /// objects, never exported) and are freed on `delete` or with the holder.
    ///
    /// `p256Only`: answer every request with a P-256 key, as the Secure Enclave must (privacyIDEA
    /// 3.14 does not check the curve); otherwise the curve the QR asks for (P-256 or P-384).
    public final class OpenSslContainerKeys: ContainerKeys, @unchecked Sendable {
        private let p256Only: Bool
        private let lock = NSLock()
        private var keys: [String: OpaquePointer] = [:]
        private var curvesAsked: [ContainerCurve] = []
        private var curvesMade: [ContainerCurve] = []
        private var signed: [ContainerHash] = []

        /// An empty holder; `p256Only` as above.
        public init(p256Only: Bool) {
            self.p256Only = p256Only
        }

        deinit {
            for key in keys.values {
                EVP_PKEY_free(key)
            }
        }

        /// The curves core asked for, in order.
        public var asked: [ContainerCurve] { lock.withLock { curvesAsked } }
        /// The curves of the keys made, in order.
        public var made: [ContainerCurve] { lock.withLock { curvesMade } }
        /// The hashes of the signatures made, in order.
        public var signatures: [ContainerHash] { lock.withLock { signed } }
        /// How many keys the holder has now.
        public var count: Int { lock.withLock { keys.count } }

        public func generate(alias: String, wanted: ContainerCurve) throws -> Data {
            let curve: ContainerCurve = p256Only ? .p256 : wanted
            let key = try evpGenerate("EC") { EVP_PKEY_CTX_set_group_name($0, curve == .p256 ? "P-256" : "P-384") }
            let spki: Data
            do {
                spki = try publicKeyDer(key, "i2d_PUBKEY", i2d_PUBKEY)
            } catch {
                EVP_PKEY_free(key)
                throw error
            }
            lock.withLock {
                curvesAsked.append(wanted)
                curvesMade.append(curve)
                if let replaced = keys.updateValue(key, forKey: alias) {
                    EVP_PKEY_free(replaced)
                }
            }
            return spki
        }

        public func sign(alias: String, message: Data, hash: ContainerHash) throws -> Data {
            let digest: String
            switch hash {
            case .sha256: digest = "SHA256"
            case .sha384: digest = "SHA384"
            case .sha512: digest = "SHA512"
            }
            return try lock.withLock {
                guard let key = keys[alias] else {
                    throw TesseraError.Platform(reason: "no container key under this alias")
                }
                // ECDSA over EVP: the ASN.1 DER signature the trait asks for
                let signature = try evpSign(key, digest: digest, message)
                signed.append(hash)
                return signature
            }
        }

        public func delete(alias: String) throws {
            lock.withLock {
                if let key = keys.removeValue(forKey: alias) {
                    EVP_PKEY_free(key)
                }
            }
        }
    }
#endif
