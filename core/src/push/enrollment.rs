//! The privacyIDEA push enrollment URI (`otpauth://pipush/…`, `pia://pipush/…`): ONE type,
//! [`PushEnrollment`], read once from the QR code and used as is to enroll. Cutting the URI
//! into scheme, label and decoded parameters is shared with otpauth URIs (`crate::uri`);
//! what the push parameters mean is decided here.

use zeroize::Zeroizing;

use super::PushError;
use crate::uri::{
    Number, ParsedUri, RawUri, Slots, UriError, check_text, decode, number, split_label,
};

/// A privacyIDEA push token enrollment, read from its QR code (protocol section 1).
#[derive(Clone, PartialEq, Eq)]
pub struct PushEnrollment {
    /// The account name from the label (usually the token serial), issuer prefix removed.
    pub label: String,
    /// The `issuer` parameter (or label prefix); empty when absent.
    pub issuer: String,
    /// The registration URL (`url`, percent-decoded) the phone posts its key to; http or https.
    pub url: String,
    /// `ttl`: minutes the server waits for the enrollment to be finished (informational only).
    pub ttl_minutes: Option<u32>,
    /// `enrollment_credential`: the one-time credential that authorizes finishing the
    /// enrollment. Secret: wiped on drop and redacted in `Debug`.
    pub enrollment_credential: Zeroizing<String>,
    /// `serial`: the token serial (e.g. `PIPU0001353C`).
    pub serial: String,
    /// `sslverify`: whether the phone must verify the server's TLS certificate (default true).
    pub sslverify: bool,
    /// `poll_only`: the server sends no push notifications; the phone must poll (default false).
    pub poll_only: bool,
    /// `pin`: the app should protect the token with a PIN (default false).
    pub pin: bool,
    /// `app_force_unlock`: how the app must be unlocked before answering (`any`, `biometric`,
    /// `pin`), as given.
    pub app_force_unlock: Option<String>,
    /// `image`: an icon URL (never fetched automatically).
    pub image: Option<String>,
    /// `v`: the enrollment URI version; only 1 exists and is accepted (default 1 when absent).
    pub version: u32,
    /// True when the URI used the `pia://` scheme (server policy `push_use_pia_scheme`).
    pub pia_scheme: bool,
    /// Parameters not interpreted here (e.g. Firebase settings of old servers), in order.
    pub extra: Vec<(String, String)>,
}

impl std::fmt::Debug for PushEnrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushEnrollment")
            .field("label", &self.label)
            .field("issuer", &self.issuer)
            .field("url", &self.url)
            .field("ttl_minutes", &self.ttl_minutes)
            .field("enrollment_credential", &"<redacted>")
            .field("serial", &self.serial)
            .field("sslverify", &self.sslverify)
            .field("poll_only", &self.poll_only)
            .field("pin", &self.pin)
            .field("app_force_unlock", &self.app_force_unlock)
            .field("image", &self.image)
            .field("version", &self.version)
            .field("pia_scheme", &self.pia_scheme)
            .field("extra", &crate::account::RedactedPairs(&self.extra))
            .finish()
    }
}

/// How the app must be unlocked before it shows or answers a token's requests: the server's
/// `app_force_unlock` enrollment parameter (privacyIDEA policy `push_force_app_unlock`, an
/// app-side promise the server cannot check). Kept with the token, authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForceUnlock {
    /// Any unlock the device offers (`any`; also any value this version does not know: a
    /// demand Tessera cannot read is never dropped, it falls to the weakest unlock it knows).
    Any,
    /// A biometric unlock (`biometric`).
    Biometric,
    /// The device PIN or passcode (`pin`).
    Pin,
}

impl ForceUnlock {
    /// Reads the parameter's value (any case); unknown values are [`ForceUnlock::Any`].
    pub fn from_param(value: &str) -> Self {
        match value.trim().to_ascii_lowercase().as_str() {
            "biometric" => ForceUnlock::Biometric,
            "pin" => ForceUnlock::Pin,
            _ => ForceUnlock::Any,
        }
    }

