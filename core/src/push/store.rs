//! Push data in the vault (schema version 2): tokens, pending requests, answered nonces and
//! Tessera's software device keys, the latter sealed with the vault key.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use zeroize::Zeroizing;

use super::PushError;
use super::keys::KeyStorage;
use super::protocol::{Challenge, ServerKey};
use super::service::{PendingRequest, PushStore, PushToken};
use crate::vault::{Binding, Vault, VaultError};

/// Answered nonces are kept this long for replay defense (a server keeps a challenge open
/// for minutes, not days).
const ANSWERED_KEEP_SECS: i64 = 30 * 24 * 3600;

fn key_binding(alias: &str) -> Binding<'_> {
    Binding {
        table: "push_device_keys",
        row: alias,
        field: "private_key",
    }
}

fn token_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<PushToken> {
    Ok(PushToken {
        serial: row.get(0)?,
        issuer: row.get(1)?,
        label: row.get(2)?,
        url: row.get(3)?,
        sslverify: row.get::<_, i64>(4)? != 0,
        server_key: ServerKey(row.get(5)?),
        key_alias: row.get(6)?,
        enrolled_at: row.get::<_, i64>(7)? as u64,
    })
}

const TOKEN_COLUMNS: &str =
    "serial, issuer, label, url, sslverify, server_key, key_alias, enrolled_at";

impl PushStore for Vault {
    fn push_tokens(&self) -> Result<Vec<PushToken>, PushError> {
        Ok(self.with_storage(|conn, _| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM push_tokens ORDER BY position"
            ))?;
            let rows = stmt.query_map([], token_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?)
    }

    fn push_token(&self, serial: &str) -> Result<Option<PushToken>, PushError> {
        Ok(self.with_storage(|conn, _| {
            Ok(conn
                .query_row(
                    &format!("SELECT {TOKEN_COLUMNS} FROM push_tokens WHERE serial = ?1"),
                    [serial],
                    token_from_row,
                )
                .optional()?)
        })?)
    }

    fn add_push_token(&self, token: &PushToken) -> Result<(), PushError> {
        self.with_storage(|conn, _| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let exists: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM push_tokens WHERE serial = ?1)", [&token.serial], |r| {
                    r.get(0)
                })?;
            if exists {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO push_tokens (serial, position, issuer, label, url, sslverify, server_key, key_alias, enrolled_at)
                 VALUES (?1, (SELECT COALESCE(MAX(position), 0) + 1 FROM push_tokens), ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    token.serial,
                    token.issuer,
                    token.label,
                    token.url,
                    i64::from(token.sslverify),
                    token.server_key.0,
                    token.key_alias,
                    token.enrolled_at as i64
                ],
            )?;
            tx.commit()?;
            Ok(true)
        })?
        .then_some(())
        .ok_or_else(|| PushError::DuplicateToken(token.serial.clone()))
    }

    fn remove_push_token(&self, serial: &str) -> Result<bool, PushError> {
        Ok(self.with_storage(|conn, _| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let alias: Option<String> = tx
                .query_row(
                    "SELECT key_alias FROM push_tokens WHERE serial = ?1",
                    [serial],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute("DELETE FROM push_pending WHERE serial = ?1", [serial])?;
            if let Some(alias) = &alias {
                tx.execute("DELETE FROM push_device_keys WHERE alias = ?1", [alias])?;
            }
            let removed = tx.execute("DELETE FROM push_tokens WHERE serial = ?1", [serial])? > 0;
            tx.commit()?;
            Ok(removed)
        })?)
    }

    fn pending_requests(&self) -> Result<Vec<PendingRequest>, PushError> {
        let rows: Vec<(String, i64)> = self.with_storage(|conn, _| {
            let mut stmt = conn.prepare(
                "SELECT request, received_at FROM push_pending ORDER BY received_at, nonce",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter()
            .map(|(json, received_at)| {
                let challenge: Challenge = serde_json::from_str(&json).map_err(|_| {
                    PushError::Malformed("stored push request is unreadable".into())
                })?;
                Ok(PendingRequest {
                    challenge,
                    received_at: received_at as u64,
                })
            })
            .collect()
    }

    fn add_pending_request(&self, request: &PendingRequest) -> Result<(), PushError> {
        let json = serde_json::to_string(&request.challenge)
            .map_err(|_| PushError::Malformed("push request cannot be stored".into()))?;
        Ok(self.with_storage(|conn, _| {
            conn.execute(
                "INSERT OR IGNORE INTO push_pending (nonce, serial, request, received_at) VALUES (?1, ?2, ?3, ?4)",
                params![request.challenge.nonce, request.challenge.serial, json, request.received_at as i64],
            )?;
            Ok(())
        })?)
    }

    fn remove_pending_request(&self, nonce: &str) -> Result<(), PushError> {
        Ok(self.with_storage(|conn, _| {
            conn.execute("DELETE FROM push_pending WHERE nonce = ?1", [nonce])?;
            Ok(())
        })?)
    }

    fn is_answered(&self, nonce: &str) -> Result<bool, PushError> {
        Ok(self.with_storage(|conn, _| {
            Ok(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM push_answered WHERE nonce = ?1)",
                [nonce],
                |r| r.get(0),
            )?)
        })?)
    }

    fn mark_answered(&self, nonce: &str, at: u64) -> Result<(), PushError> {
        Ok(self.with_storage(|conn, _| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT OR REPLACE INTO push_answered (nonce, answered_at) VALUES (?1, ?2)",
                params![nonce, at as i64],
            )?;
            tx.execute("DELETE FROM push_pending WHERE nonce = ?1", [nonce])?;
            tx.execute(
                "DELETE FROM push_answered WHERE answered_at < ?1",
                [at as i64 - ANSWERED_KEEP_SECS],
            )?;
            tx.commit()?;
            Ok(())
        })?)
    }
}

impl KeyStorage for Vault {
    fn store_key(&self, alias: &str, pkcs8: &[u8]) -> Result<(), PushError> {
        let stored = self.with_storage(|conn, key| {
            let sealed = key.seal(key_binding(alias), pkcs8)?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            Ok(conn.execute(
                "INSERT OR IGNORE INTO push_device_keys (alias, private_key, created_at) VALUES (?1, ?2, ?3)",
                params![alias, sealed, now],
            )? == 1)
        })?;
        if stored {
            Ok(())
        } else {
            Err(PushError::KeyExists)
        }
    }

    fn load_key(&self, alias: &str) -> Result<Option<Zeroizing<Vec<u8>>>, PushError> {
        let opened = self.with_storage(|conn, key| {
            let sealed: Option<Vec<u8>> = conn
                .query_row(
                    "SELECT private_key FROM push_device_keys WHERE alias = ?1",
                    [alias],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(sealed.map(|s| key.open(key_binding(alias), &s)))
        })?;
        match opened {
            None => Ok(None),
            Some(Some(pkcs8)) => Ok(Some(pkcs8)),
            // modified, moved from another row, or sealed under another vault key
            Some(None) => Err(PushError::KeyUnreadable),
        }
    }

    fn delete_key(&self, alias: &str) -> Result<(), PushError> {
        Ok(self.with_storage(|conn, _| {
            conn.execute("DELETE FROM push_device_keys WHERE alias = ?1", [alias])?;
            Ok(())
        })?)
    }
}

impl From<VaultError> for PushError {
    fn from(error: VaultError) -> Self {
        PushError::Vault(error)
    }
}
