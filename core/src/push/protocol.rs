//! privacyIDEA's push-token protocol (3.14), sans I/O: the forms and queries to send, the
//! responses to read, the strings to sign and the server signatures to verify.
//!
//! Every rule here is the phone side as the privacyIDEA Authenticator app implements it and as
//! a 3.14 server accepts it; see `tests/privacyidea/` for the proof against a real server.

use std::collections::BTreeMap;

use base64::Engine as _;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{PushEnrollment, PushError, Rejection};

/// A request is answerable for 2 minutes after it was received (the reference app's rule;
/// the server keeps a challenge open for 120 s by default).
pub const REQUEST_LIFETIME_SECS: u64 = 120;

/// The literal privacyIDEA expects as `fbtoken` from a poll-only phone.
pub const NO_FIREBASE_TOKEN: &str = "no_firebase_token";

/// A device's RSA public key as privacyIDEA needs it: SubjectPublicKeyInfo DER. Takes SPKI
/// (Android's keystore, Tessera's software keys) or PKCS#1 `RSAPublicKey` DER (iOS's
/// `SecKeyCopyExternalRepresentation`), tells them apart by parsing, and refuses anything
/// that is not an RSA key ring can verify with (2048 to 8192 bits, see `rsa_der`): a 3.14
/// server stores whatever it is sent and then fails every later call with HTTP 500. This is
/// the one place a device public key is read.
pub fn device_public_key_spki(der: &[u8]) -> Result<Vec<u8>, PushError> {
    if super::rsa_der::pkcs1_of_spki(der).is_some() {
        return Ok(der.to_vec());
    }
    super::rsa_der::spki_of_pkcs1(der).ok_or(PushError::BadDevicePublicKey)
}

/// The form that completes an enrollment: `pubkey` is the base64 of the device key's
/// SubjectPublicKeyInfo DER, whichever encoding the key holder returned
/// ([`device_public_key_spki`]).
pub fn enrollment_form(
    ticket: &PushEnrollment,
    public_key: &[u8],
) -> Result<Vec<(String, String)>, PushError> {
    let spki = device_public_key_spki(public_key)?;
    Ok(vec![
        (
            "enrollment_credential".into(),
            ticket.enrollment_credential.to_string(),
        ),
        ("serial".into(), ticket.serial.clone()),
        ("fbtoken".into(), NO_FIREBASE_TOKEN.into()),
        (
            "pubkey".into(),
            base64::engine::general_purpose::STANDARD.encode(spki),
        ),
    ])
}

/// The server's per-token public key (PKCS#1 RSAPublicKey DER) that signs every challenge.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerKey(pub Vec<u8>);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServerKey({} bytes)", self.0.len())
    }
}

impl ServerKey {
    /// Reads `detail.public_key` as the server sends it: base64 of PKCS#1 DER with a newline
    /// every 64 characters.
    pub fn from_base64(text: &str) -> Result<Self, PushError> {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|_| {
                PushError::Malformed("enrollment response: public_key is not base64".into())
            })?;
        if !super::rsa_der::is_pkcs1(&der) {
            return Err(PushError::Malformed(
                "enrollment response: public_key is not an RSA key of 2048 to 8192 bits".into(),
            ));
        }
        Ok(ServerKey(der))
    }

    /// True when `signature` (RSASSA-PKCS1-v1_5 / SHA-256) over `message` verifies.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.0)
            .verify(message, signature)
            .is_ok()
    }
}

/// The largest server response read (1 MiB, as `UreqTransport` enforces): a transport supplied
/// by the app may hand over anything, so the parser checks too. A poll listing every open
/// request of a token stays far below (each is about 1 KiB).
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;
/// The longest field of a push request (8 KiB): an 8192-bit signature in base32 is 1,640
/// characters; titles and questions are a line of text.
pub const MAX_FIELD_BYTES: usize = 8 << 10;

// privacyIDEA's JSON envelope: {"result": {"status": bool, "value": …, "error": {"code"}}, "detail": …}
fn envelope(body: &[u8]) -> Result<Value, PushError> {
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(PushError::Malformed(format!(
            "server response of {} bytes is larger than {MAX_RESPONSE_BYTES}",
            body.len()
        )));
    }
    serde_json::from_slice(body)
        .map_err(|_| PushError::Malformed("server response is not JSON".into()))
}

