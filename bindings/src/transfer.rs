//! Import and export: other authenticators' files into the vault with a per-entry report, and
//! the vault out to formats other apps read. Every rule is core's (`tessera_core::transfer`).

use std::sync::Arc;

use tessera_core::transfer::{self as core, export as core_export};

use crate::error::{Result, TesseraError};
use crate::redact::redacted_bytes;
use crate::vault::Vault;

/// The file formats Tessera imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ImportFormat {
    /// Plain text, one otpauth URI per line.
    OtpauthList,
    /// Google Authenticator transfer URIs (`otpauth-migration://`).
    GoogleMigration,
    /// Aegis vault JSON, plain or encrypted.
    Aegis,
    /// 2FAS backup, plain or encrypted.
    TwoFas,
    /// andOTP backup, plain or encrypted.
    AndOtp,
    /// FreeOTP: FreeOTP+ JSON, FreeOTP 1.x / FreeOTP+ `tokens.xml`, or FreeOTP 2's encrypted
    /// backup (`externalBackup.xml`, or the app's `tokenBackup.xml`).
    FreeOtpPlus,
    /// Bitwarden JSON export.
    BitwardenJson,
    /// Bitwarden CSV export.
    BitwardenCsv,
    /// Ente Auth export, encrypted or plain.
    Ente,
    /// Proton Authenticator export.
    Proton,
    /// A PNG or JPEG image of a QR code.
    QrImage,
    /// Tessera's own encrypted backup.
    TesseraBackup,
    /// Steam Guard `maFile` JSON (one Steam account per file).
    SteamMaFile,
    /// WinAuth's text export (otpauth URIs with WinAuth's Steam and Battle.net conventions).
    WinAuth,
    /// Microsoft Authenticator's app database (`PhoneFactor`, SQLite).
    MicrosoftAuthenticator,
    /// Google Authenticator's app database (`databases`, SQLite).
    GoogleAuthenticatorDb,
    /// Authenticator Pro / Stratum backup (plain or encrypted) or app database.
    AuthenticatorPro,
    /// Authy's app storage (XML preferences), plain or password-encrypted seeds.
    Authy,
    /// Duo Mobile's account store (`accounts.json`).
    Duo,
    /// The Battle.net app's authenticator (XML preferences).
    BattleNet,
    /// TOTP Authenticator (Binary Boxes): its `.bin` backup or its app storage (XML).
    TotpAuthenticator,
}

impl From<core::Format> for ImportFormat {
    fn from(f: core::Format) -> Self {
        use core::Format as F;
        match f {
            F::OtpauthList => ImportFormat::OtpauthList,
            F::GoogleMigration => ImportFormat::GoogleMigration,
            F::Aegis => ImportFormat::Aegis,
            F::TwoFas => ImportFormat::TwoFas,
            F::AndOtp => ImportFormat::AndOtp,
            F::FreeOtpPlus => ImportFormat::FreeOtpPlus,
            F::BitwardenJson => ImportFormat::BitwardenJson,
            F::BitwardenCsv => ImportFormat::BitwardenCsv,
            F::Ente => ImportFormat::Ente,
            F::Proton => ImportFormat::Proton,
            F::QrImage => ImportFormat::QrImage,
            F::TesseraBackup => ImportFormat::TesseraBackup,
            F::SteamMaFile => ImportFormat::SteamMaFile,
            F::WinAuth => ImportFormat::WinAuth,
            F::MicrosoftAuthenticator => ImportFormat::MicrosoftAuthenticator,
            F::GoogleAuthenticatorDb => ImportFormat::GoogleAuthenticatorDb,
            F::AuthenticatorPro => ImportFormat::AuthenticatorPro,
            F::Authy => ImportFormat::Authy,
            F::Duo => ImportFormat::Duo,
            F::BattleNet => ImportFormat::BattleNet,
            F::TotpAuthenticator => ImportFormat::TotpAuthenticator,
        }
    }
}

