//! Every FFI record and enum that carries a secret prints redacted: its `Debug` is what
//! Kotlin's `toString()` and Swift's `description` call (`uniffi::export(Debug)`), so this is
//! the one rendering the apps' logs can ever show. The values come from the real calls (a
//! parsed URI, a vault's codes and export, the HTTP request of a real enrollment), each with a
//! marker that must not appear while the field names and non-secret values still do.

use std::sync::{Arc, Mutex};

use super::XorKeys;
use crate::*;

/// Base32 secret of every account here (what `parse_otp_uri` hands back, canonical form).
const SECRET: &str = "JBSWY3DPEHPK3PXP";
const PIN: &str = "pinvalue7731";
const NOTE: &str = "recovery codes: alpha-bravo-charlie";
const CREDENTIAL: &str = "credentialC0FFEE";

fn uri() -> String {
    format!("otpauth://totp/ACME:alice?secret={SECRET}&issuer=ACME&pin={PIN}&creator=tool")
}

/// `shown` has none of `secrets` (case-insensitively: base32 is case-free) and all of `kept`.
fn assert_redacted(shown: &str, secrets: &[&str], kept: &[&str]) {
    for secret in secrets {
        assert!(
            !shown.to_lowercase().contains(&secret.to_lowercase()),
            "{secret:?} printed in {shown}"
        );
    }
    for word in kept {
        assert!(shown.contains(word), "{word:?} missing from {shown}");
    }
}

fn vault_with_account(dir: &tempfile::TempDir) -> (Arc<Vault>, String) {
    let path = dir.path().join("v.db").to_string_lossy().into_owned();
    let vault = Vault::create(path, Arc::new(XorKeys(0x5a)), None).unwrap();
    let mut account = parse_otp_uri(uri()).unwrap();
    account.note = NOTE.into();
    let id = vault.add(account).unwrap();
    (vault, id)
}

#[test]
fn an_account_prints_no_secret_note_or_parameter_value() {
    let mut account = parse_otp_uri(uri()).unwrap();
    account.note = NOTE.into();
    assert_eq!(
        account.secret_base32, SECRET,
        "the marker is the real secret"
    );
    assert!(account.extra.iter().any(|p| p.value == PIN));
    let shown = format!("{account:?}");
    assert_redacted(
        &shown,
        &[SECRET, PIN, NOTE, "tool"],
        &["ACME", "alice", "pin", "creator", "<redacted>"],
    );
    let parameter = format!("{:?}", account.extra[0]);
    assert_redacted(&parameter, &[PIN], &["pin"]);
}

#[test]
fn codes_and_changes_print_no_code_or_note() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, id) = vault_with_account(&dir);
    let codes = vault.codes_at(59).unwrap();
    let code = codes[0].code.clone().expect("a code");
    assert_redacted(
        &format!("{:?}", codes[0]),
        &[&code],
        &["ACME", "alice", &id],
    );

    let list = vault.code_list_at(None, 59_000).unwrap();
    let row = &list.items[0];
    let grouped = row.display_code.clone().expect("a grouped code");
    assert_eq!(
        row.code.as_deref(),
        Some(code.as_str()),
        "same instant, same code"
    );
    assert_redacted(
        &format!("{row:?}"),
        &[&code, &grouped],
        &["ACME (alice)", &id, "valid_until", "<redacted>"],
    );
    assert_redacted(
        &format!("{list:?}"),
        &[&code, &grouped],
        &["next_change_at"],
    );

    let with_secret = vault.account_with_secret(id.clone()).unwrap();
    assert_eq!(
        with_secret.secret_base32, SECRET,
        "the marker is the real secret"
    );
    assert_eq!(with_secret.note, NOTE);
    assert_redacted(
        &format!("{with_secret:?}"),
        &[SECRET, NOTE, PIN],
        &["ACME", "alice"],
    );

    let params = parse_otp_uri(uri()).unwrap().params;
    let one = otp_code_at(SECRET.into(), params, 59).unwrap();
    assert_redacted(&format!("{one:?}"), &[&one.code], &["remaining_seconds"]);

    let change = AccountChange {
        note: Some(NOTE.into()),
        label: Some("bob".into()),
        ..Default::default()
    };
    assert_redacted(&format!("{change:?}"), &[NOTE], &["bob", "note"]);
    vault.update(id, change).unwrap();
}

