//! `tessera code` and `tessera uri inspect`, run as the real binary: outputs, JSON shapes and
//! exit codes (0 success, 1 bad input, 2 usage). Expected codes come from RFC 4226/6238 and
//! from values computed outside Tessera.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_tessera");
/// RFC 4226/6238's key "12345678901234567890" in base32.
const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run tessera")
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tessera");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().expect("wait for tessera")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("UTF-8 stderr")
}

fn first_word(o: &Output) -> String {
    stdout(o)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).expect("stdout is one JSON object")
}

/// Asserts exit code 1 with exactly one line on stderr that does not repeat `secret`.
fn assert_bad_input(o: &Output, secret: &str) {
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("tessera: "), "{err}");
    assert!(!err.contains(secret), "stderr repeats the secret: {err}");
    assert!(
        !err.contains("secret=") && !err.contains("/x?"),
        "stderr repeats the URI: {err}"
    );
    assert!(o.stdout.is_empty(), "nothing on stdout");
}

#[test]
fn code_prints_the_rfc6238_totp_code_at_the_given_time() {
    let uri = format!("otpauth://totp/ACME:alice?secret={RFC_KEY}&digits=8");
    for (at, want) in [
        ("59", "94287082"),
        ("1111111109", "07081804"),
        ("2000000000", "69279037"),
    ] {
        let o = run(&["code", "--uri", &uri, "--at", at]);
        assert_eq!(o.status.code(), Some(0), "T={at}: {}", stderr(&o));
        assert_eq!(first_word(&o), want, "T={at}");
    }
}

#[test]
fn code_uses_sha256_and_period_from_the_uri() {
    // RFC 6238 Appendix B, SHA256 row T=59 with the 32-byte seed "1234567890" * 3 + "12".
    let key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA";
    let uri = format!("otpauth://totp/x?secret={key}&algorithm=sha256&digits=8&period=30");
    let o = run(&["code", "--uri", &uri, "--at", "59"]);
    assert_eq!(first_word(&o), "46119246");
}

