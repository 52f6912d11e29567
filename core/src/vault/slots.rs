//! Key slots: creating a vault, unlocking it with the device key or the password, and
//! adding, replacing or removing slots. The vault key never leaves `Inner` unwrapped.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::db::{
    check_and_migrate, is_empty_database, lock, now, open_connection, path_text, user_version,
};
#[cfg(unix)]
use super::db::{check_existing_file, make_private};
use super::integrity::{
    KEY_CHECK, KEY_CHECK_ROWS_AUTHENTICATED, KEY_CHECK_V1, authenticate_rows_once,
};
use super::{
    Inner, KdfParams, KeyProvider, KeyProviderError, Vault, VaultError, VaultKey, keys, schema,
};

pub(super) const PASSWORD_SLOT_AAD: &[u8] = b"tessera/v1/key_slots/password";

pub(super) fn write_device_slot(
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

impl Inner {
    pub(super) fn verify_key(conn: &Connection, key: &VaultKey) -> Result<bool, VaultError> {
        let check: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM vault_meta WHERE name = 'key_check'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        Ok(check
            .and_then(|c| key.open(KEY_CHECK, &c))
            .is_some_and(|plain| {
                plain.as_slice() == KEY_CHECK_V1 || plain.as_slice() == KEY_CHECK_ROWS_AUTHENTICATED
            }))
    }
}

impl Vault {
    /// Creates a new vault at `path` with a fresh random vault key wrapped by `device`.
    /// Never overwrites: fails with [`VaultError::AlreadyExists`] if a vault is there. The
    /// whole creation is one transaction, so an interrupted `create` leaves an empty file
    /// that the next `create` reuses.
    pub fn create(path: &Path, device: &dyn KeyProvider) -> Result<Vault, VaultError> {
        if path.symlink_metadata().is_ok() {
            // An empty database is what an interrupted create leaves (or an empty file made
            // beforehand); anything else is kept as it is.
            #[cfg(unix)]
            let loose = check_existing_file(path)?;
            if !is_empty_database(path)? {
                return Err(VaultError::AlreadyExists {
                    path: path_text(path),
                });
            }
            #[cfg(unix)]
            make_private(&loose)?;
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
            [key.seal(KEY_CHECK, KEY_CHECK_ROWS_AUTHENTICATED)?],
        )?;
        tx.commit()?;
        Ok(Vault::from_parts(path, conn, key, true))
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
        authenticate_rows_once(&mut conn, &key)?;
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
        let raw = keys::aes_key(&kek[..])?
            .open_nonce_prefixed(&wrapped, PASSWORD_SLOT_AAD)
            .ok_or(VaultError::WrongPassword)?;
        let key = VaultKey::from_raw(&raw).map_err(|_| VaultError::WrongPassword)?;
        if !Inner::verify_key(&conn, &key)? {
            return Err(VaultError::WrongPassword);
        }
        authenticate_rows_once(&mut conn, &key)?;
        Ok(Vault::from_parts(path, conn, key, false))
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
            keys::aes_key(&kek[..])?.seal_with_random_nonce(inner.key.raw(), PASSWORD_SLOT_AAD)?;
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
        self.has_slot("password")
    }

    /// True when the vault has a device slot.
    pub fn has_device_slot(&self) -> Result<bool, VaultError> {
        self.has_slot("device")
    }

    fn has_slot(&self, kind: &str) -> Result<bool, VaultError> {
        let inner = lock(&self.inner);
        Ok(inner.conn.query_row(
            "SELECT COUNT(*) FROM key_slots WHERE kind = ?1",
            [kind],
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
}
