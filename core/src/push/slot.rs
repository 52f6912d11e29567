//! The poll slot: what a background poll needs to fetch push requests while the vault stays
//! locked.
//!
//! A vault whose device key needs biometrics cannot be opened by a background task, and the
//! push tokens live in the vault. The poll slot is a small second file beside the vault
//! ([`slot_path`]) holding only what polling needs, sealed with AES-256-GCM under its own
//! random key, which a second, non-biometric device key wraps through a [`KeyProvider`]:
//!
//! - per push token: serial, server URL, TLS flag, the server's public key (to verify requests
//!   before keeping them), the alias of the platform device key, issuer, label and unlock
//!   demand; and the server-time offset (a poll's timestamp must be within a minute of the
//!   server's clock). Never an OTP secret, the vault key, a password or a software device key.
//! - the requests background polls fetched and verified, until the vault takes them in.
//!
//! [`PollSlot`] polls and lists what it fetched; it cannot answer (that needs the unlocked
//! vault: [`PollSlot`] has no such call, and its store is private). The vault writes the slot
//! ([`Vault::enable_poll_slot`], then on every change of its push tokens and every take-in),
//! takes in what it fetched, verifying every request again against the vault's own tokens
//! ([`take_in`]), and deletes it ([`Vault::disable_poll_slot`]). The threat model is in
//! `docs/security.md`, *Background polling*.
//!
//! The file is SQLite (one transaction per write, `synchronous = FULL`), so a background poll
//! and the app writing at the same moment never tear it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::PushError;
use super::enrollment::ForceUnlock;
use super::keys::DeviceKeys;
use super::protocol::{Challenge, REQUEST_LIFETIME_SECS, ServerKey};
use super::service::{
    PendingRequest, PollReport, Push, PushStore, PushToken, SEEN_NONCE_CAP, SEEN_NONCE_KEEP_SECS,
};
use super::transport::Transport;
use crate::clock::{Clock, ServerTime};
use crate::crypto::aead::AeadKey;
use crate::crypto::random;
use crate::vault::{Binding, KeyProvider, KeyProviderError, Vault, VaultError};

/// `PRAGMA application_id` of a poll slot file ("TSPS").
const APPLICATION_ID: i64 = 0x5453_5053;
/// The slot format this code writes and reads.
const FORMAT: &[u8] = b"1";
/// Associated data of the sealed rows: a row moved to another name fails to open.
const CONTENTS_AAD: &[u8] = b"tessera/v1/poll_slot/contents";
const CLOCK_AAD: &[u8] = b"tessera/v1/poll_slot/clock";
/// Associated data of the key check: an empty message sealed under the slot key, which opens
/// only with the right key (a keystore that cannot tell a wrong key is caught here).
const CHECK_AAD: &[u8] = b"tessera/v1/poll_slot/check";
/// The vault_meta row holding the slot key, sealed under the vault key.
const KEY_ROW: &str = "poll_slot_key";

/// The poll slot of the vault at `vault_path`: beside it, its file name plus `-pollslot`.
pub fn slot_path(vault_path: &Path) -> PathBuf {
    let mut name = vault_path.file_name().unwrap_or_default().to_os_string();
    name.push("-pollslot");
    vault_path.with_file_name(name)
}

/// One token as the slot keeps it (JSON inside the sealed contents).
#[derive(Serialize, Deserialize)]
struct SlotToken {
    serial: String,
    issuer: String,
    label: String,
    url: String,
    sslverify: bool,
    server_key: Vec<u8>,
    key_alias: String,
    enrolled_at: u64,
    force_unlock: Option<String>,
}

impl From<&PushToken> for SlotToken {
    fn from(t: &PushToken) -> Self {
        SlotToken {
            serial: t.serial.clone(),
            issuer: t.issuer.clone(),
            label: t.label.clone(),
            url: t.url.clone(),
            sslverify: t.sslverify,
            server_key: t.server_key.0.clone(),
            key_alias: t.key_alias.clone(),
            enrolled_at: t.enrolled_at,
            force_unlock: t.force_unlock.map(|f| f.as_str().to_owned()),
        }
    }
}

