//! What the platform provides to Tessera, as traits Kotlin and Swift implement.
//!
//! Every method returns a `Result`: a foreign implementation that throws (any exception, not
//! only `TesseraException`) makes the call fail with `TesseraError.Platform` instead of
//! crashing, and the operation that needed it changes nothing.

use std::sync::Arc;

use tessera_core::vault::{self, KeyProviderError};
use zeroize::Zeroizing;

use crate::error::{Result, TesseraError};

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

/// A device clock for core: the app's `Clock` (read once and carried on by a monotonic timer,
/// so a round trip's two readings agree) or the system's. Not corrected.
pub(crate) fn device_clock(
    clock: Option<&Arc<dyn Clock>>,
) -> Result<Box<dyn tessera_core::clock::Clock>> {
    Ok(match clock {
        Some(clock) => {
            let millis = i64::try_from(clock.now_unix()?)
                .unwrap_or(i64::MAX / 1000)
                .saturating_mul(1000);
            Box::new(tessera_core::clock::SteadyClock::starting_at(millis))
        }
        None => Box::new(tessera_core::clock::SystemClock),
    })
}

/// The time of `clock` in Unix milliseconds, or the system's when there is none. A `Clock`
/// answers in whole seconds, so with one the watch of a code list may wake up to a second
/// late; the system clock is exact to the millisecond.
pub(crate) fn now_millis(clock: Option<&Arc<dyn Clock>>) -> Result<u64> {
    match clock {
        Some(clock) => clock
            .now_unix()?
            .checked_mul(1000)
            .ok_or_else(|| TesseraError::platform("the clock returned a time beyond any code")),
        None => Ok(tessera_core::otp::unix_now_millis()),
    }
}

/// The device slot of a vault: a platform keystore (Android Keystore, iOS Keychain / Secure
/// Enclave) that wraps and unwraps the vault's 256-bit key. Tessera stores only what `wrap`
/// returns; the keystore's own key should never leave the platform.
///
/// Implementations should zero the byte arrays they receive and return as soon as they are
/// done with them. To report a known condition, throw the matching `TesseraError`:
/// `WrongKey` (not this device's key, or the key was invalidated: the user must unlock with
/// the password), `Cancelled` (the user dismissed an authentication prompt), `Platform` (the
/// keystore is unavailable). Anything else thrown arrives as `Platform`.
#[uniffi::export(foreign)]
pub trait KeyProvider: Send + Sync {
    /// Encrypts the vault key under the device key.
    fn wrap(&self, key: Vec<u8>) -> Result<Vec<u8>>;
    /// Decrypts what `wrap` returned (Tessera checks the result itself, too).
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>>;
}

/// Core's view of a foreign [`KeyProvider`].
pub(crate) struct ForeignKeys(pub(crate) Arc<dyn KeyProvider>);

impl vault::KeyProvider for ForeignKeys {
    fn wrap(&self, key: &[u8]) -> std::result::Result<Vec<u8>, KeyProviderError> {
        // uniffi copies the bytes into a buffer that it frees without wiping; the vault key
        // has to reach the platform keystore somehow, and this is the shortest path.
        self.0.wrap(key.to_vec()).map_err(key_provider_error)
    }

    fn unwrap(&self, wrapped: &[u8]) -> std::result::Result<Zeroizing<Vec<u8>>, KeyProviderError> {
        self.0
            .unwrap(wrapped.to_vec())
            .map(Zeroizing::new)
            .map_err(key_provider_error)
    }
}

/// How a platform's failure reads to core's vault.
fn key_provider_error(error: TesseraError) -> KeyProviderError {
    match error {
        TesseraError::WrongKey => KeyProviderError::WrongKey,
        TesseraError::Cancelled => KeyProviderError::Cancelled,
        TesseraError::Platform { reason } => KeyProviderError::Unavailable(reason),
        other => KeyProviderError::Failed(other.to_string()),
    }
}
