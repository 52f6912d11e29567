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

mod backup;
mod keys;
mod schema;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use zeroize::{Zeroize, Zeroizing};

use crate::account::{Account, AccountMeta, Algorithm, OtpKind, OtpParams};
use crate::otp::{Code, Generator};
use crate::secret::Secret;

pub use backup::{
    BACKUP_FORMAT_VERSION, BACKUP_KDF_MAX, BACKUP_MAGIC, MAX_BACKUP_BYTES, read_backup,
};
pub use keys::{KEY_LEN, KdfParams, KeyFile, KeyProvider, KeyProviderError};
pub use schema::SCHEMA_VERSION;

pub(crate) use keys::{Binding, VaultKey};

/// Why a vault operation failed. Every variant says what the user can do; none carries a
/// secret, a code, a password or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// There is no vault file at the path.
    #[error("no vault at {path}; create one with `tessera init`")]
    NoVault {
        /// The path that was tried.
        path: String,
    },
    /// `create` found a vault already there; it is never overwritten.
    #[error("a vault already exists at {path}")]
    AlreadyExists {
        /// The existing vault.
        path: String,
    },
    /// The file exists but is not a Tessera vault (another database, or another kind of file).
    #[error("{path} is not a Tessera vault")]
    NotAVault {
        /// The file.
        path: String,
    },
    /// The vault was written by a newer Tessera.
    #[error(
        "this vault uses schema version {found}, newer than this Tessera understands ({supported}); update Tessera"
    )]
    NewerSchema {
        /// Version in the file.
        found: i64,
        /// Highest version this code reads.
        supported: i64,
    },
    /// The password does not open the password slot.
    #[error("wrong password")]
    WrongPassword,
    /// The vault has no password slot.
    #[error("this vault has no password; unlock it with the device key")]
    NoPassword,
    /// The device key unwrapped something that is not this vault's key.
    #[error("the device key does not open this vault; unlock it with its password")]
    WrongDeviceKey,
    /// The platform keystore failed.
    #[error(transparent)]
    KeyProvider(#[from] KeyProviderError),
    /// Removing the password would leave no working way to unlock.
    #[error(
        "the device key of this vault was not verified in this session; unlock with the device key (or re-register it) before removing the password"
    )]
    DeviceKeyUnverified,
    /// A new password that cannot be used (e.g. empty).
    #[error("unusable password: {0}")]
    InvalidPassword(String),
    /// Argon2id parameters outside what Tessera computes.
    #[error("invalid key derivation parameters: {0}")]
    InvalidKdfParams(String),
    /// No account has this id.
    #[error("no account with id {id}")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// An id prefix matches more than one account.
    #[error("the id prefix {prefix} matches several accounts; give more characters")]
    AmbiguousId {
        /// The prefix given.
        prefix: String,
    },
    /// An account with the same secret and parameters already exists.
    #[error("{}", duplicate_message(existing, *in_trash))]
    Duplicate {
        /// The account already in the vault.
        existing: AccountId,
        /// True when that account is in the trash (restore it instead).
        in_trash: bool,
    },
    /// An account's encrypted data was modified or damaged; the other accounts still work.
    #[error(
        "account {account} failed its integrity check: its stored data was modified or damaged (restore it from a backup)"
    )]
    Integrity {
        /// The damaged account.
        account: AccountId,
    },
    /// An account that cannot be stored (bad parameters, empty secret).
    #[error("invalid account: {0}")]
    InvalidAccount(String),
    /// Another process holds the vault's write lock for too long.
    #[error("the vault is busy (another Tessera process is writing to it); try again")]
    Busy,
    /// The database file itself is damaged.
    #[error("the vault file is damaged ({0}); restore it from a backup")]
    Corrupt(String),
    /// Any other storage failure (disk full, permissions, I/O).
    #[error("vault storage error: {0}")]
    Storage(String),
    /// The backup password is wrong; nothing was imported.
    #[error("wrong backup password")]
    BackupWrongPassword,
    /// The backup file is truncated, modified or not a Tessera backup; nothing was imported.
    #[error("damaged backup: {0}")]
    BackupDamaged(String),
    /// The backup was written by a newer Tessera.
    #[error(
        "this backup uses format version {found}, newer than this Tessera reads ({supported}); update Tessera"
    )]
    BackupNewerVersion {
        /// Version in the file.
        found: u16,
        /// Highest version this code reads.
        supported: u16,
    },
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

fn duplicate_message(existing: &AccountId, in_trash: bool) -> String {
    if in_trash {
        format!("this account is already in the vault's trash (id {existing}); restore it instead")
    } else {
        format!("this account is already in the vault (id {existing})")
    }
}

impl From<rusqlite::Error> for VaultError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => VaultError::Busy,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                VaultError::Corrupt(error.to_string())
            }
            // rusqlite's messages name SQL and error codes, never bound values, and this module
            // binds no plaintext secret anyway.
            _ => VaultError::Storage(error.to_string()),
        }
    }
}

/// The stable identifier of an account (a random UUID), used by every shell and by backups.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct AccountId(String);