impl From<SlotToken> for PushToken {
    fn from(t: SlotToken) -> Self {
        PushToken {
            serial: t.serial,
            issuer: t.issuer,
            label: t.label,
            url: t.url,
            sslverify: t.sslverify,
            server_key: ServerKey(t.server_key),
            key_alias: t.key_alias,
            enrolled_at: t.enrolled_at,
            force_unlock: t.force_unlock.as_deref().map(ForceUnlock::from_param),
        }
    }
}

/// The server time as the slot keeps it.
#[derive(Serialize, Deserialize)]
struct SlotClock {
    offset_secs: i64,
    source: String,
    synced_at: u64,
}

fn damaged(what: &str) -> PushError {
    PushError::Vault(VaultError::Corrupt(format!("the poll slot's {what}")))
}

fn storage(e: rusqlite::Error) -> PushError {
    PushError::Vault(VaultError::from(e))
}

/// Opens (or with `create`, makes) the slot database.
fn connect(path: &Path, create: bool) -> Result<Connection, PushError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    } else if !path.exists() {
        return Err(PushError::NoPollSlot);
    }
    let conn = Connection::open_with_flags(path, flags).map_err(storage)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(storage)?;
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|_| damaged("file"))?;
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;",
    )
    .map_err(storage)?;
    if !create {
        // Opening an existing slot writes nothing (the app takes it in on every inbox call).
        return if app_id == APPLICATION_ID {
            Ok(conn)
        } else {
            Err(damaged("file"))
        };
    }
    if app_id != 0 {
        return Err(damaged("file"));
    }
    conn.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID};
         CREATE TABLE slot (
             name  TEXT PRIMARY KEY NOT NULL,
             value BLOB NOT NULL
         ) STRICT;
         -- Verified requests fetched by background polls, sealed, until the vault takes them.
         CREATE TABLE inbox (
             nonce       TEXT PRIMARY KEY NOT NULL,
             request     BLOB NOT NULL,
             received_at INTEGER NOT NULL,
             poll_round  INTEGER NOT NULL
         ) STRICT;
         -- Nonces fetched before: a request is kept and announced once.
         CREATE TABLE seen (
             nonce   TEXT PRIMARY KEY NOT NULL,
             seen_at INTEGER NOT NULL
         ) STRICT;"
    ))
    .map_err(storage)?;
    Ok(conn)
}

