//! `tessera import` / `tessera export` end to end, through the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tessera_core::vault::{KeyFile, ListFilter, Vault};

const PASSWORD: &str = "correct horse battery staple ✓";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/transfer")
        .join(name)
}

struct Env {
    dir: tempfile::TempDir,
    vault: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.sqlite");
        let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
        Vault::create(&vault, &key).unwrap();
        Env { dir, vault }
    }

    fn tessera(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
            .env("TESSERA_VAULT", &self.vault)
            .output()
            .unwrap()
    }

    fn count(&self) -> usize {
        let key = KeyFile::open(&self.dir.path().join("vault.key")).unwrap();
        let vault = Vault::open_with_device(&self.vault, &key).unwrap();
        vault.list(&ListFilter::default()).unwrap().len()
    }

    fn file(&self, name: &str, content: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn importing_the_same_file_twice_doubles_nothing() {
    let env = Env::new();
    let pw = env.file("pw.txt", &format!("{PASSWORD}\n"));
    let file = fixture("aegis_encrypted.json");
    let file = file.to_str().unwrap();
    let first = env.tessera(&["import", file, "--password-file", &pw]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let out = text(&first.stdout);
    assert!(
        out.contains("Imported 5 of 10 entries from a aegis file"),
        "{out}"
    );
    assert!(out.contains("unsupported: mOTP entries"), "{out}");
    let second = env.tessera(&["import", file, "--password-file", &pw, "--json"]);
    assert!(second.status.success());
    let report: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(
        (report["imported"].as_u64(), report["duplicates"].as_u64()),
        (Some(0), Some(5))
    );
    assert_eq!(report["entries"].as_array().unwrap().len(), 10);
    assert_eq!(env.count(), 5);
}

#[test]
fn a_wrong_password_or_damaged_file_exits_non_zero_and_imports_nothing() {
    let env = Env::new();
    let wrong = env.file("wrong.txt", "not it\n");
    let out = env.tessera(&[
        "import",
        fixture("aegis_encrypted.json").to_str().unwrap(),
        "--password-file",
        &wrong,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("wrong password"),
        "{}",
        text(&out.stderr)
    );
    let pw = env.file("pw.txt", PASSWORD);
    let out = env.tessera(&[
        "import",
        fixture("twofas_encrypted_damaged.2fas").to_str().unwrap(),
        "--password-file",
        &pw,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("damaged"),
        "{}",
        text(&out.stderr)
    );
    // Without a terminal there is nobody to ask for the password.
    let out = env.tessera(&["import", fixture("andotp_new.json.aes").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("password is required"));
    assert_eq!(env.count(), 0);
}

#[test]
fn dry_run_and_explicit_format() {
    let env = Env::new();
    let list = fixture("otpauth_list.txt");
    let out = env.tessera(&[
        "import",
        list.to_str().unwrap(),
        "--from",
        "otpauth",
        "--dry-run",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Would import 5 of 9"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(env.count(), 0);
    let out = env.tessera(&["import", list.to_str().unwrap(), "--from", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn plain_exports_need_the_flag_and_warn() {
    let env = Env::new();
    let import = env.tessera(&["import", fixture("aegis_plain.json").to_str().unwrap()]);
    assert!(import.status.success());

    let refused = env.tessera(&["export", "--to", "otpauth", &env.path("list.txt")]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(!Path::new(&env.path("list.txt")).exists());

    let done = env.tessera(&[
        "export",
        "--to",
        "otpauth",
        "--unencrypted",
        &env.path("list.txt"),
    ]);
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(text(&done.stderr).contains("UNENCRYPTED"));
    assert_eq!(
        std::fs::read_to_string(env.path("list.txt"))
            .unwrap()
            .lines()
            .count(),
        5
    );

    // An existing file is never overwritten.
    let again = env.tessera(&[
        "export",
        "--to",
        "otpauth",
        "--unencrypted",
        &env.path("list.txt"),
    ]);
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn encrypted_exports_restore_into_a_fresh_vault() {
    let env = Env::new();
    assert!(
        env.tessera(&["import", fixture("aegis_plain.json").to_str().unwrap()])
            .status
            .success()
    );
    let pw = env.file("pw.txt", "export password\n");
    for (format, name) in [("aegis", "out.json"), ("tessera", "out.tessera")] {
        let out = env.tessera(&[
            "export",
            "--to",
            format,
            "--password-file",
            &pw,
            &env.path(name),
        ]);
        assert!(out.status.success(), "{format}: {}", text(&out.stderr));
        assert!(!text(&out.stderr).contains("UNENCRYPTED"));
        let fresh = Env::new();
        let import = fresh.tessera(&["import", &env.path(name), "--password-file", &pw]);
        assert!(
            import.status.success(),
            "{format}: {}",
            text(&import.stderr)
        );
        assert!(
            text(&import.stdout).contains("Imported 5 of 5"),
            "{}",
            text(&import.stdout)
        );
        assert_eq!(fresh.count(), 5);
    }
}

#[test]
fn google_export_writes_one_png_per_ten_accounts() {
    let env = Env::new();
    let lines: String = (0..23)
        .map(|i| {
            format!(
                "otpauth://totp/Bulk:user{i}?secret=JBSWY3DPEHPK3PX{}\n",
                (b'A' + i as u8 % 26) as char
            )
        })
        .collect();
    let list = env.file("many.txt", &lines);
    let out = env.tessera(&["import", &list]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = env.tessera(&[
        "export",
        "--to",
        "google",
        "--unencrypted",
        &env.path("ga.png"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for i in 1..=3 {
        let png = std::fs::read(env.path(&format!("ga-{i}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }
    assert!(!Path::new(&env.path("ga-4.png")).exists());
    let term = env.tessera(&["export", "--to", "google", "--unencrypted", "-"]);
    assert!(term.status.success());
    assert_eq!(text(&term.stdout).matches("QR code").count(), 3);
}

#[test]
fn app_exports_restore_into_a_fresh_vault_and_name_what_they_leave_out() {
    let env = Env::new();
    let list = env.file(
        "two.txt",
        "otpauth://totp/Site:me?secret=JBSWY3DPEHPK3PXP&period=60\n\
         otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQ&counter=7\n",
    );
    assert!(env.tessera(&["import", &list]).status.success());
    let pw = env.file("pw.txt", "export password\n");
    // (format, extra flags, accounts the target holds, what is reported as not exported)
    let cases: [(&str, &[&str], usize, Option<&str>); 5] = [
        ("2fas", &["--password-file", &pw], 2, None),
        ("ente", &["--password-file", &pw], 2, None),
        ("proton", &["--password-file", &pw], 1, Some("Bank (bob)")),
        ("proton", &["--unencrypted"], 1, Some("Bank (bob)")),
        ("bitwarden", &["--unencrypted"], 1, Some("Bank (bob)")),
    ];
    for (i, (format, flags, held, left_out)) in cases.into_iter().enumerate() {
        let out_path = env.path(&format!("out-{i}"));
        // `--format` is the same option as `--to`.
        let mut args = vec!["export", "--format", format];
        args.extend_from_slice(flags);
        args.push(&out_path);
        let out = env.tessera(&args);
        assert!(out.status.success(), "{format}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        match left_out {
            Some(name) => assert!(
                stderr.contains(&format!("not exported: {name} (")),
                "{format}: {stderr}"
            ),
            None => assert!(!stderr.contains("not exported"), "{format}: {stderr}"),
        }
        let fresh = Env::new();
        let mut import = vec!["import", out_path.as_str()];
        if flags.contains(&"--password-file") {
            import.extend(["--password-file", pw.as_str()]);
        }
        let done = fresh.tessera(&import);
        assert!(done.status.success(), "{format}: {}", text(&done.stderr));
        assert_eq!(fresh.count(), held, "{format}");
    }
    // Bitwarden is never encrypted: asking for a password is refused before anything is read.
    let refused = env.tessera(&[
        "export",
        "--to",
        "bitwarden",
        "--password-file",
        &pw,
        &env.path("bw.json"),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(!Path::new(&env.path("bw.json")).exists());
}
