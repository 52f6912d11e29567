import Foundation

/// The push device key's public half in the form core's `PushDeviceKeys.generate` returns:
/// SubjectPublicKeyInfo DER. iOS's `SecKeyCopyExternalRepresentation` gives an RSA public key
/// as PKCS#1 `RSAPublicKey` DER, which this wraps (Android's keystore gives SPKI directly).
public enum PublicKeyDER {
    /// `SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { 0 unused bits, pkcs1 } }`.
    public static func subjectPublicKeyInfo(rsaPKCS1 pkcs1: Data) -> Data {
        // AlgorithmIdentifier: OID 1.2.840.113549.1.1.1 (rsaEncryption) with NULL parameters.
        let algorithm: [UInt8] = [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00]
        let bitString = element(0x03, [0x00] + [UInt8](pkcs1))
        return Data(element(0x30, algorithm + bitString))
    }

    /// One DER element: tag, definite length (short or long form), content.
    static func element(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var length = content.count
        guard length >= 0x80 else { return [tag, UInt8(length)] + content }
        var bytes: [UInt8] = []
        while length > 0 {
            bytes.insert(UInt8(length & 0xFF), at: 0)
            length >>= 8
        }
        return [tag, 0x80 | UInt8(bytes.count)] + bytes + content
    }
}
