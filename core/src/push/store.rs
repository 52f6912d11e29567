//! Push data in the vault (schema version 2, token tags since 3, seen nonces and the unlock
//! demand since 4): tokens, pending requests, seen nonces and Tessera's software device keys,
//! the latter sealed with the vault key. Token rows are authenticated under the vault key
//! (`row_mac`, see `vault::integrity`): a token whose server key, URL, TLS flag or unlock
//! demand was edited is never polled or answered, and its requests are not shown.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use zeroize::Zeroizing;

use super::PushError;
use super::enrollment::ForceUnlock;
use super::keys::KeyStorage;
use super::protocol::{Challenge, ServerKey};
use super::service::{PendingRequest, PushStore, PushToken, SEEN_NONCE_CAP, SEEN_NONCE_KEEP_SECS};
use crate::clock::ServerTime;
use crate::vault::{Binding, Field, Vault, VaultError, VaultKey};

fn key_binding(alias: &str) -> Binding<'_> {
    Binding {
        table: "push_device_keys",
        row: alias,
        field: "private_key",
    }
}

/// A token row as stored, with its tag; nothing in it is trusted before [`token_is_intact`].
fn token_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(PushToken, Option<Vec<u8>>)> {
    // An edited column of the wrong type reads as a value that fails the tag check, not as an
    // error for the whole query.
    let text = |i: usize| -> rusqlite::Result<String> {
        Ok(row.get_ref(i)?.as_str().unwrap_or("").to_owned())
    };
    let int = |i: usize| -> rusqlite::Result<i64> { Ok(row.get_ref(i)?.as_i64().unwrap_or(-1)) };
    let token = PushToken {
        serial: text(0)?,
        issuer: text(1)?,
        label: text(2)?,
        url: text(3)?,
        sslverify: int(4)? != 0,
        server_key: ServerKey(row.get_ref(5)?.as_blob().unwrap_or(&[]).to_vec()),
        key_alias: text(6)?,
        enrolled_at: int(7)?.max(0) as u64,
        force_unlock: row.get_ref(9)?.as_str().ok().map(ForceUnlock::from_param),
    };
    Ok((token, row.get_ref(8)?.as_blob().ok().map(<[u8]>::to_vec)))
}

const TOKEN_COLUMNS: &str = "serial, issuer, label, url, sslverify, server_key, key_alias, \
     enrolled_at, row_mac, force_unlock";

/// Every field of a token that decides where answers go, which requests are believed and
/// how they are guarded. The unlock demand (schema 4) is appended only when there is one, so
/// the tags of tokens enrolled before it stay valid; a demand added or removed by an edit
/// changes the field list and fails the check.
fn token_fields(token: &PushToken) -> Vec<Field<'_>> {
    let mut fields = vec![
        Field::Text(&token.issuer),
        Field::Text(&token.label),
        Field::Text(&token.url),
        Field::Int(i64::from(token.sslverify)),
        Field::Bytes(&token.server_key.0),
        Field::Text(&token.key_alias),
        Field::Int(token.enrolled_at as i64),
    ];
    if let Some(unlock) = token.force_unlock {
        fields.push(Field::Text(unlock.as_str()));
    }
    fields
}

fn token_tag(key: &VaultKey, token: &PushToken) -> Vec<u8> {
    key.row_tag("push_tokens", &token.serial, &token_fields(token))
}

fn token_is_intact(key: &VaultKey, token: &PushToken, tag: Option<&[u8]>) -> bool {
    key.row_tag_matches("push_tokens", &token.serial, &token_fields(token), tag)
}

/// Tags every push token row (the vault calls this once, when it first authenticates rows).
pub(crate) fn authenticate_rows(
    tx: &rusqlite::Transaction<'_>,
    key: &VaultKey,
) -> Result<(), VaultError> {
    let tokens: Vec<PushToken> = {
        let mut stmt = tx.prepare(&format!("SELECT {TOKEN_COLUMNS} FROM push_tokens"))?;
        stmt.query_map([], token_from_row)?
            .map(|r| r.map(|(token, _)| token))
            .collect::<Result<_, _>>()?
    };
    for token in &tokens {
        tx.execute(
            "UPDATE push_tokens SET row_mac = ?2 WHERE serial = ?1",
            params![token.serial, token_tag(key, token)],
        )?;
    }
    Ok(())
}

