//! privacyIDEA's container protocol (3.14), sans I/O: endpoint URLs, the strings to sign,
//! the forms to send and the responses to read, with every refusal mapped to a specific
//! [`ContainerError`].
//!
//! Scopes and endpoints are the QR's `url` with `container/<op>` appended after exactly one
//! `/` — the server recomputes each scope that way from its stored URL and compares it byte
//! for byte, and it keeps a sub-path (`https://host/pi/container/…`), which replacing the
//! URL's path (the privacyIDEA Authenticator's way) would lose.

use serde_json::Value;
use zeroize::Zeroizing;

use super::crypto::SealedAnswer;
use super::qr::RegistrationQr;
use super::{ContainerError, Policies};

/// `register/finalize`: completes a registration (signed with the new key).
pub const FINALIZE: &str = "container/register/finalize";
/// `challenge`: a one-time nonce for the next signed call.
pub const CHALLENGE: &str = "container/challenge";
/// `synchronize`: the container's tokens, sealed to the sync key.
pub const SYNCHRONIZE: &str = "container/synchronize";
/// `rollover`: a registration QR for a new device.
pub const ROLLOVER: &str = "container/rollover";
/// `register/terminate/client`: unregisters from the device.
pub const TERMINATE: &str = "container/register/terminate/client";

/// `base` + `op`, joined by exactly one `/` (what the server does with its stored URL).
pub fn endpoint(base: &str, op: &str) -> String {
    if base.ends_with('/') {
        format!("{base}{op}")
    } else {
        format!("{base}/{op}")
    }
}

/// The host (and port) of a URL, for messages.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit('@').next().unwrap_or(authority)
}

/// Whether `url`'s host is a loopback address or `localhost`.
pub fn is_loopback(url: &str) -> bool {
    let host = host_of(url);
    let name = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// TLS is required except on loopback: a registration signs and may send a passphrase, and
/// nothing but TLS authenticates the server (its answers are encrypted to the phone, not
/// signed).
pub fn require_secure(url: &str) -> Result<(), ContainerError> {
    if url.starts_with("https://") || (url.starts_with("http://") && is_loopback(url)) {
        Ok(())
    } else {
        Err(ContainerError::InsecureTransport {
            host: host_of(url).to_string(),
        })
    }
}

/// Optional device description sent at registration (signed too; stored by the server as
/// the container's `device` info).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Device {
    /// e.g. `Tessera`.
    pub brand: Option<String>,
    /// e.g. `Linux desktop`.
    pub model: Option<String>,
}

/// The string a registration signs:
/// `{nonce}|{time}|{serial}|{scope}[|{brand}][|{model}][|{passphrase}]` (UTF-8; the public key
/// is not part of it, whatever the server's docstring says).
pub fn finalize_message(
    qr: &RegistrationQr,
    device: &Device,
    passphrase: Option<&str>,
) -> Zeroizing<String> {
    let mut message = Zeroizing::new(format!(
        "{}|{}|{}|{}",
        qr.nonce,
        qr.time,
        qr.serial,
        endpoint(&qr.url, FINALIZE)
    ));
    let parts = [device.brand.as_deref(), device.model.as_deref(), passphrase];
    for part in parts.into_iter().flatten().filter(|p| !p.is_empty()) {
        message.push('|');
        message.push_str(part);
    }
    message
}

/// The finalize form. The passphrase is sent only for the user-store case
/// (`send_passphrase=True`); an admin's question is answered inside the signature only.
pub fn finalize_form(
    qr: &RegistrationQr,
    public_pem: &str,
    signature_der: &[u8],
    device: &Device,
    passphrase: Option<&str>,
) -> Vec<(String, String)> {
    let mut form = vec![
        ("container_serial".to_string(), qr.serial.clone()),
        ("public_client_key".to_string(), public_pem.to_string()),
        ("signature".to_string(), encode_signature(signature_der)),
    ];
    if let Some(brand) = device.brand.as_ref().filter(|b| !b.is_empty()) {
        form.push(("device_brand".into(), brand.clone()));
    }
    if let Some(model) = device.model.as_ref().filter(|m| !m.is_empty()) {
        form.push(("device_model".into(), model.clone()));
    }
    if let Some(passphrase) = passphrase.filter(|p| qr.send_passphrase && !p.is_empty()) {
        form.push(("passphrase".into(), passphrase.to_string()));
    }
    form
}

