//! The account as the app types it in, scans it or exports it: `OtpAccount`, with the secret
//! as base32 text. Conversions to and from core's `Account` sit here.

use tessera_core::account::{Account, AccountMeta};
use tessera_core::secret::Secret;

use crate::error::{Result, TesseraError};
use crate::redact::{REDACTED, redacted_text};
use crate::types::OtpParams;

/// A URI parameter Tessera keeps without interpreting (`pin`, `serial`, unknown ones…), so an
/// export gives back what was imported. Printing it (`toString()`, `description`) shows the
/// name, never the value: a `pin` is one.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct UriParameter {
    /// Parameter name.
    pub name: String,
    /// Parameter value (decoded).
    pub value: String,
}

/// A whole OTP account, secret included: what `parse_otp_uri` returns and what `Vault.add` and
/// `format_otp_uri` take. Printing it (`toString()`, `description`) shows neither the secret,
/// the note nor parameter values; still, do not keep it longer than needed.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct OtpAccount {
    /// Service name ("GitHub"); may be empty.
    pub issuer: String,
    /// Account name at the service ("alice@example.com"); may be empty.
    pub label: String,
    /// The shared secret in base32 (any case; spaces, dashes and padding allowed on input).
    pub secret_base32: String,
    /// How codes are computed.
    pub params: OtpParams,
    /// A free-text note, encrypted at rest in the vault.
    #[uniffi(default = "")]
    pub note: String,
    /// Group names.
    #[uniffi(default)]
    pub groups: Vec<String>,
    /// Pinned to the top of the list.
    #[uniffi(default = false)]
    pub favorite: bool,
    /// An icon reference (an otpauth URI's `image`, or the app's own).
    #[uniffi(default = None)]
    pub icon: Option<String>,
    /// URI parameters kept as they were.
    #[uniffi(default)]
    pub extra: Vec<UriParameter>,
}

// These Debug impls are what Kotlin's toString() and Swift's description/debugDescription
// print (`uniffi::export(Debug)`): without them the generated data classes and structs would
// print every field, the secret included.
impl std::fmt::Debug for UriParameter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UriParameter")
            .field("name", &self.name)
            .field("value", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for OtpAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpAccount")
            .field("issuer", &self.issuer)
            .field("label", &self.label)
            .field("secret_base32", &REDACTED)
            .field("params", &self.params)
            .field("note", &redacted_text(&self.note))
            .field("groups", &self.groups)
            .field("favorite", &self.favorite)
            .field("icon", &self.icon)
            .field("extra", &self.extra)
            .finish()
    }
}

impl TryFrom<OtpAccount> for Account {
    type Error = TesseraError;

    /// Checked: a bad secret or parameters are refused with `InvalidInput`.
    fn try_from(value: OtpAccount) -> Result<Self> {
        let secret = Secret::from_base32(&value.secret_base32)?;
        let mut account = Account::new(value.issuer, value.label, secret, value.params.try_into()?);
        account.meta = AccountMeta {
            note: value.note,
            icon: value.icon,
            picture: None,
            groups: value.groups,
            favorite: value.favorite,
        };
        account.extra = value.extra.into_iter().map(|p| (p.name, p.value)).collect();
        Ok(account)
    }
}

impl From<&Account> for OtpAccount {
    fn from(account: &Account) -> Self {
        OtpAccount {
            issuer: account.issuer.clone(),
            label: account.label.clone(),
            // Crossing the FFI as a plain string is unavoidable for an account the app asked
            // for; core's copy stays zeroizing.
            secret_base32: account.secret.to_base32().to_string(),
            params: account.params.into(),
            note: account.meta.note.clone(),
            groups: account.meta.groups.clone(),
            favorite: account.meta.favorite,
            icon: account.meta.icon.clone(),
            extra: account
                .extra
                .iter()
                .map(|(name, value)| UriParameter {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
        }
    }
}
