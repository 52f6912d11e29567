//! Key derivation: Argon2id (vault password slots, backups, Ente, Proton), scrypt (Aegis),
//! PBKDF2 (2FAS, andOTP), HKDF-SHA256 (subkeys of a key that is already strong).
//!
//! Every function derives a 256-bit key into a wiped buffer and returns an error, never a
//! panic. Caps on what a *file* may ask for belong to each reader (they differ per format);
//! the floor on what an *app* may choose for a new password is [`ARGON2ID_FLOOR`].

use zeroize::Zeroizing;

use super::CryptoError;
use super::aead::KEY_LEN;

/// Argon2id v1.3 cost parameters (RFC 9106 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Cost {
    /// Memory in KiB (`m`).
    pub memory_kib: u32,
    /// Passes (`t`).
    pub iterations: u32,
    /// Lanes (`p`).
    pub parallelism: u32,
}

/// OWASP's Argon2id minimums (Password Storage Cheat Sheet, 2024): five (memory KiB, passes)
/// rows of equal defence, one lane each — 46 MiB × 1, 19 MiB × 2, 12 MiB × 3, 9 MiB × 4,
/// 7 MiB × 5. A cost meets the floor when it has at least the memory *and* the passes of some
/// row. This is applied to what an *app* chooses through the FFI for a new password or backup;
/// files written by other apps are judged by each reader's own caps instead.
pub const ARGON2ID_FLOOR: [(u32, u32); 5] = [
    (47_104, 1),
    (19_456, 2),
    (12_288, 3),
    (9_216, 4),
    (7_168, 5),
];

impl Argon2Cost {
    /// True when this cost is at least one row of [`ARGON2ID_FLOOR`]. Extra lanes do not count:
    /// they split the same memory, and OWASP's rows are all single-lane.
    pub fn meets_floor(&self) -> bool {
        ARGON2ID_FLOOR
            .iter()
            .any(|&(m, t)| self.memory_kib >= m && self.iterations >= t)
    }
}

/// Argon2id v1.3 of `password` and `salt` to a 256-bit key. Memory is allocated fallibly: a
/// device short of memory gets [`CryptoError::OutOfMemory`], not an abort.
pub fn argon2id(
    password: &[u8],
    salt: &[u8],
    cost: Argon2Cost,
) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
    let params = argon2::Params::new(
        cost.memory_kib,
        cost.iterations,
        cost.parallelism,
        Some(KEY_LEN),
    )
    .map_err(|e| CryptoError::InvalidKdfParams(e.to_string()))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(password, salt, &mut key[..])
        .map_err(|e| match e {
            argon2::Error::OutOfMemory => CryptoError::OutOfMemory {
                mib: u64::from(cost.memory_kib) >> 10,
            },
            other => CryptoError::InvalidKdfParams(other.to_string()),
        })?;
    Ok(key)
}

/// The largest scrypt memory (128·r·N bytes) an import will spend on one key slot. Aegis uses
/// 32 MiB; a file asking for more than this is treated as damaged rather than exhausting memory.
pub const SCRYPT_MAX_MEMORY: u64 = 256 * 1024 * 1024;

/// scrypt (RFC 7914) to a 256-bit key; `None` for parameters outside what a real export uses
/// (N not a power of two, p above 16, or more memory than [`SCRYPT_MAX_MEMORY`]).
pub fn scrypt(
    password: &[u8],
    salt: &[u8],
    n: u64,
    r: u32,
    p: u32,
) -> Option<Zeroizing<[u8; KEY_LEN]>> {
    if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 || p > 16 {
        return None;
    }
    if 128u64.checked_mul(r as u64)?.checked_mul(n)? > SCRYPT_MAX_MEMORY {
        return None;
    }
    let params = scrypt::Params::new(n.trailing_zeros() as u8, r, p).ok()?;
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    scrypt::scrypt(password, salt, &params, key.as_mut()).ok()?;
    Some(key)
}

/// PBKDF2-HMAC-SHA256 to a 256-bit key (2FAS). Zero iterations count as one.
pub fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> Zeroizing<[u8; KEY_LEN]> {
    pbkdf2(ring::pbkdf2::PBKDF2_HMAC_SHA256, password, salt, iterations)
}

/// PBKDF2-HMAC-SHA1 to a 256-bit key (andOTP's newer encrypted format). Zero iterations count
/// as one.
pub fn pbkdf2_sha1(password: &[u8], salt: &[u8], iterations: u32) -> Zeroizing<[u8; KEY_LEN]> {
    pbkdf2(ring::pbkdf2::PBKDF2_HMAC_SHA1, password, salt, iterations)
}