#[test]
fn an_export_prints_sizes_not_contents() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, _) = vault_with_account(&dir);
    for format in [
        ExportFormat::OtpauthList,
        ExportFormat::GoogleMigration,
        ExportFormat::Aegis,
    ] {
        let export = export_from_vault(vault.clone(), format, None, true).unwrap();
        let text = String::from_utf8(export.data.clone()).unwrap();
        // Each plain format holds the secret in some form: its lines or URIs are the secrets.
        let mut secrets: Vec<&str> = text.lines().filter(|l| l.len() > 20).collect();
        secrets.extend(export.uris.iter().map(String::as_str));
        assert!(!secrets.is_empty(), "{format:?} exported nothing");
        let shown = format!("{export:?}");
        assert_redacted(&shown, &secrets, &["bytes redacted"]);
        assert_redacted(&shown, &[SECRET], &[]);
    }
}

#[test]
fn a_qr_matrix_prints_its_size_not_its_modules() {
    let matrix = qr_code_matrix(uri()).unwrap();
    let shown = format!("{matrix:?}");
    let size = format!("size: {}", matrix.size);
    assert_redacted(
        &shown,
        &[SECRET, "[0, ", "[1, "],
        &[&size, "bytes redacted"],
    );
}

/// A platform HTTP stack that keeps the request and answers like a server that refuses.
struct Recorder(Mutex<Vec<HttpRequest>>);

impl PushTransport for Recorder {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse> {
        self.0.lock().unwrap().push(request);
        Ok(HttpResponse {
            status: 400,
            body: br#"{"result":{"status":false},"signature":"deadbeefsig"}"#.to_vec(),
            date: None,
        })
    }
}

#[test]
fn a_real_enrollment_request_prints_no_credential() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, _) = vault_with_account(&dir);
    let recorder = Arc::new(Recorder(Mutex::new(Vec::new())));
    let client = PushClient::new(vault, None, Some(recorder.clone()));
    let enrollment = format!(
        "otpauth://pipush/PIPU0001?url=https%3A//pi.example.test/ttype/push&ttl=10\
         &issuer=privacyIDEA&enrollment_credential={CREDENTIAL}&v=1&serial=PIPU0001&sslverify=1"
    );
    assert!(
        client.enroll(enrollment, 2048, None, false).is_err(),
        "the server refused"
    );
    let requests = recorder.0.lock().unwrap();
    let request = requests.first().expect("the enrollment was sent");
    assert!(
        request.form.iter().any(|f| f.value == CREDENTIAL),
        "the credential is in the form, so the test means something"
    );
    let shown = format!("{request:?}");
    assert_redacted(
        &shown,
        &[CREDENTIAL],
        &["enrollment_credential", "pi.example.test", "<redacted>"],
    );
    let field = request.form.iter().find(|f| f.value == CREDENTIAL).unwrap();
    assert_redacted(
        &format!("{field:?}"),
        &[CREDENTIAL],
        &["enrollment_credential"],
    );

    let response = Recorder(Mutex::new(Vec::new()))
        .send(request.clone())
        .unwrap();
    assert_redacted(
        &format!("{response:?}"),
        &["deadbeefsig"],
        &["400", "bytes"],
    );
}

#[test]
fn an_accepted_push_prints_no_display_code() {
    let verdict = PushVerdict::Accepted {
        display_code: Some("862415".into()),
    };
    assert_redacted(
        &format!("{verdict:?}"),
        &["862415"],
        &["Accepted", "display_code"],
    );
    let failure = PushVerdict::NetworkFailure {
        reason: "could not connect".into(),
    };
    assert_redacted(&format!("{failure:?}"), &[], &["could not connect"]);
}
