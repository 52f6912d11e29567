//! Moving accounts in and out of other authenticators.
//!
//! One importer per source format, all with one result shape: every entry of the source comes
//! back as an [`ImportItem`] — an [`Account`] or a specific reason it could not be read — so
//! nothing is ever dropped silently. Whole-file failures (wrong password, damaged file) are a
//! [`TransferError`] and import nothing.

use crate::account::Account;

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
    /// FreeOTP+ JSON.
    FreeOtpPlus,
    /// Bitwarden JSON export.
    BitwardenJson,
    /// Bitwarden CSV export.
    BitwardenCsv,
    /// Ente Auth encrypted export (Argon2id + XChaCha20-Poly1305 secretstream).
    EnteEncrypted,
    /// Proton Authenticator JSON export, plain or encrypted.
    Proton,
    /// A PNG or JPEG image holding a QR code (enrollment or transfer).
    QrImage,
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
}

/// One entry of a source, as read.
#[derive(Debug)]
pub struct ImportItem {
    /// How the report names the entry: issuer and label as the source gives them (never the secret).
    pub name: String,
    /// The account, or why it could not be read.
    pub result: Result<Account, EntryError>,
}

/// A failure of the whole source: nothing is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    /// The source is encrypted and no password was given.
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
}

// Importers of the transfer2 branch: Ente Auth, Proton Authenticator, QR codes in images.
pub mod ente;
pub mod proton;
pub mod qr;
