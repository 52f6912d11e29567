//! Ente Auth exports, plain and encrypted.
//!
//! **Plain** (`ente-auth-codes-DATE.txt`): one otpauth URI per line. Ente appends its own
//! `codeDisplay` parameter, a percent-encoded JSON object (`pinned`, `trashed`, `note`, `tags`,
//! `position`, `lastUsedAt`, `tapCount`, `iconSrc`, `iconID`). It is taken out of the URI before
//! the URI is read, so it never lands in [`Account::extra`](crate::account::Account::extra);
//! `pinned` becomes `favorite`, `note` the note and `tags` the groups; `iconSrc` (Ente's icon
//! set: `simpleIcon`, `customIcon`) and `iconID` (the icon's name in it), when both are set
//! (Ente's own test for a chosen icon), become a picture reference of collection
//! `ente/<iconSrc>` ([`crate::icon::IconRef`]), written back on export. An entry with
//! `trashed: true` is reported as not imported (it sits in Ente's trash) rather than
//! resurrected. A `codeDisplay` that is not valid JSON is ignored: it holds no code material.
//!
//! **Encrypted** (`{ "version": 1, "kdfParams": { "memLimit", "opsLimit", "salt" },
//! "encryptedData", "encryptionNonce" }`, standard base64): the key is libsodium's
//! `crypto_pwhash` with Argon2id v1.3 — `memLimit` bytes rounded down to KiB, `opsLimit`
//! passes, one lane, 16-byte salt, 32-byte key — and the data is one message of libsodium's
//! `crypto_secretstream_xchacha20poly1305` (the "nonce" is the 24-byte stream header), tagged
//! FINAL, whose plaintext is the plain export above. The stream construction is implemented
//! here over RustCrypto's ChaCha20 and Poly1305 (see [`secretstream`]).
//!
//! # Wrong password or damaged file
//! The format has no password check value, so the two are told apart this way:
//! - anything wrong *before* decryption — not JSON, a missing or mistyped field, bad base64,
//!   a salt that is not 16 bytes, a header that is not 24 bytes, a ciphertext shorter than
//!   the 17 bytes of stream overhead, KDF limits outside libsodium's — is
//!   [`TransferError::Damaged`]; a truncated file nearly always ends up here, since its JSON or
//!   base64 breaks;
//! - a Poly1305 tag that does not verify is [`TransferError::WrongPassword`]: that is by far
//!   the likeliest cause, but a bit flipped *inside* `encryptedData`, `encryptionNonce` or
//!   `salt` (with the base64 still valid) is indistinguishable from it and reported the same;
//! - a tag that verifies but a stream that does not end with FINAL, or a plaintext that is not
//!   UTF-8, is [`TransferError::Damaged`].
//!
//! KDF parameters are capped at what Ente itself writes (1 GiB, and 1 GiB × 4 passes of work), so
//! a file cannot make the device allocate more; if even that memory cannot be had, the import
//! fails with [`TransferError::Unsupported`] instead of the process being killed.

use serde_json::Value;
use zeroize::Zeroizing;

use super::otpauth_list::uri_error;
use super::{EntryError, ImportItem, TransferError, entry_name};
use crate::account::Account;
use crate::crypto::{CryptoError, random};
use crate::icon::{COLLECTION_ENTE_PREFIX, Icon, IconRef};

/// libsodium's `crypto_pwhash_argon2id_SALTBYTES`.
const SALT_BYTES: usize = 16;
/// libsodium's `crypto_pwhash_argon2id_MEMLIMIT_MIN` (bytes).
const MEM_LIMIT_MIN: u64 = 8192;
/// libsodium's `crypto_pwhash_argon2id_OPSLIMIT_MIN`.
const OPS_LIMIT_MIN: u64 = 1;
/// The most memory Ente asks for (libsodium's `MEMLIMIT_SENSITIVE`, 1 GiB). A file asking for
/// more is refused instead of making the device allocate whatever it says.
const MEM_LIMIT_MAX: u64 = 1 << 30;
/// The most work (KiB × passes) Ente's own profiles reach: 1 GiB × 4 (`OPSLIMIT_SENSITIVE`).
/// On low-memory devices Ente halves the memory and doubles the passes, keeping this product.
const WORK_MAX: u64 = (MEM_LIMIT_MAX / 1024) * 4;

