//! Device keys: the phone's RSA key pair that signs polls and answers.
//!
//! The private key never leaves its holder. A platform keystore (Android Keystore, iOS
//! Keychain) implements [`DeviceKeys`]; Tessera's own holder is [`SoftwareKey`], generated with
//! the RustCrypto `rsa` crate (key generation only: its private-key operations carry the
//! RUSTSEC-2023-0071 timing advisory) and used for signing through ring.

use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
#[cfg(feature = "rsa-keygen")]
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
use zeroize::Zeroizing;

use super::PushError;

/// RSA modulus sizes Tessera generates: privacyIDEA accepts both; its own app uses 4096.
pub const KEY_BITS_ALLOWED: [u32; 2] = [2048, 4096];

/// A holder of device private keys, addressed by an alias chosen by Tessera.
///
/// Implemented by the platform keystores and by Tessera's vault-backed software holder.
/// Implementations must be usable from any thread.
pub trait DeviceKeys: Send + Sync {
    /// Creates a new RSA key pair (public exponent 65537, `bits` long) under `alias`,
    /// replacing nothing (an existing alias is an error), and returns the public key as
    /// SubjectPublicKeyInfo DER or PKCS#1 `RSAPublicKey` DER (either is enrolled as SPKI:
    /// [`super::protocol::device_public_key_spki`]).
    /// Holders that can report progress (the software one) do so through `progress`.
    fn generate(
        &self,
        alias: &str,
        bits: u32,
        progress: &dyn KeygenProgress,
    ) -> Result<Vec<u8>, PushError>;
    /// Signs `message` with RSASSA-PKCS1-v1_5 / SHA-256 using the key under `alias`.
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, PushError>;
    /// Deletes the key under `alias` (no error when it does not exist).
    fn delete(&self, alias: &str) -> Result<(), PushError>;
}

/// Where the software holder keeps its private keys: the vault, which seals them with the
/// vault key. Each method is one complete write or none.
pub trait KeyStorage: Send + Sync {
    /// Keeps the PKCS#8 DER under `alias`; [`PushError::KeyExists`] when the alias is taken.
    fn store_key(&self, alias: &str, pkcs8: &[u8]) -> Result<(), PushError>;
    /// The PKCS#8 DER under `alias`, if any.
    fn load_key(&self, alias: &str) -> Result<Option<Zeroizing<Vec<u8>>>, PushError>;
    /// Deletes the key under `alias` (no error when absent).
    fn delete_key(&self, alias: &str) -> Result<(), PushError>;
}

impl<T: KeyStorage + ?Sized> KeyStorage for &T {
    fn store_key(&self, alias: &str, pkcs8: &[u8]) -> Result<(), PushError> {
        (**self).store_key(alias, pkcs8)
    }
    fn load_key(&self, alias: &str) -> Result<Option<Zeroizing<Vec<u8>>>, PushError> {
        (**self).load_key(alias)
    }
    fn delete_key(&self, alias: &str) -> Result<(), PushError> {
        (**self).delete_key(alias)
    }
}

impl<T: KeyStorage + ?Sized> KeyStorage for std::sync::Arc<T> {
    fn store_key(&self, alias: &str, pkcs8: &[u8]) -> Result<(), PushError> {
        (**self).store_key(alias, pkcs8)
    }
    fn load_key(&self, alias: &str) -> Result<Option<Zeroizing<Vec<u8>>>, PushError> {
        (**self).load_key(alias)
    }
    fn delete_key(&self, alias: &str) -> Result<(), PushError> {
        (**self).delete_key(alias)
    }
}

/// Tessera's software device-key holder: RSA keys generated in Rust, kept by a
/// [`KeyStorage`] (the vault, encrypted), loaded for each signature and zeroized after.
pub struct SoftwareKeys<S> {
    storage: S,
}

impl<S: KeyStorage> SoftwareKeys<S> {
    /// A holder keeping its keys in `storage`.
    pub fn new(storage: S) -> Self {
        SoftwareKeys { storage }
    }
}

impl<S: KeyStorage> DeviceKeys for SoftwareKeys<S> {
    fn generate(
        &self,
        alias: &str,
        bits: u32,
        progress: &dyn KeygenProgress,
    ) -> Result<Vec<u8>, PushError> {
        if self.storage.load_key(alias)?.is_some() {
            return Err(PushError::KeyExists);
        }
        let key = SoftwareKey::generate(bits, progress)?;
        self.storage.store_key(alias, key.pkcs8())?;
        Ok(key.public_spki().to_vec())
    }

    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, PushError> {
        let pkcs8 = self
            .storage
            .load_key(alias)?
            .ok_or(PushError::KeyNotFound)?;
        SoftwareKey::from_pkcs8(pkcs8)?.sign(message)
    }

    fn delete(&self, alias: &str) -> Result<(), PushError> {
        self.storage.delete_key(alias)
    }
}

