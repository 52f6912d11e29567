//! The encrypted move to a new phone: the whole vault goes from the old device to the new one
//! through QR codes, readable by nobody else, with nothing readable ever on screen.
//!
//! 1. **Offer** (new device, [`Vault::create_move_offer`]): a one-time X25519 key pair is
//!    made; its secret stays pending in the new vault (sealed under the vault key, `vault_meta`
//!    row `move_offer`), and the offer QR code shows the public key, an offer id and an expiry.
//! 2. **Send** (old device, [`read_offer`] then [`Vault::send_move`]): the vault's content is
//!    encrypted to that key with a fresh ephemeral key (X25519, HKDF-SHA256, AES-256-GCM) and
//!    split into a short sequence of QR codes ([`PART_BYTES`] of ciphertext each).
//! 3. **Accept** (new device, [`Vault::accept_move`]): the codes, scanned in any order, are put
//!    together, decrypted with the pending secret and imported — accounts (duplicates skipped,
//!    as imports do) and push tokens — and the pending secret is deleted, in one transaction.
//!
//! [`Vault::create_move_offer`]: crate::vault::Vault::create_move_offer
//! [`Vault::send_move`]: crate::vault::Vault::send_move
//! [`Vault::accept_move`]: crate::vault::Vault::accept_move
//!
//! Both devices show the offer's *check code* ([`Offer::check_code`]): when they match, the old
//! device encrypts to the key the new one shows, not to one someone slipped in front of it.
//!
//! What moves is what a backup holds (the same JSON, so whatever backups carry, a move carries:
//! accounts with their secrets, notes, groups, order, favourites, icons and pictures — a
//! picture that would take the transfer past [`PICTURE_PARTS`] codes stays behind, reported)
//! plus every push token whose device key lives in the vault (a software key). A token whose
//! key is held by a platform keystore cannot leave the device: it is reported per token, on
//! both sides ([`TokenLeftBehind`]), to be enrolled again. The trash, pending push requests,
//! the server time and container registrations (a container moves by its own rollover) stay
//! behind.
//!
//! `docs/move.md` describes the payloads, the key derivation, the AEAD, the chunking and the
//! versioning as a format someone else could implement; [`wire`] (the QR codes' texts),
//! `seal.rs` (the encryption) and `content.rs` (the plaintext) are the code of each part.

use crate::push::PushError;
use crate::vault::{AddOutcome, VaultError};

mod content;
mod seal;
mod vault;
pub mod wire;

pub use wire::{ScanProgress, read_offer, scan_progress};

/// Every move code's text starts with this, then `:` and the format version.
pub const PREFIX: &str = "TESSERA-MOVE";
/// The move format version this code writes and the highest it reads.
pub const FORMAT_VERSION: u32 = 1;
/// How long an offer can be answered (seconds): one hour, for fetching the old phone.
pub const OFFER_TTL_SECONDS: u64 = 3600;
/// Ciphertext bytes per QR code: a part's text then fits a version-15 QR code (77 modules a
/// side) at the error correction level Tessera draws (L), which phones read from a screen at
/// once and which a terminal can draw in 81 columns.
pub const PART_BYTES: usize = 440;
/// The most QR codes one transfer may have, written or read (110 KiB of ciphertext): a bound
/// on what a reader collects, and a vault that needs more moves by an encrypted backup file.
pub const MAX_PARTS: usize = 255;
/// Account pictures ride along while the transfer stays within this many codes (17 KiB);
/// beyond, the largest stay behind (reported) rather than make the user scan dozens more.
pub const PICTURE_PARTS: usize = 40;

/// A move offer as the old device reads it from the new device's QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The offer's random id (16 base32 characters).
    pub offer_id: String,
    /// The new device's one-time X25519 public key.
    pub public_key: [u8; 32],
    /// Unix second after which the offer is refused.
    pub expires_at: u64,
    /// Six digits (`123 456`) both devices show: the user compares them before sending.
    pub check_code: String,
}

/// The offer the new device shows: the QR code's text and what to say beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveOffer {
    /// The text of the offer QR code (holds nothing secret).
    pub text: String,
    /// Unix second after which the offer is refused.
    pub expires_at: u64,
    /// The check code the old device will show ([`Offer::check_code`]).
    pub check_code: String,
}

/// Why a push token did not move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftBehindReason {
    /// Its device key is held by the platform's keystore (Android Keystore, Secure Enclave),
    /// which never lets a private key out: enroll the token again on the new device.
    PlatformKey,
    /// Its stored data failed its integrity check on the old device: remove it and enroll again.
    Damaged,
}

impl LeftBehindReason {
    /// The reason's name in the move's content (`platform-key`, `damaged`).
    pub fn as_str(self) -> &'static str {
        match self {
            LeftBehindReason::PlatformKey => "platform-key",
            LeftBehindReason::Damaged => "damaged",
        }
    }

    /// The reason named by [`LeftBehindReason::as_str`]; an unknown name reads as `Damaged`.
    pub fn from_name(name: &str) -> LeftBehindReason {
        match name {
            "platform-key" => LeftBehindReason::PlatformKey,
            _ => LeftBehindReason::Damaged,
        }
    }

    /// What the user should be told.
    pub fn explain(self) -> &'static str {
        match self {
            LeftBehindReason::PlatformKey => {
                "its device key is held by the old device's keystore, which never lets it out: enroll it again on the new device"
            }
            LeftBehindReason::Damaged => {
                "it failed its integrity check on the old device: enroll it again on the new device"
            }
        }
    }
}

