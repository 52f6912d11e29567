//! 2FAS backups (`.2fas`), plain and encrypted, schema versions 1 to 4.
//!
//! Encrypted backups hold the services as `b64(ct||tag):b64(salt):b64(iv)`, with the key from
//! PBKDF2-HMAC-SHA256 (10,000 iterations, fixed by the format: nothing in the file sets the
//! cost). AES-GCM authenticates the services: a file whose `servicesEncrypted` decrypts is
//! read, whatever its `reference` holds. `reference`, a known text encrypted the same way, is
//! looked at only once the services have failed to decrypt, to tell a wrong password (the
//! reference does not open either) from a damaged file (it opens: the password is right).
//! Its text is not compared: real backups of 2FAS 3.8 to 5.1 carry texts that differ from the
//! one documented, and a reference that opens under the password proves the password anyway.
//!
//! A service's `icon` is 2FAS's choice of picture: `selected` (`Label`, `IconCollection`, or
//! the old `Brand`), `label` (`text`, up to two letters, and `backgroundColor`, a 2FAS tint
//! name) and `iconCollection.id` (an icon of 2FAS's own collection, which Tessera does not
//! ship). It is kept as an [`IconRef`] of collection [`COLLECTION_2FAS`], so a shell can draw
//! the label and an export to 2FAS gives it back; one that fails its checks is left behind,
//! never the account.

use std::collections::HashMap;

use base64::Engine as _;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::export::{GroupIds, Skipped, split_unrepresentable};
use super::{
    EntryError, ImportItem, Scrubbed, TransferError, entry_name, kind_named, params_from,
    parse_json, parse_secret, str_field,
};
use crate::account::{Account, OtpKind};
use crate::crypto::aead::{self, NONCE_LEN, TAG_LEN};
use crate::crypto::{kdf, random};
use crate::icon::{COLLECTION_2FAS, Icon, IconLabel, IconRef};

/// 2FAS's iteration count for the backup key.
const PBKDF2_ITERATIONS: u32 = 10_000;

/// The known text 2FAS encrypts into `reference` (its `BackupContent.Reference`). The writer
/// encrypts it as 2FAS does; the reader never compares it (see the module docs).
pub(crate) const REFERENCE: &str = "tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6mtsy92R3HkdGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2OvidXQCBnDlGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv5R5DMDkD4iAF8TXU7KyoJujd";

/// Reads a 2FAS backup; `password` opens an encrypted one.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    let doc = parse_json(bytes)?;
    let root = &doc.0;
    if !root.is_object() {
        return Err(TransferError::Damaged(
            "a 2FAS backup is a JSON object".into(),
        ));
    }
    if let Some(v) = root.get("schemaVersion").and_then(Value::as_u64)
        && !(1..=4).contains(&v)
    {
        return Err(TransferError::Unsupported(format!(
            "2FAS schema version {v}"
        )));
    }
    let groups: HashMap<&str, &str> = root
        .get("groups")
        .and_then(Value::as_array)
        .map(|gs| {
            gs.iter()
                .filter_map(|g| Some((str_field(g, "id")?, str_field(g, "name")?)))
                .collect()
        })
        .unwrap_or_default();

    let encrypted = str_field(root, "servicesEncrypted").filter(|s| !s.trim().is_empty());
    let decrypted;
    let services: &Vec<Value> = match encrypted {
        Some(field) => {
            let password = password.ok_or(TransferError::PasswordRequired)?;
            let plain = decrypt(root, field, password)?;
            decrypted = parse_json(&plain).map_err(|_| {
                TransferError::Damaged("the decrypted services are not JSON".into())
            })?;
            decrypted.0.as_array().ok_or_else(|| {
                TransferError::Damaged("the decrypted services are not a list".into())
            })?
        }
        // Only encrypted backups carry `reference`: one without `servicesEncrypted` lost it
        // (a damaged file), and must not read as a successful import of its empty `services`.
        None if str_field(root, "reference").is_some_and(|r| !r.is_empty()) => {
            return Err(TransferError::Damaged(
                "the encrypted backup has no encrypted services".into(),
            ));
        }
        None => root
            .get("services")
            .and_then(Value::as_array)
            .ok_or_else(|| TransferError::Damaged("the backup has no services".into()))?,
    };
    Ok(services.iter().map(|s| read_service(s, &groups)).collect())
}

