//! Proton Authenticator exports, plain and encrypted, read and written.
//!
//! **Plain**: `{ "version": 1, "entries": [ { "id", "content": { "uri", "entry_type", "name" },
//! "note" } ] }`. `entry_type` is `Totp` (the `uri` is an otpauth URI) or `Steam` (the `uri` is
//! `steam://` followed by the *standard base64* of the raw key — not base32 as in Bitwarden's
//! `steam://`). `name` appeared in later versions and is optional; `note` may be null.
//! Proton has no HOTP: the exporter reports HOTP accounts as not written (and the other
//! accounts Proton's importer cannot read back, see `unrepresentable`).
//!
//! **Encrypted**: `{ "version": 1, "salt": b64(16 bytes), "content": b64(nonce(12) ‖
//! AES-256-GCM ciphertext ‖ tag(16)) }`, key = Argon2id v1.3 (m = 19,456 KiB, t = 2, p = 1,
//! 32 bytes) over the password and salt, AAD `proton.authenticator.export.v1`; the plaintext is
//! the plain export. The KDF parameters are fixed by the format, so a file cannot make the
//! device do more work than that.
//!
//! # Wrong password or damaged file
//! As in Ente's format there is no check value: invalid JSON (a truncated file), a missing or
//! mistyped field, bad base64, a salt that is not 16 bytes or a content shorter than nonce +
//! tag is [`TransferError::Damaged`]; a GCM tag that does not verify is
//! [`TransferError::WrongPassword`] (an altered ciphertext with intact base64 reads the same);
//! a plaintext that verifies but is not a plain export is [`TransferError::Damaged`].

use serde_json::Value;
use zeroize::Zeroizing;

use super::ente::item_from_uri;
use super::{EntryError, ImportItem, TransferError, entry_name, parse_json};
use crate::account::{Account, OtpKind, OtpParams};
use crate::crypto::{aead, kdf, random};
use crate::secret::Secret;

/// Associated data of every encrypted export.
pub const AAD: &[u8] = b"proton.authenticator.export.v1";
/// Argon2id memory cost in KiB (19 MiB, the OWASP minimum Proton uses).
const M_COST_KIB: u32 = 19 * 1024;
/// Argon2id passes.
const T_COST: u32 = 2;
const SALT_BYTES: usize = 16;
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;

/// Reads a Proton Authenticator export, plain or encrypted.
pub fn read(bytes: &[u8], password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    // Scrubbed documents: a plain export's strings (URIs with secrets) are wiped on drop.
    let json = parse_json(bytes)?;
    let doc = as_object(&json.0, "the Proton export")?;
    check_version(doc)?;
    if doc.contains_key("entries") {
        return read_entries(doc);
    }
    let (salt, content) = match (doc.get("salt"), doc.get("content")) {
        (Some(salt), Some(content)) => (salt, content),
        _ => {
            return Err(damaged(
                "the Proton export has neither `entries` nor `salt` and `content`",
            ));
        }
    };
    let salt = base64_field(salt, "salt")?;
    if salt.len() != SALT_BYTES {
        return Err(damaged("`salt` is not 16 bytes"));
    }
    let content = base64_field(content, "content")?;
    if content.len() < NONCE_BYTES + TAG_BYTES {
        return Err(damaged("`content` is shorter than a nonce and a tag"));
    }
    let password = password.ok_or(TransferError::PasswordRequired)?;
    let key = derive_key(password, &salt)?;
    let (nonce, sealed) = content.split_at(NONCE_BYTES);
    let plain = aead::open(&key[..], nonce, sealed, AAD).ok_or(TransferError::WrongPassword)?;
    let json =
        parse_json(&plain).map_err(|_| damaged("the decrypted Proton export is not valid JSON"))?;
    let inner = as_object(&json.0, "the decrypted Proton export")?;
    check_version(inner)?;
    if !inner.contains_key("entries") {
        return Err(damaged("the decrypted Proton export has no `entries`"));
    }
    read_entries(inner)
}

/// True when the bytes look like a Proton Authenticator export (for format detection): a JSON
/// object with `version` and either `entries` whose first element has `content.entry_type`,
/// or `salt` and `content` strings.
pub fn is_proton(bytes: &[u8]) -> bool {
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(bytes) else {
        return false;
    };
    if !doc.contains_key("version") {
        return false;
    }
    match doc.get("entries").and_then(Value::as_array) {
        Some(entries) => entries
            .first()
            .is_none_or(|e| e["content"]["entry_type"].is_string()),
        None => {
            doc.get("salt").is_some_and(Value::is_string)
                && doc.get("content").is_some_and(Value::is_string)
        }
    }
}