fn row(conn: &Connection, name: &str) -> Result<Option<Vec<u8>>, PushError> {
    conn.query_row("SELECT value FROM slot WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()
    .map_err(storage)
}

fn set_row(conn: &Connection, name: &str, value: &[u8]) -> Result<(), PushError> {
    conn.execute(
        "INSERT INTO slot (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params![name, value],
    )
    .map_err(storage)?;
    Ok(())
}

fn seal(key: &AeadKey, plain: &[u8], aad: &[u8]) -> Result<Vec<u8>, PushError> {
    key.seal_with_random_nonce(plain, aad)
        .map_err(|e| PushError::Vault(VaultError::Storage(e.to_string())))
}

fn inbox_aad(nonce: &str) -> Vec<u8> {
    format!("tessera/v1/poll_slot/inbox/{nonce}").into_bytes()
}

fn write_clock(conn: &Connection, key: &AeadKey, time: &ServerTime) -> Result<(), PushError> {
    let plain = serde_json::to_vec(&SlotClock {
        offset_secs: time.offset_secs,
        source: time.source.clone(),
        synced_at: time.synced_at,
    })
    .map_err(|_| damaged("clock"))?;
    set_row(conn, "clock", &seal(key, &plain, CLOCK_AAD)?)
}

/// Writes the vault's tokens and server time into the slot, in one transaction.
fn write_contents(
    conn: &mut Connection,
    key: &AeadKey,
    tokens: &[PushToken],
    time: Option<&ServerTime>,
) -> Result<(), PushError> {
    let plain = Zeroizing::new(
        serde_json::to_vec(&tokens.iter().map(SlotToken::from).collect::<Vec<_>>())
            .map_err(|_| damaged("tokens"))?,
    );
    let tx = conn.transaction().map_err(storage)?;
    set_row(&tx, "format", FORMAT)?;
    set_row(&tx, "contents", &seal(key, &plain, CONTENTS_AAD)?)?;
    if let Some(time) = time {
        write_clock(&tx, key, time)?;
    }
    tx.commit().map_err(storage)
}

impl Vault {
    fn slot_key(&self) -> Result<Option<Zeroizing<Vec<u8>>>, PushError> {
        let binding = Binding {
            table: "vault_meta",
            row: KEY_ROW,
            field: "value",
        };
        self.with_storage_keep_cache(|conn, key| {
            let sealed: Option<Vec<u8>> = conn
                .query_row(
                    "SELECT value FROM vault_meta WHERE name = ?1",
                    [KEY_ROW],
                    |r| r.get(0),
                )
                .optional()?;
            sealed
                .map(|sealed| {
                    key.open(binding, &sealed)
                        .ok_or_else(|| VaultError::Corrupt("the poll slot key".into()))
                })
                .transpose()
        })
        .map_err(PushError::Vault)
    }

    /// Turns background polling on, or renews it: a fresh slot key, wrapped by `provider` (a
    /// device key that needs no user presence, so a background task can use it) and kept
    /// sealed in the vault too, and a new slot file holding the push tokens and the server
    /// time. Anything an earlier slot held is gone (its key no longer opens anything).
    pub fn enable_poll_slot(&self, provider: &dyn KeyProvider) -> Result<(), PushError> {
        let raw =
            random::make_key().map_err(|e| PushError::Vault(VaultError::Storage(e.to_string())))?;
        let wrapped = provider
            .wrap(&raw[..])
            .map_err(|e| PushError::Vault(VaultError::KeyProvider(e)))?;
        let key = AeadKey::new(&raw[..])
            .map_err(|e| PushError::Vault(VaultError::Storage(e.to_string())))?;
        let path = slot_path(self.path());
        // A new file every time: nothing sealed under an old key survives a renewal. An
        // interruption leaves no slot, or one whose key the vault does not hold: either reads
        // as "off" (the slot key is written last) and enabling again starts over.
        remove_slot_files(&path)?;
        // Created empty (an empty file is an empty database) and private to its owner first.
        crate::files::write_private(&path, b"", crate::files::Existing::Keep).map_err(|e| {
            PushError::Vault(VaultError::Storage(format!(
                "cannot create the poll slot: {e}"
            )))
        })?;
        let mut conn = connect(&path, true)?;
        set_row(&conn, "wrapped_key", &wrapped)?;
        set_row(&conn, "check", &seal(&key, b"", CHECK_AAD)?)?;
        write_contents(
            &mut conn,
            &key,
            &self.push_tokens()?,
            self.slot_time().as_ref(),
        )?;
        let binding = Binding {
            table: "vault_meta",
            row: KEY_ROW,
            field: "value",
        };
        self.with_storage_keep_cache(|conn, vault_key| {
            let sealed = vault_key.seal(binding, &raw[..])?;
            conn.execute(
                "INSERT INTO vault_meta (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                params![KEY_ROW, sealed],
            )?;
            Ok(())
        })
        .map_err(PushError::Vault)
    }

    /// Turns background polling off: deletes the slot file and forgets its key. `false` when
    /// it was off. (The shell deletes its background device key too.)
    pub fn disable_poll_slot(&self) -> Result<bool, PushError> {
        let had_key = self
            .with_storage_keep_cache(|conn, _| {
                Ok(conn.execute("DELETE FROM vault_meta WHERE name = ?1", [KEY_ROW])? > 0)
            })
            .map_err(PushError::Vault)?;
        let path = slot_path(self.path());
        let had_file = path.exists();
        remove_slot_files(&path)?;
        Ok(had_key || had_file)
    }

    /// True when background polling is on (the vault holds a slot key).
    pub fn has_poll_slot(&self) -> Result<bool, PushError> {
        Ok(self.slot_key()?.is_some())
    }

    /// Writes the vault's push tokens and server time into the slot; nothing when background
    /// polling is off. [`PushError::NoPollSlot`] when it is on but its file is gone (turn it
    /// on again).
    pub fn refresh_poll_slot(&self) -> Result<(), PushError> {
        let Some(raw) = self.slot_key()? else {
            return Ok(());
        };
        let key = AeadKey::new(&raw[..]).map_err(|_| damaged("key"))?;
        let mut conn = connect(&slot_path(self.path()), false)?;
        write_contents(
            &mut conn,
            &key,
            &self.push_tokens()?,
            self.slot_time().as_ref(),
        )
    }

    /// Rewrites the slot after the push tokens changed. A failure leaves the slot as it was
    /// until the next take-in refreshes it: the change itself (done on the server already)
    /// stands, and a removed token's device key is deleted anyway, so a stale slot cannot
    /// sign a poll for it.
    pub(crate) fn follow_tokens_in_poll_slot(&self) {
        let _ = self.refresh_poll_slot();
    }

    /// The vault's server time, when it has an intact one.
    fn slot_time(&self) -> Option<ServerTime> {
        self.server_time().ok().flatten()
    }
}

fn remove_slot_files(path: &Path) -> Result<(), PushError> {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        match std::fs::remove_file(PathBuf::from(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(PushError::Vault(VaultError::Storage(format!(
                    "cannot delete the poll slot: {e}"
                ))));
            }
        }
    }
    Ok(())
}