impl Vault {
    /// Serials of push tokens whose stored data failed its integrity check (edited outside
    /// Tessera or damaged). They are left out of [`PushStore::push_tokens`], so they are never
    /// polled or answered; asking for one by serial gives [`PushError::TokenIntegrity`]. A
    /// shell lists them so the user can remove and re-enroll them.
    pub fn damaged_push_tokens(&self) -> Result<Vec<String>, PushError> {
        Ok(self.with_storage(|conn, key| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM push_tokens ORDER BY position"
            ))?;
            let rows = stmt.query_map([], token_from_row)?;
            let mut damaged = Vec::new();
            for row in rows {
                let (token, tag) = row?;
                if !token_is_intact(key, &token, tag.as_deref()) {
                    damaged.push(token.serial);
                }
            }
            Ok(damaged)
        })?)
    }
}

impl PushStore for Vault {
    fn push_tokens(&self) -> Result<Vec<PushToken>, PushError> {
        Ok(self.with_storage(|conn, key| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM push_tokens ORDER BY position"
            ))?;
            let rows = stmt.query_map([], token_from_row)?;
            let mut intact = Vec::new();
            for row in rows {
                let (token, tag) = row?;
                // A damaged token is never polled: its URL or server key may be an attacker's.
                if token_is_intact(key, &token, tag.as_deref()) {
                    intact.push(token);
                }
            }
            Ok(intact)
        })?)
    }

    fn push_token(&self, serial: &str) -> Result<Option<PushToken>, PushError> {
        let found = self.with_storage(|conn, key| {
            Ok(conn
                .query_row(
                    &format!("SELECT {TOKEN_COLUMNS} FROM push_tokens WHERE serial = ?1"),
                    [serial],
                    token_from_row,
                )
                .optional()?
                .map(|(token, tag)| {
                    let intact = token_is_intact(key, &token, tag.as_deref());
                    (token, intact)
                }))
        })?;
        match found {
            None => Ok(None),
            Some((token, true)) => Ok(Some(token)),
            Some((token, false)) => Err(PushError::TokenIntegrity(token.serial)),
        }
    }

    fn add_push_token(&self, token: &PushToken) -> Result<(), PushError> {
        self.with_storage(|conn, key| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let added = insert_token(&tx, key, token)?;
            tx.commit()?;
            Ok(added)
        })?
        .then_some(())
        .ok_or_else(|| PushError::DuplicateToken(token.serial.clone()))?;
        self.follow_tokens_in_poll_slot();
        Ok(())
    }

    fn remove_push_token(&self, serial: &str) -> Result<bool, PushError> {
        Ok(self
            .with_storage(|conn, _| {
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
                let removed =
                    tx.execute("DELETE FROM push_tokens WHERE serial = ?1", [serial])? > 0;
                tx.commit()?;
                Ok(removed)
            })
            .inspect(|_| self.follow_tokens_in_poll_slot())?)
    }

    fn pending_requests(&self) -> Result<Vec<PendingRequest>, PushError> {
        let rows: Vec<(String, i64, bool)> = self.with_storage(|conn, _| {
            let round = poll_round(conn)?;
            let mut stmt = conn.prepare(
                "SELECT request, received_at, poll_round FROM push_pending ORDER BY received_at, nonce",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? >= round))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter()
            .map(|(json, received_at, is_new)| {
                let challenge: Challenge = serde_json::from_str(&json).map_err(|_| {
                    PushError::Malformed("stored push request is unreadable".into())
                })?;
                Ok(PendingRequest::new(
                    challenge,
                    received_at.max(0) as u64,
                    is_new,
                ))
            })
            .collect()
    }

    fn add_pending_request(&self, request: &PendingRequest) -> Result<(), PushError> {
        let json = serde_json::to_string(&request.challenge)
            .map_err(|_| PushError::Malformed("push request cannot be stored".into()))?;
        let at = request.received_at as i64;
        Ok(self.with_storage(|conn, _| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let round = poll_round(&tx)?;
            tx.execute(
                "INSERT OR IGNORE INTO push_pending (nonce, serial, request, received_at, poll_round) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![request.challenge.nonce, request.challenge.serial, json, at, round],
            )?;
            remember_seen(&tx, &request.challenge.nonce, at)?;
            tx.commit()?;
            Ok(())
        })?)
    }

    fn close_request(&self, nonce: &str, at: u64) -> Result<(), PushError> {
        Ok(self.with_storage(|conn, _| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute("DELETE FROM push_pending WHERE nonce = ?1", [nonce])?;
            remember_seen(&tx, nonce, at as i64)?;
            tx.commit()?;
            Ok(())
        })?)
    }

    fn is_seen(&self, nonce: &str) -> Result<bool, PushError> {
        Ok(self.with_storage(|conn, _| {
            Ok(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM push_seen WHERE nonce = ?1)",
                [nonce],
                |r| r.get(0),
            )?)
        })?)
    }

    fn start_poll_round(&self) -> Result<(), PushError> {
        Ok(self.with_storage(|conn, _| {
            conn.execute(
                "INSERT INTO push_state (name, value) VALUES ('poll_round', 1)
                 ON CONFLICT (name) DO UPDATE SET value = value + 1",
                [],
            )?;
            Ok(())
        })?)
    }

    fn record_server_time(&self, time: &ServerTime) -> Result<(), PushError> {
        Ok(self.set_server_time(time)?)
    }
}

