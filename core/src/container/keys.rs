//! The container's registration key: an ECDSA key pair whose public half the server keeps
//! and whose signatures authorize every later sync, rollover and unregistration.
//!
//! The private key never leaves its holder. A platform keystore implements
//! [`ContainerKeys`] (iOS Secure Enclave and Android StrongBox: P-256 only, which a 3.14
//! server accepts whatever the QR asks, see the module documentation of
//! [`crate::container`]). Tessera's own holder is [`SoftwareContainerKeys`]: RustCrypto
//! `p256`/`p384` keys (ring cannot sign P-384 with SHA-256, the QR's default), kept as
//! PKCS#8 sealed with the vault key, loaded for each signature and zeroized after.

use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use zeroize::Zeroizing;

use super::ContainerError;

/// The elliptic curve of a registration key (`key_algorithm` in the QR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Curve {
    /// NIST P-256 (`secp256r1`): the curve of the iOS Secure Enclave and Android StrongBox.
    P256,
    /// NIST P-384 (`secp384r1`): what a 3.14 server's QR asks for by default.
    P384,
}

impl Curve {
    /// Reads the QR's name (`secp384r1`, `secp256r1`, `prime256v1`, `P-256`, …).
    pub fn from_name(name: &str) -> Option<Curve> {
        match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "secp256r1" | "prime256v1" | "p256" => Some(Curve::P256),
            "secp384r1" | "p384" => Some(Curve::P384),
            _ => None,
        }
    }

    /// The server's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Curve::P256 => "secp256r1",
            Curve::P384 => "secp384r1",
        }
    }
}

/// The hash the server verifies signatures with (`hash_algorithm` in the QR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum HashAlgorithm {
    /// SHA-256 (the 3.14 default).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Reads `SHA256`, `sha-384`, ….
    pub fn from_name(name: &str) -> Option<HashAlgorithm> {
        match name.to_ascii_uppercase().replace(['-', '_'], "").as_str() {
            "SHA256" => Some(HashAlgorithm::Sha256),
            "SHA384" => Some(HashAlgorithm::Sha384),
            "SHA512" => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }

    /// The server's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "SHA256",
            HashAlgorithm::Sha384 => "SHA384",
            HashAlgorithm::Sha512 => "SHA512",
        }
    }

    /// The digest of `message`.
    pub fn digest(self, message: &[u8]) -> Vec<u8> {
        use crate::crypto::mac::{Sha2, digest};
        let hash = match self {
            HashAlgorithm::Sha256 => Sha2::Sha256,
            HashAlgorithm::Sha384 => Sha2::Sha384,
            HashAlgorithm::Sha512 => Sha2::Sha512,
        };
        digest(hash, message)
    }
}

/// A holder of container registration keys, addressed by an alias chosen by Tessera.
/// Implemented by platform keystores and by [`SoftwareContainerKeys`]. Must be usable from
/// any thread.
pub trait ContainerKeys: Send + Sync {
    /// Creates a key pair under `alias` (an existing alias is an error) and returns its
    /// public key as SubjectPublicKeyInfo DER. `wanted` is the QR's curve; a holder that only
    /// has P-256 (Secure Enclave, StrongBox) may use P-256 instead — the SPKI says which.
    fn generate(&self, alias: &str, wanted: Curve) -> Result<Vec<u8>, ContainerError>;
    /// Signs the UTF-8 `message` with ECDSA over `hash` and returns the ASN.1 DER signature
    /// (the server refuses raw `r‖s`).
    fn sign(
        &self,
        alias: &str,
        message: &[u8],
        hash: HashAlgorithm,
    ) -> Result<Vec<u8>, ContainerError>;
    /// Deletes the key under `alias` (no error when it does not exist).
    fn delete(&self, alias: &str) -> Result<(), ContainerError>;
}

/// Where [`SoftwareContainerKeys`] keeps its private keys: the vault, which seals them.
pub trait ContainerKeyStorage: Send + Sync {
    /// Keeps PKCS#8 DER under `alias`, replacing nothing ([`ContainerError::Key`] if taken).
    fn store_container_key(&self, alias: &str, pkcs8: &[u8]) -> Result<(), ContainerError>;
    /// The PKCS#8 DER under `alias`, if any.
    fn load_container_key(&self, alias: &str)
    -> Result<Option<Zeroizing<Vec<u8>>>, ContainerError>;
    /// Deletes the key under `alias` (no error when absent).
    fn delete_container_key(&self, alias: &str) -> Result<(), ContainerError>;
}

