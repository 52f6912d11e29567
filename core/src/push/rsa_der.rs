//! RSA public keys as DER: reading the server's PKCS#1 key and the device's SubjectPublicKeyInfo,
//! and wrapping PKCS#1 into an SPKI, without big-integer arithmetic.
//!
//! Verification and signing are ring's, which takes and gives PKCS#1 `RSAPublicKey` bytes;
//! what is left is structure: DER parsing (RustCrypto's `pkcs1` and `spki`, which keep
//! integers as byte strings) and the bounds below. The `rsa` crate, which read these keys
//! before, is only in builds with software key generation: its big integers cost the mobile
//! library ~40 KB (docs/performance.md, Size).

use pkcs1::RsaPublicKeyRef;
use pkcs1::der::asn1::{BitStringRef, UintRef};
use pkcs1::der::{Decode, Encode};
use spki::SubjectPublicKeyInfoRef;

/// The modulus sizes ring's RSASSA-PKCS1-v1_5/SHA-256 verification accepts
/// (`RSA_PKCS1_2048_8192_SHA256`): a server key outside them could never verify a challenge,
/// and a device key outside them is not one Tessera asked for (2048 or 4096 bits).
const MODULUS_BITS: std::ops::RangeInclusive<usize> = 2048..=8192;
/// The largest public exponent ring accepts (2^33 − 1; in practice every key has 65537).
const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// Bit length of a big-endian unsigned integer with its leading zero bytes stripped.
fn bits(be: &[u8]) -> usize {
    match be.first() {
        Some(&top) => (be.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    }
}

/// True when `n` and `e` make a key ring can verify with: an odd modulus of 2048–8192 bits and
/// an odd exponent from 3 to 2^33 − 1.
fn usable(n: UintRef<'_>, e: UintRef<'_>) -> bool {
    let (n, e) = (n.as_bytes(), e.as_bytes());
    let odd = |x: &[u8]| x.last().is_some_and(|b| b & 1 == 1);
    // at most 5 bytes fit the bound; longer ones are out of range without being read
    let exponent = if e.len() <= 5 {
        e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    } else {
        u64::MAX
    };
    MODULUS_BITS.contains(&bits(n)) && odd(n) && odd(e) && (3..=MAX_EXPONENT).contains(&exponent)
}

/// True when `der` is exactly one PKCS#1 `RSAPublicKey` that ring can verify with.
pub(crate) fn is_pkcs1(der: &[u8]) -> bool {
    RsaPublicKeyRef::from_der(der).is_ok_and(|key| usable(key.modulus, key.public_exponent))
}

/// The PKCS#1 `RSAPublicKey` inside `spki` when it is an `rsaEncryption` SubjectPublicKeyInfo
/// (parameters NULL, as RFC 3279 requires) of a usable key; `None` for anything else.
pub(crate) fn pkcs1_of_spki(spki: &[u8]) -> Option<&[u8]> {
    let info = SubjectPublicKeyInfoRef::from_der(spki).ok()?;
    if info.algorithm != pkcs1::ALGORITHM_ID {
        return None;
    }
    let key = info.subject_public_key.as_bytes()?;
    is_pkcs1(key).then_some(key)
}

/// The `rsaEncryption` SubjectPublicKeyInfo DER around a PKCS#1 `RSAPublicKey` (what
/// privacyIDEA's enrollment wants, from what ring exports); `None` when `pkcs1` is not a usable
/// key.
pub(crate) fn spki_of_pkcs1(pkcs1: &[u8]) -> Option<Vec<u8>> {
    if !is_pkcs1(pkcs1) {
        return None;
    }
    SubjectPublicKeyInfoRef {
        algorithm: pkcs1::ALGORITHM_ID,
        subject_public_key: BitStringRef::from_bytes(pkcs1).ok()?,
    }
    .to_der()
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RSA-2048 SubjectPublicKeyInfo made with `openssl genpkey` (its private half was
    /// discarded; the same key as the Swift suite's `UnusedPushKeys`).
    const SPKI_B64: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1pEjC2JgX6BR3foZPqYlRGiHWe27IoPJWvhs7an1WWoBy0BRijbieNx3zBXOKXcKyTuDjDWgRmohZ+V3vdmPxh/Ej8Lhn00EzBorw9ow72czGIMG/RY5I/uXCNv6GsWz4ZrsZWrQ2hacWvtWIDDDUofY72feN8J3z25F8nub+aXrp4lkZYYD1lEEmwqAvMDmCbLCFy6+X64f4BmDDkTJOanpFxSiAw4YpmHkX+IANY09BqIHb+8mOLx9kwA9lxApu/fN6ssedbONemYat6iAAIuKdZtpipMXFaa2J72cAVOwAdZ9C7PmZmWEvcndHwZbFeVG2/dpNIdjojxYGccayQIDAQAB";

    fn spki() -> Vec<u8> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(SPKI_B64)
            .unwrap()
    }

    /// DER of an `RSAPublicKey` with the given big-endian modulus and exponent.
    fn pkcs1_der(n: &[u8], e: &[u8]) -> Vec<u8> {
        pkcs1::RsaPublicKey {
            modulus: UintRef::new(n).unwrap(),
            public_exponent: UintRef::new(e).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn an_openssl_spki_unwraps_and_wraps_back_to_the_same_bytes() {
        let spki = spki();
        let pkcs1 = pkcs1_of_spki(&spki).expect("an RSA-2048 SPKI");
        // The header of the RSAPublicKey: SEQUENCE, 2-byte length (RFC 8017 A.1.1).
        assert_eq!(&pkcs1[..2], &[0x30, 0x82]);
        assert_eq!(spki_of_pkcs1(pkcs1).as_deref(), Some(&spki[..]));
    }

    #[test]
    fn sizes_and_exponents_ring_cannot_verify_with_are_refused() {
        let mut n2048 = vec![0xC5u8; 256];
        n2048[255] |= 1;
        assert!(
            is_pkcs1(&pkcs1_der(&n2048, &[1, 0, 1])),
            "2048 bits, e = 65537"
        );
        assert!(is_pkcs1(&pkcs1_der(&n2048, &[3])), "e = 3");
        let short = &n2048[1..]; // 2040 bits
        assert!(!is_pkcs1(&pkcs1_der(short, &[1, 0, 1])), "below 2048 bits");
        let mut n8200 = vec![0xC5u8; 1025];
        n8200[1024] |= 1;
        assert!(!is_pkcs1(&pkcs1_der(&n8200, &[1, 0, 1])), "above 8192 bits");
        let mut even = n2048.clone();
        even[255] &= !1;
        assert!(!is_pkcs1(&pkcs1_der(&even, &[1, 0, 1])), "an even modulus");
        assert!(!is_pkcs1(&pkcs1_der(&n2048, &[1])), "e = 1");
        assert!(
            !is_pkcs1(&pkcs1_der(&n2048, &[1, 0, 0])),
            "an even exponent"
        );
        let huge_e = [2u8, 0, 0, 0, 1]; // 2^33 + 1
        assert!(!is_pkcs1(&pkcs1_der(&n2048, &huge_e)), "e above 2^33 - 1");
    }

    #[test]
    fn anything_but_an_rsa_spki_is_refused() {
        let spki = spki();
        assert_eq!(pkcs1_of_spki(b""), None);
        assert_eq!(pkcs1_of_spki(&spki[..spki.len() - 1]), None, "truncated");
        let mut trailing = spki.clone();
        trailing.push(0);
        assert_eq!(pkcs1_of_spki(&trailing), None, "trailing bytes");
        // the PKCS#1 key alone, without the SPKI around it
        let pkcs1 = pkcs1_of_spki(&spki).unwrap().to_vec();
        assert_eq!(pkcs1_of_spki(&pkcs1), None);
        assert!(!is_pkcs1(&spki), "an SPKI is not a PKCS#1 key");
        // another algorithm: an OID of the same length in place of rsaEncryption's
        // (1.2.840.10045.2.1.1.1, below id-ecPublicKey)
        let rsa_oid = [
            0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01,
        ];
        let at = spki
            .windows(rsa_oid.len())
            .position(|w| w == rsa_oid)
            .unwrap();
        let mut other = spki.clone();
        other[at + 2..at + 11]
            .copy_from_slice(&[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x01, 0x01]);
        assert_eq!(pkcs1_of_spki(&other), None);
    }
}