/// Moves what background polls fetched into the vault's inbox through `push` (over the vault):
/// each request is verified again against the vault's own token (the slot is not trusted),
/// replays and expired ones are dropped, and each keeps the time it was first fetched, so its
/// time left is unchanged. Nothing when background polling is off. Returns how many requests
/// were taken in.
pub fn take_in(vault: &Vault, push: &Push<'_>, now: u64) -> Result<usize, PushError> {
    let Some(raw) = vault.slot_key()? else {
        return Ok(0);
    };
    let key = AeadKey::new(&raw[..]).map_err(|_| damaged("key"))?;
    let conn = connect(&slot_path(vault.path()), false)?;
    let fetched = read_inbox(&conn, &key)?;
    let mut taken = 0;
    for request in fetched {
        let nonce = request.challenge.nonce.clone();
        // Refused requests are never shown: only what verifies against the vault counts.
        if push
            .receive_at(request.challenge, request.received_at, now)
            .is_ok()
        {
            taken += 1;
        }
        conn.execute("DELETE FROM inbox WHERE nonce = ?1", [&nonce])
            .map_err(storage)?;
    }
    Ok(taken)
}

/// Every fetched request in the slot, oldest first, with its round's "new" mark. A row that
/// does not open is dropped from the answer (the vault would refuse it anyway).
fn read_inbox(conn: &Connection, key: &AeadKey) -> Result<Vec<PendingRequest>, PushError> {
    let round = poll_round(conn)?;
    let mut stmt = conn
        .prepare(
            "SELECT nonce, request, received_at, poll_round FROM inbox ORDER BY received_at, nonce",
        )
        .map_err(storage)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .map_err(storage)?;
    let mut out = Vec::new();
    for row in rows {
        let (nonce, sealed, received_at, request_round) = row.map_err(storage)?;
        let Some(plain) = key.open_nonce_prefixed(&sealed, &inbox_aad(&nonce)) else {
            continue;
        };
        let Ok(challenge) = serde_json::from_slice::<Challenge>(&plain) else {
            continue;
        };
        if challenge.nonce != nonce {
            continue;
        }
        out.push(PendingRequest::new(
            challenge,
            received_at.max(0) as u64,
            request_round == round,
        ));
    }
    Ok(out)
}

fn poll_round(conn: &Connection) -> Result<i64, PushError> {
    Ok(row(conn, "poll_round")?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map_or(0, i64::from_be_bytes))
}

/// A vault's poll slot, opened with the background device key: polls the push tokens it
/// holds and lists the requests it fetched. It cannot answer, enroll or remove anything.
pub struct PollSlot {
    conn: Mutex<Connection>,
    key: AeadKey,
    tokens: Vec<PushToken>,
}

impl std::fmt::Debug for PollSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollSlot")
            .field("tokens", &self.tokens.len())
            .finish_non_exhaustive()
    }
}

