//! The list of codes a screen shows, ready to draw, and a watch that calls the app back when a
//! code in it changes. Every rule (grouping, names, validity, search, order, scheduling) is
//! core's (`tessera_core::app`); this module converts and forwards.

use std::sync::{Arc, Weak};

use tessera_core::app as core;
use tessera_core::vault::Vault as CoreVault;

use crate::error::{Result, TesseraError};
use crate::platform::{Clock, now_millis};
use crate::redact::REDACTED;
use crate::types::{OtpKind, OtpParams};

/// Which accounts a code list shows. The default (`CodesQuery()`) shows every account not in
/// the trash.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct CodesQuery {
    /// Text the issuer, the label or the display name must contain, ignoring case (Unicode
    /// lowercase: `ÉCOLE` finds `École`); blank matches every account.
    #[uniffi(default = None)]
    pub search: Option<String>,
    /// Only accounts in the group of exactly this name.
    #[uniffi(default = None)]
    pub group: Option<String>,
    /// Only favorites.
    #[uniffi(default = false)]
    pub favorites_only: bool,
}

impl From<CodesQuery> for core::CodesQuery {
    fn from(value: CodesQuery) -> Self {
        core::CodesQuery {
            search: value.search,
            group: value.group,
            favorites_only: value.favorites_only,
        }
    }
}

/// One row of a code list: everything a screen draws for an account. Printing it does not
/// show the code.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct DisplayCode {
    /// Stable id, used by every other call.
    pub id: String,
    /// Service name, as stored.
    pub issuer: String,
    /// Account name, as stored.
    pub label: String,
    /// The name to show: `Issuer (label)`, either alone when the other is empty (or the same
    /// text), or `(unnamed)` when both are empty.
    pub display_name: String,
    /// TOTP, HOTP or Steam.
    pub kind: OtpKind,
    /// The code to copy or type; `null`/`nil` when this account has none (see `problem`).
    pub code: Option<String>,
    /// The code grouped for reading (`123 456`, `1234 5678`; Steam as it is). Show this, copy
    /// `code`.
    pub display_code: Option<String>,
    /// Why this one account has no code (its stored data failed the integrity check); the
    /// other rows are unaffected. Show the row marked, and offer to delete it.
    pub problem: Option<String>,
    /// Seconds per code; `null`/`nil` for HOTP (its codes do not expire) and without a code.
    pub period: Option<u32>,
    /// Unix time (seconds, by the vault's clock) at which this code stops being valid;
    /// `null`/`nil` when `period` is.
    pub valid_until: Option<u64>,
    /// Whole seconds left, rounded up (1..=period), for a countdown; `null`/`nil` when
    /// `period` is.
    pub remaining_seconds: Option<u32>,
    /// Fraction of the period left when the list was made, in (0, 1], for a progress ring;
    /// `null`/`nil` when `period` is.
    pub fraction_left: Option<f64>,
    /// Pinned to the top.
    pub favorite: bool,
    /// Icon reference.
    pub icon: Option<String>,
    /// The account has a picture: `Vault.accountIcon(id)` returns it.
    #[uniffi(default = false)]
    pub has_picture: bool,
    /// Groups, sorted by name.
    pub groups: Vec<String>,
}

impl std::fmt::Debug for DisplayCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisplayCode")
            .field("id", &self.id)
            .field("issuer", &self.issuer)
            .field("label", &self.label)
            .field("display_name", &self.display_name)
            .field("kind", &self.kind)
            .field("code", &self.code.as_ref().map(|_| REDACTED))
            .field(
                "display_code",
                &self.display_code.as_ref().map(|_| REDACTED),
            )
            .field("problem", &self.problem)
            .field("period", &self.period)
            .field("valid_until", &self.valid_until)
            .field("remaining_seconds", &self.remaining_seconds)
            .field("fraction_left", &self.fraction_left)
            .field("favorite", &self.favorite)
            .field("icon", &self.icon)
            .field("has_picture", &self.has_picture)
            .field("groups", &self.groups)
            .finish()
    }
}

impl From<core::DisplayCode> for DisplayCode {
    fn from(value: core::DisplayCode) -> Self {
        let display_code = value.display_code().map(|grouped| grouped.to_string());
        let (code, problem) = match value.code {
            Ok(code) => (Some(code.text().as_str().to_owned()), None),
            Err(error) => (None, Some(TesseraError::from(error).to_string())),
        };
        DisplayCode {
            id: value.id.to_string(),
            issuer: value.issuer,
            label: value.label,
            display_name: value.display_name,
            kind: value.kind.into(),
            code,
            display_code,
            problem,
            period: value.period,
            valid_until: value.valid_until,
            remaining_seconds: value.remaining_seconds,
            fraction_left: value.fraction_left,
            favorite: value.favorite,
            icon: value.icon,
            has_picture: value.has_picture,
            groups: value.groups,
        }
    }
}

/// The codes a screen shows at one instant, and when to redraw it. Printing it does not show
/// the codes.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct CodeList {
    /// Favorites first, then the user's order.
    pub items: Vec<DisplayCode>,
    /// Unix time (seconds, by the vault's clock) at which the first code in `items` changes;
    /// `null`/`nil` when none changes by itself (no time-based code: nothing to schedule).
    pub next_change_at: Option<u64>,
    /// Milliseconds from when the list was made until `next_change_at`: schedule the one
    /// timer of the screen with this (it is right even when the vault's clock is corrected
    /// away from the device's), or let `Vault.watch_codes` do it.
    pub next_change_in_ms: Option<u64>,
}

