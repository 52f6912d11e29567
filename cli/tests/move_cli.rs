//! `tessera transfer offer|send|accept`: a whole vault moved between two vaults through PNG
//! files, each read back by Tessera's own QR reader, and the failures a user can run into.
//! With a privacyIDEA server (`TESSERA_PI_*`), a push token enrolled on the old vault moves
//! too and answers a real login from the new one.

#[path = "../../core/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// Issuer, label, groups, favourite, and URI with note, of one account in list order.
type Shown = (String, String, Value, bool, String);

/// One device: a vault of its own in a directory of its own.
struct Device {
    dir: tempfile::TempDir,
}

impl Device {
    fn new() -> Device {
        let device = Device {
            dir: tempfile::tempdir().unwrap(),
        };
        device.ok(&["init"]);
        device
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
            .env("TESSERA_VAULT", self.path("vault.sqlite"))
            .env_remove("TESSERA_PASSWORD")
            .env("HOME", self.dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap()
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

    /// Runs and expects exit code 1; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "tessera {args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Every account as the user sees it: issuer, label, groups, favourite, in list order, with
    /// its secret and note (`show --secret`).
    fn accounts(&self) -> Vec<Shown> {
        let list = self.json(&["list", "--json"]);
        list.as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let show = self.ok(&["show", a["id"].as_str().unwrap(), "--secret"]);
                let field = |name: &str| {
                    show.lines()
                        .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
                        .unwrap_or_default()
                };
                (
                    a["issuer"].as_str().unwrap().to_owned(),
                    a["label"].as_str().unwrap().to_owned(),
                    a["groups"].clone(),
                    a["favorite"].as_bool().unwrap(),
                    format!("{} | {}", field("uri "), field("note ")),
                )
            })
            .collect()
    }

    /// Adds `count` plain accounts, each with a secret of its own.
    fn add_services(&self, count: usize) {
        for n in 0..count {
            self.ok(&[
                "add",
                "--issuer",
                &format!("Service {n:02}"),
                "--label",
                "alice",
                "--secret",
                &secret(n),
                "--digits",
                &(6 + n % 3).to_string(),
            ]);
        }
    }

    fn offer(&self) -> PathBuf {
        let offer = self.path("offer.png");
        let out = self.ok(&["transfer", "offer", offer.to_str().unwrap()]);
        assert!(out.contains("check code: "), "{out}");
        offer
    }
}

/// A base32 secret of its own for account `n`.
fn secret(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    format!(
        "MFRGGZDFMZTWQ2{}{}",
        ALPHABET[n / 32] as char,
        ALPHABET[n % 32] as char
    )
}

/// The transfer codes written by `send`, sorted by name.
fn pngs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn send(old: &Device, offer: &Path, outdir: &Path) -> (String, Vec<String>) {
    let out = old.ok(&[
        "transfer",
        "send",
        offer.to_str().unwrap(),
        outdir.to_str().unwrap(),
    ]);
    (out, pngs(outdir))
}

fn accept(new: &Device, codes: &[String]) -> Output {
    let mut args = vec!["transfer", "accept"];
    args.extend(codes.iter().map(String::as_str));
    new.run(&args)
}

