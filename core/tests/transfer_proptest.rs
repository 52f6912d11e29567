//! No importer panics, whatever the bytes: arbitrary input for every format, and valid fixtures
//! with bytes flipped, cut or inserted.

use proptest::prelude::*;
use tessera_core::transfer::{self, Format};

const PASSWORD: &str = "correct horse battery staple ✓";

fn fixture(name: &str) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/transfer");
    std::fs::read(dir.join(name)).unwrap()
}

/// Plain fixtures: cheap to read, so they get many mutations.
const PLAIN: [&str; 9] = [
    "aegis_plain.json",
    "twofas_plain_v4.2fas",
    "twofas_schema1.2fas",
    "andotp_plain.json",
    "freeotp_plus.json",
    "bitwarden.json",
    "bitwarden.csv",
    "google_migration.txt",
    "otpauth_list.txt",
];

/// Encrypted fixtures: each read costs a key derivation, so they get fewer.
const ENCRYPTED: [&str; 4] = [
    "aegis_encrypted.json",
    "twofas_encrypted_salt32.2fas",
    "andotp_new.json.aes",
    "andotp_old.json.aes",
];

fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(pos, value, op) in edits {
        if bytes.is_empty() {
            bytes.push(value);
            continue;
        }
        let pos = pos % bytes.len();
        match op % 4 {
            0 => bytes[pos] = value,
            1 => bytes[pos] ^= 1 << (value % 8),
            2 => bytes.truncate(pos),
            _ => bytes.insert(pos, value),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = transfer::detect(&bytes);
        let _ = transfer::read(&bytes, None, Some("pw"));
        for format in Format::ALL {
            let _ = transfer::read(&bytes, Some(format), None);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        for format in Format::ALL {
            let _ = transfer::read(text.as_bytes(), Some(format), Some("pw"));
        }
    }

    #[test]
    fn mutated_plain_fixtures_never_panic(
        which in 0..PLAIN.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        let bytes = mutate(fixture(PLAIN[which]), &edits);
        let _ = transfer::read(&bytes, None, None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn mutated_encrypted_fixtures_never_panic_and_never_read_damage_as_success(
        which in 0..ENCRYPTED.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4),
    ) {
        let original = fixture(ENCRYPTED[which]);
        let bytes = mutate(original.clone(), &edits);
        let result = transfer::read(&bytes, None, Some(PASSWORD));
        // Authenticated encryption: a changed ciphertext can only fail. (A change outside it,
        // e.g. JSON whitespace or an unused slot, may still read.)
        if let Ok(items) = result {
            let clean = transfer::read(&original, None, Some(PASSWORD)).unwrap();
            prop_assert_eq!(items.len(), clean.len());
        }
    }
}