/// One `b64(ct||tag):b64(salt):b64(iv)` field, decoded.
struct Sealed {
    data: Vec<u8>,
    salt: Vec<u8>,
    iv: Vec<u8>,
}

fn split_field(field: &str, what: &str) -> Result<Sealed, TransferError> {
    let parts: Vec<&str> = field.trim().split(':').collect();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s.trim());
    let damaged = || TransferError::Damaged(format!("{what} is not ciphertext:salt:iv in base64"));
    match parts.as_slice() {
        [data, salt, iv] => {
            let sealed = Sealed {
                data: b64(data).map_err(|_| damaged())?,
                salt: b64(salt).map_err(|_| damaged())?,
                iv: b64(iv).map_err(|_| damaged())?,
            };
            if sealed.iv.len() != NONCE_LEN
                || sealed.data.len() < TAG_LEN
                || sealed.salt.is_empty()
                || sealed.salt.len() > MAX_SALT_LEN
            {
                return Err(damaged());
            }
            Ok(sealed)
        }
        _ => Err(damaged()),
    }
}

/// The most salt bytes read from a field: 2FAS writes 32 (iOS) or 256 (Android).
const MAX_SALT_LEN: usize = 1024;

fn decrypt(root: &Value, field: &str, password: &str) -> Result<Zeroizing<Vec<u8>>, TransferError> {
    let services = split_field(field, "servicesEncrypted")?;
    let key = kdf::pbkdf2_sha256(password.as_bytes(), &services.salt, PBKDF2_ITERATIONS);
    if let Some(plain) = aead::open(key.as_ref(), &services.iv, &services.data, &[]) {
        // GCM authenticated the services under this password: nothing else is needed.
        return Ok(plain);
    }
    // The services do not open. A reference that opens under the same password means the
    // password is right and the services were damaged; otherwise (no reference, or one that
    // does not open either) the password is by far the likelier cause.
    let reference = str_field(root, "reference")
        .filter(|r| !r.trim().is_empty())
        .and_then(|r| split_field(r, "reference").ok());
    let password_right = reference.is_some_and(|r| {
        let key = if r.salt == services.salt {
            key.clone()
        } else {
            kdf::pbkdf2_sha256(password.as_bytes(), &r.salt, PBKDF2_ITERATIONS)
        };
        aead::open(key.as_ref(), &r.iv, &r.data, &[]).is_some()
    });
    Err(if password_right {
        TransferError::Damaged(
            "the password is right but the encrypted services are damaged".into(),
        )
    } else {
        TransferError::WrongPassword
    })
}

fn read_service(service: &Value, groups: &HashMap<&str, &str>) -> ImportItem {
    // Schema 1 had no `otp` object: its fields sit on the service itself.
    let otp = service
        .get("otp")
        .filter(|o| o.is_object())
        .unwrap_or(service);
    let service_name = str_field(service, "name").unwrap_or("");
    let issuer = str_field(otp, "issuer")
        .filter(|i| !i.trim().is_empty())
        .unwrap_or(service_name);
    let label = str_field(otp, "account")
        .filter(|a| !a.trim().is_empty())
        .or_else(|| str_field(otp, "label"))
        .unwrap_or("");
    // `label` is sometimes `Issuer:account`; keep the account part.
    let label = match label.split_once(':') {
        Some((prefix, rest)) if prefix.trim() == issuer.trim() => rest.trim(),
        _ => label,
    };
    let name = entry_name(issuer, label);
    let result = to_account(service, otp, issuer, label, groups);
    ImportItem { name, result }
}

