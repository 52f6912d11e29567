//! A tampered vault cannot mislead (issue 9, item 6). Whoever can write the vault file but has
//! no key edits rows directly with SQLite here, as an attacker would; every edit of a field that
//! matters makes that one row fail its integrity check, and the other rows keep working.

mod common;

use std::path::Path;

use common::{RFC_SEED, Scratch, rfc6238_sha1, seed, totp};
use tessera_core::push::{ForceUnlock, PushError, PushStore, PushToken};
use tessera_core::vault::{AccountId, AccountUpdate, KeyFile, ListFilter, Vault, VaultError};
use tessera_core::{OtpParams, Secret};

fn three_accounts() -> (Scratch, Vault, [AccountId; 3]) {
    let (scratch, vault) = Scratch::new();
    let a = vault.add(&rfc6238_sha1()).unwrap();
    let b = vault.add(&totp("B", "b", &seed(2))).unwrap();
    let mut hotp = totp("C", "c", &seed(3));
    hotp.params = OtpParams::hotp(0);
    let c = vault.add(&hotp).unwrap();
    (scratch, vault, [a, b, c])
}

/// Runs `sql` against the vault file from a second connection (`?1` is the row's id).
fn edit(path: &Path, sql: &str, id: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let changed = conn.execute(sql, [id]).unwrap();
    assert_eq!(changed, 1, "{sql}");
}

fn integrity(id: &AccountId) -> VaultError {
    VaultError::Integrity {
        account: id.clone(),
    }
}

/// After `b` was edited: b is reported damaged and refused everywhere, a and c still work.
fn assert_only_b_is_damaged(vault: &Vault, [a, b, c]: &[AccountId; 3], what: &str) {
    let list = vault.list(&ListFilter::default()).unwrap();
    assert_eq!(list.len(), 3, "{what}: the damaged row is still listed");
    for summary in &list {
        assert_eq!(
            summary.damaged,
            summary.id == *b,
            "{what}: {}",
            summary.label
        );
    }
    let codes = vault.codes_at(59).unwrap();
    assert_eq!(codes.len(), 3, "{what}");
    for entry in &codes {
        if entry.id == *b {
            assert_eq!(entry.code, Err(integrity(b)), "{what}: b shows no code");
        } else {
            assert!(
                entry.code.is_ok(),
                "{what}: {} still has its code",
                entry.label
            );
        }
    }
    let a_code = codes.iter().find(|e| e.id == *a).unwrap();
    // RFC 6238 Appendix B, T = 59, SHA1, 8 digits.
    assert_eq!(
        a_code.code.as_ref().unwrap().text().as_str(),
        "94287082",
        "{what}"
    );
    assert_eq!(vault.get(b).unwrap_err(), integrity(b), "{what}");
    assert_eq!(vault.get(a).unwrap(), rfc6238_sha1(), "{what}");
    assert!(vault.get(c).is_ok(), "{what}");
    // Editing a damaged row would re-tag whatever was written into it: refused.
    let rename = AccountUpdate {
        label: Some("mine now".into()),
        ..AccountUpdate::default()
    };
    assert_eq!(
        vault.update(b, &rename).unwrap_err(),
        integrity(b),
        "{what}"
    );
    assert_eq!(vault.export_accounts().unwrap_err(), integrity(b), "{what}");
}

