//! Bitwarden exports, JSON and CSV. The TOTP field of a login holds an otpauth URI, a
//! `steam://SECRET` URI or a bare base32 secret. Items without a TOTP field are passwords, not
//! OTP accounts, and are not entries of the import.

use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::export::{GroupIds, Skipped, split_unrepresentable};
use super::otpauth_list::uri_error;
use super::{
    EntryError, ImportItem, Scrubbed, TransferError, entry_name, parse_json, parse_secret,
    str_field,
};
use crate::account::{Account, OtpKind, OtpParams};
use crate::crypto::random;
use crate::uri;

/// Reads a Bitwarden JSON export: unencrypted, or password-protected (see `bitwarden_enc`);
/// an export encrypted with the account's own key is refused as unsupported.
pub(crate) fn read_json(
    bytes: &[u8],
    password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let outer = parse_json(bytes)?;
    let inner;
    let doc = if outer.0.get("encrypted").and_then(Value::as_bool) == Some(true) {
        if outer.0.get("passwordProtected").and_then(Value::as_bool) != Some(true) {
            return Err(TransferError::Unsupported(
                "this Bitwarden export is encrypted with the account's own key, which only that \
                 Bitwarden account can open; export again as \"password protected\" JSON, or \
                 unencrypted JSON or CSV"
                    .into(),
            ));
        }
        let text = super::bitwarden_enc::decrypt(&outer.0, password)?;
        inner = parse_json(text.as_bytes())?;
        if inner.0.get("encrypted").and_then(Value::as_bool) == Some(true) {
            return Err(TransferError::Damaged(
                "the decrypted export is encrypted again".into(),
            ));
        }
        &inner
    } else {
        &outer
    };
    let root = &doc.0;
    let items = root
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| TransferError::Damaged("the Bitwarden export has no items list".into()))?;
    let folders: Vec<(&str, &str)> = root
        .get("folders")
        .and_then(Value::as_array)
        .map(|fs| {
            fs.iter()
                .filter_map(|f| Some((str_field(f, "id")?, str_field(f, "name")?)))
                .collect()
        })
        .unwrap_or_default();
    Ok(items
        .iter()
        .filter_map(|item| {
            let login = item.get("login")?;
            let totp = str_field(login, "totp").filter(|t| !t.trim().is_empty())?;
            let folder = str_field(item, "folderId")
                .and_then(|id| folders.iter().find(|(fid, _)| *fid == id))
                .map(|(_, name)| *name);
            let mut entry = read_totp(
                totp,
                str_field(item, "name").unwrap_or(""),
                str_field(login, "username").unwrap_or(""),
            );
            if let Ok(account) = &mut entry.result {
                account.meta.favorite = item
                    .get("favorite")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                account.meta.note = str_field(item, "notes").unwrap_or("").to_owned();
                account.meta.groups = folder.map(|f| vec![f.to_owned()]).unwrap_or_default();
            }
            Some(entry)
        })
        .collect())
}

/// Reads a Bitwarden CSV export (column `login_totp`; `name`, `login_username`, `notes`,
/// `favorite`, `folder` when present).
pub(crate) fn read_csv(
    bytes: &[u8],
    _password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|_| TransferError::Damaged("the CSV has no readable header".into()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
    };
    let totp_col = column("login_totp")
        .ok_or_else(|| TransferError::Damaged("the CSV has no login_totp column".into()))?;
    let (name_col, user_col, notes_col, fav_col, folder_col) = (
        column("name"),
        column("login_username"),
        column("notes"),
        column("favorite"),
        column("folder"),
    );
    let mut out = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                // A row the CSV reader cannot parse (bad quoting, invalid UTF-8) is a failed entry.
                out.push(ImportItem {
                    name: format!("CSV row {}", row + 2),
                    result: Err(EntryError::Invalid("the row is not valid CSV".into())),
                });
                continue;
            }
        };
        let get = |col: Option<usize>| col.and_then(|c| record.get(c)).unwrap_or("");
        let totp = get(Some(totp_col));
        if totp.trim().is_empty() {
            continue;
        }
        let mut entry = read_totp(totp, get(name_col), get(user_col));
        if let Ok(account) = &mut entry.result {
            account.meta.note = get(notes_col).to_owned();
            account.meta.favorite = get(fav_col) == "1";
            let folder = get(folder_col);
            if !folder.is_empty() {
                account.meta.groups = vec![folder.to_owned()];
            }
        }
        out.push(entry);
    }
    Ok(out)
}