fn to_account(
    service: &Value,
    otp: &Value,
    issuer: &str,
    label: &str,
    groups: &HashMap<&str, &str>,
) -> Result<Account, EntryError> {
    let kind = kind_named(str_field(otp, "tokenType"))?;
    let secret = parse_secret(
        str_field(service, "secret")
            .ok_or_else(|| EntryError::Invalid("the service has no secret".into()))?,
    )?;
    let params = params_from(otp, kind, "algorithm")?;
    let mut account = Account::new(issuer, label, secret, params);
    if let Some(group) = str_field(service, "groupId").and_then(|id| groups.get(id)) {
        account.meta.groups = vec![(*group).to_owned()];
    }
    account.meta.picture = read_icon(service);
    Ok(account)
}

/// The service's icon reference (see the module docs); `None` when it has none or it fails
/// its checks.
fn read_icon(service: &Value) -> Option<Icon> {
    let icon = service.get("icon").filter(|i| i.is_object())?;
    let id = icon
        .get("iconCollection")
        .and_then(|c| str_field(c, "id"))
        .unwrap_or("");
    let label = icon.get("label").and_then(|l| {
        Some(IconLabel {
            text: str_field(l, "text")?.to_owned(),
            color: str_field(l, "backgroundColor").unwrap_or("").to_owned(),
        })
    });
    let reference = IconRef {
        collection: COLLECTION_2FAS.into(),
        id: id.to_owned(),
        label,
        label_shown: str_field(icon, "selected") == Some("Label"),
    };
    reference.check().ok()?;
    Some(Icon::Reference(reference))
}

