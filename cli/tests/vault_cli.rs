//! The `tessera` binary's vault commands, run as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// RFC 4226/6238's SHA1 seed "12345678901234567890" in base32.
const RFC_SEED_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn vault(&self) -> PathBuf {
        self.dir.path().join("data").join("vault.sqlite")
    }

    fn tmp(&self) -> PathBuf {
        let tmp = self.dir.path().join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        tmp
    }

    /// A command with an isolated home, data dir and temp dir, and no password source.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
        cmd.args(args)
            .env("TESSERA_VAULT", self.vault())
            .env_remove("TESSERA_PASSWORD")
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("TMPDIR", self.tmp())
            .env("SQLITE_TMPDIR", self.tmp())
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tessera {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects exit code `code`; returns stderr.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "tessera {args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn with_password(&self, args: &[&str], password: &str) -> Output {
        self.cmd(args)
            .env("TESSERA_PASSWORD", password)
            .output()
            .unwrap()
    }

    fn init(&self) {
        self.ok(&["init"]);
    }
}

fn rfc_uri() -> String {
    format!("otpauth://totp/RFC:6238?secret={RFC_SEED_B32}&issuer=RFC&digits=8")
}

#[test]
fn codes_json_at_a_fixed_time_matches_rfc6238() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &rfc_uri()]);
    let codes = env.json(&["codes", "--json", "--at", "59"]);
    let first = &codes[0];
    assert_eq!(first["code"], "94287082", "RFC 6238 T=59");
    assert_eq!(first["remaining_seconds"], 1);
    assert_eq!(first["issuer"], "RFC");
    assert_eq!(first["label"], "6238");
    assert!(first["id"].as_str().unwrap().len() == 36);
    assert_eq!(first["period"], 30);
    assert_eq!(first["display_code"], "9428 7082", "grouped for reading");
    assert_eq!(first["display_name"], "RFC (6238)");
    assert_eq!(first["valid_until"], 60, "the step of T=59 ends at 60");
    let later = env.json(&["codes", "--json", "--at", "1111111109"]);
    assert_eq!(later[0]["code"], "07081804", "RFC 6238 T=1111111109");
    assert_eq!(later[0]["valid_until"], 1111111110);
    // The plain table shows the same code, grouped, under the display name.
    let table = env.ok(&["codes", "--at", "59"]);
    assert!(
        table.contains("9428 7082") && table.contains("RFC (6238)"),
        "{table}"
    );
}

#[test]
fn codes_json_of_hotp_has_no_period_or_validity() {
    let env = Env::new();
    env.init();
    env.ok(&[
        "add",
        "--issuer",
        "R",
        "--label",
        "4226",
        "--secret",
        RFC_SEED_B32,
        "--type",
        "hotp",
    ]);
    let codes = env.json(&["codes", "--json", "--at", "59"]);
    let hotp = &codes[0];
    assert_eq!(hotp["code"], "755224", "RFC 4226 counter 0");
    assert_eq!(hotp["display_code"], "755 224");
    assert_eq!(hotp["type"], "hotp");
    assert!(hotp["period"].is_null(), "{hotp}");
    assert!(hotp["valid_until"].is_null(), "{hotp}");
    assert_eq!(hotp["remaining_seconds"], 0, "kept as before");
}

#[test]
fn codes_filter_group_and_favorites_select_rows() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &rfc_uri(), "--group", "Standards"]);
    env.ok(&[
        "add",
        "--issuer",
        "Bank",
        "--label",
        "bob",
        "--secret",
        "JBSWY3DPEHPK3PXP",
        "--favorite",
    ]);
    let labels = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["codes", "--json"];
        all.extend_from_slice(args);
        env.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["label"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(labels(&[]), ["bob", "6238"], "favorites first");
    assert_eq!(labels(&["--filter", "BANK (B"]), ["bob"]);
    assert_eq!(labels(&["--group", "Standards"]), ["6238"]);
    assert_eq!(labels(&["--favorites"]), ["bob"]);
    let none = env.ok(&["codes", "--filter", "nobody"]);
    assert!(none.contains("no account matches"), "{none}");
}

