//! The encrypted account vault as one object, `Vault`, over `tessera_core::vault::Vault`.
//!
//! The object is `Send + Sync`: core's vault serializes access itself, and the lock state lives
//! behind an `RwLock` here. `lock()` drops core's vault (and with it the vault key); every call
//! after that fails with `TesseraError.Locked` instead of touching freed state. Kotlin's
//! `close()`/`use {}` and Swift's deinit free the object itself.

use std::path::Path;
use std::sync::{Arc, RwLock};

use tessera_core::account::Account;
use tessera_core::vault::{self as core, AccountId};

use crate::account::OtpAccount;
use crate::codes::{self, CodeList, CodesListener, CodesQuery, CodesWatch, VaultCodes};
use crate::error::{Result, TesseraError};
use crate::otp::OtpCode;
use crate::platform::{Clock, ForeignKeys, KeyProvider, now, now_millis};
use crate::redact::{REDACTED, redacted_text};
use crate::types::{OtpKind, OtpParams};

/// An account as lists show it: everything but the secret and the note.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountInfo {
    /// Stable id (a UUID), used by every other call.
    pub id: String,
    /// Service name.
    pub issuer: String,
    /// Account name at the service.
    pub label: String,
    /// The name to show (core's `display_name` of issuer and label), in every list: accounts,
    /// trash, search results.
    pub display_name: String,
    /// How codes are computed (for HOTP, `counter` is the counter of the code on display).
    pub params: OtpParams,
    /// Groups, sorted by name.
    pub groups: Vec<String>,
    /// Pinned to the top.
    pub favorite: bool,
    /// Icon reference.
    pub icon: Option<String>,
    /// The account has a picture: `accountIcon(id)` returns it (lists carry only this flag).
    #[uniffi(default = false)]
    pub has_picture: bool,
    /// Position in the user's order (smaller first, after favorites).
    pub position: i64,
    /// Unix time the account was added.
    pub created_at: u64,
    /// Unix time it was moved to the trash, when it is there.
    pub trashed_at: Option<u64>,
    /// True when the stored row failed its integrity check (edited outside Tessera or
    /// damaged): show it marked, with no code; `account_with_secret` on it raises `Integrity`.
    pub damaged: bool,
}

impl From<core::AccountSummary> for AccountInfo {
    fn from(value: core::AccountSummary) -> Self {
        AccountInfo {
            id: value.id.to_string(),
            display_name: tessera_core::app::display_name(&value.issuer, &value.label),
            issuer: value.issuer,
            label: value.label,
            params: value.params.into(),
            groups: value.groups,
            favorite: value.favorite,
            icon: value.icon,
            has_picture: value.has_picture,
            position: value.position,
            created_at: value.created_at,
            trashed_at: value.trashed_at,
            damaged: value.damaged,
        }
    }
}

/// Which accounts `list` returns; the default is every account not in the trash.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ListFilter {
    /// Case-insensitive text the issuer or the label must contain.
    #[uniffi(default = None)]
    pub text: Option<String>,
    /// Only accounts in this group.
    #[uniffi(default = None)]
    pub group: Option<String>,
    /// Only favorites.
    #[uniffi(default = false)]
    pub favorites_only: bool,
}

impl From<ListFilter> for core::ListFilter {
    fn from(value: ListFilter) -> Self {
        core::ListFilter {
            text: value.text,
            group: value.group,
            favorites_only: value.favorites_only,
        }
    }
}

/// A change to an account's details; absent fields stay as they are. Printing it does not
/// show the note.
#[derive(Clone, Default, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct AccountChange {
    /// New service name.
    #[uniffi(default = None)]
    pub issuer: Option<String>,
    /// New account name.
    #[uniffi(default = None)]
    pub label: Option<String>,
    /// New note (encrypted at rest).
    #[uniffi(default = None)]
    pub note: Option<String>,
    /// New icon reference.
    #[uniffi(default = None)]
    pub icon: Option<String>,
    /// Remove the icon (wins over `icon`).
    #[uniffi(default = false)]
    pub remove_icon: bool,
    /// New set of groups (replaces the old set).
    #[uniffi(default = None)]
    pub groups: Option<Vec<String>>,
    /// Pin or unpin.
    #[uniffi(default = None)]
    pub favorite: Option<bool>,
    /// Move to this 0-based place in the user's order (clamped to the end).
    #[uniffi(default = None)]
    pub position: Option<u32>,
}

