//! The list of codes a screen shows: [`CodesQuery`] in, [`CodeList`] out.

use crate::account::OtpKind;
use crate::otp::Code;
use crate::vault::{AccountId, Vault, VaultError};

use super::display::{GroupedCode, display_code, display_name};

/// Which accounts a code list shows. The default shows every account not in the trash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodesQuery {
    /// Text the issuer, the label or the display name must contain, ignoring case (Unicode
    /// lowercase, so `É` finds `é`); blank or `None` matches every account.
    pub search: Option<String>,
    /// Only accounts in the group of exactly this name.
    pub group: Option<String>,
    /// Only favorites.
    pub favorites_only: bool,
}

impl CodesQuery {
    /// The search text as it is compared: trimmed and lowercased; `None` when blank.
    fn needle(&self) -> Option<String> {
        let search = self.search.as_deref()?.trim();
        (!search.is_empty()).then(|| search.to_lowercase())
    }
}

/// One row of a code list: everything a screen draws for an account.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplayCode {
    /// Stable id.
    pub id: AccountId,
    /// Service name, as stored.
    pub issuer: String,
    /// Account name, as stored.
    pub label: String,
    /// The name to show ([`display_name`]).
    pub display_name: String,
    /// TOTP, HOTP or Steam.
    pub kind: OtpKind,
    /// The code to copy or type, or why this one account has none (e.g.
    /// [`VaultError::Integrity`] for a row that was edited outside Tessera); the other rows
    /// are unaffected.
    pub code: Result<Code, VaultError>,
    /// Seconds per code; `None` for HOTP, whose codes do not expire, and for a row without a
    /// code.
    pub period: Option<u32>,
    /// The Unix time (seconds) at which this code stops being valid; `None` when `period` is.
    pub valid_until: Option<u64>,
    /// Whole seconds left until `valid_until`, rounded up (1..=period), as a countdown shows
    /// them; `None` when `period` is.
    pub remaining_seconds: Option<u32>,
    /// The fraction of the period left at the list's instant, in (0, 1]; `None` when `period` is.
    pub fraction_left: Option<f64>,
    /// Pinned to the top.
    pub favorite: bool,
    /// Icon reference.
    pub icon: Option<String>,
    /// The account has a picture: [`Vault::icon`](crate::vault::Vault::icon) returns it.
    pub has_picture: bool,
    /// Groups, sorted by name.
    pub groups: Vec<String>,
}

impl DisplayCode {
    /// The code grouped for reading ([`display_code`]); `None` when there is no code.
    pub fn display_code(&self) -> Option<GroupedCode> {
        self.code
            .as_ref()
            .ok()
            .map(|code| display_code(code, self.kind))
    }
}

/// The codes a screen shows at one instant, and when that screen must be redrawn.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeList {
    /// Favorites first, then the user's order.
    pub items: Vec<DisplayCode>,
    /// The Unix time (seconds, by the clock the list was computed with) at which the first
    /// code in `items` changes; `None` when none will by itself (no time-based code).
    pub next_change_at: Option<u64>,
    /// Milliseconds from the list's instant to `next_change_at`: what a timer waits. Unlike
    /// `next_change_at` it holds whatever clock the shell's timer runs on, including a device
    /// clock that the vault corrects by a server's time.
    pub next_change_in_millis: Option<u64>,
}

impl Vault {
    /// The codes of the accounts `query` keeps, at `unix_millis` (Unix time in milliseconds:
    /// the fraction of the period left and the wait until the next change are exact to the
    /// millisecond; codes change on whole seconds). Each secret is decrypted once and the
    /// prepared generators are kept until the vault changes. HOTP accounts show the code of
    /// their stored counter; nothing is incremented.
    pub fn code_list_at(
        &self,
        query: &CodesQuery,
        unix_millis: u64,
    ) -> Result<CodeList, VaultError> {
        let unix = unix_millis / 1000;
        let needle = query.needle();
        self.with_cache(unix, |cache| {
            let mut items = Vec::new();
            for account in cache {
                if query.favorites_only && !account.favorite {
                    continue;
                }
                if let Some(group) = &query.group
                    && !account.groups.iter().any(|have| have == group)
                {
                    continue;
                }
                let name = display_name(&account.issuer, &account.label);
                if let Some(needle) = &needle {
                    let found = [&account.issuer, &account.label, &name]
                        .iter()
                        .any(|text| text.to_lowercase().contains(needle.as_str()));
                    if !found {
                        continue;
                    }
                }
                let (code, period) = match &account.generator {
                    Ok(generator) => (
                        Ok(generator.code_at(unix)),
                        account
                            .params
                            .kind
                            .is_time_based()
                            .then_some(account.params.period),
                    ),
                    Err(error) => (Err(error.clone()), None),
                };
                let valid_until = period.map(|p| {
                    (unix / u64::from(p))
                        .saturating_add(1)
                        .saturating_mul(u64::from(p))
                });
                let millis_left =
                    valid_until.map(|end| end.saturating_mul(1000).saturating_sub(unix_millis));
                items.push(DisplayCode {
                    id: account.id.clone(),
                    issuer: account.issuer.clone(),
                    label: account.label.clone(),
                    display_name: name,
                    kind: account.params.kind,
                    code,
                    period,
                    valid_until,
                    remaining_seconds: millis_left.map(|ms| ms.div_ceil(1000) as u32),
                    fraction_left: millis_left
                        .zip(period)
                        .map(|(ms, p)| ms as f64 / (f64::from(p) * 1000.0)),
                    favorite: account.favorite,
                    icon: account.icon.clone(),
                    has_picture: account.has_picture,
                    groups: account.groups.clone(),
                });
            }
            let next_change_at = items.iter().filter_map(|item| item.valid_until).min();
            CodeList {
                items,
                next_change_at,
                next_change_in_millis: next_change_at
                    .map(|at| at.saturating_mul(1000).saturating_sub(unix_millis)),
            }
        })
    }
}
