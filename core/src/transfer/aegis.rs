//! Aegis vault JSON, plain and encrypted.
//!
//! Encrypted vaults wrap a random master key in key slots (scrypt-derived password slots,
//! biometric slots bound to the phone); the master key opens the `db` with AES-256-GCM.
//! The exporter writes what Aegis writes: database version 3, one password slot with scrypt
//! N=2^15, r=8, p=1 and a 256-bit salt.
//!
//! # Bounds on the key derivation
//! The scrypt cost of a slot comes from the file, so a hostile vault could ask for gigabytes
//! and hours (200 slots of 256 MiB with p=16 ran ~47 minutes on a wrong password). Aegis has
//! always written N=2^15, r=8, p=1 (32 MiB, its `CryptoUtils` constants) and at most two
//! password slots (the password and a separate backup password). The reader refuses, before
//! deriving anything, a slot asking for more than [`MAX_SCRYPT_N`], [`MAX_SCRYPT_R`] or
//! [`MAX_SCRYPT_P`], and a vault with more than [`MAX_PASSWORD_SLOTS`] password slots: a wrong
//! password then costs at most four 32 MiB derivations (about a second on a phone).
//!
//! # Icons
//! An entry may carry an image: `icon` (standard base64), `icon_mime` (`image/svg+xml`,
//! `image/png`, `image/jpeg`; absent in Aegis's oldest vaults, which meant JPEG) and
//! `icon_hash`, the hex SHA-256 of the media type's UTF-8 bytes followed by the image bytes
//! (Aegis's `VaultEntryIcon`). The hash is verified and the image checked like any icon
//! (`crate::icon`); an icon that fails is left behind and its account imported without it: a
//! picture never costs an account. The exporter writes all three fields.

use std::collections::HashMap;

use base64::Engine as _;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::{
    EntryError, ImportItem, Scrubbed, TransferError, entry_name, kind_named, params_from,
    parse_json, parse_secret, str_field,
};
use crate::account::{Account, OtpKind};
use crate::crypto::aead::{KEY_LEN, NONCE_LEN, TAG_LEN};
use crate::crypto::{self, kdf, random};
use crate::icon::{self, Icon, IconError, IconImage, ImageType};

const SLOT_RAW: u64 = 0;
const SLOT_PASSWORD: u64 = 1;
const SLOT_BIOMETRIC: u64 = 2;

/// The largest scrypt N a slot may ask for: what Aegis writes (2^15).
pub(crate) const MAX_SCRYPT_N: u64 = 1 << 15;
/// The largest scrypt r a slot may ask for: what Aegis writes.
pub(crate) const MAX_SCRYPT_R: u32 = 8;
/// The largest scrypt p a slot may ask for: what Aegis writes.
pub(crate) const MAX_SCRYPT_P: u32 = 1;
/// The most password slots tried. Aegis writes one, two with a backup password; four leaves
/// room for a vault edited by hand without letting a file multiply the work.
pub(crate) const MAX_PASSWORD_SLOTS: usize = 4;

/// scrypt cost of the slots Tessera writes: what Aegis itself uses.
const EXPORT_SCRYPT_N: u64 = 1 << 15;
const EXPORT_SCRYPT_R: u32 = 8;
const EXPORT_SCRYPT_P: u32 = 1;

/// Reads an Aegis vault; `password` opens an encrypted one.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    let doc = parse_json(bytes)?;
    let root = &doc.0;
    if root.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(TransferError::Damaged(
            "not an Aegis vault of version 1".into(),
        ));
    }
    let header = root
        .get("header")
        .ok_or_else(|| TransferError::Damaged("the Aegis vault has no header".into()))?;
    let db = root
        .get("db")
        .ok_or_else(|| TransferError::Damaged("the Aegis vault has no db".into()))?;
    match db {
        Value::Object(_) => read_db(db),
        Value::String(ciphertext) => {
            let plain = decrypt(header, ciphertext, password)?;
            let db = parse_json(&plain)
                .map_err(|_| TransferError::Damaged("the decrypted db is not JSON".into()))?;
            read_db(&db.0)
        }
        _ => Err(TransferError::Damaged(
            "the Aegis db is neither an object nor a string".into(),
        )),
    }
}

fn hex(value: Option<&Value>, what: &str) -> Result<Zeroizing<Vec<u8>>, TransferError> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| TransferError::Damaged(format!("{what} is missing")))?;
    crate::encoding::hex_decode(text.as_bytes())
        .map(Zeroizing::new)
        .ok_or_else(|| TransferError::Damaged(format!("{what} is not hex")))
}