fn damaged(msg: &str) -> TransferError {
    TransferError::Damaged(msg.to_string())
}

fn as_object<'a>(
    doc: &'a Value,
    what: &str,
) -> Result<&'a serde_json::Map<String, Value>, TransferError> {
    doc.as_object()
        .ok_or_else(|| TransferError::Damaged(format!("{what} is not a JSON object")))
}

fn check_version(doc: &serde_json::Map<String, Value>) -> Result<(), TransferError> {
    match doc.get("version").and_then(Value::as_u64) {
        Some(1) => Ok(()),
        Some(v) => Err(TransferError::Damaged(format!(
            "unsupported Proton export version {v} (only version 1 exists)"
        ))),
        None => Err(damaged("the Proton export has no numeric `version`")),
    }
}

fn base64_field(value: &Value, what: &str) -> Result<Vec<u8>, TransferError> {
    let text = value
        .as_str()
        .ok_or_else(|| TransferError::Damaged(format!("`{what}` is not a string")))?;
    crate::encoding::base64_decode(text.trim().as_bytes())
        .ok_or_else(|| TransferError::Damaged(format!("`{what}` is not valid base64")))
}

fn derive_key(password: &str, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, TransferError> {
    let cost = kdf::Argon2Cost {
        memory_kib: M_COST_KIB,
        iterations: T_COST,
        parallelism: 1,
    };
    Ok(kdf::argon2id(password.as_bytes(), salt, cost)?)
}

fn read_entries(doc: &serde_json::Map<String, Value>) -> Result<Vec<ImportItem>, TransferError> {
    let entries = doc
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| damaged("`entries` is not a list"))?;
    Ok(entries
        .iter()
        .enumerate()
        .map(|(i, entry)| read_entry(i + 1, entry))
        .collect())
}

fn read_entry(number: usize, entry: &Value) -> ImportItem {
    let content = &entry["content"];
    let given_name = content["name"].as_str().filter(|n| !n.trim().is_empty());
    let fallback = match given_name {
        Some(name) => name.to_string(),
        None => format!("entry {number}"),
    };
    let fail = |err: EntryError| ImportItem {
        name: fallback.clone(),
        result: Err(err),
    };
    let Some(uri) = content["uri"].as_str() else {
        return fail(EntryError::Invalid("the entry has no `content.uri`".into()));
    };
    let mut item = match content["entry_type"].as_str() {
        Some("Totp") => item_from_uri(uri, fallback.clone()),
        Some("Steam") => match steam_account(uri, given_name.unwrap_or_default()) {
            Ok(account) => ImportItem {
                name: entry_name(&account.issuer, &account.label),
                result: Ok(account),
            },
            Err(err) => fail(err),
        },
        Some(other) => {
            return fail(EntryError::Unsupported(format!(
                "Proton entry type `{}`",
                other.chars().take(20).collect::<String>()
            )));
        }
        None => {
            return fail(EntryError::Invalid(
                "the entry has no `content.entry_type`".into(),
            ));
        }
    };
    if let Ok(account) = &mut item.result
        && let Some(note) = entry["note"].as_str()
    {
        account.meta.note = note.to_string();
    }
    item
}

/// A Steam entry: `steam://BASE64` as Proton writes it, or an otpauth URI (then only its
/// secret, issuer and label count, as in Proton).
fn steam_account(uri: &str, name: &str) -> Result<Account, EntryError> {
    let scheme = uri.get(..8).unwrap_or_default();
    if scheme.eq_ignore_ascii_case("steam://") {
        let encoded = uri[8..].trim().trim_end_matches('/');
        let bytes = crate::encoding::base64_decode(encoded.as_bytes())
            .or_else(|| crate::encoding::base64_unpadded_decode(encoded.as_bytes()))
            .ok_or_else(|| EntryError::Invalid("the Steam secret is not base64".into()))?;
        if bytes.is_empty() {
            return Err(EntryError::Invalid("the Steam secret is empty".into()));
        }
        return Ok(Account::new(
            "Steam",
            name,
            Secret::from_bytes(bytes),
            OtpParams::steam(),
        ));
    }
    let mut account = crate::uri::parse_otp(uri).map_err(|e| EntryError::Invalid(e.to_string()))?;
    account.params = OtpParams::steam();
    if account.label.is_empty() {
        account.label = name.to_string();
    }
    Ok(account)
}

