//! What the platform provides to Tessera, as traits Kotlin and Swift implement.
//!
//! Every method returns a `Result`: a foreign implementation that throws (any exception, not
//! only `TesseraException`) makes the call fail with `TesseraError.Platform` instead of
//! crashing, and the operation that needed it changes nothing.

use std::sync::Arc;

use crate::error::Result;

/// The time codes are computed at. An app can supply server-corrected time (e.g. from NTP or
/// its backend) when the device clock is wrong; without one, Tessera uses the system clock.
#[uniffi::export(foreign)]
pub trait Clock: Send + Sync {
    /// The current Unix time in seconds.
    fn now_unix(&self) -> Result<u64>;
}

/// The time of `clock`, or the system's when there is none.
pub(crate) fn now(clock: Option<&Arc<dyn Clock>>) -> Result<u64> {
    match clock {
        Some(clock) => clock.now_unix(),
        None => Ok(tessera_core::otp::unix_now()),
    }
}
