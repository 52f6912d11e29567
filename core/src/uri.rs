//! otpauth URIs (Google's Key Uri Format) and privacyIDEA push enrollment URIs.
//!
//! ```text
//! otpauth://TYPE/LABEL?secret=…&issuer=…&algorithm=…&digits=…&period=…&counter=…
//! otpauth://pipush/LABEL?url=…&ttl=…&issuer=…&enrollment_credential=…&v=1&serial=…&sslverify=…
//! ```
//!
//! [`parse`] accepts what real services emit; [`format()`] writes one canonical form, and
//! `parse(format(x)) == x` for every account `parse` can produce.
//!
//! # What is accepted (decisions)
//! - Scheme and type are case-insensitive (`OTPAUTH://TOTP/` is fine). `pia://` is only
//!   privacyIDEA's alternative scheme for `pipush`.
//! - Percent-escapes are decoded everywhere, and `+` means a space everywhere, the label
//!   included: encoders that write `+` for a space (Java's `URLEncoder`, HTML forms) also write a
//!   literal plus as `%2B`, and encoders that keep a raw `+` are rarer than they are. A plus sign in
//!   an account name (`alice+2fa@…`) must therefore arrive as `%2B`, which is what [`format()`] writes.
//! - There are no fragments in otpauth URIs: a raw `#` is kept as text.
//! - Label `Issuer:Account` (the colon raw or `%3A`, spaces after it ignored) or just `Account`.
//!   An `issuer` parameter wins over the label prefix; the prefix is then dropped from the
//!   account name. Surrounding whitespace of issuer and account name is removed.
//! - Secrets: base32, any case, with spaces, hyphens or `=` padding, or none; 80-bit secrets too.
//! - `algorithm` in any case (`sha256`, `SHA-256`); `digits` 1..=10; any positive `period`.
//! - HOTP without `counter` starts at 0. Google's spec calls the counter required, but refusing
//!   a URI that a service really handed out helps nobody, and 0 is what RFC 4226 starts from
//!   (the server's look-ahead window absorbs a counter that is behind).
//! - Steam Guard: `otpauth://steam/…` (Aegis, 2FAS); `otpauth://totp/…?encoder=steam`
//!   (KeePassXC); and `otpauth://totp/…` whose issuer is `Steam` and that has no `digits`
//!   parameter (the `uri` Steam Desktop Authenticator and Steam's mobile data carry). A Steam
//!   code always has 5 characters: a `digits` parameter other than 5 is refused.
//! - `image` becomes the account's icon reference (never fetched). Every other parameter
//!   (`pin`, `serial`, `creator`, unknown ones, and `period`/`counter` where they do not apply)
//!   is kept in [`Account::extra`] in its order, so an export gives back what was imported.
//! - A known parameter given twice is refused: apps disagree on which one wins.
//!
//! Error messages name the part that is wrong, never its value: a URI carries its secret.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, utf8_percent_encode};
use zeroize::Zeroizing;

use crate::account::{
    Account, AccountMeta, Algorithm, DIGITS_RANGE, OtpKind, OtpParams, STEAM_DIGITS,
};
use crate::secret::{Secret, SecretError};

pub use crate::push::PushEnrollment;

/// What a URI turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedUri {
    /// An OTP account (`otpauth://totp|hotp|steam/…`).
    Otp(Account),
    /// A privacyIDEA push token enrollment (`otpauth://pipush/…` or `pia://pipush/…`).
    Push(PushEnrollment),
}