/// Base64 (standard alphabet) of a DER signature.
pub fn encode_signature(der: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(der)
}

fn envelope(body: &[u8]) -> Result<Value, ContainerError> {
    serde_json::from_slice(body)
        .map_err(|_| ContainerError::Malformed("server response is not JSON".into()))
}

fn succeeded(status: u16, json: &Value) -> bool {
    status == 200 && json.pointer("/result/status") == Some(&Value::Bool(true))
}

fn error_code(json: &Value) -> Option<i64> {
    json.pointer("/result/error/code").and_then(Value::as_i64)
}

/// Reads the four client flags of a finalize or sync answer (absent flags are false).
pub fn read_policies(value: Option<&Value>) -> Policies {
    let flag = |name: &str| {
        value
            .and_then(|v| v.get(name))
            .is_some_and(|v| v.as_bool().unwrap_or(false) || v.as_str() == Some("True"))
    };
    Policies {
        client_rollover: flag("container_client_rollover"),
        initially_add_tokens: flag("initially_add_tokens_to_container"),
        disable_client_token_deletion: flag("disable_client_token_deletion"),
        disable_client_unregister: flag("disable_client_container_unregister"),
    }
}

fn refusal(status: u16, json: &Value) -> ContainerError {
    ContainerError::ServerRefused {
        status,
        code: error_code(json),
    }
}

/// Reads the finalize answer: the policies, or why the server refused.
pub fn read_finalize(
    status: u16,
    body: &[u8],
    qr: &RegistrationQr,
    with_passphrase: bool,
) -> Result<Policies, ContainerError> {
    let json = envelope(body)?;
    if succeeded(status, &json) {
        if json.pointer("/result/value/success") != Some(&Value::Bool(true)) {
            return Err(ContainerError::Malformed(
                "finalize answer does not say success".into(),
            ));
        }
        return Ok(read_policies(json.pointer("/result/value/policies")));
    }
    Err(match (status, error_code(&json)) {
        // the server gives one code for a bad signature, a wrong passphrase and an expired
        // QR; the QR's expiry was checked before sending, so a passphrase is the likely cause
        (400, Some(3002)) if with_passphrase => ContainerError::WrongPassphrase,
        (400, Some(3002)) => ContainerError::RegistrationRefused,
        (400, Some(3000)) => ContainerError::AlreadyRegistered(qr.serial.clone()),
        (403, Some(303)) => ContainerError::PolicyForbids("registering this container"),
        _ => refusal(status, &json),
    })
}

/// A one-time challenge for the next signed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerChallenge {
    /// 40 hex characters, signed verbatim.
    pub nonce: String,
    /// The server's time stamp, signed verbatim.
    pub time_stamp: String,
}

/// The challenge form: `scope` is the full URL of the call the challenge is for.
pub fn challenge_form(serial: &str, scope: &str) -> Vec<(String, String)> {
    vec![
        ("container_serial".into(), serial.into()),
        ("scope".into(), scope.into()),
    ]
}

