//! Importing into the vault: one transaction, duplicates reported instead of doubled, nothing
//! written on a wrong password or a damaged file, and vault → export → import round trips.

mod common;

use common::Scratch;
use tessera_core::transfer::export::{ExportFormat, export_vault};
use tessera_core::transfer::{self, EntryError, Format, ImportError, Outcome, TransferError};
use tessera_core::vault::ListFilter;
use tessera_core::{Account, Generator};

const PASSWORD: &str = "correct horse battery staple ✓";

fn fixture(name: &str) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/transfer");
    std::fs::read(dir.join(name)).unwrap()
}

fn count(vault: &tessera_core::vault::Vault) -> usize {
    vault.list(&ListFilter::default()).unwrap().len()
}

#[test]
fn importing_the_same_file_twice_doubles_nothing() {
    let (_scratch, vault) = Scratch::new();
    let bytes = fixture("aegis_encrypted.json");
    let first = transfer::import(&vault, &bytes, None, Some(PASSWORD), false).unwrap();
    assert_eq!(first.format, Format::Aegis);
    assert_eq!(
        (first.imported(), first.duplicates(), first.failed()),
        (5, 0, 5)
    );
    assert_eq!(count(&vault), 5);

    let second = transfer::import(&vault, &bytes, None, Some(PASSWORD), false).unwrap();
    assert_eq!(
        (second.imported(), second.duplicates(), second.failed()),
        (0, 5, 5)
    );
    for (a, b) in first.entries.iter().zip(&second.entries) {
        if let (Outcome::Imported(id), Outcome::Duplicate(existing)) = (&a.outcome, &b.outcome) {
            assert_eq!(id, existing, "{}", a.name);
        }
    }
    assert_eq!(count(&vault), 5);
}

#[test]
fn the_report_names_every_entry_in_source_order() {
    let (_scratch, vault) = Scratch::new();
    let report =
        transfer::import(&vault, &fixture("twofas_plain_v4.2fas"), None, None, false).unwrap();
    assert_eq!(report.entries.len(), 8);
    assert_eq!(report.entries[0].name, "GitHub (alice@example.org)");
    assert!(matches!(report.entries[0].outcome, Outcome::Imported(_)));
    assert!(matches!(
        report.entries[5].outcome,
        Outcome::Failed(EntryError::Unsupported(_))
    ));
    assert_eq!(report.imported() + report.duplicates() + report.failed(), 8);
}

#[test]
fn a_wrong_password_or_damaged_file_writes_nothing_and_says_which() {
    let (_scratch, vault) = Scratch::new();
    let wrong = transfer::import(
        &vault,
        &fixture("aegis_encrypted.json"),
        None,
        Some("nope"),
        false,
    );
    assert!(matches!(
        wrong,
        Err(ImportError::Source(TransferError::WrongPassword))
    ));
    let damaged = transfer::import(
        &vault,
        &fixture("aegis_encrypted_damaged_db.json"),
        None,
        Some(PASSWORD),
        false,
    );
    assert!(
        matches!(damaged, Err(ImportError::Source(TransferError::Damaged(_)))),
        "{damaged:?}"
    );
    let cut = fixture("twofas_plain_v4.2fas");
    let cut = transfer::import(&vault, &cut[..cut.len() / 2], None, None, false);
    assert!(matches!(
        cut,
        Err(ImportError::Source(TransferError::Damaged(_)))
    ));
    assert_eq!(count(&vault), 0);
}

#[test]
fn a_dry_run_writes_nothing_but_predicts_duplicates() {
    let (_scratch, vault) = Scratch::new();
    let list = fixture("otpauth_list.txt");
    let twice = [list.as_slice(), list.as_slice()].concat();
    let preview = transfer::import(&vault, &twice, None, None, true).unwrap();
    assert!(preview.dry_run);
    assert_eq!((preview.imported(), preview.duplicates()), (5, 5));
    assert!(matches!(
        preview.entries[9].outcome,
        Outcome::RepeatedInSource(0)
    ));
    assert_eq!(count(&vault), 0);

    let real = transfer::import(&vault, &twice, None, None, false).unwrap();
    assert_eq!((real.imported(), real.duplicates()), (5, 5));
    let again = transfer::import(&vault, &list, None, None, true).unwrap();
    assert_eq!((again.imported(), again.duplicates()), (0, 5));
    assert_eq!(count(&vault), 5);
}

fn codes(accounts: &[Account]) -> Vec<String> {
    accounts
        .iter()
        .map(|a| {
            let g = Generator::for_account(a).unwrap();
            if a.params.kind.is_time_based() {
                g.code_at(1_700_000_000).to_string()
            } else {
                g.code_for_counter(a.params.counter).to_string()
            }
        })
        .collect()
}

#[test]
fn vault_export_import_round_trips_through_every_format() {
    let (_source_dir, source) = Scratch::new();
    transfer::import(&source, &fixture("aegis_plain.json"), None, None, false).unwrap();
    transfer::import(&source, &fixture("google_migration.txt"), None, None, false).unwrap();
    let originals: Vec<Account> = source
        .export_accounts()
        .unwrap()
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    // Aegis: 5 accounts; the Google transfer adds 2 (its other 2 are duplicates).
    assert_eq!(originals.len(), 7);

    for (format, password) in [
        (ExportFormat::Aegis, None),
        (ExportFormat::Aegis, Some("export pw")),
        (ExportFormat::OtpauthList, None),
        (ExportFormat::GoogleMigration, None),
        (ExportFormat::TesseraBackup, Some("backup pw")),
    ] {
        // Plain output only as the explicit choice of it.
        let out = export_vault(&source, format, password, password.is_none()).unwrap();
        let (_dir, target) = Scratch::new();
        let report = transfer::import(&target, &out.data, None, password, false).unwrap();
        assert_eq!(report.failed(), 0, "{format:?}");
        let back: Vec<Account> = target
            .export_accounts()
            .unwrap()
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let expected: Vec<Account> = originals
            .iter()
            .filter(|a| !out.skipped.iter().any(|s| s.name == transfer_name(a)))
            .cloned()
            .collect();
        assert_eq!(
            back.len() + out.skipped.len(),
            originals.len(),
            "{format:?}"
        );
        for (a, b) in expected.iter().zip(&back) {
            assert_eq!(
                (&a.issuer, &a.label, a.params),
                (&b.issuer, &b.label, b.params),
                "{format:?}"
            );
            assert!(a.secret.ct_eq(&b.secret), "{format:?}");
            if matches!(format, ExportFormat::Aegis | ExportFormat::TesseraBackup) {
                assert_eq!(a.meta.note, b.meta.note);
                assert_eq!(a.meta.groups, b.meta.groups);
                assert_eq!(a.meta.favorite, b.meta.favorite);
            }
        }
        assert_eq!(codes(&expected), codes(&back), "{format:?}");
    }
}

fn transfer_name(a: &Account) -> String {
    match (a.issuer.as_str(), a.label.as_str()) {
        ("", l) => l.to_owned(),
        (i, "") => i.to_owned(),
        (i, l) => format!("{i} ({l})"),
    }
}
