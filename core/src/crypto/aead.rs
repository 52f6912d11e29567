//! AES-256-GCM, the one AEAD of the vault, the backup file and the export formats that use it
//! (Aegis, 2FAS, andOTP, Bitwarden, Proton).

use std::fmt;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

use super::{CryptoError, random};

/// Length of an AES-256 key.
pub const KEY_LEN: usize = 32;
/// Length of an AES-GCM nonce (96 bits).
pub const NONCE_LEN: usize = 12;
/// Length of an AES-GCM tag.
pub const TAG_LEN: usize = 16;

/// A prepared AES-256-GCM key. Prints as `<redacted>`. The caller's raw key bytes are its own
/// to wipe (they come from [`random::make_key`] or a KDF, both `Zeroizing`); ring's expanded
/// key schedule inside this value cannot be wiped from outside ring.
pub struct AeadKey(LessSafeKey);

impl fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AeadKey(<redacted>)")
    }
}

impl AeadKey {
    /// Prepares a key; [`CryptoError::KeyLength`] unless `raw` is [`KEY_LEN`] bytes.
    pub fn new(raw: &[u8]) -> Result<AeadKey, CryptoError> {
        UnboundKey::new(&AES_256_GCM, raw)
            .map(|k| AeadKey(LessSafeKey::new(k)))
            .map_err(|_| CryptoError::KeyLength)
    }

    /// Encrypts `plaintext` under `nonce` and returns `ciphertext ‖ tag`. The caller guarantees
    /// the nonce is never reused with this key (a random one, or a fresh key per message).
    pub fn seal(
        &self,
        nonce: &[u8; NONCE_LEN],
        plaintext: &[u8],
        aad: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        // Sized once so it never reallocates, and wiped if sealing fails while it holds the
        // plaintext; on success it holds only ciphertext.
        let mut out = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
        out.extend_from_slice(plaintext);
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                &mut *out,
            )
            .map_err(|_| CryptoError::TooLong)?;
        Ok(std::mem::take(&mut *out))
    }

    /// Decrypts `ciphertext ‖ tag`. `None` when the key, the nonce, the AAD or a byte is wrong
    /// (GCM cannot tell these apart; callers that can, do so with their own check).
    pub fn open(
        &self,
        nonce: &[u8],
        ciphertext_and_tag: &[u8],
        aad: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        if ciphertext_and_tag.len() < TAG_LEN {
            return None;
        }
        let mut buffer = Zeroizing::new(ciphertext_and_tag.to_vec());
        let plain_len = self
            .0
            .open_in_place(nonce, Aad::from(aad), &mut buffer[..])
            .ok()?
            .len();
        buffer.truncate(plain_len);
        Some(buffer)
    }

    /// `nonce ‖ ciphertext ‖ tag` of `plaintext` under a fresh random nonce (the vault's field
    /// format). 2^32 messages per key keep the random-nonce collision risk below 2^-32 (NIST
    /// SP 800-38D §8.3); a vault seals far fewer.
    pub fn seal_with_random_nonce(
        &self,
        plaintext: &[u8],
        aad: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let nonce = random::array::<NONCE_LEN>()?;
        let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&self.seal(&nonce, plaintext, aad)?);
        Ok(out)
    }

    /// Opens what [`AeadKey::seal_with_random_nonce`] produced; `None` if anything is wrong.
    pub fn open_nonce_prefixed(&self, sealed: &[u8], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.open(nonce, body, aad)
    }
}

/// One-shot [`AeadKey::open`] for formats that use a key once (export files): `None` also for a
/// key of the wrong length.
pub fn open(
    key: &[u8],
    nonce: &[u8],
    ciphertext_and_tag: &[u8],
    aad: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    AeadKey::new(key).ok()?.open(nonce, ciphertext_and_tag, aad)
}

/// One-shot [`AeadKey::seal`]: `ciphertext ‖ tag`.
pub fn seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    AeadKey::new(key)?.seal(nonce, plaintext, aad)
}

/// AES-256-GCM with a **16-byte** IV and a detached tag: what privacyIDEA 3.14 uses to seal a
/// container synchronization answer. ring takes 12-byte nonces only, so this one mode goes
/// through RustCrypto's `aes-gcm` (GCM derives the counter block from a non-96-bit IV with
/// GHASH, NIST SP 800-38D §7.1). `None` when anything is wrong.
pub fn open_iv16(
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
    aad: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    use aes_gcm::aead::consts::U16;
    use aes_gcm::aead::{AeadInOut, KeyInit};
    let cipher = aes_gcm::AesGcm::<aes_gcm::aes::Aes256, U16>::new_from_slice(key).ok()?;
    let iv = aes_gcm::Nonce::<U16>::try_from(iv).ok()?;
    let tag = aes_gcm::Tag::try_from(tag).ok()?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_inout_detached(&iv, aad, buffer.as_mut_slice().into(), &tag)
        .ok()?;
    Some(buffer)
}

