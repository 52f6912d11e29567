//! The SQLite file: opening a connection with the vault's settings, checking that a file is
//! a Tessera vault and migrating its schema (the SQL itself is in `schema`), and the lock.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, Weak};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::{Inner, SCHEMA_VERSION, Vault, VaultError, VaultKey, schema};

pub(super) fn path_text(path: &Path) -> String {
    path.display().to_string()
}

/// Opens the SQLite file and applies the connection settings every vault connection uses.
/// An existing file must be a Tessera vault (its `application_id`) *before* anything is
/// changed: a foreign database is refused byte for byte untouched, never switched to WAL.
/// `create` is only for a file the caller has just made or checked to be empty.
pub(super) fn open_connection(path: &Path, create: bool) -> Result<Connection, VaultError> {
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
    if !create {
        // Reading the header changes nothing; everything below writes to the file.
        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .map_err(|e| not_a_vault(e.into()))?;
        if app_id != schema::APPLICATION_ID {
            return Err(VaultError::NotAVault {
                path: path_text(path),
            });
        }
    }
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

/// True when the file at `path` is an empty SQLite database (what an interrupted
/// [`Vault::create`] leaves, or an empty file made beforehand). Reads only.
pub(super) fn is_empty_database(path: &Path) -> Result<bool, VaultError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    let probe = |conn: &Connection| -> rusqlite::Result<bool> {
        let tables: i64 =
            conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |row| row.get(0))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        let app_id: i64 = conn.query_row("PRAGMA application_id", [], |row| row.get(0))?;
        Ok(tables == 0 && version == 0 && (app_id == 0 || app_id == schema::APPLICATION_ID))
    };
    match probe(&conn) {
        Ok(empty) => Ok(empty),
        // Not a database at all: certainly not empty, and not ours to overwrite.
        Err(e) => match VaultError::from(e) {
            VaultError::Corrupt(_) => Ok(false),
            other => Err(other),
        },
    }
}

/// Before a vault is created in a file that already exists: the file (and SQLite's side files,
/// if they exist) must be a regular file, not a link to somewhere else, owned by this user. A
/// file made by another user — even an empty one — is refused: its owner could read every
/// later write. Returns the files whose group or other permission bits must be removed once
/// the caller has decided to use the file (see [`make_private`]); nothing is changed here.
#[cfg(unix)]
pub(super) fn check_existing_file(path: &Path) -> Result<Vec<std::path::PathBuf>, VaultError> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let shown = path_text(path);
    let mut files = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        files.push(side.into());
    }
    let mut loose = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        let meta = match std::fs::symlink_metadata(&file) {
            Ok(meta) => meta,
            Err(e) if i > 0 && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(VaultError::Storage(format!("cannot inspect {shown}: {e}"))),
        };
        let name = file.display();
        if !meta.file_type().is_file() {
            return Err(VaultError::Storage(format!(
                "{name} is not a regular file (a link or a directory); refusing to put a vault there"
            )));
        }
        if meta.uid() != me {
            return Err(VaultError::Storage(format!(
                "{name} belongs to another user (uid {}); refusing to put a vault in a file they can read",
                meta.uid()
            )));
        }
        if meta.mode() & 0o077 != 0 {
            loose.push(file);
        }
    }
    Ok(loose)
}

/// Sets mode 0600 on `files` (see [`check_existing_file`]).
#[cfg(unix)]
pub(super) fn make_private(files: &[std::path::PathBuf]) -> Result<(), VaultError> {
    use std::os::unix::fs::PermissionsExt;
    for file in files {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
            VaultError::Storage(format!("cannot make {} private: {e}", file.display()))
        })?;
    }
    Ok(())
}

pub(super) fn user_version(conn: &Connection) -> Result<i64, VaultError> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

/// Checks that the file is a Tessera vault and upgrades its schema if it is older.
pub(super) fn check_and_migrate(conn: &mut Connection, path: &Path) -> Result<(), VaultError> {
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

pub(super) fn now() -> i64 {
    crate::otp::unix_now() as i64
}

pub(super) fn lock(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic while holding the lock cannot leave SQLite half-written (transactions roll back
    // on drop), so a poisoned lock is safe to keep using.
    inner
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Inner {
    /// After a change: drops the code cache and tells the change listeners.
    pub(super) fn invalidate(&mut self) {
        self.cache = None;
        self.change_listeners
            .retain(|listener| match listener.upgrade() {
                Some(listener) => {
                    listener.changed();
                    true
                }
                None => false,
            });
    }

    pub(super) fn data_version(&self) -> Result<i64, VaultError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }
}

impl Vault {
    pub(super) fn from_parts(
        path: &Path,
        conn: Connection,
        key: VaultKey,
        device_verified: bool,
    ) -> Vault {
        Vault {
            path: path.to_path_buf(),
            inner: Mutex::new(Inner {
                conn,
                key,
                device_verified,
                cache: None,
                cache_data_version: 0,
                change_listeners: Vec::new(),
            }),
        }
    }

    /// The vault's file.
    pub fn path(&self) -> &Path {
        &self.path
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
        inner.invalidate();
        result
    }

    /// Runs `f` on the writer connection and the vault key like [`Vault::with_storage`], for a
    /// module whose tables do not feed the code cache (the server time): the cache is kept.
    pub(crate) fn with_storage_keep_cache<T>(
        &self,
        f: impl FnOnce(&mut Connection, &VaultKey) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        f(&mut inner.conn, &inner.key)
    }

    /// Tells `listener` after every change made through this handle, for as long as it lives.
    pub(crate) fn on_change(&self, listener: Weak<dyn super::ChangeListener>) {
        let mut inner = lock(&self.inner);
        inner
            .change_listeners
            .retain(|known| known.strong_count() > 0);
        inner.change_listeners.push(listener);
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
