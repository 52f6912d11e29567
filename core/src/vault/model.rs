//! The values the vault hands to shells: ids, summaries, filters, updates and codes.

use std::fmt;

use super::VaultError;
use crate::account::{OtpKind, OtpParams};
use crate::otp::Code;

/// The stable identifier of an account (a random UUID), used by every shell and by backups.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct AccountId(pub(super) String);

impl AccountId {
    pub(super) fn make() -> Result<AccountId, VaultError> {
        Ok(AccountId(crate::crypto::random::uuid_v4()?))
    }

    /// Reads a full account id as printed by [`AccountId`]'s `Display`.
    pub fn parse(text: &str) -> Result<AccountId, VaultError> {
        uuid::Uuid::parse_str(text.trim())
            .map(|u| AccountId(u.hyphenated().to_string()))
            .map_err(|_| VaultError::NotFound {
                id: text.chars().take(64).collect(),
            })
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What happened to one account of [`Vault::add_many`](super::Vault::add_many) (and of a backup import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    /// Stored under this new id.
    Added(AccountId),
    /// Not stored: the vault already holds an account with the same codes (this id).
    Duplicate(AccountId),
    /// Not stored: the account is invalid (the reason; never secret material).
    Rejected(String),
}

/// Which accounts [`Vault::list`](super::Vault::list) returns. The default lists every account not in the trash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Case-insensitive text that the issuer or the label must contain.
    pub text: Option<String>,
    /// Only accounts in this group.
    pub group: Option<String>,
    /// Only favorites.
    pub favorites_only: bool,
}

/// An account without its secret or note: what lists show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    /// Stable id.
    pub id: AccountId,
    /// Service name.
    pub issuer: String,
    /// Account name at the service.
    pub label: String,
    /// OTP parameters (for HOTP, `counter` is the counter of the code on display).
    pub params: OtpParams,
    /// Groups, sorted by name.
    pub groups: Vec<String>,
    /// Pinned to the top.
    pub favorite: bool,
    /// Icon reference.
    pub icon: Option<String>,
    /// The account has a picture ([`Vault::icon`](super::Vault::icon) returns it).
    pub has_picture: bool,
    /// Position in the user's order (smaller first, after favorites).
    pub position: i64,
    /// Unix time the account was added.
    pub created_at: u64,
    /// Unix time it was moved to the trash, if it is there.
    pub trashed_at: Option<u64>,
    /// True when the row failed its integrity check (it was edited outside Tessera or
    /// damaged): the fields above are what the file says and cannot be trusted, its code and
    /// details are refused with [`VaultError::Integrity`]; it can be deleted and purged.
    pub damaged: bool,
}

/// A change to an account's metadata: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountUpdate {
    /// New issuer.
    pub issuer: Option<String>,
    /// New label.
    pub label: Option<String>,
    /// New note (encrypted at rest).
    pub note: Option<String>,
    /// New icon (`Some(None)` removes it).
    pub icon: Option<Option<String>>,
    /// New set of groups (replaces the old set).
    pub groups: Option<Vec<String>>,
    /// Pin or unpin.
    pub favorite: Option<bool>,
    /// Move to this 0-based index of the user's order (clamped to the end).
    pub position: Option<u32>,
}

/// The code of one account at one instant, as [`Vault::codes_at`](super::Vault::codes_at) returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    /// Stable id.
    pub id: AccountId,
    /// Service name.
    pub issuer: String,
    /// Account name.
    pub label: String,
    /// TOTP, HOTP or Steam.
    pub kind: OtpKind,
    /// Time step in seconds; `None` for HOTP (whose codes do not expire) and for a damaged row.
    pub period: Option<u32>,
    /// The code, or why this one account cannot produce one (e.g. [`VaultError::Integrity`]).
    pub code: Result<Code, VaultError>,
    /// Seconds until the code changes (1..=period); 0 for HOTP, whose code does not expire.
    pub remaining_seconds: u32,
    /// Pinned to the top.
    pub favorite: bool,
}
