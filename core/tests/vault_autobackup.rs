//! Automatic backups through a real directory: coalescing driven by the clock passed in (no
//! sleeping), read-back verification, rotation that keeps the last verified backup, the
//! reminder status, and restores tested like a disaster (fresh install, lost device key,
//! recovery key with a forgotten password, a half-written file, a wrong password, damage).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};

use common::{CHEAP, Scratch, rfc6238_sha1, seed, totp};
use tessera_core::vault::{
    AutoBackupOutcome, BackupDestination, DirDestination, KeyFile, MAX_WAIT_SECONDS,
    PASSWORD_CHECK_SECONDS, QUIET_SECONDS, Unlocker, Vault, VaultError, read_latest_backup,
};

const T0: u64 = 1_800_000_000;

fn backups(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn enabled(keep: u32) -> (Scratch, Vault, tempfile::TempDir, DirDestination) {
    let (scratch, vault) = Scratch::new();
    let dir = tempfile::tempdir().unwrap();
    vault
        .enable_auto_backup(
            "backup pw",
            CHEAP,
            keep,
            &dir.path().display().to_string(),
            T0,
        )
        .unwrap();
    let dest = DirDestination::new(dir.path());
    (scratch, vault, dir, dest)
}

#[test]
fn changes_in_quick_succession_make_one_verified_backup() {
    let (_scratch, vault, dir, dest) = enabled(5);
    vault.add(&totp("A", "a", &seed(1))).unwrap();
    assert_eq!(
        vault.backup_if_due(T0, &dest).unwrap(),
        AutoBackupOutcome::Waiting {
            due_at: T0 + QUIET_SECONDS
        }
    );
    vault.add(&totp("B", "b", &seed(2))).unwrap();
    // A second change restarts the quiet period.
    assert_eq!(
        vault.backup_if_due(T0 + 4, &dest).unwrap(),
        AutoBackupOutcome::Waiting {
            due_at: T0 + 4 + QUIET_SECONDS
        }
    );
    assert!(
        backups(dir.path()).is_empty(),
        "written before the vault was quiet"
    );
    assert!(matches!(
        vault.backup_if_due(T0 + 4 + QUIET_SECONDS, &dest).unwrap(),
        AutoBackupOutcome::Written { .. }
    ));
    let files = backups(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    // The one backup holds both changes and restores with the password.
    let bytes = std::fs::read(dir.path().join(&files[0])).unwrap();
    assert_eq!(
        tessera_core::vault::read_backup(&bytes, "backup pw")
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        vault.backup_if_due(T0 + 100, &dest).unwrap(),
        AutoBackupOutcome::UpToDate
    );
    let status = vault.auto_backup_status(T0 + 100).unwrap();
    assert!(status.enabled && !status.unbacked_changes);
    assert_eq!(status.last_verified_at, Some(T0 + 4 + QUIET_SECONDS));
}

#[test]
fn a_stream_of_changes_is_backed_up_after_the_longest_wait() {
    let (_scratch, vault, _dir, dest) = enabled(5);
    let mut now = T0;
    let mut n = 0;
    loop {
        n += 1;
        vault.add(&totp("S", &format!("{n}"), &seed(n))).unwrap();
        match vault.backup_if_due(now, &dest).unwrap() {
            AutoBackupOutcome::Waiting { .. } => now += QUIET_SECONDS - 1,
            AutoBackupOutcome::Written { .. } => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(
        (T0 + MAX_WAIT_SECONDS..T0 + MAX_WAIT_SECONDS + QUIET_SECONDS).contains(&now),
        "written at {now}"
    );
}

#[test]
fn rotation_keeps_the_newest_and_never_the_last_verified_one() {
    let (_scratch, vault, dir, dest) = enabled(2);
    for n in 1..=4u64 {
        vault.add(&totp("R", &format!("{n}"), &seed(n))).unwrap();
        assert!(matches!(
            vault.flush_auto_backup(T0 + n, &dest).unwrap(),
            AutoBackupOutcome::Written { .. }
        ));
    }
    let files = backups(dir.path());
    assert_eq!(files.len(), 2, "{files:?}");
    let last_good = files[1].clone();
    // A destination that writes garbage: the backup fails verification, is reported, is
    // not kept, and the last verified one survives any number of rotations.
    let broken = Torn {
        inner: DirDestination::new(dir.path()),
        tear: AtomicBool::new(true),
    };
    for n in 5..=8u64 {
        vault.add(&totp("R", &format!("{n}"), &seed(n))).unwrap();
        let outcome = vault.flush_auto_backup(T0 + n, &broken).unwrap();
        assert!(
            matches!(outcome, AutoBackupOutcome::Failed { .. }),
            "{outcome:?}"
        );
    }
    assert!(backups(dir.path()).contains(&last_good));
    let status = vault.auto_backup_status(T0 + 9).unwrap();
    assert!(status.unbacked_changes);
    assert!(status.last_failure.unwrap().contains("damaged backup"));
    assert_eq!(status.last_verified_at, Some(T0 + 4));
}

/// A destination whose writes are cut short (an interrupted upload): the fault a real
/// directory does not produce on demand.
struct Torn {
    inner: DirDestination,
    tear: AtomicBool,
}

impl BackupDestination for Torn {
    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let cut = if self.tear.load(Ordering::Relaxed) {
            bytes.len() / 2
        } else {
            bytes.len()
        };
        self.inner.write(name, &bytes[..cut])
    }
    fn read(&self, name: &str) -> Result<Vec<u8>, String> {
        self.inner.read(name)
    }
    fn list(&self) -> Result<Vec<String>, String> {
        self.inner.list()
    }
    fn delete(&self, name: &str) -> Result<(), String> {
        // The torn file stays, as after a crash between writing and verifying.
        if self.tear.load(Ordering::Relaxed) {
            return Err("gone".into());
        }
        self.inner.delete(name)
    }
}

#[test]
fn the_status_asks_for_the_password_now_and_then_and_tests_it() {
    let (_scratch, vault, _dir, dest) = enabled(3);
    assert!(!vault.auto_backup_status(T0 + 1).unwrap().ask_for_password);
    let later = T0 + PASSWORD_CHECK_SECONDS;
    assert!(vault.auto_backup_status(later).unwrap().ask_for_password);
    assert!(!vault.test_backup_password("wrong", later).unwrap());
    assert!(vault.auto_backup_status(later).unwrap().ask_for_password);
    assert!(vault.test_backup_password("backup pw", later).unwrap());
    let status = vault.auto_backup_status(later).unwrap();
    assert!(!status.ask_for_password);
    assert_eq!(status.password_tested_at, Some(later));
    vault.disable_auto_backup().unwrap();
    assert!(!vault.auto_backup_status(later).unwrap().enabled);
    assert_eq!(
        vault.flush_auto_backup(later, &dest).unwrap_err(),
        VaultError::AutoBackupOff
    );
}

/// Disaster: the phone is gone. A fresh install restores the newest intact automatic backup
/// with the backup password; a half-written newest file is skipped, never taken for good.
#[test]
fn a_fresh_install_restores_the_newest_intact_backup() {
    let (_scratch, vault, dir, dest) = enabled(5);
    vault.add(&rfc6238_sha1()).unwrap();
    vault.flush_auto_backup(T0, &dest).unwrap();
    vault.add(&totp("Later", "x", &seed(9))).unwrap();
    vault.flush_auto_backup(T0 + 1, &dest).unwrap();
    drop(vault);
    // A half-written file under a newer backup's name (an upload cut off).
    let newest = backups(dir.path()).pop().unwrap();
    let bytes = std::fs::read(dir.path().join(&newest)).unwrap();
    std::fs::write(
        dir.path()
            .join("tessera-auto-999999999999-000009.tsrbackup"),
        &bytes[..bytes.len() / 2],
    )
    .unwrap();

    // Wrong password: nothing restored, nothing created.
    assert_eq!(
        read_latest_backup(&dest, "nope").unwrap_err(),
        VaultError::BackupWrongPassword
    );
    let found = read_latest_backup(&dest, "backup pw").unwrap();
    assert_eq!(found.name, newest);
    assert_eq!(found.skipped.len(), 1, "the half-written file is reported");
    let (fresh, new_vault) = Scratch::new();
    new_vault.add_many(found.accounts).unwrap();
    assert_eq!(new_vault.list(&Default::default()).unwrap().len(), 2);
    drop(fresh);

    // Every file damaged: a clear error, nothing restored.
    for name in backups(dir.path()) {
        let path = dir.path().join(name);
        let mut bytes = std::fs::read(&path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 1;
        std::fs::write(&path, bytes).unwrap();
    }
    let error = read_latest_backup(&dest, "backup pw").unwrap_err();
    assert!(
        matches!(&error, VaultError::BackupDamaged(m) if m.contains("none of its 3")),
        "{error}"
    );
}

/// Disaster: the device key is gone (new phone, wiped keystore) and the password forgotten;
/// the recovery key opens the vault, a new device key is registered, backups go on.
#[test]
fn after_a_lost_device_key_the_recovery_key_opens_the_vault_and_backups_go_on() {
    let (scratch, vault, _dir, dest) = enabled(5);
    vault.add(&rfc6238_sha1()).unwrap();
    vault.set_password("forgotten", CHEAP).unwrap();
    let printed = vault.create_recovery_key().unwrap();
    vault.flush_auto_backup(T0, &dest).unwrap();
    drop(vault);
    std::fs::remove_file(scratch.dir().join("vault.key")).unwrap();

    let new_key = scratch.dir().join("new.key");
    let unlocker = Unlocker::new(&scratch.path, Box::new(KeyFile::create(&new_key).unwrap()));
    assert!(unlocker.unlock(None).is_err());
    let unlocked = unlocker.unlock_with_recovery_key(&printed).unwrap();
    let vault = unlocked.vault;
    // The backup key is still in the vault: no backup password needed.
    vault.add(&totp("After", "recovery", &seed(3))).unwrap();
    assert!(matches!(
        vault.flush_auto_backup(T0 + 5, &dest).unwrap(),
        AutoBackupOutcome::Written { .. }
    ));
    assert_eq!(
        read_latest_backup(&dest, "backup pw")
            .unwrap()
            .accounts
            .len(),
        2
    );
}

#[test]
fn enabling_needs_a_password_and_a_count_and_changes_nothing_otherwise() {
    let (_scratch, vault) = Scratch::new();
    assert!(matches!(
        vault.enable_auto_backup("", CHEAP, 3, "d", T0),
        Err(VaultError::InvalidPassword(_))
    ));
    assert!(matches!(
        vault.enable_auto_backup("pw", CHEAP, 0, "d", T0),
        Err(VaultError::InvalidBackupSetting(m)) if m.contains("at least one")
    ));
    assert!(!vault.auto_backup_status(T0).unwrap().enabled);
}
