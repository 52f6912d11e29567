//! `tessera show` and `tessera icon` on accounts imported with pictures, through the real
//! binary. What each picture must be comes from `tests/fixtures/transfer/expected_icons.json`,
//! written by the fixtures' Python generator.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tessera_core::vault::{KeyFile, Vault};

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
    fn with(fixtures: &[&str]) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.sqlite");
        let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
        Vault::create(&vault, &key).unwrap();
        let env = Env { dir, vault };
        for name in fixtures {
            let out = env.tessera(&["import", fixture(name).to_str().unwrap()]);
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        env
    }

    fn tessera(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
            .env("TESSERA_VAULT", &self.vault)
            .output()
            .unwrap()
    }

    /// The id of the account whose issuer is `issuer`, and whether `list --json` says it has a
    /// picture.
    fn account(&self, issuer: &str) -> (String, bool) {
        let out = self.tessera(&["list", "--json"]);
        let list: Value = serde_json::from_slice(&out.stdout).unwrap();
        let a = list
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["issuer"] == issuer)
            .unwrap();
        (
            a["id"].as_str().unwrap().to_owned(),
            a["has_picture"].as_bool().unwrap(),
        )
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What make_icons.py says the entry of `issuer` in `fixture` must keep.
fn expected(fixture_name: &str, issuer: &str) -> Value {
    let all: Value =
        serde_json::from_slice(&std::fs::read(fixture("expected_icons.json")).unwrap()).unwrap();
    all[fixture_name]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["issuer"] == issuer)
        .unwrap()["icon"]
        .clone()
}

#[test]
fn show_tells_of_the_picture_and_icon_writes_the_image() {
    let env = Env::with(&["aegis_icons.json"]);
    let want = expected("aegis_icons.json", "Png");
    let (id, has) = env.account("Png");
    assert!(has, "list --json has_picture");
    let show = text(&env.tessera(&["show", &id]).stdout);
    assert!(show.contains("picture    image/png,"), "{show}");

    let out = env.dir.path().join("png icon.png");
    let written = env.tessera(&["icon", &id, out.to_str().unwrap()]);
    assert!(written.status.success(), "{}", text(&written.stderr));
    let bytes = std::fs::read(&out).unwrap();
    let sha = tessera_core::crypto::mac::sha256(&bytes);
    let hex: String = sha.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, want["sha256"].as_str().unwrap());
    // An existing file is kept unless --force.
    let again = env.tessera(&["icon", &id, out.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("--force"));
    assert!(
        env.tessera(&["icon", &id, out.to_str().unwrap(), "--force"])
            .status
            .success()
    );
}

#[test]
fn icon_explains_an_account_without_an_image() {
    let env = Env::with(&["aegis_icons.json", "twofas_icons.2fas"]);
    let out = env.dir.path().join("none.png");
    let (none, has) = env.account("NoIcon");
    assert!(!has);
    let failed = env.tessera(&["icon", &none, out.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        text(&failed.stderr).contains("has no picture"),
        "{}",
        text(&failed.stderr)
    );

    let (labelled, has) = env.account("Labelled");
    assert!(has, "a 2FAS reference is a picture too");
    let show = text(&env.tessera(&["show", &labelled]).stdout);
    assert!(show.contains("(label LB on Orange)"), "{show}");
    let failed = env.tessera(&["icon", &labelled, out.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        text(&failed.stderr).contains("only a reference"),
        "{}",
        text(&failed.stderr)
    );
    assert!(!out.exists(), "nothing written");
}
