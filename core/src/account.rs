//! The account model shared by every part of Tessera: URIs, the vault, import/export, bindings.

use std::fmt;

use crate::secret::Secret;

/// The HMAC hash an account uses.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Algorithm {
    /// HMAC-SHA1, the default of RFC 4226/6238 and of nearly every service.
    #[default]
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Algorithm {
    /// The name used in otpauth URIs and most export formats (`SHA1`, `SHA256`, `SHA512`).
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }

    /// Reads an algorithm name case-insensitively; also accepts `SHA-256` style names.
    pub fn parse(name: &str) -> Option<Self> {
        // Canonical names (what the vault stores) are matched without allocating: loading a
        // 10,000-account vault reads one per account.
        match name {
            "SHA1" => return Some(Algorithm::Sha1),
            "SHA256" => return Some(Algorithm::Sha256),
            "SHA512" => return Some(Algorithm::Sha512),
            _ => {}
        }
        let upper: String = name.chars().filter(|c| *c != '-' && *c != '_').collect();
        match upper.to_ascii_uppercase().as_str() {
            "SHA1" => Some(Algorithm::Sha1),
            "SHA256" => Some(Algorithm::Sha256),
            "SHA512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

/// How codes are derived from the secret.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum OtpKind {
    /// Time-based (RFC 6238).
    #[default]
    Totp,
    /// Counter-based (RFC 4226).
    Hotp,
    /// Steam Guard: TOTP/SHA1/30 s rendered as 5 characters of Steam's alphabet.
    Steam,
    // Room for mOTP and Yandex: they need a PIN and their own derivation, so they become
    // variants here (not flags on TOTP) when they are supported.
}

impl OtpKind {
    /// The lowercase name used in otpauth URIs (`totp`, `hotp`, `steam`).
    pub fn as_str(self) -> &'static str {
        match self {
            OtpKind::Totp => "totp",
            OtpKind::Hotp => "hotp",
            OtpKind::Steam => "steam",
        }
    }

    /// The kind named by its canonical lowercase name (the inverse of [`OtpKind::as_str`]).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "totp" => Some(OtpKind::Totp),
            "hotp" => Some(OtpKind::Hotp),
            "steam" => Some(OtpKind::Steam),
            _ => None,
        }
    }

    /// True for kinds whose code depends on the time rather than a counter.
    pub fn is_time_based(self) -> bool {
        !matches!(self, OtpKind::Hotp)
    }
}

/// Smallest and largest number of digits Tessera generates (10 = zero-padded 31-bit value).
pub const DIGITS_RANGE: std::ops::RangeInclusive<u8> = 1..=10;
/// Number of characters of a Steam Guard code.
pub const STEAM_DIGITS: u8 = 5;

/// Everything that determines the code sequence apart from the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct OtpParams {
    /// TOTP, HOTP or Steam.
    pub kind: OtpKind,
    /// HMAC hash.
    pub algorithm: Algorithm,
    /// Code length (characters for Steam).
    pub digits: u8,
    /// Time step in seconds (time-based kinds; kept at 30 for HOTP).
    pub period: u32,
    /// Next counter value to use (HOTP; 0 for time-based kinds).
    pub counter: u64,
}

impl Default for OtpParams {
    fn default() -> Self {
        OtpParams::totp()
    }
}

/// A parameter outside what Tessera can generate. Mirrors the URI rules of Key Uri Format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    /// Digits outside 1..=10.
    #[error("digits must be between 1 and 10 (got {0})")]
    Digits(u8),
    /// A Steam Guard account with another length than Steam's 5 characters.
    #[error("Steam Guard codes have 5 characters (got {0} digits)")]
    SteamDigits(u8),
    /// A time step of zero seconds.
    #[error("the period must be a positive number of seconds")]
    ZeroPeriod,
}

impl OtpParams {
    /// TOTP with the defaults of Key Uri Format: SHA1, 6 digits, 30 s.
    pub const fn totp() -> Self {
        OtpParams {
            kind: OtpKind::Totp,
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
            counter: 0,
        }
    }

    /// HOTP with SHA1 and 6 digits, starting at `counter`.
    pub const fn hotp(counter: u64) -> Self {
        OtpParams {
            kind: OtpKind::Hotp,
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
            counter,
        }
    }

    /// Steam Guard's fixed parameters.
    pub const fn steam() -> Self {
        OtpParams {
            kind: OtpKind::Steam,
            algorithm: Algorithm::Sha1,
            digits: STEAM_DIGITS,
            period: 30,
            counter: 0,
        }
    }

    /// The defaults of a kind: [`OtpParams::totp`], [`OtpParams::hotp`] from 0, or
    /// [`OtpParams::steam`]. Every place that builds parameters from a kind starts here.
    pub const fn for_kind(kind: OtpKind) -> Self {
        match kind {
            OtpKind::Totp => OtpParams::totp(),
            OtpKind::Hotp => OtpParams::hotp(0),
            OtpKind::Steam => OtpParams::steam(),
        }
    }

