//! WinAuth's text export: one `otpauth://` URI per line, written with WinAuth's conventions.
//!
//! WinAuth writes its own authenticator kinds as ordinary TOTP URIs told apart by the issuer:
//! - Steam Guard: `otpauth://totp/…?secret=…&digits=5&issuer=Steam`, plus `deviceid` (the
//!   phone id Steam knows) and `data` (WinAuth's copy of Steam's enrolment answer and session,
//!   URL-encoded JSON, which includes the revocation code and identity secret). A generic reader
//!   would take this for a 5-digit *decimal* TOTP and show wrong codes; here it is a Steam
//!   account, and `deviceid` and `data` are dropped rather than kept as extra parameters,
//!   because they are credentials of the Steam account, not part of the OTP.
//! - Battle.net: `issuer=BattleNet`, `digits=8`, with the authenticator's `serial` (kept; it is
//!   what Blizzard's support asks for) and its `restorecode` (dropped, like Steam's data).
//! - Everything else (Google, Microsoft, generic TOTP/HOTP) is a plain otpauth URI.
//!
//! Lines are read like [`super::otpauth_list`]: blank lines and `#` comments skipped, a line
//! that is not a usable URI is a failed entry named by its number, never by its text.

use super::otpauth_list::uri_error;
use super::{EntryError, ImportItem, TransferError, entry_name};
use crate::account::{Account, OtpKind, OtpParams};
use crate::uri;

/// More lines than any real export has; beyond it the file is refused rather than read.
const MAX_ENTRIES: usize = 10_000;
/// Query parameters that hold credentials of the Steam or Battle.net account itself.
const DROPPED_PARAMS: [&str; 3] = ["data", "deviceid", "restorecode"];

/// True when some line of `text` carries one of WinAuth's own conventions (a Steam entry with
/// `digits=5` or a `deviceid`, or a `BattleNet` issuer); other WinAuth exports are plain otpauth
/// lists and read the same either way.
pub(crate) fn looks_like(text: &str) -> bool {
    text.lines().take(MAX_ENTRIES).any(|line| {
        let line = line.trim();
        let Some(query) = line
            .get(..8)
            .filter(|p| p.eq_ignore_ascii_case("otpauth:"))
            .and_then(|_| line.split_once('?'))
            .map(|(_, q)| q)
        else {
            return false;
        };
        let param = |name: &str| {
            query.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                k.eq_ignore_ascii_case(name).then_some(v)
            })
        };
        // `otpauth://steam/…` and `encoder=steam` are the standard Steam conventions (Aegis,
        // 2FAS, Tessera's own export), which the plain otpauth reader already understands;
        // WinAuth writes Steam as `otpauth://totp/…` with neither.
        let standard_steam = line
            .get(..16)
            .is_some_and(|p| p.eq_ignore_ascii_case("otpauth://steam/"))
            || param("encoder").is_some_and(|v| v.eq_ignore_ascii_case("steam"));
        if standard_steam {
            return false;
        }
        let issuer = param("issuer").unwrap_or("");
        (issuer.eq_ignore_ascii_case("steam")
            && (param("digits") == Some("5") || param("deviceid").is_some()))
            || issuer.eq_ignore_ascii_case("battlenet")
    })
}

/// Reads a WinAuth text export (never encrypted: WinAuth's encrypted exports are zip or XML
/// files protected by its own password scheme, which Tessera does not read).
pub(crate) fn read(
    bytes: &[u8],
    _password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| TransferError::Damaged("the file is not UTF-8 text".into()))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut items = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if items.len() == MAX_ENTRIES {
            return Err(TransferError::Damaged(format!(
                "more than {MAX_ENTRIES} entries"
            )));
        }
        items.push(
            match uri::parse_otp(line).map_err(uri_error).and_then(winauth) {
                Ok(account) => ImportItem {
                    name: entry_name(&account.issuer, &account.label),
                    result: Ok(account),
                },
                Err(e) => ImportItem {
                    name: format!("line {}", index + 1),
                    result: Err(e),
                },
            },
        );
    }
    Ok(items)
}

/// Applies WinAuth's conventions to an account read from its URI.
fn winauth(mut account: Account) -> Result<Account, EntryError> {
    account
        .extra
        .retain(|(k, _)| !DROPPED_PARAMS.iter().any(|d| k.eq_ignore_ascii_case(d)));
    if account.issuer.eq_ignore_ascii_case("steam") && account.params.kind != OtpKind::Steam {
        if account.params.kind != OtpKind::Totp || account.params.digits != 5 {
            return Err(EntryError::Invalid(
                "a WinAuth Steam entry is a 5-character TOTP; this one is not".into(),
            ));
        }
        account.params = OtpParams::steam();
    }
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steam_credentials_are_not_kept_and_plain_lists_are_not_winauth() {
        let line = "otpauth://totp/Steam:me?secret=JBSWY3DPEHPK3PXP&digits=5&issuer=Steam\
                    &deviceid=android%3Aabc&data=%7B%22revocation_code%22%3A%22R1%22%7D";
        assert!(looks_like(line));
        assert!(!looks_like(
            "otpauth://totp/Steam:me?secret=JBSWY3DPEHPK3PXP&issuer=Steam"
        ));
        let items = read(line.as_bytes(), None).unwrap();
        let account = items[0].result.as_ref().unwrap();
        assert_eq!(account.params.kind, OtpKind::Steam);
        assert!(account.extra.is_empty());
    }
}