#[test]
fn a_whole_vault_moves_through_png_files() {
    let old = Device::new();
    old.ok(&[
        "add",
        "--issuer",
        "GitHub",
        "--label",
        "alice",
        "--secret",
        "JBSWY3DPEHPK3PXP",
        "--note",
        "recovery codes in the safe",
        "--group",
        "Work",
        "--group",
        "Code",
    ]);
    old.ok(&[
        "add",
        "--issuer",
        "Bank",
        "--label",
        "alice@bank",
        "--secret",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "--favorite",
    ]);
    old.ok(&[
        "add",
        "--type",
        "hotp",
        "--counter",
        "7",
        "--issuer",
        "VPN",
        "--label",
        "alice",
        "--secret",
        "MFRGGZDFMZTWQ2LK",
    ]);
    old.add_services(12);
    // The user's order: VPN moved to the top of the non-favourites.
    let list = old.json(&["list", "--json"]);
    let vpn = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["issuer"] == "VPN")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    old.ok(&["edit", &vpn, "--position", "0"]);

    let pi = support::server("a_whole_vault_moves_through_png_files (push token part)");
    let user = pi.as_ref().map(|pi| {
        let user = pi.create_user("move");
        let detail = pi.init_token(&user, &[("type", "push"), ("pin", "move-pin")]);
        let uri = detail["pushurl"]["value"].as_str().unwrap().to_owned();
        let out = old.ok(&["push", "enroll", "--bits", "2048", &uri]);
        assert!(out.starts_with("enrolled push token PIPU"), "{out}");
        user
    });

    let new = Device::new();
    let offer = new.offer();
    let outdir = old.path("codes");
    let (sent, codes) = send(&old, &offer, &outdir);
    assert!(codes.len() > 1, "{sent}");
    assert!(sent.contains("accounts: 15"), "{sent}");
    // Names are shown by the devices, never written into a code: none is readable.
    for png in &codes {
        assert!(png.contains("tessera-move-"), "{png}");
    }
    // Any order, one file twice.
    let mut scanned: Vec<String> = codes.iter().rev().cloned().collect();
    scanned.push(codes[0].clone());
    let out = accept(&new, &scanned);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(
        report.contains("accounts: 15 added, 0 already here, 0 refused"),
        "{report}"
    );
    assert_eq!(
        new.accounts(),
        old.accounts(),
        "order, groups, notes, secrets"
    );

    // One time only.
    let again = accept(&new, &codes);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already accepted"));

    // The push token moved with its key: the new device approves a real login.
    if let (Some(pi), Some(user)) = (pi, user) {
        assert!(report.contains(": added"), "{report}");
        let tokens = new.json(&["push", "list", "--json"]);
        assert_eq!(tokens.as_array().unwrap().len(), 1, "{tokens}");
        let check = pi.validate_check(&user, "move-pin", None);
        let transaction = check["detail"]["transaction_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let requests = new.json(&["push", "poll", "--json"]);
        let id = requests[0]["id"].as_str().unwrap().to_owned();
        new.ok(&["push", "approve", &id]);
        let result = pi.validate_check(&user, "", Some(&transaction));
        assert_eq!(result["result"]["value"], Value::Bool(true), "{result}");
    }
}

#[test]
fn failures_say_what_is_wrong_and_change_nothing() {
    let old = Device::new();
    old.add_services(20);
    let new = Device::new();

    // No offer on the new device yet: a transfer made for another device's offer.
    let other = Device::new();
    let (_, for_other) = send(&old, &other.offer(), &old.path("other"));
    let err = String::from_utf8(accept(&new, &for_other).stderr).unwrap();
    assert!(err.contains("no pending move offer"), "{err}");

    let offer = new.offer();
    let err = String::from_utf8(accept(&new, &for_other).stderr).unwrap();
    assert!(err.contains("another move offer"), "{err}");

    let (_, codes) = send(&old, &offer, &old.path("codes"));
    assert!(codes.len() >= 3, "{codes:?}");
    let mut missing = codes.clone();
    missing.remove(1);
    let err = String::from_utf8(accept(&new, &missing).stderr).unwrap();
    assert!(
        err.contains(&format!(
            "1 of the transfer's {} codes is missing: 2",
            codes.len()
        )),
        "{err}"
    );
    // A second send to the same offer replaces the files; mixing the two is refused.
    let (_, second) = send(&old, &offer, &old.path("second"));
    let mut mixed = codes.clone();
    mixed[0] = second[0].clone();
    let err = String::from_utf8(accept(&new, &mixed).stderr).unwrap();
    assert!(err.contains("2 different transfers"), "{err}");
    // The offer itself is no transfer code.
    let mut with_offer = codes.clone();
    with_offer.push(offer.to_str().unwrap().to_owned());
    let err = String::from_utf8(accept(&new, &with_offer).stderr).unwrap();
    assert!(
        err.contains("is a move offer, not a transfer code"),
        "{err}"
    );
    // A picture of something else is no offer.
    let not_offer = old.path("not-offer.png");
    std::fs::copy(&codes[0], &not_offer).unwrap();
    let err = old.fails(&[
        "transfer",
        "send",
        not_offer.to_str().unwrap(),
        old.path("x").to_str().unwrap(),
    ]);
    assert!(err.contains("not a Tessera move offer"), "{err}");
    assert_eq!(new.json(&["list", "--json"]), Value::Array(vec![]));

    // The right codes still work after all that, and cancelling stops them.
    new.ok(&["transfer", "cancel"]);
    let err = String::from_utf8(accept(&new, &codes).stderr).unwrap();
    assert!(err.contains("no pending move offer"), "{err}");
    let offer = new.offer();
    let (_, codes) = send(&old, &offer, &old.path("codes"));
    assert!(accept(&new, &codes).status.success());
    assert_eq!(new.json(&["list", "--json"]).as_array().unwrap().len(), 20);
}