/// Encrypts `plain` the way 2FAS does, for tests that check the importer against itself.
#[cfg(test)]
pub(crate) fn seal_field(password: &str, salt: &[u8], plain: &[u8]) -> String {
    let key = kdf::pbkdf2_sha256(password.as_bytes(), salt, PBKDF2_ITERATIONS);
    seal_with_key(&key, salt, plain).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Writing. What 2FAS reads was taken from its importers' source (GPL; read, not copied):
// 2FAS Android `data/services/.../domain/BackupContent.kt`, `BackupService.kt`,
// `BackupGroup.kt` and `mapper/ServiceMapper.kt` (kotlinx.serialization: every field without a
// default is required, `Otp.counter` is a 32-bit `Int`, `tokenType`/`algorithm`/`source` are
// enum names), and 2FAS iOS `ExchangeData2` (schema 3 and 4: `appOrigin` is "android" or
// "ios", `appVersionCode`, `appVersionName`, `services`, each service's `order`, `otp.source`
// and `icon.iconCollection.id` are required) with its `Digits` (6, 7, 8) and `Period` (10, 30,
// 60, 90) enums, which turn any other value into 6 digits or 30 seconds — wrong codes, so such
// accounts are left out and reported instead.

/// The schema written: 2FAS Android's `BackupContent.CurrentSchema`, which iOS reads too.
const WRITE_SCHEMA: u64 = 4;
/// Salt bytes of an encrypted backup, as 2FAS for Android writes them.
const WRITE_SALT_LEN: usize = 256;
/// 2FAS's default icon collection (`ServiceIcons.defaultCollectionId`): the generic icon.
const DEFAULT_ICON_COLLECTION: &str = "a5b3fb65-4ec5-43e6-8ec1-49e24ca9e7ad";
/// Periods both 2FAS apps keep (Android accepts 30, 60 and 90 s; iOS adds 10).
const PERIODS: [u32; 3] = [30, 60, 90];
/// Code lengths both 2FAS apps show (Steam codes aside, which are always 5 characters).
const DIGITS: std::ops::RangeInclusive<u8> = 6..=8;

/// Why 2FAS cannot hold `account` with the same codes, or `None` when it can.
pub(crate) fn unrepresentable(account: &Account) -> Option<String> {
    let p = &account.params;
    if p.kind == OtpKind::Steam {
        return None;
    }
    if !DIGITS.contains(&p.digits) {
        return Some(format!(
            "2FAS shows codes of 6 to 8 digits, not {}: it would show wrong codes",
            p.digits
        ));
    }
    if p.kind == OtpKind::Totp && !PERIODS.contains(&p.period) {
        return Some(format!(
            "2FAS keeps periods of 30, 60 or 90 seconds, not {}: it would show wrong codes",
            p.period
        ));
    }
    if p.kind == OtpKind::Hotp && p.counter > i32::MAX as u64 {
        return Some(format!(
            "2FAS stores the HOTP counter as a 32-bit number; this one ({}) is larger",
            p.counter
        ));
    }
    None
}

/// Writes a 2FAS backup of `accounts`: plain, or encrypted with `password` as 2FAS does
/// (`services` left empty, the services JSON and the reference text each sealed with
/// AES-256-GCM under PBKDF2-SHA256 of the password over one 256-byte salt, with their own IV).
/// 2FAS has one group per service (the first group is kept), no note and no favorite; a service
/// needs a name, so an account without an issuer is named after its label. Accounts 2FAS would
/// show wrong codes for are returned as skipped.
pub(crate) fn write(
    accounts: &[Account],
    password: Option<&str>,
) -> Result<(Zeroizing<Vec<u8>>, Vec<Skipped>), TransferError> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let (fit, skipped) = split_unrepresentable(accounts, unrepresentable);
    let mut groups = GroupIds::default();
    let mut services = Vec::with_capacity(fit.len());
    for account in fit {
        let group_id = groups.first_of(account)?;
        services.push(service_json(account, services.len(), now_ms, group_id));
    }
    let mut services = Scrubbed(Value::Array(services));
    let groups: Vec<Value> = groups
        .into_pairs()
        .into_iter()
        .map(
            |(name, id)| json!({ "id": id, "name": name, "isExpanded": true, "updatedAt": now_ms }),
        )
        .collect();
    let mut doc = json!({
        "services": [],
        "groups": groups,
        "updatedAt": now_ms,
        "schemaVersion": WRITE_SCHEMA,
        "appVersionCode": 0,
        "appVersionName": concat!("Tessera ", env!("CARGO_PKG_VERSION")),
        // iOS accepts only "android" or "ios"; the file is written as 2FAS for Android writes it.
        "appOrigin": "android",
    });
    let doc = match password {
        None => {
            doc["services"] = std::mem::take(&mut services.0);
            Scrubbed(doc)
        }
        Some(password) => {
            let salt = random::array::<WRITE_SALT_LEN>()?;
            let key = kdf::pbkdf2_sha256(password.as_bytes(), &salt, PBKDF2_ITERATIONS);
            let plain = super::json_bytes(&services.0, false)?;
            doc["servicesEncrypted"] = seal_with_key(&key, &salt, &plain)?.into();
            doc["reference"] = seal_with_key(&key, &salt, REFERENCE.as_bytes())?.into();
            Scrubbed(doc)
        }
    };
    Ok((super::json_bytes(&doc.0, false)?, skipped))
}

/// One service as 2FAS writes it (`ServiceMapper.asBackup`).
fn service_json(account: &Account, position: usize, now_ms: u64, group: Option<String>) -> Value {
    let p = &account.params;
    let name = if account.issuer.trim().is_empty() {
        &account.label
    } else {
        &account.issuer
    };
    let (token_type, period, counter) = match p.kind {
        OtpKind::Totp => ("TOTP", Some(p.period), None),
        OtpKind::Hotp => ("HOTP", None, Some(p.counter)),
        OtpKind::Steam => ("STEAM", Some(p.period), None),
    };
    json!({
        "name": name,
        "secret": account.secret.to_base32().as_str(),
        "updatedAt": now_ms,
        "serviceTypeID": null,
        "otp": {
            "link": null,
            "label": account.label,
            "account": account.label,
            "issuer": (!account.issuer.is_empty()).then_some(account.issuer.as_str()),
            "digits": p.digits,
            "period": period,
            "algorithm": p.algorithm.as_str(),
            "counter": counter,
            "tokenType": token_type,
            "source": "Manual",
        },
        "order": { "position": position },
        "badge": null,
        "icon": icon_json(account),
        "groupId": group,
    })
}

