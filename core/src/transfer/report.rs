//! Committing what an importer read into the vault, and the per-entry report of what happened.

use std::collections::HashMap;

use super::{EntryError, Format, ImportItem, TransferError};
use crate::account::{Account, OtpKind};
use crate::vault::{AccountId, AddOutcome, Vault, VaultError};

/// What happened to one entry of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored in the vault under this id.
    Imported(AccountId),
    /// Dry run: would be stored.
    WouldImport,
    /// Not stored: the vault already holds an account with the same codes (this id), or an
    /// earlier entry of the same source was stored under it.
    Duplicate(AccountId),
    /// Dry run: the same account as the earlier entry at this index of the source.
    RepeatedInSource(usize),
    /// Not stored, and why.
    Failed(EntryError),
}

/// One line of an [`ImportReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEntry {
    /// The entry as the source names it (issuer and label; never a secret).
    pub name: String,
    /// What happened to it.
    pub outcome: Outcome,
}

/// The result of an import: one entry per entry of the source, in the source's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The format that was read.
    pub format: Format,
    /// True when nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// Every entry, in order.
    pub entries: Vec<ReportEntry>,
}

impl ImportReport {
    /// Entries stored (or, in a dry run, that would be).
    pub fn imported(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Imported(_) | Outcome::WouldImport))
    }

    /// Entries skipped because the vault (or the source) already has them.
    pub fn duplicates(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Duplicate(_) | Outcome::RepeatedInSource(_)))
    }

    /// Entries that could not be imported.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.entries.iter().filter(|e| f(&e.outcome)).count()
    }
}

/// Why an import into the vault failed as a whole. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The source could not be read (wrong password, damaged file, unknown format).
    #[error(transparent)]
    Source(#[from] TransferError),
    /// The vault could not store the accounts.
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
}

/// Reads `bytes` (see [`super::read`]) and stores every readable entry in `vault` in one
/// transaction. Accounts already in the vault are reported as duplicates, so importing the
/// same file twice adds nothing the second time. With `dry_run`, nothing is written and the
/// report says what would happen.
pub fn import(
    vault: &Vault,
    bytes: &[u8],
    format: Option<Format>,
    password: Option<&str>,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    import_with_progress(vault, bytes, format, password, dry_run, &mut |_, _| {})
}

