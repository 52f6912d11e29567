//! Importing a 10,000-entry Aegis file, plain and encrypted, into a fresh vault: parsing,
//! decryption (one scrypt N=2^15 slot) and the vault writes in one transaction.
//! `cargo bench -p tessera-core --bench transfer_import`

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tessera_core::transfer::export::{ExportFormat, export};
use tessera_core::transfer::{self, Format};
use tessera_core::vault::{KeyFile, Vault};
use tessera_core::{Account, Algorithm, OtpParams, Secret};

const ENTRIES: usize = 10_000;
const PASSWORD: &str = "benchmark password";

fn accounts() -> Vec<Account> {
    (0..ENTRIES)
        .map(|i| {
            let secret: Vec<u8> = (0..20u32)
                .map(|j| (i as u32 * 31 + j * 17) as u8 ^ (i >> 8) as u8)
                .collect();
            let params = match i % 4 {
                0 => OtpParams::hotp(i as u64),
                1 => OtpParams {
                    algorithm: Algorithm::Sha256,
                    digits: 8,
                    ..OtpParams::totp()
                },
                2 => OtpParams::steam(),
                _ => OtpParams::totp(),
            };
            let mut a = Account::new(
                format!("Service {}", i % 97),
                format!("user{i}@example.org"),
                Secret::from_bytes(secret),
                params,
            );
            a.meta.groups = vec![format!("Group {}", i % 5)];
            a
        })
        .collect()
}

fn fresh_vault() -> (tempfile::TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
    let vault = Vault::create(&dir.path().join("vault.sqlite"), &key).unwrap();
    (dir, vault)
}

fn bench(c: &mut Criterion) {
    let accounts = accounts();
    let plain = export(&accounts, ExportFormat::Aegis, None).unwrap().data;
    let encrypted = export(&accounts, ExportFormat::Aegis, Some(PASSWORD))
        .unwrap()
        .data;
    let mut group = c.benchmark_group("aegis_10k");
    group.sample_size(10);

    group.bench_function("plain_read_only", |b| {
        b.iter(|| transfer::read(&plain, Some(Format::Aegis), None).unwrap())
    });
    group.bench_function("plain_into_vault", |b| {
        b.iter_batched(
            fresh_vault,
            |(_dir, vault)| {
                let report = transfer::import(&vault, &plain, None, None, false).unwrap();
                assert_eq!(report.imported(), ENTRIES);
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("encrypted_into_vault", |b| {
        b.iter_batched(
            fresh_vault,
            |(_dir, vault)| {
                let report =
                    transfer::import(&vault, &encrypted, None, Some(PASSWORD), false).unwrap();
                assert_eq!(report.imported(), ENTRIES);
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("plain_again_all_duplicates", |b| {
        let (_dir, vault) = fresh_vault();
        transfer::import(&vault, &plain, None, None, false).unwrap();
        b.iter(|| {
            let report = transfer::import(&vault, &plain, None, None, false).unwrap();
            assert_eq!(report.duplicates(), ENTRIES);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
