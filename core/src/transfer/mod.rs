//! Moving accounts in and out of other authenticators.
//!
//! One importer per source format, all with one result shape: every entry of the source comes
//! back as an [`ImportItem`] — an [`Account`] or a specific reason it could not be read — so
//! nothing is ever dropped silently. Whole-file failures (wrong password, damaged file) are a
//! [`TransferError`] and import nothing.
//!
//! [`detect`] guesses the format from the bytes, [`read`] parses (and decrypts) a source, and the
//! exporters in [`export`] write formats other apps read.

use serde_json::Value;
use zeroize::Zeroize;

use crate::account::{Account, Algorithm, OtpKind, OtpParams};
use crate::secret::Secret;

mod aegis;
mod andotp;
mod appdb;
mod authpro;
mod authy;
mod battlenet;
mod bitwarden;
mod bitwarden_enc;
mod duo;
pub mod export;
pub mod export_file;
mod freeotp;
mod freeotp_backup;
mod google;
mod google_db;
mod javaser;
mod microsoft;
mod otpauth_list;
mod prefs_xml;
mod report;
mod steam;
mod totpauth;
mod twofas;
mod winauth;
// Ente Auth and Proton Authenticator (each with its own encrypted format) and QR images.
pub mod ente;
pub mod proton;
pub mod qr;

pub use report::{
    ImportError, ImportReport, Outcome, ReportEntry, commit, import, import_with_progress,
};

/// The largest source [`read`] accepts: 16 MiB, some ten times a large real export (a
/// thousand accounts with icons). Every importer's memory and time grow with the size of its
/// input — parsed JSON takes up to about 16 times its text, so this keeps any source within
/// about 256 MiB (see `docs/limits.md` for every bound).
pub const MAX_SOURCE_BYTES: usize = 16 << 20;

/// The formats Tessera reads (and, for some, writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text, one otpauth URI per line (Aegis, Ente and others export this).
    OtpauthList,
    /// Google Authenticator transfer URIs (`otpauth-migration://offline?data=…`), one per line.
    GoogleMigration,
    /// Aegis vault JSON, plain or encrypted.
    Aegis,
    /// 2FAS `.2fas` JSON, plain or encrypted.
    TwoFas,
    /// andOTP JSON (plain) or its encrypted binary formats.
    AndOtp,
    /// FreeOTP: FreeOTP+ JSON, the `tokens.xml` app storage of FreeOTP 1.x and FreeOTP+, and
    /// FreeOTP 2's encrypted backup (a Java-serialized map, or the app's `tokenBackup.xml`).
    FreeOtpPlus,
    /// Bitwarden JSON export, unencrypted or password-protected.
    BitwardenJson,
    /// Bitwarden CSV export.
    BitwardenCsv,
    /// Ente Auth export: encrypted (Argon2id + XChaCha20-Poly1305 secretstream), or its plain
    /// otpauth list with Ente's `codeDisplay` parameter (favorite, note, tags, trash).
    Ente,
    /// Proton Authenticator JSON export, plain or encrypted.
    Proton,
    /// A PNG or JPEG image holding a QR code (enrollment or transfer).
    QrImage,
    /// Tessera's own encrypted backup (see the vault module); restored with [`import`], which
    /// hands it to the vault, since only the vault reads its backups.
    TesseraBackup,
    /// Steam Guard `maFile` JSON (Steam Desktop Authenticator, steamguard-cli; old and new).
    SteamMaFile,
    /// WinAuth's text export: otpauth URIs with WinAuth's Steam and Battle.net conventions.
    WinAuth,
    /// Microsoft Authenticator's app database (`PhoneFactor`, SQLite), from a rooted or
    /// backed-up Android phone.
    MicrosoftAuthenticator,
    /// Google Authenticator's app database (`databases`, SQLite), from a rooted or backed-up
    /// Android phone.
    GoogleAuthenticatorDb,
    /// Authenticator Pro / Stratum: its backup (plain JSON, or encrypted with the current or
    /// the legacy scheme) or its app database (`proauth.db3`).
    AuthenticatorPro,
    /// Authy's app storage (SharedPreferences XML), with plain or password-encrypted seeds.
    Authy,
    /// Duo Mobile's account store (`accounts.json`).
    Duo,
    /// The Battle.net app's authenticator (SharedPreferences XML).
    BattleNet,
    /// TOTP Authenticator (Binary Boxes): its backup (`.bin`, base64 of AES-CBC, with the
    /// user's password or the app's default one) or its app storage (SharedPreferences XML).
    TotpAuthenticator,
}