fn error_code(json: &Value) -> Option<i64> {
    json.pointer("/result/error/code").and_then(Value::as_i64)
}

/// Reads the enrollment response: the server key, or the specific refusal.
pub fn read_enrollment_response(status: u16, body: &[u8]) -> Result<ServerKey, PushError> {
    let json = envelope(body)?;
    if status == 200 && json.pointer("/result/status") == Some(&Value::Bool(true)) {
        let key = json
            .pointer("/detail/public_key")
            .and_then(Value::as_str)
            .ok_or_else(|| PushError::Malformed("enrollment response has no public_key".into()))?;
        return ServerKey::from_base64(key);
    }
    Err(match error_code(&json) {
        Some(905) => PushError::WrongEnrollmentCredential,
        Some(601) => PushError::AlreadyEnrolled,
        code => PushError::ServerRefused { status, code },
    })
}

/// RFC 4648 base32, uppercase, with `=` padding: privacyIDEA's signature encoding (an unpadded
/// signature makes a 3.14 server answer HTTP 500).
pub fn encode_signature(signature: &[u8]) -> String {
    crate::encoding::base32_padded(signature)
}

fn decode_signature(text: &str) -> Option<Vec<u8>> {
    crate::encoding::base32_padded_decode(text.as_bytes())
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds) for `unix_micros`: the poll timestamp,
/// which the server accepts within ±60 s of its clock.
pub fn iso8601_micros(unix_micros: i64) -> String {
    let secs = unix_micros.div_euclid(1_000_000);
    let micros = unix_micros.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // civil-from-days (proleptic Gregorian), after H. Hinnant's public-domain algorithm
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// The string a poll signs: `{serial}|{timestamp}`.
pub fn poll_message(serial: &str, timestamp: &str) -> String {
    format!("{serial}|{timestamp}")
}

/// The query of a poll (GET on the registration URL).
pub fn poll_query(serial: &str, timestamp: &str, signature: &[u8]) -> Vec<(String, String)> {
    vec![
        ("serial".into(), serial.into()),
        ("timestamp".into(), timestamp.into()),
        ("signature".into(), encode_signature(signature)),
    ]
}

/// Reads a poll response: the raw open challenges of the token.
pub fn read_poll_response(status: u16, body: &[u8]) -> Result<Vec<Challenge>, PushError> {
    let json = envelope(body)?;
    if status == 200 && json.pointer("/result/status") == Some(&Value::Bool(true)) {
        let list = json
            .pointer("/result/value")
            .and_then(Value::as_array)
            .ok_or_else(|| PushError::Malformed("poll response has no challenge list".into()))?;
        return list.iter().map(Challenge::from_json).collect();
    }
    Err(match (status, error_code(&json)) {
        // the server does not say which of signature, timestamp or serial it disliked
        (400, Some(10)) => PushError::PollRejected,
        (403, _) => PushError::PollingNotAllowed,
        (status, code) => PushError::ServerRefused { status, code },
    })
}

/// One push request as the server sent it (from a poll or in a push payload), not yet
/// verified. Field values are kept exactly as received: the signature covers them verbatim.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// Random challenge, 32 base32 characters; identifies the request.
    pub nonce: String,
    /// Where the answer goes.
    pub url: String,
    /// The push token the request is for.
    pub serial: String,
    /// The question shown to the user.
    pub question: String,
    /// The title shown to the user.
    pub title: String,
    /// `"1"` or `"0"`: whether TLS is verified when answering (kept as sent: it is signed).
    pub sslverify: String,
    /// Server signature, base32 as received.
    pub signature: String,
    /// Number matching: the options, comma-joined (signed too).
    pub require_presence: Option<String>,
    /// `"2"` with number matching.
    pub version: Option<String>,
    /// The server's capabilities, a JSON object as a string.
    pub capabilities: Option<String>,
    /// Signature over the RFC 8785 JSON `{"capabilities":…,"nonce":…}`.
    pub capabilities_signature: Option<String>,
    /// A shorter answer window in seconds, when a server states one (3.14 does not).
    pub ttl: Option<u64>,
}

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Challenge")
            .field("serial", &self.serial)
            .field("title", &self.title)
            .field("require_presence", &self.require_presence.is_some())
            .field("signature", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn field(map: &serde_json::Map<String, Value>, name: &str) -> Result<Option<String>, PushError> {
    let value = field_value(map, name)?;
    if value.as_ref().is_some_and(|v| v.len() > MAX_FIELD_BYTES) {
        return Err(PushError::Malformed(format!(
            "push request field `{name}` is longer than {MAX_FIELD_BYTES} bytes"
        )));
    }
    Ok(value)
}

fn field_value(
    map: &serde_json::Map<String, Value>,
    name: &str,
) -> Result<Option<String>, PushError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(if *b { "1" } else { "0" }.into())),
        // capabilities may arrive parsed (a push service may hand over JSON values)
        Some(v @ Value::Object(_)) if name == "capabilities" => Ok(Some(v.to_string())),
        Some(_) => Err(PushError::Malformed(format!(
            "push request field `{name}` has the wrong type"
        ))),
    }
}