impl std::fmt::Debug for AccountChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountChange")
            .field("issuer", &self.issuer)
            .field("label", &self.label)
            .field("note", &self.note.as_deref().map(redacted_text))
            .field("icon", &self.icon)
            .field("remove_icon", &self.remove_icon)
            .field("groups", &self.groups)
            .field("favorite", &self.favorite)
            .field("position", &self.position)
            .finish()
    }
}

impl From<AccountChange> for core::AccountUpdate {
    fn from(value: AccountChange) -> Self {
        core::AccountUpdate {
            issuer: value.issuer,
            label: value.label,
            note: value.note,
            icon: if value.remove_icon {
                Some(None)
            } else {
                value.icon.map(Some)
            },
            groups: value.groups,
            favorite: value.favorite,
            position: value.position,
        }
    }
}

/// The code of one account at one instant, as `codes` returns it. Printing it does not show
/// the code. Superseded by `DisplayCode` (`Vault.code_list`), which adds what a screen shows.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct AccountCode {
    /// Stable id.
    pub id: String,
    /// Service name.
    pub issuer: String,
    /// Account name.
    pub label: String,
    /// TOTP, HOTP or Steam.
    pub kind: OtpKind,
    /// Seconds per code; `null`/`nil` for HOTP (whose codes do not expire) and without a code.
    pub period: Option<u32>,
    /// The code, or `null`/`nil` when this account cannot produce one (see `problem`).
    pub code: Option<String>,
    /// Why this one account has no code (e.g. its stored data failed the integrity check);
    /// the other accounts are unaffected.
    pub problem: Option<String>,
    /// Seconds until the code changes (1..=period); 0 for HOTP, whose codes do not expire.
    pub remaining_seconds: u32,
    /// Pinned to the top.
    pub favorite: bool,
}

impl std::fmt::Debug for AccountCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountCode")
            .field("id", &self.id)
            .field("issuer", &self.issuer)
            .field("label", &self.label)
            .field("kind", &self.kind)
            .field("period", &self.period)
            .field("code", &self.code.as_ref().map(|_| REDACTED))
            .field("problem", &self.problem)
            .field("remaining_seconds", &self.remaining_seconds)
            .field("favorite", &self.favorite)
            .finish()
    }
}

impl From<core::CodeEntry> for AccountCode {
    fn from(value: core::CodeEntry) -> Self {
        let (code, problem) = match value.code {
            Ok(code) => (Some(code.text().as_str().to_owned()), None),
            Err(error) => (None, Some(TesseraError::from(error).to_string())),
        };
        AccountCode {
            id: value.id.to_string(),
            issuer: value.issuer,
            label: value.label,
            kind: value.kind.into(),
            period: value.period,
            code,
            problem,
            remaining_seconds: value.remaining_seconds,
            favorite: value.favorite,
        }
    }
}

/// What happened to one account of a batch add or a backup import.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AddOutcome {
    /// Stored under this new id.
    Added {
        /// The new account's id.
        id: String,
    },
    /// Not stored: the vault already holds the same account.
    Duplicate {
        /// The id of the account already there.
        existing_id: String,
    },
    /// Not stored: the account is invalid.
    Rejected {
        /// Why (never secret material).
        reason: String,
    },
}

impl From<core::AddOutcome> for AddOutcome {
    fn from(value: core::AddOutcome) -> Self {
        match value {
            core::AddOutcome::Added(id) => AddOutcome::Added { id: id.to_string() },
            core::AddOutcome::Duplicate(id) => AddOutcome::Duplicate {
                existing_id: id.to_string(),
            },
            core::AddOutcome::Rejected(reason) => AddOutcome::Rejected { reason },
        }
    }
}