impl Format {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [Format; 21] = [
        Format::OtpauthList,
        Format::GoogleMigration,
        Format::Aegis,
        Format::TwoFas,
        Format::AndOtp,
        Format::FreeOtpPlus,
        Format::BitwardenJson,
        Format::BitwardenCsv,
        Format::Ente,
        Format::Proton,
        Format::SteamMaFile,
        Format::WinAuth,
        Format::MicrosoftAuthenticator,
        Format::GoogleAuthenticatorDb,
        Format::AuthenticatorPro,
        Format::Authy,
        Format::Duo,
        Format::BattleNet,
        Format::TotpAuthenticator,
        Format::QrImage,
        Format::TesseraBackup,
    ];

    /// The short name used on the command line and in reports (`aegis`, `2fas`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::OtpauthList => "otpauth",
            Format::GoogleMigration => "google",
            Format::Aegis => "aegis",
            Format::TwoFas => "2fas",
            Format::AndOtp => "andotp",
            Format::FreeOtpPlus => "freeotp",
            Format::BitwardenJson => "bitwarden-json",
            Format::BitwardenCsv => "bitwarden-csv",
            Format::Ente => "ente",
            Format::Proton => "proton",
            Format::QrImage => "qr",
            Format::TesseraBackup => "tessera",
            Format::SteamMaFile => "steam",
            Format::WinAuth => "winauth",
            Format::MicrosoftAuthenticator => "microsoft",
            Format::GoogleAuthenticatorDb => "google-db",
            Format::AuthenticatorPro => "authpro",
            Format::Authy => "authy",
            Format::Duo => "duo",
            Format::BattleNet => "battlenet",
            Format::TotpAuthenticator => "totpauth",
        }
    }

    /// Reads a name given by [`Format::as_str`] (case-insensitive).
    pub fn parse(name: &str) -> Option<Format> {
        let name = name.to_ascii_lowercase();
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// Why one entry of a source could not become an account. Never contains secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// The entry is well-formed but of a kind Tessera cannot represent (e.g. mOTP).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The entry is malformed (missing field, bad secret, bad parameter).
    #[error("invalid: {0}")]
    Invalid(String),
    /// Part of the source is absent (e.g. one QR code of a multi-code Google transfer).
    #[error("missing: {0}")]
    Missing(String),
}

/// One entry of a source, as read.
#[derive(Debug)]
pub struct ImportItem {
    /// How the report names the entry: issuer and label as the source gives them (never the secret).
    pub name: String,
    /// The account, or why it could not be read.
    pub result: Result<Account, EntryError>,
}

impl From<crate::crypto::CryptoError> for TransferError {
    fn from(e: crate::crypto::CryptoError) -> Self {
        use crate::crypto::CryptoError as C;
        match e {
            // Only writers draw random bytes and seal; a reader's failures are about the file.
            C::Random | C::TooLong | C::KeyLength => TransferError::Export(e.to_string()),
            C::OutOfMemory { .. } => TransferError::Unsupported(e.to_string()),
            C::InvalidKdfParams(_) => {
                TransferError::Damaged("its key derivation parameters are not valid".into())
            }
        }
    }
}