    /// The value as privacyIDEA writes it (and the vault stores it).
    pub fn as_str(self) -> &'static str {
        match self {
            ForceUnlock::Any => "any",
            ForceUnlock::Biometric => "biometric",
            ForceUnlock::Pin => "pin",
        }
    }
}

impl PushEnrollment {
    /// The unlock the server demands before this token's requests are shown, if any.
    pub fn force_unlock(&self) -> Option<ForceUnlock> {
        self.app_force_unlock
            .as_deref()
            .map(ForceUnlock::from_param)
    }

    /// Reads an `otpauth://pipush/…` or `pia://pipush/…` enrollment URI;
    /// [`PushError::NotPushUri`] for an OTP account URI.
    pub fn from_uri(uri: &str) -> Result<Self, PushError> {
        match crate::uri::parse(uri)? {
            ParsedUri::Push(push) => Ok(push),
            ParsedUri::Otp(_) => Err(PushError::NotPushUri),
        }
    }
}

/// The parameters a push enrollment URI interprets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PushParam {
    Url,
    Ttl,
    Issuer,
    EnrollmentCredential,
    Serial,
    SslVerify,
    PollOnly,
    Pin,
    AppForceUnlock,
    Image,
    Version,
}

impl PushParam {
    const ALL: [PushParam; 11] = [
        PushParam::Url,
        PushParam::Ttl,
        PushParam::Issuer,
        PushParam::EnrollmentCredential,
        PushParam::Serial,
        PushParam::SslVerify,
        PushParam::PollOnly,
        PushParam::Pin,
        PushParam::AppForceUnlock,
        PushParam::Image,
        PushParam::Version,
    ];

    fn name(self) -> &'static str {
        match self {
            PushParam::Url => "url",
            PushParam::Ttl => "ttl",
            PushParam::Issuer => "issuer",
            PushParam::EnrollmentCredential => "enrollment_credential",
            PushParam::Serial => "serial",
            PushParam::SslVerify => "sslverify",
            PushParam::PollOnly => "poll_only",
            PushParam::Pin => "pin",
            PushParam::AppForceUnlock => "app_force_unlock",
            PushParam::Image => "image",
            PushParam::Version => "v",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        PushParam::ALL
            .into_iter()
            .find(|p| key.eq_ignore_ascii_case(p.name()))
    }
}

/// The canonical name of a push parameter `key` (any case), for naming it in errors.
pub(crate) fn param_name(key: &str) -> Option<&'static str> {
    PushParam::from_key(key).map(PushParam::name)
}

/// privacyIDEA writes `True`/`False` (Python) for flags and `0`/`1` for `sslverify`;
/// both spellings are accepted for every flag.
fn parse_flag(text: &str, name: &'static str) -> Result<bool, UriError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(UriError::InvalidPushParameter { name }),
    }
}