/// Argon2id cost of a password slot or a backup. Apps normally leave it out (the default is
/// 64 MiB and 3 passes). A cost below OWASP's Argon2id minimums (46 MiB × 1 pass, 19 MiB × 2,
/// 12 MiB × 3, 9 MiB × 4 or 7 MiB × 5) is refused with `InvalidInput`; very small devices
/// can use the 7 MiB × 5 row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism.
    pub parallelism: u32,
}

impl From<KdfParams> for core::KdfParams {
    fn from(value: KdfParams) -> Self {
        core::KdfParams {
            memory_kib: value.memory_kib,
            iterations: value.iterations,
            parallelism: value.parallelism,
        }
    }
}

/// The cost an app asked for, or the default; refused below OWASP's floor.
pub(crate) fn kdf(params: Option<KdfParams>) -> Result<core::KdfParams> {
    let params = params.map_or(core::KdfParams::DEFAULT, Into::into);
    params.check_floor()?;
    Ok(params)
}

fn account_id(id: &str) -> Result<AccountId> {
    Ok(AccountId::parse(id)?)
}

pub(crate) fn vault_path(path: &str) -> Result<&Path> {
    if path.trim().is_empty() {
        return Err(TesseraError::invalid("the vault path is empty"));
    }
    Ok(Path::new(path))
}

/// The encrypted store of the user's accounts: one SQLite file, secrets sealed with
/// AES-256-GCM under a vault key that the device's `KeyProvider` (and optionally a password)
/// unlocks. Safe to use from several threads at once.
#[derive(uniffi::Object)]
pub struct Vault {
    inner: RwLock<Option<Arc<core::Vault>>>,
    clock: Option<Arc<dyn Clock>>,
}

impl Vault {
    /// The app's clock, if it gave one.
    pub(crate) fn clock(&self) -> Option<&Arc<dyn Clock>> {
        self.clock.as_ref()
    }

    pub(crate) fn wrap(vault: core::Vault, clock: Option<Arc<dyn Clock>>) -> Arc<Self> {
        Arc::new(Vault {
            inner: RwLock::new(Some(Arc::new(vault))),
            clock,
        })
    }

    /// The device clock: the app's `Clock` (read once and carried on by a monotonic timer, so
    /// a round trip's two readings agree) or the system's. Not corrected.
    pub(crate) fn device_clock(&self) -> Result<Box<dyn tessera_core::clock::Clock>> {
        crate::platform::device_clock(self.clock.as_ref())
    }

    /// The vault's time in Unix seconds: its clock plus the stored server-time offset (see
    /// `server_time`). Codes and push requests are computed at this time.
    pub(crate) fn corrected_now(&self) -> Result<u64> {
        let device = now(self.clock.as_ref())?;
        Ok(self.unlocked()?.corrected_now(device)?)
    }

    /// [`Vault::corrected_now`] in milliseconds.
    pub(crate) fn corrected_millis(&self) -> Result<u64> {
        let device = now_millis(self.clock.as_ref())?;
        Ok(self.unlocked()?.corrected_millis(device)?)
    }

    /// The open core vault, or `Locked` after `lock()`. A poisoned lock only means another
    /// thread panicked while holding it; the `Option` inside is still consistent.
    pub(crate) fn unlocked(&self) -> Result<Arc<core::Vault>> {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        guard.clone().ok_or_else(|| TesseraError::Locked {
            reason: "the vault was locked; open it again".into(),
        })
    }
}

#[uniffi::export]
impl Vault {
    /// Creates a new vault file at `path` with a fresh random key wrapped by `keys`. Never
    /// overwrites an existing vault (`InvalidInput`). `clock` supplies the time codes are
    /// computed at (the system clock when absent).
    #[uniffi::constructor(default(clock = None))]
    pub fn create(
        path: String,
        keys: Arc<dyn KeyProvider>,
        clock: Option<Arc<dyn Clock>>,
    ) -> Result<Arc<Self>> {
        let vault = core::Vault::create(vault_path(&path)?, &ForeignKeys(keys))?;
        Ok(Vault::wrap(vault, clock))
    }