/// The sealing side of [`open_iv16`]: `(ciphertext, tag)` (what the server does; Tessera
/// itself only opens).
pub fn seal_iv16(
    key: &[u8],
    iv: &[u8; 16],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<(Vec<u8>, [u8; TAG_LEN]), CryptoError> {
    use aes_gcm::aead::consts::U16;
    use aes_gcm::aead::{AeadInOut, KeyInit};
    let cipher = aes_gcm::AesGcm::<aes_gcm::aes::Aes256, U16>::new_from_slice(key)
        .map_err(|_| CryptoError::KeyLength)?;
    let iv = aes_gcm::Nonce::<U16>::from(*iv);
    let mut buffer = plaintext.to_vec();
    let tag = cipher
        .encrypt_inout_detached(&iv, aad, buffer.as_mut_slice().into())
        .map_err(|_| CryptoError::TooLong)?;
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(tag.as_slice());
    Ok((buffer, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_round_trips_and_rejects_a_changed_byte() {
        let key = AeadKey::new(&[7u8; KEY_LEN]).unwrap();
        let nonce = [1u8; NONCE_LEN];
        let mut sealed = key.seal(&nonce, b"hello", b"aad").unwrap();
        assert_eq!(
            key.open(&nonce, &sealed, b"aad")
                .as_deref()
                .map(Vec::as_slice),
            Some(&b"hello"[..])
        );
        assert!(key.open(&nonce, &sealed, b"other aad").is_none(), "AAD");
        sealed[0] ^= 1;
        assert!(key.open(&nonce, &sealed, b"aad").is_none(), "changed byte");
        assert!(
            key.open(&nonce, &sealed[..3], b"aad").is_none(),
            "truncated"
        );
        assert!(
            key.open(&nonce[..11], &sealed, b"aad").is_none(),
            "short nonce"
        );
    }

    #[test]
    fn matches_nist_gcm_test_case_14() {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 14: 256-bit zero
        // key, zero IV, one zero block.
        let key = AeadKey::new(&[0u8; KEY_LEN]).unwrap();
        let sealed = key.seal(&[0u8; NONCE_LEN], &[0u8; 16], b"").unwrap();
        assert_eq!(
            data_encoding::HEXLOWER.encode(&sealed),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"
        );
    }

    #[test]
    fn sixteen_byte_iv_mode_round_trips_and_rejects_changes() {
        let key = [5u8; KEY_LEN];
        let iv = [7u8; 16];
        let (ct, tag) = seal_iv16(&key, &iv, b"container data", b"").unwrap();
        assert_eq!(
            open_iv16(&key, &iv, &ct, &tag, b"")
                .as_deref()
                .map(Vec::as_slice),
            Some(&b"container data"[..])
        );
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert!(
            open_iv16(&key, &iv, &bad, &tag, b"").is_none(),
            "changed byte"
        );
        assert!(
            open_iv16(&key, &iv[..12], &ct, &tag, b"").is_none(),
            "12-byte IV"
        );
        assert!(
            open_iv16(&key[..16], &iv, &ct, &tag, b"").is_none(),
            "short key"
        );
        // A 16-byte IV is not a 12-byte nonce padded: the two modes differ.
        let twelve = AeadKey::new(&key)
            .unwrap()
            .seal(&[7u8; 12], b"container data", b"")
            .unwrap();
        assert_ne!(&twelve[..ct.len()], ct.as_slice());
    }

    #[test]
    fn wrong_key_length_is_an_error_not_a_panic() {
        assert_eq!(AeadKey::new(&[0u8; 16]).err(), Some(CryptoError::KeyLength));
        assert_eq!(
            format!("{:?}", AeadKey::new(&[9u8; 32]).unwrap()),
            "AeadKey(<redacted>)"
        );
    }

    #[test]
    fn random_nonce_form_round_trips_with_fresh_nonces() {
        let key = AeadKey::new(&[3u8; KEY_LEN]).unwrap();
        let a = key.seal_with_random_nonce(b"same", b"x").unwrap();
        let b = key.seal_with_random_nonce(b"same", b"x").unwrap();
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
        assert_eq!(&key.open_nonce_prefixed(&a, b"x").unwrap()[..], b"same");
        assert!(
            key.open_nonce_prefixed(&a[..NONCE_LEN + TAG_LEN - 1], b"x")
                .is_none()
        );
    }
}