/// Reads a challenge answer.
pub fn read_challenge(
    status: u16,
    body: &[u8],
    serial: &str,
) -> Result<ServerChallenge, ContainerError> {
    let json = envelope(body)?;
    if succeeded(status, &json) {
        let field = |name: &str| {
            json.pointer(&format!("/result/value/{name}"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .ok_or_else(|| ContainerError::Malformed(format!("challenge has no {name}")))
        };
        return Ok(ServerChallenge {
            nonce: field("nonce")?,
            time_stamp: field("time_stamp")?,
        });
    }
    Err(match (status, error_code(&json)) {
        (400, Some(3001)) | (404, Some(601)) => ContainerError::NotRegistered(serial.into()),
        _ => refusal(status, &json),
    })
}

/// `{nonce}|{time_stamp}|{serial}|{scope}`: how every challenge-signed string starts.
pub fn signed_prefix(challenge: &ServerChallenge, serial: &str, scope: &str) -> String {
    format!(
        "{}|{}|{}|{}",
        challenge.nonce, challenge.time_stamp, serial, scope
    )
}

/// The string a sync signs: the prefix, the sync key and the container JSON, exactly as sent.
pub fn sync_message(prefix: &str, public_key_b64: &str, container_dict: &str) -> String {
    format!("{prefix}|{public_key_b64}|{container_dict}")
}

/// The sync form.
pub fn sync_form(
    serial: &str,
    public_key_b64: &str,
    container_dict: &str,
    signature_der: &[u8],
) -> Vec<(String, String)> {
    vec![
        ("container_serial".into(), serial.into()),
        ("public_enc_key_client".into(), public_key_b64.into()),
        ("container_dict_client".into(), container_dict.into()),
        ("signature".into(), encode_signature(signature_der)),
    ]
}

/// The form of a rollover or an unregistration (signed prefix only).
pub fn signed_form(serial: &str, signature_der: &[u8]) -> Vec<(String, String)> {
    vec![
        ("container_serial".into(), serial.into()),
        ("signature".into(), encode_signature(signature_der)),
    ]
}

// a signed call's refusal: 3002 means this device's key no longer counts
fn signed_call_refusal(
    status: u16,
    json: &Value,
    serial: &str,
    forbidden: &'static str,
) -> ContainerError {
    match (status, error_code(json)) {
        (400, Some(3002)) => ContainerError::LockedOut(serial.into()),
        (400, Some(3001)) | (404, Some(601)) => ContainerError::NotRegistered(serial.into()),
        (403, Some(303)) => ContainerError::PolicyForbids(forbidden),
        _ => refusal(status, json),
    }
}

/// Reads a sync answer: the sealed container data and the policies.
pub fn read_sync(
    status: u16,
    body: &[u8],
    serial: &str,
) -> Result<(SealedAnswer, Policies), ContainerError> {
    let json = envelope(body)?;
    if !succeeded(status, &json) {
        return Err(signed_call_refusal(status, &json, serial, "synchronizing"));
    }
    let value = json
        .pointer("/result/value")
        .ok_or_else(|| ContainerError::Malformed("sync answer has no value".into()))?;
    let text = |pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| ContainerError::Malformed(format!("sync answer has no {pointer}")))
    };
    let algorithm = text("/encryption_params/mode")?;
    if !algorithm.eq_ignore_ascii_case("GCM") {
        return Err(ContainerError::UnsupportedAlgorithm(format!(
            "sync encryption mode {algorithm}"
        )));
    }
    Ok((
        SealedAnswer {
            server_key: text("/public_server_key")?,
            iv: text("/encryption_params/init_vector")?,
            tag: text("/encryption_params/tag")?,
            ciphertext: text("/container_dict_server")?,
        },
        read_policies(value.get("policies")),
    ))
}

/// Reads a rollover answer: the new registration URI.
pub fn read_rollover(status: u16, body: &[u8], serial: &str) -> Result<String, ContainerError> {
    let json = envelope(body)?;
    if !succeeded(status, &json) {
        return Err(signed_call_refusal(
            status,
            &json,
            serial,
            "a rollover (container_client_rollover is not set)",
        ));
    }
    json.pointer("/result/value/container_url/value")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ContainerError::Malformed("rollover answer has no QR URI".into()))
}