    /// Opens the vault at `path` with the device key alone. `WrongKey` when `keys` does not
    /// open it; `NotFound` when there is no vault. An unlock screen uses `Unlocker`, which
    /// also falls back to the password and registers a lost device key again.
    #[uniffi::constructor(default(clock = None))]
    pub fn open(
        path: String,
        keys: Arc<dyn KeyProvider>,
        clock: Option<Arc<dyn Clock>>,
    ) -> Result<Arc<Self>> {
        let vault = core::Vault::open_with_device(vault_path(&path)?, &ForeignKeys(keys))?;
        Ok(Vault::wrap(vault, clock))
    }

    /// Opens the vault at `path` with its password alone (slow by design: Argon2id). An
    /// unlock screen uses `Unlocker`, which also registers a lost device key again.
    #[uniffi::constructor(default(clock = None))]
    pub fn open_with_password(
        path: String,
        password: String,
        clock: Option<Arc<dyn Clock>>,
    ) -> Result<Arc<Self>> {
        let vault = core::Vault::open_with_password(vault_path(&path)?, &password)?;
        Ok(Vault::wrap(vault, clock))
    }

    /// Locks the vault: the key is dropped from memory and every later call fails with
    /// `Locked`. Open it again to continue. Locking twice is harmless.
    pub fn lock(&self) {
        let mut guard = self.inner.write().unwrap_or_else(|e| e.into_inner());
        *guard = None;
    }

    /// True after `lock()`.
    pub fn is_locked(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
    }

    /// Adds an account; returns its id. `Duplicate` when the same secret and parameters are
    /// already there; `InvalidInput` for a bad secret or parameters.
    pub fn add(&self, account: OtpAccount) -> Result<String> {
        let account = Account::try_from(account)?;
        Ok(self.unlocked()?.add(&account)?.to_string())
    }

    /// Adds the account of a scanned otpauth URI; returns its id. `InvalidInput` names the
    /// bad part of the URI; `Duplicate` when the account is already there.
    pub fn add_uri(&self, uri: String) -> Result<String> {
        let account = tessera_core::uri::parse_otp(&uri)?;
        Ok(self.unlocked()?.add(&account)?.to_string())
    }

    /// Adds many accounts in one transaction, reporting each one's outcome; invalid entries
    /// and duplicates are reported, not fatal.
    pub fn add_many(&self, accounts: Vec<OtpAccount>) -> Result<Vec<AddOutcome>> {
        // Entries that do not even convert are reported in place, like core's rejections.
        let mut converted = Vec::with_capacity(accounts.len());
        let mut early: Vec<Option<AddOutcome>> = Vec::with_capacity(accounts.len());
        for account in accounts {
            match Account::try_from(account) {
                Ok(account) => {
                    converted.push(account);
                    early.push(None);
                }
                Err(error) => early.push(Some(AddOutcome::Rejected {
                    reason: error.to_string(),
                })),
            }
        }
        let mut stored = self.unlocked()?.add_many(converted)?.into_iter();
        Ok(early
            .into_iter()
            .map(|slot| match slot {
                Some(rejected) => rejected,
                None => stored.next().map_or_else(
                    || AddOutcome::Rejected {
                        reason: "not processed".into(),
                    },
                    AddOutcome::from,
                ),
            })
            .collect())
    }