/// 2FAS's tile colours (`Service.Tint`): Android reads the name with `enumValueOf`, so any
/// other name would fail the whole import.
const TINTS: [&str; 11] = [
    "Default",
    "Red",
    "Orange",
    "Yellow",
    "Green",
    "Turquoise",
    "LightBlue",
    "Indigo",
    "Pink",
    "Purple",
    "Brown",
];

/// The service's `icon`: the 2FAS icon reference the account came with (its collection icon,
/// or its label tile when that was shown), else 2FAS's generic icon. iOS requires
/// `iconCollection.id`, so an empty one becomes the generic icon's.
fn icon_json(account: &Account) -> Value {
    let reference = match &account.meta.picture {
        Some(Icon::Reference(r)) if r.collection == COLLECTION_2FAS => Some(r),
        _ => None,
    };
    let id = reference
        .map(|r| r.id.as_str())
        .filter(|id| !id.is_empty())
        .unwrap_or(DEFAULT_ICON_COLLECTION);
    let label = reference.and_then(|r| r.label.as_ref()).map(|l| {
        let color = if TINTS.contains(&l.color.as_str()) {
            l.color.as_str()
        } else {
            "Default"
        };
        json!({ "text": l.text, "backgroundColor": color })
    });
    let shows_label = label.is_some() && reference.is_some_and(|r| r.label_shown);
    json!({
        "selected": if shows_label { "Label" } else { "IconCollection" },
        "label": label,
        "iconCollection": { "id": id },
    })
}