/// Reads an unregistration answer.
pub fn read_terminate(status: u16, body: &[u8], serial: &str) -> Result<(), ContainerError> {
    let json = envelope(body)?;
    if succeeded(status, &json) && json.pointer("/result/value/success") == Some(&Value::Bool(true))
    {
        return Ok(());
    }
    Err(signed_call_refusal(
        status,
        &json,
        serial,
        "unregistering (disable_client_container_unregister is set)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qr(url: &str) -> RegistrationQr {
        let uri = format!(
            "pia://container/SMPH1?nonce=N0&time=2026-11-30T18%3A26%3A12%2B00%3A00&url={url}&serial=SMPH1&ttl=10&passphrase=&send_passphrase=False"
        );
        RegistrationQr::parse(&uri).unwrap()
    }

    #[test]
    fn endpoints_keep_a_sub_path_and_join_with_one_slash() {
        assert_eq!(
            endpoint("https://h.example/pi", SYNCHRONIZE),
            "https://h.example/pi/container/synchronize"
        );
        assert_eq!(
            endpoint("https://h.example/pi/", SYNCHRONIZE),
            "https://h.example/pi/container/synchronize"
        );
        assert_eq!(
            finalize_message(&qr("https%3A//h.example/auth/pi"), &Device::default(), None).as_str(),
            "N0|2026-11-30T18:26:12+00:00|SMPH1|https://h.example/auth/pi/container/register/finalize"
        );
    }

    #[test]
    fn finalize_signs_device_and_passphrase_as_utf8_and_sends_the_passphrase_only_when_asked() {
        let q = qr("https%3A//h.example");
        let device = Device {
            brand: Some("Tessera".into()),
            model: Some("Zoë's Phone".into()),
        };
        let message = finalize_message(&q, &device, Some("Grüße"));
        assert!(message.ends_with("/container/register/finalize|Tessera|Zoë's Phone|Grüße"));
        assert!(message.as_bytes().windows(2).any(|w| w == "ë".as_bytes()));
        let form = finalize_form(&q, "PEM", &[0x30], &device, Some("Grüße"));
        assert!(!form.iter().any(|(k, _)| k == "passphrase"));
        let mut user_store = q.clone();
        user_store.send_passphrase = true;
        let form = finalize_form(&user_store, "PEM", &[0x30], &device, Some("Grüße"));
        assert!(form.contains(&("passphrase".into(), "Grüße".into())));
    }

    #[test]
    fn plain_http_is_only_allowed_on_loopback() {
        assert!(require_secure("http://127.0.0.1:5000").is_ok());
        assert!(require_secure("http://[::1]:5000/pi").is_ok());
        assert!(require_secure("http://localhost/pi").is_ok());
        assert!(require_secure("https://pi.example").is_ok());
        assert_eq!(
            require_secure("http://pi.example:8080/x")
                .unwrap_err()
                .to_string(),
            "refusing plain HTTP to pi.example:8080: container registration and sync need TLS (https://) except on loopback"
        );
        assert!(require_secure("http://127.0.0.1.evil.example/").is_err());
    }

    #[test]
    fn refusals_are_specific() {
        let q = qr("https%3A//h.example");
        let e = |code: i64| {
            format!(r#"{{"result":{{"status":false,"error":{{"code":{code},"message":"m"}}}}}}"#)
        };
        assert!(matches!(
            read_finalize(400, e(3002).as_bytes(), &q, true),
            Err(ContainerError::WrongPassphrase)
        ));
        assert!(matches!(
            read_finalize(400, e(3002).as_bytes(), &q, false),
            Err(ContainerError::RegistrationRefused)
        ));
        assert!(matches!(
            read_finalize(400, e(3000).as_bytes(), &q, false),
            Err(ContainerError::AlreadyRegistered(s)) if s == "SMPH1"
        ));
        assert!(matches!(
            read_challenge(400, e(3001).as_bytes(), "SMPH1"),
            Err(ContainerError::NotRegistered(_))
        ));
        assert!(matches!(
            read_sync(400, e(3002).as_bytes(), "SMPH1"),
            Err(ContainerError::LockedOut(_))
        ));
        assert!(matches!(
            read_rollover(403, e(303).as_bytes(), "SMPH1"),
            Err(ContainerError::PolicyForbids(_))
        ));
    }

    #[test]
    fn reads_policy_flags() {
        let v: Value = serde_json::json!({"container_client_rollover": true,
            "disable_client_container_unregister": false, "disable_client_token_deletion": true});
        let p = read_policies(Some(&v));
        assert!(p.client_rollover && p.disable_client_token_deletion);
        assert!(!p.disable_client_unregister && !p.initially_add_tokens);
    }
}