impl From<ImportFormat> for core::Format {
    fn from(f: ImportFormat) -> Self {
        use core::Format as F;
        match f {
            ImportFormat::OtpauthList => F::OtpauthList,
            ImportFormat::GoogleMigration => F::GoogleMigration,
            ImportFormat::Aegis => F::Aegis,
            ImportFormat::TwoFas => F::TwoFas,
            ImportFormat::AndOtp => F::AndOtp,
            ImportFormat::FreeOtpPlus => F::FreeOtpPlus,
            ImportFormat::BitwardenJson => F::BitwardenJson,
            ImportFormat::BitwardenCsv => F::BitwardenCsv,
            ImportFormat::Ente => F::Ente,
            ImportFormat::Proton => F::Proton,
            ImportFormat::QrImage => F::QrImage,
            ImportFormat::TesseraBackup => F::TesseraBackup,
            ImportFormat::SteamMaFile => F::SteamMaFile,
            ImportFormat::WinAuth => F::WinAuth,
            ImportFormat::MicrosoftAuthenticator => F::MicrosoftAuthenticator,
            ImportFormat::GoogleAuthenticatorDb => F::GoogleAuthenticatorDb,
            ImportFormat::AuthenticatorPro => F::AuthenticatorPro,
            ImportFormat::Authy => F::Authy,
            ImportFormat::Duo => F::Duo,
            ImportFormat::BattleNet => F::BattleNet,
            ImportFormat::TotpAuthenticator => F::TotpAuthenticator,
        }
    }
}

/// What happened to one entry of an import.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ImportOutcome {
    /// Stored under this id.
    Imported {
        /// The new account's id.
        id: String,
    },
    /// Dry run: would be stored.
    WouldImport,
    /// Not stored: the vault already holds the same account.
    Duplicate {
        /// The id of the account already there.
        existing_id: String,
    },
    /// Dry run: the same account as an earlier entry of the same file.
    RepeatedInSource {
        /// Index (0-based) of that earlier entry.
        first_index: u64,
    },
    /// Not stored: Tessera cannot represent this entry (e.g. mOTP).
    Unsupported {
        /// Why, for the user.
        reason: String,
    },
    /// Not stored: the entry is malformed or missing (e.g. a bad secret, an absent QR batch).
    Invalid {
        /// Why, for the user.
        reason: String,
    },
}

impl From<core::Outcome> for ImportOutcome {
    fn from(o: core::Outcome) -> Self {
        match o {
            core::Outcome::Imported(id) => ImportOutcome::Imported { id: id.to_string() },
            core::Outcome::WouldImport => ImportOutcome::WouldImport,
            core::Outcome::Duplicate(id) => ImportOutcome::Duplicate {
                existing_id: id.to_string(),
            },
            core::Outcome::RepeatedInSource(i) => ImportOutcome::RepeatedInSource {
                first_index: i as u64,
            },
            core::Outcome::Failed(e @ core::EntryError::Unsupported(_)) => {
                ImportOutcome::Unsupported {
                    reason: e.to_string(),
                }
            }
            core::Outcome::Failed(e) => ImportOutcome::Invalid {
                reason: e.to_string(),
            },
        }
    }
}

/// One entry of a file and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportEntry {
    /// Issuer and account name as the file gives them (never a secret).
    pub name: String,
    /// What happened.
    pub outcome: ImportOutcome,
}

/// The per-entry report of an import: every entry of the file, in its order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportReport {
    /// The format that was read.
    pub format: ImportFormat,
    /// True when nothing was written.
    pub dry_run: bool,
    /// Entries stored (or that would be).
    pub imported: u64,
    /// Entries skipped as duplicates.
    pub duplicates: u64,
    /// Entries that failed.
    pub failed: u64,
    /// Every entry.
    pub entries: Vec<ImportEntry>,
}

impl From<core::ImportReport> for ImportReport {
    fn from(r: core::ImportReport) -> Self {
        ImportReport {
            format: r.format.into(),
            dry_run: r.dry_run,
            imported: r.imported() as u64,
            duplicates: r.duplicates() as u64,
            failed: r.failed() as u64,
            entries: r
                .entries
                .into_iter()
                .map(|e| ImportEntry {
                    name: e.name,
                    outcome: e.outcome.into(),
                })
                .collect(),
        }
    }
}

/// Receives the progress of an import while its accounts are written to the vault (the slow
/// part of a large import), to drive a progress bar. Called on the importing thread while the
/// import's transaction holds the vault: post the figures to the UI thread and return; do not
/// call the vault from here (that call would wait for the import to finish, which waits for
/// this listener).
#[uniffi::export(foreign)]
pub trait ImportProgressListener: Send + Sync {
    /// `written` of `total` accounts are stored. Whatever this throws is ignored: a progress
    /// bar cannot stop an import halfway (it is one transaction).
    fn on_progress(&self, written: u64, total: u64) -> Result<()>;
}

/// The format of `data`, or `None` when Tessera does not recognize it.
#[uniffi::export]
pub fn detect_import_format(data: Vec<u8>) -> Option<ImportFormat> {
    core::detect(&data).map(Into::into)
}