/// A failure of the whole source: nothing is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    /// The source is encrypted and no password was given (or, for an export, the format is
    /// encrypted and no password was given).
    #[error("this file is encrypted: a password is required")]
    PasswordRequired,
    /// The password does not open the source (told apart from damage where the format allows).
    #[error("wrong password")]
    WrongPassword,
    /// The source is truncated, corrupt or not what its format says.
    #[error("damaged file: {0}")]
    Damaged(String),
    /// No known format matches the source.
    #[error("unrecognized format")]
    UnknownFormat,
    /// The source is valid but of a variant Tessera cannot read (e.g. a Bitwarden export
    /// encrypted with the account key), or its importer is not part of this build.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An export cannot be written as asked (e.g. a password for a format that is never
    /// encrypted).
    #[error("cannot export: {0}")]
    Export(String),
    /// An export format that cannot be encrypted was asked for without the explicit choice of
    /// unencrypted output (see [`export::ExportFormat::needs_password`]).
    #[error("{0}")]
    UnencryptedNotChosen(String),
}

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// SQLCipher (and other encrypted databases) write whole pages of random bytes; an encrypted
/// andOTP file has no such alignment. Never used to refuse a file whose format the user named.
const DB_PAGE: usize = 1024;

/// True when `uri` is one Google Authenticator transfer URI whose payload decodes (the link
/// router's test, [`crate::uri::link_kind`]).
pub(crate) fn is_google_migration_uri(uri: &str) -> bool {
    google::decode_uri(uri).is_ok()
}

/// The first bytes of a ZIP archive (a local file header, or the end record of an empty one).
const ZIP_MAGICS: [&[u8]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];

/// True for a headerless binary file of whole database pages, at least four: an encrypted
/// database (SQLCipher), such as Authenticator Plus's backup `authplus.db`, rather than an
/// encrypted andOTP file. An andOTP file is its JSON's length plus 28 or 44 bytes, a multiple
/// of 1024 once in 1024 files, and its newer layout begins with an iteration count below 2^24
/// (a zero byte); such a rare andOTP file is still read when the user names the format.
fn looks_like_encrypted_database(bytes: &[u8]) -> bool {
    bytes.len() >= 4 * DB_PAGE
        && bytes.len().is_multiple_of(DB_PAGE)
        && bytes[0] != 0
        && std::str::from_utf8(bytes).is_err()
}