impl PollSlot {
    /// Opens the poll slot of the vault at `vault_path` with `provider`, the background device
    /// key it was enabled with. [`PushError::NoPollSlot`] when background polling is off;
    /// the provider's failure (wrong key, unavailable) as it reported it; a damaged or
    /// modified slot as damaged.
    pub fn open(vault_path: &Path, provider: &dyn KeyProvider) -> Result<PollSlot, PushError> {
        let conn = connect(&slot_path(vault_path), false)?;
        if row(&conn, "format")?.as_deref() != Some(FORMAT) {
            return Err(damaged("format"));
        }
        let wrapped = row(&conn, "wrapped_key")?.ok_or_else(|| damaged("key"))?;
        let raw = provider
            .unwrap(&wrapped)
            .map_err(|e| PushError::Vault(VaultError::KeyProvider(e)))?;
        // A key of the wrong length or one that does not open the check is not this slot's.
        let wrong_key = || PushError::Vault(VaultError::KeyProvider(KeyProviderError::WrongKey));
        let key = AeadKey::new(&raw).map_err(|_| wrong_key())?;
        let check = row(&conn, "check")?.ok_or_else(|| damaged("key"))?;
        key.open_nonce_prefixed(&check, CHECK_AAD)
            .ok_or_else(wrong_key)?;
        let sealed = row(&conn, "contents")?.ok_or_else(|| damaged("tokens"))?;
        let plain = key
            .open_nonce_prefixed(&sealed, CONTENTS_AAD)
            .ok_or_else(|| damaged("tokens"))?;
        let tokens: Vec<SlotToken> =
            serde_json::from_slice(&plain).map_err(|_| damaged("tokens"))?;
        Ok(PollSlot {
            conn: Mutex::new(conn),
            key,
            tokens: tokens.into_iter().map(PushToken::from).collect(),
        })
    }

    /// The push tokens it polls.
    pub fn tokens(&self) -> &[PushToken] {
        &self.tokens
    }

    /// The slot's time for device time `device_millis`: plus the server offset it knows.
    pub fn corrected_millis(&self, device_millis: i64) -> Result<i64, PushError> {
        Ok(device_millis.saturating_add(self.offset_secs()?.saturating_mul(1000)))
    }

    fn offset_secs(&self) -> Result<i64, PushError> {
        let conn = self.lock();
        let Some(sealed) = row(&conn, "clock")? else {
            return Ok(0);
        };
        let plain = self
            .key
            .open_nonce_prefixed(&sealed, CLOCK_AAD)
            .ok_or_else(|| damaged("clock"))?;
        let clock: SlotClock = serde_json::from_slice(&plain).map_err(|_| damaged("clock"))?;
        Ok(clock.offset_secs)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic elsewhere cannot leave the connection half-changed: writes are transactions.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Polls every token once with the platform's device keys and transport, at the time of
    /// `clock` corrected by the slot's server offset (each response's `Date` refreshes it).
    /// Requests are verified against the token's server key and kept in the slot (sealed);
    /// `received` holds those still open, with `is_new` on the ones this poll brought first;
    /// with it comes the corrected time the poll judged them at (Unix seconds), which the
    /// requests' time left is counted from (the offset the responses teach applies from the
    /// next call on).
    pub fn poll(
        &self,
        keys: &dyn DeviceKeys,
        transport: &dyn Transport,
        clock: &dyn Clock,
    ) -> Result<(PollReport, u64), PushError> {
        let now_micros = self
            .corrected_millis(clock.now_millis())?
            .saturating_mul(1000);
        // Requests nobody took in are dropped once no server could still take an answer,
        // so the inbox stays as small as the open requests.
        let now = u64::try_from(now_micros / 1_000_000).unwrap_or(0);
        self.lock()
            .execute(
                "DELETE FROM inbox WHERE received_at <= ?1",
                [now.saturating_sub(REQUEST_LIFETIME_SECS) as i64],
            )
            .map_err(storage)?;
        let store = SlotStore(self);
        let report = Push::new(&store, keys, transport)
            .with_device_clock(clock)
            .poll(now_micros)?;
        Ok((report, now))
    }

    /// The fetched requests still answerable at the time of `clock` (corrected), oldest first,
    /// each with its token's issuer, label and unlock demand: what a notification shows.
    pub fn pending(&self, clock: &dyn Clock) -> Result<Vec<PendingRequest>, PushError> {
        let now = u64::try_from(self.corrected_millis(clock.now_millis())? / 1000).unwrap_or(0);
        let requests = read_inbox(&self.lock(), &self.key)?;
        Ok(requests
            .into_iter()
            .filter(|r| now < r.expires_at())
            .filter_map(|r| {
                let token = self
                    .tokens
                    .iter()
                    .find(|t| t.serial == r.challenge.serial)?;
                let mut r = r;
                r.issuer = token.issuer.clone();
                r.label = token.label.clone();
                r.force_unlock = token.force_unlock;
                Some(r)
            })
            .collect())
    }
}

/// The slot as the [`Push`] service's store, for polling only: it holds tokens read-only, and
/// is private, so nothing outside this module can answer through it.
struct SlotStore<'a>(&'a PollSlot);