/// Imports a file into `vault`: every readable entry in one transaction, duplicates reported
/// instead of doubled. This is also how a Tessera backup is restored. `format` overrides
/// detection; `password` opens encrypted files. An encrypted file without a password
/// (`PasswordRequired`: ask for it and call again), a wrong password (`WrongPassword`) or a
/// damaged file (`InvalidInput`) imports nothing. `progress` hears how many accounts are
/// written.
#[uniffi::export(default(format = None, password = None, dry_run = false, progress = None))]
pub fn import_into_vault(
    vault: Arc<Vault>,
    data: Vec<u8>,
    format: Option<ImportFormat>,
    password: Option<String>,
    dry_run: bool,
    progress: Option<Arc<dyn ImportProgressListener>>,
) -> Result<ImportReport> {
    let vault = vault.unlocked()?;
    let data = zeroize::Zeroizing::new(data);
    let password = password.map(zeroize::Zeroizing::new);
    let report = core::import_with_progress(
        &vault,
        &data,
        format.map(Into::into),
        password.as_deref().map(|p| p.as_str()),
        dry_run,
        &mut |written, total| {
            if let Some(listener) = &progress {
                // A throwing listener is ignored (see the trait).
                let _ = listener.on_progress(written as u64, total as u64);
            }
        },
    )
    .map_err(|e| TesseraError::from(tessera_core::Error::from(e)))?;
    Ok(report.into())
}

/// Imports the QR codes in an 8-bit grey image into `vault`, as `import_into_vault` does for
/// an image file: a camera frame's luma plane (Android `ImageProxy` plane 0, iOS
/// `kCVPixelFormatType_420YpCbCr8BiPlanar*` plane 0, rows packed without padding) or an image
/// the platform decoded. `luma` is `width * height` bytes, row by row, 0 black and 255 white;
/// a size mismatch or an image without a QR code is `InvalidInput` and imports nothing. This is
/// how the mobile library reads images (it has no PNG/JPEG decoder of its own).
#[uniffi::export(default(dry_run = false))]
pub fn import_qr_luma(
    vault: Arc<Vault>,
    width: u32,
    height: u32,
    luma: Vec<u8>,
    dry_run: bool,
) -> Result<ImportReport> {
    let vault = vault.unlocked()?;
    // The pixels show secrets (the QR codes): wiped when done.
    let luma = zeroize::Zeroizing::new(luma);
    let items = core::qr::read_luma(width, height, &luma)?;
    let report = core::commit(&vault, items, core::Format::QrImage, dry_run)
        .map_err(|e| TesseraError::from(tessera_core::Error::from(e)))?;
    Ok(report.into())
}

/// The text of every readable QR code in an 8-bit grey image (a camera frame's luma plane, as
/// `import_qr_luma` takes it), in reading order, for a scanner that routes what it finds itself
/// (`uri_kind`: an account, or a privacyIDEA push enrollment to pass to `PushClient.enroll`;
/// otherwise `import_into_vault`). The texts hold secrets: never log them. `InvalidInput` when
/// the size does not match or the image holds no QR code (keep scanning).
#[uniffi::export]
pub fn scan_qr_luma(width: u32, height: u32, luma: Vec<u8>) -> Result<Vec<String>> {
    // The pixels show secrets (the QR codes): wiped when done.
    let luma = zeroize::Zeroizing::new(luma);
    Ok(core::qr::payloads_luma(width, height, &luma)?
        .iter()
        .map(|p| p.to_string())
        .collect())
}

/// The formats Tessera exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ExportFormat {
    /// Aegis vault JSON: encrypted when a password is given.
    Aegis,
    /// 2FAS backup (`.2fas`): encrypted when a password is given. Accounts 2FAS would show
    /// wrong codes for (other code lengths or periods) are listed in `skipped`.
    TwoFas,
    /// Ente Auth export: encrypted when a password is given, else Ente's plain text export.
    Ente,
    /// Proton Authenticator export: encrypted when a password is given. Accounts Proton's
    /// importer cannot read back (HOTP, 10 digits, …) are listed in `skipped`.
    Proton,
    /// Bitwarden JSON export, never encrypted. HOTP accounts are listed in `skipped`.
    Bitwarden,
    /// Plain otpauth URIs, one per line (never encrypted).
    OtpauthList,
    /// Google Authenticator transfer URIs, at most 10 accounts each (never encrypted).
    GoogleMigration,
    /// Tessera's own backup (always encrypted; restored with `import_into_vault`).
    TesseraBackup,
}