#[test]
fn every_authenticated_account_field_edited_breaks_only_that_row() {
    let edits = [
        (
            "issuer",
            "UPDATE accounts SET issuer = 'Your Bank' WHERE id = ?1",
        ),
        (
            "label",
            "UPDATE accounts SET label = 'ceo@example.org' WHERE id = ?1",
        ),
        ("kind", "UPDATE accounts SET kind = 'steam' WHERE id = ?1"),
        (
            "algorithm",
            "UPDATE accounts SET algorithm = 'SHA256' WHERE id = ?1",
        ),
        ("digits", "UPDATE accounts SET digits = 8 WHERE id = ?1"),
        ("period", "UPDATE accounts SET period = 60 WHERE id = ?1"),
        ("counter", "UPDATE accounts SET counter = 7 WHERE id = ?1"),
        (
            "icon",
            "UPDATE accounts SET icon = 'https://evil.example/x.png' WHERE id = ?1",
        ),
        ("favorite", "UPDATE accounts SET favorite = 1 WHERE id = ?1"),
        (
            "created_at",
            "UPDATE accounts SET created_at = 1 WHERE id = ?1",
        ),
        (
            "fingerprint",
            "UPDATE accounts SET fingerprint = x'00' WHERE id = ?1",
        ),
        ("note", "UPDATE accounts SET note = x'00' WHERE id = ?1"),
        (
            "tag removed",
            "UPDATE accounts SET row_mac = NULL WHERE id = ?1",
        ),
        (
            "tag changed",
            "UPDATE accounts SET row_mac = x'00' WHERE id = ?1",
        ),
    ];
    for (what, sql) in edits {
        let (scratch, vault, ids) = three_accounts();
        edit(&scratch.path, sql, ids[1].as_str());
        // The open vault sees the other connection's write, and a fresh unlock agrees.
        assert_only_b_is_damaged(&vault, &ids, what);
        drop(vault);
        assert_only_b_is_damaged(&scratch.reopen(), &ids, what);
        // A damaged row can still be thrown away.
        let vault = scratch.reopen();
        vault.delete(&ids[1]).unwrap();
        vault.purge(&ids[1]).unwrap();
        assert_eq!(
            vault.list(&ListFilter::default()).unwrap().len(),
            2,
            "{what}"
        );
    }
}

#[test]
fn swapped_labels_break_both_rows_instead_of_showing_a_code_under_another_name() {
    let (scratch, vault, [a, b, _]) = three_accounts();
    let conn = rusqlite::Connection::open(&scratch.path).unwrap();
    conn.execute_batch(&format!(
        "UPDATE accounts SET issuer = 'B', label = 'b' WHERE id = '{a}';
         UPDATE accounts SET issuer = 'RFC', label = '6238' WHERE id = '{b}';"
    ))
    .unwrap();
    let codes = vault.codes_at(59).unwrap();
    for entry in codes.iter().filter(|e| e.id == a || e.id == b) {
        assert_eq!(entry.code, Err(integrity(&entry.id)), "{}", entry.label);
    }
    let damaged: Vec<_> = vault
        .list(&ListFilter::default())
        .unwrap()
        .into_iter()
        .filter(|s| s.damaged)
        .map(|s| s.id)
        .collect();
    assert_eq!(damaged.len(), 2);
}