impl<T: ContainerKeyStorage + ?Sized> ContainerKeyStorage for &T {
    fn store_container_key(&self, alias: &str, pkcs8: &[u8]) -> Result<(), ContainerError> {
        (**self).store_container_key(alias, pkcs8)
    }
    fn load_container_key(
        &self,
        alias: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, ContainerError> {
        (**self).load_container_key(alias)
    }
    fn delete_container_key(&self, alias: &str) -> Result<(), ContainerError> {
        (**self).delete_container_key(alias)
    }
}

impl<T: ContainerKeyStorage + ?Sized> ContainerKeyStorage for std::sync::Arc<T> {
    fn store_container_key(&self, alias: &str, pkcs8: &[u8]) -> Result<(), ContainerError> {
        (**self).store_container_key(alias, pkcs8)
    }
    fn load_container_key(
        &self,
        alias: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, ContainerError> {
        (**self).load_container_key(alias)
    }
    fn delete_container_key(&self, alias: &str) -> Result<(), ContainerError> {
        (**self).delete_container_key(alias)
    }
}

/// Tessera's software holder of registration keys, over a [`ContainerKeyStorage`].
pub struct SoftwareContainerKeys<S> {
    storage: S,
}

impl<S: ContainerKeyStorage> SoftwareContainerKeys<S> {
    /// A holder keeping its keys in `storage`.
    pub fn new(storage: S) -> Self {
        SoftwareContainerKeys { storage }
    }
}

fn key_error(what: &str) -> ContainerError {
    ContainerError::Key(what.into())
}

/// Signs the `hash` digest with a PKCS#8 key of either curve (the curve is in the PKCS#8).
pub(crate) fn sign_pkcs8(
    pkcs8: &[u8],
    message: &[u8],
    hash: HashAlgorithm,
) -> Result<Vec<u8>, ContainerError> {
    use p256::ecdsa::signature::hazmat::PrehashSigner;
    let digest = Zeroizing::new(hash.digest(message));
    if let Ok(key) = p384::ecdsa::SigningKey::from_pkcs8_der(pkcs8) {
        let sig: p384::ecdsa::DerSignature = key
            .sign_prehash(&digest)
            .map_err(|_| key_error("signing failed"))?;
        return Ok(sig.as_bytes().to_vec());
    }
    let key = p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8)
        .map_err(|_| key_error("the stored container key is unreadable"))?;
    let sig: p256::ecdsa::DerSignature = key
        .sign_prehash(&digest)
        .map_err(|_| key_error("signing failed"))?;
    Ok(sig.as_bytes().to_vec())
}

/// A new key of `curve`: (PKCS#8 DER, SubjectPublicKeyInfo DER). The scalar comes from
/// the crypto module's random source (one failure policy for randomness); a draw outside
/// the curve order (probability below 2^-32 for both curves) is drawn again.
pub(crate) fn generate_pkcs8(
    curve: Curve,
) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), ContainerError> {
    let size = match curve {
        Curve::P256 => 32,
        Curve::P384 => 48,
    };
    let mut scalar = Zeroizing::new(vec![0u8; size]);
    for _ in 0..8 {
        crate::crypto::random::fill(&mut scalar).map_err(|_| ContainerError::Random)?;
        let encoded = match curve {
            Curve::P256 => p256::ecdsa::SigningKey::from_slice(&scalar)
                .ok()
                .map(|k| (k.to_pkcs8_der(), k.verifying_key().to_public_key_der())),
            Curve::P384 => p384::ecdsa::SigningKey::from_slice(&scalar)
                .ok()
                .map(|k| (k.to_pkcs8_der(), k.verifying_key().to_public_key_der())),
        };
        if let Some((pkcs8, spki)) = encoded {
            let pkcs8 = pkcs8.map_err(|_| key_error("key encoding failed"))?;
            let spki = spki.map_err(|_| key_error("key encoding failed"))?;
            return Ok((
                Zeroizing::new(pkcs8.as_bytes().to_vec()),
                spki.as_bytes().to_vec(),
            ));
        }
    }
    Err(ContainerError::Random)
}

impl<S: ContainerKeyStorage> ContainerKeys for SoftwareContainerKeys<S> {
    fn generate(&self, alias: &str, wanted: Curve) -> Result<Vec<u8>, ContainerError> {
        let (pkcs8, spki) = generate_pkcs8(wanted)?;
        self.storage.store_container_key(alias, &pkcs8)?;
        Ok(spki)
    }