/// The KDF parameters written by [`write()`]: libsodium's `MODERATE` profile
/// (256 MiB, 3 passes), between Ente's interactive and sensitive ones.
pub const EXPORT_MEM_LIMIT: u64 = 256 << 20;
/// Passes written by [`write()`] (libsodium's `OPSLIMIT_MODERATE`).
pub const EXPORT_OPS_LIMIT: u64 = 3;

/// Reads an Ente Auth export, plain text or encrypted JSON (told apart by a leading `{`: no
/// line of the plain export can start with one).
pub fn read(bytes: &[u8], password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    // Editors on Windows may have added a byte order mark.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if first_non_space(bytes) == Some(b'{') {
        let plain = decrypt(bytes, password)?;
        let text = std::str::from_utf8(&plain)
            .map_err(|_| TransferError::Damaged("the decrypted export is not UTF-8 text".into()))?;
        Ok(read_plain(text))
    } else {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| TransferError::Damaged("the export is not UTF-8 text".into()))?;
        Ok(read_plain(text))
    }
}

/// True when the bytes look like Ente's encrypted export: a JSON object with `kdfParams` and
/// `encryptedData` (used for format detection; a cheap check, no decryption).
pub fn is_encrypted(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if first_non_space(bytes) != Some(b'{') {
        return false;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => {
            map.contains_key("kdfParams") && map.contains_key("encryptedData")
        }
        // A damaged JSON that still names Ente's fields is an Ente file for the error message.
        _ => {
            let text = String::from_utf8_lossy(bytes);
            text.contains("\"kdfParams\"") && text.contains("\"encryptedData\"")
        }
    }
}

/// True when the bytes are an otpauth list written by Ente (some line carries Ente's
/// `codeDisplay` parameter): such a list should be read by [`read`], which maps `codeDisplay` to
/// favorite/note/groups and keeps trashed entries out, rather than as a generic otpauth list.
pub fn is_plain_export(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes[start..].starts_with(b"otpauth")
        && bytes.split(|b| *b == b'\n').any(|line| {
            line.windows(13)
                .any(|w| w == b"&codeDisplay=" || w == b"?codeDisplay=")
        })
}

fn first_non_space(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// Reads Ente's plain export: every non-empty line is one entry, numbered from 1 in the names
/// of entries that cannot be read.
pub fn read_plain(text: &str) -> Vec<ImportItem> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| read_line(i + 1, line.trim()))
        .collect()
}

/// Ente's per-code display settings, as far as Tessera keeps them. `Debug` hides the note.
#[derive(Default, PartialEq)]
struct CodeDisplay {
    pinned: bool,
    trashed: bool,
    note: String,
    tags: Vec<String>,
    icon: Option<Icon>,
}

impl std::fmt::Debug for CodeDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeDisplay")
            .field("pinned", &self.pinned)
            .field("trashed", &self.trashed)
            .field(
                "note",
                &format_args!("<{} chars redacted>", self.note.chars().count()),
            )
            .field("tags", &self.tags)
            .field("icon", &self.icon)
            .finish()
    }
}

fn read_line(line_no: usize, line: &str) -> ImportItem {
    // Some Ente versions wrote each URI as a JSON string literal; accept that too.
    let unquoted: Zeroizing<String>;
    let line = if line.starts_with('"') && line.ends_with('"') && line.len() >= 2 {
        match serde_json::from_str::<String>(line) {
            Ok(s) => {
                unquoted = Zeroizing::new(s);
                unquoted.as_str()
            }
            Err(_) => line,
        }
    } else {
        line
    };
    let (uri, display) = take_code_display(line);
    let mut item = item_from_uri(&uri, format!("line {line_no}"));
    if let (Ok(account), Some(display)) = (&mut item.result, display) {
        if display.trashed {
            item.result = Err(EntryError::Unsupported(
                "it is in Ente's trash; restore it in Ente Auth to import it".into(),
            ));
        } else {
            account.meta.favorite = display.pinned;
            account.meta.note = display.note;
            account.meta.groups = display.tags;
            account.meta.picture = display.icon;
        }
    }
    item
}