/// Why a URI was refused. Names the offending part, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// The text is empty or only whitespace.
    #[error("the URI is empty")]
    Empty,
    /// No `scheme://` at the start: this is not a URI.
    #[error("malformed URI: expected otpauth://TYPE/LABEL?PARAMETERS")]
    Malformed,
    /// A scheme other than `otpauth` (or `pia` for push enrollments).
    #[error("wrong scheme: expected otpauth:// (or pia:// for a privacyIDEA push enrollment)")]
    WrongScheme,
    /// A type other than `totp`, `hotp`, `steam` or `pipush`.
    #[error("unknown OTP type: expected totp, hotp, steam or pipush")]
    UnknownType,
    /// Percent-decoding gave bytes that are not UTF-8.
    #[error("the {field} is not valid UTF-8 after percent-decoding")]
    InvalidUtf8 {
        /// `label` or the parameter's name (`parameter` for unknown ones).
        field: &'static str,
    },
    /// Issuer or account name contains control characters (line breaks, escapes).
    #[error("the {field} contains control characters")]
    ControlCharacter {
        /// `issuer` or `label`.
        field: &'static str,
    },
    /// A parameter Tessera interprets appears more than once.
    #[error("the parameter `{name}` appears more than once")]
    DuplicateParameter {
        /// The parameter's name.
        name: &'static str,
    },
    /// No `secret` parameter.
    #[error("the URI has no secret parameter")]
    MissingSecret,
    /// `secret=` with nothing in it (after removing spaces and padding).
    #[error("the secret is empty")]
    EmptySecret,
    /// The secret contains a character outside base32.
    #[error("the secret is not base32: character {position} is not in A–Z or 2–7")]
    SecretNotBase32 {
        /// 1-based position of the first offending character in the decoded secret.
        position: usize,
    },
    /// The secret has a length no base32 encoder produces.
    #[error("the secret has an impossible base32 length ({len} characters)")]
    SecretLength {
        /// Number of base32 characters.
        len: usize,
    },
    /// An `algorithm` other than SHA1, SHA256, SHA512.
    #[error("unsupported algorithm: expected SHA1, SHA256 or SHA512")]
    UnsupportedAlgorithm,
    /// `digits` is not a decimal number.
    #[error("digits is not a number")]
    DigitsNotANumber,
    /// `digits` outside 1..=10.
    #[error("digits must be between 1 and 10")]
    DigitsOutOfRange,
    /// A Steam account with `digits` other than 5.
    #[error("Steam Guard codes have 5 characters; the digits parameter says otherwise")]
    SteamDigits,
    /// `period` is not a decimal number.
    #[error("period is not a number")]
    PeriodNotANumber,
    /// `period=0`.
    #[error("the period must be a positive number of seconds")]
    ZeroPeriod,
    /// `period` above 2^32−1 seconds.
    #[error("the period is too long")]
    PeriodTooLarge,
    /// `counter` is not a decimal number below 2^64.
    #[error("counter is not a number between 0 and 2^64-1")]
    CounterNotANumber,
    /// [`parse_otp`] was given a push enrollment URI.
    #[error("this is a privacyIDEA push enrollment, not an OTP account")]
    NotAnOtpAccount,
    /// An `otpauth-migration://` link that is not a readable Google Authenticator transfer.
    #[error("the otpauth-migration link is not a readable Google Authenticator transfer")]
    BadMigration,
    /// A push enrollment without a parameter it needs.
    #[error("the push enrollment has no `{name}` parameter")]
    MissingPushParameter {
        /// `url`, `serial` or `enrollment_credential`.
        name: &'static str,
    },
    /// A push enrollment parameter with a value outside its format.
    #[error("the push enrollment parameter `{name}` has an invalid value")]
    InvalidPushParameter {
        /// The parameter's name.
        name: &'static str,
    },
    /// The push registration URL is not an http(s) URL.
    #[error("the push registration url is not an http:// or https:// URL")]
    InvalidPushUrl,
    /// A push enrollment version other than 1.
    #[error("unsupported push enrollment version (only v=1 exists)")]
    UnsupportedPushVersion,
}

impl From<SecretError> for UriError {
    fn from(error: SecretError) -> Self {
        match error {
            SecretError::Empty => UriError::EmptySecret,
            SecretError::NotBase32 { position } => UriError::SecretNotBase32 { position },
            SecretError::BadLength { len } => UriError::SecretLength { len },
        }
    }
}

/// Reads an otpauth or privacyIDEA push enrollment URI.
pub fn parse(uri: &str) -> Result<ParsedUri, UriError> {
    let raw = RawUri::split(uri)?;
    match raw.kind {
        RawKind::Push => crate::push::enrollment::parse(&raw).map(ParsedUri::Push),
        RawKind::Otp(kind) => parse_account(&raw, kind).map(ParsedUri::Otp),
    }
}

