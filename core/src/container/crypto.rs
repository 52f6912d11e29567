//! The encryption of a synchronization answer: the phone sends a fresh X25519 public key
//! (raw 32 bytes, base64) with each sync; the server answers with its own X25519 key and the
//! container data sealed with AES-256-GCM under the raw shared secret (no KDF: 3.14's
//! `lib/crypto.py` has an HKDF helper that this path does not call), a **16-byte** IV, a
//! 16-byte tag and no associated data. ring's AES-GCM only takes 12-byte nonces, so the
//! RustCrypto `aes-gcm` crate opens it. X25519 is core's one implementation
//! (`crate::crypto::x25519`, the move to a new phone's too): a second one, ring's, cost the
//! mobile library ~30 KB (its base-point table) for the same RFC 7748 function.

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::crypto::x25519;

use super::ContainerError;

/// Base64 as privacyIDEA writes it: url-safe or standard, padded or not.
pub(crate) fn decode_b64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let normal: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    LENIENT.decode(normal.as_bytes()).ok()
}

/// The phone's X25519 key of one synchronization: made fresh, used once, never stored (the
/// secret is wiped when the key is dropped, opened or not).
pub struct SyncKey {
    private: x25519::Secret,
    public_b64: String,
}

impl std::fmt::Debug for SyncKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncKey")
            .field("public", &self.public_b64)
            .finish_non_exhaustive()
    }
}

/// The sealed container data of a sync answer, each part base64 as received.
#[derive(Debug, Clone)]
pub struct SealedAnswer {
    /// The server's X25519 public key (raw 32 bytes).
    pub server_key: String,
    /// The 16-byte IV.
    pub iv: String,
    /// The 16-byte GCM tag.
    pub tag: String,
    /// The ciphertext.
    pub ciphertext: String,
}

impl SyncKey {
    /// A fresh key pair.
    pub fn new() -> Result<SyncKey, ContainerError> {
        let private = x25519::Secret::make().map_err(|_| ContainerError::Random)?;
        Ok(SyncKey {
            public_b64: base64::engine::general_purpose::STANDARD.encode(private.public()),
            private,
        })
    }

    /// The public key as sent (`public_enc_key_client`): base64 of the raw 32 bytes. It is
    /// part of the signed string, so it is sent exactly like this.
    pub fn public_base64(&self) -> &str {
        &self.public_b64
    }

    /// Opens the answer sealed to this key (consumes the key: one answer per sync).
    pub fn open(self, answer: &SealedAnswer) -> Result<Zeroizing<Vec<u8>>, ContainerError> {
        let bad = |what: &str| ContainerError::Malformed(format!("sync answer: {what}"));
        let server: [u8; x25519::KEY_LEN] = decode_b64(&answer.server_key)
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| bad("public_server_key is not a 32-byte X25519 key"))?;
        let iv = decode_b64(&answer.iv)
            .filter(|iv| iv.len() == 16)
            .ok_or_else(|| bad("init_vector is not 16 bytes"))?;
        let tag = decode_b64(&answer.tag)
            .filter(|t| t.len() == 16)
            .ok_or_else(|| bad("tag is not 16 bytes"))?;
        let ciphertext =
            decode_b64(&answer.ciphertext).ok_or_else(|| bad("the data is not base64"))?;
        // A low-order server key (an all-zero shared secret) is refused as ring refused it.
        let key = self
            .private
            .agree(&server)
            .ok_or(ContainerError::Decryption)?;
        crate::crypto::aead::open_iv16(&key[..], &iv, &ciphertext, &tag, b"")
            .ok_or(ContainerError::Decryption)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey, X25519};

    /// What the server does (privacyIDEA's `encrypt_dict`), for tests: seal `plain` to the
    /// phone's public key with a fresh server key and a 16-byte IV. The server side is ring's
    /// X25519, an implementation independent of the phone's (x25519-dalek).
    pub(crate) fn seal_like_the_server(phone_public_b64: &str, plain: &[u8]) -> SealedAnswer {
        let server =
            EphemeralPrivateKey::generate(&X25519, crate::crypto::random::ring_source()).unwrap();
        let server_pub = server.compute_public_key().unwrap();
        let phone = decode_b64(phone_public_b64).unwrap();
        let key =
            agreement::agree_ephemeral(server, &UnparsedPublicKey::new(&X25519, &phone), |s| {
                s.to_vec()
            })
            .unwrap();
        let iv = [7u8; 16];
        let (buffer, tag) = crate::crypto::aead::seal_iv16(&key, &iv, plain, b"").unwrap();
        let url = base64::engine::general_purpose::URL_SAFE;
        SealedAnswer {
            server_key: url.encode(server_pub.as_ref()),
            iv: url.encode(iv),
            tag: url.encode(tag),
            ciphertext: url.encode(&buffer),
        }
    }

    #[test]
    fn opens_what_was_sealed_to_its_key_and_nothing_else() {
        let key = SyncKey::new().unwrap();
        let sealed = seal_like_the_server(key.public_base64(), b"{\"tokens\":{}}");
        assert_eq!(&key.open(&sealed).unwrap()[..], b"{\"tokens\":{}}");

        let other = SyncKey::new().unwrap();
        let sealed = seal_like_the_server(SyncKey::new().unwrap().public_base64(), b"x");
        assert!(matches!(
            other.open(&sealed),
            Err(ContainerError::Decryption)
        ));

        let key = SyncKey::new().unwrap();
        let mut sealed = seal_like_the_server(key.public_base64(), b"{\"a\":1}");
        sealed.ciphertext = base64::engine::general_purpose::URL_SAFE.encode(b"{\"a\":2}");
        assert!(matches!(key.open(&sealed), Err(ContainerError::Decryption)));
    }

    #[test]
    fn a_low_order_server_key_is_refused() {
        // The zero point makes every shared secret all zeros, known to anyone: refused before
        // anything is decrypted, as ring's X25519 refused it.
        let key = SyncKey::new().unwrap();
        let mut sealed = seal_like_the_server(key.public_base64(), b"x");
        sealed.server_key = base64::engine::general_purpose::STANDARD.encode([0u8; 32]);
        assert!(matches!(key.open(&sealed), Err(ContainerError::Decryption)));
    }

    #[test]
    fn a_twelve_byte_iv_is_reported_not_guessed() {
        let key = SyncKey::new().unwrap();
        let mut sealed = seal_like_the_server(key.public_base64(), b"x");
        sealed.iv = base64::engine::general_purpose::URL_SAFE.encode([0u8; 12]);
        assert_eq!(
            key.open(&sealed).unwrap_err().to_string(),
            "malformed server data: sync answer: init_vector is not 16 bytes"
        );
    }

    #[test]
    fn reads_both_base64_alphabets_with_or_without_padding() {
        assert_eq!(decode_b64("-_8="), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_b64("+/8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_b64("%%"), None);
    }
}