impl std::fmt::Debug for CodeList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The items print redacted through their own Debug.
        f.debug_struct("CodeList")
            .field("items", &self.items)
            .field("next_change_at", &self.next_change_at)
            .field("next_change_in_ms", &self.next_change_in_ms)
            .finish()
    }
}

impl From<core::CodeList> for CodeList {
    fn from(value: core::CodeList) -> Self {
        CodeList {
            items: value.items.into_iter().map(Into::into).collect(),
            next_change_at: value.next_change_at,
            next_change_in_ms: value.next_change_in_millis,
        }
    }
}

/// Receives the code list of a `CodesWatch`, on the watch's own thread (not the UI thread:
/// post to it). Both methods may throw; a throw is ignored and the watch goes on.
#[uniffi::export(foreign)]
pub trait CodesListener: Send + Sync {
    /// The list right after `Vault.watch_codes`, then each time a code in it changes, after
    /// each change made through the vault (an account added, edited, deleted, a HOTP counter
    /// advanced, a container synchronized), and on `CodesWatch.refresh` / `set_query`.
    fn on_codes(&self, list: CodeList) -> Result<()>;
    /// Making the list failed (`Locked` after `Vault.lock()`, `Platform` when the clock
    /// threw…); the watch has stopped. Start a new one when the cause is gone.
    fn on_error(&self, error: TesseraError) -> Result<()>;
}

/// A running watch of a code list (see `Vault.watch_codes`). Stop it when the screen goes
/// away; dropping it (Kotlin `close()`, Swift deinit) stops it too.
#[derive(uniffi::Object)]
pub struct CodesWatch {
    inner: core::CodesWatch,
}

#[uniffi::export]
impl CodesWatch {
    /// Stops the watch. Called from another thread than the listener's, it waits for a call
    /// in progress, and the listener is never called again after it returns. Harmless twice.
    pub fn stop(&self) {
        self.inner.stop();
    }

    /// Shows another query from now on (the user typed a search, picked a group): the
    /// listener receives its list at once.
    pub fn set_query(&self, query: CodesQuery) {
        self.inner.set_query(query.into());
    }

    /// Delivers the list again now. Changes made through the watched `Vault` object (and the
    /// push and container clients over it) are delivered without it; call it for changes made
    /// through another `Vault` object or process.
    pub fn refresh(&self) {
        self.inner.refresh();
    }

    /// False once stopped, or after an error ended the watch.
    pub fn is_running(&self) -> bool {
        self.inner.is_running()
    }
}

/// Core's view of a vault and its clock. It holds the vault weakly: a watch never keeps a
/// locked vault's key in memory, and after `Vault.lock()` it ends with `Locked`.
pub(crate) struct VaultCodes {
    pub(crate) vault: Weak<CoreVault>,
    pub(crate) clock: Option<Arc<dyn Clock>>,
}

impl core::CodesSource for VaultCodes {
    type Error = TesseraError;

    fn code_list(&self, query: &core::CodesQuery) -> Result<core::CodeList> {
        let vault = self.vault.upgrade().ok_or_else(|| TesseraError::Locked {
            reason: "the vault was locked; open it again".into(),
        })?;
        // the vault's clock corrected by the server time, as every code of the vault
        let at = vault.corrected_millis(now_millis(self.clock.as_ref())?)?;
        Ok(vault.code_list_at(query, at)?)
    }
}

/// Starts a watch of `vault` (through `source`, which holds it weakly) delivering to
/// `listener`, again after every change made through the vault.
pub(crate) fn watch(
    vault: &CoreVault,
    source: VaultCodes,
    query: CodesQuery,
    listener: Arc<dyn CodesListener>,
) -> Result<Arc<CodesWatch>> {
    let inner = core::CodesWatch::start(source, query.into(), move |list| {
        // A listener that throws is the app's bug; the watch carries on regardless, and the
        // error has nowhere better to go.
        let _ = match list {
            Ok(list) => listener.on_codes(list.into()),
            Err(error) => listener.on_error(error),
        };
    })
    .map_err(|e| TesseraError::Other {
        reason: format!("cannot start the watch thread: {e}"),
    })?;
    inner.follow(vault);
    Ok(Arc::new(CodesWatch { inner }))
}

/// A code as a screen reader should say it: one symbol at a time, a pause between the
/// groups (`displayCode` "123 456" → "1 2 3, 4 5 6"), never as one large number. Give it to
/// VoiceOver / TalkBack as the code's label.
#[uniffi::export]
pub fn spoken_code(code: String) -> String {
    tessera_core::app::spoken_code(&code)
}

/// The parameters an account of `kind` starts from when the user types it in: TOTP and Steam
/// SHA-1, 30 s (TOTP 6 digits, Steam its 5 characters), HOTP SHA-1, 6 digits, counter 0. An
/// account built from these is valid as it is (the record's own defaults are TOTP's, which a
/// Steam account refuses).
#[uniffi::export]
pub fn otp_defaults(kind: OtpKind) -> OtpParams {
    tessera_core::OtpParams::for_kind(kind.into()).into()
}
