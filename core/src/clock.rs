//! Time: the device's clock, and the correction learned from a server's clock.
//!
//! Phones' clocks drift, and a TOTP code computed from a wrong clock is refused by the
//! server (a 30-second step tolerates about one step of error). A privacyIDEA server's HTTP
//! `Date` header gives its time to the second, so Tessera measures the *offset* between the
//! server's clock and the device's: on every push response (`push::Push::with_device_clock`),
//! and on demand from any HTTPS URL (or loopback HTTP) with [`sync`], or from a `Date` a shell
//! fetched itself with [`record_date`]. The offset is kept in the vault, authenticated under
//! the vault key, and every time Tessera computes codes or talks push at is the device's time
//! plus the offset ([`Vault::corrected_now`]).
//!
//! The measurement: a `Date` of second `D` was written at some instant in `[D, D + 1)`, while
//! the request was on its way, so the server's time at the midpoint of the round trip is
//! taken as `D + 0.5 s`; the offset is that minus the device's time at the midpoint, rounded
//! to whole seconds. Its error is at most half the round trip plus half a second, far inside
//! a code's step. An offset above [`OFFSET_WARNING_SECS`] is reported as a warning a shell
//! shows ("your clock is off by …"): codes are then right only thanks to the correction.
//!
//! What a file writer could do: the row is authenticated, so an edited offset reads as
//! damaged and is not applied ([`TimeError::Integrity`], codes use the device clock), but an
//! older authentic row put back is not detected (see `vault::integrity`).

use std::time::Instant;

use rusqlite::{OptionalExtension, Transaction, params};

use crate::net::{InsecureTransport, TransportPolicy, check_url};
use crate::push::{HttpRequest, Method, PushStore, Transport, TransportError};
use crate::vault::{Field, Vault, VaultError, VaultKey};

/// An offset larger than this many seconds (either way) is shown to the user as a warning:
/// 30 s is one TOTP step, the most a server's validation window usually forgives.
pub const OFFSET_WARNING_SECS: i64 = 30;

/// The largest offset accepted (about 100 years): a `Date` further off is not a clock error
/// but a broken server.
pub const MAX_OFFSET_SECS: i64 = 100 * 366 * 86_400;

/// The device's clock.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch, as the device believes.
    fn now_millis(&self) -> i64;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }
}

/// A clock read once (e.g. an app's own clock, which may only give seconds) and carried on
/// by a monotonic timer, so the two readings of a round trip are consistent.
#[derive(Debug, Clone, Copy)]
pub struct SteadyClock {
    base_millis: i64,
    start: Instant,
}

impl SteadyClock {
    /// A clock that reads `base_millis` now.
    pub fn starting_at(base_millis: i64) -> Self {
        SteadyClock {
            base_millis,
            start: Instant::now(),
        }
    }
}

impl Clock for SteadyClock {
    fn now_millis(&self) -> i64 {
        let elapsed = i64::try_from(self.start.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.base_millis.saturating_add(elapsed)
    }
}

/// Why the server's time could not be learned or read.
#[derive(Debug, thiserror::Error)]
pub enum TimeError {
    /// The response had no `Date` header.
    #[error("the server's response has no Date header")]
    NoDate,
    /// The `Date` header is not an HTTP date (RFC 9110), or gives a time more than a century
    /// away from the device's.
    #[error("the server's Date header is not a usable HTTP date")]
    BadDate,
    /// The URL is not one Tessera connects to without an explicit opt-in (see [`crate::net`]).
    #[error(transparent)]
    InsecureTransport(#[from] InsecureTransport),
    /// No response from the server.
    #[error(transparent)]
    Network(#[from] TransportError),
    /// The stored server time was modified outside Tessera or damaged: it is not applied
    /// (codes use the device clock) until the next sync or a reset replaces it.
    #[error(
        "the stored server time failed its integrity check (modified or damaged); sync the time again or reset it"
    )]
    Integrity,
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// No server was named and there is no push token whose server could be asked.
    #[error(
        "there is no push token whose server could give the time: give the URL of a server to ask"
    )]
    NoServer,
    /// Reading the push tokens, to find the server to ask, failed.
    #[error(transparent)]
    Push(Box<crate::push::PushError>),
}

