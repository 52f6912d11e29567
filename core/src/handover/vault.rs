//! The vault's side of a move: the pending offer (sealed in `vault_meta`, no schema change),
//! sending, and accepting in one transaction.

use rusqlite::{Connection, OptionalExtension};
use zeroize::Zeroizing;

use super::content::{self, MovingToken};
use super::wire::{self, ID_LEN};
use super::{
    HandoverError, LeftBehindReason, MAX_PARTS, MoveOffer, MoveReport, MoveTransfer,
    OFFER_TTL_SECONDS, PART_BYTES, PICTURE_PARTS, TokenLeftBehind, TokenOutcome, seal,
};
use crate::account::Account;
use crate::crypto::{random, x25519};
use crate::icon::Icon;
use crate::push::PushError;
use crate::push::keys::KeyStorage;
use crate::push::service::PushStore;
use crate::push::store::{insert_device_key, insert_token};
use crate::vault::{Binding, Vault, VaultError, VaultKey};

/// The `vault_meta` row of the offer. A vault that has it still opens in an older Tessera,
/// which ignores rows it does not know.
const ROW: &str = "move_offer";
const PENDING: u8 = 1;
const USED: u8 = 2;

/// The offer this vault made, as kept sealed in it.
enum OfferState {
    /// Waiting for a transfer: the one-time secret, the offer id, the expiry.
    Pending {
        secret: x25519::Secret,
        offer_id: [u8; ID_LEN],
        expires_at: u64,
    },
    /// A transfer for this offer was accepted; only its id is kept, to say so if it comes
    /// again.
    Used { offer_id: [u8; ID_LEN] },
}

fn binding() -> Binding<'static> {
    Binding {
        table: "vault_meta",
        row: ROW,
        field: "value",
    }
}

/// The offer kept in the vault: `1 ‖ secret (32) ‖ offer id (10) ‖ expiry (8, big-endian)`
/// while pending, `2 ‖ offer id` once used; sealed under the vault key like every setting.
fn read_state(conn: &Connection, key: &VaultKey) -> Result<Option<OfferState>, VaultError> {
    let sealed: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM vault_meta WHERE name = ?1", [ROW], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let damaged = || VaultError::Corrupt("the vault's move offer".into());
    let plain = key.open(binding(), &sealed).ok_or_else(damaged)?;
    let id = |at: usize| -> Result<[u8; ID_LEN], VaultError> {
        plain
            .get(at..at + ID_LEN)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(damaged)
    };
    match plain.first() {
        Some(&PENDING) if plain.len() == 1 + 32 + ID_LEN + 8 => {
            let mut secret = Zeroizing::new([0u8; 32]);
            secret.copy_from_slice(&plain[1..33]);
            let mut expiry = [0u8; 8];
            expiry.copy_from_slice(&plain[33 + ID_LEN..]);
            Ok(Some(OfferState::Pending {
                secret: x25519::Secret::from_bytes(&secret),
                offer_id: id(33)?,
                expires_at: u64::from_be_bytes(expiry),
            }))
        }
        Some(&USED) if plain.len() == 1 + ID_LEN => Ok(Some(OfferState::Used { offer_id: id(1)? })),
        _ => Err(damaged()),
    }
}

fn write_state(conn: &Connection, key: &VaultKey, state: &OfferState) -> Result<(), VaultError> {
    let mut plain = Zeroizing::new(Vec::with_capacity(1 + 32 + ID_LEN + 8));
    match state {
        OfferState::Pending {
            secret,
            offer_id,
            expires_at,
        } => {
            plain.push(PENDING);
            plain.extend_from_slice(&secret.to_bytes()[..]);
            plain.extend_from_slice(offer_id);
            plain.extend_from_slice(&expires_at.to_be_bytes());
        }
        OfferState::Used { offer_id } => {
            plain.push(USED);
            plain.extend_from_slice(offer_id);
        }
    }
    let sealed = key.seal(binding(), &plain)?;
    conn.execute(
        "INSERT INTO vault_meta (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        rusqlite::params![ROW, sealed],
    )?;
    Ok(())
}

fn offer_of(secret: &x25519::Secret, offer_id: &[u8; ID_LEN], expires_at: u64) -> MoveOffer {
    let public = secret.public();
    MoveOffer {
        text: wire::offer_text(offer_id, expires_at, &public),
        expires_at,
        check_code: wire::check_code(offer_id, &public),
    }
}