fn decrypt(
    header: &Value,
    ciphertext: &str,
    password: Option<&str>,
) -> Result<Zeroizing<Vec<u8>>, TransferError> {
    let slots = header
        .get("slots")
        .and_then(Value::as_array)
        .ok_or_else(|| TransferError::Damaged("the encrypted vault has no key slots".into()))?;
    let params = header
        .get("params")
        .ok_or_else(|| TransferError::Damaged("the encrypted vault has no nonce and tag".into()))?;
    let nonce = hex(params.get("nonce"), "the db nonce")?;
    let tag = hex(params.get("tag"), "the db tag")?;
    if nonce.len() != NONCE_LEN || tag.len() != TAG_LEN {
        return Err(TransferError::Damaged(
            "the db nonce or tag has the wrong length".into(),
        ));
    }
    let mut sealed = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(ciphertext.trim())
            .map_err(|_| TransferError::Damaged("the encrypted db is not base64".into()))?,
    );
    sealed.extend_from_slice(&tag);

    let password_slots: Vec<&Value> = slots
        .iter()
        .filter(|s| s.get("type").and_then(Value::as_u64) == Some(SLOT_PASSWORD))
        .collect();
    if password_slots.is_empty() {
        let kinds: Vec<String> = slots
            .iter()
            .map(|s| match s.get("type").and_then(Value::as_u64) {
                Some(SLOT_RAW) => "raw key".to_owned(),
                Some(SLOT_BIOMETRIC) => "biometric".to_owned(),
                Some(n) => format!("type {n}"),
                None => "unknown".to_owned(),
            })
            .collect();
        return Err(TransferError::Unsupported(format!(
            "the vault has no password slot (only: {}); add a password in Aegis and export again",
            if kinds.is_empty() {
                "none".to_owned()
            } else {
                kinds.join(", ")
            }
        )));
    }
    if password_slots.len() > MAX_PASSWORD_SLOTS {
        return Err(TransferError::Damaged(format!(
            "the vault has {} password slots; Aegis writes at most two and more than \
             {MAX_PASSWORD_SLOTS} are not tried",
            password_slots.len()
        )));
    }
    // Every slot's cost is checked before any is derived: the refusal does not depend on
    // which slot the password happens to open.
    for slot in &password_slots {
        check_scrypt_cost(slot)?;
    }
    let password = password.ok_or(TransferError::PasswordRequired)?;

    // Try every password slot: a vault may carry a backup password besides the main one.
    let mut damaged_slots = 0;
    for slot in &password_slots {
        let master = match open_slot(slot, password) {
            Ok(Some(key)) => key,
            Ok(None) => continue,
            Err(_) => {
                damaged_slots += 1;
                continue;
            }
        };
        return crypto::aead::open(&master, &nonce, &sealed, &[]).ok_or_else(|| {
            // The slot accepted the password, so the key is right: the db itself is damaged.
            TransferError::Damaged("the password is right but the encrypted db is damaged".into())
        });
    }
    if damaged_slots == password_slots.len() {
        return Err(TransferError::Damaged(
            "every password slot is damaged".into(),
        ));
    }
    Err(TransferError::WrongPassword)
}

/// A slot's scrypt parameters (0 where absent or not a whole number; refused later).
fn scrypt_params(slot: &Value) -> (u64, u64, u64) {
    let field = |key: &str| slot.get(key).and_then(Value::as_u64).unwrap_or(0);
    (field("n"), field("r"), field("p"))
}

/// Refuses a slot whose scrypt cost is above what Aegis writes (see the module docs).
fn check_scrypt_cost(slot: &Value) -> Result<(), TransferError> {
    let (n, r, p) = scrypt_params(slot);
    if n > MAX_SCRYPT_N || r > u64::from(MAX_SCRYPT_R) || p > u64::from(MAX_SCRYPT_P) {
        return Err(TransferError::Damaged(format!(
            "a password slot asks scrypt for N={n}, r={r}, p={p}; Aegis writes \
             N={MAX_SCRYPT_N}, r={MAX_SCRYPT_R}, p={MAX_SCRYPT_P} and more is refused"
        )));
    }
    Ok(())
}