#[derive(serde::Serialize)]
struct ExportDoc<'a> {
    version: u8,
    entries: &'a [ExportEntry<'a>],
}

#[derive(serde::Serialize)]
struct ExportEntry<'a> {
    id: &'a str,
    content: ExportContent<'a>,
    note: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct ExportContent<'a> {
    uri: &'a str,
    entry_type: &'static str,
    name: &'a str,
}

/// What [`write()`] produced: the export, and the accounts Proton cannot hold (with the reason).
pub struct ProtonExport {
    /// The JSON document (it holds secrets when unencrypted; wiped on drop).
    pub json: Zeroizing<String>,
    /// Accounts left out, by report name: Proton has TOTP and Steam only.
    pub skipped: Vec<(String, EntryError)>,
}

/// Why Proton Authenticator cannot read `account` back with the same codes, or `None`. From
/// its importer's source (protonpass/proton-pass-common, GPL; read, not copied):
/// `proton-authenticator/src/entry/exporter.rs` reads each entry as `Totp` or `Steam` only;
/// `proton-pass-totp/src/queries.rs` accepts 1 to 9 digits and a period that fits 16 bits,
/// and fails the entry otherwise; `proton-authenticator/src/steam/mod.rs` reads a Steam
/// secret as the *host* of the `steam://` URL, so a `/` in its base64 ends it early.
fn unrepresentable(account: &Account) -> Option<String> {
    let p = &account.params;
    match p.kind {
        OtpKind::Hotp => Some("Proton Authenticator has no HOTP".into()),
        OtpKind::Totp if p.digits > 9 => Some(format!(
            "Proton Authenticator reads codes of 1 to 9 digits, not {}",
            p.digits
        )),
        OtpKind::Totp if p.period > u32::from(u16::MAX) => Some(format!(
            "Proton Authenticator reads periods up to {} seconds, not {}",
            u16::MAX,
            p.period
        )),
        OtpKind::Steam
            if Zeroizing::new(crate::encoding::base64(account.secret.as_bytes())).contains('/') =>
        {
            Some(
                "Proton Authenticator reads a Steam secret from a URL's host, and this \
                 secret's base64 has a `/`, which would cut it short"
                    .into(),
            )
        }
        _ => None,
    }
}

