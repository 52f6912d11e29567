//! Secret key material: held in zeroizing buffers, never printed.

use std::fmt;

use base32ct::Encoding as _;
use zeroize::{Zeroize, Zeroizing};

/// Why a textual secret was refused. Carries positions and counts, never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The secret was empty (after removing spaces and padding).
    #[error("the secret is empty")]
    Empty,
    /// A character outside the base32 alphabet (A–Z, 2–7) was found.
    #[error("the secret is not base32: character {position} is not in A–Z or 2–7")]
    NotBase32 {
        /// 1-based position of the first offending character in the given text.
        position: usize,
    },
    /// The base32 text has a length no encoder produces (1, 3 or 6 characters past a block).
    #[error("the secret has an impossible base32 length ({len} characters)")]
    BadLength {
        /// Number of base32 characters after clean-up.
        len: usize,
    },
}

/// The shared secret of an OTP account (the HMAC key), as raw bytes.
///
/// The buffer is wiped when the value is dropped; `Debug` prints only the length; `==` is
/// constant-time ([`Secret::ct_eq`]).
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Wraps raw key bytes (e.g. from a Google Authenticator transfer, which stores bytes).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Secret(Zeroizing::new(bytes))
    }

    /// Parses base32 the way real services hand it out: case-insensitive, with spaces,
    /// hyphens or padding, or none. Any other character is an error that names its position.
    pub fn from_base32(text: &str) -> Result<Self, SecretError> {
        let mut clean = Zeroizing::new(String::with_capacity(text.len()));
        let mut seen_padding = false;
        for (i, ch) in text.chars().enumerate() {
            match ch {
                // Services print secrets in groups of four; some users paste them that way.
                ' ' | '\t' | '-' | '\u{a0}' => continue,
                '=' => seen_padding = true,
                'a'..='z' | 'A'..='Z' | '2'..='7' if !seen_padding => {
                    clean.push(ch.to_ascii_uppercase())
                }
                _ => return Err(SecretError::NotBase32 { position: i + 1 }),
            }
        }
        if clean.is_empty() {
            return Err(SecretError::Empty);
        }
        // A trailing group of 1, 3 or 6 characters cannot come out of any base32 encoder.
        if matches!(clean.len() % 8, 1 | 3 | 6) {
            return Err(SecretError::BadLength { len: clean.len() });
        }
        // Trailing bits that are not zero are accepted, the way Google Authenticator does:
        // base32ct's decoder ignores them. It decodes straight into the buffer it returns
        // (constant-time, no copy left behind).
        let decoded = base32ct::Base32UpperUnpadded::decode_vec(&clean)
            .map_err(|_| SecretError::BadLength { len: clean.len() })?;
        Ok(Secret(Zeroizing::new(decoded)))
    }

    /// The canonical text form: uppercase base32 without padding.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(base32ct::Base32UpperUnpadded::encode_string(&self.0))
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Number of key bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the key has no bytes (never true for a parsed secret).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compares two secrets in time independent of where they differ.
    pub fn ct_eq(&self, other: &Secret) -> bool {
        crate::crypto::ct_eq(&self.0, &other.0)
    }
}

// `==` on secrets is the constant-time comparison: a derived one would stop at the first
// differing byte, and every `Account == Account` would leak where two keys differ.
impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.ct_eq(other)
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes redacted>)", self.0.len())
    }
}

impl Zeroize for Secret {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lowercase_spaced_and_padded_base32() {
        let canonical = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        for variant in [
            "jbswy3dpehpk3pxp",
            "JBSW Y3DP EHPK 3PXP",
            "jbsw-y3dp-ehpk-3pxp",
        ] {
            assert_eq!(
                Secret::from_base32(variant).unwrap(),
                canonical,
                "{variant}"
            );
        }
        let padded = Secret::from_base32("GEZDGNBV").unwrap();
        assert_eq!(Secret::from_base32("GEZDGNBVGY======").unwrap().len(), 6);
        assert_eq!(padded.len(), 5);
    }

    #[test]
    fn rejects_non_base32_with_position() {
        assert_eq!(
            Secret::from_base32("QWERT!£$%^)*(YUIOP"),
            Err(SecretError::NotBase32 { position: 6 })
        );
        assert_eq!(
            Secret::from_base32("ABC1"),
            Err(SecretError::NotBase32 { position: 4 })
        );
        assert_eq!(Secret::from_base32("  =="), Err(SecretError::Empty));
        assert_eq!(
            Secret::from_base32("A"),
            Err(SecretError::BadLength { len: 1 })
        );
    }

    #[test]
    fn debug_never_prints_key_material() {
        let s = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("JBSW") && !shown.contains("72"), "{shown}");
    }
}