/// Removes image pictures from `accounts`, largest first, until their base64 (what they take
/// in the content) adds up to `excess` bytes or none is left; returns how many went.
fn drop_largest_pictures(accounts: &mut [Account], excess: usize) -> usize {
    let size = |account: &Account| match &account.meta.picture {
        Some(Icon::Image(image)) => image.bytes().len().div_ceil(3) * 4,
        _ => 0,
    };
    let mut order: Vec<usize> = (0..accounts.len())
        .filter(|&i| size(&accounts[i]) > 0)
        .collect();
    crate::order::sort_stable_by(&mut order, |&a, &b| {
        size(&accounts[b]).cmp(&size(&accounts[a]))
    });
    let (mut freed, mut dropped) = (0, 0);
    for i in order {
        if freed >= excess {
            break;
        }
        freed += size(&accounts[i]);
        accounts[i].meta.picture = None;
        dropped += 1;
    }
    dropped
}

impl Vault {
    /// On the new device: makes a one-time key and returns the offer to show as a QR code,
    /// valid for [`OFFER_TTL_SECONDS`] from `now`. The key's secret stays in this vault until
    /// a transfer for it is accepted; a new offer replaces an older one (whose transfers are
    /// then refused as made for another offer).
    pub fn create_move_offer(&self, now: u64) -> Result<MoveOffer, HandoverError> {
        let secret = x25519::Secret::make()?;
        let offer_id = random::array::<ID_LEN>()?;
        let expires_at = now.saturating_add(OFFER_TTL_SECONDS);
        let offer = offer_of(&secret, &offer_id, expires_at);
        let state = OfferState::Pending {
            secret,
            offer_id,
            expires_at,
        };
        // The offer is no account: the code list's cache stays.
        self.with_storage_keep_cache(|conn, key| write_state(conn, key, &state))?;
        Ok(offer)
    }

    /// The offer waiting for a transfer, to show again (after the app restarted); `None` when
    /// there is none, it was used, or it expired.
    pub fn pending_move_offer(&self, now: u64) -> Result<Option<MoveOffer>, HandoverError> {
        let state = self.with_storage_keep_cache(|conn, key| read_state(conn, key))?;
        Ok(match state {
            Some(OfferState::Pending {
                secret,
                offer_id,
                expires_at,
            }) if now <= expires_at => Some(offer_of(&secret, &offer_id, expires_at)),
            _ => None,
        })
    }

    /// Forgets the pending offer (its transfers can no longer be accepted).
    pub fn cancel_move_offer(&self) -> Result<(), HandoverError> {
        self.with_storage_keep_cache(|conn, _| {
            conn.execute("DELETE FROM vault_meta WHERE name = ?1", [ROW])?;
            Ok(())
        })?;
        Ok(())
    }

    /// On the old device: encrypts the whole vault to the offer read from the new device's QR
    /// code (its text) and returns the QR codes to show. Check [`super::read_offer`]'s check
    /// code with the user first. Nothing in this vault changes: it keeps every account (remove
    /// them here once the new device works).
    pub fn send_move(&self, offer_text: &str, now: u64) -> Result<MoveTransfer, HandoverError> {
        let offer = wire::read_offer(offer_text)?;
        if now > offer.expires_at {
            return Err(HandoverError::OfferExpired {
                expired_at: offer.expires_at,
            });
        }
        let offer_id = wire::offer_id_bytes(&offer)?;
        let mut accounts: Vec<Account> = self
            .export_accounts()?
            .into_iter()
            .map(|(_, account)| account)
            .collect();
        let (moving, left_behind) = self.push_tokens_to_move()?;
        // The room the content may take: all of MAX_PARTS codes, or PICTURE_PARTS while
        // pictures ride along (less the header and the tag).
        let budget = MAX_PARTS * PART_BYTES - seal::OVERHEAD;
        let picture_budget = PICTURE_PARTS * PART_BYTES - seal::OVERHEAD;
        let mut pictures_left_behind = 0;
        let plain = loop {
            let accounts_json = crate::vault::backup_payload_json(accounts.iter())?;
            let plain = content::write(&accounts_json, &moving, &left_behind)?;
            if plain.len() <= picture_budget {
                break plain;
            }
            // Pictures (up to 256 KiB each) would make the sequence long: they stay behind,
            // largest first, until the rest fits; a backup file carries them.
            let dropped = drop_largest_pictures(&mut accounts, plain.len() - picture_budget);
            if dropped == 0 {
                if plain.len() <= budget {
                    break plain;
                }
                return Err(HandoverError::TooLarge {
                    parts: (plain.len() + seal::OVERHEAD).div_ceil(PART_BYTES),
                    max: MAX_PARTS,
                });
            }
            pictures_left_behind += dropped;
        };
        let transfer_id = random::array::<ID_LEN>()?;
        let bytes = seal::seal(&offer_id, &offer.public_key, &transfer_id, &plain)?;
        Ok(MoveTransfer {
            parts: wire::split(&transfer_id, &bytes, PART_BYTES),
            check_code: offer.check_code,
            accounts: accounts.len(),
            tokens_moved: moving.iter().map(MovingToken::moved).collect(),
            tokens_left_behind: left_behind,
            pictures_left_behind,
        })
    }