/// One TOTP field; `item_name` and `username` fill in what the field itself does not say.
fn read_totp(totp: &str, item_name: &str, username: &str) -> ImportItem {
    let totp = totp.trim();
    let fallback_name = entry_name(item_name, username);
    let result = if totp
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("otpauth:"))
    {
        uri::parse_otp(totp).map_err(uri_error).map(|mut account| {
            if account.issuer.is_empty() {
                account.issuer = item_name.to_owned();
            }
            if account.label.is_empty() {
                account.label = username.to_owned();
            }
            account
        })
    } else if totp
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("steam://"))
    {
        parse_secret(&totp[8..]).map(|s| Account::new(item_name, username, s, OtpParams::steam()))
    } else if totp.contains("://") {
        Err(EntryError::Unsupported(
            "a TOTP field that is neither otpauth:// nor steam://".into(),
        ))
    } else {
        parse_secret(totp).map(|s| Account::new(item_name, username, s, OtpParams::totp()))
    };
    let name = match &result {
        Ok(a) => entry_name(&a.issuer, &a.label),
        Err(_) => fallback_name,
    };
    ImportItem { name, result }
}

// ---------------------------------------------------------------------------------------------
// Writing. Bitwarden's importer was read for what it needs (bitwarden/clients
// `libs/importer/src/importers/bitwarden/bitwarden-json-importer.ts` and
// `libs/common/src/models/export/cipher.export.ts`: an unencrypted export is `{ encrypted:
// false, folders, items }`, each item `CipherExport` with `type` 1 = login, `name`, `notes`,
// `favorite`, `folderId`, `login`), and its code generator for what the `totp` field may hold
// (bitwarden/sdk `bitwarden-vault` `totp.rs`: an otpauth URI whose `algorithm` (SHA1, SHA256,
// SHA512), `digits` (up to 10) and `period` it honours but whose type it ignores — every code
// is time-based, so an HOTP account would show wrong codes —, or `steam://` and the base32
// secret for 5-character Steam codes). One early version of that generator decoded the secret
// as strict padded base32, so the secret is written padded: every version reads that.

/// Why Bitwarden cannot hold `account` with the same codes, or `None` when it can.
pub(crate) fn unrepresentable(account: &Account) -> Option<String> {
    (account.params.kind == OtpKind::Hotp).then(|| {
        "Bitwarden makes time-based codes only: it would show wrong codes for this \
         counter-based (HOTP) account"
            .to_owned()
    })
}

/// Writes `accounts` as Bitwarden's unencrypted JSON export: one login item per account, named
/// after its issuer (or its label when it has none), the label as username, the note, the
/// favorite flag, the first group as its folder, and `login.totp` as an otpauth URI (Steam:
/// `steam://SECRET`). HOTP accounts are returned as skipped.
pub(crate) fn write_json(
    accounts: &[Account],
) -> Result<(Zeroizing<Vec<u8>>, Vec<Skipped>), TransferError> {
    let (fit, skipped) = split_unrepresentable(accounts, unrepresentable);
    let mut folders = GroupIds::default();
    let mut items = Vec::with_capacity(fit.len());
    for account in fit {
        let folder_id = folders.first_of(account)?;
        let name = if account.issuer.trim().is_empty() {
            &account.label
        } else {
            &account.issuer
        };
        items.push(json!({
            "id": random::uuid_v4()?,
            "organizationId": null,
            "folderId": folder_id,
            "type": 1,
            "reprompt": 0,
            "name": name,
            "notes": (!account.meta.note.is_empty()).then_some(account.meta.note.as_str()),
            "favorite": account.meta.favorite,
            "login": {
                "uris": [],
                "username": account.label,
                "password": null,
                "totp": totp_field(account).as_str(),
            },
            "collectionIds": null,
        }));
    }
    let folders: Vec<Value> = folders
        .into_pairs()
        .into_iter()
        .map(|(name, id)| json!({ "id": id, "name": name }))
        .collect();
    let doc = Scrubbed(json!({ "encrypted": false, "folders": folders, "items": items }));
    Ok((super::json_bytes(&doc.0, true)?, skipped))
}