/// The current poll round (0 before the first poll).
fn poll_round(conn: &rusqlite::Connection) -> Result<i64, VaultError> {
    Ok(conn
        .query_row(
            "SELECT value FROM push_state WHERE name = 'poll_round'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Remembers `nonce` as seen at `at` (the first sighting counts) and forgets what is older
/// than the kept window or beyond the cap. Not authenticated, and need not be: a file writer
/// who deletes a row only lets a request the real server signed be shown again, and the
/// server itself refuses an answer to a challenge it closed.
fn remember_seen(tx: &rusqlite::Transaction<'_>, nonce: &str, at: i64) -> Result<(), VaultError> {
    tx.execute(
        "INSERT OR IGNORE INTO push_seen (nonce, seen_at) VALUES (?1, ?2)",
        params![nonce, at],
    )?;
    tx.execute(
        "DELETE FROM push_seen WHERE seen_at < ?1",
        [at.saturating_sub(SEEN_NONCE_KEEP_SECS as i64)],
    )?;
    tx.execute(
        "DELETE FROM push_seen WHERE nonce IN (
             SELECT nonce FROM push_seen ORDER BY seen_at DESC, nonce LIMIT -1 OFFSET ?1)",
        [SEEN_NONCE_CAP as i64],
    )?;
    Ok(())
}

/// Adds `token` inside the caller's transaction, tagged under `key`; `false` (and nothing
/// written) when a token with its serial is already there. Enrollment and a move to a new
/// phone (`crate::handover`) both add tokens through here.
pub(crate) fn insert_token(
    tx: &rusqlite::Connection,
    key: &VaultKey,
    token: &PushToken,
) -> Result<bool, VaultError> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM push_tokens WHERE serial = ?1)",
        [&token.serial],
        |r| r.get(0),
    )?;
    if exists {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO push_tokens (serial, position, issuer, label, url, sslverify, server_key, key_alias, enrolled_at, row_mac, force_unlock)
         VALUES (?1, (SELECT COALESCE(MAX(position), 0) + 1 FROM push_tokens), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            token.serial,
            token.issuer,
            token.label,
            token.url,
            i64::from(token.sslverify),
            token.server_key.0,
            token.key_alias,
            token.enrolled_at as i64,
            token_tag(key, token),
            token.force_unlock.map(ForceUnlock::as_str)
        ],
    )?;
    Ok(true)
}

/// Keeps a software device key (PKCS#8 DER) under `alias`, sealed with `key`, inside the
/// caller's transaction. With `replace`, a key already under the alias is replaced (one left
/// by an enrollment that failed half-way belongs to no token); without, it stays and `false`
/// is returned.
pub(crate) fn insert_device_key(
    tx: &rusqlite::Connection,
    key: &VaultKey,
    alias: &str,
    pkcs8: &[u8],
    replace: bool,
) -> Result<bool, VaultError> {
    let sealed = key.seal(key_binding(alias), pkcs8)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let verb = if replace {
        "INSERT OR REPLACE"
    } else {
        "INSERT OR IGNORE"
    };
    Ok(tx.execute(
        &format!(
            "{verb} INTO push_device_keys (alias, private_key, created_at) VALUES (?1, ?2, ?3)"
        ),
        params![alias, sealed, now],
    )? == 1)
}

impl KeyStorage for Vault {
    fn store_key(&self, alias: &str, pkcs8: &[u8]) -> Result<(), PushError> {
        let stored =
            self.with_storage(|conn, key| insert_device_key(conn, key, alias, pkcs8, false))?;
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
