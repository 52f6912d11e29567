//! Public behaviour of the vault: storage, unlocking, operations, codes and backups.

mod common;

use common::{CHEAP, RFC_SEED, Scratch, rfc6238_sha1, seed, totp};
use tessera_core::vault::{AccountUpdate, AddOutcome, KeyFile, ListFilter, Vault, VaultError};
use tessera_core::{Account, AccountMeta, Algorithm, OtpKind, OtpParams, Secret};

fn ids(list: &[tessera_core::vault::AccountSummary]) -> Vec<String> {
    list.iter().map(|s| s.label.clone()).collect()
}

#[test]
fn vault_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Vault>();
}

#[test]
fn added_account_comes_back_identical_after_reopen() {
    let (scratch, vault) = Scratch::new();
    let mut account = Account::new(
        "Example",
        "alice@example.org",
        Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
        OtpParams {
            algorithm: Algorithm::Sha256,
            digits: 7,
            period: 45,
            ..OtpParams::totp()
        },
    );
    account.meta = AccountMeta {
        note: "recovery: 1234-5678".into(),
        icon: Some("https://example.org/icon.png".into()),
        picture: None,
        groups: vec!["Work".into(), "Mail".into()],
        favorite: true,
    };
    account.extra = vec![("serial".into(), "TOTP0001".into())];
    let id = vault.add(&account).unwrap();
    drop(vault);

    let vault = scratch.reopen();
    let mut back = vault.get(&id).unwrap();
    // Groups come back sorted by name.
    back.meta.groups.sort();
    account.meta.groups.sort();
    assert_eq!(back, account);
    let listed = vault.list(&ListFilter::default()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    assert_eq!(
        listed[0].groups,
        vec!["Mail".to_string(), "Work".to_string()]
    );
    assert!(listed[0].favorite);
}

#[test]
fn duplicate_add_names_the_existing_account_and_stores_nothing() {
    let (_scratch, vault) = Scratch::new();
    let first = vault.add(&totp("A", "one", b"secret-one-1234")).unwrap();
    // Same secret and parameters under another name is the same account.
    let err = vault
        .add(&totp("B", "renamed", b"secret-one-1234"))
        .unwrap_err();
    assert_eq!(
        err,
        VaultError::Duplicate {
            existing: first.clone(),
            in_trash: false
        }
    );
    // Another period makes other codes: not a duplicate.
    let mut other_period = totp("A", "one", b"secret-one-1234");
    other_period.params.period = 60;
    vault.add(&other_period).unwrap();
    // HOTP: the counter is state, not identity.
    let mut hotp = totp("H", "h", b"hotp-secret-123");
    hotp.params = OtpParams::hotp(0);
    let h = vault.add(&hotp).unwrap();
    hotp.params.counter = 17;
    assert!(
        matches!(vault.add(&hotp), Err(VaultError::Duplicate { existing, .. }) if existing == h)
    );
    assert_eq!(vault.list(&ListFilter::default()).unwrap().len(), 3);

    vault.delete(&first).unwrap();
    let err = vault
        .add(&totp("A", "one", b"secret-one-1234"))
        .unwrap_err();
    assert_eq!(
        err,
        VaultError::Duplicate {
            existing: first,
            in_trash: true
        }
    );
    assert!(err.to_string().contains("restore"), "{err}");
}

#[test]
fn add_many_reports_each_input_in_order() {
    let (_scratch, vault) = Scratch::new();
    let existing = vault.add(&totp("X", "x", &seed(1))).unwrap();
    let mut invalid = totp("Bad", "digits", &seed(9));
    invalid.params.digits = 11;
    let outcomes = vault
        .add_many(vec![
            totp("N", "new", &seed(2)),
            totp("X", "again", &seed(1)),
            invalid,
            totp("N", "new twice", &seed(2)),
        ])
        .unwrap();
    assert_eq!(outcomes.len(), 4);
    let AddOutcome::Added(new_id) = &outcomes[0] else {
        panic!("first should be added: {outcomes:?}")
    };
    assert_eq!(outcomes[1], AddOutcome::Duplicate(existing));
    assert!(matches!(&outcomes[2], AddOutcome::Rejected(r) if r.contains("digits")));
    assert_eq!(outcomes[3], AddOutcome::Duplicate(new_id.clone()));
    assert_eq!(vault.list(&ListFilter::default()).unwrap().len(), 2);
}

#[test]
fn rejects_invalid_account_with_specific_error() {
    let (_scratch, vault) = Scratch::new();
    let mut bad = totp("A", "a", b"abc");
    bad.params.period = 0;
    assert!(matches!(vault.add(&bad), Err(VaultError::InvalidAccount(m)) if m.contains("period")));
    let empty = Account::new("A", "a", Secret::from_bytes(vec![]), OtpParams::totp());
    assert!(matches!(
        vault.add(&empty),
        Err(VaultError::InvalidAccount(_))
    ));
    assert!(vault.list(&ListFilter::default()).unwrap().is_empty());
}

#[test]
fn list_keeps_user_order_and_filters() {
    let (_scratch, vault) = Scratch::new();
    let mut a = totp("GitHub", "alice", &seed(1));
    a.meta.groups = vec!["Work".into()];
    let mut b = totp("Mastodon", "Bob", &seed(2));
    b.meta.groups = vec!["Social".into()];
    let c = totp("Gitea", "carol", &seed(3));
    let ia = vault.add(&a).unwrap();
    let ib = vault.add(&b).unwrap();
    let ic = vault.add(&c).unwrap();
    let all = ListFilter::default();
    assert_eq!(ids(&vault.list(&all).unwrap()), ["alice", "Bob", "carol"]);

    let text = ListFilter {
        text: Some("GIT".into()),
        ..Default::default()
    };
    assert_eq!(ids(&vault.list(&text).unwrap()), ["alice", "carol"]);
    let label_text = ListFilter {
        text: Some("bob".into()),
        ..Default::default()
    };
    assert_eq!(ids(&vault.list(&label_text).unwrap()), ["Bob"]);
    let group = ListFilter {
        group: Some("Social".into()),
        ..Default::default()
    };
    assert_eq!(ids(&vault.list(&group).unwrap()), ["Bob"]);

    // Move carol to the front, then pin Bob: favorites come first.
    vault
        .update(
            &ic,
            &AccountUpdate {
                position: Some(0),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(ids(&vault.list(&all).unwrap()), ["carol", "alice", "Bob"]);
    vault
        .update(
            &ib,
            &AccountUpdate {
                favorite: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(ids(&vault.list(&all).unwrap()), ["Bob", "carol", "alice"]);
    let favorites = ListFilter {
        favorites_only: true,
        ..Default::default()
    };
    assert_eq!(ids(&vault.list(&favorites).unwrap()), ["Bob"]);
    // Positions past the end clamp to the end.
    vault
        .update(
            &ic,
            &AccountUpdate {
                position: Some(99),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(ids(&vault.list(&all).unwrap()), ["Bob", "alice", "carol"]);
    let _ = ia;
}

#[test]
fn move_before_places_an_account_where_a_drag_dropped_it() {
    let (_scratch, vault) = Scratch::new();
    let mut ids_of = Vec::new();
    for (n, label) in ["a", "b", "c", "d"].into_iter().enumerate() {
        let mut account = totp("Site", label, &seed(20 + n as u64));
        account.meta.groups = if label == "a" || label == "d" {
            vec!["Work".into()]
        } else {
            vec![]
        };
        ids_of.push(vault.add(&account).unwrap());
    }
    let [a, b, c, d] = [&ids_of[0], &ids_of[1], &ids_of[2], &ids_of[3]];
    let all = ListFilter::default();
    let work = ListFilter {
        group: Some("Work".into()),
        ..Default::default()
    };

    // In the "Work" list (a, d) the user drags d above a: it lands just before a in the whole
    // order, not at index 0 of a list the user never saw.
    vault.move_before(d, Some(a)).unwrap();
    assert_eq!(ids(&vault.list(&work).unwrap()), ["d", "a"]);
    assert_eq!(ids(&vault.list(&all).unwrap()), ["d", "a", "b", "c"]);

    // With a favorite drawn first, a drop on a row is still a drop on that row.
    vault
        .update(
            c,
            &AccountUpdate {
                favorite: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(ids(&vault.list(&all).unwrap()), ["c", "d", "a", "b"]);
    vault.move_before(b, Some(d)).unwrap();
    assert_eq!(ids(&vault.list(&all).unwrap()), ["c", "b", "d", "a"]);
    vault.move_before(d, None).unwrap();
    assert_eq!(ids(&vault.list(&all).unwrap()), ["c", "b", "a", "d"]);
    vault.move_before(a, Some(a)).unwrap();
    assert_eq!(ids(&vault.list(&all).unwrap()), ["c", "b", "a", "d"]);

    // A trashed account is neither moved nor a place to move to; nothing changes.
    vault.delete(b).unwrap();
    assert!(matches!(
        vault.move_before(b, None),
        Err(VaultError::NotFound { .. })
    ));
    assert!(matches!(
        vault.move_before(a, Some(b)),
        Err(VaultError::NotFound { .. })
    ));
    assert_eq!(ids(&vault.list(&all).unwrap()), ["c", "a", "d"]);
}

#[test]
fn update_changes_metadata_only() {
    let (scratch, vault) = Scratch::new();
    let original = totp("Old", "old", &seed(5));
    let id = vault.add(&original).unwrap();
    vault
        .update(
            &id,
            &AccountUpdate {
                issuer: Some("New".into()),
                label: Some("new".into()),
                note: Some("a note".into()),
                icon: Some(Some("icon-id".into())),
                groups: Some(vec!["G".into()]),
                favorite: Some(true),
                position: None,
            },
        )
        .unwrap();
    let back = scratch.reopen().get(&id).unwrap();
    assert_eq!(back.issuer, "New");
    assert_eq!(back.label, "new");
    assert_eq!(back.meta.note, "a note");
    assert_eq!(back.meta.icon.as_deref(), Some("icon-id"));
    assert_eq!(back.meta.groups, vec!["G".to_string()]);
    assert!(back.meta.favorite);
    assert_eq!(back.secret, original.secret);
    assert_eq!(back.params, original.params);

    vault
        .update(
            &id,
            &AccountUpdate {
                groups: Some(vec![]),
                icon: Some(None),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        vault.groups().unwrap().is_empty(),
        "unused groups disappear"
    );
    assert_eq!(vault.get(&id).unwrap().meta.icon, None);

    let missing =
        tessera_core::vault::AccountId::parse("00000000-0000-4000-8000-000000000000").unwrap();
    assert!(matches!(
        vault.update(&missing, &AccountUpdate::default()),
        Err(VaultError::NotFound { .. })
    ));
}

#[test]
fn trash_restore_and_purge() {
    let (_scratch, vault) = Scratch::new();
    let keep = vault.add(&totp("K", "keep", &seed(1))).unwrap();
    let gone = vault.add(&totp("G", "gone", &seed(2))).unwrap();
    // Purging is only possible from the trash.
    assert!(matches!(
        vault.purge(&gone),
        Err(VaultError::NotFound { .. })
    ));
    vault.delete(&gone).unwrap();
    assert_eq!(ids(&vault.list(&ListFilter::default()).unwrap()), ["keep"]);
    assert_eq!(ids(&vault.trash().unwrap()), ["gone"]);
    assert_eq!(vault.codes_at(59).unwrap().len(), 1);
    // Still readable while in the trash.
    assert_eq!(vault.get(&gone).unwrap().label, "gone");

    vault.restore(&gone).unwrap();
    assert_eq!(vault.list(&ListFilter::default()).unwrap().len(), 2);
    assert!(vault.trash().unwrap().is_empty());

    vault.delete(&gone).unwrap();
    vault.purge(&gone).unwrap();
    assert!(vault.trash().unwrap().is_empty());
    assert!(matches!(vault.get(&gone), Err(VaultError::NotFound { .. })));
    assert!(matches!(
        vault.restore(&gone),
        Err(VaultError::NotFound { .. })
    ));
    // The same secret can now be added again.
    vault.add(&totp("G", "gone", &seed(2))).unwrap();
    let _ = keep;
}

#[test]
fn resolve_id_accepts_unique_prefixes() {
    let (_scratch, vault) = Scratch::new();
    let id = vault.add(&totp("A", "a", &seed(1))).unwrap();
    assert_eq!(vault.resolve_id(&id.as_str()[..8]).unwrap(), id);
    assert_eq!(vault.resolve_id(&id.as_str().to_uppercase()).unwrap(), id);
    assert!(matches!(
        vault.resolve_id("zz"),
        Err(VaultError::NotFound { .. })
    ));
    assert!(matches!(
        vault.resolve_id("ab"),
        Err(VaultError::NotFound { .. })
    ));
}

#[test]
fn codes_at_match_rfc6238_and_hotp_does_not_advance() {
    let (scratch, vault) = Scratch::new();
    let t = vault.add(&rfc6238_sha1()).unwrap();
    let mut hotp = Account::new(
        "RFC",
        "4226",
        Secret::from_bytes(RFC_SEED.to_vec()),
        OtpParams::hotp(0),
    );
    hotp.meta.favorite = false;
    let h = vault.add(&hotp).unwrap();
    for _ in 0..2 {
        let codes = vault.codes_at(59).unwrap();
        assert_eq!(codes.len(), 2);
        assert_eq!(codes[0].id, t);
        assert_eq!(
            codes[0].code.as_ref().unwrap().text().as_str(),
            "94287082",
            "RFC 6238 T=59"
        );
        assert_eq!(codes[0].remaining_seconds, 1);
        assert_eq!(codes[0].kind, OtpKind::Totp);
        assert_eq!(
            codes[1].code.as_ref().unwrap().text().as_str(),
            "755224",
            "RFC 4226 counter 0"
        );
        assert_eq!(codes[1].remaining_seconds, 0);
    }
    assert_eq!(
        vault.codes_at(1111111109).unwrap()[0]
            .code
            .as_ref()
            .unwrap()
            .text()
            .as_str(),
        "07081804"
    );

    // next_hotp commits counter 1 and returns its code; the display follows.
    assert_eq!(
        vault.next_hotp(&h).unwrap().text().as_str(),
        "287082",
        "RFC 4226 counter 1"
    );
    assert_eq!(
        vault.codes_at(0).unwrap()[1]
            .code
            .as_ref()
            .unwrap()
            .text()
            .as_str(),
        "287082"
    );
    // Committed: another handle sees it at once.
    let other = scratch.reopen();
    assert_eq!(other.get(&h).unwrap().params.counter, 1);
    assert_eq!(
        other.next_hotp(&h).unwrap().text().as_str(),
        "359152",
        "RFC 4226 counter 2"
    );
    // The first handle notices the other connection's commit.
    assert_eq!(
        vault.codes_at(0).unwrap()[1]
            .code
            .as_ref()
            .unwrap()
            .text()
            .as_str(),
        "359152"
    );
    assert!(matches!(
        vault.next_hotp(&t),
        Err(VaultError::InvalidAccount(_))
    ));
}

#[test]
fn codes_follow_adds_edits_and_deletes() {
    let (_scratch, vault) = Scratch::new();
    let a = vault.add(&rfc6238_sha1()).unwrap();
    assert_eq!(vault.codes_at(59).unwrap().len(), 1);
    let b = vault.add(&totp("B", "b", &seed(7))).unwrap();
    assert_eq!(vault.codes_at(59).unwrap().len(), 2);
    vault
        .update(
            &a,
            &AccountUpdate {
                label: Some("renamed".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(vault.codes_at(59).unwrap()[0].label, "renamed");
    vault.delete(&b).unwrap();
    assert_eq!(vault.codes_at(59).unwrap().len(), 1);
}

#[test]
fn password_slot_unlocks_and_can_change_and_go() {
    let (scratch, vault) = Scratch::new();
    let id = vault.add(&rfc6238_sha1()).unwrap();
    assert!(matches!(
        Vault::open_with_password(&scratch.path, "pw"),
        Err(VaultError::NoPassword)
    ));
    assert!(!vault.has_password().unwrap());
    assert!(!Vault::status(&scratch.path).unwrap().has_password);
    vault.set_password("correct horse", CHEAP).unwrap();
    assert!(vault.has_password().unwrap());
    assert!(Vault::status(&scratch.path).unwrap().has_password);

    let by_password = Vault::open_with_password(&scratch.path, "correct horse").unwrap();
    assert_eq!(by_password.get(&id).unwrap(), rfc6238_sha1());
    assert_eq!(
        Vault::open_with_password(&scratch.path, "wrong").unwrap_err(),
        VaultError::WrongPassword
    );
    // A session unlocked by password cannot remove the password: the device slot was not
    // proven to work, and removing it could lock the user out.
    assert_eq!(
        by_password.remove_password().unwrap_err(),
        VaultError::DeviceKeyUnverified
    );

    vault.set_password("new password", CHEAP).unwrap();
    assert_eq!(
        Vault::open_with_password(&scratch.path, "correct horse").unwrap_err(),
        VaultError::WrongPassword
    );
    Vault::open_with_password(&scratch.path, "new password").unwrap();
    assert!(matches!(
        vault.set_password("", CHEAP),
        Err(VaultError::InvalidPassword(_))
    ));

    vault.remove_password().unwrap();
    assert_eq!(
        Vault::open_with_password(&scratch.path, "new password").unwrap_err(),
        VaultError::NoPassword
    );
    assert_eq!(vault.remove_password().unwrap_err(), VaultError::NoPassword);
    // The device slot still works.
    assert_eq!(scratch.reopen().get(&id).unwrap(), rfc6238_sha1());
}

#[test]
fn lost_device_key_recovers_through_the_password() {
    let (scratch, vault) = Scratch::new();
    let id = vault.add(&rfc6238_sha1()).unwrap();
    vault.set_password("pw", CHEAP).unwrap();
    drop(vault);
    let new_device = KeyFile::create(&scratch.dir().join("new.key")).unwrap();
    assert_eq!(
        Vault::open_with_device(&scratch.path, &new_device).unwrap_err(),
        VaultError::WrongDeviceKey
    );
    let vault = Vault::open_with_password(&scratch.path, "pw").unwrap();
    vault.set_device_key(&new_device).unwrap();
    vault.remove_password().unwrap();
    drop(vault);
    let vault = Vault::open_with_device(&scratch.path, &new_device).unwrap();
    assert_eq!(vault.get(&id).unwrap(), rfc6238_sha1());
    assert_eq!(
        Vault::open_with_device(&scratch.path, &scratch.key).unwrap_err(),
        VaultError::WrongDeviceKey
    );
}

#[test]
fn wrong_device_key_changes_nothing() {
    let (scratch, vault) = Scratch::new();
    vault.add(&rfc6238_sha1()).unwrap();
    drop(vault);
    let before = std::fs::read(&scratch.path).unwrap();
    let stranger = KeyFile::create(&scratch.dir().join("stranger.key")).unwrap();
    assert_eq!(
        Vault::open_with_device(&scratch.path, &stranger).unwrap_err(),
        VaultError::WrongDeviceKey
    );
    assert_eq!(std::fs::read(&scratch.path).unwrap(), before);
    assert_eq!(
        scratch.reopen().list(&ListFilter::default()).unwrap().len(),
        1
    );
}

#[test]
fn create_never_overwrites_and_open_refuses_other_files() {
    let (scratch, vault) = Scratch::new();
    vault.add(&rfc6238_sha1()).unwrap();
    assert!(matches!(
        Vault::create(&scratch.path, &scratch.key),
        Err(VaultError::AlreadyExists { .. })
    ));
    assert_eq!(
        scratch.reopen().list(&ListFilter::default()).unwrap().len(),
        1
    );

    let missing = scratch.dir().join("missing.sqlite");
    assert!(matches!(
        Vault::open_with_device(&missing, &scratch.key),
        Err(VaultError::NoVault { .. })
    ));
    assert!(!missing.exists(), "opening must not create a file");

    let text = scratch.dir().join("notes.txt");
    std::fs::write(
        &text,
        b"just some text, long enough to not be a database header....",
    )
    .unwrap();
    assert!(matches!(
        Vault::open_with_device(&text, &scratch.key),
        Err(VaultError::NotAVault { .. })
    ));
    assert!(matches!(
        Vault::create(&text, &scratch.key),
        Err(VaultError::AlreadyExists { .. })
    ));

    let other_db = scratch.dir().join("other.sqlite");
    let conn = rusqlite::Connection::open(&other_db).unwrap();
    conn.execute_batch("CREATE TABLE t (x INTEGER); PRAGMA user_version = 1;")
        .unwrap();
    drop(conn);
    assert!(matches!(
        Vault::open_with_device(&other_db, &scratch.key),
        Err(VaultError::NotAVault { .. })
    ));
}

#[test]
fn create_reuses_the_empty_file_an_interrupted_create_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let key = KeyFile::create(&dir.path().join("k")).unwrap();
    let path = dir.path().join("v.sqlite");
    // What SQLite leaves when a process dies before the creating transaction commits.
    drop(rusqlite::Connection::open(&path).unwrap());
    let vault = Vault::create(&path, &key).unwrap();
    vault.add(&rfc6238_sha1()).unwrap();
}

#[test]
fn newer_schema_is_refused_with_a_clear_error() {
    let (scratch, vault) = Scratch::new();
    drop(vault);
    let conn = rusqlite::Connection::open(&scratch.path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Vault::open_with_device(&scratch.path, &scratch.key).unwrap_err();
    assert_eq!(
        err,
        VaultError::NewerSchema {
            found: 99,
            supported: tessera_core::vault::SCHEMA_VERSION
        }
    );
    assert!(err.to_string().contains("update Tessera"));
}

#[test]
fn storage_passes_integrity_check() {
    let (_scratch, vault) = Scratch::new();
    for n in 0..50 {
        vault.add(&totp("I", &format!("{n}"), &seed(n))).unwrap();
    }
    vault.check_storage().unwrap();
}

#[cfg(unix)]
#[test]
fn vault_files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let (scratch, vault) = Scratch::new();
    vault.add(&rfc6238_sha1()).unwrap();
    for name in [
        "vault.sqlite",
        "vault.sqlite-wal",
        "vault.sqlite-shm",
        "vault.key",
    ] {
        let mode = std::fs::metadata(scratch.dir().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{name} mode {:o}", mode & 0o777);
    }
}
