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
    final class OpenSslContainerKeys: ContainerKeys, @unchecked Sendable {
        private let p256Only: Bool
        private let lock = NSLock()
        private var keys: [String: OpaquePointer] = [:]
        private var curvesAsked: [ContainerCurve] = []
        private var curvesMade: [ContainerCurve] = []
        private var signed: [ContainerHash] = []

        init(p256Only: Bool) {
            self.p256Only = p256Only
        }

        deinit {
            for key in keys.values {
                EVP_PKEY_free(key)
            }
        }

        /// The curves core asked for, in order.
        var asked: [ContainerCurve] { lock.withLock { curvesAsked } }
        /// The curves of the keys made, in order.
        var made: [ContainerCurve] { lock.withLock { curvesMade } }
        /// The hashes of the signatures made, in order.
        var signatures: [ContainerHash] { lock.withLock { signed } }
        /// How many keys the holder has now.
        var count: Int { lock.withLock { keys.count } }

        func generate(alias: String, wanted: ContainerCurve) throws -> Data {
            let curve: ContainerCurve = p256Only ? .p256 : wanted
            guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
                throw Self.failure("EVP_PKEY_CTX_new_from_name")
            }
            defer { EVP_PKEY_CTX_free(context) }
            var made: OpaquePointer?
            guard EVP_PKEY_keygen_init(context) == 1,
                EVP_PKEY_CTX_set_group_name(context, curve == .p256 ? "P-256" : "P-384") == 1,
                EVP_PKEY_generate(context, &made) == 1, let key = made
            else {
                throw Self.failure("EC key generation")
            }
            let spki: Data
            do {
                spki = try Self.subjectPublicKeyInfo(key)
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

        func sign(alias: String, message: Data, hash: ContainerHash) throws -> Data {
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
                guard let context = EVP_MD_CTX_new() else { throw Self.failure("EVP_MD_CTX_new") }
                defer { EVP_MD_CTX_free(context) }
                guard EVP_DigestSignInit_ex(context, nil, digest, nil, nil, key, nil) == 1 else {
                    throw Self.failure("EVP_DigestSignInit_ex")
                }
                let bytes = [UInt8](message)
                var length = 0
                guard EVP_DigestSign(context, nil, &length, bytes, bytes.count) == 1 else {
                    throw Self.failure("EVP_DigestSign (length)")
                }
                // ECDSA over EVP: the ASN.1 DER signature the trait asks for
                var signature = [UInt8](repeating: 0, count: length)
                guard EVP_DigestSign(context, &signature, &length, bytes, bytes.count) == 1 else {
                    throw Self.failure("EVP_DigestSign")
                }
                signed.append(hash)
                return Data(signature.prefix(length))
            }
        }

        func delete(alias: String) throws {
            lock.withLock {
                if let key = keys.removeValue(forKey: alias) {
                    EVP_PKEY_free(key)
                }
            }
        }

        /// The public half as X.509 SubjectPublicKeyInfo DER (`i2d_PUBKEY`).
        private static func subjectPublicKeyInfo(_ key: OpaquePointer) throws -> Data {
            let length = i2d_PUBKEY(key, nil)
            guard length > 0 else { throw failure("i2d_PUBKEY (length)") }
            var der = [UInt8](repeating: 0, count: Int(length))
            let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
                var cursor = buffer.baseAddress
                return i2d_PUBKEY(key, &cursor)
            }
            guard written == length else { throw failure("i2d_PUBKEY") }
            return Data(der)
        }

        /// A platform error naming the call and OpenSSL's first queued error (never key bytes).
        private static func failure(_ call: String) -> TesseraError {
            let code = ERR_get_error()
            ERR_clear_error()
            return TesseraError.Platform(reason: "OpenSSL \(call) failed (error 0x\(String(code, radix: 16)))")
        }
    }
#endif