/// The `login.totp` field: `steam://` and the padded base32 secret for Steam, otherwise the
/// account's canonical otpauth URI with its secret padded (see the comment above).
fn totp_field(account: &Account) -> Zeroizing<String> {
    let secret = account.secret.to_base32();
    let padding = (8 - secret.len() % 8) % 8;
    if account.params.kind == OtpKind::Steam {
        let mut out = Zeroizing::new(String::with_capacity(8 + secret.len() + padding));
        out.push_str("steam://");
        out.push_str(&secret);
        out.extend(std::iter::repeat_n('=', padding));
        return out;
    }
    let uri = uri::format(account);
    // `?secret=` is followed by the unpadded secret (uri::format's canonical form): the padding
    // goes right after it, percent-encoded as a query value.
    let at = uri
        .find("?secret=")
        .map_or(uri.len(), |i| i + 8 + secret.len());
    let mut out = Zeroizing::new(String::with_capacity(uri.len() + 3 * padding));
    out.push_str(&uri[..at]);
    for _ in 0..padding {
        out.push_str("%3D");
    }
    out.push_str(&uri[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::OtpKind;

    #[test]
    fn reads_uri_steam_and_bare_secrets_from_json() {
        let doc = r#"{"encrypted":false,"folders":[{"id":"f1","name":"Work"}],"items":[
            {"name":"Site","folderId":"f1","login":{"username":"me","totp":"otpauth://totp/Site:me?secret=JBSWY3DPEHPK3PXP"}},
            {"name":"Steam","login":{"username":"gamer","totp":"steam://JBSWY3DPEHPK3PXP"}},
            {"name":"Bare","login":{"username":"u","totp":"jbsw y3dp ehpk 3pxp"}},
            {"name":"Password only","login":{"username":"u","password":"x"}},
            {"name":"Broken","login":{"totp":"not base32!"}}]}"#;
        let items = read_json(doc.as_bytes(), None).unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(items[0].result.as_ref().unwrap().meta.groups, vec!["Work"]);
        assert_eq!(
            items[1].result.as_ref().unwrap().params.kind,
            OtpKind::Steam
        );
        assert_eq!(items[2].result.as_ref().unwrap().issuer, "Bare");
        assert!(items[3].result.is_err());
    }

    #[test]
    fn reads_csv_with_quoted_fields() {
        let csv = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n\
                   Work,1,login,\"Site, Inc\",\"multi\nline\",,0,https://x,me,pw,JBSWY3DPEHPK3PXP\n\
                   ,,login,NoTotp,,,0,,u,p,\n";
        let items = read_csv(csv.as_bytes(), None).unwrap();
        assert_eq!(items.len(), 1);
        let a = items[0].result.as_ref().unwrap();
        assert_eq!(
            (a.issuer.as_str(), a.label.as_str(), a.meta.favorite),
            ("Site, Inc", "me", true)
        );
        assert_eq!(a.meta.note, "multi\nline");
    }

    #[test]
    fn refuses_encrypted_exports() {
        let doc = r#"{"encrypted":true,"items":[]}"#;
        assert!(matches!(
            read_json(doc.as_bytes(), None),
            Err(TransferError::Unsupported(_))
        ));
    }
}