/// Guesses the format of `bytes`; `None` when nothing matches.
///
/// Cheap checks first (image magic numbers, the first line of text), then the shape of the
/// JSON document for the JSON formats. A binary blob that is none of these is taken for an
/// encrypted andOTP file, the only headerless binary format Tessera reads.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(crate::vault::BACKUP_MAGIC) {
        return Some(Format::TesseraBackup);
    }
    if bytes.starts_with(SQLITE_MAGIC) {
        // An app's own database, known by its tables. Any other database is not taken for an
        // encrypted andOTP file (that would end in a misleading "wrong password"): `read`
        // names the reason instead (see `undetected`).
        return appdb::identify(bytes);
    }
    if authpro::is_encrypted(bytes) {
        return Some(Format::AuthenticatorPro);
    }
    // Java serialization: the only such file an authenticator writes is FreeOTP 2's backup.
    if bytes.starts_with(&javaser::MAGIC) {
        return Some(Format::FreeOtpPlus);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        return Some(Format::QrImage);
    }
    // Files of apps Tessera cannot read are not taken for andOTP: `read` names the reason.
    if ZIP_MAGICS.iter().any(|m| bytes.starts_with(m)) || looks_like_encrypted_database(bytes) {
        return None;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        // andOTP's encrypted files: 4-byte iteration count or 12-byte IV, then ciphertext + tag.
        return (bytes.len() >= crate::crypto::aead::NONCE_LEN + crate::crypto::aead::TAG_LEN)
            .then_some(Format::AndOtp);
    };
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') || text.starts_with('[') {
        let json: Scrubbed = Scrubbed(serde_json::from_str(text).ok()?);
        return detect_json(&json.0);
    }
    if prefs_xml::looks_like(text) {
        // An app's SharedPreferences file: whose, from the preferences it holds.
        let strings = prefs_xml::strings(text.as_bytes()).ok()?;
        if authy::is_authy(&strings) {
            return Some(Format::Authy);
        }
        if strings.iter().any(|s| s.name == battlenet::SECRET) {
            return Some(Format::BattleNet);
        }
        if strings.iter().any(|s| s.name == totpauth::PREF_KEY) {
            return Some(Format::TotpAuthenticator);
        }
        return strings
            .iter()
            .any(|s| s.name == freeotp::TOKEN_ORDER || s.name == freeotp_backup::MASTER_KEY)
            .then_some(Format::FreeOtpPlus);
    }
    if totpauth::looks_like_backup(text) {
        return Some(Format::TotpAuthenticator);
    }
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let first = lines.next()?;
    if first.to_ascii_lowercase().contains("login_totp") {
        return Some(Format::BitwardenCsv);
    }
    let lower = first.get(..20).unwrap_or(first).to_ascii_lowercase();
    if lower.starts_with("otpauth-migration:") {
        let all_migration = lines.all(|l| {
            l.get(..18)
                .is_some_and(|p| p.eq_ignore_ascii_case("otpauth-migration:"))
        });
        return Some(if all_migration {
            Format::GoogleMigration
        } else {
            Format::OtpauthList
        });
    }
    // Ente's plain export is an otpauth list whose `codeDisplay` parameter carries metadata
    // (and marks trashed entries): read as a generic list, that would be lost or misread.
    if ente::is_plain_export(bytes) {
        return Some(Format::Ente);
    }
    if winauth::looks_like(text) {
        return Some(Format::WinAuth);
    }
    if lower.starts_with("otpauth:") {
        return Some(Format::OtpauthList);
    }
    None
}