/// `plain` sealed with AES-256-GCM under `key` and a fresh IV, as
/// `b64(ciphertext ‖ tag):b64(salt):b64(iv)`.
fn seal_with_key(key: &[u8; 32], salt: &[u8], plain: &[u8]) -> Result<String, TransferError> {
    let iv = random::array::<NONCE_LEN>()?;
    let sealed = aead::seal(key, &iv, plain, &[])?;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    Ok(format!("{}:{}:{}", b64(&sealed), b64(salt), b64(&iv)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_schema_1_flat_services_and_keeps_unknown_types_as_failures() {
        let doc = r#"{"schemaVersion":1,"services":[
            {"name":"Old","secret":"JBSWY3DPEHPK3PXP"},
            {"name":"Odd","secret":"JBSWY3DPEHPK3PXP","otp":{"tokenType":"MOTP"}}]}"#;
        let items = read(doc.as_bytes(), None).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].result.as_ref().unwrap().issuer, "Old");
        assert!(matches!(items[1].result, Err(EntryError::Unsupported(_))));
    }

    #[test]
    fn tells_wrong_password_from_damaged_services() {
        let salt = [9u8; 32];
        let services = seal_field("pw", &salt, b"[]");
        let reference = seal_field("pw", &salt, REFERENCE.as_bytes());
        let doc = format!(
            r#"{{"services":[],"schemaVersion":4,"servicesEncrypted":"{services}","reference":"{reference}"}}"#
        );
        assert_eq!(read(doc.as_bytes(), Some("pw")).unwrap().len(), 0);
        assert_eq!(
            read(doc.as_bytes(), Some("nope")).unwrap_err(),
            TransferError::WrongPassword
        );
        assert_eq!(
            read(doc.as_bytes(), None).unwrap_err(),
            TransferError::PasswordRequired
        );
        let broken = doc.replacen(&services[..4], "AAAA", 1);
        assert!(matches!(
            read(broken.as_bytes(), Some("pw")),
            Err(TransferError::Damaged(_))
        ));
    }

    #[test]
    fn services_that_decrypt_are_read_whatever_the_reference_holds() {
        let salt = [5u8; 32];
        let services = seal_field(
            "pw",
            &salt,
            br#"[{"name":"S","secret":"JBSWY3DPEHPK3PXP"}]"#,
        );
        // Another text, the documented text cut short, a reference under another password,
        // and one that is not even ciphertext: none of them matters once the services open.
        for reference in [
            seal_field("pw", &salt, b"some other text"),
            seal_field("pw", &salt, &REFERENCE.as_bytes()[..250]),
            seal_field("other", &[6u8; 256], REFERENCE.as_bytes()),
            "not:a:reference".to_owned(),
        ] {
            let doc = format!(
                r#"{{"services":[],"schemaVersion":4,"servicesEncrypted":"{services}","reference":"{reference}"}}"#
            );
            let items = read(doc.as_bytes(), Some("pw")).unwrap();
            assert_eq!(items.len(), 1, "{reference}");
            assert_eq!(items[0].result.as_ref().unwrap().issuer, "S");
            assert_eq!(
                read(doc.as_bytes(), Some("nope")).unwrap_err(),
                TransferError::WrongPassword
            );
        }
    }

    #[test]
    fn written_backups_give_2fas_icon_references_back_and_the_generic_icon_otherwise() {
        let mut with_label = Account::new(
            "GitHub",
            "alice",
            crate::secret::Secret::from_bytes(vec![1; 20]),
            crate::account::OtpParams::totp(),
        );
        with_label.meta.picture = Some(Icon::Reference(IconRef {
            collection: COLLECTION_2FAS.into(),
            id: "0c3ae1ec-5e2a-4b67-8d46-4d5bd3ea7b70".into(),
            label: Some(IconLabel {
                text: "GH".into(),
                color: "Orange".into(),
            }),
            label_shown: true,
        }));
        let mut odd_colour = with_label.clone();
        odd_colour.issuer = "Odd".into();
        if let Some(Icon::Reference(r)) = &mut odd_colour.meta.picture {
            r.label.as_mut().unwrap().color = "Chartreuse".into();
        }
        let mut plain = with_label.clone();
        plain.issuer = "Plain".into();
        plain.meta.picture = None;
        let (bytes, skipped) = write(&[with_label.clone(), odd_colour, plain], None).unwrap();
        assert!(skipped.is_empty());
        let items = read(&bytes, None).unwrap();
        let back: Vec<&Account> = items.iter().map(|i| i.result.as_ref().unwrap()).collect();
        assert_eq!(back[0].meta.picture, with_label.meta.picture);
        let Some(Icon::Reference(odd)) = &back[1].meta.picture else {
            panic!("{:?}", back[1].meta.picture)
        };
        assert_eq!(
            odd.label.as_ref().unwrap().color,
            "Default",
            "a colour 2FAS knows"
        );
        let Some(Icon::Reference(generic)) = &back[2].meta.picture else {
            panic!("{:?}", back[2].meta.picture)
        };
        assert_eq!(
            (generic.id.as_str(), generic.label_shown),
            (DEFAULT_ICON_COLLECTION, false)
        );
    }

    #[test]
    fn an_encrypted_backup_that_lost_its_services_is_damaged_not_empty() {
        // Found by transfer_proptest: a mutated key name made an encrypted backup read as a
        // successful import of its (always empty) plain `services`.
        let doc = format!(
            r#"{{"services":[],"schemaVersion":4,"servic#sEncrypted":"x:y:z","reference":"{REFERENCE}"}}"#
        );
        assert!(matches!(
            read(doc.as_bytes(), Some("pw")),
            Err(TransferError::Damaged(_))
        ));
    }
}