/// The master key if `password` opens `slot`, `None` if it does not, `Err` if the slot is damaged.
fn open_slot(slot: &Value, password: &str) -> Result<Option<Zeroizing<Vec<u8>>>, TransferError> {
    let (n, r, p) = scrypt_params(slot);
    // check_scrypt_cost has bounded them far below u32::MAX.
    let (r, p) = (r as u32, p as u32);
    let salt = hex(slot.get("salt"), "a slot's salt")?;
    let wrapped = hex(slot.get("key"), "a slot's key")?;
    let key_params = slot
        .get("key_params")
        .ok_or_else(|| TransferError::Damaged("a slot has no key_params".into()))?;
    let nonce = hex(key_params.get("nonce"), "a slot's nonce")?;
    let tag = hex(key_params.get("tag"), "a slot's tag")?;
    if nonce.len() != NONCE_LEN || tag.len() != TAG_LEN || wrapped.len() != KEY_LEN {
        return Err(TransferError::Damaged(
            "a slot's key, nonce or tag has the wrong length".into(),
        ));
    }
    let derived = kdf::scrypt(password.as_bytes(), &salt, n, r, p)
        .ok_or_else(|| TransferError::Damaged("a slot has unusable scrypt parameters".into()))?;
    let mut sealed = Zeroizing::new(wrapped.to_vec());
    sealed.extend_from_slice(&tag);
    Ok(crypto::aead::open(derived.as_ref(), &nonce, &sealed, &[]))
}

fn read_db(db: &Value) -> Result<Vec<ImportItem>, TransferError> {
    let entries = db
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| TransferError::Damaged("the Aegis db has no entries list".into()))?;
    // Version 3 refers to groups by uuid; version 2 wrote the group name on the entry.
    let groups: HashMap<&str, &str> = db
        .get("groups")
        .and_then(Value::as_array)
        .map(|gs| {
            gs.iter()
                .filter_map(|g| Some((str_field(g, "uuid")?, str_field(g, "name")?)))
                .collect()
        })
        .unwrap_or_default();
    Ok(entries.iter().map(|e| read_entry(e, &groups)).collect())
}

fn read_entry(entry: &Value, groups: &HashMap<&str, &str>) -> ImportItem {
    let issuer = str_field(entry, "issuer").unwrap_or("").to_owned();
    let label = str_field(entry, "name").unwrap_or("").to_owned();
    let name = entry_name(&issuer, &label);
    let result = to_account(entry, issuer, label, groups);
    ImportItem { name, result }
}

fn to_account(
    entry: &Value,
    issuer: String,
    label: String,
    groups: &HashMap<&str, &str>,
) -> Result<Account, EntryError> {
    if str_field(entry, "type").is_none() {
        return Err(EntryError::Invalid("the entry has no type".into()));
    }
    let kind = kind_named(str_field(entry, "type"))?;
    let info = entry
        .get("info")
        .filter(|i| i.is_object())
        .ok_or_else(|| EntryError::Invalid("the entry has no info".into()))?;
    let secret = parse_secret(
        str_field(info, "secret")
            .ok_or_else(|| EntryError::Invalid("the entry has no secret".into()))?,
    )?;
    let params = params_from(info, kind, "algo")?;
    let mut account = Account::new(issuer, label, secret, params);
    account.meta.note = str_field(entry, "note").unwrap_or("").to_owned();
    account.meta.favorite = entry
        .get("favorite")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(uuids) = entry.get("groups").and_then(Value::as_array) {
        account.meta.groups = uuids
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|u| groups.get(u).map(|n| (*n).to_owned()))
            .collect();
    } else if let Some(group) = str_field(entry, "group").filter(|g| !g.is_empty()) {
        account.meta.groups = vec![group.to_owned()];
    }
    // A picture never costs an account: one that fails its checks is left behind.
    account.meta.picture = read_icon(entry).ok().flatten().map(Icon::Image);
    Ok(account)
}

/// The entry's icon, checked: `None` when it has none.
fn read_icon(entry: &Value) -> Result<Option<IconImage>, IconError> {
    let Some(data) = entry.get("icon").and_then(Value::as_str) else {
        return Ok(None);
    };
    let declared = str_field(entry, "icon_mime").unwrap_or("image/jpeg");
    let kind = ImageType::from_media_type(declared)
        .ok_or_else(|| IconError::UnsupportedMediaType(declared.chars().take(64).collect()))?;
    let bytes = icon::decode_base64(data)?;
    if let Some(hash) = str_field(entry, "icon_hash") {
        let stored = crate::encoding::hex_decode(hash.trim().as_bytes())
            .ok_or(IconError::Damaged("its icon_hash is not hex"))?;
        if !crypto::ct_eq(&icon_hash(kind, &bytes), &stored) {
            return Err(IconError::Damaged("it does not match its icon_hash"));
        }
    }
    IconImage::new(bytes, Some(kind.media_type())).map(Some)
}

/// Aegis's icon hash: SHA-256 of the media type and then the image.
fn icon_hash(kind: ImageType, bytes: &[u8]) -> [u8; 32] {
    let mut hash = crypto::mac::Sha256::default();
    hash.update(kind.media_type().as_bytes());
    hash.update(bytes);
    hash.finish()
}

