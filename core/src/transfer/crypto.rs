//! The cryptography the encrypted export formats share: AES-256-GCM, PBKDF2, scrypt and random
//! bytes. Every derived key and every plaintext lives in a zeroizing buffer.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// Length of an AES-256 key.
pub(crate) const KEY_LEN: usize = 32;
/// Length of an AES-GCM nonce (96 bits).
pub(crate) const NONCE_LEN: usize = 12;
/// Length of an AES-GCM tag.
pub(crate) const TAG_LEN: usize = 16;

/// Decrypts `ciphertext || tag` with AES-256-GCM. `None` when the key is wrong or the data was
/// changed (GCM cannot tell the two apart; callers that can, do so with their own check).
pub(crate) fn aes_gcm_open(
    key: &[u8],
    nonce: &[u8],
    ciphertext_and_tag: &[u8],
    aad: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).ok()?);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    if ciphertext_and_tag.len() < TAG_LEN {
        return None;
    }
    let mut buffer = Zeroizing::new(ciphertext_and_tag.to_vec());
    let plain_len = key
        .open_in_place(nonce, Aad::from(aad), &mut buffer)
        .ok()?
        .len();
    buffer.truncate(plain_len);
    Some(buffer)
}

/// Encrypts with AES-256-GCM and returns `ciphertext || tag`.
pub(crate) fn aes_gcm_seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
    aad: &[u8],
) -> Vec<u8> {
    let key = LessSafeKey::new(
        UnboundKey::new(&AES_256_GCM, key).expect("a 32-byte key is a valid AES-256 key"),
    );
    let mut buffer = plaintext.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(*nonce),
        Aad::from(aad),
        &mut buffer,
    )
    .expect("AES-GCM sealing only fails past 64 GiB of plaintext");
    buffer
}

/// PBKDF2-HMAC-SHA256 to a 256-bit key (2FAS).
pub(crate) fn pbkdf2_sha256(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Zeroizing<[u8; KEY_LEN]> {
    pbkdf2(ring::pbkdf2::PBKDF2_HMAC_SHA256, password, salt, iterations)
}

/// PBKDF2-HMAC-SHA1 to a 256-bit key (andOTP's newer encrypted format).
pub(crate) fn pbkdf2_sha1(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Zeroizing<[u8; KEY_LEN]> {
    pbkdf2(ring::pbkdf2::PBKDF2_HMAC_SHA1, password, salt, iterations)
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

/// SHA-256 of `data` (andOTP's old format uses the password's hash as the key).
pub(crate) fn sha256(data: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    out.copy_from_slice(digest.as_ref());
    out
}

/// The largest scrypt memory (128·r·N bytes) an import will spend on one key slot. Aegis uses
/// 32 MiB; a file asking for more than this is treated as damaged rather than exhausting memory.
pub(crate) const SCRYPT_MAX_MEMORY: u64 = 256 * 1024 * 1024;

/// scrypt to a 256-bit key; `None` for parameters outside what a real export uses
/// (N not a power of two, or more memory or work than [`SCRYPT_MAX_MEMORY`] allows).
pub(crate) fn scrypt(
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

/// `N` cryptographically random bytes.
pub(crate) fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // The OS random source failing is not something an export can recover from.
    SystemRandom::new()
        .fill(&mut out)
        .expect("the operating system's random source is available");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_round_trips_and_rejects_a_changed_byte() {
        let key = [7u8; KEY_LEN];
        let nonce = [1u8; NONCE_LEN];
        let mut sealed = aes_gcm_seal(&key, &nonce, b"hello", b"aad");
        assert_eq!(
            aes_gcm_open(&key, &nonce, &sealed, b"aad")
                .as_deref()
                .map(Vec::as_slice),
            Some(&b"hello"[..])
        );
        sealed[0] ^= 1;
        assert!(aes_gcm_open(&key, &nonce, &sealed, b"aad").is_none());
        assert!(aes_gcm_open(&key, &nonce, &sealed[..3], b"aad").is_none());
    }

    #[test]
    fn scrypt_matches_rfc7914_vector_and_refuses_huge_parameters() {
        // RFC 7914 §12, second vector: P="password", S="NaCl", N=1024, r=8, p=16 (first 32 bytes).
        let key = scrypt(b"password", b"NaCl", 1024, 8, 16).unwrap();
        assert_eq!(
            data_encoding::HEXLOWER.encode(&key[..]),
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
            data_encoding::HEXLOWER.encode(&key[..]),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }
}