/// The offset between a server's clock and the device's, as last measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTime {
    /// Server time minus device time, in seconds (positive: the device is behind).
    pub offset_secs: i64,
    /// Where it was learned: the server's host (and port), never a path, query or password.
    pub source: String,
    /// Unix second (server time) of the measurement.
    pub synced_at: u64,
}

impl ServerTime {
    /// Measures the offset from a `Date` header received for a request that left at device
    /// time `sent_millis` and whose response arrived at `received_millis`, from `url`.
    pub fn measure(
        date: &str,
        sent_millis: i64,
        received_millis: i64,
        url: &str,
    ) -> Result<Self, TimeError> {
        let server = httpdate::parse_http_date(date.trim()).map_err(|_| TimeError::BadDate)?;
        let server_secs = server
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| TimeError::BadDate)?
            .as_secs();
        let server_secs = i64::try_from(server_secs).map_err(|_| TimeError::BadDate)?;
        // i128: no overflow whatever the two readings are
        let midpoint = (i128::from(sent_millis) + i128::from(received_millis)) / 2;
        let offset_millis = i128::from(server_secs) * 1000 + 500 - midpoint;
        let offset_secs = (offset_millis as f64 / 1000.0).round();
        if offset_secs.abs() > MAX_OFFSET_SECS as f64 {
            return Err(TimeError::BadDate);
        }
        Ok(ServerTime {
            offset_secs: offset_secs as i64,
            source: source_of(url),
            synced_at: server_secs as u64,
        })
    }

    /// True when the device clock is off by more than [`OFFSET_WARNING_SECS`].
    pub fn warning(&self) -> bool {
        self.offset_secs.abs() > OFFSET_WARNING_SECS
    }

    /// The corrected time for device time `device_secs`.
    pub fn correct(&self, device_secs: u64) -> u64 {
        let corrected = i128::from(device_secs) + i128::from(self.offset_secs);
        corrected.clamp(0, i128::from(u64::MAX)) as u64
    }

    fn fields(&self) -> [Field<'_>; 3] {
        [
            Field::Int(self.offset_secs),
            Field::Text(&self.source),
            Field::Int(self.synced_at as i64),
        ]
    }

    fn tag(&self, key: &VaultKey) -> Vec<u8> {
        key.row_tag(TABLE, ROW, &self.fields())
    }
}

/// The host and port of `url`, for naming where the time came from.
fn source_of(url: &str) -> String {
    let url = crate::net::redact_url(url);
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or("").to_owned()
}

const TABLE: &str = "server_time";
const ROW: &str = "offset";

/// Creates the server time's table for vault schema version `version` (see
/// `vault::schema::TableOwner`).
pub(crate) fn migrate(tx: &Transaction<'_>, version: i64) -> Result<(), VaultError> {
    if version == 4 {
        tx.execute_batch(
            "
            -- The last measured offset between a server's clock and the device's (one row at
            -- most). row_mac: HMAC under the vault key of offset, source and synced_at.
            CREATE TABLE IF NOT EXISTS server_time (
                id          INTEGER PRIMARY KEY CHECK (id = 1),
                offset_secs INTEGER NOT NULL,
                source      TEXT NOT NULL,
                synced_at   INTEGER NOT NULL,
                row_mac     BLOB NOT NULL
            ) STRICT;
            ",
        )?;
    }
    Ok(())
}

