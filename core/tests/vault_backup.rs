//! Encrypted backups: restore into empty and populated vaults, wrong passwords, damage.

mod common;

use common::{CHEAP, Scratch, rfc6238_sha1, seed, totp};
use ring::digest;
use tessera_core::vault::{AddOutcome, BACKUP_MAGIC, ListFilter, Vault, VaultError};
use tessera_core::{Account, OtpParams, Secret};

fn sample_vault() -> (Scratch, Vault, Vec<Account>) {
    let (scratch, vault) = Scratch::new();
    let mut with_meta = totp("Work", "alice@work", &seed(1));
    with_meta.meta.note = "recovery codes: 1111 2222".into();
    with_meta.meta.groups = vec!["Office".into()];
    with_meta.meta.favorite = true;
    with_meta.meta.icon = Some("work.png".into());
    with_meta.extra = vec![("serial".into(), "OATH0001".into())];
    let mut hotp = Account::new(
        "Bank",
        "bob",
        Secret::from_bytes(seed(2)),
        OtpParams::hotp(41),
    );
    hotp.meta.groups = vec!["Money".into()];
    let steam = Account::new(
        "Steam",
        "gamer",
        Secret::from_bytes(seed(3)),
        OtpParams::steam(),
    );
    let accounts = vec![with_meta, rfc6238_sha1(), hotp, steam];
    for a in &accounts {
        vault.add(a).unwrap();
    }
    (scratch, vault, accounts)
}

fn sorted(mut accounts: Vec<Account>) -> Vec<Account> {
    accounts.sort_by(|a, b| a.label.cmp(&b.label));
    accounts
}

fn exported(vault: &Vault) -> Vec<Account> {
    vault
        .export_accounts()
        .unwrap()
        .into_iter()
        .map(|(_, a)| a)
        .collect()
}

/// Recomputes the trailing SHA-256 after a deliberate edit, so that what is tested is the
/// field itself and not the checksum.
fn fix_checksum(bytes: &mut Vec<u8>) {
    let len = bytes.len() - 32;
    let sum = digest::digest(&digest::SHA256, &bytes[..len]);
    bytes.truncate(len);
    bytes.extend_from_slice(sum.as_ref());
}

#[test]
fn backup_restores_everything_into_an_empty_vault() {
    let (_s, vault, accounts) = sample_vault();
    let backup = vault.export_backup_with("backup pw", CHEAP).unwrap();
    assert_eq!(&backup[..8], BACKUP_MAGIC);

    let (_t, empty) = Scratch::new();
    let outcomes = empty.import_backup(&backup, "backup pw").unwrap();
    assert_eq!(outcomes.len(), accounts.len());
    assert!(
        outcomes.iter().all(|o| matches!(o, AddOutcome::Added(_))),
        "{outcomes:?}"
    );
    assert_eq!(sorted(exported(&empty)), sorted(accounts));
    // The codes are the same, including the HOTP counter's.
    let at = 1_700_000_000;
    let codes = |v: &Vault| -> Vec<String> {
        let mut c: Vec<String> = v
            .codes_at(at)
            .unwrap()
            .into_iter()
            .map(|e| format!("{}:{}", e.label, e.code.unwrap()))
            .collect();
        c.sort();
        c
    };
    assert_eq!(codes(&empty), codes(&vault));
}

#[test]
fn backup_into_a_populated_vault_reports_duplicates_without_doubling() {
    let (_s, vault, accounts) = sample_vault();
    let backup = vault.export_backup_with("pw", CHEAP).unwrap();

    let (_t, target) = Scratch::new();
    let mine = totp("Mine", "only here", &seed(100));
    target.add(&mine).unwrap();
    // One account of the backup is already in the target, under another name.
    let mut already = accounts[1].clone();
    already.label = "renamed locally".into();
    let existing = target.add(&already).unwrap();

    let outcomes = target.import_backup(&backup, "pw").unwrap();
    assert_eq!(outcomes[1], AddOutcome::Duplicate(existing));
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, AddOutcome::Added(_)))
            .count(),
        accounts.len() - 1
    );
    assert_eq!(
        target.list(&ListFilter::default()).unwrap().len(),
        accounts.len() + 1
    );
    // Importing the same backup again adds nothing.
    let again = target.import_backup(&backup, "pw").unwrap();
    assert!(
        again.iter().all(|o| matches!(o, AddOutcome::Duplicate(_))),
        "{again:?}"
    );
    assert_eq!(
        target.list(&ListFilter::default()).unwrap().len(),
        accounts.len() + 1
    );
}

