//! Encrypting a transfer to an offer's key, and opening it with the pending secret.
//!
//! The transfer's bytes (what the QR codes carry, concatenated):
//!
//! ```text
//! offer id (10) ‖ ephemeral public key E (32) ‖ AES-256-GCM ciphertext ‖ tag (16)
//! ```
//!
//! - `shared = X25519(e, R)`, where `e` is a fresh ephemeral secret and `R` the offer's public
//!   key (the receiver computes `X25519(r, E)`); an all-zero result is refused.
//! - `okm = HKDF-SHA256(IKM = shared, salt = offer id, info = "tessera/move/v1" ‖ E ‖ R)`,
//!   44 bytes: the AES-256 key is bytes 0..32, the GCM nonce bytes 32..44. Every transfer has
//!   its own ephemeral key, so a key and nonce are never used twice.
//! - `AAD = "TESSERA-MOVE:1:" ‖ transfer id ‖ offer id ‖ E`: the header and the transfer id
//!   the codes carry cannot be changed without the tag failing.

use zeroize::Zeroizing;

use super::HandoverError;
use super::wire::ID_LEN;
use crate::crypto::aead::{self, AeadKey, NONCE_LEN, TAG_LEN};
use crate::crypto::{kdf, x25519};

const INFO: &[u8] = b"tessera/move/v1";
const AAD_LABEL: &[u8] = b"TESSERA-MOVE:1:";
/// Offer id and ephemeral public key.
const HEADER_LEN: usize = ID_LEN + x25519::KEY_LEN;
/// What a transfer adds to its content: the header and the tag.
pub(crate) const OVERHEAD: usize = HEADER_LEN + TAG_LEN;

/// The AEAD key and nonce of a transfer (see the module docs).
fn transfer_key(
    shared: &[u8],
    offer_id: &[u8; ID_LEN],
    ephemeral: &[u8; 32],
    recipient: &[u8; 32],
) -> Result<(AeadKey, [u8; NONCE_LEN]), HandoverError> {
    let mut info = Vec::with_capacity(INFO.len() + 64);
    info.extend_from_slice(INFO);
    info.extend_from_slice(ephemeral);
    info.extend_from_slice(recipient);
    let mut okm = Zeroizing::new([0u8; aead::KEY_LEN + NONCE_LEN]);
    kdf::hkdf_sha256(shared, offer_id, &info, &mut okm[..])?;
    let key = AeadKey::new(&okm[..aead::KEY_LEN])?;
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&okm[aead::KEY_LEN..]);
    Ok((key, nonce))
}

fn aad(transfer_id: &[u8; ID_LEN], header: &[u8]) -> Vec<u8> {
    [AAD_LABEL, transfer_id, header].concat()
}

/// Encrypts `plain` to the offer `(offer_id, recipient)`: the transfer's bytes.
pub(crate) fn seal(
    offer_id: &[u8; ID_LEN],
    recipient: &[u8; 32],
    transfer_id: &[u8; ID_LEN],
    plain: &[u8],
) -> Result<Vec<u8>, HandoverError> {
    let ephemeral = x25519::Secret::make()?;
    let ephemeral_public = ephemeral.public();
    let shared = ephemeral
        .agree(recipient)
        .ok_or_else(|| HandoverError::NotAnOffer("its public key is not usable".into()))?;
    let (key, nonce) = transfer_key(&shared[..], offer_id, &ephemeral_public, recipient)?;
    let mut out = Vec::with_capacity(HEADER_LEN + plain.len() + TAG_LEN);
    out.extend_from_slice(offer_id);
    out.extend_from_slice(&ephemeral_public);
    let sealed = key.seal(&nonce, plain, &aad(transfer_id, &out))?;
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The offer id a transfer was made for (read before anything is decrypted, to tell a
/// transfer for another offer from a modified one).
pub(crate) fn offer_id(bytes: &[u8]) -> Result<[u8; ID_LEN], HandoverError> {
    if bytes.len() < HEADER_LEN + TAG_LEN {
        return Err(HandoverError::Tampered);
    }
    let mut id = [0u8; ID_LEN];
    id.copy_from_slice(&bytes[..ID_LEN]);
    Ok(id)
}

/// Decrypts a transfer with the pending offer's secret; [`HandoverError::Tampered`] when
/// anything was changed (or it was made for another key).
pub(crate) fn open(
    secret: &x25519::Secret,
    transfer_id: &[u8; ID_LEN],
    bytes: &[u8],
) -> Result<Zeroizing<Vec<u8>>, HandoverError> {
    let offer_id = offer_id(bytes)?;
    let (header, sealed) = bytes.split_at(HEADER_LEN);
    let mut ephemeral = [0u8; 32];
    ephemeral.copy_from_slice(&header[ID_LEN..]);
    let shared = secret.agree(&ephemeral).ok_or(HandoverError::Tampered)?;
    let (key, nonce) = transfer_key(&shared[..], &offer_id, &ephemeral, &secret.public())?;
    key.open(&nonce, sealed, &aad(transfer_id, header))
        .ok_or(HandoverError::Tampered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_what_it_sealed_and_nothing_changed() {
        let recipient = x25519::Secret::make().unwrap();
        let (offer, transfer) = ([1u8; ID_LEN], [2u8; ID_LEN]);
        let bytes = seal(&offer, &recipient.public(), &transfer, b"the vault").unwrap();
        assert_eq!(offer_id(&bytes).unwrap(), offer);
        assert_eq!(
            &open(&recipient, &transfer, &bytes).unwrap()[..],
            b"the vault"
        );

        for at in [0, ID_LEN, HEADER_LEN, bytes.len() - 1] {
            let mut changed = bytes.clone();
            changed[at] ^= 1;
            assert!(
                matches!(
                    open(&recipient, &transfer, &changed),
                    Err(HandoverError::Tampered)
                ),
                "byte {at} changed"
            );
        }
        assert!(
            matches!(
                open(&recipient, &[3u8; ID_LEN], &bytes),
                Err(HandoverError::Tampered)
            ),
            "another transfer id"
        );
        let stranger = x25519::Secret::make().unwrap();
        assert!(
            matches!(
                open(&stranger, &transfer, &bytes),
                Err(HandoverError::Tampered)
            ),
            "another key"
        );
        assert!(matches!(
            open(&recipient, &transfer, &bytes[..HEADER_LEN]),
            Err(HandoverError::Tampered)
        ));
    }

    #[test]
    fn every_transfer_has_its_own_ephemeral_key() {
        let recipient = x25519::Secret::make().unwrap();
        let a = seal(&[1; ID_LEN], &recipient.public(), &[2; ID_LEN], b"same").unwrap();
        let b = seal(&[1; ID_LEN], &recipient.public(), &[2; ID_LEN], b"same").unwrap();
        assert_ne!(a[ID_LEN..HEADER_LEN], b[ID_LEN..HEADER_LEN]);
        assert_ne!(a[HEADER_LEN..], b[HEADER_LEN..]);
    }

    #[test]
    fn refuses_a_low_order_offer_key() {
        assert!(matches!(
            seal(&[1; ID_LEN], &[0; 32], &[2; ID_LEN], b"x"),
            Err(HandoverError::NotAnOffer(_))
        ));
    }
}