    /// The accounts not in the trash, in the user's order, narrowed by `filter`.
    #[uniffi::method(default(filter = None))]
    pub fn list(&self, filter: Option<ListFilter>) -> Result<Vec<AccountInfo>> {
        let filter = filter.unwrap_or_default().into();
        Ok(self
            .unlocked()?
            .list(&filter)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The accounts in the trash (restore or purge them).
    pub fn trash(&self) -> Result<Vec<AccountInfo>> {
        Ok(self
            .unlocked()?
            .trash()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Every group name in use, sorted.
    pub fn groups(&self) -> Result<Vec<String>> {
        Ok(self.unlocked()?.groups()?)
    }

    /// One account by id, without its secret or note (also in the trash). `NotFound` for an
    /// unknown id. A damaged row comes back with `damaged` set.
    pub fn account_info(&self, id: String) -> Result<AccountInfo> {
        Ok(self.unlocked()?.summary(&account_id(&id)?)?.into())
    }

    /// One account by id with its secret and note (also in the trash), e.g. to show the secret
    /// for manual entry elsewhere, or to pass to `format_otp_uri` for a QR code another app
    /// scans. Only call it when the user asks for it; printing the result does not show the
    /// secret or the note. `NotFound` for an unknown id, `Integrity` for a damaged row.
    pub fn account_with_secret(&self, id: String) -> Result<OtpAccount> {
        let account = self.unlocked()?.get(&account_id(&id)?)?;
        Ok(OtpAccount::from(&account))
    }

    /// Changes an account's details (never its secret). `NotFound` for an unknown id.
    pub fn update(&self, id: String, change: AccountChange) -> Result<()> {
        Ok(self.unlocked()?.update(&account_id(&id)?, &change.into())?)
    }

    /// Moves account `id` to just before account `before` in the user's order (`None`: to the
    /// end): the row a drag in the codes list was dropped on, whatever the list leaves out
    /// (search, group, favorites drawn first). `NotFound` for an unknown or trashed account.
    #[uniffi::method(default(before = None))]
    pub fn move_before(&self, id: String, before: Option<String>) -> Result<()> {
        let before = before.as_deref().map(account_id).transpose()?;
        Ok(self
            .unlocked()?
            .move_before(&account_id(&id)?, before.as_ref())?)
    }

    /// Moves an account to the trash (restore brings it back, purge deletes it for good).
    /// Refused (`Other`, naming the container) while a privacyIDEA container that manages the
    /// account forbids deleting its tokens on the device.
    pub fn delete(&self, id: String) -> Result<()> {
        let vault = self.unlocked()?;
        Ok(tessera_core::container::delete_account(
            &vault,
            &account_id(&id)?,
        )?)
    }

    /// Brings an account back from the trash.
    pub fn restore(&self, id: String) -> Result<()> {
        Ok(self.unlocked()?.restore(&account_id(&id)?)?)
    }

    /// Deletes an account from the trash for good.
    pub fn purge(&self, id: String) -> Result<()> {
        Ok(self.unlocked()?.purge(&account_id(&id)?)?)
    }

    /// The code list a screen shows, now by the vault's clock corrected by the server time
    /// (`server_time`): the accounts `query` keeps
    /// (all when absent), favorites first, then the user's order, each with its code grouped
    /// for reading, its display name, when it stops being valid and how much of its period is
    /// left, and when the first of them changes (`next_change_in_ms`: the one timer a screen
    /// needs). HOTP accounts show their current code; nothing is incremented. A damaged
    /// account shows its `problem` instead of a code; the others are unaffected.
    #[uniffi::method(default(query = None))]
    pub fn code_list(&self, query: Option<CodesQuery>) -> Result<CodeList> {
        let at = self.corrected_millis()?;
        self.code_list_at(query, at)
    }

    /// `code_list` at an explicit Unix time in milliseconds.
    pub fn code_list_at(&self, query: Option<CodesQuery>, unix_ms: u64) -> Result<CodeList> {
        let query = query.unwrap_or_default().into();
        Ok(self.unlocked()?.code_list_at(&query, unix_ms)?.into())
    }

    /// Watches the code list of `query`: `listener` receives it at once, then each time a code
    /// in it changes and after each change made through this vault, from a Tessera thread that
    /// sleeps in between (no timer in the app). Call `set_query` on the watch when the search
    /// changes and `stop()` when the screen goes away. It holds no reference that keeps the
    /// vault unlocked: after `lock()` the listener receives `Locked` and the watch ends.
    pub fn watch_codes(
        &self,
        query: CodesQuery,
        listener: Arc<dyn CodesListener>,
    ) -> Result<Arc<CodesWatch>> {
        let vault = self.unlocked()?;
        let source = VaultCodes {
            vault: Arc::downgrade(&vault),
            clock: self.clock.clone(),
        };
        codes::watch(&vault, source, query, listener)
    }

    /// The codes of every account not in the trash, now by the vault's clock corrected by the
    /// server time, in list order,
    /// in one call. HOTP accounts show their current code; nothing is incremented. Superseded
    /// by `code_list`, which adds grouping, names, validity, search and the next change.
    pub fn codes(&self) -> Result<Vec<AccountCode>> {
        let unix = self.corrected_now()?;
        self.codes_at(unix)
    }

    /// `codes` at an explicit Unix time (seconds).
    pub fn codes_at(&self, unix_time: u64) -> Result<Vec<AccountCode>> {
        Ok(self
            .unlocked()?
            .codes_at(unix_time)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Advances an HOTP account's counter and returns the new code. The counter is saved
    /// before the code is returned, so no code is ever shown twice.
    pub fn next_hotp(&self, id: String) -> Result<OtpCode> {
        let code = self.unlocked()?.next_hotp(&account_id(&id)?)?;
        Ok(OtpCode {
            code: code.text().as_str().to_owned(),
            remaining_seconds: 0,
            period: None,
        })
    }

    /// The whole vault (not the trash) as one encrypted backup file protected by `password`
    /// (`export_from_vault` with `TesseraBackup` writes the same at the default cost). Restore
    /// it with `import_into_vault`.
    #[uniffi::method(default(kdf = None))]
    pub fn export_backup(&self, password: String, kdf: Option<KdfParams>) -> Result<Vec<u8>> {
        Ok(self
            .unlocked()?
            .export_backup_with(&password, self::kdf(kdf)?)?)
    }

    /// Adds or replaces the password that can unlock the vault besides the device key.
    #[uniffi::method(default(kdf = None))]
    pub fn set_password(&self, password: String, kdf: Option<KdfParams>) -> Result<()> {
        Ok(self.unlocked()?.set_password(&password, self::kdf(kdf)?)?)
    }

    /// Removes the password. Refused (`Locked`) unless the device key opened the vault in
    /// this session, so the vault always keeps a way to be unlocked.
    pub fn remove_password(&self) -> Result<()> {
        Ok(self.unlocked()?.remove_password()?)
    }

    /// True when a password can unlock the vault.
    pub fn has_password(&self) -> Result<bool> {
        Ok(self.unlocked()?.has_password()?)
    }

    /// Makes a new recovery key, replacing (revoking) any earlier one, and returns it as it is
    /// to be printed or written down: seven groups of four symbols. Show it once and let it
    /// go; Tessera keeps no readable copy. It unlocks the vault through
    /// `Unlocker.unlockWithRecoveryKey` when the device key is gone and the password forgotten.
    pub fn create_recovery_key(&self) -> Result<String> {
        let key = self.unlocked()?.create_recovery_key()?;
        // The foreign side owns the string from here (a Kotlin or Swift string cannot be
        // wiped); the Rust copy is wiped when `key` drops.
        Ok(key.as_str().to_owned())
    }

    /// Removes the recovery key; it no longer opens the vault. Refused (`Locked`) when it
    /// might be the only way in left: no password, and the device key not proven this session.
    pub fn revoke_recovery_key(&self) -> Result<()> {
        Ok(self.unlocked()?.revoke_recovery_key()?)
    }

    /// True when a recovery key can unlock the vault.
    pub fn has_recovery_key(&self) -> Result<bool> {
        Ok(self.unlocked()?.has_recovery_key()?)
    }

    /// Registers a (new) device key, e.g. after the platform invalidated the old one and the
    /// user unlocked with the password.
    pub fn set_key_provider(&self, keys: Arc<dyn KeyProvider>) -> Result<()> {
        Ok(self.unlocked()?.set_device_key(&ForeignKeys(keys))?)
    }
}