    /// Checks that codes can be generated with these parameters.
    pub fn validate(&self) -> Result<(), ParamsError> {
        if !DIGITS_RANGE.contains(&self.digits) {
            return Err(ParamsError::Digits(self.digits));
        }
        if self.kind == OtpKind::Steam && self.digits != STEAM_DIGITS {
            return Err(ParamsError::SteamDigits(self.digits));
        }
        if self.period == 0 {
            return Err(ParamsError::ZeroPeriod);
        }
        Ok(())
    }
}

/// What the user sees and organizes; none of it affects the codes.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct AccountMeta {
    /// Free text; may hold recovery codes, so it is encrypted at rest and never printed in `Debug`.
    pub note: String,
    /// An icon reference (URL from an `image` parameter, or an identifier); never fetched automatically.
    pub icon: Option<String>,
    /// The icon itself, as another app carried it: an image (Aegis) or a reference into that
    /// app's icon collection (2FAS, Ente). Stored sealed; lists only say that there is one.
    pub picture: Option<crate::icon::Icon>,
    /// Names of the groups (folders) the account belongs to.
    pub groups: Vec<String>,
    /// Pinned to the top by the user.
    pub favorite: bool,
}

impl fmt::Debug for AccountMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountMeta")
            .field(
                "note",
                &format_args!("<{} chars redacted>", self.note.chars().count()),
            )
            .field("icon", &self.icon)
            .field("picture", &self.picture)
            .field("groups", &self.groups)
            .field("favorite", &self.favorite)
            .finish()
    }
}

/// One OTP account: who it is for, its secret and how codes are made. `Debug` prints neither
/// the secret, the note nor the values of `extra` (a `pin` parameter is one).
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// The service (e.g. `GitHub`); empty when unknown.
    pub issuer: String,
    /// The account name at the service (e.g. `alice@example.org`).
    pub label: String,
    /// The shared secret; `Debug` redacts it.
    pub secret: Secret,
    /// How codes are derived.
    pub params: OtpParams,
    /// Note, icon, picture, groups, favorite.
    pub meta: AccountMeta,
    /// URI parameters Tessera does not interpret but keeps (`pin`, `serial`, `creator`, …),
    /// in the order they appeared, so an export gives back what was imported.
    pub extra: Vec<(String, String)>,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("issuer", &self.issuer)
            .field("label", &self.label)
            .field("secret", &self.secret)
            .field("params", &self.params)
            .field("meta", &self.meta)
            .field("extra", &RedactedPairs(&self.extra))
            .finish()
    }
}

/// `name=<redacted>` for each pair: which parameters there are, none of their values.
pub(crate) struct RedactedPairs<'a>(pub(crate) &'a [(String, String)]);

impl fmt::Debug for RedactedPairs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| RedactedPair(name)))
            .finish()
    }
}

struct RedactedPair<'a>(&'a str);

impl fmt::Debug for RedactedPair<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}=<redacted>", self.0)
    }
}

impl Account {
    /// A new account with default metadata and no extra parameters.
    pub fn new(
        issuer: impl Into<String>,
        label: impl Into<String>,
        secret: Secret,
        params: OtpParams,
    ) -> Self {
        Account {
            issuer: issuer.into(),
            label: label.into(),
            secret,
            params,
            meta: AccountMeta::default(),
            extra: Vec::new(),
        }
    }

    /// True when both accounts produce the same codes: same secret and same parameters
    /// (the HOTP counter is state, not identity, so it is ignored). Constant-time on the secret.
    pub fn same_codes_as(&self, other: &Account) -> bool {
        let (a, b) = (&self.params, &other.params);
        a.kind == b.kind
            && a.algorithm == b.algorithm
            && a.digits == b.digits
            && (a.kind == OtpKind::Hotp || a.period == b.period)
            && self.secret.ct_eq(&other.secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret_note_or_parameter_value() {
        let mut account = Account::new(
            "ACME",
            "alice",
            Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
            OtpParams::default(),
        );
        account.meta.note = "recovery: alpha-bravo".into();
        account.extra = vec![("pin".into(), "pinvalue7731".into())];
        let shown = format!("{account:?}");
        for hidden in ["JBSWY3DPEHPK3PXP", "alpha-bravo", "pinvalue7731"] {
            assert!(!shown.contains(hidden), "{hidden} in {shown}");
        }
        for kept in ["ACME", "alice", "\"pin\"=<redacted>"] {
            assert!(shown.contains(kept), "{kept} missing from {shown}");
        }
    }

    #[test]
    fn equality_of_secrets_is_the_constant_time_one() {
        let a = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let b = Secret::from_base32("jbsw y3dp ehpk 3pxp").unwrap();
        let c = Secret::from_base32("JBSWY3DPEHPK3PXQ").unwrap();
        assert!(a == b && a.ct_eq(&b));
        assert!(a != c && !a.ct_eq(&c));
        assert!(a != Secret::from_bytes(a.as_bytes()[..5].to_vec()));
    }
}