impl Challenge {
    /// Reads a challenge from a JSON object (one element of a poll's list).
    pub fn from_json(value: &Value) -> Result<Self, PushError> {
        let map = value
            .as_object()
            .ok_or_else(|| PushError::Malformed("push request is not an object".into()))?;
        let required = |name: &str| {
            field(map, name)?.ok_or_else(|| {
                PushError::Malformed(format!("push request field `{name}` is missing"))
            })
        };
        let ttl = match field(map, "ttl")? {
            None => None,
            Some(t) => Some(t.parse::<u64>().map_err(|_| {
                PushError::Malformed("push request field `ttl` is not a number".into())
            })?),
        };
        let challenge = Challenge {
            nonce: required("nonce")?,
            url: required("url")?,
            serial: required("serial")?,
            question: required("question")?,
            title: required("title")?,
            sslverify: required("sslverify")?,
            signature: required("signature")?,
            require_presence: field(map, "require_presence")?,
            version: field(map, "version")?,
            capabilities: field(map, "capabilities")?,
            capabilities_signature: field(map, "capabilities_signature")?,
            ttl,
        };
        if challenge.nonce.is_empty() || challenge.serial.is_empty() || challenge.url.is_empty() {
            return Err(PushError::Malformed(
                "push request has an empty nonce, serial or url".into(),
            ));
        }
        Ok(challenge)
    }

    /// Reads a challenge from the data map a push service delivers (string keys and values).
    pub fn from_payload<'a>(
        data: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, PushError> {
        // Inserted one by one rather than collected: `collect` builds the map by sorting, which
        // compiled one more copy of std's stable sort (~5 KB) into the mobile library. A
        // repeated key keeps its last value either way.
        let mut map = serde_json::Map::new();
        for (k, v) in data {
            map.insert(k.to_string(), Value::String(v.to_string()));
        }
        Self::from_json(&Value::Object(map))
    }

    /// The string the server signed:
    /// `{nonce}|{url}|{serial}|{question}|{title}|{sslverify}[|{require_presence}]`.
    pub fn signed_message(&self) -> String {
        let mut message = format!(
            "{}|{}|{}|{}|{}|{}",
            self.nonce, self.url, self.serial, self.question, self.title, self.sslverify
        );
        if let Some(options) = &self.require_presence {
            message.push('|');
            message.push_str(options);
        }
        message
    }

    /// Verifies the server signature (and the capabilities signature when present).
    pub fn verify(&self, key: &ServerKey) -> Result<(), Rejection> {
        let signature = decode_signature(&self.signature).ok_or(Rejection::BadSignature)?;
        if !key.verifies(self.signed_message().as_bytes(), &signature) {
            return Err(Rejection::BadSignature);
        }
        if let Some(caps) = &self.capabilities {
            let signature = self
                .capabilities_signature
                .as_deref()
                .and_then(decode_signature)
                .ok_or(Rejection::BadSignature)?;
            let caps: Value = serde_json::from_str(caps).map_err(|_| Rejection::BadSignature)?;
            // serde_json's default map is sorted and its compact output escapes like RFC 8785
            // for these strings and booleans: this is the canonical form the server signed.
            let canonical =
                serde_json::json!({"capabilities": caps, "nonce": self.nonce}).to_string();
            if !key.verifies(canonical.as_bytes(), &signature) {
                return Err(Rejection::BadSignature);
            }
        }
        Ok(())
    }

