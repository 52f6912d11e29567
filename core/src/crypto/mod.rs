//! The one module that owns Tessera's cryptography: authenticated encryption ([`aead`]),
//! AES-CBC decryption for legacy formats ([`cbc`]),
//! key derivation ([`kdf`]), randomness ([`random`]), constant-time comparison ([`ct_eq`]),
//! hashing and keyed MACs ([`mac`]), libsodium's XChaCha20-Poly1305 stream construction
//! ([`secretstream`]) and X25519 key agreement ([`x25519`]).
//!
//! Rules every function here follows, so callers need not think about them:
//! - **One failure policy.** Anything that can fail — the operating system's random source,
//!   a KDF that cannot get its memory, parameters a primitive refuses — returns a
//!   [`CryptoError`]; nothing here panics. A phone app gets an exception, not a crash.
//! - **Keys are wiped and never printed.** Derived keys come back in [`zeroize::Zeroizing`]
//!   buffers; key types implement `Debug` as `<redacted>`. (ring keeps the expanded AES key
//!   schedule inside its own type, which cannot be wiped from outside; the raw key bytes that
//!   Tessera holds are.)
//! - **Nothing else in `core` calls the primitives** (ring's AEAD/HKDF/HMAC/digest/random,
//!   argon2, scrypt, getrandom, chacha20, poly1305, x25519-dalek). RSA signing for push stays
//!   in `push` and HMAC-based OTP stays in `otp`: those are protocol algorithms, not building
//!   blocks.

pub mod aead;
pub mod cbc;
pub mod kdf;
pub mod mac;
pub mod random;
pub mod secretstream;
pub mod x25519;

/// Why a cryptographic operation could not run. Never carries key material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The operating system's random source failed: nothing random can be made right now.
    #[error("the system random number generator failed")]
    Random,
    /// Key derivation parameters the primitive refuses (e.g. memory below 8 KiB per lane).
    #[error("invalid key derivation parameters: {0}")]
    InvalidKdfParams(String),
    /// The key derivation could not allocate the memory its parameters ask for.
    #[error("key derivation needs {mib} MiB of memory, more than is available")]
    OutOfMemory {
        /// Memory the parameters ask for, in MiB.
        mib: u64,
    },
    /// A key of the wrong length was given (a programming error, reported rather than panicking).
    #[error("a key has the wrong length")]
    KeyLength,
    /// The message is too long for the cipher (AES-GCM: 64 GiB).
    #[error("the message is too long to encrypt")]
    TooLong,
}

/// Compares two byte strings in time that does not depend on where they differ (their lengths
/// are not secret). The one constant-time comparison of the project: secrets, MACs, verifiers.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_eq_compares_contents_and_lengths() {
        assert!(ct_eq(b"", b""));
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"), "last byte differs");
        assert!(!ct_eq(b"abc", b"xbc"), "first byte differs");
        assert!(!ct_eq(b"abc", b"abcd"), "prefix is not equal");
    }
}