    fn sign(
        &self,
        alias: &str,
        message: &[u8],
        hash: HashAlgorithm,
    ) -> Result<Vec<u8>, ContainerError> {
        let pkcs8 = self
            .storage
            .load_container_key(alias)?
            .ok_or_else(|| key_error("no key for this container"))?;
        sign_pkcs8(&pkcs8, message, hash)
    }

    fn delete(&self, alias: &str) -> Result<(), ContainerError> {
        self.storage.delete_container_key(alias)
    }
}

/// PEM armour of a SubjectPublicKeyInfo DER (`-----BEGIN PUBLIC KEY-----`, 64-column lines,
/// newline-terminated): what `/container/register/finalize` parses. A platform key exported
/// as a raw `04‖X‖Y` point must be wrapped in SPKI first ([`spki_from_p256_point`]).
pub fn public_key_pem(spki: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(spki);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

/// SubjectPublicKeyInfo DER of an uncompressed P-256 point (`04‖X‖Y`, 65 bytes), as the
/// iOS Secure Enclave exports it.
pub fn spki_from_p256_point(point: &[u8]) -> Result<Vec<u8>, ContainerError> {
    let key = p256::PublicKey::from_sec1_bytes(point)
        .map_err(|_| key_error("not an uncompressed P-256 point"))?;
    key.to_public_key_der()
        .map(|d| d.as_bytes().to_vec())
        .map_err(|_| key_error("key encoding failed"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::pkcs8::DecodePublicKey;

    #[test]
    fn software_signatures_verify_for_every_curve_and_hash() {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        for curve in [Curve::P256, Curve::P384] {
            for hash in [
                HashAlgorithm::Sha256,
                HashAlgorithm::Sha384,
                HashAlgorithm::Sha512,
            ] {
                let (pkcs8, spki) = generate_pkcs8(curve).unwrap();
                let message = "nonce|2026-11-30T18:26:12+00:00|SMPH1|https://pi/container/x|Zoë";
                let der = sign_pkcs8(&pkcs8, message.as_bytes(), hash).unwrap();
                let digest = hash.digest(message.as_bytes());
                let ok = match curve {
                    Curve::P256 => p256::ecdsa::VerifyingKey::from_public_key_der(&spki)
                        .unwrap()
                        .verify_prehash(
                            &digest,
                            &p256::ecdsa::DerSignature::try_from(&der[..]).unwrap(),
                        )
                        .is_ok(),
                    Curve::P384 => p384::ecdsa::VerifyingKey::from_public_key_der(&spki)
                        .unwrap()
                        .verify_prehash(
                            &digest,
                            &p384::ecdsa::DerSignature::try_from(&der[..]).unwrap(),
                        )
                        .is_ok(),
                };
                assert!(ok, "{curve:?} with {hash:?}");
                assert_eq!(
                    der[0], 0x30,
                    "{curve:?}/{hash:?}: DER SEQUENCE, not raw r||s"
                );
            }
        }
    }

    #[test]
    fn pem_armour_round_trips_through_a_pem_parser() {
        let (_, spki) = generate_pkcs8(Curve::P384).unwrap();
        let pem = public_key_pem(&spki);
        assert!(
            pem.starts_with("-----BEGIN PUBLIC KEY-----\n")
                && pem.ends_with("-----END PUBLIC KEY-----\n")
        );
        let parsed = p384::PublicKey::from_public_key_pem(&pem).unwrap();
        assert_eq!(parsed.to_public_key_der().unwrap().as_bytes(), &spki[..]);
    }

    #[test]
    fn a_secure_enclave_point_becomes_an_spki() {
        let (_, spki) = generate_pkcs8(Curve::P256).unwrap();
        let key = p256::PublicKey::from_public_key_der(&spki).unwrap();
        use p256::elliptic_curve::sec1::ToSec1Point;
        let point = key.to_sec1_point(false);
        assert_eq!(spki_from_p256_point(point.as_bytes()).unwrap(), spki);
        assert!(spki_from_p256_point(&[4u8; 65]).is_err());
    }

    #[test]
    fn reads_curve_and_hash_names() {
        assert_eq!(Curve::from_name("secp384r1"), Some(Curve::P384));
        assert_eq!(Curve::from_name("prime256v1"), Some(Curve::P256));
        assert_eq!(Curve::from_name("secp521r1"), None);
        assert_eq!(
            HashAlgorithm::from_name("sha-384"),
            Some(HashAlgorithm::Sha384)
        );
    }
}
