//! otpauth URIs: read a scanned QR code, write one for another app, compute its code.

use tessera_core::otp::Generator;
use tessera_core::uri as core;

use crate::account::OtpAccount;
use crate::error::Result;
use crate::otp::{OtpCode, code_of};

/// What a scanned URI is, so the app can route it before handling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum UriKind {
    /// An OTP account (`otpauth://totp|hotp|steam/…`): add it to the vault.
    Otp,
    /// A privacyIDEA push token enrollment (`otpauth://pipush/…`, `pia://pipush/…`): pass it
    /// to `PushClient.enroll`.
    PushEnrollment,
    /// A batch of accounts: a Google Authenticator transfer (`otpauth-migration://offline?…`).
    /// Pass its UTF-8 bytes to the importer as `ImportFormat.GoogleMigration`.
    ImportBatch,
}

/// Tells what a scanned QR code or an opened link is (surrounding whitespace ignored): an
/// account, a push enrollment or a batch to import. The whole link is read, so its handler
/// accepts it too. `InvalidInput` (naming the bad part, never its value) when it is none.
#[uniffi::export]
pub fn uri_kind(uri: String) -> Result<UriKind> {
    Ok(match core::link_kind(&uri)? {
        core::LinkKind::Otp => UriKind::Otp,
        core::LinkKind::PushEnrollment => UriKind::PushEnrollment,
        core::LinkKind::ImportBatch => UriKind::ImportBatch,
    })
}

/// Reads an otpauth URI into an account (secret included). Accepts what real services emit;
/// `InvalidInput` says which part is wrong.
#[uniffi::export]
pub fn parse_otp_uri(uri: String) -> Result<OtpAccount> {
    let account = core::parse_otp(&uri)?;
    Ok(OtpAccount::from(&account))
}

/// Writes the canonical otpauth URI of an account (for a QR code another app scans). The
/// result holds the secret.
#[uniffi::export]
pub fn format_otp_uri(account: OtpAccount) -> Result<String> {
    let account = tessera_core::Account::try_from(account)?;
    Ok(core::format(&account).to_string())
}

/// The code of the account an otpauth URI describes, at `unix_time` (seconds).
#[uniffi::export]
pub fn otp_code_for_uri_at(uri: String, unix_time: u64) -> Result<OtpCode> {
    let account = core::parse_otp(&uri)?;
    let generator = Generator::for_account(&account)?;
    Ok(code_of(&generator, unix_time))
}
