//! The app's small shared rules for Kotlin and Swift: what an item is called, when the app
//! locks itself, when a copied code leaves the clipboard. Every rule is core's
//! (`tessera_core::app`); this module converts and forwards.

use tessera_core::app as core;

use crate::error::Result;
use crate::vault::Vault;

/// The name to show for anything with an issuer and a label (an account not saved yet on
/// the add screen, a push token, a request, a trash row): `Issuer (label)`, either alone when
/// the other is empty (or the same text, ignoring case), `(unnamed)` when both are empty.
/// Lists of accounts, tokens and requests carry it already as `display_name`.
#[uniffi::export]
pub fn display_name(issuer: String, label: String) -> String {
    core::display_name(&issuer, &label)
}

/// How long the app may be left alone before it locks the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LockTimeout {
    /// Lock as soon as the app is left (goes to the background).
    Immediately,
    /// Lock once it has been left `seconds` seconds.
    After {
        /// Seconds (0 locks at once).
        seconds: u32,
    },
    /// Never lock by itself.
    Never,
}

impl From<LockTimeout> for core::LockTimeout {
    fn from(value: LockTimeout) -> Self {
        match value {
            LockTimeout::Immediately => core::LockTimeout::Immediately,
            LockTimeout::After { seconds } => core::LockTimeout::After(seconds),
            LockTimeout::Never => core::LockTimeout::Never,
        }
    }
}

impl From<core::LockTimeout> for LockTimeout {
    fn from(value: core::LockTimeout) -> Self {
        match value {
            core::LockTimeout::Immediately => LockTimeout::Immediately,
            core::LockTimeout::After(seconds) => LockTimeout::After { seconds },
            core::LockTimeout::Never => LockTimeout::Never,
        }
    }
}

/// Whether to lock the vault now: the app was left at `left_at_millis` and it is
/// `now_millis`, both from one monotonic clock (Android `SystemClock.elapsedRealtime()`, iOS
/// `ProcessInfo.systemUptime`), so setting the wall clock changes nothing. A clock that went
/// back locks. Call it when the app is left (`Immediately` locks then) and when it returns.
#[uniffi::export]
pub fn should_lock(timeout: LockTimeout, left_at_millis: u64, now_millis: u64) -> bool {
    core::should_lock(timeout.into(), left_at_millis, now_millis)
}

/// The timeouts a settings screen offers, shortest first (from `Immediately` to `Never`).
#[uniffi::export]
pub fn lock_timeout_choices() -> Vec<LockTimeout> {
    core::LOCK_TIMEOUT_CHOICES.map(Into::into).to_vec()
}

/// The timeout of a new installation (one minute).
#[uniffi::export]
pub fn default_lock_timeout() -> LockTimeout {
    core::DEFAULT_LOCK_TIMEOUT.into()
}

#[uniffi::export]
impl Vault {
    /// Seconds from now until the clipboard must be cleared of a code just copied, whose row
    /// says it is valid until `valid_until` (`DisplayCode.valid_until`; `None` for HOTP): when
    /// the code changes or after 60 s, whichever is sooner, but not sooner than 10 s (a code
    /// copied in its last seconds must still reach the login form). Measured on the vault's
    /// corrected clock; run the returned duration on the platform's own timer.
    pub fn clipboard_clear_after_seconds(&self, valid_until: Option<u64>) -> Result<u64> {
        Ok(core::clipboard_clear_after(
            valid_until,
            self.corrected_now()?,
        ))
    }
}