impl From<ExportFormat> for core_export::ExportFormat {
    fn from(f: ExportFormat) -> Self {
        match f {
            ExportFormat::Aegis => core_export::ExportFormat::Aegis,
            ExportFormat::TwoFas => core_export::ExportFormat::TwoFas,
            ExportFormat::Ente => core_export::ExportFormat::Ente,
            ExportFormat::Proton => core_export::ExportFormat::Proton,
            ExportFormat::Bitwarden => core_export::ExportFormat::Bitwarden,
            ExportFormat::OtpauthList => core_export::ExportFormat::OtpauthList,
            ExportFormat::GoogleMigration => core_export::ExportFormat::GoogleMigration,
            ExportFormat::TesseraBackup => core_export::ExportFormat::TesseraBackup,
        }
    }
}

impl From<core_export::ExportFormat> for ExportFormat {
    fn from(f: core_export::ExportFormat) -> Self {
        match f {
            core_export::ExportFormat::Aegis => ExportFormat::Aegis,
            core_export::ExportFormat::TwoFas => ExportFormat::TwoFas,
            core_export::ExportFormat::Ente => ExportFormat::Ente,
            core_export::ExportFormat::Proton => ExportFormat::Proton,
            core_export::ExportFormat::Bitwarden => ExportFormat::Bitwarden,
            core_export::ExportFormat::OtpauthList => ExportFormat::OtpauthList,
            core_export::ExportFormat::GoogleMigration => ExportFormat::GoogleMigration,
            core_export::ExportFormat::TesseraBackup => ExportFormat::TesseraBackup,
        }
    }
}

/// Whether an export format can, must or cannot be protected by a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ExportEncryption {
    /// Never encrypted: export it only with `unencrypted = true`, after the user agreed.
    Never,
    /// Encrypted with a password; plain only with `unencrypted = true`.
    Optional,
    /// Always encrypted: a password is required.
    Always,
}

/// What an export screen needs to know about a format before asking anything.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportFormatInfo {
    /// The format.
    pub format: ExportFormat,
    /// Its short name (`aegis`, `2fas`, `ente`, `proton`, `bitwarden`, `otpauth`, `google`,
    /// `tessera`).
    pub name: String,
    /// The name to show ("Aegis", "2FAS", "Ente Auth", "Proton Authenticator", "Bitwarden",
    /// "otpauth links", "Google Authenticator", "Tessera backup").
    pub title: String,
    /// Whether it can, must or cannot be encrypted.
    pub encryption: ExportEncryption,
}

/// Every export format, in the order an export screen offers them: Tessera's own backup
/// first (the one to restore from), then the other apps' formats.
#[uniffi::export]
pub fn export_formats() -> Vec<ExportFormatInfo> {
    let all = core_export::ExportFormat::ALL;
    let tessera = all
        .iter()
        .filter(|f| **f == core_export::ExportFormat::TesseraBackup);
    let others = all
        .iter()
        .filter(|f| **f != core_export::ExportFormat::TesseraBackup);
    tessera
        .chain(others)
        .map(|f| export_format_info(ExportFormat::from(*f)))
        .collect()
}

/// The rule for exporting in `format`: ask for a password when `encryption` is `Always`, offer
/// it when `Optional`, and for a plain file (`Never`, or `Optional` without a password) get
/// the user's explicit agreement and pass `unencrypted = true` to `export_from_vault`.
#[uniffi::export]
pub fn export_format_info(format: ExportFormat) -> ExportFormatInfo {
    let core_format = core_export::ExportFormat::from(format);
    ExportFormatInfo {
        format,
        name: core_format.as_str().to_owned(),
        title: core_format.title().to_owned(),
        encryption: match core_format.encryption() {
            core_export::Encryption::Never => ExportEncryption::Never,
            core_export::Encryption::Optional => ExportEncryption::Optional,
            core_export::Encryption::Always => ExportEncryption::Always,
        },
    }
}

/// What a document picker needs to save an export: the suggested name, its extension and
/// MIME type.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportFile {
    /// The suggested file name, extension included (`tessera-aegis-2026-12-01.json`; a plain
    /// Aegis file says `-plain`).
    pub file_name: String,
    /// The extension without the dot (`json`, `txt`, `tsrbackup`).
    pub extension: String,
    /// The MIME type (`application/json`, `text/plain`, `application/octet-stream`).
    pub mime_type: String,
}