/// A step of software key generation, reported to a [`KeygenProgress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeygenStep {
    /// Generation of a `bits`-long key has started.
    Started {
        /// The modulus size.
        bits: u32,
    },
    /// Another random prime candidate is being searched (`attempt` counts from 1). The
    /// number of attempts is random, so this drives an indeterminate progress indicator.
    Searching {
        /// How many random starting points were drawn so far.
        attempt: u32,
    },
    /// The key exists; it is being encoded and checked.
    Finishing,
}

/// Receives the progress of a software key generation (which takes up to a few seconds for
/// RSA-4096: run it off the UI thread).
pub trait KeygenProgress {
    /// Called on the generating thread. Returning `false` cancels the generation.
    fn report(&self, step: KeygenStep) -> bool;
}

/// A [`KeygenProgress`] that ignores every step.
pub struct NoProgress;

impl KeygenProgress for NoProgress {
    fn report(&self, _step: KeygenStep) -> bool {
        true
    }
}

/// A software RSA key pair: PKCS#8 DER of the private key (zeroized on drop) and the SPKI DER
/// of its public key.
pub struct SoftwareKey {
    pkcs8: Zeroizing<Vec<u8>>,
    public_spki: Vec<u8>,
}

impl std::fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("private", &"<redacted>")
            .finish()
    }
}

/// What a build without the `rsa-keygen` feature (the mobile library) says when asked to
/// generate a software device key.
#[cfg(not(feature = "rsa-keygen"))]
pub const NO_SOFTWARE_KEYGEN: &str = "software RSA key generation is not part of this build: \
     enroll with a PushDeviceKeys (the platform keystore) instead";

// Wraps the OS random generator so that every random starting point drawn by the prime search
// is reported, and so that the listener can cancel (a failing RNG aborts the generation).
#[cfg(feature = "rsa-keygen")]
struct ReportingRng<'a> {
    progress: &'a dyn KeygenProgress,
    attempt: u32,
    cancelled: bool,
}

#[cfg(feature = "rsa-keygen")]
#[derive(Debug)]
struct Cancelled;

#[cfg(feature = "rsa-keygen")]
impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("key generation cancelled")
    }
}
#[cfg(feature = "rsa-keygen")]
impl std::error::Error for Cancelled {}

#[cfg(feature = "rsa-keygen")]
impl rand_core::TryRng for ReportingRng<'_> {
    type Error = Cancelled;

    fn try_next_u32(&mut self) -> Result<u32, Cancelled> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Cancelled> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Cancelled> {
        self.attempt = self.attempt.saturating_add(1);
        if !self.progress.report(KeygenStep::Searching {
            attempt: self.attempt,
        }) {
            self.cancelled = true;
            return Err(Cancelled);
        }
        // A failing random source ends the search like a cancellation would; `cancelled` stays
        // false, so the caller reports a key generation failure, not a cancellation.
        crate::crypto::random::fill(dst).map_err(|_| Cancelled)
    }
}

#[cfg(feature = "rsa-keygen")]
impl rand_core::TryCryptoRng for ReportingRng<'_> {}

impl SoftwareKey {
    /// Without the `rsa-keygen` feature: checks `bits`, then refuses with
    /// [`PushError::NotInThisBuild`], since device keys come from the platform keystore.
    #[cfg(not(feature = "rsa-keygen"))]
    pub fn generate(bits: u32, _progress: &dyn KeygenProgress) -> Result<Self, PushError> {
        if !KEY_BITS_ALLOWED.contains(&bits) {
            return Err(PushError::KeySize(bits));
        }
        Err(PushError::NotInThisBuild(NO_SOFTWARE_KEYGEN))
    }