impl PushStore for SlotStore<'_> {
    fn push_tokens(&self) -> Result<Vec<PushToken>, PushError> {
        Ok(self.0.tokens.clone())
    }

    fn push_token(&self, serial: &str) -> Result<Option<PushToken>, PushError> {
        Ok(self.0.tokens.iter().find(|t| t.serial == serial).cloned())
    }

    fn add_push_token(&self, _: &PushToken) -> Result<(), PushError> {
        Err(PushError::PollSlotReadOnly)
    }

    fn remove_push_token(&self, _: &str) -> Result<bool, PushError> {
        Err(PushError::PollSlotReadOnly)
    }

    fn pending_requests(&self) -> Result<Vec<PendingRequest>, PushError> {
        read_inbox(&self.0.lock(), &self.0.key)
    }

    fn add_pending_request(&self, request: &PendingRequest) -> Result<(), PushError> {
        let nonce = request.id();
        let plain =
            Zeroizing::new(serde_json::to_vec(&request.challenge).map_err(|_| damaged("inbox"))?);
        let sealed = seal(&self.0.key, &plain, &inbox_aad(nonce))?;
        let mut conn = self.0.lock();
        let tx = conn.transaction().map_err(storage)?;
        let round = poll_round(&tx)?;
        tx.execute(
            "INSERT INTO inbox (nonce, request, received_at, poll_round) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (nonce) DO NOTHING",
            params![nonce, sealed, request.received_at as i64, round],
        )
        .map_err(storage)?;
        remember(&tx, nonce, request.received_at)?;
        tx.commit().map_err(storage)
    }

    fn close_request(&self, nonce: &str, at: u64) -> Result<(), PushError> {
        let mut conn = self.0.lock();
        let tx = conn.transaction().map_err(storage)?;
        tx.execute("DELETE FROM inbox WHERE nonce = ?1", [nonce])
            .map_err(storage)?;
        remember(&tx, nonce, at)?;
        tx.commit().map_err(storage)
    }

    fn is_seen(&self, nonce: &str) -> Result<bool, PushError> {
        self.0
            .lock()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM seen WHERE nonce = ?1)",
                [nonce],
                |r| r.get(0),
            )
            .map_err(storage)
    }

    fn start_poll_round(&self) -> Result<(), PushError> {
        let conn = self.0.lock();
        let next = poll_round(&conn)?.saturating_add(1);
        set_row(&conn, "poll_round", &next.to_be_bytes())
    }

    fn record_server_time(&self, time: &ServerTime) -> Result<(), PushError> {
        write_clock(&self.0.lock(), &self.0.key, time)
    }
}

/// Remembers `nonce` as seen at `at`, forgetting those older than the kept window or beyond
/// the cap (the vault's own limits).
fn remember(conn: &Connection, nonce: &str, at: u64) -> Result<(), PushError> {
    conn.execute(
        "INSERT INTO seen (nonce, seen_at) VALUES (?1, ?2)
         ON CONFLICT (nonce) DO UPDATE SET seen_at = max(seen_at, excluded.seen_at)",
        params![nonce, at as i64],
    )
    .map_err(storage)?;
    conn.execute(
        "DELETE FROM seen WHERE seen_at < ?1",
        [at.saturating_sub(SEEN_NONCE_KEEP_SECS) as i64],
    )
    .map_err(storage)?;
    conn.execute(
        "DELETE FROM seen WHERE nonce NOT IN
             (SELECT nonce FROM seen ORDER BY seen_at DESC LIMIT ?1)",
        [SEEN_NONCE_CAP as i64],
    )
    .map_err(storage)?;
    Ok(())
}
