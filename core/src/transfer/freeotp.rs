//! FreeOTP+ JSON backups: `{ "tokens": [ … ], "tokenOrder": [ … ] }`, secrets as arrays of
//! signed bytes (Java's `byte[]`).

use serde_json::Value;

use super::{
    EntryError, ImportItem, TransferError, entry_name, kind_named, params_from, parse_json,
    str_field,
};
use crate::account::Account;
use crate::secret::Secret;

/// Reads a FreeOTP+ backup (never encrypted).
pub(crate) fn read(
    bytes: &[u8],
    _password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let doc = parse_json(bytes)?;
    let tokens = doc
        .0
        .get("tokens")
        .and_then(Value::as_array)
        .ok_or_else(|| TransferError::Damaged("the FreeOTP+ backup has no tokens list".into()))?;
    Ok(tokens.iter().map(read_token).collect())
}

fn read_token(token: &Value) -> ImportItem {
    let issuer = str_field(token, "issuerExt")
        .filter(|i| !i.is_empty())
        .or_else(|| str_field(token, "issuerInt"))
        .unwrap_or("");
    let label = str_field(token, "label").unwrap_or("");
    let name = entry_name(issuer, label);
    let result = to_account(token, issuer, label);
    ImportItem { name, result }
}

fn to_account(token: &Value, issuer: &str, label: &str) -> Result<Account, EntryError> {
    let kind = kind_named(str_field(token, "type"))?;
    let secret = signed_bytes(token.get("secret"))?;
    let params = params_from(token, kind, "algo")?;
    Ok(Account::new(issuer, label, secret, params))
}

/// Java's signed bytes (-128..=127) back to raw bytes.
fn signed_bytes(value: Option<&Value>) -> Result<Secret, EntryError> {
    let list = value
        .and_then(Value::as_array)
        .ok_or_else(|| EntryError::Invalid("the token has no secret byte list".into()))?;
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(list.len()));
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
    Ok(Secret::from_bytes(std::mem::take(&mut *bytes)))
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
