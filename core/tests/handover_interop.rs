//! The move to a new phone against an independent implementation written from docs/move.md
//! alone (tests/fixtures/move/move_peer.py: Python `cryptography`'s X25519, HKDF and AES-GCM),
//! in both directions: Tessera sends to the Python offer and Python reads everything back;
//! Python sends to Tessera's offer and Tessera imports it. The suite tests/transfer/run.sh
//! installs python3-cryptography and sets TESSERA_REQUIRE_PYTHON=1, so there it cannot skip.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Scratch, seed, totp};
use serde_json::{Value, json};
use tessera_core::handover::read_offer;
use tessera_core::vault::ListFilter;

fn python() -> Command {
    Command::new(std::env::var_os("TESSERA_PYTHON").unwrap_or_else(|| "python3".into()))
}

/// Python with `cryptography`, or `None` (the test says why it skips) unless it is required.
fn peer() -> Option<Command> {
    let ready = python()
        .args([
            "-c",
            "import cryptography.hazmat.primitives.asymmetric.x25519",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var_os("TESSERA_REQUIRE_PYTHON").is_none(),
            "python3 with the cryptography package is required here"
        );
        eprintln!(
            "SKIPPED: no python3 with the cryptography package (tests/transfer/run.sh installs it)"
        );
        return None;
    }
    let mut cmd = python();
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/move/move_peer.py"));
    Some(cmd)
}

fn run(mut cmd: Command, args: &[&str]) -> String {
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "move_peer.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn now() -> u64 {
    tessera_core::otp::unix_now()
}

#[test]
fn tessera_sends_to_an_independent_new_phone() {
    let Some(_) = peer() else { return };
    let dir = tempfile::tempdir().unwrap();
    let offer = run(peer().unwrap(), &["offer", dir.path().to_str().unwrap()]);
    let offer = offer.trim();
    let python_check = run(peer().unwrap(), &["check", offer]);
    assert_eq!(read_offer(offer).unwrap().check_code, python_check.trim());

    let (_old_dir, old) = Scratch::new();
    let mut github = totp("GitHub", "alice", &seed(1));
    github.meta.note = "recovery codes in the safe".into();
    github.meta.groups = vec!["Work".into()];
    old.add(&github).unwrap();
    for n in 2..20 {
        old.add(&totp(&format!("Service {n}"), "bob", &seed(n)))
            .unwrap();
    }
    let transfer = old.send_move(offer, now()).unwrap();
    assert!(transfer.parts.len() > 1);
    let parts = dir.path().join("parts.txt");
    let mut scanned = transfer.parts.clone();
    scanned.reverse();
    std::fs::write(&parts, scanned.join("\n")).unwrap();

    let content: Value = serde_json::from_str(&run(
        peer().unwrap(),
        &[
            "open",
            dir.path().to_str().unwrap(),
            parts.to_str().unwrap(),
        ],
    ))
    .unwrap();
    assert_eq!(content["format"], "tessera-move");
    let accounts = content["accounts"]["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 19);
    let first = &accounts[0];
    assert_eq!(first["issuer"], "GitHub");
    assert_eq!(first["note"], "recovery codes in the safe");
    assert_eq!(first["groups"], json!(["Work"]));
    // seed(1) in base32, computed here independently of the vault.
    let secret = data_encoding::BASE32_NOPAD.encode(&seed(1));
    assert_eq!(first["secret"], secret);
}

#[test]
fn an_independent_old_phone_sends_to_tessera() {
    let Some(_) = peer() else { return };
    let (_new_dir, new) = Scratch::new();
    let offer = new.create_move_offer(now()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content.json");
    let secret = data_encoding::BASE32_NOPAD.encode(&seed(7));
    std::fs::write(
        &content,
        json!({
            "format": "tessera-move", "version": 1,
            "accounts": {"format": "tessera-backup", "version": 1, "created_at": 1_800_000_000u64,
                "accounts": [
                    {"issuer": "Forge", "label": "carol", "secret": secret, "type": "totp",
                     "algorithm": "SHA256", "digits": 8, "period": 60, "counter": 0,
                     "note": "from python", "icon": null, "groups": ["Dev"], "favorite": true,
                     "extra": []},
                    {"issuer": "Mail", "label": "carol", "secret": "JBSWY3DPEHPK3PXP",
                     "type": "hotp", "algorithm": "SHA1", "digits": 6, "period": 30,
                     "counter": 5, "note": "", "icon": null, "groups": [], "favorite": false,
                     "extra": []}
                ]},
            "push_tokens": [],
            "left_behind": [{"serial": "PIPU9", "issuer": "pi", "label": "carol",
                             "reason": "platform-key"}]
        })
        .to_string(),
    )
    .unwrap();
    let parts = run(
        peer().unwrap(),
        &["send", &offer.text, content.to_str().unwrap()],
    );
    let parts: Vec<&str> = parts.lines().collect();
    let report = new.accept_move(&parts, now()).unwrap();
    assert_eq!(report.accounts.len(), 2);
    assert_eq!(report.tokens_left_behind.len(), 1);
    let listed = new.list(&ListFilter::default()).unwrap();
    let forge = &listed[0];
    assert_eq!((forge.issuer.as_str(), forge.favorite), ("Forge", true));
    assert_eq!(forge.groups, vec!["Dev".to_string()]);
    let account = new.get(&forge.id).unwrap();
    assert_eq!(account.secret.as_bytes(), &seed(7)[..]);
    assert_eq!(account.meta.note, "from python");
    assert_eq!((account.params.digits, account.params.period), (8, 60));
    assert_eq!(new.get(&listed[1].id).unwrap().params.counter, 5);
}