fn detect_json(json: &Value) -> Option<Format> {
    match json {
        Value::Array(items) if duo::looks_like(items) => Some(Format::Duo),
        Value::Array(items) => {
            // andOTP: an array of objects with `secret` and `type` (an empty array is an empty
            // andOTP export too: no other format is a bare array).
            let looks_andotp = items
                .iter()
                .all(|i| i.get("secret").is_some() || i.get("type").is_some());
            looks_andotp.then_some(Format::AndOtp)
        }
        Value::Object(obj) => {
            let has = |k: &str| obj.contains_key(k);
            if has("header") && has("db") {
                Some(Format::Aegis)
            } else if steam::is_mafile(obj) || steam::is_sda_manifest(obj) {
                Some(Format::SteamMaFile)
            } else if has("servicesEncrypted") || has("schemaVersion") || has("services") {
                Some(Format::TwoFas)
            } else if has("tokens") && (has("tokenOrder") || obj["tokens"].is_array()) {
                Some(Format::FreeOtpPlus)
            } else if (has("items") && (has("encrypted") || has("folders")))
                || (has("passwordProtected") && has("encKeyValidation_DO_NOT_EDIT"))
            {
                Some(Format::BitwardenJson)
            } else if has("Authenticators") {
                Some(Format::AuthenticatorPro)
            } else if has("kdfParams") && has("encryptedData") {
                Some(Format::Ente)
            } else if has("version") && (has("entries") || (has("salt") && has("content"))) {
                Some(Format::Proton)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Reads every entry of a source. `format` overrides detection; `password` opens encrypted
/// sources (ignored by plain ones).
///
/// A wrong password, a damaged file or an unknown format is an error and yields nothing; an
/// entry that cannot be represented is an [`ImportItem`] with its reason.
pub fn read(
    bytes: &[u8],
    format: Option<Format>,
    password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    check_size(bytes)?;
    if bytes.iter().all(u8::is_ascii_whitespace) && format.is_none() {
        // Zero accounts from an empty file would look like a successful import of nothing.
        return Err(TransferError::Damaged("the file is empty".into()));
    }
    let detected = format.is_none();
    let format = match format {
        Some(f) => f,
        None => detect(bytes).ok_or_else(|| undetected(bytes))?,
    };
    read_as(bytes, format, detected, password)
}

/// [`read`] of a source whose format is known; `detected` says it was guessed rather than
/// named by the user, which lets a failure be explained by what else the file may be.
pub(crate) fn read_as(
    bytes: &[u8],
    format: Format,
    detected: bool,
    password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let result = match format {
        Format::OtpauthList => otpauth_list::read(bytes, password),
        Format::SteamMaFile => steam::read(bytes, password),
        Format::WinAuth => winauth::read(bytes, password),
        Format::MicrosoftAuthenticator => microsoft::read(bytes, password),
        Format::GoogleAuthenticatorDb => google_db::read(bytes, password),
        Format::AuthenticatorPro => authpro::read(bytes, password),
        Format::Authy => authy::read(bytes, password),
        Format::Duo => duo::read(bytes, password),
        Format::BattleNet => battlenet::read(bytes, password),
        Format::TotpAuthenticator => totpauth::read(bytes, password),
        Format::GoogleMigration => google::read(bytes, password),
        Format::Aegis => aegis::read(bytes, password),
        Format::TwoFas => twofas::read(bytes, password),
        Format::AndOtp => andotp::read(bytes, password),
        Format::FreeOtpPlus => freeotp::read(bytes, password),
        Format::BitwardenJson => bitwarden::read_json(bytes, password),
        Format::BitwardenCsv => bitwarden::read_csv(bytes, password),
        Format::Ente => ente::read(bytes, password),
        Format::Proton => proton::read(bytes, password),
        Format::QrImage => qr::read(bytes, password),
        Format::TesseraBackup => Err(TransferError::Unsupported(
            "a Tessera backup is restored into a vault (transfer::import), not read on its own"
                .into(),
        )),
    };
    match result {
        // A headerless binary file was taken for encrypted andOTP and did not open: if it is
        // made of whole database pages (one that detection let through: its first byte is
        // zero), it may as well be an encrypted database. Say both, not just "wrong password".
        Err(TransferError::WrongPassword | TransferError::Damaged(_))
            if detected
                && format == Format::AndOtp
                && bytes.len() >= 4 * DB_PAGE
                && bytes.len().is_multiple_of(DB_PAGE) =>
        {
            Err(TransferError::Unsupported(
                "this file does not open as an encrypted andOTP backup with this password, \
                 and it has the size of an encrypted database (SQLCipher, as Authenticator \
                 Plus and others keep), which Tessera cannot read: export from that app instead"
                    .into(),
            ))
        }
        other => other,
    }
}

/// Refuses a source over [`MAX_SOURCE_BYTES`] before anything is parsed (detection included).
pub(crate) fn check_size(bytes: &[u8]) -> Result<(), TransferError> {
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(TransferError::Damaged(format!(
            "the file is {} MiB; import files over {} MiB are not read",
            bytes.len() >> 20,
            MAX_SOURCE_BYTES >> 20
        )));
    }
    Ok(())
}

/// Why nothing matched: a JSON document or a preferences file that does not parse (typically a
/// truncated export) is damaged; anything else is of an unknown format.
fn undetected(bytes: &[u8]) -> TransferError {
    if bytes.starts_with(SQLITE_MAGIC) {
        return TransferError::Unsupported(
            "this is an SQLite database that Tessera does not know: of other apps' databases, \
             only Microsoft Authenticator's (PhoneFactor), Google Authenticator's \
             (databases) and Authenticator Pro's (proauth.db3) are read; export from the app \
             instead"
                .into(),
        );
    }
    if ZIP_MAGICS.iter().any(|m| bytes.starts_with(m)) {
        return TransferError::Unsupported(
            "this is a ZIP archive, which Tessera does not open. Authenticator Plus's export \
             (Export as Text and HTML) is a ZIP encrypted with its master password: extract \
             it (any unzip tool asks for the password) and import Accounts.txt, a list of \
             otpauth URIs; from any other archive, import the file inside"
                .into(),
        );
    }
    if looks_like_encrypted_database(bytes) {
        return TransferError::Unsupported(
            "this file has the shape of an encrypted database (whole pages of random bytes: \
             SQLCipher, as Authenticator Plus keeps its backup authplus.db, and Authenticator \
             Pro its database when its encryption is on), which Tessera cannot read: that \
             needs SQLCipher, a separately built SQLite with its own cryptography, which \
             Tessera does not bundle. Export from the app instead (Authenticator Plus: Export \
             as Text and HTML). If it is an encrypted andOTP backup, choose andOTP as its \
             format"
                .into(),
        );
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if (text.starts_with('{') || text.starts_with('['))
        && let Err(e) = parse_json(text.as_bytes())
    {
        return e;
    }
    // Likewise a preferences file that does not parse (cut short, typically).
    if prefs_xml::looks_like(text)
        && let Err(e) = prefs_xml::strings(text.as_bytes())
    {
        return e;
    }
    TransferError::UnknownFormat
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the importers.

/// How a report names an entry: `Issuer (label)`, or whichever of the two exists.
pub(crate) fn entry_name(issuer: &str, label: &str) -> String {
    match (issuer.trim(), label.trim()) {
        ("", "") => "(unnamed)".to_owned(),
        (i, "") => i.to_owned(),
        ("", l) => l.to_owned(),
        (i, l) => format!("{i} ({l})"),
    }
}

/// Reads an algorithm name; MD5 and anything else unknown are unsupported.
pub(crate) fn parse_algorithm(name: &str) -> Result<Algorithm, EntryError> {
    let trimmed = name.trim();
    let trimmed = trimmed
        .strip_prefix("Hmac")
        .or_else(|| trimmed.strip_prefix("HMAC"))
        .unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Ok(Algorithm::Sha1);
    }
    Algorithm::parse(trimmed)
        .ok_or_else(|| EntryError::Unsupported(format!("the {} algorithm", printable(trimmed, 16))))
}

/// Reads a base32 secret into an error that names the problem (never the secret).
pub(crate) fn parse_secret(text: &str) -> Result<Secret, EntryError> {
    Secret::from_base32(text).map_err(|e| EntryError::Invalid(e.to_string()))
}

/// Checks that Tessera can generate codes with these parameters.
pub(crate) fn checked(params: OtpParams) -> Result<OtpParams, EntryError> {
    params
        .validate()
        .map(|()| params)
        .map_err(|e| EntryError::Invalid(e.to_string()))
}

/// Parameters of `kind` with the given fields, validated.
pub(crate) fn params_for(
    kind: OtpKind,
    algorithm: Algorithm,
    digits: Option<u64>,
    period: Option<u64>,
    counter: Option<u64>,
) -> Result<OtpParams, EntryError> {
    let base = OtpParams::for_kind(kind);
    let digits = match digits {
        // Steam's length is fixed; sources write 5 or (2FAS, FreeOTP+) their generic default.
        _ if kind == OtpKind::Steam => base.digits,
        Some(d) => u8::try_from(d).map_err(|_| {
            EntryError::Invalid(format!("digits must be between 1 and 10 (got {d})"))
        })?,
        None => base.digits,
    };
    let period = match period {
        Some(p) if kind.is_time_based() => u32::try_from(p)
            .map_err(|_| EntryError::Invalid(format!("period of {p} seconds is too long")))?,
        _ => base.period,
    };
    checked(OtpParams {
        kind,
        algorithm: if kind == OtpKind::Steam {
            Algorithm::Sha1
        } else {
            algorithm
        },
        digits,
        period,
        counter: if kind == OtpKind::Hotp {
            counter.unwrap_or(0)
        } else {
            0
        },
    })
}

/// The kind of an entry from its type name (`totp`, `HOTP`, `Steam`…; absent means TOTP).
/// mOTP, Yandex and anything else are unsupported.
pub(crate) fn kind_named(name: Option<&str>) -> Result<OtpKind, EntryError> {
    match name.map(str::to_ascii_uppercase).as_deref() {
        None | Some("TOTP") => Ok(OtpKind::Totp),
        Some("HOTP") => Ok(OtpKind::Hotp),
        Some("STEAM") => Ok(OtpKind::Steam),
        Some("MOTP") => Err(EntryError::Unsupported("mOTP entries".into())),
        Some("YANDEX") | Some("YAOTP") => Err(EntryError::Unsupported("Yandex entries".into())),
        Some(_) => Err(EntryError::Unsupported(format!(
            "entry type `{}`",
            printable(name.unwrap_or(""), 16)
        ))),
    }
}

/// Parameters of `kind` from a JSON object's `digits`, `period` and `counter` fields and its
/// algorithm field (named `algorithm_key`; absent means SHA1).
pub(crate) fn params_from(
    obj: &Value,
    kind: OtpKind,
    algorithm_key: &str,
) -> Result<OtpParams, EntryError> {
    let algorithm = parse_algorithm(str_field(obj, algorithm_key).unwrap_or("SHA1"))?;
    params_for(
        kind,
        algorithm,
        uint_field(obj, "digits")?,
        uint_field(obj, "period")?,
        uint_field(obj, "counter")?,
    )
}

/// At most `max` characters of a source's text, for error messages about non-secret fields.
pub(crate) fn printable(text: &str, max: usize) -> String {
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// `value` as JSON in a buffer that wipes every block it used (an export's plain JSON holds
/// secrets).
pub(crate) fn json_bytes(
    value: &Value,
    pretty: bool,
) -> Result<zeroize::Zeroizing<Vec<u8>>, TransferError> {
    let mut out = crate::secret_buf::SecretBuf::new();
    if pretty {
        serde_json::to_writer_pretty(&mut out, value)
    } else {
        serde_json::to_writer(&mut out, value)
    }
    .map_err(|e| TransferError::Export(e.to_string()))?;
    Ok(out.into_bytes())
}

/// A JSON document that may hold secrets: every string in it is wiped when it is dropped.
pub(crate) struct Scrubbed(pub(crate) Value);

impl Drop for Scrubbed {
    fn drop(&mut self) {
        scrub(&mut self.0);
    }
}

fn scrub(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(scrub),
        Value::Object(map) => map.values_mut().for_each(scrub),
        _ => {}
    }
}

/// Parses a JSON source into a [`Scrubbed`] document; a parse failure is a damaged file.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Scrubbed, TransferError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| TransferError::Damaged("the file is not UTF-8 text".into()))?;
    let text = text.trim_start_matches('\u{feff}');
    serde_json::from_str(text).map(Scrubbed).map_err(|e| {
        TransferError::Damaged(format!(
            "not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// A string field of a JSON object (`None` when absent, null or not a string).
pub(crate) fn str_field<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// A non-negative integer field, also accepted as a decimal string (some apps write `"6"`).
/// `Err` names the field when it is present but not a non-negative integer.
pub(crate) fn uint_field(obj: &Value, key: &str) -> Result<Option<u64>, EntryError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| EntryError::Invalid(format!("`{key}` is not a non-negative integer"))),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| EntryError::Invalid(format!("`{key}` is not a non-negative integer"))),
        Some(_) => Err(EntryError::Invalid(format!("`{key}` is not a number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format_by_shape() {
        let cases: &[(&[u8], Option<Format>)] = &[
            (
                b"otpauth://totp/A?secret=JBSWY3DP",
                Some(Format::OtpauthList),
            ),
            (
                b"# comment\n\notpauth-migration://offline?data=AA",
                Some(Format::GoogleMigration),
            ),
            (
                b"otpauth-migration://offline?data=AA\notpauth://totp/A?secret=JBSWY3DP",
                Some(Format::OtpauthList),
            ),
            (br#"{"version":1,"header":{},"db":{}}"#, Some(Format::Aegis)),
            (
                br#"{"services":[],"schemaVersion":4}"#,
                Some(Format::TwoFas),
            ),
            (br#"[{"secret":"A","type":"TOTP"}]"#, Some(Format::AndOtp)),
            (
                br#"{"tokens":[],"tokenOrder":[]}"#,
                Some(Format::FreeOtpPlus),
            ),
            (
                br#"{"encrypted":false,"items":[]}"#,
                Some(Format::BitwardenJson),
            ),
            (
                b"folder,favorite,type,name,login_totp\n",
                Some(Format::BitwardenCsv),
            ),
            (
                br#"{"version":1,"kdfParams":{},"encryptedData":""}"#,
                Some(Format::Ente),
            ),
            (
                b"otpauth://totp/A?secret=JBSWY3DP&codeDisplay=%7B%22trashed%22%3Atrue%7D",
                Some(Format::Ente),
            ),
            (br#"{"version":1,"entries":[]}"#, Some(Format::Proton)),
            (b"\x89PNG\r\n\x1a\nrest", Some(Format::QrImage)),
            (b"\xff\xd8\xff\xe0rest", Some(Format::QrImage)),
            (b"TSRBACKP\x00\x01rest", Some(Format::TesseraBackup)),
            (
                br#"{"shared_secret":"AAAA","account_name":"me"}"#,
                Some(Format::SteamMaFile),
            ),
            (
                b"otpauth://totp/Steam:me?secret=JBSWY3DP&digits=5&issuer=Steam",
                Some(Format::WinAuth),
            ),
            (
                br#"{"Authenticators":[],"Categories":[]}"#,
                Some(Format::AuthenticatorPro),
            ),
            (b"AUTHENTICATORPRO\x01\x02", Some(Format::AuthenticatorPro)),
            (b"AuthenticatorPro\xff\xfe", Some(Format::AuthenticatorPro)),
            (
                b"<?xml version='1.0' ?>\n<map><string name=\"tokenOrder\">[]</string></map>",
                Some(Format::FreeOtpPlus),
            ),
            (
                b"<map><string name=\"com.authy.storage.tokens.authenticator.key\">[]</string></map>",
                Some(Format::Authy),
            ),
            (b"<map><int name=\"x\" value=\"1\" /></map>", None),
            (
                br#"[{"name":"me","otpGenerator":{"otpSecret":"JBSWY3DP"}}]"#,
                Some(Format::Duo),
            ),
            (
                b"<map><string name=\"com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET\">00</string></map>",
                Some(Format::BattleNet),
            ),
            (
                b"<map><string name=\"STATIC_TOTP_CODES_LIST\">[]</string></map>",
                Some(Format::TotpAuthenticator),
            ),
            (
                b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n",
                Some(Format::TotpAuthenticator),
            ),
            (b"SQLite format 3\0rest", None),
            (b"PK\x03\x04\x14\x00\x01\x00rest of a zip", None),
            (b"hello world", None),
            (b"", None),
            (br#"{"something":"else"}"#, None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                detect(bytes),
                *expected,
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Some(f));
        }
        assert_eq!(Format::parse("AEGIS"), Some(Format::Aegis));
        assert_eq!(Format::parse("nope"), None);
    }

    #[test]
    fn unknown_bytes_are_an_unknown_format() {
        assert_eq!(
            read(b"hello", None, None).unwrap_err(),
            TransferError::UnknownFormat
        );
    }

    #[test]
    fn md5_is_unsupported_and_names_are_tidy() {
        assert!(matches!(
            parse_algorithm("MD5"),
            Err(EntryError::Unsupported(_))
        ));
        assert_eq!(parse_algorithm("HmacSHA256"), Ok(Algorithm::Sha256));
        assert_eq!(entry_name("GitHub", "alice"), "GitHub (alice)");
        assert_eq!(entry_name("", ""), "(unnamed)");
    }
}
