//! The encrypted move to a new phone through the FFI. The shells draw and scan the QR codes
//! themselves (`qrCodeMatrix` lays one out; `scanQrLuma` reads a camera frame); every rule — keys,
//! expiry, check code, chunking, what moves — is core's (`tessera_core::handover`,
//! `docs/move.md`).
//!
//! New phone: `createMoveOffer()` → show `MoveOffer.text` as a QR code with its check code →
//! scan the old phone's codes, asking `moveScanProgress(scanned)` which are missing →
//! `acceptMove(scanned)`. Old phone: scan the offer → `readMoveOffer(text)` → the user compares
//! the check code → `sendMove(text)` → show `MoveTransfer.parts` one after the other.

use tessera_core::handover as core;

use crate::error::Result;
use crate::vault::{AddOutcome, Vault};

/// The offer the new phone shows: the QR code's text (nothing secret in it) and the check code
/// to show beside it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MoveOffer {
    /// The text to show as a QR code.
    pub text: String,
    /// Unix second after which the offer is refused (one hour after it was made).
    pub expires_at: u64,
    /// Six digits, `123 456`, that the old phone shows too: the user compares them.
    pub check_code: String,
}

impl From<core::MoveOffer> for MoveOffer {
    fn from(offer: core::MoveOffer) -> Self {
        MoveOffer {
            text: offer.text,
            expires_at: offer.expires_at,
            check_code: offer.check_code,
        }
    }
}

/// A scanned offer, as the old phone sees it before sending.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MoveOfferInfo {
    /// The offer's id.
    pub offer_id: String,
    /// Unix second after which the offer is refused.
    pub expires_at: u64,
    /// The check code: show it and ask the user whether the new phone shows the same.
    pub check_code: String,
}

/// Why a push token did not move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LeftBehindReason {
    /// Its key is in the old phone's keystore, which never lets it out: enroll it again.
    PlatformKey,
    /// It failed its integrity check on the old phone: enroll it again.
    Damaged,
}

/// A push token that stayed on the old phone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PushTokenLeftBehind {
    /// Its serial.
    pub serial: String,
    /// Its issuer (empty for a damaged token).
    pub issuer: String,
    /// Its label (empty for a damaged token).
    pub label: String,
    /// Why it did not move.
    pub reason: LeftBehindReason,
    /// What to tell the user.
    pub explanation: String,
}

impl From<core::TokenLeftBehind> for PushTokenLeftBehind {
    fn from(left: core::TokenLeftBehind) -> Self {
        PushTokenLeftBehind {
            explanation: left.reason.explain().to_owned(),
            reason: match left.reason {
                core::LeftBehindReason::PlatformKey => LeftBehindReason::PlatformKey,
                core::LeftBehindReason::Damaged => LeftBehindReason::Damaged,
            },
            serial: left.serial,
            issuer: left.issuer,
            label: left.label,
        }
    }
}

/// A push token that moves, or moved.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MovedPushToken {
    /// Its serial.
    pub serial: String,
    /// Its issuer.
    pub issuer: String,
    /// Its label.
    pub label: String,
    /// On the new phone: false when a token with this serial was there already (kept as it
    /// was). Always true on the old phone's side.
    pub added: bool,
}

fn moved(token: core::TokenMoved, added: bool) -> MovedPushToken {
    MovedPushToken {
        serial: token.serial,
        issuer: token.issuer,
        label: token.label,
        added,
    }
}

/// What the old phone shows: the codes, in order, and what they carry. The codes hold only
/// ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MoveTransfer {
    /// The text of each QR code, first to last.
    pub parts: Vec<String>,
    /// The offer's check code, to compare with the new phone's before showing the codes.
    pub check_code: String,
    /// How many accounts move.
    pub accounts: u32,
    /// The push tokens that move.
    pub tokens_moved: Vec<MovedPushToken>,
    /// The push tokens that cannot move.
    pub tokens_left_behind: Vec<PushTokenLeftBehind>,
    /// Account pictures left out to keep the sequence short (a backup file carries them).
    pub pictures_left_behind: u32,
}

/// How far the scanning of a transfer's codes has come.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MoveScanProgress {
    /// How many codes the transfer has (0 before the first one).
    pub count: u32,
    /// How many different codes of it were scanned.
    pub scanned: u32,
    /// The numbers (from 1) of the codes still to scan.
    pub missing: Vec<u32>,
    /// Every code is there: call `acceptMove`.
    pub complete: bool,
}

