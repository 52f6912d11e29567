//! X25519 key agreement (RFC 7748): the encrypted move to a new phone (`crate::handover`) and
//! the one-time key of each container sync (`crate::container`).
//!
//! The new phone's key must outlive the process that made it (the offer is shown by one run,
//! the transfer accepted by another), so secrets here can be turned into bytes and back;
//! ring's X25519 keys are ephemeral only, hence `x25519-dalek` with its static secrets. The
//! container sync uses this module too rather than ring's, so that the mobile library carries
//! one X25519, not two.

use std::fmt;

use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::{CryptoError, random};

/// Length of an X25519 public key, secret key and shared secret.
pub const KEY_LEN: usize = 32;

/// An X25519 secret key. Wiped on drop (x25519-dalek's `zeroize`), prints as `<redacted>`.
pub struct Secret(StaticSecret);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("x25519::Secret(<redacted>)")
    }
}

impl Secret {
    /// A fresh random secret from the operating system's random source.
    pub fn make() -> Result<Secret, CryptoError> {
        let bytes = Zeroizing::new(random::array::<KEY_LEN>()?);
        Ok(Secret(StaticSecret::from(*bytes)))
    }

    /// The secret stored as [`Secret::to_bytes`] gave it.
    pub fn from_bytes(bytes: &[u8; KEY_LEN]) -> Secret {
        Secret(StaticSecret::from(*bytes))
    }

    /// The secret's 32 bytes, to be stored sealed (wiped on drop).
    pub fn to_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public key that goes with this secret.
    pub fn public(&self) -> [u8; KEY_LEN] {
        PublicKey::from(&self.0).to_bytes()
    }

    /// The shared secret with `their_public`. `None` when their key is one of the few
    /// low-order points that make the result all zeros (RFC 7748 §6.1): such a "public key"
    /// would let its sender know the shared secret without any secret of its own.
    pub fn agree(&self, their_public: &[u8; KEY_LEN]) -> Option<Zeroizing<[u8; KEY_LEN]>> {
        let shared = self.0.diffie_hellman(&PublicKey::from(*their_public));
        if !shared.was_contributory() {
            return None;
        }
        Some(Zeroizing::new(shared.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(hex: &str) -> [u8; KEY_LEN] {
        data_encoding::HEXLOWER
            .decode(hex.as_bytes())
            .unwrap()
            .try_into()
            .unwrap()
    }

    #[test]
    fn matches_rfc7748_section_6_1() {
        // RFC 7748 §6.1: Alice's and Bob's keys and their shared secret.
        let alice = Secret::from_bytes(&bytes(
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
        ));
        let bob = Secret::from_bytes(&bytes(
            "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
        ));
        let alice_public =
            bytes("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        let bob_public = bytes("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        let shared = bytes("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assert_eq!(alice.public(), alice_public, "Alice's public key");
        assert_eq!(bob.public(), bob_public, "Bob's public key");
        assert_eq!(*alice.agree(&bob_public).unwrap(), shared, "Alice's side");
        assert_eq!(*bob.agree(&alice_public).unwrap(), shared, "Bob's side");
    }

    #[test]
    fn refuses_a_low_order_public_key() {
        let secret = Secret::make().unwrap();
        assert!(secret.agree(&[0u8; KEY_LEN]).is_none(), "the zero point");
        let mut one = [0u8; KEY_LEN];
        one[0] = 1;
        assert!(secret.agree(&one).is_none(), "the point of order 4");
    }

    #[test]
    fn round_trips_through_bytes_and_prints_nothing() {
        let secret = Secret::make().unwrap();
        let again = Secret::from_bytes(&secret.to_bytes());
        assert_eq!(secret.public(), again.public());
        assert_eq!(format!("{secret:?}"), "x25519::Secret(<redacted>)");
    }
}