impl Vault {
    /// The stored server time, if a sync ever happened; [`TimeError::Integrity`] when the
    /// stored row was edited or damaged.
    pub fn server_time(&self) -> Result<Option<ServerTime>, TimeError> {
        let row = self.with_storage_keep_cache(|conn, key| {
            let row = conn
                .query_row(
                    "SELECT offset_secs, source, synced_at, row_mac FROM server_time WHERE id = 1",
                    [],
                    |r| {
                        // wrong types (an edited file) read as values that fail the tag
                        let time = ServerTime {
                            offset_secs: r.get_ref(0)?.as_i64().unwrap_or(0),
                            source: r.get_ref(1)?.as_str().unwrap_or("").to_owned(),
                            synced_at: r.get_ref(2)?.as_i64().unwrap_or(-1) as u64,
                        };
                        let tag = r.get_ref(3)?.as_blob().ok().map(<[u8]>::to_vec);
                        Ok((time, tag))
                    },
                )
                .optional()?;
            Ok(row.map(|(time, tag)| {
                let intact = key.row_tag_matches(TABLE, ROW, &time.fields(), tag.as_deref());
                (time, intact)
            }))
        })?;
        match row {
            None => Ok(None),
            Some((time, true)) => Ok(Some(time)),
            Some((_, false)) => Err(TimeError::Integrity),
        }
    }

    /// Stores `time` as the server time (replacing any earlier one). A changed offset counts as
    /// a change of the vault (code watches recompute their next change); the same offset
    /// measured again only refreshes `synced_at`.
    pub fn set_server_time(&self, time: &ServerTime) -> Result<(), VaultError> {
        let same_offset = matches!(
            self.server_time(),
            Ok(Some(known)) if known.offset_secs == time.offset_secs && known.source == time.source
        );
        let write = |conn: &mut rusqlite::Connection, key: &VaultKey| {
            conn.execute(
                "INSERT OR REPLACE INTO server_time (id, offset_secs, source, synced_at, row_mac)
                 VALUES (1, ?1, ?2, ?3, ?4)",
                params![
                    time.offset_secs,
                    time.source,
                    time.synced_at as i64,
                    time.tag(key)
                ],
            )?;
            Ok(())
        };
        if same_offset {
            self.with_storage_keep_cache(write)
        } else {
            self.with_storage(write)
        }
    }

    /// Forgets the server time: codes use the device clock again.
    pub fn reset_server_time(&self) -> Result<(), VaultError> {
        self.with_storage(|conn, _| {
            conn.execute("DELETE FROM server_time", [])?;
            Ok(())
        })
    }

    /// The corrected time for device time `device_secs`: plus the stored offset. A stored
    /// time that failed its integrity check is not applied (the device time is returned; the
    /// shell learns of the damage from [`Vault::server_time`]).
    pub fn corrected_now(&self, device_secs: u64) -> Result<u64, VaultError> {
        match self.server_time() {
            Ok(Some(time)) => Ok(time.correct(device_secs)),
            Ok(None) | Err(TimeError::Integrity) => Ok(device_secs),
            Err(TimeError::Vault(e)) => Err(e),
            Err(_) => Ok(device_secs),
        }
    }

    /// [`Vault::corrected_now`] in milliseconds.
    pub fn corrected_millis(&self, device_millis: u64) -> Result<u64, VaultError> {
        let offset_millis = match self.server_time() {
            Ok(Some(time)) => i128::from(time.offset_secs) * 1000,
            Ok(None) | Err(TimeError::Integrity) => 0,
            Err(TimeError::Vault(e)) => return Err(e),
            Err(_) => 0,
        };
        Ok((i128::from(device_millis) + offset_millis).clamp(0, i128::from(u64::MAX)) as u64)
    }
}

/// The server a sync asks when the user names none: the first push token's, the server whose
/// codes and requests matter to this user. [`TimeError::NoServer`] without a push token.
pub fn default_time_server(vault: &Vault) -> Result<String, TimeError> {
    let tokens = vault
        .push_tokens()
        .map_err(|e| TimeError::Push(Box::new(e)))?;
    tokens
        .into_iter()
        .next()
        .map(|t| t.url)
        .ok_or(TimeError::NoServer)
}

