//! Hashing and keyed MACs: SHA-256 (file checksums, andOTP's legacy key) and HMAC-SHA256
//! under keys derived from the vault key.

use std::fmt;

use zeroize::Zeroizing;

use super::aead::KEY_LEN;

/// Length of a SHA-256 digest and of an HMAC-SHA256 tag.
pub const DIGEST_LEN: usize = 32;

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; DIGEST_LEN] {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; DIGEST_LEN];
    out.copy_from_slice(digest.as_ref());
    out
}

/// A SHA-2 hash function, for protocols that let the server choose (privacyIDEA containers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sha2 {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// The `hash` digest of `data`.
pub fn digest(hash: Sha2, data: &[u8]) -> Vec<u8> {
    let algorithm = match hash {
        Sha2::Sha256 => &ring::digest::SHA256,
        Sha2::Sha384 => &ring::digest::SHA384,
        Sha2::Sha512 => &ring::digest::SHA512,
    };
    ring::digest::digest(algorithm, data).as_ref().to_vec()
}

/// SHA-256 of `data` in a wiped buffer, for when the digest is itself a key (andOTP's old
/// format keys AES with the password's hash).
pub fn sha256_key(data: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    Zeroizing::new(sha256(data))
}

/// An incremental SHA-256, for data that arrives in pieces.
pub struct Sha256(ring::digest::Context);

impl Default for Sha256 {
    fn default() -> Self {
        Sha256(ring::digest::Context::new(&ring::digest::SHA256))
    }
}

impl Sha256 {
    /// Adds `data` to the hash.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The digest of everything added.
    pub fn finish(self) -> [u8; DIGEST_LEN] {
        let mut out = [0u8; DIGEST_LEN];
        out.copy_from_slice(self.0.finish().as_ref());
        out
    }
}

/// An HMAC-SHA256 key. Prints as `<redacted>`.
pub struct MacKey(ring::hmac::Key);

impl fmt::Debug for MacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MacKey(<redacted>)")
    }
}

impl MacKey {
    /// Prepares a key from raw bytes (any length; Tessera uses 32-byte derived keys).
    pub fn new(raw: &[u8]) -> MacKey {
        MacKey(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, raw))
    }

    /// Starts a MAC over data given in pieces.
    pub fn start(&self) -> Mac {
        Mac(ring::hmac::Context::with_key(&self.0))
    }
}

/// An HMAC being computed; see [`MacKey::start`].
pub struct Mac(ring::hmac::Context);

impl Mac {
    /// Adds `data` to the MAC.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The tag of everything added.
    pub fn finish(self) -> [u8; DIGEST_LEN] {
        let mut out = [0u8; DIGEST_LEN];
        out.copy_from_slice(self.0.sign().as_ref());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        data_encoding::HEXLOWER.encode(bytes)
    }

    #[test]
    fn sha256_matches_fips_180_abc() {
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(hex(&sha256(b"abc")), expected);
        let mut pieces = Sha256::default();
        pieces.update(b"a");
        pieces.update(b"bc");
        assert_eq!(hex(&pieces.finish()), expected);
    }

    #[test]
    fn sha384_and_sha512_match_fips_180_abc() {
        assert_eq!(digest(Sha2::Sha256, b"abc"), sha256(b"abc").to_vec());
        assert!(hex(&digest(Sha2::Sha384, b"abc")).starts_with("cb00753f45a35e8bb5a03d699ac65007"));
        assert!(hex(&digest(Sha2::Sha512, b"abc")).starts_with("ddaf35a193617abacc417349ae204131"));
    }

    #[test]
    fn hmac_matches_rfc4231_test_case_2() {
        let mut mac = MacKey::new(b"Jefe").start();
        mac.update(b"what do ya want ");
        mac.update(b"for nothing?");
        assert_eq!(
            hex(&mac.finish()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(format!("{:?}", MacKey::new(b"k")), "MacKey(<redacted>)");
    }
}