impl AccountId {
    fn make() -> AccountId {
        AccountId(uuid::Uuid::new_v4().hyphenated().to_string())
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

/// What happened to one account of [`Vault::add_many`] (and of a backup import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    /// Stored under this new id.
    Added(AccountId),
    /// Not stored: the vault already holds an account with the same codes (this id).
    Duplicate(AccountId),
    /// Not stored: the account is invalid (the reason; never secret material).
    Rejected(String),
}

/// Which accounts [`Vault::list`] returns. The default lists every account not in the trash.
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
    /// Position in the user's order (smaller first, after favorites).
    pub position: i64,
    /// Unix time the account was added.
    pub created_at: u64,
    /// Unix time it was moved to the trash, if it is there.
    pub trashed_at: Option<u64>,
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

/// The code of one account at one instant, as [`Vault::codes_at`] returns it.
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
    /// Time step in seconds (time-based kinds).
    pub period: u32,
    /// The code, or why this one account cannot produce one (e.g. [`VaultError::Integrity`]).
    pub code: Result<Code, VaultError>,
    /// Seconds until the code changes (1..=period); 0 for HOTP, whose code does not expire.
    pub remaining_seconds: u32,
    /// Pinned to the top.
    pub favorite: bool,
}

/// A decrypted account ready to produce codes. Its generator holds the prepared key, which
/// totp-rs wipes on drop.
struct CachedAccount {
    id: AccountId,
    issuer: String,
    label: String,
    params: OtpParams,
    favorite: bool,
    generator: Result<Generator, VaultError>,
    /// The last code computed and its moving factor: a refresh within the same time step
    /// (a watch loop redraws every second) costs no HMAC.
    last: Option<(u64, Code)>,
}

struct Inner {
    conn: Connection,
    key: VaultKey,
    /// True once the device slot is known to open this vault in this session.
    device_verified: bool,
    /// Generators of every account not in the trash, in list order; `None` after a change.
    cache: Option<Vec<CachedAccount>>,
    /// `PRAGMA data_version` when the cache was built: it changes when another connection
    /// (e.g. another `tessera` process) commits, which invalidates the cache.
    cache_data_version: i64,
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

const KEY_CHECK_PLAINTEXT: &[u8] = b"tessera vault key check v1";
const KEY_CHECK: Binding<'static> = Binding {
    table: "vault_meta",
    row: "key_check",
    field: "value",
};
const PASSWORD_SLOT_AAD: &[u8] = b"tessera/v1/key_slots/password";

/// Order of lists and codes: favorites first, then the user's order.
const ORDER: &str = "ORDER BY favorite DESC, position, id";

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

/// Opens the SQLite file and applies the connection settings every vault connection uses.
fn open_connection(path: &Path, create: bool) -> Result<Connection, VaultError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    } else if !path.exists() {
        return Err(VaultError::NoVault {
            path: path_text(path),
        });
    }
    let not_a_vault = |e: VaultError| match e {
        VaultError::Corrupt(_) => VaultError::NotAVault {
            path: path_text(path),
        },
        other => other,
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // WAL: readers never block the writer, and a crash never corrupts committed data.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|e| not_a_vault(e.into()))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(VaultError::Storage(format!(
            "cannot switch the vault to WAL mode (got {mode})"
        )));
    }
    conn.execute_batch(
        // FULL: a transaction that returned is on disk, even after a power cut.
        // temp_store MEMORY: SQLite never writes temporary files.
        // secure_delete: purged rows are overwritten, not left in free pages.
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;",
    )?;
    Ok(conn)
}

fn user_version(conn: &Connection) -> Result<i64, VaultError> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