/// What a scanned QR code or an opened link is, so a shell routes it before handling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// An OTP account (`otpauth://totp|hotp|steam/…`): add it.
    Otp,
    /// A privacyIDEA push enrollment (`otpauth://pipush/…`, `pia://pipush/…`): enroll it.
    PushEnrollment,
    /// A batch of accounts to import: a Google Authenticator transfer
    /// (`otpauth-migration://offline?data=…`), read by the importer as
    /// [`crate::transfer::Format::GoogleMigration`].
    ImportBatch,
}

/// Tells what `text` (a QR code's text or a link, surrounding whitespace ignored) is. The
/// whole link is read, so a link this accepts is one its handler accepts too; an error names
/// the bad part, never its value.
pub fn link_kind(text: &str) -> Result<LinkKind, UriError> {
    let text = text.trim();
    let scheme = text.split_once("://").map_or("", |(scheme, _)| scheme);
    if scheme.eq_ignore_ascii_case("otpauth-migration") {
        return if crate::transfer::is_google_migration_uri(text) {
            Ok(LinkKind::ImportBatch)
        } else {
            Err(UriError::BadMigration)
        };
    }
    Ok(match parse(text)? {
        ParsedUri::Otp(_) => LinkKind::Otp,
        ParsedUri::Push(_) => LinkKind::PushEnrollment,
    })
}

/// Reads an otpauth URI that must describe an OTP account (push enrollments are refused).
pub fn parse_otp(uri: &str) -> Result<Account, UriError> {
    match parse(uri)? {
        ParsedUri::Otp(account) => Ok(account),
        ParsedUri::Push(_) => Err(UriError::NotAnOtpAccount),
    }
}

// Everything outside RFC 3986's unreserved characters is escaped, plus `@` kept readable;
// in particular `:`, `?`, `&`, `=`, `%`, `+`, `#`, `/` and spaces (as `%20`).
const ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// The canonical otpauth URI of an account:
/// `otpauth://TYPE/ISSUER:LABEL?secret=…&issuer=…&algorithm=…&digits=…&period=…` (`counter`
/// instead of `period` for HOTP), then `image` and the extra parameters in order.
///
/// Every parameter is written explicitly, defaults included, so that no reader has to guess.
/// The secret is uppercase unpadded base32; text is UTF-8 percent-encoded (`%20` for spaces).
/// The result holds the secret and is wiped on drop.
pub fn format(account: &Account) -> Zeroizing<String> {
    let issuer = utf8_percent_encode(&account.issuer, ESCAPE);
    let label = utf8_percent_encode(&account.label, ESCAPE);
    let secret = account.secret.to_base32();
    let params = &account.params;

    // Reserve enough up front so that the buffer holding the secret is never reallocated
    // (a reallocation would leave an unwiped copy behind).
    let text_len = |s: &str| s.len() * 3;
    let capacity = 160
        + 2 * text_len(&account.issuer)
        + text_len(&account.label)
        + secret.len()
        + account.meta.icon.as_deref().map_or(0, text_len)
        + account
            .extra
            .iter()
            .map(|(k, v)| text_len(k) + text_len(v) + 2)
            .sum::<usize>();
    let mut out = Zeroizing::new(String::with_capacity(capacity));
    let reserved = out.capacity();
    let mut push = |parts: &[&dyn fmt::Display]| {
        for part in parts {
            // Writing into a String cannot fail.
            let _ = fmt::write(&mut *out, format_args!("{part}"));
        }
    };

    push(&[&"otpauth://", &params.kind.as_str(), &"/"]);
    if !account.issuer.is_empty() {
        push(&[&issuer]);
        push(&[&":"]);
    } else if account.label.contains(':') {
        // An empty issuer prefix keeps a colon inside the account name from being read as one.
        push(&[&":"]);
    }
    push(&[&label, &"?secret=", &secret.as_str()]);
    if !account.issuer.is_empty() {
        push(&[&"&issuer=", &issuer]);
    }
    push(&[
        &"&algorithm=",
        &params.algorithm.as_str(),
        &"&digits=",
        &params.digits,
    ]);
    if params.kind.is_time_based() {
        push(&[&"&period=", &params.period]);
    } else {
        push(&[&"&counter=", &params.counter]);
    }
    if let Some(icon) = account.meta.icon.as_deref().filter(|i| !i.is_empty()) {
        push(&[&"&image=", &utf8_percent_encode(icon, ESCAPE)]);
    }
    for (key, value) in &account.extra {
        // A kept parameter never overrides one written above (parse would read it as that one).
        if interpreted_param(params.kind, key, value) {
            continue;
        }
        push(&[
            &"&",
            &utf8_percent_encode(key, ESCAPE),
            &"=",
            &utf8_percent_encode(value, ESCAPE),
        ]);
    }
    // The property tests run this on arbitrary Unicode accounts.
    debug_assert_eq!(out.capacity(), reserved, "format reallocated its buffer");
    out
}