/// Writes the accounts as an Aegis vault; encrypted with a password slot when `password` is given.
pub(crate) fn write(
    accounts: &[Account],
    password: Option<&str>,
) -> Result<Zeroizing<Vec<u8>>, TransferError> {
    let db = Scrubbed(db_json(accounts)?);
    let doc = match password {
        None => Scrubbed(json!({
            "version": 1,
            "header": { "slots": null, "params": null },
            "db": db.0,
        })),
        Some(password) => {
            if password.is_empty() {
                return Err(TransferError::Export("the password is empty".into()));
            }
            let plain = super::json_bytes(&db.0, false)?;
            let master = random::make_key()?;
            let db_nonce = random::array::<NONCE_LEN>()?;
            let sealed = crypto::aead::seal(&master, &db_nonce, &plain, &[])?;
            let (ct, tag) = sealed.split_at(sealed.len() - TAG_LEN);

            let salt = random::array::<32>()?;
            let derived = kdf::scrypt(
                password.as_bytes(),
                &salt,
                EXPORT_SCRYPT_N,
                EXPORT_SCRYPT_R,
                EXPORT_SCRYPT_P,
            )
            .ok_or_else(|| TransferError::Export("scrypt failed".into()))?;
            let slot_nonce = random::array::<NONCE_LEN>()?;
            let wrapped = crypto::aead::seal(&derived, &slot_nonce, master.as_ref(), &[])?;
            let (wrapped_key, wrapped_tag) = wrapped.split_at(KEY_LEN);
            let hex = |b: &[u8]| crate::encoding::hex_lower(b);
            Scrubbed(json!({
                "version": 1,
                "header": {
                    "slots": [{
                        "type": SLOT_PASSWORD,
                        "uuid": random::uuid_v4()?,
                        "key": hex(wrapped_key),
                        "key_params": { "nonce": hex(&slot_nonce), "tag": hex(wrapped_tag) },
                        "n": EXPORT_SCRYPT_N,
                        "r": EXPORT_SCRYPT_R,
                        "p": EXPORT_SCRYPT_P,
                        "salt": hex(&salt),
                        "repaired": true,
                        "is_backup": false,
                    }],
                    "params": { "nonce": hex(&db_nonce), "tag": hex(tag) },
                },
                "db": base64::engine::general_purpose::STANDARD.encode(ct),
            }))
        }
    };
    super::json_bytes(&doc.0, true)
}

fn db_json(accounts: &[Account]) -> Result<Value, TransferError> {
    let mut group_ids: Vec<(String, String)> = Vec::new();
    let mut entries = Vec::with_capacity(accounts.len());
    for account in accounts {
        let mut uuids: Vec<String> = Vec::with_capacity(account.meta.groups.len());
        for name in &account.meta.groups {
            match group_ids.iter().find(|(n, _)| n == name) {
                Some((_, id)) => uuids.push(id.clone()),
                None => {
                    let id = random::uuid_v4()?;
                    group_ids.push((name.clone(), id.clone()));
                    uuids.push(id);
                }
            }
        }
        let p = &account.params;
        let mut info = json!({
            "secret": account.secret.to_base32().as_str(),
            "algo": p.algorithm.as_str(),
            "digits": p.digits,
        });
        match p.kind {
            OtpKind::Hotp => info["counter"] = json!(p.counter),
            OtpKind::Totp | OtpKind::Steam => info["period"] = json!(p.period),
        }
        let mut entry = json!({
            "type": p.kind.as_str(),
            "uuid": random::uuid_v4()?,
            "name": account.label,
            "issuer": account.issuer,
            "note": account.meta.note,
            "favorite": account.meta.favorite,
            "info": info,
            "groups": uuids,
        });
        // Aegis keeps images only; a reference into another app's collection has no place.
        match &account.meta.picture {
            Some(Icon::Image(image)) => {
                entry["icon"] = json!(crate::encoding::base64(image.bytes()));
                entry["icon_mime"] = json!(image.media_type());
                entry["icon_hash"] = json!(crate::encoding::hex_lower(&icon_hash(
                    image.image_type(),
                    image.bytes()
                )));
            }
            _ => entry["icon"] = Value::Null,
        }
        entries.push(entry);
    }
    let groups: Vec<Value> = group_ids
        .into_iter()
        .map(|(name, uuid)| json!({ "uuid": uuid, "name": name }))
        .collect();
    Ok(json!({ "version": 3, "entries": entries, "groups": groups }))
}