#[test]
fn hotp_counter_edited_back_is_refused_and_not_advanced() {
    let (scratch, vault, [_, _, c]) = three_accounts();
    let first = vault.next_hotp(&c).unwrap();
    vault.next_hotp(&c).unwrap();
    // Roll the counter back to show the first code again.
    edit(
        &scratch.path,
        "UPDATE accounts SET counter = 0 WHERE id = ?1",
        c.as_str(),
    );
    assert_eq!(vault.next_hotp(&c).unwrap_err(), integrity(&c));
    let conn = rusqlite::Connection::open(&scratch.path).unwrap();
    let counter: i64 = conn
        .query_row(
            "SELECT counter FROM accounts WHERE id = ?1",
            [c.as_str()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(counter, 0, "nothing was written");
    let codes = vault.codes_at(59).unwrap();
    let entry = codes.iter().find(|e| e.id == c).unwrap();
    assert_eq!(
        entry.code,
        Err(integrity(&c)),
        "the first code ({first:?}) is not shown again"
    );
}

#[test]
fn taking_an_account_out_of_the_trash_behind_the_apps_back_is_detected() {
    let (scratch, vault, [a, b, c]) = three_accounts();
    vault.delete(&b).unwrap();
    // Trashing and restoring through the vault re-tag the row.
    vault.restore(&b).unwrap();
    assert!(vault.get(&b).is_ok());
    vault.delete(&b).unwrap();
    edit(
        &scratch.path,
        "UPDATE accounts SET trashed_at = NULL WHERE id = ?1",
        b.as_str(),
    );
    assert_only_b_is_damaged(&vault, &[a, b, c], "trashed_at");
}

fn token(serial: &str) -> PushToken {
    PushToken {
        force_unlock: Some(ForceUnlock::Biometric),
        ..common::push_token(serial)
    }
}

#[test]
fn every_authenticated_push_token_field_edited_breaks_only_that_token() {
    let edits = [
        (
            "server key",
            "UPDATE push_tokens SET server_key = x'3000' WHERE serial = ?1",
        ),
        (
            "url",
            "UPDATE push_tokens SET url = 'https://evil.example/ttype/push' WHERE serial = ?1",
        ),
        (
            "sslverify",
            "UPDATE push_tokens SET sslverify = 0 WHERE serial = ?1",
        ),
        (
            "issuer",
            "UPDATE push_tokens SET issuer = 'Your Bank' WHERE serial = ?1",
        ),
        (
            "label",
            "UPDATE push_tokens SET label = 'ceo' WHERE serial = ?1",
        ),
        (
            "key alias",
            "UPDATE push_tokens SET key_alias = 'tessera-push-PIPU2' WHERE serial = ?1",
        ),
        (
            "enrolled_at",
            "UPDATE push_tokens SET enrolled_at = 1 WHERE serial = ?1",
        ),
        (
            "tag removed",
            "UPDATE push_tokens SET row_mac = NULL WHERE serial = ?1",
        ),
        (
            "unlock demand removed",
            "UPDATE push_tokens SET force_unlock = NULL WHERE serial = ?1",
        ),
        (
            "unlock demand weakened",
            "UPDATE push_tokens SET force_unlock = 'any' WHERE serial = ?1",
        ),
        (
            "unlock demand added",
            "UPDATE push_tokens SET force_unlock = 'pin' WHERE serial = ?1 AND force_unlock IS NULL",
        ),
    ];
    for (what, sql) in edits {
        let (scratch, vault) = Scratch::new();
        let mut first = token("PIPU1");
        if what == "unlock demand added" {
            first.force_unlock = None;
        }
        vault.add_push_token(&first).unwrap();
        vault.add_push_token(&token("PIPU2")).unwrap();
        edit(&scratch.path, sql, "PIPU1");
        let intact: Vec<String> = vault
            .push_tokens()
            .unwrap()
            .into_iter()
            .map(|t| t.serial)
            .collect();
        assert_eq!(
            intact,
            ["PIPU2"],
            "{what}: the damaged token is never polled"
        );
        assert_eq!(vault.damaged_push_tokens().unwrap(), ["PIPU1"], "{what}");
        assert!(
            matches!(vault.push_token("PIPU1"), Err(PushError::TokenIntegrity(s)) if s == "PIPU1"),
            "{what}"
        );
        assert_eq!(
            vault.push_token("PIPU2").unwrap(),
            Some(token("PIPU2")),
            "{what}"
        );
        assert!(
            vault.remove_push_token("PIPU1").unwrap(),
            "{what}: it can be removed"
        );
        assert!(vault.damaged_push_tokens().unwrap().is_empty(), "{what}");
    }
}

/// Copies a committed fixture of an older schema version into `dir`.
fn fixture(version: i64, dir: &Path) -> (std::path::PathBuf, KeyFile) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let db = dir.join("vault.sqlite");
    std::fs::copy(fixtures.join(format!("vault-v{version}.sqlite")), &db).unwrap();
    let key_path = dir.join("vault.key");
    std::fs::copy(fixtures.join(format!("vault-v{version}.key")), &key_path).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    (db, KeyFile::open(&key_path).unwrap())
}

#[test]
fn a_version_2_vault_is_authenticated_at_its_first_unlock_and_protected_after() {
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = fixture(2, dir.path());
    let vault = Vault::open_with_device(&path, &key).unwrap();
    let list = vault.list(&ListFilter::default()).unwrap();
    assert!(!list.is_empty());
    assert!(
        list.iter().all(|s| !s.damaged),
        "every upgraded row is intact"
    );
    assert!(vault.codes_at(59).unwrap().iter().all(|e| e.code.is_ok()));
    let victim = list[0].id.clone();
    drop(vault);

    // After the upgrade a row without a tag is damage, not "not migrated yet".
    edit(
        &path,
        "UPDATE accounts SET row_mac = NULL WHERE id = ?1",
        victim.as_str(),
    );
    let vault = Vault::open_with_device(&path, &key).unwrap();
    assert_eq!(vault.get(&victim).unwrap_err(), integrity(&victim));
    drop(vault);

    // Nor can the file be edited back to version 2 to have its rows re-tagged.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "UPDATE accounts SET label = 'relabelled' WHERE id = '{victim}';
         ALTER TABLE accounts DROP COLUMN row_mac;
         ALTER TABLE push_tokens DROP COLUMN row_mac;
         PRAGMA user_version = 2;"
    ))
    .unwrap();
    drop(conn);
    let vault = Vault::open_with_device(&path, &key).unwrap();
    let list = vault.list(&ListFilter::default()).unwrap();
    assert!(
        list.iter().all(|s| s.damaged),
        "no row is trusted after a downgrade"
    );
    assert_eq!(vault.get(&victim).unwrap_err(), integrity(&victim));
}