/// True when `parse` gives `key=value` a meaning for an account of `kind` (so it never lands in
/// `extra`).
fn interpreted_param(kind: OtpKind, key: &str, value: &str) -> bool {
    match OtpParam::from_key(key) {
        Some(OtpParam::Period) => kind.is_time_based(),
        Some(OtpParam::Counter) => !kind.is_time_based(),
        Some(OtpParam::Encoder) => kind != OtpKind::Hotp && is_steam_encoder(value),
        Some(_) => true,
        None => false,
    }
}

fn is_steam_encoder(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("steam")
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawKind {
    Otp(OtpKind),
    Push,
}

/// A URI cut into its parts, nothing decoded yet.
pub(crate) struct RawUri<'a> {
    pub(crate) kind: RawKind,
    pub(crate) pia_scheme: bool,
    pub(crate) label: &'a str,
    pub(crate) query: &'a str,
}

impl<'a> RawUri<'a> {
    fn split(uri: &'a str) -> Result<Self, UriError> {
        // QR scanners and clipboards add line breaks and spaces around the text.
        let uri = uri.trim();
        if uri.is_empty() {
            return Err(UriError::Empty);
        }
        let (scheme, rest) = uri.split_once("://").ok_or(UriError::Malformed)?;
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            return Err(UriError::Malformed);
        }
        let pia_scheme = scheme.eq_ignore_ascii_case("pia");
        if !pia_scheme && !scheme.eq_ignore_ascii_case("otpauth") {
            return Err(UriError::WrongScheme);
        }
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (kind, label) = path.split_once('/').unwrap_or((path, ""));
        let kind = match kind.to_ascii_lowercase().as_str() {
            "totp" => RawKind::Otp(OtpKind::Totp),
            "hotp" => RawKind::Otp(OtpKind::Hotp),
            "steam" => RawKind::Otp(OtpKind::Steam),
            "pipush" => RawKind::Push,
            _ => return Err(UriError::UnknownType),
        };
        // `pia://` is privacyIDEA's scheme for push enrollments only.
        if pia_scheme && kind != RawKind::Push {
            return Err(UriError::WrongScheme);
        }
        Ok(RawUri {
            kind,
            pia_scheme,
            label,
            query,
        })
    }

    /// The decoded `(key, value)` pairs in order; empty pieces (`&&`) are skipped.
    pub(crate) fn params(
        &self,
    ) -> impl Iterator<Item = Result<(String, Zeroizing<String>), UriError>> + '_ {
        self.query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|piece| {
                let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
                let key = decode(key, "parameter")?;
                let field = OtpParam::from_key(&key)
                    .map(OtpParam::name)
                    .or_else(|| crate::push::enrollment::param_name(&key))
                    .unwrap_or("parameter");
                let value = decode(value, field)?;
                Ok((key.to_string(), value))
            })
    }
}

/// Percent-decodes `text`, reading `+` as a space. The result may hold a secret, so it is
/// wiped on drop.
pub(crate) fn decode(text: &str, field: &'static str) -> Result<Zeroizing<String>, UriError> {
    let mut bytes = Zeroizing::new(text.as_bytes().to_vec());
    for b in bytes.iter_mut() {
        if *b == b'+' {
            *b = b' ';
        }
    }
    let decoded: Zeroizing<Vec<u8>> = Zeroizing::new(percent_decode(&bytes).collect());
    match std::str::from_utf8(&decoded) {
        Ok(s) => Ok(Zeroizing::new(s.to_owned())),
        Err(_) => Err(UriError::InvalidUtf8 { field }),
    }
}