/// Reads the parameters of a push enrollment URI already cut by [`crate::uri`].
pub(crate) fn parse(raw: &RawUri<'_>) -> Result<PushEnrollment, UriError> {
    let mut slots: Slots<11> = Slots::new();
    let mut extra = Vec::new();
    for pair in raw.params() {
        let (key, value) = pair?;
        match PushParam::from_key(&key) {
            Some(param) => slots.put(param as usize, value, param.name())?,
            None => extra.push((key, value.to_string())),
        }
    }
    let get = |p: PushParam| slots.get(p as usize);
    let required = |p: PushParam| {
        get(p)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(UriError::MissingPushParameter { name: p.name() })
    };

    let url = required(PushParam::Url)?;
    let lower = url.to_ascii_lowercase();
    let host_start = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return Err(UriError::InvalidPushUrl);
    };
    if url.len() <= host_start || url.chars().any(|c| c.is_control() || c == ' ') {
        return Err(UriError::InvalidPushUrl);
    }
    let enrollment_credential =
        Zeroizing::new(required(PushParam::EnrollmentCredential)?.to_owned());
    let serial = required(PushParam::Serial)?;
    check_text(serial, "serial")?;

    let ttl_minutes = match get(PushParam::Ttl) {
        None => None,
        Some(t) => match number(t) {
            Number::Value(v) => {
                Some(u32::try_from(v).map_err(|_| UriError::InvalidPushParameter { name: "ttl" })?)
            }
            _ => return Err(UriError::InvalidPushParameter { name: "ttl" }),
        },
    };
    let version = match get(PushParam::Version) {
        None => 1,
        Some(v) => match number(v) {
            Number::Value(1) => 1,
            Number::Value(_) | Number::TooLarge => return Err(UriError::UnsupportedPushVersion),
            Number::Invalid => return Err(UriError::InvalidPushParameter { name: "v" }),
        },
    };
    let flag =
        |p: PushParam, default: bool| get(p).map_or(Ok(default), |v| parse_flag(v, p.name()));

    let label_text = decode(raw.label, "label")?;
    let issuer_param = get(PushParam::Issuer)
        .map(str::trim)
        .filter(|i| !i.is_empty());
    let (prefix, label) = split_label(&label_text, issuer_param);
    let issuer = issuer_param.or(prefix).unwrap_or("");
    check_text(issuer, "issuer")?;
    check_text(label, "label")?;

    Ok(PushEnrollment {
        label: label.to_owned(),
        issuer: issuer.to_owned(),
        url: url.to_owned(),
        ttl_minutes,
        enrollment_credential,
        serial: serial.to_owned(),
        sslverify: flag(PushParam::SslVerify, true)?,
        poll_only: flag(PushParam::PollOnly, false)?,
        pin: flag(PushParam::Pin, false)?,
        app_force_unlock: get(PushParam::AppForceUnlock)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
        image: get(PushParam::Image)
            .filter(|i| !i.is_empty())
            .map(str::to_owned),
        version,
        pia_scheme: raw.pia_scheme,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_enrollment_debug_redacts_credential() {
        let p = crate::uri::parse(
            "otpauth://pipush/PIPU0001?url=https%3A//pi.example/ttype/push&ttl=10&issuer=privacyIDEA\
             &enrollment_credential=0123456789abcdef0123456789abcdef01234567&v=1&serial=PIPU0001\
             &sslverify=0&poll_only=True",
        )
        .unwrap();
        let ParsedUri::Push(p) = p else {
            panic!("expected a push enrollment")
        };
        assert_eq!(p.url, "https://pi.example/ttype/push");
        assert!(!format!("{p:?}").contains("0123456789abcdef"));
    }
    #[test]
    fn app_force_unlock_is_read_and_an_unknown_demand_is_kept_as_any() {
        let uri = |extra: &str| {
            format!(
                "otpauth://pipush/P?url=https%3A//pi.example/ttype/push&enrollment_credential=c&serial=P{extra}"
            )
        };
        let unlock = |extra: &str| {
            PushEnrollment::from_uri(&uri(extra))
                .unwrap()
                .force_unlock()
        };
        assert_eq!(unlock(""), None);
        assert_eq!(
            unlock("&app_force_unlock=biometric"),
            Some(ForceUnlock::Biometric)
        );
        assert_eq!(unlock("&app_force_unlock=PIN"), Some(ForceUnlock::Pin));
        assert_eq!(unlock("&app_force_unlock=any"), Some(ForceUnlock::Any));
        assert_eq!(unlock("&app_force_unlock=face"), Some(ForceUnlock::Any));
    }

    #[test]
    fn from_uri_refuses_an_otp_account() {
        assert!(matches!(
            PushEnrollment::from_uri("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"),
            Err(PushError::NotPushUri)
        ));
    }
}