#[test]
fn a_version_2_vault_opened_with_its_password_is_authenticated_too() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = fixture(2, dir.path());
    let vault = Vault::open_with_password(&path, "fixture-password").unwrap();
    let list = vault.list(&ListFilter::default()).unwrap();
    assert!(list.iter().all(|s| !s.damaged));
    // The RFC 6238 account of the fixture gives RFC 6238's code.
    let rfc = vault
        .export_accounts()
        .unwrap()
        .into_iter()
        .find(|(_, a)| a.secret == Secret::from_bytes(RFC_SEED.to_vec()) && a.params.digits == 8)
        .map(|(id, _)| id)
        .unwrap();
    let codes = vault.codes_at(59).unwrap();
    let entry = codes.iter().find(|e| e.id == rfc).unwrap();
    assert_eq!(entry.code.as_ref().unwrap().text().as_str(), "94287082");
}

/// A vault large enough that its rows are checked and prepared on several threads (above
/// 512 rows): every code still belongs to its own account, the list order is the user's
/// (favorites first), and one edited row is the only one without a code.
#[test]
fn a_large_vault_prepared_in_parallel_keeps_each_code_with_its_account() {
    use tessera_core::otp::Generator;
    use tessera_core::vault::AddOutcome;

    let (scratch, vault) = Scratch::new();
    let accounts: Vec<_> = (0..1_300u64)
        .map(|n| totp(&format!("Issuer {n}"), &format!("user{n}"), &seed(n)))
        .collect();
    let ids: Vec<AccountId> = vault
        .add_many(accounts.clone())
        .unwrap()
        .into_iter()
        .map(|outcome| match outcome {
            AddOutcome::Added(id) => id,
            other => panic!("not added: {other:?}"),
        })
        .collect();
    // Two favorites from the end of the list, so the order has to move them to the front.
    for n in [1_299, 1_100] {
        let favorite = AccountUpdate {
            favorite: Some(true),
            ..AccountUpdate::default()
        };
        vault.update(&ids[n], &favorite).unwrap();
    }
    drop(vault);
    edit(
        &scratch.path,
        "UPDATE accounts SET label = 'someone else' WHERE id = ?1",
        ids[700].as_str(),
    );

    let vault = scratch.reopen();
    let at = 1_700_000_000;
    let codes = vault.codes_at(at).unwrap();
    assert_eq!(codes.len(), 1_300);
    let listed: Vec<AccountId> = vault
        .list(&ListFilter::default())
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    let shown: Vec<AccountId> = codes.iter().map(|e| e.id.clone()).collect();
    assert_eq!(shown, listed, "codes come in the list's order");
    assert_eq!(&shown[..2], &[ids[1_100].clone(), ids[1_299].clone()]);
    for entry in &codes {
        let n = ids.iter().position(|id| *id == entry.id).unwrap();
        if n == 700 {
            assert_eq!(entry.code, Err(integrity(&ids[700])));
            continue;
        }
        assert_eq!(entry.label, format!("user{n}"));
        let expected = Generator::for_account(&accounts[n]).unwrap().code_at(at);
        assert_eq!(entry.code.as_ref().unwrap(), &expected, "account {n}");
    }
}