/// [`import`] that calls `progress(written, total)` while the accounts are written to the
/// vault (the slow part of a large import), for a shell's progress bar.
pub fn import_with_progress(
    vault: &Vault,
    bytes: &[u8],
    format: Option<Format>,
    password: Option<&str>,
    dry_run: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, ImportError> {
    super::check_size(bytes)?;
    let detected = format.is_none();
    let format = match format {
        Some(f) => f,
        None => super::detect(bytes).ok_or_else(|| super::undetected(bytes))?,
    };
    if format == Format::TesseraBackup {
        return restore_backup(vault, bytes, password, dry_run);
    }
    let items = super::read_as(bytes, format, detected, password)?;
    commit_with_progress(vault, items, format, dry_run, progress)
}

/// Tessera's own backups are decoded by the vault, which adds their accounts in one transaction.
fn restore_backup(
    vault: &Vault,
    bytes: &[u8],
    password: Option<&str>,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    if dry_run {
        return Err(TransferError::Unsupported(
            "a dry run of a Tessera backup (restore it into an empty vault to look inside)".into(),
        )
        .into());
    }
    let password = password.ok_or(TransferError::PasswordRequired)?;
    let outcomes = vault.import_backup(bytes, password).map_err(|e| match e {
        VaultError::BackupWrongPassword => ImportError::Source(TransferError::WrongPassword),
        VaultError::BackupDamaged(why) => ImportError::Source(TransferError::Damaged(why)),
        other => ImportError::Vault(other),
    })?;
    let mut entries = Vec::with_capacity(outcomes.len());
    for (index, outcome) in outcomes.into_iter().enumerate() {
        let (name, outcome) = match outcome {
            AddOutcome::Added(id) => (summary_name(vault, &id)?, Outcome::Imported(id)),
            AddOutcome::Duplicate(id) => (summary_name(vault, &id)?, Outcome::Duplicate(id)),
            AddOutcome::Rejected(reason) => (
                format!("backup entry {}", index + 1),
                Outcome::Failed(EntryError::Invalid(reason)),
            ),
        };
        entries.push(ReportEntry { name, outcome });
    }
    Ok(ImportReport {
        format: Format::TesseraBackup,
        dry_run,
        entries,
    })
}

fn summary_name(vault: &Vault, id: &AccountId) -> Result<String, ImportError> {
    let s = vault.summary(id)?;
    Ok(super::entry_name(&s.issuer, &s.label))
}

/// Stores already-read items (see [`import`]).
pub fn commit(
    vault: &Vault,
    items: Vec<ImportItem>,
    format: Format,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    commit_with_progress(vault, items, format, dry_run, &mut |_, _| {})
}

fn commit_with_progress(
    vault: &Vault,
    items: Vec<ImportItem>,
    format: Format,
    dry_run: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, ImportError> {
    let mut names = Vec::with_capacity(items.len());
    let mut accounts = Vec::new();
    // Where each readable entry goes in `accounts`; failures keep their reason.
    let mut slots: Vec<Result<usize, EntryError>> = Vec::with_capacity(items.len());
    for item in items {
        names.push(item.name);
        slots.push(item.result.map(|account| {
            accounts.push(account);
            accounts.len() - 1
        }));
    }
    let outcomes: Vec<Outcome> = if dry_run {
        preview(vault, &accounts)?
    } else {
        vault
            .add_many_with_progress(accounts, progress)?
            .into_iter()
            .map(|o| match o {
                AddOutcome::Added(id) => Outcome::Imported(id),
                AddOutcome::Duplicate(id) => Outcome::Duplicate(id),
                AddOutcome::Rejected(reason) => Outcome::Failed(EntryError::Invalid(reason)),
            })
            .collect()
    };
    let entries = names
        .into_iter()
        .zip(slots)
        .map(|(name, slot)| ReportEntry {
            name,
            outcome: match slot {
                Ok(index) => outcomes[index].clone(),
                Err(reason) => Outcome::Failed(reason),
            },
        })
        .collect();
    Ok(ImportReport {
        format,
        dry_run,
        entries,
    })
}

/// What [`Vault::add_many`] would say, without writing: duplicates by the same rule as
/// [`Account::same_codes_as`], found through a digest of secret and parameters so that no
/// plain copy of a secret is made.
fn preview(vault: &Vault, accounts: &[Account]) -> Result<Vec<Outcome>, ImportError> {
    let mut known: HashMap<[u8; 32], Result<AccountId, usize>> = HashMap::new();
    for (id, account) in vault.export_accounts()? {
        known.entry(identity(&account)).or_insert(Ok(id));
    }
    Ok(accounts
        .iter()
        .enumerate()
        .map(|(index, account)| {
            if let Err(e) = account.params.validate() {
                return Outcome::Failed(EntryError::Invalid(e.to_string()));
            }
            match known.get(&identity(account)) {
                Some(Ok(id)) => Outcome::Duplicate(id.clone()),
                Some(Err(first)) => Outcome::RepeatedInSource(*first),
                None => {
                    known.insert(identity(account), Err(index));
                    Outcome::WouldImport
                }
            }
        })
        .collect())
}

fn identity(account: &Account) -> [u8; 32] {
    let p = &account.params;
    let mut ctx = crate::crypto::mac::Sha256::default();
    ctx.update(p.kind.as_str().as_bytes());
    ctx.update(p.algorithm.as_str().as_bytes());
    ctx.update(&[p.digits]);
    // The counter is state, not identity; the period does not matter for HOTP.
    let period = if p.kind == OtpKind::Hotp { 0 } else { p.period };
    ctx.update(&period.to_be_bytes());
    ctx.update(account.secret.as_bytes());
    ctx.finish()
}
