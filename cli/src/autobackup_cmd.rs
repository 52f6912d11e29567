//! `tessera backup auto|status` and the backup after every command that may change the vault.
//! The rules (key, coalescing, verification, rotation, reminders) are core's
//! (`tessera_core::vault`, `docs/vault.md`, *Automatic backups*); the CLI's destination is a
//! directory (`DirDestination`), remembered in the vault as the destination's description.

use std::path::PathBuf;

use tessera_core::vault::{AutoBackupOutcome, DirDestination, Vault, VaultError};

use crate::CliError;
use crate::session::{GlobalArgs, new_password, open_vault};

fn now() -> u64 {
    tessera_core::otp::unix_now()
}

/// `tessera backup auto --dir DIR [--keep N]` / `--off`.
pub fn auto(
    global: &GlobalArgs,
    dir: Option<PathBuf>,
    keep: Option<u32>,
    off: bool,
) -> Result<(), CliError> {
    let vault = open_vault(global)?;
    if off {
        vault.disable_auto_backup()?;
        println!("automatic backups are off (the backups written stay where they are)");
        return Ok(());
    }
    let Some(dir) = dir else {
        return Err(CliError::Usage(
            "give --dir DIR to switch automatic backups on, or --off".into(),
        ));
    };
    let dir = std::fs::canonicalize(&dir)
        .map_err(|e| CliError::failed(format!("cannot use {}: {e}", dir.display())))?;
    if !dir.is_dir() {
        return Err(CliError::failed(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    let password = new_password(global, "Backup password: ")?;
    let keep = keep.unwrap_or(tessera_core::vault::DEFAULT_KEEP);
    vault.enable_auto_backup(
        &password,
        Default::default(),
        keep,
        &dir.display().to_string(),
        now(),
    )?;
    println!(
        "automatic backups go to {} (the newest {keep} kept); the backup password is needed only to restore",
        dir.display()
    );
    report(&flush(&vault)?.unwrap_or(AutoBackupOutcome::UpToDate));
    Ok(())
}

/// `tessera backup restore --dir DIR`: the newest intact automatic backup in DIR, added to
/// the vault (a fresh install after a lost phone). Half-written and damaged files are skipped
/// and named; a wrong password changes nothing.
pub fn restore(global: &GlobalArgs, dir: &std::path::Path) -> Result<(), CliError> {
    let vault = open_vault(global)?;
    let password = crate::session::read_password(global, "Backup password: ")?;
    let found = tessera_core::vault::read_latest_backup(&DirDestination::new(dir), &password)?;
    for (name, why) in &found.skipped {
        eprintln!(
            "tessera: skipped {}: {}",
            crate::term::safe(name),
            crate::term::safe(why)
        );
    }
    let outcomes = vault.add_many(found.accounts)?;
    let added = outcomes
        .iter()
        .filter(|o| matches!(o, tessera_core::vault::AddOutcome::Added(_)))
        .count();
    println!(
        "restored {added} of {} accounts from {}",
        outcomes.len(),
        crate::term::safe(&found.name)
    );
    Ok(())
}

/// `tessera backup status [--json]`.
pub fn status(global: &GlobalArgs, json: bool) -> Result<(), CliError> {
    let status = open_vault(global)?.auto_backup_status(now())?;
    if json {
        let value = serde_json::json!({
            "enabled": status.enabled,
            "destination": status.destination,
            "keep": status.keep,
            "last_verified_at": status.last_verified_at,
            "last_failure": status.last_failure,
            "unbacked_changes": status.unbacked_changes,
            "password_tested_at": status.password_tested_at,
            "ask_for_password": status.ask_for_password,
        });
        println!("{value}");
        return Ok(());
    }
    if !status.enabled {
        println!("automatic backups are off (`tessera backup auto --dir DIR` switches them on)");
        return Ok(());
    }
    println!(
        "automatic backups: on, to {} (keeping {})",
        status.destination, status.keep
    );
    match status.last_verified_at {
        Some(at) => println!("last verified backup: {at} (unix time)"),
        None => println!("last verified backup: none yet"),
    }
    if let Some(why) = &status.last_failure {
        println!("last attempt failed: {why}");
    }
    if status.unbacked_changes {
        println!("changes not backed up yet");
    }
    if status.ask_for_password {
        println!("time to check that you still know the backup password");
    }
    Ok(())
}

/// Backs up the vault when automatic backups are on and it changed: called after every
/// command that may change the vault, with the vault that command opened (none: the command
/// did not touch a vault). Never prompts and never fails the command that ran; problems are
/// reported on stderr.
pub fn after_command(vault: Option<&Vault>) {
    let Some(vault) = vault else {
        return;
    };
    match flush(vault) {
        Ok(Some(AutoBackupOutcome::UpToDate)) | Ok(None) => {}
        Ok(Some(outcome)) => report(&outcome),
        Err(error) => eprintln!(
            "tessera: warning: automatic backup failed: {}",
            crate::term::safe(&error.to_string())
        ),
    }
}

/// Writes a backup now if anything changed; `None` when automatic backups are off.
fn flush(vault: &Vault) -> Result<Option<AutoBackupOutcome>, VaultError> {
    let status = vault.auto_backup_status(now())?;
    if !status.enabled {
        return Ok(None);
    }
    let destination = DirDestination::new(&status.destination);
    Ok(Some(vault.flush_auto_backup(now(), &destination)?))
}

fn report(outcome: &AutoBackupOutcome) {
    match outcome {
        AutoBackupOutcome::Written { name } => {
            eprintln!("tessera: backed up and verified: {name}")
        }
        AutoBackupOutcome::Failed { reason } => {
            eprintln!("tessera: warning: automatic backup failed: {reason}")
        }
        AutoBackupOutcome::UpToDate | AutoBackupOutcome::Waiting { .. } => {}
    }
}