#[test]
fn code_json_has_code_remaining_period_digits_kind_and_algorithm() {
    let uri = format!("otpauth://totp/x?secret={RFC_KEY}&digits=8");
    let o = run(&["code", "--uri", &uri, "--at", "59", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["code"], "94287082");
    assert_eq!(v["remaining_seconds"], 1);
    assert_eq!(v["period"], 30);
    assert_eq!(v["digits"], 8);
    assert_eq!(v["kind"], "totp");
    assert_eq!(v["algorithm"], "SHA1");
    assert_eq!(v["counter"], 1);
    assert_eq!(v["at"], 59);
}

#[test]
fn code_of_hotp_uses_the_uri_counter_whatever_the_time() {
    let uri = format!("otpauth://hotp/x?secret={RFC_KEY}&counter=3");
    assert_eq!(first_word(&run(&["code", "--uri", &uri])), "969429");
    let v = json(&run(&["code", "--uri", &uri, "--at", "1000", "--json"]));
    assert_eq!(v["code"], "969429");
    assert_eq!(v["kind"], "hotp");
    assert_eq!(v["counter"], 3);
    assert_eq!(v["digits"], 6);
    assert_eq!(
        v["remaining_seconds"],
        Value::Null,
        "HOTP codes do not expire"
    );
    assert_eq!(v["period"], Value::Null);
}

#[test]
fn code_of_steam_account_uses_steam_alphabet() {
    // Computed outside Tessera (Python hmac) for RFC 4226's key at T=1700000000.
    let uri = format!("otpauth://steam/Steam:gamer?secret={RFC_KEY}");
    let o = run(&["code", "--uri", &uri, "--at", "1700000000", "--json"]);
    let v = json(&o);
    assert_eq!(v["code"], "R87JJ");
    assert_eq!(v["kind"], "steam");
    assert_eq!(v["digits"], 5);
}

#[test]
fn code_without_at_uses_the_current_time() {
    let uri = format!("otpauth://totp/x?secret={RFC_KEY}");
    let v = json(&run(&["code", "--uri", &uri, "--json"]));
    let code = v["code"].as_str().unwrap();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    let remaining = v["remaining_seconds"].as_u64().unwrap();
    assert!((1..=30).contains(&remaining), "{remaining}");
    let at = v["at"].as_u64().unwrap();
    assert!(at > 1_700_000_000, "now is after 2023: {at}");
}

#[test]
fn code_reads_the_uri_from_stdin_when_given_dash() {
    let uri = format!("otpauth://totp/x?secret={RFC_KEY}&digits=8\n");
    let o = run_with_stdin(&["code", "--uri", "-", "--at", "59"], &uri);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(first_word(&o), "94287082");
}

#[test]
fn code_rejects_a_bad_uri_with_one_line_and_exit_1() {
    let o = run(&["code", "--uri", "otpauth://totp/x?secret=QWERT!SECRETPART"]);
    assert_bad_input(&o, "SECRETPART");
    assert!(stderr(&o).contains("not base32"), "{}", stderr(&o));

    let o = run(&["code", "--uri", "otpauth://totp/x?issuer=NoSecretHere"]);
    assert_bad_input(&o, "NoSecretHere");
    let o = run(&[
        "code",
        "--uri",
        &format!("otpauth://totp/x?secret={RFC_KEY}&digits=12"),
    ]);
    assert_bad_input(&o, RFC_KEY);
    let o = run_with_stdin(
        &["code", "--uri", "-"],
        "https://example.org/?secret=ABCDEFGH",
    );
    assert_bad_input(&o, "ABCDEFGH");
}

#[test]
fn code_refuses_a_push_enrollment() {
    let uri = "otpauth://pipush/PIPU1?url=https%3A//pi.example/ttype/push&enrollment_credential=feedc0ffee&serial=PIPU1&v=1";
    let o = run(&["code", "--uri", uri]);
    assert_bad_input(&o, "feedc0ffee");
    assert!(stderr(&o).contains("push enrollment"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["code"]).status.code(), Some(2), "missing --uri");
    let uri = format!("otpauth://totp/x?secret={RFC_KEY}");
    assert_eq!(
        run(&["code", "--uri", &uri, "--at", "soon"]).status.code(),
        Some(2),
        "--at not a number"
    );
    assert_eq!(
        run(&["code", "--uri", &uri, "--at", "-5"]).status.code(),
        Some(2),
        "negative --at"
    );
    assert_eq!(
        run(&["uri"]).status.code(),
        Some(2),
        "uri without a subcommand"
    );
    assert_eq!(
        run(&["uri", "inspect"]).status.code(),
        Some(2),
        "inspect without a URI"
    );
    assert_eq!(run(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn inspect_prints_fields_and_hides_the_secret() {
    let uri = format!(
        "otpauth://totp/ACME%20Co:alice%40example.org?secret={RFC_KEY}&issuer=ACME+Co&algorithm=sha512&digits=8&period=60&pin=True"
    );
    let o = run(&["uri", "inspect", &uri]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for line in [
        "type: totp",
        "issuer: ACME Co",
        "label: alice@example.org",
        "algorithm: SHA512",
        "digits: 8",
        "period: 60",
        "extra: pin=(hidden)",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in:\n{text}"
        );
    }
    assert!(
        !text.contains(RFC_KEY),
        "secret printed without --show-secret:\n{text}"
    );
    // A `pin` parameter may be the PIN itself: its value only with --show-secret.
    assert!(!text.contains("True"), "parameter value printed:\n{text}");
    let shown = stdout(&run(&["uri", "inspect", &uri, "--show-secret"]));
    assert!(shown.lines().any(|l| l == "extra: pin=True"), "{shown}");
    assert!(
        text.contains("--show-secret"),
        "says how to see it:\n{text}"
    );
}

#[test]
fn inspect_shows_the_secret_and_canonical_uri_only_with_show_secret() {
    let uri = format!(
        "otpauth://hotp/x?secret={}&counter=4",
        RFC_KEY.to_lowercase()
    );
    let v = json(&run(&["uri", "inspect", &uri, "--json"]));
    assert_eq!(v["secret"], Value::Null);
    assert_eq!(v["uri"], Value::Null);
    assert_eq!(v["type"], "hotp");
    assert_eq!(v["counter"], 4);
    assert_eq!(v["period"], Value::Null);

    let v = json(&run(&["uri", "inspect", &uri, "--json", "--show-secret"]));
    assert_eq!(v["secret"], RFC_KEY);
    assert_eq!(
        v["uri"],
        format!("otpauth://hotp/x?secret={RFC_KEY}&algorithm=SHA1&digits=6&counter=4")
    );
    let text = stdout(&run(&["uri", "inspect", &uri, "--show-secret"]));
    assert!(
        text.lines().any(|l| l == format!("secret: {RFC_KEY}")),
        "{text}"
    );
}

#[test]
fn inspect_json_shape_of_an_otp_account() {
    let uri = format!(
        "otpauth://totp/Example:alice?secret={RFC_KEY}&issuer=Example&image=https%3A%2F%2Fex.org%2Fi.png&creator=pi&foo=bar"
    );
    let v = json(&run(&["uri", "inspect", &uri, "--json"]));
    assert_eq!(v["type"], "totp");
    assert_eq!(v["issuer"], "Example");
    assert_eq!(v["label"], "alice");
    assert_eq!(v["algorithm"], "SHA1");
    assert_eq!(v["digits"], 6);
    assert_eq!(v["period"], 30);
    assert_eq!(v["counter"], Value::Null);
    assert_eq!(v["icon"], "https://ex.org/i.png");
    assert_eq!(
        v["extra"],
        serde_json::json!([["creator", null], ["foo", null]])
    );
    let v = json(&run(&["uri", "inspect", &uri, "--json", "--show-secret"]));
    assert_eq!(
        v["extra"],
        serde_json::json!([["creator", "pi"], ["foo", "bar"]])
    );
}

#[test]
fn inspect_reads_stdin_and_escapes_control_characters_in_text_output() {
    let uri = format!("otpauth://totp/x?secret={RFC_KEY}&note=%1B%5B31mred&%C2%9Bx=1");
    let o = run_with_stdin(&["uri", "inspect", "-", "--show-secret"], &uri);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{9b}'),
        "raw escape reached the terminal: {text:?}"
    );
    assert!(text.contains("extra: note=\\u{1b}[31mred"), "{text}");
    assert!(text.contains("extra: \\u{9b}x=1"), "{text}");
}

#[test]
fn inspect_prints_push_enrollment_fields_and_hides_the_credential() {
    let cred = "9311ee50678983c0f29d3d843f86e39405e2b427";
    let uri = format!(
        "pia://pipush/PIPU0001353C?url=https%3A//pi.example/ttype/push&ttl=10&issuer=privacyIDEA\
         &enrollment_credential={cred}&v=1&serial=PIPU0001353C&sslverify=0&poll_only=True\
         &app_force_unlock=biometric"
    );
    let o = run(&["uri", "inspect", &uri]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for line in [
        "type: pipush",
        "scheme: pia",
        "issuer: privacyIDEA",
        "serial: PIPU0001353C",
        "url: https://pi.example/ttype/push",
        "ttl_minutes: 10",
        "sslverify: false",
        "poll_only: true",
        "pin: false",
        "app_force_unlock: biometric",
        "version: 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in:\n{text}"
        );
    }
    assert!(
        !text.contains(cred),
        "credential printed without --show-secret"
    );

    let v = json(&run(&["uri", "inspect", &uri, "--json", "--show-secret"]));
    assert_eq!(v["enrollment_credential"], cred);
    assert_eq!(v["label"], "PIPU0001353C");
    assert_eq!(v["poll_only"], true);
    let v = json(&run(&["uri", "inspect", &uri, "--json"]));
    assert_eq!(v["enrollment_credential"], Value::Null);
}

#[test]
fn inspect_rejects_a_bad_uri_with_exit_1() {
    let o = run(&[
        "uri",
        "inspect",
        "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=0",
    ]);
    assert_bad_input(&o, "JBSWY3DPEHPK3PXP");
    assert!(stderr(&o).contains("period"), "{}", stderr(&o));
}

/// `tessera code … | head -0`: the reader is gone before Tessera writes. The program ends
/// quietly (killed by SIGPIPE, as Unix tools are) instead of panicking with "Broken pipe".
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    use std::os::unix::process::ExitStatusExt;

    let (reader, writer) = std::io::pipe().expect("pipe");
    // Closed before the child starts: its first write fails for certain (EPIPE), no race.
    drop(reader);
    let uri = format!("otpauth://totp/ACME:alice?secret={RFC_KEY}&digits=8");
    let o = Command::new(BIN)
        .args(["code", "--uri", &uri, "--at", "59"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run tessera");
    assert_eq!(
        o.status.signal(),
        Some(libc::SIGPIPE),
        "status {:?}",
        o.status
    );
    assert!(
        !stderr(&o).contains("panicked"),
        "no panic message: {}",
        stderr(&o)
    );
}