/// The parameters an OTP URI interprets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OtpParam {
    Secret,
    Issuer,
    Algorithm,
    Digits,
    Period,
    Counter,
    Image,
    Encoder,
}

impl OtpParam {
    const ALL: [OtpParam; 8] = [
        OtpParam::Secret,
        OtpParam::Issuer,
        OtpParam::Algorithm,
        OtpParam::Digits,
        OtpParam::Period,
        OtpParam::Counter,
        OtpParam::Image,
        OtpParam::Encoder,
    ];

    fn name(self) -> &'static str {
        match self {
            OtpParam::Secret => "secret",
            OtpParam::Issuer => "issuer",
            OtpParam::Algorithm => "algorithm",
            OtpParam::Digits => "digits",
            OtpParam::Period => "period",
            OtpParam::Counter => "counter",
            OtpParam::Image => "image",
            OtpParam::Encoder => "encoder",
        }
    }

    // Parameter names are matched case-insensitively: `Secret=` exists in the wild.
    fn from_key(key: &str) -> Option<Self> {
        OtpParam::ALL
            .into_iter()
            .find(|p| key.eq_ignore_ascii_case(p.name()))
    }
}

/// Collects each interpreted parameter once, refusing a second occurrence.
pub(crate) struct Slots<const N: usize>([Option<Zeroizing<String>>; N]);

impl<const N: usize> Slots<N> {
    pub(crate) fn new() -> Self {
        Slots(std::array::from_fn(|_| None))
    }

    pub(crate) fn put(
        &mut self,
        index: usize,
        value: Zeroizing<String>,
        name: &'static str,
    ) -> Result<(), UriError> {
        if self.0[index].is_some() {
            return Err(UriError::DuplicateParameter { name });
        }
        self.0[index] = Some(value);
        Ok(())
    }

    pub(crate) fn get(&self, index: usize) -> Option<&str> {
        self.0[index].as_deref().map(String::as_str)
    }
}

/// Splits a decoded label into issuer prefix and account name.
/// With an issuer parameter, a prefix equal to it is removed even if the issuer holds a colon.
pub(crate) fn split_label<'a>(
    label: &'a str,
    issuer_param: Option<&'a str>,
) -> (Option<&'a str>, &'a str) {
    if let Some(issuer) = issuer_param
        && let Some(rest) = label.strip_prefix(issuer).and_then(|r| r.strip_prefix(':'))
    {
        return (Some(issuer), rest.trim());
    }
    match label.split_once(':') {
        Some((prefix, rest)) => (Some(prefix.trim()), rest.trim()),
        None => (None, label.trim()),
    }
}

pub(crate) fn check_text(text: &str, field: &'static str) -> Result<(), UriError> {
    if text.chars().any(char::is_control) {
        return Err(UriError::ControlCharacter { field });
    }
    Ok(())
}

/// A decimal number of ASCII digits only (no sign, no spaces inside).
pub(crate) enum Number {
    Value(u64),
    TooLarge,
    Invalid,
}

pub(crate) fn number(text: &str) -> Number {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Number::Invalid;
    }
    text.parse().map_or(Number::TooLarge, Number::Value)
}

fn parse_digits(text: &str) -> Result<u8, UriError> {
    match number(text) {
        Number::Value(d) => u8::try_from(d)
            .ok()
            .filter(|d| DIGITS_RANGE.contains(d))
            .ok_or(UriError::DigitsOutOfRange),
        Number::TooLarge => Err(UriError::DigitsOutOfRange),
        Number::Invalid => Err(UriError::DigitsNotANumber),
    }
}

fn parse_period(text: &str) -> Result<u32, UriError> {
    match number(text) {
        Number::Value(0) => Err(UriError::ZeroPeriod),
        Number::Value(p) => u32::try_from(p).map_err(|_| UriError::PeriodTooLarge),
        Number::TooLarge => Err(UriError::PeriodTooLarge),
        Number::Invalid => Err(UriError::PeriodNotANumber),
    }
}

fn parse_counter(text: &str) -> Result<u64, UriError> {
    match number(text) {
        Number::Value(c) => Ok(c),
        Number::TooLarge | Number::Invalid => Err(UriError::CounterNotANumber),
    }
}