#[test]
fn list_json_has_one_object_per_account() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &rfc_uri(), "--group", "Standards", "--favorite"]);
    env.ok(&[
        "add",
        "--issuer",
        "Bank",
        "--label",
        "bob",
        "--secret",
        "JBSWY3DPEHPK3PXP",
        "--type",
        "hotp",
        "--counter",
        "7",
    ]);
    let list = env.json(&["list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["issuer"], "RFC");
    assert_eq!(list[0]["favorite"], true);
    assert_eq!(list[0]["groups"][0], "Standards");
    assert_eq!(list[0]["digits"], 8);
    assert_eq!(list[1]["type"], "hotp");
    assert_eq!(list[1]["counter"], 7);
    for key in [
        "id",
        "issuer",
        "label",
        "type",
        "algorithm",
        "digits",
        "period",
        "groups",
        "favorite",
    ] {
        assert!(list[0].get(key).is_some(), "missing {key}");
    }
    let text = env.ok(&["list", "--filter", "bank"]);
    assert!(text.contains("bob") && !text.contains("6238"), "{text}");
    let group = env.json(&["list", "--json", "--group", "Standards"]);
    assert_eq!(group.as_array().unwrap().len(), 1);
}

#[test]
fn hotp_next_saves_the_counter_before_printing() {
    let env = Env::new();
    env.init();
    let added = env.ok(&[
        "add",
        "--issuer",
        "R",
        "--label",
        "4226",
        "--secret",
        RFC_SEED_B32,
        "--type",
        "hotp",
    ]);
    let id = added.split_whitespace().nth(1).unwrap().to_owned();
    assert_eq!(
        env.json(&["codes", "--json"])[0]["code"],
        "755224",
        "counter 0"
    );
    // Showing codes never advances the counter.
    assert_eq!(env.json(&["codes", "--json"])[0]["code"], "755224");
    assert_eq!(env.ok(&["next", &id[..8]]).trim(), "287082", "counter 1");
    assert_eq!(env.ok(&["next", &id]).trim(), "359152", "counter 2");
    assert_eq!(env.json(&["codes", "--json"])[0]["code"], "359152");
    assert_eq!(env.json(&["list", "--json"])[0]["counter"], 2);
}

#[test]
fn duplicates_and_bad_input_fail_with_clear_messages_and_change_nothing() {
    let env = Env::new();
    let err = env.fails(&["list"], 1);
    assert!(err.contains("tessera init"), "{err}");
    env.init();
    let err = env.fails(&["init"], 1);
    assert!(err.contains("already exists"), "{err}");

    env.ok(&["add", &rfc_uri()]);
    let err = env.fails(&["add", &rfc_uri().replace("RFC:6238", "Other:name")], 1);
    assert!(err.contains("already in the vault"), "{err}");
    let err = env.fails(&["add", "otpauth://totp/X?secret=QWERT!£$%^)*(YUIOP"], 1);
    assert!(err.contains("base32"), "{err}");
    let err = env.fails(
        &["add", "--secret", "JBSWY3DPEHPK3PXP", "--digits", "12"],
        1,
    );
    assert!(err.contains("digits"), "{err}");
    let err = env.fails(
        &["add", "--secret", "JBSWY3DPEHPK3PXP", "--type", "motp"],
        2,
    );
    assert!(err.contains("totp, hotp or steam"), "{err}");
    let err = env.fails(&["show", "ffffffff"], 1);
    assert!(err.contains("no account"), "{err}");
    env.fails(&["add"], 2);
    env.fails(&["codes", "--watch", "--at", "5"], 2);
    assert_eq!(env.json(&["list", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn show_prints_the_secret_only_when_asked() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &rfc_uri(), "--note", "my recovery words"]);
    let id = env.json(&["list", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let plain = env.ok(&["show", &id[..6]]);
    assert!(
        plain.contains("RFC") && plain.contains("digits     8"),
        "{plain}"
    );
    assert!(
        !plain.contains(RFC_SEED_B32) && !plain.contains("recovery"),
        "{plain}"
    );
    let secret = env.ok(&["show", &id, "--secret"]);
    assert!(secret.contains(RFC_SEED_B32), "{secret}");
    assert!(secret.contains("otpauth://totp/"), "{secret}");
    assert!(secret.contains("my recovery words"), "{secret}");
}

#[test]
fn edit_trash_restore_and_purge() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &rfc_uri()]);
    env.ok(&[
        "add",
        "--issuer",
        "B",
        "--label",
        "b",
        "--secret",
        "JBSWY3DPEHPK3PXP",
    ]);
    let id = env.json(&["list", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    env.ok(&[
        "edit",
        &id,
        "--label",
        "renamed",
        "--group",
        "G1",
        "--group",
        "G2",
        "--position",
        "1",
    ]);
    let list = env.json(&["list", "--json"]);
    assert_eq!(list[1]["label"], "renamed");
    assert_eq!(list[1]["groups"], serde_json::json!(["G1", "G2"]));
    env.fails(&["edit", &id], 2);

    env.ok(&["rm", &id]);
    assert_eq!(env.json(&["list", "--json"]).as_array().unwrap().len(), 1);
    assert_eq!(env.json(&["trash", "--json"])[0]["label"], "renamed");
    assert_eq!(env.json(&["codes", "--json"]).as_array().unwrap().len(), 1);
    env.ok(&["restore", &id]);
    assert_eq!(env.json(&["list", "--json"]).as_array().unwrap().len(), 2);
    env.ok(&["rm", &id, "--purge"]);
    assert!(
        env.json(&["trash", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(env.json(&["list", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn backup_round_trip_with_password_file_and_wrong_password() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &rfc_uri()]);
    env.ok(&[
        "add",
        "--issuer",
        "B",
        "--label",
        "b",
        "--secret",
        "JBSWY3DPEHPK3PXP",
    ]);
    let pw = env.dir.path().join("pw.txt");
    std::fs::write(&pw, "backup secret\n").unwrap();
    let file = env.dir.path().join("backup.tessera");
    let file_s = file.to_str().unwrap();
    let pw_s = pw.to_str().unwrap();
    env.ok(&["backup", "export", file_s, "--password-file", pw_s]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0);
    }
    // Never overwritten by accident.
    env.fails(&["backup", "export", file_s, "--password-file", pw_s], 1);

    // Restore into a fresh vault.
    let other = Env::new();
    other.init();
    let out = other.with_password(&["backup", "import", file_s], "wrong");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong password"));
    assert!(
        other
            .json(&["list", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let out = other.ok(&["backup", "import", file_s, "--password-file", pw_s]);
    assert!(
        out.contains("Imported 2 of 2 entries from a tessera file: 0 duplicate(s)"),
        "{out}"
    );
    assert_eq!(
        other.json(&["codes", "--json", "--at", "59"])[0]["code"],
        "94287082"
    );
    // Again: every entry is a duplicate, nothing doubles.
    let out = other.ok(&["backup", "import", file_s, "--password-file", pw_s]);
    assert!(
        out.contains("Imported 0 of 2 entries from a tessera file: 2 duplicate(s)"),
        "{out}"
    );
    assert_eq!(other.json(&["list", "--json"]).as_array().unwrap().len(), 2);

    // A damaged file is reported as such.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    let damaged = env.dir.path().join("damaged.tessera");
    std::fs::write(&damaged, &bytes).unwrap();
    let err = other.fails(
        &[
            "backup",
            "import",
            damaged.to_str().unwrap(),
            "--password-file",
            pw_s,
        ],
        1,
    );
    assert!(err.contains("damaged file"), "{err}");
    // No terminal and no password source: a clear error, not a hang.
    let err = other.fails(&["backup", "import", file_s], 1);
    assert!(err.contains("TESSERA_PASSWORD"), "{err}");
}

#[test]
fn password_unlocks_when_the_key_file_is_lost_and_a_new_one_is_made() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &rfc_uri()]);
    let out = env.with_password(&["passwd"], "vault pw");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = env.vault().with_extension("key");
    std::fs::remove_file(&key).unwrap();

    let err = env.fails(&["list"], 1);
    assert!(err.contains("key file"), "{err}");
    let out = env.with_password(&["list", "--json"], "wrong");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong password"));
    assert!(!key.exists(), "a wrong password creates nothing");

    let out = env.with_password(&["list", "--json"], "vault pw");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(key.exists(), "a new key file was made");
    // The new key file unlocks without a password again.
    assert_eq!(
        env.json(&["codes", "--json", "--at", "59"])[0]["code"],
        "94287082"
    );
    env.ok(&["passwd", "--remove"]);
    let out = env.with_password(&["list"], "vault pw");
    assert!(out.status.success(), "the key file still unlocks");
}

#[test]
fn watch_without_a_terminal_prints_once_and_exits() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &rfc_uri()]);
    let out = env.ok(&["codes", "--watch"]);
    assert_eq!(out.matches("RFC").count(), 1, "{out}");
    assert!(!out.contains('\x1b'), "no terminal escapes in plain output");
}

#[test]
fn demo_creates_the_vault_once_and_shows_codes() {
    let env = Env::new();
    let first = env.ok(&["demo"]);
    assert!(
        first.contains("created vault") && first.contains("Tessera Demo"),
        "{first}"
    );
    let second = env.ok(&["demo"]);
    assert!(
        !second.contains("created") && !second.contains("added"),
        "{second}"
    );
    assert_eq!(env.json(&["list", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn default_vault_lives_in_the_xdg_data_directory() {
    let env = Env::new();
    let out = env
        .cmd(&["init"])
        .env_remove("TESSERA_VAULT")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = env.dir.path().join("xdg").join("tessera");
    assert!(base.join("vault.sqlite").exists());
    assert!(base.join("vault.key").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(base.join("vault.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // --vault overrides the environment.
    let elsewhere = env.dir.path().join("elsewhere.sqlite");
    env.ok(&["--vault", elsewhere.to_str().unwrap(), "init"]);
    assert!(elsewhere.exists());
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_secret_on_disk_in_temp_files_or_in_any_output() {
    let env = Env::new();
    env.init();
    // Base32 of the raw bytes below (checked with Python's base64.b32encode).
    let secret_b32 = "KNSWG4TFORCGK3LPKNSWG4TFORCGK3LP";
    let raw = b"SecretDemoSecretDemo".to_vec();
    let uri = format!("otpauth://totp/Leak:me?secret={secret_b32}&issuer=Leak");
    let mut outputs = Vec::new();
    let mut record = |out: Output| {
        outputs.push(out.stdout);
        outputs.push(out.stderr);
    };
    record(env.run(&["add", &uri, "--note", "hidden note text"]));
    record(env.run(&["add", &uri])); // duplicate: an error message
    record(env.run(&["add", &uri.replace("secret=", "secret=0")])); // invalid secret
    record(env.run(&["list"]));
    record(env.run(&["list", "--json"]));
    record(env.run(&["codes"]));
    record(env.run(&["codes", "--json"]));
    let id = env.json(&["list", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    record(env.run(&["show", &id]));
    record(env.with_password(&["passwd"], "pw"));
    let backup = env.dir.path().join("b.tessera");
    record(env.with_password(&["backup", "export", backup.to_str().unwrap()], "pw"));
    record(env.with_password(&["backup", "import", backup.to_str().unwrap()], "pw"));

    let needles: Vec<Vec<u8>> = vec![
        raw.clone(),
        secret_b32.as_bytes().to_vec(),
        secret_b32.to_lowercase().into_bytes(),
        uri.as_bytes().to_vec(),
        b"hidden note text".to_vec(),
    ];
    let mut files = Vec::new();
    files_under(env.dir.path(), &mut files);
    let tmp_files: Vec<_> = files.iter().filter(|f| f.starts_with(env.tmp())).collect();
    assert!(
        tmp_files.is_empty(),
        "temporary files were left: {tmp_files:?}"
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "{} contains a secret",
                file.display()
            );
        }
    }
    for (i, text) in outputs.iter().enumerate() {
        for needle in &needles {
            assert!(
                !text.windows(needle.len()).any(|w| w == needle.as_slice()),
                "output {i} contains a secret: {}",
                String::from_utf8_lossy(text)
            );
        }
    }
}

#[test]
fn a_key_file_of_another_vault_is_registered_after_the_password() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &rfc_uri()]);
    assert!(env.with_password(&["passwd"], "vault pw").status.success());
    // Another vault's key file in this one's place (e.g. the vault was copied from elsewhere).
    let key = env.vault().with_extension("key");
    let other = Env::new();
    other.init();
    std::fs::copy(other.vault().with_extension("key"), &key).unwrap();
    let before = std::fs::read(&key).unwrap();

    let err = env.fails(&["list"], 1);
    assert!(err.contains("password is needed"), "{err}");
    let out = env.with_password(&["list", "--json"], "vault pw");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("now unlocks this vault"));
    // The same key file, now registered: no password needed any more.
    assert_eq!(
        std::fs::read(&key).unwrap(),
        before,
        "the key file was kept"
    );
    assert_eq!(
        env.json(&["codes", "--json", "--at", "59"])[0]["code"],
        "94287082"
    );
}

#[test]
fn a_vault_from_a_newer_version_asks_for_an_update() {
    let env = Env::new();
    env.init();
    let mut bytes = std::fs::read(env.vault()).unwrap();
    // SQLite's user_version, big-endian at offset 60 of the header.
    bytes[60..64].copy_from_slice(&9999u32.to_be_bytes());
    std::fs::write(env.vault(), &bytes).unwrap();
    let err = env.fails(&["list"], 1);
    assert!(err.contains("newer") && err.contains("update"), "{err}");
}

#[test]
fn no_vault_gets_the_cli_s_own_advice() {
    let env = Env::new();
    let err = env.fails(&["list"], 1);
    assert!(
        err.contains("no vault at") && err.contains("tessera init"),
        "{err}"
    );
}

#[test]
fn missing_key_file_without_a_vault_password_says_so() {
    let env = Env::new();
    env.init();
    std::fs::remove_file(env.vault().with_extension("key")).unwrap();
    // A password is offered, but the vault has none: the error is about the key file.
    let out = env.with_password(&["list"], "anything");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("key file") && err.contains("missing"), "{err}");
    assert!(!env.vault().with_extension("key").exists());
}

#[test]
fn init_finishes_an_interrupted_init_and_never_replaces_a_vault() {
    let env = Env::new();
    std::fs::create_dir_all(env.vault().parent().unwrap()).unwrap();
    // What a process killed during `init` leaves: an empty file.
    std::fs::write(env.vault(), b"").unwrap();
    env.init();
    env.ok(&["add", &rfc_uri()]);
    let err = env.fails(&["init"], 1);
    assert!(err.contains("already exists"), "{err}");
    // A vault whose key file is gone is not replaced, and no stray key file is left.
    std::fs::remove_file(env.vault().with_extension("key")).unwrap();
    env.fails(&["init"], 1);
    assert!(!env.vault().with_extension("key").exists());
}

/// Runs `args` with `input` on stdin; returns the output.
fn with_stdin(env: &Env, args: &[&str], input: &str, password: Option<&str>) -> Output {
    use std::io::Write;
    let mut cmd = env.cmd(args);
    if let Some(password) = password {
        cmd.env("TESSERA_PASSWORD", password);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn recovery_key_unlocks_when_the_key_file_is_lost_and_the_password_forgotten() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &rfc_uri()]);
    assert!(env.with_password(&["passwd"], "forgotten").status.success());
    let printed = env.ok(&["recovery", "create"]);
    let printed = printed.trim();
    assert_eq!(printed.len(), 34, "seven groups of four: {}", printed.len());
    // Shown once: a second create is refused unless it replaces the key.
    let err = env.fails(&["recovery", "create"], 1);
    assert!(err.contains("--replace"), "{err}");
    assert!(!err.contains(&printed[5..9]), "the key is shown again");

    let key = env.vault().with_extension("key");
    std::fs::remove_file(&key).unwrap();
    // A typing error is caught and changes nothing.
    let mut typo: Vec<char> = printed.chars().collect();
    typo.swap(0, 1);
    if typo[0] == typo[1] {
        typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    }
    let typo: String = typo.into_iter().collect();
    let out = with_stdin(&env, &["recovery", "unlock", "-"], &typo, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("typing error"));
    assert!(!key.exists(), "a wrong recovery key creates nothing");

    // The right key, with a new password: a new key file is registered.
    let out = with_stdin(
        &env,
        &["recovery", "unlock", "-", "--new-password"],
        &format!("{}\n", printed.to_lowercase()),
        Some("remembered"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("now unlocks this vault"));
    assert!(key.exists());
    assert_eq!(
        env.json(&["codes", "--json", "--at", "59"])[0]["code"],
        "94287082"
    );
    std::fs::remove_file(&key).unwrap();
    let out = env.with_password(&["list"], "remembered");
    assert!(out.status.success(), "the new password unlocks");

    // Revoked, the key opens nothing.
    env.ok(&["recovery", "revoke"]);
    std::fs::remove_file(&key).unwrap();
    let out = with_stdin(&env, &["recovery", "unlock", "-"], printed, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no recovery key"));
}

#[test]
fn automatic_backups_follow_every_change_and_restore_into_a_fresh_vault() {
    let env = Env::new();
    env.init();
    let dir = env.dir.path().join("backups");
    std::fs::create_dir(&dir).unwrap();
    let status = env.json(&["backup", "status", "--json"]);
    assert_eq!(status["enabled"], false);
    let out = env.with_password(
        &[
            "backup",
            "auto",
            "--dir",
            dir.to_str().unwrap(),
            "--keep",
            "2",
        ],
        "backup pw",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Each change is followed by a verified backup, with no password asked.
    for n in 0..3 {
        let out = env.run(&[
            "add",
            "--secret",
            RFC_SEED_B32,
            "--issuer",
            &format!("I{n}"),
            "--digits",
            &format!("{}", 6 + n),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("backed up and verified"));
    }
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 2, "kept the newest two: {files:?}");
    let status = env.json(&["backup", "status", "--json"]);
    assert_eq!(status["enabled"], true);
    assert_eq!(status["unbacked_changes"], false);
    assert!(status["last_verified_at"].is_u64());

    // A fresh install restores the newest intact backup with the backup password; a
    // half-written newer file (an interrupted copy) is skipped and named.
    let newest = files.iter().max().unwrap();
    let bytes = std::fs::read(newest).unwrap();
    let torn = dir.join("tessera-auto-999999999999-000001.tsrbackup");
    std::fs::write(&torn, &bytes[..bytes.len() / 2]).unwrap();
    let fresh = Env::new();
    fresh.init();
    let dir_arg = dir.to_str().unwrap();
    let out = fresh.with_password(&["backup", "restore", "--dir", dir_arg], "wrong");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong backup password"));
    assert!(
        fresh
            .json(&["list", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let out = fresh.with_password(&["backup", "restore", "--dir", dir_arg], "backup pw");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipped tessera-auto-999999999999"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("restored 3 of 3"));
    assert_eq!(fresh.json(&["list", "--json"]).as_array().unwrap().len(), 3);

    env.ok(&["backup", "auto", "--off"]);
    let out = env.run(&["add", "--secret", "JBSWY3DPEHPK3PXP", "--issuer", "off"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("backed up"));
}