/// Reads one otpauth URI into an import item named after its issuer and label, or
/// `fallback_name` (never the URI: it holds the secret) when it cannot be read.
pub(crate) fn item_from_uri(uri: &str, fallback_name: String) -> ImportItem {
    match crate::uri::parse_otp(uri) {
        Ok(account) => ImportItem {
            name: entry_name(&account.issuer, &account.label),
            result: Ok(account),
        },
        Err(e) => ImportItem {
            name: fallback_name,
            result: Err(uri_error(e)),
        },
    }
}

/// Splits Ente's `codeDisplay` parameter off an otpauth URI. The URI comes back without it,
/// other parameters untouched and in order.
fn take_code_display(uri: &str) -> (Zeroizing<String>, Option<CodeDisplay>) {
    let Some((base, query)) = uri.split_once('?') else {
        return (Zeroizing::new(uri.to_string()), None);
    };
    let mut kept: Vec<&str> = Vec::new();
    let mut display = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("codeDisplay", value)) => display = Some(parse_code_display(value)),
            _ => kept.push(pair),
        }
    }
    let mut rebuilt = Zeroizing::new(String::with_capacity(uri.len()));
    rebuilt.push_str(base);
    if !kept.is_empty() {
        rebuilt.push('?');
        rebuilt.push_str(&kept.join("&"));
    }
    (rebuilt, display.flatten())
}

