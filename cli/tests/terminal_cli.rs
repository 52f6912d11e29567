//! The `tessera` binary shows text, never terminal commands: names that come from files (an
//! import, a URI, a tampered vault) are printed with their control characters escaped, and
//! a vault row with a non-ASCII id is listed without a panic. Also the command tree's `Debug`
//! prints no secret.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const SECRET: &str = "JBSWY3DPEHPK3PXP";

/// Characters a terminal would obey: ESC (CSI, OSC), BEL, C1 CSI, a right-to-left override.
const HOSTILE: [char; 4] = ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'];

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        env.ok(&["init"], "");
        env
    }

    fn vault(&self) -> PathBuf {
        self.dir.path().join("vault.sqlite")
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
            .env("TESSERA_VAULT", self.vault())
            .env_remove("TESSERA_PASSWORD")
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs, expects success, and checks that neither stream carries a terminal command.
    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, stdin);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "tessera {args:?}: {stderr}");
        assert_inert(&stdout, args);
        assert_inert(&stderr, args);
        stdout
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn assert_inert(shown: &str, args: &[&str]) {
    for c in HOSTILE {
        assert!(
            !shown.contains(c),
            "tessera {args:?} printed {c:?}: {shown:?}"
        );
    }
}

#[test]
fn names_from_an_import_are_shown_escaped_everywhere() {
    let env = Env::new();
    // An Aegis export whose issuer recolours the terminal and retitles the window, and whose
    // name carries a C1 CSI and a right-to-left override (serde_json decodes the escapes).
    let file = env.dir.path().join("aegis.json");
    let entry = serde_json::json!({
        "type": "totp", "uuid": "a2c88332-8728-417e-af70-4351440e07e6",
        "name": "bob\u{9b}2J\u{202e}gnp.exe", "issuer": "\u{1b}[31mEvil\u{1b}]0;pwned\u{7}",
        "note": "", "favorite": false, "icon": null,
        "info": { "secret": SECRET, "algo": "SHA1", "digits": 6, "period": 30 },
    });
    let doc = serde_json::json!({
        "version": 1,
        "header": { "slots": null, "params": null },
        "db": { "version": 3, "entries": [entry] },
    });
    std::fs::write(&file, doc.to_string()).unwrap();
    let report = env.ok(&["import", file.to_str().unwrap()], "");
    assert!(report.contains("\\u{1b}[31mEvil"), "{report}");

    let list = env.ok(&["list"], "");
    assert!(
        list.contains("\\u{1b}[31mEvil\\u{1b}]0;pwned\\u{7}"),
        "{list}"
    );
    assert!(list.contains("bob\\u{9b}2J\\u{202e}gnp.exe"), "{list}");
    env.ok(&["codes"], "");
    let id = env.ok(&["list", "--json"], "");
    let id: serde_json::Value = serde_json::from_str(&id).unwrap();
    let id = id[0]["id"].as_str().unwrap().to_owned();

    // A hostile note and group, given on the command line, come back escaped too.
    env.ok(
        &[
            "edit",
            &id,
            "--note",
            "call \u{1b}[8mhidden",
            "--group",
            "g\u{1b}[2J",
        ],
        "",
    );
    let shown = env.ok(&["show", &id, "--secret"], "");
    assert!(shown.contains("call \\u{1b}[8mhidden"), "{shown}");
    assert!(shown.contains("g\\u{1b}[2J"), "{shown}");
    env.ok(&["show", &id], "");
    env.ok(&["rm", &id], "");
    env.ok(&["trash"], "");
    env.ok(&["restore", &id], "");
}

#[test]
fn errors_quoting_a_name_are_escaped() {
    let env = Env::new();
    // The error names the id it could not find: the id is escaped there too.
    let out = env.run(&["show", "\u{1b}]0;x\u{7}zzzz"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_inert(&text(&out.stderr), &["show"]);
}

#[test]
fn a_vault_row_with_a_non_ascii_id_is_listed_without_a_panic() {
    let env = Env::new();
    env.ok(
        &["add", &format!("otpauth://totp/ACME:alice?secret={SECRET}")],
        "",
    );
    // Someone with write access to the file gives the row an id that is not a UUID, with a
    // two-byte character across byte 8, where the table's short id used to be cut (a panic).
    let odd_id = "abcdefgé-ü-\u{1b}[31m";
    let db = rusqlite::Connection::open(env.vault()).unwrap();
    db.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let changed = db.execute("UPDATE accounts SET id = ?1", [odd_id]).unwrap();
    assert_eq!(changed, 1);
    drop(db);

    for args in [&["list"][..], &["codes"], &["list", "--json"]] {
        let out = env.run(args, "");
        let stderr = text(&out.stderr);
        assert_ne!(
            out.status.code(),
            Some(101),
            "tessera {args:?} panicked: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_inert(&text(&out.stdout), args);
        assert_inert(&stderr, args);
        // Where the row is listed in a table, its short id is its first 8 characters.
        if out.status.success() && args.len() == 1 {
            assert!(text(&out.stdout).contains("abcdefgé "), "{args:?}");
        }
    }
}

#[test]
fn push_enroll_reads_the_uri_from_stdin() {
    let env = Env::new();
    // Not a push enrollment: refused with the reason, proving the URI was read from stdin,
    // and the secret it held is not repeated.
    let out = env.run(
        &["push", "enroll", "-"],
        &format!("otpauth://totp/x?secret={SECRET}\n"),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not a push enrollment"), "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
    let empty = env.run(&["push", "enroll", "-"], "");
    assert_eq!(empty.status.code(), Some(1));
}

#[test]
fn push_enroll_refuses_plain_http_unless_insecure_and_hides_credentials() {
    let env = Env::new();
    let uri = "otpauth://pipush/PIPU0001?url=http%3A//alice%3As3cr3t@pi.example.invalid/ttype/push\
               &ttl=10&issuer=pi&enrollment_credential=cred0123&v=1&serial=PIPU0001&sslverify=1";
    let out = env.run(&["push", "enroll", "--bits", "2048", "-"], uri);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("plain http://") && stderr.contains("--insecure"),
        "{stderr}"
    );
    assert!(
        stderr.contains("http://pi.example.invalid/ttype/push"),
        "{stderr}"
    );
    for hidden in ["s3cr3t", "alice", "cred0123"] {
        assert!(!stderr.contains(hidden), "{hidden} in {stderr}");
    }
    // sslverify=0 to a remote host is refused the same way.
    let unverified = uri
        .replace("http%3A", "https%3A")
        .replace("sslverify=1", "sslverify=0");
    let out = env.run(&["push", "enroll", "-"], &unverified);
    assert!(
        text(&out.stderr).contains("sslverify=0"),
        "{}",
        text(&out.stderr)
    );

    // With --insecure: a warning, then the enrollment goes ahead (and fails: no such host),
    // and the network error names the host without the user and password.
    let out = env.run(
        &["push", "enroll", "--insecure", "--bits", "2048", "-"],
        uri,
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("warning: --insecure: plain http://"),
        "{stderr}"
    );
    assert!(stderr.contains("pi.example.invalid"), "{stderr}");
    for hidden in ["s3cr3t", "alice", "cred0123"] {
        assert!(!stderr.contains(hidden), "{hidden} in {stderr}");
    }
    let tokens = env.ok(&["push", "list", "--json"], "");
    assert_eq!(tokens.trim(), "[]", "nothing was enrolled");
}