/// What the move brought into the new phone's vault.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MoveReport {
    /// One outcome per account, in the old phone's order (duplicates skipped).
    pub accounts: Vec<AddOutcome>,
    /// The push tokens that came.
    pub tokens: Vec<MovedPushToken>,
    /// The push tokens that stayed on the old phone.
    pub tokens_left_behind: Vec<PushTokenLeftBehind>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Reads a scanned move offer (on the old phone): its expiry and the check code to show.
/// `InvalidInput` for a text that is no move offer; `NewerVersion` for a newer app's.
#[uniffi::export]
pub fn read_move_offer(text: String) -> Result<MoveOfferInfo> {
    let offer = core::read_offer(&text)?;
    Ok(MoveOfferInfo {
        offer_id: offer.offer_id,
        expires_at: offer.expires_at,
        check_code: offer.check_code,
    })
}

/// Which codes of a transfer are still missing, from the texts scanned so far (any order,
/// repeats allowed). `InvalidInput` names a text that is no transfer code, or codes of two
/// transfers.
#[uniffi::export]
pub fn move_scan_progress(parts: Vec<String>) -> Result<MoveScanProgress> {
    let progress = core::scan_progress(&parts)?;
    Ok(MoveScanProgress {
        count: progress.count,
        scanned: progress.scanned,
        missing: progress.missing,
        complete: progress.complete,
    })
}

#[uniffi::export]
impl Vault {
    /// On the new phone: makes a one-time key (kept in this vault) and returns the offer to
    /// show, valid for an hour. A new offer replaces an older one.
    pub fn create_move_offer(&self) -> Result<MoveOffer> {
        let now = self.corrected_now()?;
        Ok(self.unlocked()?.create_move_offer(now)?.into())
    }

    /// The offer still waiting (to show again after a restart); null when none, used or
    /// expired.
    pub fn pending_move_offer(&self) -> Result<Option<MoveOffer>> {
        let now = self.corrected_now()?;
        Ok(self.unlocked()?.pending_move_offer(now)?.map(Into::into))
    }

    /// Forgets the pending offer.
    pub fn cancel_move_offer(&self) -> Result<()> {
        Ok(self.unlocked()?.cancel_move_offer()?)
    }

    /// On the old phone: encrypts the whole vault to the scanned offer and returns the codes
    /// to show. Ask the user to compare `readMoveOffer(offer).checkCode` first. This vault is
    /// not changed. `InvalidInput` for an expired or unreadable offer.
    pub fn send_move(&self, offer: String) -> Result<MoveTransfer> {
        let now = self.corrected_now()?;
        let transfer = self.unlocked()?.send_move(&offer, now)?;
        Ok(MoveTransfer {
            check_code: transfer.check_code,
            accounts: count(transfer.accounts),
            tokens_moved: transfer
                .tokens_moved
                .into_iter()
                .map(|t| moved(t, true))
                .collect(),
            tokens_left_behind: transfer
                .tokens_left_behind
                .into_iter()
                .map(Into::into)
                .collect(),
            pictures_left_behind: count(transfer.pictures_left_behind),
            parts: transfer.parts,
        })
    }

    /// On the new phone: decrypts the scanned codes (any order) and imports everything once,
    /// in one transaction. Errors change nothing: `InvalidInput` for missing codes (named),
    /// codes of two transfers, codes made for another or an expired offer; `NotFound` when no
    /// offer is pending; `Duplicate` when this transfer was accepted already; `Integrity` for
    /// a modified code.
    pub fn accept_move(&self, parts: Vec<String>) -> Result<MoveReport> {
        let now = self.corrected_now()?;
        let report = self.unlocked()?.accept_move(&parts, now)?;
        Ok(MoveReport {
            accounts: report.accounts.into_iter().map(Into::into).collect(),
            tokens: report
                .tokens
                .into_iter()
                .map(|(token, outcome)| moved(token, outcome == core::TokenOutcome::Added))
                .collect(),
            tokens_left_behind: report
                .tokens_left_behind
                .into_iter()
                .map(Into::into)
                .collect(),
        })
    }
}