/// PBKDF2-HMAC-SHA512 to a 256-bit key (FreeOTP 2's backup password). Zero iterations count
/// as one.
pub fn pbkdf2_sha512(password: &[u8], salt: &[u8], iterations: u32) -> Zeroizing<[u8; KEY_LEN]> {
    pbkdf2(ring::pbkdf2::PBKDF2_HMAC_SHA512, password, salt, iterations)
}

fn pbkdf2(
    algorithm: ring::pbkdf2::Algorithm,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Zeroizing<[u8; KEY_LEN]> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    // Zero iterations are refused by the callers; `max(1)` keeps ring's NonZero happy anyway.
    let iterations =
        std::num::NonZeroU32::new(iterations.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
    ring::pbkdf2::derive(algorithm, iterations, salt, password, key.as_mut());
    key
}

/// HKDF-SHA256 (RFC 5869) of a key that is already uniformly random: extract with `salt`,
/// expand with the single `label` into `out` (at most 255 × 32 bytes).
pub fn hkdf_sha256(
    key: &[u8],
    salt: &[u8],
    label: &[u8],
    out: &mut [u8],
) -> Result<(), CryptoError> {
    struct Len(usize);
    impl ring::hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }
    ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt)
        .extract(key)
        .expand(&[label], Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| CryptoError::KeyLength)
}

/// HKDF-SHA256's expand step alone (RFC 5869 §2.3) with `key` as the pseudorandom key: what
/// Bitwarden does to stretch a derived key into its encryption and MAC keys.
pub fn hkdf_expand_sha256(key: &[u8], label: &[u8], out: &mut [u8]) -> Result<(), CryptoError> {
    struct Len(usize);
    impl ring::hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }
    ring::hkdf::Prk::new_less_safe(ring::hkdf::HKDF_SHA256, key)
        .expand(&[label], Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| CryptoError::KeyLength)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        data_encoding::HEXLOWER.encode(bytes)
    }

    #[test]
    fn scrypt_matches_rfc7914_vector_and_refuses_huge_parameters() {
        // RFC 7914 §12, second vector: P="password", S="NaCl", N=1024, r=8, p=16 (first 32 bytes).
        let key = scrypt(b"password", b"NaCl", 1024, 8, 16).unwrap();
        assert_eq!(
            hex(&key[..]),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        );
        assert!(scrypt(b"pw", b"salt", 1 << 30, 8, 1).is_none());
        assert!(scrypt(b"pw", b"salt", 1000, 8, 1).is_none());
    }

    #[test]
    fn pbkdf2_sha256_matches_rfc7914_vector() {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1 (first 32 bytes).
        let key = pbkdf2_sha256(b"passwd", b"salt", 1);
        assert_eq!(
            hex(&key[..]),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }

    #[test]
    fn hkdf_matches_rfc5869_test_case_1() {
        // RFC 5869 A.1: IKM = 22 × 0x0b, salt = 00..0c, info = f0..f9, L = 42.
        let ikm = [0x0bu8; 22];
        let salt: Vec<u8> = (0u8..=0x0c).collect();
        let info: Vec<u8> = (0xf0u8..=0xf9).collect();
        let mut okm = [0u8; 42];
        hkdf_sha256(&ikm, &salt, &info, &mut okm).unwrap();
        assert_eq!(
            hex(&okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    #[test]
    fn argon2id_matches_rfc9106_shape_and_refuses_bad_costs() {
        let cost = Argon2Cost {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        };
        let a = argon2id(b"pw", b"saltsaltsaltsalt", cost).unwrap();
        let b = argon2id(b"pw", b"saltsaltsaltsalt", cost).unwrap();
        let c = argon2id(b"pw", b"saltsaltsaltsal2", cost).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let too_little = Argon2Cost {
            memory_kib: 4,
            ..cost
        };
        assert!(matches!(
            argon2id(b"pw", b"saltsaltsaltsalt", too_little),
            Err(CryptoError::InvalidKdfParams(_))
        ));
    }

    #[test]
    fn floor_follows_the_owasp_table() {
        let at = |memory_kib, iterations| Argon2Cost {
            memory_kib,
            iterations,
            parallelism: 1,
        };
        for (m, t) in ARGON2ID_FLOOR {
            assert!(at(m, t).meets_floor(), "OWASP row {m} KiB × {t}");
            assert!(!at(m - 1, t).meets_floor(), "just under row {m} KiB × {t}");
        }
        assert!(at(64 * 1024, 3).meets_floor(), "Tessera's default");
        assert!(!at(19_456, 1).meets_floor(), "19 MiB needs two passes");
        assert!(!at(256, 64).meets_floor(), "passes do not buy back memory");
    }
}