fn parse_code_display(raw: &str) -> Option<CodeDisplay> {
    // Dart's query encoding writes spaces as `+`; Ente's exporter then escapes raw commas as
    // `%2C` once more, which Ente's own reader undoes after decoding. Do the same.
    let spaced = raw.replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()?;
    let json: Value = serde_json::from_str(&decoded)
        .or_else(|_| serde_json::from_str(&decoded.replace("%2C", ",")))
        .ok()?;
    let obj = json.as_object()?;
    let flag = |key: &str| obj.get(key).and_then(Value::as_bool).unwrap_or(false);
    let text = |key: &str| obj.get(key).and_then(Value::as_str).unwrap_or_default();
    let icon = (!text("iconSrc").is_empty() && !text("iconID").is_empty())
        .then(|| IconRef {
            collection: format!("{COLLECTION_ENTE_PREFIX}{}", text("iconSrc")),
            id: text("iconID").to_owned(),
            ..IconRef::default()
        })
        // A reference that fails its checks is left behind, never the account.
        .filter(|r| r.check().is_ok())
        .map(Icon::Reference);
    Some(CodeDisplay {
        icon,
        pinned: flag("pinned"),
        trashed: flag("trashed"),
        note: obj
            .get("note")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        tags: obj
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The validated fields of an encrypted export, before any key is derived.
struct Envelope {
    mem_limit: u64,
    ops_limit: u64,
    salt: Vec<u8>,
    header: [u8; secretstream::HEADER_BYTES],
    ciphertext: Vec<u8>,
}

fn damaged(msg: &str) -> TransferError {
    TransferError::Damaged(msg.to_string())
}

fn parse_envelope(bytes: &[u8]) -> Result<Envelope, TransferError> {
    let json: Value = serde_json::from_slice(bytes)
        .map_err(|_| damaged("the Ente export is not valid JSON (truncated?)"))?;
    let obj = json
        .as_object()
        .ok_or_else(|| damaged("the Ente export is not a JSON object"))?;
    match obj.get("version").and_then(Value::as_u64) {
        Some(1) => {}
        Some(v) => {
            return Err(TransferError::Damaged(format!(
                "unsupported Ente export version {v} (only version 1 exists)"
            )));
        }
        None => return Err(damaged("the Ente export has no numeric `version`")),
    }
    let kdf = obj
        .get("kdfParams")
        .and_then(Value::as_object)
        .ok_or_else(|| damaged("the Ente export has no `kdfParams` object"))?;
    let number = |key: &str| {
        kdf.get(key).and_then(Value::as_u64).ok_or_else(|| {
            TransferError::Damaged(format!(
                "`kdfParams.{key}` is missing or not a whole number"
            ))
        })
    };
    let mem_limit = number("memLimit")?;
    let ops_limit = number("opsLimit")?;
    if !(MEM_LIMIT_MIN..=MEM_LIMIT_MAX).contains(&mem_limit)
        || ops_limit < OPS_LIMIT_MIN
        || (mem_limit / 1024).saturating_mul(ops_limit) > WORK_MAX
    {
        return Err(damaged(
            "`kdfParams` are outside what libsodium accepts or Ente writes (8 KiB..1 GiB, at most 1 GiB × 4 passes)",
        ));
    }
    let b64 = |value: Option<&Value>, what: &str| -> Result<Vec<u8>, TransferError> {
        let text = value.and_then(Value::as_str).ok_or_else(|| {
            TransferError::Damaged(format!("`{what}` is missing or not a string"))
        })?;
        crate::encoding::base64_decode(text.trim().as_bytes())
            .ok_or_else(|| TransferError::Damaged(format!("`{what}` is not valid base64")))
    };
    let salt = b64(kdf.get("salt"), "kdfParams.salt")?;
    if salt.len() != SALT_BYTES {
        return Err(damaged("`kdfParams.salt` is not 16 bytes"));
    }
    let header: [u8; secretstream::HEADER_BYTES] =
        b64(obj.get("encryptionNonce"), "encryptionNonce")?
            .try_into()
            .map_err(|_| damaged("`encryptionNonce` is not a 24-byte stream header"))?;
    let ciphertext = b64(obj.get("encryptedData"), "encryptedData")?;
    if ciphertext.len() < secretstream::ABYTES {
        return Err(damaged(
            "`encryptedData` is shorter than the stream overhead",
        ));
    }
    Ok(Envelope {
        mem_limit,
        ops_limit,
        salt,
        header,
        ciphertext,
    })
}

/// Derives the export key exactly as libsodium's `crypto_pwhash(…, ALG_ARGON2ID13)` does:
/// `t = opsLimit`, `m = memLimit / 1024` KiB (rounded down), one lane, 32-byte output.
fn derive_key(
    password: &str,
    salt: &[u8],
    mem_limit: u64,
    ops_limit: u64,
) -> Result<Zeroizing<[u8; 32]>, TransferError> {
    let m_cost = u32::try_from(mem_limit / 1024).map_err(|_| damaged("`memLimit` is too large"))?;
    let t_cost = u32::try_from(ops_limit).map_err(|_| damaged("`opsLimit` is too large"))?;
    let cost = crate::crypto::kdf::Argon2Cost {
        memory_kib: m_cost,
        iterations: t_cost,
        parallelism: 1,
    };
    crate::crypto::kdf::argon2id(password.as_bytes(), salt, cost).map_err(|e| match e {
        // Memory is allocated fallibly: a phone short of memory gets an error, not an abort.
        CryptoError::OutOfMemory { .. } => TransferError::Unsupported(format!(
            "opening this file needs {} MiB of memory, more than is available",
            mem_limit >> 20
        )),
        _ => damaged("`kdfParams` are not valid Argon2id parameters"),
    })
}

/// Decrypts an encrypted Ente export to its plain text export (see the module docs for how a
/// wrong password and a damaged file are told apart).
pub fn decrypt(bytes: &[u8], password: Option<&str>) -> Result<Zeroizing<Vec<u8>>, TransferError> {
    let envelope = parse_envelope(bytes)?;
    let password = password.ok_or(TransferError::PasswordRequired)?;
    let key = derive_key(
        password,
        &envelope.salt,
        envelope.mem_limit,
        envelope.ops_limit,
    )?;
    let mut stream = secretstream::PullStream::init(&key, &envelope.header);
    let (plain, tag) = stream
        .pull(&envelope.ciphertext, &[])
        .map_err(|_| TransferError::WrongPassword)?;
    if tag != secretstream::TAG_FINAL {
        return Err(damaged(
            "the encrypted stream does not end with its final message (truncated)",
        ));
    }
    Ok(plain)
}

/// Writes accounts as an Ente Auth export: the plain text export when `password` is `None`,
/// otherwise the encrypted JSON with [`EXPORT_MEM_LIMIT`]/[`EXPORT_OPS_LIMIT`], a random salt
/// and a random stream header. Each line is the account's canonical otpauth URI plus a
/// `codeDisplay` carrying favorite (`pinned`), note and groups (`tags`), which Ente reads back.
/// Ente knows TOTP, HOTP and Steam, so every account is written.
pub fn write(
    accounts: &[Account],
    password: Option<&str>,
) -> Result<Zeroizing<String>, TransferError> {
    let lines: Vec<Zeroizing<String>> = accounts.iter().map(export_line).collect();
    // One allocation of the final size: growing the buffer would leave unwiped copies behind.
    let mut plain = Zeroizing::new(String::with_capacity(
        lines.iter().map(|l| l.len() + 1).sum(),
    ));
    for line in &lines {
        plain.push_str(line);
        plain.push('\n');
    }
    match password {
        None => Ok(plain),
        Some(password) => {
            write_encrypted_with(&plain, password, EXPORT_MEM_LIMIT, EXPORT_OPS_LIMIT)
                .map(Zeroizing::new)
        }
    }
}

/// One line of the plain export: the canonical URI and Ente's `codeDisplay`.
fn export_line(account: &Account) -> Zeroizing<String> {
    let mut display = serde_json::json!({
        "pinned": account.meta.favorite,
        "trashed": false,
        "tags": account.meta.groups,
        "note": account.meta.note,
    });
    // Only Ente's own icon references mean something to Ente.
    if let Some(Icon::Reference(r)) = &account.meta.picture
        && let Some(source) = r.collection.strip_prefix(COLLECTION_ENTE_PREFIX)
    {
        display["iconSrc"] = source.into();
        display["iconID"] = r.id.as_str().into();
    }
    let display = display.to_string();
    let display =
        percent_encoding::utf8_percent_encode(&display, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let uri = crate::uri::format(account);
    let mut line = Zeroizing::new(String::with_capacity(uri.len() + 13 + display.len()));
    line.push_str(&uri);
    line.push_str("&codeDisplay=");
    line.push_str(&display);
    line
}

fn write_encrypted_with(
    plain: &str,
    password: &str,
    mem_limit: u64,
    ops_limit: u64,
) -> Result<String, TransferError> {
    let salt = random::array::<SALT_BYTES>()?;
    let header = random::array::<{ secretstream::HEADER_BYTES }>()?;
    let key = derive_key(password, &salt, mem_limit, ops_limit)?;
    let mut stream = secretstream::PushStream::init(&key, &header);
    let ciphertext = stream.push(plain.as_bytes(), &[], secretstream::TAG_FINAL);
    let doc = serde_json::json!({
        "version": 1,
        "kdfParams": {
            "memLimit": mem_limit,
            "opsLimit": ops_limit,
            "salt": crate::encoding::base64(&salt),
        },
        "encryptedData": crate::encoding::base64(&ciphertext),
        "encryptionNonce": crate::encoding::base64(&header),
    });
    Ok(doc.to_string())
}

pub use crate::crypto::secretstream;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Algorithm, OtpKind};

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/transfer/");

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn accounts(items: &[ImportItem]) -> Vec<&Account> {
        items
            .iter()
            .filter_map(|i| i.result.as_ref().ok())
            .collect()
    }

    /// The accounts of `ente_plain.txt`, also the plaintext of `ente_encrypted.json`.
    fn assert_fixture_accounts(items: &[ImportItem]) {
        assert_eq!(items.len(), 5, "every line is accounted for");
        let github = items[0].result.as_ref().expect("GitHub entry");
        assert_eq!(items[0].name, "GitHub (alice@example.org)");
        assert_eq!(
            (github.issuer.as_str(), github.label.as_str()),
            ("GitHub", "alice@example.org")
        );
        assert_eq!(github.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        assert!(github.meta.favorite, "pinned becomes favorite");
        assert_eq!(github.meta.note, "recovery codes in the safe");
        assert_eq!(github.meta.groups, ["Work", "Dev"]);
        assert!(
            github.extra.iter().all(|(k, _)| k != "codeDisplay"),
            "codeDisplay is not kept as an extra parameter"
        );

        let unicode = items[1].result.as_ref().expect("Unicode entry");
        assert_eq!(unicode.issuer, "Bücher ✓");
        assert_eq!(unicode.label, "jürgen");
        assert_eq!(unicode.params.algorithm, Algorithm::Sha256);
        assert_eq!((unicode.params.digits, unicode.params.period), (8, 60));

        let hotp = items[2].result.as_ref().expect("HOTP entry");
        assert_eq!(hotp.params.kind, OtpKind::Hotp);
        assert_eq!(hotp.params.counter, 42);

        let steam = items[3].result.as_ref().expect("Steam entry");
        assert_eq!(steam.params.kind, OtpKind::Steam);
        assert_eq!(steam.label, "gamer");

        assert_eq!(items[4].name, "Old (gone)");
        assert!(
            matches!(&items[4].result, Err(EntryError::Unsupported(why)) if why.contains("trash")),
            "{:?}",
            items[4].result
        );
    }

    #[test]
    fn reads_plain_export_with_code_display_unicode_hotp_steam_and_trash() {
        let items = read(&fixture("ente_plain.txt"), None).unwrap();
        assert_fixture_accounts(&items);
    }

    #[test]
    fn decrypts_export_made_by_libsodium() {
        let items = read(
            &fixture("ente_encrypted.json"),
            Some("correct horse ⚓ battery"),
        )
        .unwrap();
        assert_fixture_accounts(&items);
    }

    #[test]
    fn rounds_mem_limit_down_to_whole_kib_like_libsodium() {
        let items = read(&fixture("ente_encrypted_odd_memlimit.json"), Some("pw")).unwrap();
        assert_eq!(accounts(&items).len(), 1);
        assert_eq!(accounts(&items)[0].issuer, "Bücher ✓");
    }

    #[test]
    fn reports_wrong_password() {
        let err = read(
            &fixture("ente_encrypted.json"),
            Some("correct horse battery"),
        )
        .unwrap_err();
        assert_eq!(err, TransferError::WrongPassword);
    }

    #[test]
    fn asks_for_a_password_only_for_an_intact_encrypted_file() {
        assert_eq!(
            read(&fixture("ente_encrypted.json"), None).unwrap_err(),
            TransferError::PasswordRequired
        );
        let bytes = fixture("ente_encrypted.json");
        assert!(matches!(
            read(&bytes[..bytes.len() / 2], None),
            Err(TransferError::Damaged(_))
        ));
    }

    #[test]
    fn reports_truncated_file_as_damaged() {
        let bytes = fixture("ente_encrypted.json");
        for cut in [1, 10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 3] {
            assert!(
                matches!(
                    read(&bytes[..cut], Some("x")),
                    Err(TransferError::Damaged(_))
                ),
                "cut at {cut}"
            );
        }
    }

    fn edited(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
        let mut doc: Value = serde_json::from_slice(&fixture("ente_encrypted.json")).unwrap();
        edit(&mut doc);
        serde_json::to_vec(&doc).unwrap()
    }

    #[test]
    fn reports_missing_and_malformed_fields_as_damaged_naming_the_field() {
        let cases: Vec<(&str, Vec<u8>)> = vec![
            (
                "kdfParams",
                edited(|d| drop(d.as_object_mut().unwrap().remove("kdfParams"))),
            ),
            (
                "encryptedData",
                edited(|d| d["encryptedData"] = "not base64!".into()),
            ),
            (
                "encryptionNonce",
                edited(|d| d["encryptionNonce"] = "AAAA".into()),
            ),
            ("salt", edited(|d| d["kdfParams"]["salt"] = "AAAA".into())),
            (
                "opsLimit",
                edited(|d| d["kdfParams"]["opsLimit"] = "two".into()),
            ),
            (
                "kdfParams",
                edited(|d| d["kdfParams"]["memLimit"] = (4u64 << 40).into()),
            ),
            (
                "kdfParams",
                edited(|d| d["kdfParams"]["memLimit"] = 4096.into()),
            ),
            ("version", edited(|d| d["version"] = 2.into())),
            (
                "encryptedData",
                edited(|d| d["encryptedData"] = "AAAAAAAA".into()),
            ),
        ];
        for (field, bytes) in cases {
            match read(&bytes, Some("correct horse ⚓ battery")) {
                Err(TransferError::Damaged(why)) => assert!(why.contains(field), "{field}: {why}"),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn altered_ciphertext_with_valid_base64_reads_as_wrong_password() {
        // The documented limit of the format: no check value tells this apart from a wrong password.
        let bytes = edited(|d| {
            let mut ct = data_encoding::BASE64
                .decode(d["encryptedData"].as_str().unwrap().as_bytes())
                .unwrap();
            ct[20] ^= 0x80;
            d["encryptedData"] = data_encoding::BASE64.encode(&ct).into();
        });
        assert_eq!(
            read(&bytes, Some("correct horse ⚓ battery")).unwrap_err(),
            TransferError::WrongPassword
        );
    }

    #[test]
    fn stream_not_ending_in_final_is_damaged() {
        let key = derive_key("pw", &[1u8; 16], 8192, 1).unwrap();
        let header = [3u8; 24];
        let ct = secretstream::PushStream::init(&key, &header).push(
            b"otpauth://x",
            &[],
            secretstream::TAG_MESSAGE,
        );
        let doc = serde_json::json!({
            "version": 1,
            "kdfParams": { "memLimit": 8192, "opsLimit": 1, "salt": data_encoding::BASE64.encode(&[1u8; 16]) },
            "encryptedData": data_encoding::BASE64.encode(&ct),
            "encryptionNonce": data_encoding::BASE64.encode(&header),
        });
        let err = read(doc.to_string().as_bytes(), Some("pw")).unwrap_err();
        assert!(
            matches!(err, TransferError::Damaged(ref why) if why.contains("final")),
            "{err:?}"
        );
    }

    #[test]
    fn encrypted_export_round_trips() {
        let plain = std::str::from_utf8(&fixture("ente_plain.txt"))
            .unwrap()
            .to_string();
        let doc = write_encrypted_with(&plain, "pässword", 64 * 1024, 1).unwrap();
        assert!(is_encrypted(doc.as_bytes()));
        assert!(!doc.contains("JBSWY3DP"), "the secret is not in the clear");
        assert_fixture_accounts(&read(doc.as_bytes(), Some("pässword")).unwrap());
        assert_eq!(
            read(doc.as_bytes(), Some("password")).unwrap_err(),
            TransferError::WrongPassword
        );
    }

    #[test]
    fn plain_export_round_trips_accounts_and_their_display_settings() {
        let original = accounts(&read(&fixture("ente_plain.txt"), None).unwrap())
            .into_iter()
            .cloned()
            .collect::<Vec<_>>();
        assert_eq!(original.len(), 4);
        let text = write(&original, None).unwrap();
        let back = read(text.as_bytes(), None).unwrap();
        assert_eq!(back.len(), 4);
        for (item, account) in back.iter().zip(&original) {
            assert_eq!(item.result.as_ref().unwrap(), account, "{}", item.name);
        }
        // What Ente's reader needs: an otpauth URI per line with a JSON codeDisplay.
        let first = text.lines().next().unwrap();
        assert!(first.starts_with("otpauth://totp/GitHub:alice@example.org?secret="));
        assert!(first.contains("&codeDisplay=%7B%22"), "{first}");
    }

    #[test]
    fn names_unreadable_lines_by_number_without_their_content() {
        let text = "\n otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP \n\nnot a uri SECRETISH\notpauth://totp/C?secret=1!\n";
        let items = read(text.as_bytes(), None).unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].name, "A (b)");
        assert_eq!(items[1].name, "line 4");
        assert_eq!(items[2].name, "line 5");
        for item in &items[1..] {
            let err = item.result.as_ref().unwrap_err().to_string();
            assert!(matches!(item.result, Err(EntryError::Invalid(_))));
            assert!(!err.contains("SECRETISH") && !err.contains("1!"), "{err}");
        }
    }

    #[test]
    fn accepts_json_quoted_lines_and_undecodable_code_display() {
        let text = "\"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&codeDisplay=%7B%22note%22%3A%22x%22%7D\"\n\
                    otpauth://totp/C:d?codeDisplay=%7Bbroken&secret=JBSWY3DPEHPK3PXP\n";
        let items = read(text.as_bytes(), None).unwrap();
        let all = accounts(&items);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].meta.note, "x");
        assert_eq!(all[1].meta, crate::account::AccountMeta::default());
        assert!(all[1].extra.is_empty());
    }

    #[test]
    fn code_display_with_commas_escaped_twice_is_read() {
        // Ente escapes raw commas as %2C after Dart already encoded them: %252C on the wire.
        let uri = "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&codeDisplay=%7B%22pinned%22%3Atrue%252C%22tags%22%3A%5B%22a%22%5D%7D";
        let items = read(uri.as_bytes(), None).unwrap();
        let account = items[0].result.as_ref().unwrap();
        assert!(account.meta.favorite);
        assert_eq!(account.meta.groups, ["a"]);
    }

    #[test]
    fn accepts_byte_order_mark_and_crlf_line_ends() {
        let mut plain = b"\xef\xbb\xbf".to_vec();
        plain.extend(b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\r\notpauth://totp/C:d?secret=JBSWY3DPEHPK3PXP\r\n");
        assert_eq!(accounts(&read(&plain, None).unwrap()).len(), 2);
        let mut encrypted = b"\xef\xbb\xbf".to_vec();
        encrypted.extend(fixture("ente_encrypted_odd_memlimit.json"));
        assert_eq!(accounts(&read(&encrypted, Some("pw")).unwrap()).len(), 1);
    }

    #[test]
    fn empty_and_non_utf8_input() {
        assert!(read(b"", None).unwrap().is_empty());
        assert!(read(b"\n\n  \n", None).unwrap().is_empty());
        assert!(matches!(
            read(&[0xff, 0xfe, 0x00], None),
            Err(TransferError::Damaged(_))
        ));
    }

    #[test]
    fn recognizes_ente_plain_exports_by_code_display() {
        assert!(is_plain_export(&fixture("ente_plain.txt")));
        assert!(!is_plain_export(
            b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n"
        ));
        assert!(!is_plain_export(&fixture("ente_encrypted.json")));
    }

    #[test]
    fn transfer_read_detects_encrypted_ente_exports() {
        let bytes = fixture("ente_encrypted.json");
        assert_eq!(
            super::super::detect(&bytes),
            Some(super::super::Format::Ente)
        );
        let items = super::super::read(&bytes, None, Some("correct horse ⚓ battery")).unwrap();
        assert_fixture_accounts(&items);
        // With the format named, the plain export is read with its codeDisplay too.
        let plain = fixture("ente_plain.txt");
        let items = super::super::read(&plain, Some(super::super::Format::Ente), None).unwrap();
        assert_fixture_accounts(&items);
    }

    proptest::proptest! {
        #[test]
        fn read_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = read(&bytes, Some("pw"));
            let _ = read(&bytes, None);
        }

        #[test]
        fn read_never_panics_on_arbitrary_envelopes(
            mem in proptest::num::u64::ANY, ops in proptest::num::u64::ANY,
            salt in proptest::collection::vec(proptest::num::u8::ANY, 0..20),
            data in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            nonce in proptest::collection::vec(proptest::num::u8::ANY, 20..28),
        ) {
            // Keep the KDF cheap: random limits are clamped to the smallest real ones half the time.
            let (mem, ops) = if mem % 2 == 0 { (8192 + mem % 4096, 1 + ops % 2) } else { (mem, ops) };
            let doc = serde_json::json!({
                "version": 1,
                "kdfParams": { "memLimit": mem, "opsLimit": ops, "salt": data_encoding::BASE64.encode(&salt) },
                "encryptedData": data_encoding::BASE64.encode(&data),
                "encryptionNonce": data_encoding::BASE64.encode(&nonce),
            });
            let result = read(doc.to_string().as_bytes(), Some("pw"));
            proptest::prop_assert!(result.is_err());
        }
    }
}