/// Checks that the file is a Tessera vault and upgrades its schema if it is older.
fn check_and_migrate(conn: &mut Connection, path: &Path) -> Result<(), VaultError> {
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |row| row.get(0))?;
    let version = user_version(conn)?;
    if app_id != schema::APPLICATION_ID || version == 0 {
        return Err(VaultError::NotAVault {
            path: path_text(path),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(VaultError::NewerSchema {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version < SCHEMA_VERSION {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Re-read under the write lock: another process may have migrated meanwhile.
        let version = user_version(&tx)?;
        schema::migrate(&tx, version)?;
        tx.commit()?;
    }
    Ok(())
}

fn now() -> i64 {
    crate::otp::unix_now() as i64
}

fn lock(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic while holding the lock cannot leave SQLite half-written (transactions roll back
    // on drop), so a poisoned lock is safe to keep using.
    inner
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn account_binding<'a>(id: &'a str, field: &'a str) -> Binding<'a> {
    Binding {
        table: "accounts",
        row: id,
        field,
    }
}

/// The parts of an account that are sealed together with the note: extra URI parameters can
/// hold PINs, so they are encrypted too.
fn encode_extra(extra: &[(String, String)]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(serde_json::to_vec(extra).unwrap_or_else(|_| b"[]".to_vec()))
}

fn params_from_columns(
    kind: &str,
    algorithm: &str,
    digits: i64,
    period: i64,
    counter: i64,
) -> Option<OtpParams> {
    let kind = OtpKind::from_name(kind)?;
    let params = OtpParams {
        kind,
        algorithm: Algorithm::parse(algorithm)?,
        digits: u8::try_from(digits).ok()?,
        period: u32::try_from(period).ok()?,
        // Counters are stored as the same 64 bits in SQLite's signed integer.
        counter: counter as u64,
    };
    params.validate().ok()?;
    Some(params)
}

/// Validates what `add` stores.
fn check_account(account: &Account) -> Result<(), String> {
    account.params.validate().map_err(|e| e.to_string())?;
    if account.secret.is_empty() {
        return Err("the secret is empty".into());
    }
    Ok(())
}

impl Inner {
    fn invalidate(&mut self) {
        self.cache = None;
    }

    fn data_version(&self) -> Result<i64, VaultError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }

    fn find_duplicate(
        tx: &Connection,
        fingerprint: &[u8],
    ) -> Result<Option<(AccountId, bool)>, VaultError> {
        Ok(tx
            .query_row(
                "SELECT id, trashed_at IS NOT NULL FROM accounts WHERE fingerprint = ?1
                 ORDER BY trashed_at IS NOT NULL, position LIMIT 1",
                [fingerprint],
                |row| Ok((AccountId(row.get(0)?), row.get(1)?)),
            )
            .optional()?)
    }

    /// Inserts one account inside `tx`; the caller commits.
    fn insert(
        key: &VaultKey,
        tx: &Transaction<'_>,
        account: &Account,
        next_position: &mut i64,
    ) -> Result<AddOutcome, VaultError> {
        if let Err(reason) = check_account(account) {
            return Ok(AddOutcome::Rejected(reason));
        }
        let fingerprint = key.fingerprint(account);
        if let Some((existing, _)) = Inner::find_duplicate(tx, &fingerprint)? {
            return Ok(AddOutcome::Duplicate(existing));
        }
        let id = AccountId::make();
        let secret = key.seal(account_binding(&id.0, "secret"), account.secret.as_bytes())?;
        let note = key.seal(account_binding(&id.0, "note"), account.meta.note.as_bytes())?;
        let extra = key.seal(
            account_binding(&id.0, "extra"),
            &encode_extra(&account.extra),
        )?;
        let position = *next_position;
        *next_position += 1;
        let p = &account.params;
        let at = now();
        tx.execute(
            "INSERT INTO accounts (id, position, issuer, label, kind, algorithm, digits, period,
                 counter, secret, note, extra, icon, favorite, fingerprint, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
            params![
                id.0,
                position,
                account.issuer,
                account.label,
                p.kind.as_str(),
                p.algorithm.as_str(),
                p.digits,
                p.period,
                p.counter as i64,
                secret,
                note,
                extra,
                account.meta.icon,
                account.meta.favorite,
                fingerprint,
                at
            ],
        )?;
        set_groups(tx, &id, &account.meta.groups)?;
        Ok(AddOutcome::Added(id))
    }

    fn build_cache(&self) -> Result<Vec<CachedAccount>, VaultError> {
        // No ORDER BY: SQLite would sort whole rows (secrets included) through a temporary
        // b-tree; sorting the prepared entries afterwards is much cheaper.
        let mut stmt = self.conn.prepare(
            "SELECT id, issuer, label, kind, algorithm, digits, period, counter, favorite, secret,
                    position
             FROM accounts WHERE trashed_at IS NULL",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        let mut positions = Vec::new();
        while let Some(row) = rows.next()? {
            let id = AccountId(row.get(0)?);
            let params = params_from_columns(
                row.get_ref(3)?.as_str().unwrap_or(""),
                row.get_ref(4)?.as_str().unwrap_or(""),
                row.get(5)?,
                row.get(6)?,
                row.get(7)?,
            );
            let sealed = row.get_ref(9)?.as_blob().unwrap_or(&[]);
            let generator = match (
                params,
                self.key.open(account_binding(&id.0, "secret"), sealed),
            ) {
                (Some(params), Some(mut plain)) => {
                    // Move the buffer into the Secret instead of copying it.
                    let secret = Secret::from_bytes(std::mem::take(&mut *plain));
                    Generator::new(&secret, &params).map_err(|_| VaultError::Integrity {
                        account: id.clone(),
                    })
                }
                _ => Err(VaultError::Integrity {
                    account: id.clone(),
                }),
            };
            positions.push(row.get::<_, i64>(10)?);
            out.push(CachedAccount {
                issuer: row.get(1)?,
                label: row.get(2)?,
                params: params.unwrap_or_default(),
                favorite: row.get(8)?,
                generator,
                last: None,
                id,
            });
        }
        // The list order (ORDER): favorites first, then position, then id.
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            (!out[a].favorite, positions[a], &out[a].id).cmp(&(
                !out[b].favorite,
                positions[b],
                &out[b].id,
            ))
        });
        let mut slots: Vec<Option<CachedAccount>> = out.into_iter().map(Some).collect();
        Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
    }

    fn read_account(&self, id: &AccountId) -> Result<(Account, Option<i64>), VaultError> {
        let row = self
            .conn
            .query_row(
                "SELECT issuer, label, kind, algorithm, digits, period, counter, secret, note,
                        extra, icon, favorite, trashed_at
                 FROM accounts WHERE id = ?1",
                [&id.0],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        params_from_columns(
                            row.get_ref(2)?.as_str().unwrap_or(""),
                            row.get_ref(3)?.as_str().unwrap_or(""),
                            row.get(4)?,
                            row.get(5)?,
                            row.get(6)?,
                        ),
                        row.get::<_, Vec<u8>>(7)?,
                        row.get::<_, Vec<u8>>(8)?,
                        row.get::<_, Vec<u8>>(9)?,
                        row.get::<_, Option<String>>(10)?,
                        row.get::<_, bool>(11)?,
                        row.get::<_, Option<i64>>(12)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| VaultError::NotFound { id: id.0.clone() })?;
        let (issuer, label, params, secret, note, extra, icon, favorite, trashed_at) = row;
        let integrity = || VaultError::Integrity {
            account: id.clone(),
        };
        let params = params.ok_or_else(integrity)?;
        let secret = self
            .key
            .open(account_binding(&id.0, "secret"), &secret)
            .ok_or_else(integrity)?;
        let note = self
            .key
            .open(account_binding(&id.0, "note"), &note)
            .ok_or_else(integrity)?;
        let extra = self
            .key
            .open(account_binding(&id.0, "extra"), &extra)
            .ok_or_else(integrity)?;
        let note = String::from_utf8(note.to_vec()).map_err(|_| integrity())?;
        let extra: Vec<(String, String)> =
            serde_json::from_slice(&extra).map_err(|_| integrity())?;
        let groups = groups_of(&self.conn, id)?;
        let account = Account {
            issuer,
            label,
            secret: Secret::from_bytes(secret.to_vec()),
            params,
            meta: AccountMeta {
                note,
                icon,
                groups,
                favorite,
            },
            extra,
        };
        Ok((account, trashed_at))
    }

    fn exists(&self, id: &AccountId) -> Result<Option<bool>, VaultError> {
        Ok(self
            .conn
            .query_row(
                "SELECT trashed_at IS NOT NULL FROM accounts WHERE id = ?1",
                [&id.0],
                |row| row.get(0),
            )
            .optional()?)
    }

    fn verify_key(conn: &Connection, key: &VaultKey) -> Result<bool, VaultError> {
        let check: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM vault_meta WHERE name = 'key_check'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        Ok(check
            .and_then(|c| key.open(KEY_CHECK, &c))
            .is_some_and(|plain| plain.as_slice() == KEY_CHECK_PLAINTEXT))
    }
}

fn groups_of(conn: &Connection, id: &AccountId) -> Result<Vec<String>, VaultError> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.name FROM account_groups ag JOIN groups g ON g.id = ag.group_id
         WHERE ag.account_id = ?1 ORDER BY g.name",
    )?;
    let names = stmt
        .query_map([&id.0], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(names)
}

fn set_groups(conn: &Connection, id: &AccountId, groups: &[String]) -> Result<(), VaultError> {
    conn.execute("DELETE FROM account_groups WHERE account_id = ?1", [&id.0])?;
    for name in groups {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        conn.execute("INSERT OR IGNORE INTO groups (name) VALUES (?1)", [name])?;
        conn.execute(
            "INSERT OR IGNORE INTO account_groups (account_id, group_id)
             SELECT ?1, id FROM groups WHERE name = ?2",
            params![id.0, name],
        )?;
    }
    conn.execute(
        "DELETE FROM groups WHERE id NOT IN (SELECT group_id FROM account_groups)",
        [],
    )?;
    Ok(())
}

fn write_device_slot(
    conn: &Connection,
    key: &VaultKey,
    device: &dyn KeyProvider,
) -> Result<(), VaultError> {
    let wrapped = device.wrap(key.raw())?;
    conn.execute(
        "INSERT INTO key_slots (kind, wrapped, updated_at) VALUES ('device', ?1, ?2)
         ON CONFLICT (kind) DO UPDATE SET wrapped = excluded.wrapped,
             updated_at = excluded.updated_at",
        params![wrapped, now()],
    )?;
    Ok(())
}

impl Vault {
    /// Creates a new vault at `path` with a fresh random vault key wrapped by `device`.
    /// Never overwrites: fails with [`VaultError::AlreadyExists`] if a vault is there. The
    /// whole creation is one transaction, so an interrupted `create` leaves an empty file
    /// that the next `create` reuses.
    pub fn create(path: &Path, device: &dyn KeyProvider) -> Result<Vault, VaultError> {
        if path.exists() {
            // An empty database is what an interrupted create leaves; anything else is kept.
            let probe = open_connection(path, false).map_err(|e| match e {
                VaultError::NotAVault { .. } | VaultError::Corrupt(_) => {
                    VaultError::AlreadyExists {
                        path: path_text(path),
                    }
                }
                other => other,
            })?;
            let tables: i64 =
                probe.query_row("SELECT COUNT(*) FROM sqlite_master", [], |row| row.get(0))?;
            if tables != 0 || user_version(&probe)? != 0 {
                return Err(VaultError::AlreadyExists {
                    path: path_text(path),
                });
            }
        }
        let raw = keys::make_key()?;
        let key = VaultKey::from_raw(&raw[..])?;
        // Issuers and labels are in clear: the file is for its owner only. SQLite gives the
        // -wal and -shm files the same permissions as the database.
        #[cfg(unix)]
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| {
                    VaultError::Storage(format!("cannot create {}: {e}", path.display()))
                })?;
        }
        let mut conn = open_connection(path, true)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing = user_version(&tx)?;
        if existing != 0 {
            return Err(VaultError::AlreadyExists {
                path: path_text(path),
            });
        }
        schema::migrate(&tx, 0)?;
        write_device_slot(&tx, &key, device)?;
        tx.execute(
            "INSERT INTO vault_meta (name, value) VALUES ('key_check', ?1)",
            [key.seal(KEY_CHECK, KEY_CHECK_PLAINTEXT)?],
        )?;
        tx.commit()?;
        Ok(Vault::from_parts(path, conn, key, true))
    }

    fn from_parts(path: &Path, conn: Connection, key: VaultKey, device_verified: bool) -> Vault {
        Vault {
            path: path.to_path_buf(),
            inner: Mutex::new(Inner {
                conn,
                key,
                device_verified,
                cache: None,
                cache_data_version: 0,
            }),
        }
    }

    /// Opens the vault at `path` with the device slot (the everyday unlock).
    pub fn open_with_device(path: &Path, device: &dyn KeyProvider) -> Result<Vault, VaultError> {
        let mut conn = open_connection(path, false)?;
        check_and_migrate(&mut conn, path)?;
        let wrapped: Vec<u8> = conn
            .query_row(
                "SELECT wrapped FROM key_slots WHERE kind = 'device'",
                [],
                |row| row.get(0),
            )
            .optional()?
            .ok_or(VaultError::WrongDeviceKey)?;
        let raw = device.unwrap(&wrapped).map_err(|e| match e {
            KeyProviderError::WrongKey => VaultError::WrongDeviceKey,
            other => VaultError::KeyProvider(other),
        })?;
        let key = VaultKey::from_raw(&raw).map_err(|_| VaultError::WrongDeviceKey)?;
        // A provider may return garbage instead of failing; the key check catches it.
        if !Inner::verify_key(&conn, &key)? {
            return Err(VaultError::WrongDeviceKey);
        }
        Ok(Vault::from_parts(path, conn, key, true))
    }

    /// Opens the vault at `path` with its password (Argon2id; slow by design).
    pub fn open_with_password(path: &Path, password: &str) -> Result<Vault, VaultError> {
        let mut conn = open_connection(path, false)?;
        check_and_migrate(&mut conn, path)?;
        let slot = conn
            .query_row(
                "SELECT wrapped, kdf_salt, kdf_memory_kib, kdf_iterations, kdf_parallelism
                 FROM key_slots WHERE kind = 'password'",
                [],
                |row| {
                    Ok((
                        row.get::<_, Vec<u8>>(0)?,
                        row.get::<_, Option<Vec<u8>>>(1)?,
                        row.get::<_, Option<i64>>(2)?,
                        row.get::<_, Option<i64>>(3)?,
                        row.get::<_, Option<i64>>(4)?,
                    ))
                },
            )
            .optional()?
            .ok_or(VaultError::NoPassword)?;
        let (wrapped, salt, memory, iterations, parallelism) = slot;
        let damaged = || VaultError::Corrupt("the password slot is incomplete".into());
        let to_u32 = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok()).ok_or_else(damaged);
        let params = KdfParams {
            memory_kib: to_u32(memory)?,
            iterations: to_u32(iterations)?,
            parallelism: to_u32(parallelism)?,
        };
        let kek = params.derive_key(password, &salt.ok_or_else(damaged)?)?;
        let raw = keys::open_with(&keys::aes_key(&kek[..]), PASSWORD_SLOT_AAD, &wrapped)
            .ok_or(VaultError::WrongPassword)?;
        let key = VaultKey::from_raw(&raw).map_err(|_| VaultError::WrongPassword)?;
        if !Inner::verify_key(&conn, &key)? {
            return Err(VaultError::WrongPassword);
        }
        Ok(Vault::from_parts(path, conn, key, false))
    }

    /// True when the vault at `path` has a password slot; tells a shell whether asking for a
    /// password can help before the vault is unlocked. Reads only; changes nothing.
    pub fn has_password_slot(path: &Path) -> Result<bool, VaultError> {
        let conn = open_connection(path, false)?;
        let app_id: i64 = conn.query_row("PRAGMA application_id", [], |row| row.get(0))?;
        if app_id != schema::APPLICATION_ID {
            return Err(VaultError::NotAVault {
                path: path_text(path),
            });
        }
        let count: i64 = conn.query_row(
            "SELECT COUNT(*) FROM key_slots WHERE kind = 'password'",
            [],
            |row| row.get(0),
        )?;
        Ok(count > 0)
    }

    /// The vault's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds a password slot, or replaces the existing one, wrapping the vault key with a key
    /// derived from `password` by Argon2id with `params` and a fresh salt.
    pub fn set_password(&self, password: &str, params: KdfParams) -> Result<(), VaultError> {
        keys::check_new_password(password)?;
        params.validate()?;
        let inner = lock(&self.inner);
        let mut salt = [0u8; keys::SALT_LEN];
        keys::fill_random(&mut salt)?;
        let kek = params.derive_key(password, &salt)?;
        let wrapped =
            keys::seal_with(&keys::aes_key(&kek[..]), PASSWORD_SLOT_AAD, inner.key.raw())?;
        inner.conn.execute(
            "INSERT INTO key_slots (kind, wrapped, kdf_salt, kdf_memory_kib, kdf_iterations,
                 kdf_parallelism, updated_at) VALUES ('password', ?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (kind) DO UPDATE SET wrapped = excluded.wrapped,
                 kdf_salt = excluded.kdf_salt, kdf_memory_kib = excluded.kdf_memory_kib,
                 kdf_iterations = excluded.kdf_iterations,
                 kdf_parallelism = excluded.kdf_parallelism, updated_at = excluded.updated_at",
            params![
                wrapped,
                salt.as_slice(),
                params.memory_kib,
                params.iterations,
                params.parallelism,
                now()
            ],
        )?;
        Ok(())
    }

    /// Removes the password slot. Refused unless the device slot was proven to work in this
    /// session, so the vault always keeps at least one way to be unlocked.
    pub fn remove_password(&self) -> Result<(), VaultError> {
        let inner = lock(&self.inner);
        if !inner.device_verified {
            return Err(VaultError::DeviceKeyUnverified);
        }
        let removed = inner
            .conn
            .execute("DELETE FROM key_slots WHERE kind = 'password'", [])?;
        if removed == 0 {
            return Err(VaultError::NoPassword);
        }
        Ok(())
    }

    /// True when the vault has a password slot.
    pub fn has_password(&self) -> Result<bool, VaultError> {
        let inner = lock(&self.inner);
        Ok(inner.conn.query_row(
            "SELECT COUNT(*) FROM key_slots WHERE kind = 'password'",
            [],
            |row| row.get::<_, i64>(0),
        )? > 0)
    }

    /// Wraps the vault key with a (new) device key, replacing the device slot — e.g. after
    /// the platform invalidated the old one and the user unlocked with the password.
    pub fn set_device_key(&self, device: &dyn KeyProvider) -> Result<(), VaultError> {
        let mut inner = lock(&self.inner);
        write_device_slot(&inner.conn, &inner.key, device)?;
        inner.device_verified = true;
        Ok(())
    }

    /// Adds one account. A duplicate (same secret and parameters) is refused with
    /// [`VaultError::Duplicate`] naming the account already there.
    pub fn add(&self, account: &Account) -> Result<AccountId, VaultError> {
        match self
            .add_many_ref(std::slice::from_ref(account), &mut |_, _| {})?
            .pop()
        {
            Some(AddOutcome::Added(id)) => Ok(id),
            Some(AddOutcome::Duplicate(existing)) => {
                let in_trash = lock(&self.inner).exists(&existing)?.unwrap_or(false);
                Err(VaultError::Duplicate { existing, in_trash })
            }
            Some(AddOutcome::Rejected(reason)) => Err(VaultError::InvalidAccount(reason)),
            None => Err(VaultError::Storage("add returned no outcome".into())),
        }
    }

    /// Adds many accounts in ONE transaction: all outcomes are stored, or none (on a storage
    /// failure). One [`AddOutcome`] per input, in order; duplicates — of the vault or of an
    /// earlier input — are reported, not stored twice.
    pub fn add_many(&self, accounts: Vec<Account>) -> Result<Vec<AddOutcome>, VaultError> {
        self.add_many_ref(&accounts, &mut |_, _| {})
    }

    /// [`Vault::add_many`] that calls `progress(done, total)` after each account is written
    /// (inside the one transaction), so a shell can draw a progress bar for a large import.
    pub fn add_many_with_progress(
        &self,
        accounts: Vec<Account>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<AddOutcome>, VaultError> {
        self.add_many_ref(&accounts, progress)
    }

    fn add_many_ref(
        &self,
        accounts: &[Account],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<AddOutcome>, VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Read once per batch: MAX(position) per insert would make large imports quadratic.
        let mut next_position: i64 = tx.query_row(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM accounts",
            [],
            |row| row.get(0),
        )?;
        let mut outcomes = Vec::with_capacity(accounts.len());
        for account in accounts {
            outcomes.push(Inner::insert(&inner.key, &tx, account, &mut next_position)?);
            progress(outcomes.len(), accounts.len());
        }
        tx.commit()?;
        inner.cache = None;
        Ok(outcomes)
    }

    /// The accounts not in the trash that match `filter`, without secrets, favorites first
    /// and then in the user's order.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<AccountSummary>, VaultError> {
        let inner = lock(&self.inner);
        let mut all = summaries(&inner.conn, false)?;
        let needle = filter.text.as_ref().map(|t| t.to_lowercase());
        all.retain(|s| {
            (!filter.favorites_only || s.favorite)
                && filter
                    .group
                    .as_ref()
                    .is_none_or(|g| s.groups.iter().any(|have| have == g))
                && needle.as_ref().is_none_or(|n| {
                    s.issuer.to_lowercase().contains(n) || s.label.to_lowercase().contains(n)
                })
        });
        Ok(all)
    }

    /// The accounts in the trash, most recently deleted first.
    pub fn trash(&self) -> Result<Vec<AccountSummary>, VaultError> {
        let inner = lock(&self.inner);
        let mut all = summaries(&inner.conn, true)?;
        all.sort_by_key(|s| std::cmp::Reverse(s.trashed_at));
        Ok(all)
    }

    /// Every group name in use, sorted.
    pub fn groups(&self) -> Result<Vec<String>, VaultError> {
        let inner = lock(&self.inner);
        let mut stmt = inner
            .conn
            .prepare("SELECT name FROM groups ORDER BY name")?;
        let names = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(names)
    }

    /// Finds the account whose id is `text` or starts with it (at least 4 characters), in
    /// the trash or not. Lets people type a short id the way they do with git commits.
    pub fn resolve_id(&self, text: &str) -> Result<AccountId, VaultError> {
        let text = text.trim().to_ascii_lowercase();
        let not_found = || VaultError::NotFound {
            id: text.chars().take(64).collect(),
        };
        if text.len() < 4 || !text.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(not_found());
        }
        let inner = lock(&self.inner);
        let mut stmt = inner
            .conn
            .prepare("SELECT id FROM accounts WHERE substr(id, 1, ?2) = ?1 LIMIT 2")?;
        let ids = stmt
            .query_map(params![text, text.len() as i64], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        match ids.as_slice() {
            [one] => Ok(AccountId(one.clone())),
            [] => Err(not_found()),
            _ => Err(VaultError::AmbiguousId { prefix: text }),
        }
    }

    /// One account, decrypted (also when it is in the trash).
    pub fn get(&self, id: &AccountId) -> Result<Account, VaultError> {
        Ok(lock(&self.inner).read_account(id)?.0)
    }

    /// The summary of one account (no secret), in the trash or not.
    pub fn summary(&self, id: &AccountId) -> Result<AccountSummary, VaultError> {
        let inner = lock(&self.inner);
        let mut found = summaries_where(&inner.conn, "WHERE id = ?1", &[&id.0])?;
        found
            .pop()
            .ok_or_else(|| VaultError::NotFound { id: id.0.clone() })
    }

    /// Changes an account's metadata (never its secret or OTP parameters).
    pub fn update(&self, id: &AccountId, change: &AccountUpdate) -> Result<(), VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let trashed: Option<bool> = tx
            .query_row(
                "SELECT trashed_at IS NOT NULL FROM accounts WHERE id = ?1",
                [&id.0],
                |row| row.get(0),
            )
            .optional()?;
        let Some(trashed) = trashed else {
            return Err(VaultError::NotFound { id: id.0.clone() });
        };
        let at = now();
        if let Some(issuer) = &change.issuer {
            tx.execute(
                "UPDATE accounts SET issuer = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.0, issuer, at],
            )?;
        }
        if let Some(label) = &change.label {
            tx.execute(
                "UPDATE accounts SET label = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.0, label, at],
            )?;
        }
        if let Some(note) = &change.note {
            let sealed = inner
                .key
                .seal(account_binding(&id.0, "note"), note.as_bytes())?;
            tx.execute(
                "UPDATE accounts SET note = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.0, sealed, at],
            )?;
        }
        if let Some(icon) = &change.icon {
            tx.execute(
                "UPDATE accounts SET icon = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.0, icon, at],
            )?;
        }
        if let Some(favorite) = change.favorite {
            tx.execute(
                "UPDATE accounts SET favorite = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.0, favorite, at],
            )?;
        }
        if let Some(groups) = &change.groups {
            set_groups(&tx, id, groups)?;
        }
        if let Some(index) = change.position {
            if trashed {
                return Err(VaultError::NotFound { id: id.0.clone() });
            }
            let mut order: Vec<String> = {
                let mut stmt = tx.prepare(
                    "SELECT id FROM accounts WHERE trashed_at IS NULL ORDER BY position, id",
                )?;
                stmt.query_map([], |row| row.get(0))?
                    .collect::<Result<_, _>>()?
            };
            order.retain(|other| other != &id.0);
            let index = (index as usize).min(order.len());
            order.insert(index, id.0.clone());
            // Renumber densely; trashed accounts keep their old numbers, which only matter
            // relative to each other after a restore.
            let mut stmt =
                tx.prepare("UPDATE accounts SET position = ?2 WHERE id = ?1 AND position != ?2")?;
            for (position, other) in order.iter().enumerate() {
                stmt.execute(params![other, position as i64])?;
            }
        }
        tx.commit()?;
        inner.cache = None;
        Ok(())
    }

    /// Moves an account to the trash. It stops producing codes but keeps its secret until
    /// purged.
    pub fn delete(&self, id: &AccountId) -> Result<(), VaultError> {
        self.set_trashed(id, Some(now()))
    }

    /// Takes an account out of the trash.
    pub fn restore(&self, id: &AccountId) -> Result<(), VaultError> {
        self.set_trashed(id, None)
    }

    fn set_trashed(&self, id: &AccountId, at: Option<i64>) -> Result<(), VaultError> {
        let mut inner = lock(&self.inner);
        let changed = inner.conn.execute(
            "UPDATE accounts SET trashed_at = ?2 WHERE id = ?1",
            params![id.0, at],
        )?;
        inner.invalidate();
        if changed == 0 {
            return Err(VaultError::NotFound { id: id.0.clone() });
        }
        Ok(())
    }

    /// Deletes an account for good (its rows are overwritten on disk). Only accounts in the
    /// trash can be purged, so nothing is destroyed by one mistaken call.
    pub fn purge(&self, id: &AccountId) -> Result<(), VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "DELETE FROM accounts WHERE id = ?1 AND trashed_at IS NOT NULL",
            [&id.0],
        )?;
        if changed == 0 {
            return Err(VaultError::NotFound { id: id.0.clone() });
        }
        tx.execute(
            "DELETE FROM groups WHERE id NOT IN (SELECT group_id FROM account_groups)",
            [],
        )?;
        tx.commit()?;
        inner.cache = None;
        Ok(())
    }

    /// The codes of every account not in the trash at `unix`, in list order, in one call.
    /// Decrypts each secret once and keeps the prepared generators until the vault changes.
    /// HOTP accounts show the code of their stored counter; nothing is incremented.
    pub fn codes_at(&self, unix: u64) -> Result<Vec<CodeEntry>, VaultError> {
        let mut inner = lock(&self.inner);
        let version = inner.data_version()?;
        if inner.cache.is_none() || inner.cache_data_version != version {
            let built = inner.build_cache()?;
            inner.cache = Some(built);
            inner.cache_data_version = version;
        }
        let cache = inner.cache.as_deref_mut().unwrap_or(&mut []);
        Ok(cache
            .iter_mut()
            .map(|a| {
                let (code, remaining_seconds) = match &a.generator {
                    Ok(g) => {
                        let factor = g.counter_at(unix);
                        let code = match a.last {
                            Some((cached, code)) if cached == factor => code,
                            _ => {
                                let code = g.code_at(unix);
                                a.last = Some((factor, code));
                                code
                            }
                        };
                        (Ok(code), g.remaining_at(unix))
                    }
                    Err(e) => (Err(e.clone()), 0),
                };
                CodeEntry {
                    id: a.id.clone(),
                    issuer: a.issuer.clone(),
                    label: a.label.clone(),
                    kind: a.params.kind,
                    period: a.params.period,
                    code,
                    remaining_seconds,
                    favorite: a.favorite,
                }
            })
            .collect())
    }

    /// Advances an HOTP account to its next counter and returns that counter's code. The new
    /// counter is committed to disk before the code is returned, so a code is never shown
    /// twice, even across a crash.
    pub fn next_hotp(&self, id: &AccountId) -> Result<Code, VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row = tx
            .query_row(
                "SELECT kind, algorithm, digits, period, counter, secret, trashed_at IS NOT NULL
                 FROM accounts WHERE id = ?1",
                [&id.0],
                |row| {
                    let params = params_from_columns(
                        row.get_ref(0)?.as_str().unwrap_or(""),
                        row.get_ref(1)?.as_str().unwrap_or(""),
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    );
                    Ok((params, row.get::<_, Vec<u8>>(5)?, row.get::<_, bool>(6)?))
                },
            )
            .optional()?;
        let Some((params, sealed, trashed)) = row else {
            return Err(VaultError::NotFound { id: id.0.clone() });
        };
        if trashed {
            return Err(VaultError::NotFound { id: id.0.clone() });
        }
        let integrity = || VaultError::Integrity {
            account: id.clone(),
        };
        let mut params = params.ok_or_else(integrity)?;
        if params.kind != OtpKind::Hotp {
            return Err(VaultError::InvalidAccount(
                "only HOTP accounts have a counter to advance".into(),
            ));
        }
        let secret = inner
            .key
            .open(account_binding(&id.0, "secret"), &sealed)
            .ok_or_else(integrity)?;
        params.counter = params.counter.checked_add(1).ok_or_else(|| {
            VaultError::InvalidAccount("the HOTP counter is at its maximum".into())
        })?;
        let generator = Generator::new(&Secret::from_bytes(secret.to_vec()), &params)
            .map_err(|_| integrity())?;
        tx.execute(
            "UPDATE accounts SET counter = ?2, updated_at = ?3 WHERE id = ?1",
            params![id.0, params.counter as i64, now()],
        )?;
        tx.commit()?;
        inner.cache = None;
        Ok(generator.code_for_counter(params.counter))
    }

    /// Every account not in the trash, decrypted, in list order: what exporters need.
    pub fn export_accounts(&self) -> Result<Vec<(AccountId, Account)>, VaultError> {
        let inner = lock(&self.inner);
        let ids: Vec<String> = {
            let mut stmt = inner.conn.prepare(&format!(
                "SELECT id FROM accounts WHERE trashed_at IS NULL {ORDER}"
            ))?;
            stmt.query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()?
        };
        ids.into_iter()
            .map(|id| {
                let id = AccountId(id);
                inner.read_account(&id).map(|(account, _)| (id, account))
            })
            .collect()
    }

    /// Writes every account not in the trash into one encrypted backup file (see
    /// `docs/vault.md`), protected by `password` with the default Argon2id parameters.
    pub fn export_backup(&self, password: &str) -> Result<Vec<u8>, VaultError> {
        self.export_backup_with(password, KdfParams::DEFAULT)
    }

    /// [`Vault::export_backup`] with explicit Argon2id parameters.
    pub fn export_backup_with(
        &self,
        password: &str,
        params: KdfParams,
    ) -> Result<Vec<u8>, VaultError> {
        keys::check_new_password(password)?;
        let accounts = self.export_accounts()?;
        backup::encode(accounts.iter().map(|(_, a)| a), password, params)
    }

    /// Reads a backup file and adds its accounts in one transaction. Duplicates of accounts
    /// already in the vault are reported, not doubled. A wrong password or a damaged file
    /// imports nothing.
    pub fn import_backup(
        &self,
        bytes: &[u8],
        password: &str,
    ) -> Result<Vec<AddOutcome>, VaultError> {
        let accounts = backup::decode(bytes, password)?;
        self.add_many(accounts)
    }

    /// Runs `f` on the writer connection and the vault key, for other core modules that keep
    /// their own sealed tables in the vault (see [`VaultKey::seal`]). Invalidates the code
    /// cache afterwards.
    #[allow(dead_code)] // used by modules that land after the vault
    pub(crate) fn with_storage<T>(
        &self,
        f: impl FnOnce(&mut Connection, &VaultKey) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let result = f(&mut inner.conn, &inner.key);
        inner.cache = None;
        result
    }

    /// `PRAGMA integrity_check` of the file: `Ok` when SQLite finds nothing wrong.
    pub fn check_storage(&self) -> Result<(), VaultError> {
        let inner = lock(&self.inner);
        let result: String = inner
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(VaultError::Corrupt(result))
        }
    }
}

