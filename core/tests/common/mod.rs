//! Helpers shared by the vault's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tessera_core::push::{PushToken, ServerKey};
use tessera_core::vault::{KdfParams, KeyFile, Vault};
use tessera_core::{Account, Algorithm, OtpParams, Secret};

/// Argon2id parameters cheap enough for tests (the default costs 64 MiB and ~0.5 s).
pub const CHEAP: KdfParams = KdfParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

/// RFC 4226/6238's SHA1 seed.
pub const RFC_SEED: &[u8] = b"12345678901234567890";

/// A fresh directory with a key file and a new vault in it.
pub struct Scratch {
    pub dir: tempfile::TempDir,
    pub key: KeyFile,
    pub path: PathBuf,
}

impl Scratch {
    pub fn new() -> (Scratch, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
        let path = dir.path().join("vault.sqlite");
        let vault = Vault::create(&path, &key).unwrap();
        (Scratch { dir, key, path }, vault)
    }

    pub fn reopen(&self) -> Vault {
        Vault::open_with_device(&self.path, &self.key).unwrap()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A TOTP account whose secret is `seed`.
pub fn totp(issuer: &str, label: &str, seed: &[u8]) -> Account {
    Account::new(
        issuer,
        label,
        Secret::from_bytes(seed.to_vec()),
        OtpParams::totp(),
    )
}

/// RFC 6238's SHA1 account with 8 digits (Appendix B).
pub fn rfc6238_sha1() -> Account {
    Account::new(
        "RFC",
        "6238",
        Secret::from_bytes(RFC_SEED.to_vec()),
        OtpParams {
            algorithm: Algorithm::Sha1,
            digits: 8,
            ..OtpParams::totp()
        },
    )
}

/// A distinct 20-byte seed per number, for bulk tests.
pub fn seed(n: u64) -> Vec<u8> {
    let mut s = b"tessera-seed-".to_vec();
    s.extend_from_slice(&n.to_be_bytes());
    s
}

/// A push token as stored after enrollment, with a placeholder server key (a few DER bytes:
/// these tests store and read tokens, they never verify a server signature). Tests that
/// need other fields change them with struct update syntax.
pub fn push_token(serial: &str) -> PushToken {
    PushToken {
        serial: serial.into(),
        issuer: "privacyIDEA".into(),
        label: "alice".into(),
        url: "https://pi.example/ttype/push".into(),
        sslverify: true,
        server_key: ServerKey(vec![0x30, 0x0a, 0x02, 0x03, 1, 0, 1]),
        key_alias: format!("tessera-push-{serial}"),
        enrolled_at: 1_700_000_000,
        force_unlock: None,
    }
}
