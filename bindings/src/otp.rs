//! One-time codes without a vault: for a secret given by the app, at an explicit time.

use std::sync::Arc;

use tessera_core::otp::Generator;
use tessera_core::secret::Secret;

use crate::error::Result;
use crate::platform::{Clock, now};
use crate::redact::REDACTED;
use crate::types::OtpParams;

/// A code and how long it stays valid. Printing it does not show the code.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct OtpCode {
    /// The code to type (digits, or Steam's letters).
    pub code: String,
    /// Seconds until the code changes (1..=period); 0 for HOTP, whose codes do not expire.
    pub remaining_seconds: u32,
    /// The period this code belongs to, for drawing a countdown; `null`/`nil` for HOTP.
    pub period: Option<u32>,
}

impl std::fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpCode")
            .field("code", &REDACTED)
            .field("remaining_seconds", &self.remaining_seconds)
            .field("period", &self.period)
            .finish()
    }
}

/// Builds the generator of a base32 secret under `params`, checking both.
pub(crate) fn generator(secret_base32: &str, params: OtpParams) -> Result<Generator> {
    let secret = Secret::from_base32(secret_base32)?;
    let params = tessera_core::OtpParams::try_from(params)?;
    Ok(Generator::new(&secret, &params)?)
}

/// The code of `generator` at `unix`, with its remaining validity.
pub(crate) fn code_of(generator: &Generator, unix: u64) -> OtpCode {
    let params = generator.params();
    OtpCode {
        code: generator.code_at(unix).text().as_str().to_owned(),
        remaining_seconds: generator.remaining_at(unix),
        period: params.kind.is_time_based().then_some(params.period),
    }
}

/// The code of a base32 secret (any case, spaces allowed) under `params` at `unix_time`
/// (seconds). For HOTP the code of `params.counter`. Fails with `InvalidInput` on a bad secret
/// or parameters.
#[uniffi::export]
pub fn otp_code_at(secret_base32: String, params: OtpParams, unix_time: u64) -> Result<OtpCode> {
    let generator = generator(&secret_base32, params)?;
    Ok(code_of(&generator, unix_time))
}

/// The code of a base32 secret under `params` now, by `clock` (the system clock when absent).
/// Fails with `InvalidInput` on a bad secret or parameters, `Platform` when the clock fails.
#[uniffi::export(default(clock = None))]
pub fn otp_code_now(
    secret_base32: String,
    params: OtpParams,
    clock: Option<Arc<dyn Clock>>,
) -> Result<OtpCode> {
    let generator = generator(&secret_base32, params)?;
    let unix = now(clock.as_ref())?;
    Ok(code_of(&generator, unix))
}
