//! Steam Guard `maFile` JSON: one Steam Guard authenticator per file, as Steam Desktop
//! Authenticator (SDA) and steamguard-cli write it.
//!
//! Both generations carry the same authenticator fields — `shared_secret` (standard base64 of
//! the 20-byte HMAC key), `account_name`, `serial_number`, `revocation_code`,
//! `identity_secret`, `uri` (an `otpauth://totp/Steam:NAME?secret=…&issuer=Steam`) — and differ
//! in what they keep of the login: the old files hold a `Session` object with web cookies
//! (`SteamLogin`, `OAuthToken`…), the new ones (after Steam's 2023 login change) a `Session`
//! with `AccessToken`/`RefreshToken`, or steamguard-cli's `tokens` and a top-level `steam_id`.
//! Only `shared_secret` makes codes, so only it and the account name are read: the session,
//! the identity secret (trade confirmations) and the revocation code are never copied into the
//! vault.
//!
//! SDA can also encrypt its maFiles with a passkey; the salt and IV then live in its
//! `manifest.json`, not in the file, so such a file (base64 text, not JSON) is not recognised,
//! and the manifest itself gets a specific "unsupported" error (see [`is_sda_manifest`]).

use base64::Engine as _;
use serde_json::Value;

use super::{EntryError, ImportItem, TransferError, entry_name, parse_json, str_field};
use crate::account::{Account, OtpParams};
use crate::secret::Secret;

/// A maFile is a few kilobytes (session tokens included); anything far larger is not one.
const MAX_FILE_LEN: usize = 1 << 20;
/// Steam's key is 20 bytes; a generous cap keeps a hostile file from making a huge secret.
const MAX_SECRET_LEN: usize = 128;

/// True for a JSON object that is a Steam Guard maFile (it has the authenticator's
/// `shared_secret` next to one of the fields only Steam's enrolment answer carries).
pub(crate) fn is_mafile(obj: &serde_json::Map<String, Value>) -> bool {
    obj.contains_key("shared_secret")
        && [
            "account_name",
            "revocation_code",
            "identity_secret",
            "serial_number",
        ]
        .iter()
        .any(|k| obj.contains_key(*k))
}

/// True for Steam Desktop Authenticator's `manifest.json` (the list of its maFiles and, when
/// they are encrypted, their salts and IVs), which holds no secret itself.
pub(crate) fn is_sda_manifest(obj: &serde_json::Map<String, Value>) -> bool {
    obj.contains_key("entries")
        && obj.contains_key("encrypted")
        && (obj.contains_key("first_run") || obj.contains_key("periodic_checking"))
}

/// Reads one maFile (never encrypted by Steam itself; see the module notes for SDA's).
pub(crate) fn read(
    bytes: &[u8],
    _password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    if bytes.len() > MAX_FILE_LEN {
        return Err(TransferError::Damaged(format!(
            "a Steam Guard maFile is a few kilobytes; this file has {} bytes",
            bytes.len()
        )));
    }
    let doc = parse_json(bytes)?;
    let obj = doc
        .0
        .as_object()
        .ok_or_else(|| TransferError::Damaged("a maFile is a JSON object".into()))?;
    if is_sda_manifest(obj) {
        return Err(TransferError::Unsupported(
            "this is Steam Desktop Authenticator's manifest.json, which holds no accounts: \
             import each account's .maFile (SDA's encrypted maFiles cannot be read; remove the \
             encryption in SDA first)"
                .into(),
        ));
    }
    if !obj.contains_key("shared_secret") {
        return Err(TransferError::Damaged(
            "the maFile has no `shared_secret`".into(),
        ));
    }
    let label = str_field(&doc.0, "account_name").unwrap_or("");
    Ok(vec![ImportItem {
        name: entry_name("Steam", label),
        result: to_account(&doc.0, label),
    }])
}

fn to_account(obj: &Value, label: &str) -> Result<Account, EntryError> {
    let encoded = str_field(obj, "shared_secret")
        .ok_or_else(|| EntryError::Invalid("`shared_secret` is not a string".into()))?;
    // Base64 of at most MAX_SECRET_LEN bytes is at most 4/3 as long (plus padding).
    if encoded.len() > MAX_SECRET_LEN / 3 * 4 + 4 {
        return Err(EntryError::Invalid(format!(
            "`shared_secret` is longer than {MAX_SECRET_LEN} bytes"
        )));
    }
    let mut bytes = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| EntryError::Invalid("`shared_secret` is not base64".into()))?,
    );
    if bytes.is_empty() {
        return Err(EntryError::Invalid("`shared_secret` is empty".into()));
    }
    Ok(Account::new(
        "Steam",
        label,
        Secret::from_bytes(std::mem::take(&mut *bytes)),
        OtpParams::steam(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_secret_is_a_failed_entry_that_does_not_echo_it() {
        let doc = r#"{"shared_secret":"SECRET!!","account_name":"me"}"#;
        let items = read(doc.as_bytes(), None).unwrap();
        assert_eq!(items[0].name, "Steam (me)");
        let err = items[0].result.as_ref().unwrap_err();
        assert!(matches!(err, EntryError::Invalid(_)));
        assert!(!err.to_string().contains("SECRET"));
    }

    #[test]
    fn the_sda_manifest_is_unsupported_with_its_reason() {
        let doc = r#"{"encrypted":true,"first_run":false,"entries":[]}"#;
        let err = read(doc.as_bytes(), None).unwrap_err();
        assert!(matches!(err, TransferError::Unsupported(m) if m.contains("manifest")));
    }
}