    /// Number matching: the options the user must choose from (empty without).
    pub fn choices(&self) -> Vec<String> {
        match &self.require_presence {
            Some(options) => options.split(',').map(str::to_string).collect(),
            None => Vec::new(),
        }
    }

    /// Whether the (verified) capabilities say the server understands `decline_reason`.
    pub fn supports_decline_reason(&self) -> bool {
        self.capabilities
            .as_deref()
            .and_then(|c| serde_json::from_str::<BTreeMap<String, Value>>(c).ok())
            .is_some_and(|c| c.get("decline_reason") == Some(&Value::Bool(true)))
    }

    /// Whether answering verifies the server's TLS certificate (anything but `"0"` does).
    pub fn verify_tls(&self) -> bool {
        self.sslverify != "0"
    }

    /// Unix second after which the request may no longer be answered, given when it arrived.
    pub fn expires_at(&self, received_at: u64) -> u64 {
        received_at.saturating_add(
            self.ttl
                .map_or(REQUEST_LIFETIME_SECS, |t| t.min(REQUEST_LIFETIME_SECS)),
        )
    }
}

/// Why the user declines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DenyReason {
    /// "I didn't ask for this" (`decline_reason=unknown_trigger`).
    NotMe,
    /// "Cancel" (`decline_reason=cancelled`).
    Cancel,
}

impl DenyReason {
    /// The protocol's value.
    pub fn as_str(self) -> &'static str {
        match self {
            DenyReason::NotMe => "unknown_trigger",
            DenyReason::Cancel => "cancelled",
        }
    }
}

/// The user's answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Approve (not allowed on a number-matching request: the user must choose).
    Approve,
    /// Number matching: approve with the option shown on the login screen.
    Choose(String),
    /// Decline.
    Deny(DenyReason),
}

/// Builds the answer: the string to sign and the form fields without the signature.
/// Refuses an answer that does not fit the request (no choice where one is required, a
/// choice that was not offered).
pub fn answer_form(
    challenge: &Challenge,
    answer: &Answer,
) -> Result<(String, Vec<(String, String)>), PushError> {
    let mut message = format!("{}|{}", challenge.nonce, challenge.serial);
    let mut form = vec![
        ("nonce".to_string(), challenge.nonce.clone()),
        ("serial".to_string(), challenge.serial.clone()),
    ];
    match answer {
        Answer::Approve if challenge.require_presence.is_some() => {
            return Err(PushError::ChoiceRequired);
        }
        Answer::Approve => {}
        Answer::Choose(choice) => {
            if !challenge.choices().iter().any(|c| c == choice) {
                return Err(PushError::ChoiceNotOffered);
            }
            message.push('|');
            message.push_str(choice);
            form.push(("presence_answer".into(), choice.clone()));
        }
        Answer::Deny(reason) => {
            message.push_str("|decline");
            form.push(("decline".into(), "1".into()));
            // older servers verify the 3-part string: send a reason only when advertised
            if challenge.supports_decline_reason() {
                message.push('|');
                message.push_str(reason.as_str());
                form.push(("decline_reason".into(), reason.as_str().into()));
            }
        }
    }
    Ok((message, form))
}

/// What the server made of an answer. `Debug` does not show a display code.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// The server took the answer. With code-to-phone it returns a code to show.
    Accepted {
        /// The code the user types into the login page (code-to-phone), if any.
        display_code: Option<String>,
    },
    /// The server refused it (it never says why: bad signature, unknown or expired nonce,
    /// wrong number). A wrong number leaves the request open for another try.
    Refused,
    /// The answer may not have arrived; it can be retried.
    NetworkFailure(String),
}

impl std::fmt::Debug for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Accepted { display_code } => f
                .debug_struct("Accepted")
                .field("display_code", &display_code.as_ref().map(|_| "<redacted>"))
                .finish(),
            Verdict::Refused => f.write_str("Refused"),
            Verdict::NetworkFailure(reason) => {
                f.debug_tuple("NetworkFailure").field(reason).finish()
            }
        }
    }
}

