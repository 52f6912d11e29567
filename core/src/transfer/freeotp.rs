//! FreeOTP+ JSON backups: `{ "tokens": [ … ], "tokenOrder": [ … ] }`, secrets as arrays of
//! signed bytes (Java's `byte[]`); and the app storage of FreeOTP 1.x and FreeOTP+,
//! `shared_prefs/tokens.xml` (in `/data/data/org.fedorahosted.freeotp/` or
//! `org.liberty.android.freeotpplus/`), a SharedPreferences file whose string `tokenOrder` is
//! the JSON list of token ids and every other string one token, as JSON of the same shape.
//! FreeOTP 2's encrypted backup (a Java-serialized map, or the same map as the app's
//! `tokenBackup.xml`) is read by `freeotp_backup`.
//!
//! The names: `issuerAlt` and `labelAlt` are the user's renaming (FreeOTP 1.x) and win over
//! `issuerExt` (the QR code's label prefix) and `label`; `issuerInt` (the URI's `issuer`
//! parameter) is the fallback. FreeOTP makes Steam codes for a TOTP token whose `issuerExt` is
//! exactly `Steam`, so such a token is a Steam account.

use serde_json::Value;

use zeroize::Zeroizing;

use super::{
    EntryError, ImportItem, Scrubbed, TransferError, entry_name, freeotp_backup, javaser,
    kind_named, params_from, parse_json, prefs_xml, printable, str_field,
};
use crate::account::{Account, OtpKind};
use crate::secret::Secret;

/// Reads a FreeOTP+ backup or a `tokens.xml` (never encrypted).
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    if bytes.starts_with(&javaser::MAGIC) {
        return freeotp_backup::read_serialized(bytes, password);
    }
    if std::str::from_utf8(bytes).is_ok_and(prefs_xml::looks_like) {
        let strings = prefs_xml::strings(bytes)?;
        if strings.iter().any(|s| s.name == freeotp_backup::MASTER_KEY) {
            return freeotp_backup::read_prefs(strings, password);
        }
        return read_xml(strings);
    }
    let doc = parse_json(bytes)?;
    let tokens = doc
        .0
        .get("tokens")
        .and_then(Value::as_array)
        .ok_or_else(|| TransferError::Damaged("the FreeOTP+ backup has no tokens list".into()))?;
    Ok(tokens.iter().map(read_token).collect())
}

/// The id under which `tokens.xml` keeps its order.
pub(crate) const TOKEN_ORDER: &str = "tokenOrder";

fn read_xml(strings: Vec<prefs_xml::PrefString>) -> Result<Vec<ImportItem>, TransferError> {
    let order = strings
        .iter()
        .find(|s| s.name == TOKEN_ORDER)
        .ok_or_else(|| TransferError::Damaged("tokens.xml has no `tokenOrder`".into()))?;
    let order: Vec<String> = serde_json::from_str(&order.value)
        .map_err(|_| TransferError::Damaged("`tokenOrder` is not a JSON list of ids".into()))?;
    let tokens: Vec<&prefs_xml::PrefString> =
        strings.iter().filter(|s| s.name != TOKEN_ORDER).collect();
    let token_item = |s: &prefs_xml::PrefString| match serde_json::from_str(&s.value) {
        Ok(json) => read_token(&Scrubbed(json).0),
        Err(_) => ImportItem {
            name: printable(&s.name, 64),
            result: Err(EntryError::Invalid("the token is not valid JSON".into())),
        },
    };
    // In the app's order; a token the order leaves out still comes along, at the end, and an
    // id of the order without its token is reported.
    let mut items = Vec::with_capacity(tokens.len());
    for id in &order {
        match tokens.iter().find(|s| &s.name == id) {
            Some(s) => items.push(token_item(s)),
            None => items.push(ImportItem {
                name: printable(id, 64),
                result: Err(EntryError::Missing(
                    "`tokenOrder` names this token but the file does not hold it".into(),
                )),
            }),
        }
    }
    items.extend(
        tokens
            .iter()
            .filter(|s| !order.contains(&s.name))
            .map(|s| token_item(s)),
    );
    Ok(items)
}

fn read_token(token: &Value) -> ImportItem {
    read_token_with(token, || {
        signed_bytes(token.get("secret")).map(|mut b| Secret::from_bytes(std::mem::take(&mut *b)))
    })
}

/// One token of any FreeOTP source, its secret from `secret` (the token itself, or a key the
/// backup keeps apart from it).
pub(super) fn read_token_with(
    token: &Value,
    secret: impl FnOnce() -> Result<Secret, EntryError>,
) -> ImportItem {
    let (issuer, label) = names(token);
    let result = (|| {
        let kind = match kind_named(str_field(token, "type"))? {
            OtpKind::Totp if str_field(token, "issuerExt") == Some("Steam") => OtpKind::Steam,
            kind => kind,
        };
        let params = params_from(token, kind, "algo")?;
        Ok(Account::new(issuer, label, secret()?, params))
    })();
    ImportItem {
        name: entry_name(issuer, label),
        result,
    }
}

/// A token's issuer and label, as the module notes describe.
fn names(token: &Value) -> (&str, &str) {
    let first = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| str_field(token, k).filter(|v| !v.is_empty()))
            .unwrap_or("")
    };
    (
        first(&["issuerAlt", "issuerExt", "issuerInt"]),
        first(&["labelAlt", "label"]),
    )
}

/// Java's signed bytes (-128..=127) back to raw bytes; an empty list is refused.
pub(super) fn signed_bytes(value: Option<&Value>) -> Result<Zeroizing<Vec<u8>>, EntryError> {
    let list = value
        .and_then(Value::as_array)
        .ok_or_else(|| EntryError::Invalid("the token has no secret byte list".into()))?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(list.len()));
    for v in list {
        let b = v
            .as_i64()
            .filter(|b| (-128..=255).contains(b))
            .ok_or_else(|| {
                EntryError::Invalid("the secret holds a value that is not a byte".into())
            })?;
        bytes.push(b as u8);
    }
    if bytes.is_empty() {
        return Err(EntryError::Invalid("the secret is empty".into()));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_signed_secret_bytes() {
        let doc = r#"{"tokens":[{"algo":"SHA256","counter":3,"digits":8,"issuerExt":"Ex","label":"me","period":30,"secret":[-1,0,127,-128],"type":"HOTP"}],"tokenOrder":["Ex:me"]}"#;
        let items = read(doc.as_bytes(), None).unwrap();
        let a = items[0].result.as_ref().unwrap();
        assert_eq!(a.secret.as_bytes(), &[0xff, 0, 0x7f, 0x80]);
        assert_eq!((a.params.counter, a.params.digits), (3, 8));
    }
}