fn parse_account(raw: &RawUri<'_>, kind: OtpKind) -> Result<Account, UriError> {
    let mut slots: Slots<8> = Slots::new();
    let mut extra = Vec::new();
    for pair in raw.params() {
        let (key, value) = pair?;
        match OtpParam::from_key(&key) {
            Some(param) if interpreted_param(kind, &key, &value) => {
                slots.put(param as usize, value, param.name())?
            }
            Some(param) => {
                // A period on HOTP or a counter on TOTP means nothing, but must still be
                // well-formed. It is kept, like an encoder other than Steam's.
                match param {
                    OtpParam::Period => drop(parse_period(&value)?),
                    OtpParam::Counter => drop(parse_counter(&value)?),
                    _ => {}
                }
                extra.push((key, value.to_string()));
            }
            None => extra.push((key, value.to_string())),
        }
    }
    let get = |p: OtpParam| slots.get(p as usize);

    let secret = Secret::from_base32(get(OtpParam::Secret).ok_or(UriError::MissingSecret)?)?;

    let label_text = decode(raw.label, "label")?;
    let issuer_param = get(OtpParam::Issuer)
        .map(str::trim)
        .filter(|i| !i.is_empty());
    let (prefix, label) = split_label(&label_text, issuer_param);
    let issuer = issuer_param.or(prefix).unwrap_or("");
    check_text(issuer, "issuer")?;
    check_text(label, "label")?;

    let algorithm = match get(OtpParam::Algorithm) {
        Some(name) => Algorithm::parse(name.trim()).ok_or(UriError::UnsupportedAlgorithm)?,
        None => Algorithm::Sha1,
    };
    let digits = get(OtpParam::Digits).map(parse_digits).transpose()?;
    let period = get(OtpParam::Period).map(parse_period).transpose()?;
    let counter = get(OtpParam::Counter).map(parse_counter).transpose()?;

    let mut kind = kind;
    if get(OtpParam::Encoder).is_some() {
        kind = OtpKind::Steam;
    }
    if kind == OtpKind::Totp && digits.is_none() && issuer.eq_ignore_ascii_case("steam") {
        kind = OtpKind::Steam;
    }

    let params = match kind {
        OtpKind::Totp => OtpParams {
            algorithm,
            digits: digits.unwrap_or(6),
            period: period.unwrap_or(30),
            ..OtpParams::totp()
        },
        OtpKind::Hotp => OtpParams {
            algorithm,
            digits: digits.unwrap_or(6),
            ..OtpParams::hotp(counter.unwrap_or(0))
        },
        OtpKind::Steam => {
            if digits.is_some_and(|d| d != STEAM_DIGITS) {
                return Err(UriError::SteamDigits);
            }
            OtpParams {
                algorithm,
                period: period.unwrap_or(30),
                ..OtpParams::steam()
            }
        }
    };

    let icon = get(OtpParam::Image)
        .filter(|i| !i.is_empty())
        .map(str::to_owned);
    Ok(Account {
        issuer: issuer.to_owned(),
        label: label.to_owned(),
        secret,
        params,
        meta: AccountMeta {
            icon,
            picture: None,
            ..AccountMeta::default()
        },
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_google_example() {
        let a = parse_otp(
            "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
        )
        .unwrap();
        assert_eq!(a.issuer, "Example");
        assert_eq!(a.label, "alice@google.com");
        assert_eq!(a.params, OtpParams::totp());
        assert_eq!(a.secret, Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
    }

    #[test]
    fn format_is_canonical_and_round_trips() {
        let mut a = Account::new(
            "Big Corp: R&D",
            "alice+2fa@example.org",
            Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
            OtpParams::hotp(7),
        );
        a.extra.push(("pin".into(), "True".into()));
        let text = format(&a);
        assert_eq!(
            text.as_str(),
            "otpauth://hotp/Big%20Corp%3A%20R%26D:alice%2B2fa@example.org?secret=JBSWY3DPEHPK3PXP\
             &issuer=Big%20Corp%3A%20R%26D&algorithm=SHA1&digits=6&counter=7&pin=True"
        );
        assert_eq!(parse_otp(&text).unwrap(), a);
    }
}