    /// The push tokens that can move (their device key is in this vault), and those that
    /// cannot, each with why.
    fn push_tokens_to_move(
        &self,
    ) -> Result<(Vec<MovingToken>, Vec<TokenLeftBehind>), HandoverError> {
        let mut moving = Vec::new();
        let mut left_behind = Vec::new();
        for token in self.push_tokens()? {
            let reason = match self.load_key(&token.key_alias) {
                Ok(Some(pkcs8)) => {
                    moving.push(MovingToken { token, pkcs8 });
                    continue;
                }
                // Not in the vault: a platform keystore holds it.
                Ok(None) => LeftBehindReason::PlatformKey,
                Err(PushError::KeyUnreadable) => LeftBehindReason::Damaged,
                Err(other) => return Err(other.into()),
            };
            left_behind.push(TokenLeftBehind {
                serial: token.serial,
                issuer: token.issuer,
                label: token.label,
                reason,
            });
        }
        // A token whose row failed its check: its fields cannot be trusted, only its serial.
        for serial in self.damaged_push_tokens()? {
            left_behind.push(TokenLeftBehind {
                serial,
                issuer: String::new(),
                label: String::new(),
                reason: LeftBehindReason::Damaged,
            });
        }
        Ok((moving, left_behind))
    }

    /// On the new device: puts the scanned transfer codes together (any order, repeats
    /// ignored), decrypts them with the pending offer's secret and imports everything in one
    /// transaction — accounts (duplicates of accounts already here are skipped, as imports
    /// do), push tokens with their device keys — and retires the offer, so a second accept
    /// fails. Any error changes nothing.
    pub fn accept_move<S: AsRef<str>>(
        &self,
        parts: &[S],
        now: u64,
    ) -> Result<MoveReport, HandoverError> {
        let collected = wire::collect(parts)?;
        let bytes = collected.assemble()?;
        let made_for = seal::offer_id(&bytes)?;
        let state = self.with_storage_keep_cache(|conn, key| read_state(conn, key))?;
        let secret = match state {
            None => return Err(HandoverError::NoPendingOffer),
            Some(OfferState::Used { offer_id }) if offer_id == made_for => {
                return Err(HandoverError::AlreadyAccepted);
            }
            Some(OfferState::Used { .. }) => return Err(HandoverError::NoPendingOffer),
            Some(OfferState::Pending { offer_id, .. }) if offer_id != made_for => {
                return Err(HandoverError::WrongOffer);
            }
            Some(OfferState::Pending { expires_at, .. }) if now > expires_at => {
                return Err(HandoverError::OfferExpired {
                    expired_at: expires_at,
                });
            }
            Some(OfferState::Pending { secret, .. }) => secret,
        };
        let plain = seal::open(&secret, &collected.transfer_id, &bytes)?;
        let content = content::read(&plain)?;
        let (accounts, tokens) = self.add_many_and(
            &content.accounts,
            &mut |_, _| {},
            |tx, key| -> Result<_, HandoverError> {
                // Another accept may have committed since the offer was read above.
                match read_state(tx, key)? {
                    Some(OfferState::Pending { offer_id, .. }) if offer_id == made_for => {}
                    _ => return Err(HandoverError::AlreadyAccepted),
                }
                let mut outcomes = Vec::with_capacity(content.tokens.len());
                for moving in &content.tokens {
                    let token = &moving.token;
                    // A token already here keeps its own key: the alias is the serial's.
                    let outcome = if insert_token(tx, key, token)? {
                        insert_device_key(tx, key, &token.key_alias, &moving.pkcs8, true)?;
                        TokenOutcome::Added
                    } else {
                        TokenOutcome::Duplicate
                    };
                    outcomes.push((moving.moved(), outcome));
                }
                write_state(tx, key, &OfferState::Used { offer_id: made_for })?;
                Ok(outcomes)
            },
        )?;
        Ok(MoveReport {
            accounts,
            tokens,
            tokens_left_behind: content.left_behind,
        })
    }
}