/// A push token that stayed on the old device, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLeftBehind {
    /// The token's serial.
    pub serial: String,
    /// Its issuer (empty for a damaged token, whose fields cannot be trusted).
    pub issuer: String,
    /// Its label (empty for a damaged token).
    pub label: String,
    /// Why it did not move.
    pub reason: LeftBehindReason,
}

/// A push token that moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenMoved {
    /// The token's serial.
    pub serial: String,
    /// Its issuer.
    pub issuer: String,
    /// Its label.
    pub label: String,
}

/// What the old device sends: the QR codes to show, in order, and what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveTransfer {
    /// The text of each QR code, first to last (ciphertext only: nothing readable).
    pub parts: Vec<String>,
    /// The offer's check code, to compare with the new device's before showing the parts.
    pub check_code: String,
    /// How many accounts are in it.
    pub accounts: usize,
    /// The push tokens in it.
    pub tokens_moved: Vec<TokenMoved>,
    /// The push tokens that cannot move, each with why.
    pub tokens_left_behind: Vec<TokenLeftBehind>,
    /// How many account pictures stayed behind because with them the transfer would need more
    /// than [`PICTURE_PARTS`] codes (largest first; their accounts moved without them). A
    /// backup file carries them.
    pub pictures_left_behind: usize,
}

/// What happened to a push token on the new device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOutcome {
    /// Added with its device key: it answers push requests from the new device.
    Added,
    /// A token with this serial was already in the vault; it was kept as it is.
    Duplicate,
}

/// What a move brought into the new device's vault.
#[derive(Debug)]
pub struct MoveReport {
    /// One outcome per account, in the old device's order (duplicates skipped, as imports do).
    pub accounts: Vec<AddOutcome>,
    /// Each push token that came, with what happened to it.
    pub tokens: Vec<(TokenMoved, TokenOutcome)>,
    /// The push tokens that stayed on the old device, each with why.
    pub tokens_left_behind: Vec<TokenLeftBehind>,
}

/// Why a move step failed. Every case changes nothing; none carries a secret, a key or a
/// code's content.
#[derive(Debug, thiserror::Error)]
pub enum HandoverError {
    /// The scanned text is not a move offer.
    #[error("this is not a Tessera move offer: {0}")]
    NotAnOffer(String),
    /// A scanned text is not a code of a move transfer.
    #[error("code {index} is not part of a Tessera move: {why}")]
    NotAPart {
        /// Which of the given codes (from 1).
        index: usize,
        /// What is wrong with it.
        why: String,
    },
    /// The code was made by a newer Tessera.
    #[error(
        "this move code uses format version {found}, newer than this Tessera reads ({supported}); update Tessera"
    )]
    NewerVersion {
        /// The version in the code.
        found: u32,
        /// The highest version this code reads.
        supported: u32,
    },
    /// The offer's time is up.
    #[error(
        "the move offer expired at {expired_at} (unix time); make a new offer on the new device"
    )]
    OfferExpired {
        /// When it expired (unix seconds).
        expired_at: u64,
    },
    /// The vault has no offer waiting (none was made, it was cancelled, or it was used).
    #[error(
        "this vault has no pending move offer: make an offer on this device first, then send to it"
    )]
    NoPendingOffer,
    /// This transfer was accepted already: a move is imported once.
    #[error("this transfer was already accepted into this vault; a move offer is used once")]
    AlreadyAccepted,
    /// The codes were made for another offer than the one pending here.
    #[error(
        "these codes were made for another move offer (an older one, or another device's); send again to the offer this device shows now"
    )]
    WrongOffer,
    /// The codes come from more than one transfer.
    #[error("the codes belong to {count} different transfers; give the codes of one transfer")]
    MixedTransfers {
        /// How many transfers were seen.
        count: usize,
    },
    /// Codes of the transfer are missing.
    #[error("{} of the transfer's {count} codes {} missing: {}",
        missing.len(),
        if missing.len() == 1 { "is" } else { "are" },
        missing.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))]
    MissingParts {
        /// The missing codes' numbers (from 1).
        missing: Vec<u32>,
        /// How many codes the transfer has.
        count: u32,
    },
    /// No code was given.
    #[error("no move codes were given")]
    NoParts,
    /// The same code number came twice with different contents.
    #[error("code {index} of the transfer was given twice with different contents")]
    ConflictingPart {
        /// The code's number (from 1).
        index: u32,
    },
    /// The transfer does not decrypt under the pending offer's key.
    #[error(
        "the transfer does not decrypt: a code was modified, or it was not made for this device's offer"
    )]
    Tampered,
    /// The transfer decrypted, but what it holds is not readable.
    #[error("the transfer's content is not readable: {0}")]
    Damaged(String),
    /// The vault is too large to move by QR codes.
    #[error(
        "the vault needs {parts} QR codes to move, more than {max}; move it with an encrypted backup file instead (`tessera export --to tessera`)"
    )]
    TooLarge {
        /// How many codes it would take.
        parts: usize,
        /// The most a transfer may have.
        max: usize,
    },
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Reading the push tokens failed.
    #[error(transparent)]
    Push(#[from] PushError),
}

impl From<crate::crypto::CryptoError> for HandoverError {
    fn from(error: crate::crypto::CryptoError) -> Self {
        HandoverError::Vault(error.into())
    }
}
