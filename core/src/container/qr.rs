//! The registration QR code: `pia://container/<serial>?…` (privacyIDEA 3.14).
//!
//! Every value is kept exactly as the server wrote it after percent-decoding: `nonce` and
//! `time` are signed verbatim (re-serialising a parsed time can differ: `.007000` vs `.007`,
//! no fraction when the microseconds are 0).

use percent_encoding::percent_decode_str;
use zeroize::Zeroizing;

use super::ContainerError;
use super::keys::{Curve, HashAlgorithm};

/// What a `pia://container/…` QR code says.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistrationQr {
    /// The container serial (`SMPH…`).
    pub serial: String,
    /// The server's base URL (`privacyIDEA_server_url` policy); endpoints are built under it.
    pub url: String,
    /// Issuer shown to the user.
    pub issuer: String,
    /// One-time challenge of the registration (signed verbatim).
    pub nonce: String,
    /// When the QR was made, as the server wrote it (signed verbatim).
    pub time: String,
    /// Registration window in minutes.
    pub ttl_minutes: u64,
    /// The curve the server asks for (`key_algorithm`).
    pub curve: Curve,
    /// The hash the server verifies with (`hash_algorithm`).
    pub hash: HashAlgorithm,
    /// Verify the server's TLS certificate (`ssl_verify`).
    pub ssl_verify: bool,
    /// The passphrase question; empty when none is asked.
    pub passphrase_prompt: String,
    /// `send_passphrase=True`: the user-store password is asked, signed and sent.
    pub send_passphrase: bool,
    /// Parameters the admin added (`extra_data`), in order.
    pub extra: Vec<(String, String)>,
}

impl std::fmt::Debug for RegistrationQr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // the nonce is the registration's only secret: a photo of the QR is enough to use it
        f.debug_struct("RegistrationQr")
            .field("serial", &self.serial)
            .field("url", &self.url)
            .field("ttl_minutes", &self.ttl_minutes)
            .field("curve", &self.curve)
            .field("hash", &self.hash)
            .field("nonce", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Percent-decodes a query value like Python's `parse_qsl` (which is what the server's own
/// URL building is the inverse of): `+` is a space.
fn decode(value: &str) -> Result<String, ContainerError> {
    let spaced = value.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ContainerError::BadQr("a value is not UTF-8".into()))
}

impl RegistrationQr {
    /// Reads a `pia://container/<serial>?…` URI.
    pub fn parse(uri: &str) -> Result<Self, ContainerError> {
        let uri = Zeroizing::new(uri.trim().to_string());
        let rest = uri
            .strip_prefix("pia://container/")
            .or_else(|| {
                uri.get(..16)
                    .filter(|p| p.eq_ignore_ascii_case("pia://container/"))
                    .map(|_| &uri[16..])
            })
            .ok_or(ContainerError::NotContainerUri)?;
        let (path_serial, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut fields: Vec<(String, String)> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            fields.push((decode(k)?, decode(v)?));
        }
        let take = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let required = |name: &str| {
            take(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| ContainerError::BadQr(format!("`{name}` is missing")))
        };
        let serial = take("serial")
            .filter(|s| !s.is_empty())
            .unwrap_or(decode(path_serial)?);
        if serial.is_empty() {
            return Err(ContainerError::BadQr("`serial` is missing".into()));
        }
        let url = required("url")?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ContainerError::BadQr("`url` is not an http(s) URL".into()));
        }
        let ttl_minutes = match take("ttl") {
            None => 10,
            Some(t) => t
                .parse::<u64>()
                .map_err(|_| ContainerError::BadQr("`ttl` is not a number".into()))?,
        };
        let time = required("time")?;
        parse_iso_seconds(&time)
            .ok_or_else(|| ContainerError::BadQr("`time` is not a date".into()))?;
        let curve_name = take("key_algorithm").unwrap_or_else(|| "secp384r1".into());
        let hash_name = take("hash_algorithm").unwrap_or_else(|| "SHA256".into());
        let known = [
            "serial",
            "url",
            "ttl",
            "time",
            "nonce",
            "issuer",
            "key_algorithm",
            "hash_algorithm",
            "ssl_verify",
            "passphrase",
            "send_passphrase",
        ];
        Ok(RegistrationQr {
            serial,
            url,
            issuer: take("issuer").unwrap_or_default(),
            nonce: required("nonce")?,
            time,
            ttl_minutes,
            curve: Curve::from_name(&curve_name)
                .ok_or(ContainerError::UnsupportedAlgorithm(curve_name))?,
            hash: HashAlgorithm::from_name(&hash_name)
                .ok_or(ContainerError::UnsupportedAlgorithm(hash_name))?,
            // the server writes Python booleans; anything but False verifies, like the server
            ssl_verify: !take("ssl_verify").is_some_and(|v| v.eq_ignore_ascii_case("false")),
            passphrase_prompt: take("passphrase").unwrap_or_default(),
            send_passphrase: take("send_passphrase")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            extra: fields
                .iter()
                .filter(|(k, _)| !known.contains(&k.as_str()))
                .cloned()
                .collect(),
        })
    }

    /// Unix second at which the QR code stops being valid.
    pub fn expires_at(&self) -> u64 {
        let made = parse_iso_seconds(&self.time).unwrap_or(0);
        // Saturating: `ttl` comes from the QR code, and a huge one (found by the `container`
        // fuzz target) overflowed here; it only means "does not expire in our lifetime".
        (made.max(0) as u64).saturating_add(self.ttl_minutes.max(1).saturating_mul(60))
    }

    /// [`ContainerError::QrExpired`] when `now` is past the registration window.
    pub fn check_fresh(&self, now: u64) -> Result<(), ContainerError> {
        let end = self.expires_at();
        if now >= end {
            return Err(ContainerError::QrExpired {
                minutes: (now - end) / 60,
                ttl: self.ttl_minutes,
            });
        }
        Ok(())
    }

    /// What the user must type before registering: `None`, the admin's question, or the
    /// user-store password.
    pub fn needs_passphrase(&self) -> Option<ContainerError> {
        if self.send_passphrase {
            Some(ContainerError::UserPasswordRequired)
        } else if !self.passphrase_prompt.is_empty() {
            Some(ContainerError::PassphraseRequired {
                prompt: self.passphrase_prompt.clone(),
            })
        } else {
            None
        }
    }
}