    /// Generates a new RSA key pair (e = 65537) of `bits` (2048 or 4096), reporting progress.
    #[cfg(feature = "rsa-keygen")]
    pub fn generate(bits: u32, progress: &dyn KeygenProgress) -> Result<Self, PushError> {
        if !KEY_BITS_ALLOWED.contains(&bits) {
            return Err(PushError::KeySize(bits));
        }
        if !progress.report(KeygenStep::Started { bits }) {
            return Err(PushError::Cancelled);
        }
        let mut rng = ReportingRng {
            progress,
            attempt: 0,
            cancelled: false,
        };
        let key = match rsa::PrivateKey::new(&mut rng, bits as usize) {
            Ok(key) => key,
            Err(_) if rng.cancelled => return Err(PushError::Cancelled),
            Err(_) => return Err(PushError::KeyGeneration),
        };
        if !progress.report(KeygenStep::Finishing) {
            return Err(PushError::Cancelled);
        }
        let pkcs8 = key.to_pkcs8_der().map_err(|_| PushError::KeyGeneration)?;
        let public_spki = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|_| PushError::KeyGeneration)?
            .into_vec();
        Self::from_pkcs8(Zeroizing::new(pkcs8.as_bytes().to_vec())).and_then(|k| {
            // the SPKI the rsa crate encodes must describe the key ring loaded
            if k.public_spki == public_spki {
                Ok(k)
            } else {
                Err(PushError::KeyGeneration)
            }
        })
    }

    /// Loads a key from its PKCS#8 DER (as sealed in the vault).
    pub fn from_pkcs8(pkcs8: Zeroizing<Vec<u8>>) -> Result<Self, PushError> {
        let pair = RsaKeyPair::from_pkcs8(&pkcs8).map_err(|_| PushError::KeyUnreadable)?;
        // ring exports the public key as PKCS#1 RSAPublicKey; privacyIDEA needs SPKI.
        let public_spki = super::protocol::device_public_key_spki(
            ring::signature::KeyPair::public_key(&pair).as_ref(),
        )
        .map_err(|_| PushError::KeyUnreadable)?;
        Ok(SoftwareKey { pkcs8, public_spki })
    }

    /// The PKCS#8 DER of the private key, to be sealed by the vault. Handle with care.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public key as SubjectPublicKeyInfo DER: what privacyIDEA's enrollment expects
    /// (base64-encoded) in its `pubkey` field.
    pub fn public_spki(&self) -> &[u8] {
        &self.public_spki
    }

    /// Modulus length in bits.
    pub fn bits(&self) -> u32 {
        RsaKeyPair::from_pkcs8(&self.pkcs8)
            .map(|p| (p.public().modulus_len() * 8) as u32)
            .unwrap_or(0)
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 / SHA-256 (ring).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PushError> {
        let pair = RsaKeyPair::from_pkcs8(&self.pkcs8).map_err(|_| PushError::KeyUnreadable)?;
        let mut signature = vec![0u8; pair.public().modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            crate::crypto::random::ring_source(),
            message,
            &mut signature,
        )
        .map_err(|_| PushError::Signing)?;
        Ok(signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    struct Recorder(RefCell<Vec<KeygenStep>>, Option<u32>);
    impl KeygenProgress for Recorder {
        fn report(&self, step: KeygenStep) -> bool {
            self.0.borrow_mut().push(step);
            match (self.1, step) {
                (Some(stop), KeygenStep::Searching { attempt }) => attempt < stop,
                _ => true,
            }
        }
    }

    #[test]
    fn generated_key_signs_verifiably_with_its_spki() {
        let rec = Recorder(RefCell::new(vec![]), None);
        let key = SoftwareKey::generate(2048, &rec).unwrap();
        let steps = rec.0.borrow();
        assert_eq!(steps.first(), Some(&KeygenStep::Started { bits: 2048 }));
        assert!(
            steps
                .iter()
                .any(|s| matches!(s, KeygenStep::Searching { .. }))
        );
        assert_eq!(steps.last(), Some(&KeygenStep::Finishing));
        assert_eq!(key.bits(), 2048);

        // The SPKI must be the rsaEncryption SubjectPublicKeyInfo (the server stores anything
        // and fails every later call on PKCS#1 or PEM): parse it with the rsa crate's decoder.
        use rsa::pkcs8::DecodePublicKey;
        let public = rsa::PublicKey::from_public_key_der(key.public_spki()).unwrap();
        let message = b"SERIAL|2026-01-01T00:00:00.000000Z";
        let signature = key.sign(message).unwrap();
        use rsa::pkcs1::EncodeRsaPublicKey;
        let pkcs1 = public.to_pkcs1_der().unwrap();
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            pkcs1.as_bytes(),
        )
        .verify(message, &signature)
        .unwrap();
    }

    #[test]
    fn key_survives_a_pkcs8_round_trip() {
        let key = SoftwareKey::generate(2048, &NoProgress).unwrap();
        let again = SoftwareKey::from_pkcs8(Zeroizing::new(key.pkcs8().to_vec())).unwrap();
        assert_eq!(again.public_spki(), key.public_spki());
    }

    #[test]
    fn rejects_unsupported_key_sizes() {
        assert!(matches!(
            SoftwareKey::generate(1024, &NoProgress),
            Err(PushError::KeySize(1024))
        ));
    }

    #[test]
    fn listener_can_cancel_generation() {
        let rec = Recorder(RefCell::new(vec![]), Some(1));
        assert!(matches!(
            SoftwareKey::generate(2048, &rec),
            Err(PushError::Cancelled)
        ));
    }

    #[test]
    fn debug_output_hides_the_private_key() {
        let key = SoftwareKey::generate(2048, &NoProgress).unwrap();
        assert_eq!(
            format!("{key:?}"),
            "SoftwareKey { private: \"<redacted>\" }"
        );
    }

    #[test]
    fn garbage_pkcs8_is_a_clear_error() {
        let err = SoftwareKey::from_pkcs8(Zeroizing::new(vec![1, 2, 3])).unwrap_err();
        assert!(matches!(err, PushError::KeyUnreadable));
    }
}
