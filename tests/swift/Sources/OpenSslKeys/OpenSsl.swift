// The Linux tests' stand-ins for the platform keystores (the iOS app's Secure Enclave and
// Keychain), written in Swift over OpenSSL's libcrypto (the COpenSSL module): Swift on Linux
// has no CryptoKit and no Security framework. Used by this suite's container tests and by
// ios/AppModel's tests (the background poll against privacyIDEA). Empty on Apple platforms.
#if canImport(COpenSSL)
    import COpenSSL
    import Foundation
    import Tessera

    /// A platform error naming the call and OpenSSL's first queued error (never key bytes).
    func openSslFailure(_ call: String) -> TesseraError {
        let code = ERR_get_error()
        ERR_clear_error()
        return TesseraError.Platform(reason: "OpenSSL \(call) failed (error 0x\(String(code, radix: 16)))")
    }

    /// The public half of `key` as DER, written by the `i2d_…` encoder `encode` (`i2d_PUBKEY`:
    /// SubjectPublicKeyInfo; `i2d_PublicKey`: the key type's own form, PKCS#1 for RSA).
    func publicKeyDer(
        _ key: OpaquePointer, _ name: String,
        _ encode: (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32
    ) throws -> Data {
        let length = encode(key, nil)
        guard length > 0 else { throw openSslFailure("\(name) (length)") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return encode(key, &cursor)
        }
        guard written == length else { throw openSslFailure(name) }
        return Data(der)
    }

    /// `message` signed by `key` through EVP with the digest `digest` ("SHA256", …): ASN.1 DER
    /// for an EC key, RSASSA-PKCS1-v1_5 (OpenSSL's default padding) for an RSA key.
    func evpSign(_ key: OpaquePointer, digest: String, _ message: Data) throws -> Data {
        guard let context = EVP_MD_CTX_new() else { throw openSslFailure("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit_ex(context, nil, digest, nil, nil, key, nil) == 1 else {
            throw openSslFailure("EVP_DigestSignInit_ex")
        }
        let bytes = [UInt8](message)
        var length = 0
        guard EVP_DigestSign(context, nil, &length, bytes, bytes.count) == 1 else {
            throw openSslFailure("EVP_DigestSign (length)")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, bytes, bytes.count) == 1 else {
            throw openSslFailure("EVP_DigestSign")
        }
        return Data(signature.prefix(length))
    }

    /// A new key pair made by the `EVP_PKEY_CTX` of `algorithm` ("EC", "RSA") after `configure`
    /// set its parameters (curve, size).
    func evpGenerate(_ algorithm: String, configure: (OpaquePointer) -> Int32) throws -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw openSslFailure("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var made: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, configure(context) == 1, EVP_PKEY_generate(context, &made) == 1,
            let key = made
        else {
            throw openSslFailure("\(algorithm) key generation")
        }
        return key
    }
#endif
