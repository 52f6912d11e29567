//! The encrypted account store.
//!
//! A [`Vault`] is one SQLite file in WAL mode with exactly one writer connection (behind a
//! mutex, so the vault is `Send + Sync`). A random 256-bit *vault key* seals each account's
//! secret, note and extra parameters with AES-256-GCM: a fresh random nonce per write, and
//! additional data binding every ciphertext to its table, account id and field, so a
//! ciphertext moved elsewhere fails to open. Issuer, label, OTP parameters, groups, icon,
//! favorite flag and position stay in clear, for sorting and searching without the key.
//!
//! The vault key itself is stored only wrapped, in key slots: a *device* slot wrapped by a
//! platform [`KeyProvider`] (the CLI's is a [`KeyFile`]) and an optional *password* slot
//! wrapped by an Argon2id-derived key whose parameters are stored in the slot. Either unlocks.
//! `docs/vault.md` describes the file and the backup format.
//!
//! Every write is one SQLite transaction with `synchronous = FULL`: it happens completely or
//! not at all, and once a call returns `Ok` the change survives a crash or a power cut.

mod accounts;
mod autobackup;
mod backup;
mod codes;
mod db;
mod error;
mod icons;
mod integrity;
pub(crate) use integrity::retag_account;
mod keys;
mod model;
mod recovery;
mod schema;
mod slots;
mod unlock;

use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, Weak};

use rusqlite::Connection;

pub use autobackup::{
    AutoBackupOutcome, AutoBackupStatus, BackupDestination, DEFAULT_KEEP, DirDestination,
    FoundBackup, MAX_WAIT_SECONDS, PASSWORD_CHECK_SECONDS, QUIET_SECONDS, read_latest_backup,
};
pub use backup::{
    BACKUP_EXTENSION, BACKUP_FORMAT_VERSION, BACKUP_KDF_MAX, BACKUP_MAGIC, MAX_BACKUP_BYTES,
    read_backup,
};
pub(crate) use backup::{
    parse_payload as parse_backup_payload, payload_json as backup_payload_json,
};
pub use error::VaultError;
pub use keys::{KEY_LEN, KdfParams, KeyFile, KeyProvider, KeyProviderError};
pub use model::{AccountId, AccountSummary, AccountUpdate, AddOutcome, CodeEntry, ListFilter};
pub use schema::SCHEMA_VERSION;
pub use unlock::{
    DeviceKeyFailure, DeviceKeyRenewal, UnlockMethod, Unlocked, Unlocker, VaultStatus,
};

pub(crate) use integrity::Field;
pub(crate) use keys::{Binding, VaultKey};

/// The state behind the vault's mutex: the one writer connection, the key and the code
/// cache. Its methods live in the module of their concern (`accounts`, `codes`, `slots`, `db`).
struct Inner {
    conn: Connection,
    key: VaultKey,
    /// True once the device slot is known to open this vault in this session.
    device_verified: bool,
    /// Generators of every account not in the trash, in list order; `None` after a change.
    cache: Option<Vec<codes::CachedAccount>>,
    /// `PRAGMA data_version` when the cache was built: it changes when another connection
    /// (e.g. another `tessera` process) commits, which invalidates the cache.
    cache_data_version: i64,
    /// Told after every change made through this handle (code list watches); dead ones are
    /// dropped as they are found.
    change_listeners: Vec<Weak<dyn ChangeListener>>,
}

/// Something that wants to know when the vault changed through this handle (an account
/// added, edited, trashed, a counter advanced, a push or container table written): the app
/// model's code list watch. Called with the vault's lock held: it must only take note (set a
/// flag, wake a thread), never call back into the vault.
pub(crate) trait ChangeListener: Send + Sync {
    /// The vault changed.
    fn changed(&self);
}

/// The encrypted account store. Cheap to share across threads (`Send + Sync`).
pub struct Vault {
    path: PathBuf,
    inner: Mutex<Inner>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}
