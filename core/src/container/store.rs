//! Containers in the vault. This module owns its tables and creates them itself, on first
//! use, under its own schema version in `vault_meta` (`schema.container`), so the vault's
//! schema version stays the account store's and a vault that never used containers carries
//! none of these tables.
//!
//! - `containers`: one row per container; everything about it (server URL, TLS setting,
//!   curve, hash, key alias, state, policy flags) is one JSON document sealed with the vault
//!   key and bound to (containers, serial, data): a changed server URL or state cannot be
//!   slipped in without the vault key.
//! - `container_keys`: the software registration keys, PKCS#8 sealed and bound to their alias.
//! - `container_tokens`: which server token is which account or push token on this device
//!   ("managed by the container").

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use zeroize::Zeroizing;

use super::ContainerError;
use super::keys::ContainerKeyStorage;
use super::service::{ContainerInfo, ManagedToken, TokenKind};
use crate::account::Account;
use crate::vault::{AccountId, Binding, Vault, VaultError};

/// This module's schema version (in `vault_meta` as `schema.container`).
pub const CONTAINER_SCHEMA_VERSION: i64 = 1;
const META_NAME: &str = "schema.container";

fn ensure_schema(conn: &mut Connection) -> Result<(), VaultError> {
    let read = |conn: &Connection| -> Result<i64, VaultError> {
        let value: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM vault_meta WHERE name = ?1",
                [META_NAME],
                |r| r.get(0),
            )
            .optional()?;
        Ok(value
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    };
    if read(conn)? == CONTAINER_SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // re-read under the write lock: another process may have created them meanwhile
    let version = read(&tx)?;
    if version > CONTAINER_SCHEMA_VERSION {
        return Err(VaultError::NewerSchema {
            found: version,
            supported: CONTAINER_SCHEMA_VERSION,
        });
    }
    if version == 0 {
        tx.execute_batch(
            "
            CREATE TABLE containers (
                serial     TEXT PRIMARY KEY NOT NULL,
                position   INTEGER NOT NULL,
                data       BLOB NOT NULL,
                updated_at INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE container_keys (
                alias       TEXT PRIMARY KEY NOT NULL,
                private_key BLOB NOT NULL,
                created_at  INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE container_tokens (
                container_serial TEXT NOT NULL REFERENCES containers (serial) ON DELETE CASCADE,
                token_serial     TEXT NOT NULL,
                kind             TEXT NOT NULL CHECK (kind IN ('totp', 'hotp', 'push')),
                account_id       TEXT,
                PRIMARY KEY (container_serial, token_serial)
            ) STRICT;
            CREATE INDEX container_tokens_account ON container_tokens (account_id);
            ",
        )?;
    }
    tx.execute(
        "INSERT OR REPLACE INTO vault_meta (name, value) VALUES (?1, ?2)",
        params![META_NAME, CONTAINER_SCHEMA_VERSION.to_string().into_bytes()],
    )?;
    tx.commit()?;
    Ok(())
}

fn now() -> i64 {
    crate::otp::unix_now() as i64
}

fn data_binding(serial: &str) -> Binding<'_> {
    Binding {
        table: "containers",
        row: serial,
        field: "data",
    }
}

fn key_binding(alias: &str) -> Binding<'_> {
    Binding {
        table: "container_keys",
        row: alias,
        field: "private_key",
    }
}

fn unreadable(serial: &str) -> ContainerError {
    ContainerError::Malformed(format!("the stored container {serial} is unreadable"))
}

/// The vault's container tables.
pub(crate) struct Store<'a> {
    vault: &'a Vault,
}

impl<'a> Store<'a> {
    pub(crate) fn new(vault: &'a Vault) -> Self {
        Store { vault }
    }