/// Reads an answer response (`result.value` true or false, HTTP 200 either way).
pub fn read_answer_response(status: u16, body: &[u8]) -> Verdict {
    let Ok(json) = envelope(body) else {
        return Verdict::Refused;
    };
    if status == 200 && json.pointer("/result/value") == Some(&Value::Bool(true)) {
        let display_code = json.pointer("/detail/display_code").and_then(|c| match c {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        Verdict::Accepted { display_code }
    } else {
        Verdict::Refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_poll_timestamps_as_iso8601_utc_with_microseconds() {
        // expected values from `date -u -d @SECONDS +%Y-%m-%dT%H:%M:%S`
        let cases = [
            (0i64, "1970-01-01T00:00:00.000000Z"),
            (1_764_118_872_809_044, "2025-11-26T01:01:12.809044Z"),
            (951_782_400_000_001, "2000-02-29T00:00:00.000001Z"),
            (4_107_542_399_999_999, "2100-02-28T23:59:59.999999Z"),
        ];
        for (micros, want) in cases {
            assert_eq!(iso8601_micros(micros), want, "unix micros {micros}");
        }
    }

    #[test]
    fn signatures_are_uppercase_padded_base32() {
        assert_eq!(encode_signature(b"\x01\x02\x03"), "AEBAG===");
        assert_eq!(decode_signature("AEBAG==="), Some(vec![1, 2, 3]));
    }

    fn sample(presence: Option<&str>) -> Challenge {
        let mut map = vec![
            ("nonce", "NONCE234567ABCDEFGHIJKLMNOPQRSTU"),
            ("url", "https://pi.example/ttype/push"),
            ("serial", "PIPU0001"),
            ("question", "Log in | reset?"),
            ("title", "privacyIDEA"),
            ("sslverify", "1"),
            ("signature", "AEBAG==="),
        ];
        if let Some(p) = presence {
            map.push(("require_presence", p));
            map.push(("version", "2"));
        }
        Challenge::from_payload(map).unwrap()
    }

    #[test]
    fn signed_message_joins_fields_verbatim_even_with_separators_inside() {
        assert_eq!(
            sample(None).signed_message(),
            "NONCE234567ABCDEFGHIJKLMNOPQRSTU|https://pi.example/ttype/push|PIPU0001|Log in | reset?|privacyIDEA|1"
        );
        assert!(
            sample(Some("12,34,56"))
                .signed_message()
                .ends_with("|privacyIDEA|1|12,34,56")
        );
    }

    #[test]
    fn rejects_payload_without_signature() {
        let err = Challenge::from_payload([
            ("nonce", "N"),
            ("url", "u"),
            ("serial", "S"),
            ("question", "q"),
            ("title", "t"),
            ("sslverify", "1"),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed data: push request field `signature` is missing"
        );
    }

    #[test]
    fn number_matching_requires_an_offered_choice() {
        let c = sample(Some("12,34,56"));
        assert_eq!(c.choices(), vec!["12", "34", "56"]);
        assert!(matches!(
            answer_form(&c, &Answer::Approve),
            Err(PushError::ChoiceRequired)
        ));
        assert!(matches!(
            answer_form(&c, &Answer::Choose("99".into())),
            Err(PushError::ChoiceNotOffered)
        ));
        let (message, form) = answer_form(&c, &Answer::Choose("34".into())).unwrap();
        assert_eq!(message, "NONCE234567ABCDEFGHIJKLMNOPQRSTU|PIPU0001|34");
        assert!(form.contains(&("presence_answer".into(), "34".into())));
    }

    #[test]
    fn decline_reason_is_sent_only_when_the_server_advertises_it() {
        let mut c = sample(None);
        let (message, form) = answer_form(&c, &Answer::Deny(DenyReason::NotMe)).unwrap();
        assert_eq!(message, "NONCE234567ABCDEFGHIJKLMNOPQRSTU|PIPU0001|decline");
        assert!(!form.iter().any(|(k, _)| k == "decline_reason"));
        c.capabilities = Some(r#"{"decline_reason": true}"#.into());
        let (message, form) = answer_form(&c, &Answer::Deny(DenyReason::Cancel)).unwrap();
        assert_eq!(
            message,
            "NONCE234567ABCDEFGHIJKLMNOPQRSTU|PIPU0001|decline|cancelled"
        );
        assert!(form.contains(&("decline_reason".into(), "cancelled".into())));
    }

    #[test]
    fn request_expires_two_minutes_after_receipt_or_sooner_when_told() {
        let mut c = sample(None);
        assert_eq!(c.expires_at(1000), 1120);
        c.ttl = Some(30);
        assert_eq!(c.expires_at(1000), 1030);
        c.ttl = Some(999);
        assert_eq!(c.expires_at(1000), 1120);
    }

    #[test]
    fn reads_answer_verdicts() {
        assert_eq!(
            read_answer_response(
                200,
                br#"{"result":{"status":true,"value":true},"detail":{"display_code":"42"}}"#
            ),
            Verdict::Accepted {
                display_code: Some("42".into())
            }
        );
        assert_eq!(
            read_answer_response(200, br#"{"result":{"status":true,"value":false}}"#),
            Verdict::Refused
        );
        assert_eq!(read_answer_response(500, b"<html>"), Verdict::Refused);
    }

    #[test]
    fn reads_enrollment_refusals_specifically() {
        let wrong = br#"{"result":{"status":false,"error":{"code":905,"message":"x"}}}"#;
        assert!(matches!(
            read_enrollment_response(400, wrong),
            Err(PushError::WrongEnrollmentCredential)
        ));
        let again = br#"{"result":{"status":false,"error":{"code":601,"message":"x"}}}"#;
        assert!(matches!(
            read_enrollment_response(404, again),
            Err(PushError::AlreadyEnrolled)
        ));
    }

    /// Keys written by OpenSSL (`core/tests/fixtures/push/make_keys.sh`).
    const RSA2048_SPKI: &[u8] = include_bytes!("../../tests/fixtures/push/rsa2048.spki.der");
    const RSA2048_PKCS1: &[u8] = include_bytes!("../../tests/fixtures/push/rsa2048.pkcs1.der");

    #[test]
    fn device_keys_are_taken_as_spki_or_pkcs1_and_sent_as_spki() {
        // OpenSSL's SPKI of the key is the expected output for both encodings.
        assert_eq!(device_public_key_spki(RSA2048_SPKI).unwrap(), RSA2048_SPKI);
        assert_eq!(device_public_key_spki(RSA2048_PKCS1).unwrap(), RSA2048_SPKI);
        let ticket = PushEnrollment::from_uri(
            "otpauth://pipush/l?url=https%3A//pi.example/ttype/push&issuer=i\
             &enrollment_credential=abc&serial=PIPU1",
        )
        .unwrap();
        let form = enrollment_form(&ticket, RSA2048_PKCS1).unwrap();
        let pubkey = &form.iter().find(|(k, _)| k == "pubkey").unwrap().1;
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(pubkey)
                .unwrap(),
            RSA2048_SPKI,
            "iOS's PKCS#1 key is enrolled as SPKI"
        );
    }

    #[test]
    fn device_keys_that_are_small_not_rsa_or_not_keys_are_refused() {
        let cases: [(&str, &[u8]); 6] = [
            (
                "RSA-1024 PKCS#1",
                include_bytes!("../../tests/fixtures/push/rsa1024.pkcs1.der"),
            ),
            (
                "RSA-1024 SPKI",
                include_bytes!("../../tests/fixtures/push/rsa1024.spki.der"),
            ),
            (
                "P-256 SPKI",
                include_bytes!("../../tests/fixtures/push/p256.spki.der"),
            ),
            ("tiny DER", &[0x30, 0x03, 0x02, 0x01, 0x03]),
            ("empty", &[]),
            ("truncated", &RSA2048_PKCS1[..100]),
        ];
        let ticket = PushEnrollment::from_uri(
            "otpauth://pipush/l?url=http%3A//127.0.0.1/ttype/push&issuer=i\
             &enrollment_credential=abc&serial=PIPU1&sslverify=0",
        )
        .unwrap();
        for (name, der) in cases {
            assert!(
                matches!(
                    device_public_key_spki(der),
                    Err(PushError::BadDevicePublicKey)
                ),
                "{name}"
            );
            assert!(
                matches!(
                    enrollment_form(&ticket, der),
                    Err(PushError::BadDevicePublicKey)
                ),
                "{name}"
            );
        }
        assert!(!format!("{ticket:?}").contains("abc"));
    }
}
