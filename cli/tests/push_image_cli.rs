//! `tessera push enroll --image`: the argument contract and the errors for images that hold no
//! push enrollment. The successful path (a push QR code taken from a web page, enrolled with a
//! real privacyIDEA) is played by the browser suite, tests/sspr/.

use std::process::{Command, Output, Stdio};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/transfer/");

fn tessera(dir: &tempfile::TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--vault")
        .arg(dir.path().join("vault.sqlite"))
        .args(args)
        .env("HOME", dir.path())
        .env_remove("TESSERA_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}{name}")
}

fn push_token_count(dir: &tempfile::TempDir) -> usize {
    let out = tessera(dir, &["push", "list", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout)
        .unwrap()
        .len()
}

#[test]
fn image_of_a_totp_code_is_not_a_push_enrollment() {
    let dir = tempfile::tempdir().unwrap();
    assert!(tessera(&dir, &["init"]).status.success());
    // qr_screenshot.png holds an otpauth://totp/ enrollment (made by make_ente_proton.py)
    let out = tessera(
        &dir,
        &["push", "enroll", "--image", &fixture("qr_screenshot.png")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("qr_screenshot.png"), "names the file: {err}");
    assert!(
        err.contains("push enrollment"),
        "says what is missing: {err}"
    );
    assert!(
        !err.contains("secret") && !err.contains("otpauth://totp"),
        "no payload: {err}"
    );
    assert_eq!(push_token_count(&dir), 0, "nothing enrolled");
}

#[test]
fn image_without_qr_code_or_unreadable_file_fails_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    assert!(tessera(&dir, &["init"]).status.success());
    let out = tessera(
        &dir,
        &["push", "enroll", "--image", &fixture("qr_none.png")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no QR code was found"), "{err}");
    let missing = dir.path().join("missing.png");
    let out = tessera(
        &dir,
        &["push", "enroll", "--image", missing.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot read") && err.contains("missing.png"),
        "{err}"
    );
}

#[test]
fn enroll_needs_exactly_one_of_uri_and_image() {
    let dir = tempfile::tempdir().unwrap();
    assert!(tessera(&dir, &["init"]).status.success());
    assert_eq!(tessera(&dir, &["push", "enroll"]).status.code(), Some(2));
    let both = tessera(
        &dir,
        &[
            "push",
            "enroll",
            "otpauth://pipush/x",
            "--image",
            &fixture("qr_none.png"),
        ],
    );
    assert_eq!(both.status.code(), Some(2));
}