    /// Every container (without its tokens), in registration order.
    pub(crate) fn containers(&self) -> Result<Vec<ContainerInfo>, ContainerError> {
        let rows: Vec<(String, Option<Zeroizing<Vec<u8>>>)> =
            self.vault.with_storage(|conn, key| {
                ensure_schema(conn)?;
                let mut stmt =
                    conn.prepare("SELECT serial, data FROM containers ORDER BY position")?;
                let rows = stmt.query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
                })?;
                let mut out = Vec::new();
                for row in rows {
                    let (serial, sealed) = row?;
                    let plain = key.open(data_binding(&serial), &sealed);
                    out.push((serial, plain));
                }
                Ok(out)
            })?;
        let mut out = Vec::new();
        for (serial, plain) in rows {
            let plain = plain.ok_or_else(|| unreadable(&serial))?;
            let mut info: ContainerInfo =
                serde_json::from_slice(&plain).map_err(|_| unreadable(&serial))?;
            info.tokens = self.tokens(&serial)?;
            out.push(info);
        }
        Ok(out)
    }

    /// The container `serial`, with its tokens.
    pub(crate) fn container(&self, serial: &str) -> Result<Option<ContainerInfo>, ContainerError> {
        Ok(self.containers()?.into_iter().find(|c| c.serial == serial))
    }

    /// Writes (inserts or replaces) a container's record; its token links are untouched.
    pub(crate) fn put(&self, info: &ContainerInfo) -> Result<(), ContainerError> {
        let json = Zeroizing::new(serde_json::to_vec(info).map_err(|_| unreadable(&info.serial))?);
        Ok(self.vault.with_storage(|conn, key| {
            ensure_schema(conn)?;
            let sealed = key.seal(data_binding(&info.serial), &json)?;
            conn.execute(
                "INSERT INTO containers (serial, position, data, updated_at)
                 VALUES (?1, (SELECT COALESCE(MAX(position), 0) + 1 FROM containers), ?2, ?3)
                 ON CONFLICT (serial) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                params![info.serial, sealed, now()],
            )?;
            Ok(())
        })?)
    }

    /// Deletes a container and its token links (not the accounts or push tokens).
    pub(crate) fn remove(&self, serial: &str) -> Result<(), ContainerError> {
        Ok(self.vault.with_storage(|conn, _| {
            ensure_schema(conn)?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "DELETE FROM container_tokens WHERE container_serial = ?1",
                [serial],
            )?;
            tx.execute("DELETE FROM containers WHERE serial = ?1", [serial])?;
            tx.commit()?;
            Ok(())
        })?)
    }

    /// The token links of a container, in serial order.
    pub(crate) fn tokens(&self, serial: &str) -> Result<Vec<ManagedToken>, ContainerError> {
        Ok(self.vault.with_storage(|conn, _| {
            ensure_schema(conn)?;
            let mut stmt = conn.prepare(
                "SELECT token_serial, kind, account_id FROM container_tokens
                 WHERE container_serial = ?1 ORDER BY token_serial",
            )?;
            let rows = stmt.query_map([serial], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (token_serial, kind, account_id) = row?;
                out.push(ManagedToken {
                    serial: token_serial,
                    kind: TokenKind::from_name(&kind).unwrap_or(TokenKind::Totp),
                    account_id,
                });
            }
            Ok(out)
        })?)
    }

    /// Links a server token to an account (OTP) or to the push token of the same serial.
    pub(crate) fn link(&self, container: &str, token: &ManagedToken) -> Result<(), ContainerError> {
        Ok(self.vault.with_storage(|conn, _| {
            ensure_schema(conn)?;
            conn.execute(
                "INSERT OR REPLACE INTO container_tokens (container_serial, token_serial, kind, account_id)
                 VALUES (?1, ?2, ?3, ?4)",
                params![container, token.serial, token.kind.as_str(), token.account_id],
            )?;
            Ok(())
        })?)
    }

    /// Removes a token link.
    pub(crate) fn unlink(&self, container: &str, token_serial: &str) -> Result<(), ContainerError> {
        Ok(self.vault.with_storage(|conn, _| {
            ensure_schema(conn)?;
            conn.execute(
                "DELETE FROM container_tokens WHERE container_serial = ?1 AND token_serial = ?2",
                params![container, token_serial],
            )?;
            Ok(())
        })?)
    }

    /// Whether this vault ever held a container (without creating the tables).
    pub(crate) fn in_use(&self) -> Result<bool, ContainerError> {
        Ok(self.vault.with_storage(|conn, _| {
            Ok(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM vault_meta WHERE name = ?1)",
                [META_NAME],
                |r| r.get(0),
            )?)
        })?)
    }

    /// The container that manages account `id`, if any.
    pub(crate) fn manager_of(&self, id: &str) -> Result<Option<String>, ContainerError> {
        Ok(self.vault.with_storage(|conn, _| {
            ensure_schema(conn)?;
            Ok(conn
                .query_row(
                    "SELECT container_serial FROM container_tokens WHERE account_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?)
        })?)
    }

    /// Gives account `id` a new secret and parameters in place (a re-secreted token): same
    /// id, position, note, groups and favorite; the old secret is overwritten.
    pub(crate) fn replace_secret(
        &self,
        id: &AccountId,
        account: &Account,
    ) -> Result<(), ContainerError> {
        account
            .params
            .validate()
            .map_err(|e| ContainerError::Malformed(format!("token parameters: {e}")))?;
        let changed = self.vault.with_storage(|conn, key| {
            ensure_schema(conn)?;
            let secret = key.seal(
                Binding {
                    table: "accounts",
                    row: id.as_str(),
                    field: "secret",
                },
                account.secret.as_bytes(),
            )?;
            let p = &account.params;
            let changed = conn.execute(
                "UPDATE accounts SET secret = ?2, kind = ?3, algorithm = ?4, digits = ?5,
                     period = ?6, counter = ?7, fingerprint = ?8, updated_at = ?9
                 WHERE id = ?1",
                params![
                    id.as_str(),
                    secret,
                    p.kind.as_str(),
                    p.algorithm.as_str(),
                    p.digits,
                    p.period,
                    p.counter as i64,
                    key.fingerprint(account),
                    now()
                ],
            )?;
            // the vault authenticates each account row (row_mac): re-tag the changed row
            crate::vault::retag_account(conn, key, id)?;
            Ok(changed)
        })?;
        if changed == 0 {
            return Err(VaultError::NotFound {
                id: id.as_str().to_string(),
            }
            .into());
        }
        Ok(())
    }
}

impl ContainerKeyStorage for Vault {
    fn store_container_key(&self, alias: &str, pkcs8: &[u8]) -> Result<(), ContainerError> {
        let stored = self.with_storage(|conn, key| {
            ensure_schema(conn)?;
            let sealed = key.seal(key_binding(alias), pkcs8)?;
            Ok(conn.execute(
                "INSERT OR IGNORE INTO container_keys (alias, private_key, created_at) VALUES (?1, ?2, ?3)",
                params![alias, sealed, now()],
            )? == 1)
        })?;
        if stored {
            Ok(())
        } else {
            Err(ContainerError::Key(
                "a key under this alias exists already".into(),
            ))
        }
    }

    fn load_container_key(
        &self,
        alias: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, ContainerError> {
        let opened = self.with_storage(|conn, key| {
            ensure_schema(conn)?;
            let sealed: Option<Vec<u8>> = conn
                .query_row(
                    "SELECT private_key FROM container_keys WHERE alias = ?1",
                    [alias],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(sealed.map(|s| key.open(key_binding(alias), &s)))
        })?;
        match opened {
            None => Ok(None),
            Some(Some(pkcs8)) => Ok(Some(pkcs8)),
            Some(None) => Err(ContainerError::Key(
                "the stored container key is unreadable".into(),
            )),
        }
    }

    fn delete_container_key(&self, alias: &str) -> Result<(), ContainerError> {
        Ok(self.with_storage(|conn, _| {
            ensure_schema(conn)?;
            conn.execute("DELETE FROM container_keys WHERE alias = ?1", [alias])?;
            Ok(())
        })?)
    }
}