/// Unix seconds of an ISO 8601 date-time as Python's `isoformat()` writes it
/// (`2026-11-30T18:26:12.386644+00:00`, fraction optional, `Z` or `±HH:MM`).
pub fn parse_iso_seconds(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b' ') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "" | "Z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm = &rest[1..];
            if hm.len() != 5 || hm.as_bytes()[2] != b':' {
                return None;
            }
            sign * (hm[..2].parse::<i64>().ok()? * 3600 + hm[3..].parse::<i64>().ok()? * 60)
        }
    };
    // days-from-civil (proleptic Gregorian), after H. Hinnant's public-domain algorithm
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QR: &str = "pia://container/SMPH0A1B2C3D?issuer=privacyIDEA&ttl=10&nonce=0123456789abcdef0123456789abcdef01234567&time=2026-11-30T18%3A26%3A12.386644%2B00%3A00&url=http%3A//127.0.0.1%3A5078&serial=SMPH0A1B2C3D&key_algorithm=secp384r1&hash_algorithm=SHA256&ssl_verify=False&passphrase=&send_passphrase=False&site=Berlin";

    #[test]
    fn a_huge_ttl_saturates_instead_of_overflowing() {
        let qr =
            RegistrationQr::parse(&QR.replace("ttl=10", &format!("ttl={}", u64::MAX))).unwrap();
        assert_eq!(qr.expires_at(), u64::MAX);
        assert!(qr.check_fresh(4_000_000_000).is_ok());
    }

    #[test]
    fn reads_the_qr_as_the_server_writes_it() {
        let qr = RegistrationQr::parse(QR).unwrap();
        assert_eq!(qr.serial, "SMPH0A1B2C3D");
        assert_eq!(qr.url, "http://127.0.0.1:5078");
        assert_eq!(qr.time, "2026-11-30T18:26:12.386644+00:00");
        assert_eq!((qr.curve, qr.hash), (Curve::P384, HashAlgorithm::Sha256));
        assert!(!qr.ssl_verify && !qr.send_passphrase && qr.passphrase_prompt.is_empty());
        assert_eq!(qr.extra, vec![("site".to_string(), "Berlin".to_string())]);
        assert!(qr.needs_passphrase().is_none());
        assert!(!format!("{qr:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn dates_match_the_unix_clock() {
        // expected values from `date -u -d '2026-11-30T18:26:12+00:00' +%s`
        assert_eq!(
            parse_iso_seconds("2026-11-30T18:26:12.386644+00:00"),
            Some(1_796_063_172)
        );
        assert_eq!(
            parse_iso_seconds("2026-11-30T18:26:12+00:00"),
            Some(1_796_063_172)
        );
        assert_eq!(
            parse_iso_seconds("2026-11-30T20:26:12+02:00"),
            Some(1_796_063_172)
        );
        assert_eq!(parse_iso_seconds("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(parse_iso_seconds("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_iso_seconds("yesterday"), None);
    }

    #[test]
    fn an_expired_qr_says_how_long_ago() {
        let qr = RegistrationQr::parse(QR).unwrap();
        let made = 1_796_063_172;
        assert!(qr.check_fresh(made + 599).is_ok());
        match qr.check_fresh(made + 600 + 185) {
            Err(ContainerError::QrExpired {
                minutes: 3,
                ttl: 10,
            }) => {}
            other => panic!("expected QrExpired, got {other:?}"),
        }
    }

    #[test]
    fn passphrase_kinds_are_told_apart() {
        let prompt = QR.replace("passphrase=&", "passphrase=Staff+ID%3F&");
        let qr = RegistrationQr::parse(&prompt).unwrap();
        assert!(matches!(
            qr.needs_passphrase(),
            Some(ContainerError::PassphraseRequired { prompt }) if prompt == "Staff ID?"
        ));
        let user = QR.replace("send_passphrase=False", "send_passphrase=True");
        assert!(matches!(
            RegistrationQr::parse(&user).unwrap().needs_passphrase(),
            Some(ContainerError::UserPasswordRequired)
        ));
    }

    #[test]
    fn rejects_other_uris_and_missing_fields_specifically() {
        assert!(matches!(
            RegistrationQr::parse("otpauth://totp/x?secret=AAAA"),
            Err(ContainerError::NotContainerUri)
        ));
        let no_nonce = QR.replace("nonce=", "nonsense=");
        assert_eq!(
            RegistrationQr::parse(&no_nonce).unwrap_err().to_string(),
            "the container QR code is malformed: `nonce` is missing"
        );
        let curve = QR.replace("secp384r1", "ed25519");
        assert_eq!(
            RegistrationQr::parse(&curve).unwrap_err().to_string(),
            "unsupported container algorithm ed25519"
        );
    }
}