fn summaries(conn: &Connection, trashed: bool) -> Result<Vec<AccountSummary>, VaultError> {
    let clause = if trashed {
        "WHERE trashed_at IS NOT NULL"
    } else {
        "WHERE trashed_at IS NULL"
    };
    summaries_where(conn, clause, &[])
}

fn summaries_where(
    conn: &Connection,
    clause: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<AccountSummary>, VaultError> {
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT ag.account_id, g.name FROM account_groups ag
             JOIN groups g ON g.id = ag.group_id ORDER BY g.name",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            groups.entry(row.get(0)?).or_default().push(row.get(1)?);
        }
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT id, issuer, label, kind, algorithm, digits, period, counter, favorite, icon,
                position, created_at, trashed_at
         FROM accounts {clause} {ORDER}"
    ))?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let params = params_from_columns(
            row.get_ref(3)?.as_str().unwrap_or(""),
            row.get_ref(4)?.as_str().unwrap_or(""),
            row.get(5)?,
            row.get(6)?,
            row.get(7)?,
        )
        .ok_or_else(|| VaultError::Integrity {
            account: AccountId(id.clone()),
        })?;
        out.push(AccountSummary {
            groups: groups.remove(&id).unwrap_or_default(),
            id: AccountId(id),
            issuer: row.get(1)?,
            label: row.get(2)?,
            params,
            favorite: row.get(8)?,
            icon: row.get(9)?,
            position: row.get(10)?,
            created_at: row.get::<_, i64>(11)?.max(0) as u64,
            trashed_at: row.get::<_, Option<i64>>(12)?.map(|t| t.max(0) as u64),
        });
    }
    Ok(out)
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Generators wipe their keys themselves; the labels are not secret. Dropping the
        // cache explicitly keeps the order obvious: keys first, then the connection.
        if let Some(cache) = self.cache.as_mut() {
            for entry in cache.iter_mut() {
                entry.issuer.zeroize();
                entry.label.zeroize();
            }
        }
        self.cache = None;
    }
}