/// Writes accounts as a Proton Authenticator export: plain without a password, encrypted
/// (random salt and nonce) with one. Accounts Proton cannot read back (HOTP, 10 digits, a
/// period over 65,535 s, a Steam secret whose base64 has a `/`) are listed in
/// [`ProtonExport::skipped`], never silently dropped.
pub fn write(accounts: &[Account], password: Option<&str>) -> Result<ProtonExport, TransferError> {
    // URIs are kept in zeroizing strings and serialized by reference into one buffer sized up
    // front, so no unwiped copy of a secret is left in a JSON tree or a reallocated buffer.
    let mut uris: Vec<(&Account, Zeroizing<String>, String)> = Vec::new();
    let mut skipped = Vec::new();
    for account in accounts {
        if let Some(why) = unrepresentable(account) {
            skipped.push((
                entry_name(&account.issuer, &account.label),
                EntryError::Unsupported(why),
            ));
            continue;
        }
        let uri = match account.params.kind {
            OtpKind::Totp => crate::uri::format(account),
            OtpKind::Steam => {
                let b64 = Zeroizing::new(crate::encoding::base64(account.secret.as_bytes()));
                let mut uri = Zeroizing::new(String::with_capacity(8 + b64.len()));
                uri.push_str("steam://");
                uri.push_str(&b64);
                uri
            }
            // Left out above.
            OtpKind::Hotp => continue,
        };
        uris.push((account, uri, random::uuid_v4()?));
    }
    let entries: Vec<ExportEntry> = uris
        .iter()
        .map(|(account, uri, id)| ExportEntry {
            id,
            content: ExportContent {
                uri,
                entry_type: if account.params.kind == OtpKind::Steam {
                    "Steam"
                } else {
                    "Totp"
                },
                name: if account.label.is_empty() {
                    &account.issuer
                } else {
                    &account.label
                },
            },
            note: (!account.meta.note.is_empty()).then_some(account.meta.note.as_str()),
        })
        .collect();
    // JSON escaping at most sextuples a character (\u00XX); 120 bytes cover each entry's frame.
    let capacity: usize = entries
        .iter()
        .map(|e| {
            120 + e.id.len()
                + 6 * (e.content.uri.len() + e.content.name.len() + e.note.map_or(0, str::len))
        })
        .sum::<usize>()
        + 64;
    let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
    serde_json::to_writer(
        &mut *buf,
        &ExportDoc {
            version: 1,
            entries: &entries,
        },
    )
    .map_err(|_| damaged("the export could not be serialized"))?;
    let plain =
        Zeroizing::new(String::from_utf8(std::mem::take(&mut *buf)).expect("JSON is UTF-8"));
    let Some(password) = password else {
        return Ok(ProtonExport {
            json: plain,
            skipped,
        });
    };
    let salt = random::array::<SALT_BYTES>()?;
    let nonce = random::array::<NONCE_BYTES>()?;
    let key = derive_key(password, &salt)?;
    let mut content = Vec::with_capacity(NONCE_BYTES + plain.len() + TAG_BYTES);
    content.extend_from_slice(&nonce);
    content.extend_from_slice(&aead::seal(&key, &nonce, plain.as_bytes(), AAD)?);
    let doc = serde_json::json!({
        "version": 1,
        "salt": crate::encoding::base64(&salt),
        "content": crate::encoding::base64(&content),
    });
    Ok(ProtonExport {
        json: Zeroizing::new(doc.to_string()),
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Algorithm;
    use crate::otp::Generator;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/transfer/");
    const PASSWORD: &str = "pässwörd 🔑";

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn assert_fixture_accounts(items: &[ImportItem]) {
        assert_eq!(items.len(), 3);
        let github = items[0].result.as_ref().expect("GitHub entry");
        assert_eq!(items[0].name, "GitHub (alice@example.org)");
        assert_eq!(github.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        assert_eq!(github.meta.note, "personal account");

        let unicode = items[1].result.as_ref().expect("Unicode entry");
        assert_eq!(
            (unicode.issuer.as_str(), unicode.label.as_str()),
            ("Ümläut", "日本語")
        );
        assert_eq!(unicode.params.algorithm, Algorithm::Sha512);
        assert_eq!((unicode.params.digits, unicode.params.period), (8, 15));
        assert_eq!(unicode.meta.note, "", "a null note is no note");

        let steam = items[2].result.as_ref().expect("Steam entry");
        assert_eq!(items[2].name, "Steam (Steam gamer)");
        assert_eq!(steam.params, OtpParams::steam());
        assert_eq!(steam.secret.as_bytes(), b"steam-secret-bytes!!");
    }

    #[test]
    fn reads_plain_export_with_unicode_notes_and_steam() {
        assert_fixture_accounts(&read(&fixture("proton_plain.json"), None).unwrap());
    }

    #[test]
    fn decrypts_export_made_with_argon2_cffi_and_cryptography() {
        assert_fixture_accounts(&read(&fixture("proton_encrypted.json"), Some(PASSWORD)).unwrap());
    }

    #[test]
    fn reports_wrong_and_missing_password() {
        let bytes = fixture("proton_encrypted.json");
        assert_eq!(
            read(&bytes, Some("passwörd 🔑")).unwrap_err(),
            TransferError::WrongPassword
        );
        assert_eq!(
            read(&bytes, None).unwrap_err(),
            TransferError::PasswordRequired
        );
    }

    #[test]
    fn reports_truncated_file_as_damaged() {
        let bytes = fixture("proton_encrypted.json");
        for cut in [0, 1, 30, bytes.len() / 2, bytes.len() - 2] {
            assert!(
                matches!(
                    read(&bytes[..cut], Some(PASSWORD)),
                    Err(TransferError::Damaged(_))
                ),
                "cut at {cut}"
            );
        }
        let plain = fixture("proton_plain.json");
        assert!(matches!(
            read(&plain[..plain.len() - 10], None),
            Err(TransferError::Damaged(_))
        ));
    }

    fn edited(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
        let mut doc: Value = serde_json::from_slice(&fixture("proton_encrypted.json")).unwrap();
        edit(&mut doc);
        serde_json::to_vec(&doc).unwrap()
    }

    #[test]
    fn reports_malformed_envelopes_as_damaged_naming_the_field() {
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("salt", edited(|d| d["salt"] = "AAAA".into())),
            ("salt", edited(|d| d["salt"] = 5.into())),
            ("content", edited(|d| d["content"] = "###".into())),
            (
                "content",
                edited(|d| d["content"] = "AAAAAAAAAAAAAAAAAAAA".into()),
            ),
            ("version", edited(|d| d["version"] = 7.into())),
            (
                "version",
                edited(|d| drop(d.as_object_mut().unwrap().remove("version"))),
            ),
            (
                "entries",
                edited(|d| drop(d.as_object_mut().unwrap().remove("content"))),
            ),
        ];
        for (field, bytes) in cases {
            match read(&bytes, Some(PASSWORD)) {
                Err(TransferError::Damaged(why)) => assert!(why.contains(field), "{field}: {why}"),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn altered_ciphertext_reads_as_wrong_password() {
        let bytes = edited(|d| {
            let mut ct = data_encoding::BASE64
                .decode(d["content"].as_str().unwrap().as_bytes())
                .unwrap();
            ct[40] ^= 1;
            d["content"] = data_encoding::BASE64.encode(&ct).into();
        });
        assert_eq!(
            read(&bytes, Some(PASSWORD)).unwrap_err(),
            TransferError::WrongPassword
        );
    }

    #[test]
    fn reports_each_bad_entry_and_keeps_the_good_ones() {
        let doc = serde_json::json!({ "version": 1, "entries": [
            { "id": "1", "content": { "uri": "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP", "entry_type": "Totp" } },
            { "id": "2", "content": { "entry_type": "Totp", "name": "no uri" } },
            { "id": "3", "content": { "uri": "otpauth://totp/B?secret=JBSWY3DPEHPK3PXP" } },
            { "id": "4", "content": { "uri": "otpauth://hotp/C?secret=JBSWY3DPEHPK3PXP", "entry_type": "Hotp" } },
            { "id": "5", "content": { "uri": "otpauth://totp/D?secret=0189", "entry_type": "Totp" } },
            { "id": "6", "content": { "uri": "steam://!!!", "entry_type": "Steam", "name": "S" } },
            "not an object",
        ]});
        let items = read(doc.to_string().as_bytes(), None).unwrap();
        assert_eq!(items.len(), 7, "every entry is accounted for");
        assert!(items[0].result.is_ok());
        let names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "A", "no uri", "entry 3", "entry 4", "entry 5", "S", "entry 7"
            ]
        );
        assert!(matches!(&items[1].result, Err(EntryError::Invalid(w)) if w.contains("uri")));
        assert!(
            matches!(&items[2].result, Err(EntryError::Invalid(w)) if w.contains("entry_type"))
        );
        assert!(matches!(&items[3].result, Err(EntryError::Unsupported(w)) if w.contains("Hotp")));
        assert!(matches!(&items[4].result, Err(EntryError::Invalid(w)) if w.contains("base32")));
        assert!(matches!(&items[5].result, Err(EntryError::Invalid(w)) if w.contains("base64")));
        assert!(matches!(&items[6].result, Err(EntryError::Invalid(_))));
    }

    #[test]
    fn export_leaves_out_what_protons_importer_cannot_read_back_and_says_why() {
        let secret = || Secret::from_bytes(vec![7; 20]);
        let accounts = [
            // 0xfb bytes are `+/v7` in base64: Proton would cut the secret at the `/`.
            Account::new(
                "Steam",
                "slash",
                Secret::from_bytes(vec![0xfb; 20]),
                OtpParams::steam(),
            ),
            Account::new(
                "Ten",
                "digits",
                secret(),
                OtpParams {
                    digits: 10,
                    ..OtpParams::totp()
                },
            ),
            Account::new(
                "Long",
                "period",
                secret(),
                OtpParams {
                    period: 70_000,
                    ..OtpParams::totp()
                },
            ),
            Account::new(
                "Nine",
                "digits",
                secret(),
                OtpParams {
                    digits: 9,
                    period: 65_535,
                    ..OtpParams::totp()
                },
            ),
        ];
        let export = write(&accounts, None).unwrap();
        let skipped: Vec<(&str, String)> = export
            .skipped
            .iter()
            .map(|(name, why)| (name.as_str(), why.to_string()))
            .collect();
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert_eq!(skipped[0].0, "Steam (slash)");
        assert!(skipped[0].1.contains('/'), "{}", skipped[0].1);
        assert_eq!(skipped[1].0, "Ten (digits)");
        assert_eq!(skipped[2].0, "Long (period)");
        let items = read(export.json.as_bytes(), None).unwrap();
        assert_eq!(items.len(), 1);
        assert!(
            items[0]
                .result
                .as_ref()
                .unwrap()
                .same_codes_as(&accounts[3])
        );
    }

    #[test]
    fn steam_entry_given_as_otpauth_uri_becomes_steam() {
        let doc = serde_json::json!({ "version": 1, "entries": [
            { "id": "1", "content": { "uri": "otpauth://totp/Steam:me?secret=JBSWY3DPEHPK3PXP&digits=6", "entry_type": "Steam", "name": "me" } },
        ]});
        let items = read(doc.to_string().as_bytes(), None).unwrap();
        let account = items[0].result.as_ref().unwrap();
        assert_eq!(account.params, OtpParams::steam());
        assert_eq!(account.label, "me");
    }

    fn sample_accounts() -> Vec<Account> {
        let mut totp = Account::new(
            "Bücher",
            "jürgen+2fa@example.org",
            Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
            OtpParams {
                algorithm: Algorithm::Sha256,
                digits: 8,
                period: 45,
                ..OtpParams::totp()
            },
        );
        totp.meta.note = "note ✓".into();
        // 0x5a bytes: base64 without a `/` (see the test below for one with).
        let steam = Account::new(
            "Steam",
            "gamer",
            Secret::from_bytes(vec![0x5a; 20]),
            OtpParams::steam(),
        );
        let hotp = Account::new(
            "H",
            "h",
            Secret::from_bytes(vec![1; 10]),
            OtpParams::hotp(3),
        );
        vec![totp, steam, hotp]
    }

    #[test]
    fn export_round_trips_plain_and_encrypted_with_identical_codes() {
        let accounts = sample_accounts();
        for password in [None, Some("export pw")] {
            let export = write(&accounts, password).unwrap();
            assert_eq!(export.skipped.len(), 1, "HOTP is reported, not dropped");
            assert_eq!(export.skipped[0].0, "H (h)");
            assert!(is_proton(export.json.as_bytes()));
            let items = read(export.json.as_bytes(), password).unwrap();
            assert_eq!(items.len(), 2);
            for (item, original) in items.iter().zip(&accounts) {
                let back = item.result.as_ref().unwrap();
                assert!(back.same_codes_as(original), "{}", item.name);
                assert_eq!(
                    (back.issuer.as_str(), back.label.as_str()),
                    (original.issuer.as_str(), original.label.as_str())
                );
                assert_eq!(back.meta.note, original.meta.note);
                let t = 1_700_000_000;
                assert_eq!(
                    Generator::for_account(back)
                        .unwrap()
                        .code_at(t)
                        .text()
                        .as_str(),
                    Generator::for_account(original)
                        .unwrap()
                        .code_at(t)
                        .text()
                        .as_str()
                );
            }
            if password.is_some() {
                assert!(!export.json.contains("JBSWY3DP"));
                assert_eq!(
                    read(export.json.as_bytes(), Some("other")).unwrap_err(),
                    TransferError::WrongPassword
                );
            }
        }
    }

    #[test]
    fn detects_proton_documents_only() {
        assert!(is_proton(&fixture("proton_plain.json")));
        assert!(is_proton(&fixture("proton_encrypted.json")));
        assert!(!is_proton(&fixture("ente_encrypted.json")));
        assert!(!is_proton(
            b"{\"version\":1,\"entries\":[{\"type\":\"totp\"}]}"
        ));
        assert!(!is_proton(b"otpauth://totp/A?secret=JBSWY3DPEHPK3PXP"));
    }

    #[test]
    fn transfer_read_detects_proton_exports() {
        for (name, password) in [
            ("proton_plain.json", None),
            ("proton_encrypted.json", Some(PASSWORD)),
        ] {
            let bytes = fixture(name);
            assert_eq!(
                super::super::detect(&bytes),
                Some(super::super::Format::Proton),
                "{name}"
            );
            assert_fixture_accounts(&super::super::read(&bytes, None, password).unwrap());
        }
    }

    proptest::proptest! {
        #[test]
        fn read_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = read(&bytes, None);
            let _ = is_proton(&bytes);
        }

        #[test]
        fn read_never_panics_on_arbitrary_entries(
            uri in "(otpauth://totp/|steam://|otpauth://hotp/)?[ -~]{0,40}",
            kind in "(Totp|Steam|Hotp|)",
            note in proptest::option::of("[ -~]{0,10}"),
        ) {
            let doc = serde_json::json!({ "version": 1, "entries": [
                { "id": "x", "content": { "uri": uri, "entry_type": kind, "name": "n" }, "note": note },
            ]});
            let items = read(doc.to_string().as_bytes(), None).unwrap();
            proptest::prop_assert_eq!(items.len(), 1);
        }
    }
}