/// The file to save an export in `format` as (also for `Vault.export_backup`: `TesseraBackup`,
/// encrypted), dated `unix_time` (seconds, the device's clock) in the user's time zone,
/// `utc_offset_seconds` east of UTC (Android `TimeZone.getDefault().getOffset(millis) / 1000`,
/// iOS `TimeZone.current.secondsFromGMT()`). `encrypted`: whether a password protects the file.
/// `InvalidInput` when the offset is beyond ±18 h or the format cannot be written that way.
#[uniffi::export]
pub fn export_file(
    format: ExportFormat,
    encrypted: bool,
    unix_time: u64,
    utc_offset_seconds: i32,
) -> Result<ExportFile> {
    let file =
        core::export_file::export_file(format.into(), encrypted, unix_time, utc_offset_seconds)?;
    Ok(ExportFile {
        file_name: file.file_name,
        extension: file.extension.into(),
        mime_type: file.mime_type.into(),
    })
}

/// An account left out of an export (one the format cannot hold, or a push token, which no
/// export carries).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SkippedAccount {
    /// Issuer and account name.
    pub name: String,
    /// Why the format cannot hold it.
    pub reason: String,
}

/// An export's result. `data` and `uris` hold secrets (encrypted or not): store them with care.
/// Printing it shows their sizes only.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ExportResult {
    /// The file's content.
    pub data: Vec<u8>,
    /// For Google transfers: one URI per QR code to show (see `qr_code_matrix`).
    pub uris: Vec<String>,
    /// Accounts the format could not hold, with the reason.
    pub skipped: Vec<SkippedAccount>,
}

impl std::fmt::Debug for ExportResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportResult")
            .field("data", &redacted_bytes(&self.data))
            .field("uris", &format_args!("<{} URIs redacted>", self.uris.len()))
            .field("skipped", &self.skipped)
            .finish()
    }
}

/// Exports every account of `vault` (not those in the trash), encrypted with `password`, or
/// in the clear only with `unencrypted = true` (the user's explicit choice; see
/// `export_format_info`). `PasswordRequired` when the format is encrypted and no password was
/// given; `InvalidInput` when a plain format is asked for without `unencrypted`, or with a
/// password. Nothing is written anywhere: the app stores `data` where the user chose.
#[uniffi::export(default(password = None, unencrypted = false))]
pub fn export_from_vault(
    vault: Arc<Vault>,
    format: ExportFormat,
    password: Option<String>,
    unencrypted: bool,
) -> Result<ExportResult> {
    let vault = vault.unlocked()?;
    let password = password.map(zeroize::Zeroizing::new);
    let out = core_export::export_vault(
        &vault,
        format.into(),
        password.as_deref().map(|p| p.as_str()),
        unencrypted,
    )?;
    Ok(ExportResult {
        data: out.data.to_vec(),
        uris: out.uris.iter().map(|u| u.to_string()).collect(),
        skipped: out
            .skipped
            .into_iter()
            .map(|s| SkippedAccount {
                name: s.name,
                reason: s.reason,
            })
            .collect(),
    })
}

/// A QR code as its modules, for the app to draw on its own canvas (Compose `Canvas`, SwiftUI
/// `Canvas`): `size` × `size` modules, row by row, the quiet zone included. Drawing each module
/// as a black or white square of the same size gives a code any camera reads. It encodes its
/// text (an otpauth URI holds the secret): printing it shows the size only.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct QrMatrix {
    /// Modules per side, the quiet zone (four light modules on every side) included.
    pub size: u32,
    /// `size * size` bytes, row by row, top left first: 1 for a dark module, 0 for a light one.
    pub modules: Vec<u8>,
}

impl std::fmt::Debug for QrMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrMatrix")
            .field("size", &self.size)
            .field("modules", &redacted_bytes(&self.modules))
            .finish()
    }
}

/// The QR code of `text` as a module matrix for the app to draw (error correction level L).
/// `InvalidInput` when the text is too long for one QR code.
#[uniffi::export]
pub fn qr_code_matrix(text: String) -> Result<QrMatrix> {
    let text = zeroize::Zeroizing::new(text);
    let matrix = core_export::qr_matrix(&text)?;
    Ok(QrMatrix {
        // At most 177 + 8 modules a side (QR version 40): always fits.
        size: u32::try_from(matrix.size).unwrap_or(u32::MAX),
        modules: matrix.modules.to_vec(),
    })
}

/// A QR code of `text` as a PNG image, `scale` pixels per module (1–64), the quiet zone
/// included. Desktop library only: the mobile library has no PNG encoder and answers
/// `InvalidInput` naming `qrCodeMatrix`, whose modules the app draws itself.
#[uniffi::export]
pub fn qr_code_png(text: String, scale: u32) -> Result<Vec<u8>> {
    let text = zeroize::Zeroizing::new(text);
    Ok(core_export::qr_png(&text, scale)?.to_vec())
}