#[test]
fn wrong_backup_password_imports_nothing() {
    let (_s, vault, _) = sample_vault();
    let backup = vault.export_backup_with("right", CHEAP).unwrap();
    let (_t, target) = Scratch::new();
    assert_eq!(
        target.import_backup(&backup, "wrong").unwrap_err(),
        VaultError::BackupWrongPassword
    );
    assert!(target.list(&ListFilter::default()).unwrap().is_empty());
}

#[test]
fn damaged_backup_is_told_apart_from_a_wrong_password() {
    let (_s, vault, _) = sample_vault();
    let backup = vault.export_backup_with("pw", CHEAP).unwrap();
    let (_t, target) = Scratch::new();
    let damaged = |bytes: &[u8]| match target.import_backup(bytes, "pw") {
        Err(VaultError::BackupDamaged(why)) => why,
        other => panic!("expected BackupDamaged, got {other:?}"),
    };

    // Any flipped byte, anywhere, is damage (the checksum catches it before the password).
    for at in [
        0,
        9,
        20,
        30,
        60,
        75,
        100,
        backup.len() / 2,
        backup.len() - 1,
    ] {
        let mut flipped = backup.clone();
        flipped[at] ^= 0x01;
        let why = damaged(&flipped);
        assert!(!why.is_empty(), "byte {at}");
    }
    assert!(damaged(&backup[..backup.len() - 10]).contains("checksum"));
    assert!(damaged(&backup[..40]).contains("truncated"));
    assert!(damaged(b"{\"version\":1}").contains("not a Tessera backup"));
    assert!(damaged(&[]).contains("not a Tessera backup"));

    // A modified ciphertext with a recomputed checksum still fails: the AEAD tag catches it.
    let mut forged = backup.clone();
    forged[100] ^= 0x80;
    fix_checksum(&mut forged);
    assert!(damaged(&forged).contains("does not decrypt"));

    // Hostile KDF parameters are refused before any memory is allocated.
    let mut greedy = backup.clone();
    greedy[10..14].copy_from_slice(&u32::MAX.to_be_bytes());
    fix_checksum(&mut greedy);
    assert!(damaged(&greedy).contains("out of range"));
    assert!(target.list(&ListFilter::default()).unwrap().is_empty());
}

#[test]
fn newer_backup_format_asks_for_an_update() {
    let (_s, vault, _) = sample_vault();
    let mut backup = vault.export_backup_with("pw", CHEAP).unwrap();
    backup[8..10].copy_from_slice(&2u16.to_be_bytes());
    fix_checksum(&mut backup);
    let (_t, target) = Scratch::new();
    let err = target.import_backup(&backup, "pw").unwrap_err();
    assert_eq!(
        err,
        VaultError::BackupNewerVersion {
            found: 2,
            supported: 1
        }
    );
    assert!(err.to_string().contains("update Tessera"));
}

#[test]
fn backup_excludes_the_trash_and_refuses_an_empty_password() {
    let (_s, vault, accounts) = sample_vault();
    let first = vault.list(&ListFilter::default()).unwrap()[0].id.clone();
    vault.delete(&first).unwrap();
    let backup = vault.export_backup_with("pw", CHEAP).unwrap();
    let (_t, target) = Scratch::new();
    assert_eq!(
        target.import_backup(&backup, "pw").unwrap().len(),
        accounts.len() - 1
    );
    assert!(matches!(
        vault.export_backup_with("", CHEAP),
        Err(VaultError::InvalidPassword(_))
    ));
}

#[test]
fn backup_uses_the_default_argon2_parameters() {
    // The file records the parameters it was made with; the default is 64 MiB, 3 passes.
    let (_s, vault) = Scratch::new();
    vault.add(&rfc6238_sha1()).unwrap();
    let backup = vault.export_backup("pw").unwrap();
    assert_eq!(&backup[10..14], &(64u32 * 1024).to_be_bytes());
    assert_eq!(&backup[14..18], &3u32.to_be_bytes());
    assert_eq!(&backup[18..22], &1u32.to_be_bytes());
    let (_t, target) = Scratch::new();
    assert_eq!(target.import_backup(&backup, "pw").unwrap().len(), 1);
}