/// Learns the server time from `url` (any HTTPS URL, or plain HTTP to a loopback host; other
/// plain HTTP only under [`TransportPolicy::AllowInsecure`]; `None`: the
/// [`default_time_server`]): one GET through `transport`, whatever its status, measured
/// against `clock` (the device's) and stored in `vault`.
pub fn sync(
    vault: &Vault,
    transport: &dyn Transport,
    clock: &dyn Clock,
    url: Option<&str>,
    policy: TransportPolicy,
) -> Result<ServerTime, TimeError> {
    let url = match url {
        Some(url) => url.trim().to_owned(),
        None => default_time_server(vault)?,
    };
    let url = url.as_str();
    check_url(url, true, policy)?;
    let sent = clock.now_millis();
    let response = transport.send(&HttpRequest {
        method: Method::Get,
        url: url.to_owned(),
        query: vec![],
        form: vec![],
        verify_tls: true,
    })?;
    let received = clock.now_millis();
    let date = response.date.as_deref().ok_or(TimeError::NoDate)?;
    let time = ServerTime::measure(date, sent, received, url)?;
    vault.set_server_time(&time)?;
    Ok(time)
}

/// Keeps the server time of a `Date` header a shell received itself from `url` (a phone's
/// own HTTP stack): measured as if it arrived now by `clock`, and stored in `vault`.
pub fn record_date(
    vault: &Vault,
    clock: &dyn Clock,
    date: &str,
    url: &str,
) -> Result<ServerTime, TimeError> {
    let now = clock.now_millis();
    let time = ServerTime::measure(date, now, now, url)?;
    vault.set_server_time(&time)?;
    Ok(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected instants from `date -u -d 'Sun, 06 Nov 1994 08:49:37 GMT' +%s` (RFC 9110's example).
    const RFC_EXAMPLE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
    const RFC_EXAMPLE_SECS: i64 = 784_111_777;

    #[test]
    fn a_device_clock_behind_gives_a_positive_offset() {
        // the device believes it is 95 s earlier; round trip of 200 ms around the midpoint
        let device = (RFC_EXAMPLE_SECS - 95) * 1000 + 500;
        let t = ServerTime::measure(
            RFC_EXAMPLE,
            device - 100,
            device + 100,
            "https://pi.example/ttype/push",
        )
        .unwrap();
        assert_eq!(t.offset_secs, 95);
        assert_eq!(t.synced_at, RFC_EXAMPLE_SECS as u64);
        assert_eq!(t.source, "pi.example");
        assert!(t.warning());
        assert_eq!(t.correct(1000), 1095);
    }

    #[test]
    fn a_clock_right_to_the_second_gives_no_offset_and_no_warning() {
        let device = RFC_EXAMPLE_SECS * 1000 + 300;
        let t = ServerTime::measure(RFC_EXAMPLE, device, device + 400, "http://127.0.0.1:5000/")
            .unwrap();
        assert_eq!(t.offset_secs, 0);
        assert!(!t.warning());
        assert_eq!(t.source, "127.0.0.1:5000");
    }

    #[test]
    fn a_device_clock_ahead_gives_a_negative_offset_and_the_warning_starts_above_30_s() {
        let at = |offset: i64| {
            let device = (RFC_EXAMPLE_SECS - offset) * 1000 + 500;
            ServerTime::measure(RFC_EXAMPLE, device, device, "https://h/").unwrap()
        };
        assert_eq!(at(-30).offset_secs, -30);
        assert!(!at(-30).warning());
        assert!(at(-31).warning());
        assert_eq!(at(-31).correct(10), 0, "never before the epoch");
    }

    #[test]
    fn other_http_date_forms_are_read_and_garbage_is_refused() {
        let device = RFC_EXAMPLE_SECS * 1000 + 500;
        for date in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            let t = ServerTime::measure(date, device, device, "https://h/").unwrap();
            assert_eq!(t.offset_secs, 0, "{date}");
        }
        for date in [
            "",
            "yesterday",
            "Sun, 06 Nov 1994 25:49:37 GMT",
            "1700000000",
        ] {
            assert!(
                matches!(
                    ServerTime::measure(date, device, device, "https://h/"),
                    Err(TimeError::BadDate)
                ),
                "{date:?}"
            );
        }
    }

    #[test]
    fn the_source_names_the_host_without_credentials_path_or_query() {
        assert_eq!(
            source_of("https://user:pw@pi.example:8443/ttype/push?serial=X"),
            "pi.example:8443"
        );
    }
}
