//! Server time for Kotlin and Swift: the offset between a server's clock and the device's,
//! which corrects every code and push call of the vault. Core owns the rules
//! (`tessera_core::clock`); this module converts and forwards. Learning it over HTTP is
//! `PushClient.sync_time` (through the platform's `PushTransport` in the mobile library);
//! a shell that fetched a `Date` header itself passes it to `Vault.record_server_date`.

use crate::error::Result;
use crate::vault::Vault;

/// The server time as last measured: what a settings screen shows, and whether to warn.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ServerTimeStatus {
    /// Server time minus device time, in seconds (positive: the device clock is behind).
    pub offset_seconds: i64,
    /// Where it was learned: the server's host (and port).
    pub source: String,
    /// Unix second (server time) of the measurement.
    pub synced_at: u64,
    /// True when the offset is above the warning threshold (`offset_warning_seconds`): show
    /// the user that the device clock is wrong (codes are still right, thanks to the offset).
    pub warning: bool,
}

impl From<&tessera_core::clock::ServerTime> for ServerTimeStatus {
    fn from(t: &tessera_core::clock::ServerTime) -> Self {
        ServerTimeStatus {
            offset_seconds: t.offset_secs,
            source: t.source.clone(),
            synced_at: t.synced_at,
            warning: t.warning(),
        }
    }
}

/// The offset (seconds, either way) above which `ServerTimeStatus.warning` is set: one TOTP
/// step, 30 s.
#[uniffi::export]
pub fn offset_warning_seconds() -> i64 {
    tessera_core::clock::OFFSET_WARNING_SECS
}

/// How far the device clock is off, in words: "1 min 35 s behind pi.example" for an offset of
/// 95 s, "2 min 5 s ahead of pi.example" for -125 s. Show it with the clock warning
/// (`ServerTimeStatus.warning`) and in the settings; `offset_seconds` and `source` as in
/// `ServerTimeStatus`.
#[uniffi::export]
pub fn describe_clock_offset(offset_seconds: i64, source: String) -> String {
    tessera_core::app::describe_clock_offset(offset_seconds, &source)
}

#[uniffi::export]
impl Vault {
    /// The stored server time, or `None` before any sync. `Integrity` when the stored value
    /// was modified outside Tessera (it is then not applied; sync again or reset it).
    pub fn server_time(&self) -> Result<Option<ServerTimeStatus>> {
        Ok(self
            .unlocked()?
            .server_time()?
            .as_ref()
            .map(ServerTimeStatus::from))
    }

    /// Keeps the server time of an HTTP `Date` header the app received itself from `url`
    /// (its own HTTP stack), measured against the vault's clock now. `InvalidInput` when
    /// `date` is not an HTTP date.
    pub fn record_server_date(&self, date: String, url: String) -> Result<ServerTimeStatus> {
        let vault = self.unlocked()?;
        let clock = self.device_clock()?;
        let time = tessera_core::clock::record_date(&vault, &*clock, &date, &url)?;
        Ok(ServerTimeStatus::from(&time))
    }

    /// Forgets the server time: codes use the vault's clock as it is again.
    pub fn reset_server_time(&self) -> Result<()> {
        Ok(self.unlocked()?.reset_server_time()?)
    }

    /// The vault's time in Unix seconds, as codes are computed: its clock plus the server
    /// offset.
    pub fn now_unix(&self) -> Result<u64> {
        self.corrected_now()
    }
}
