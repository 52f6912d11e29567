//! Secrecy at rest and tamper detection.

mod common;

use common::{CHEAP, Scratch, rfc6238_sha1, seed, totp};
use tessera_core::vault::{AccountId, Vault, VaultError};
use tessera_core::{Account, OtpParams, Secret};

/// Every form a secret could leak in: raw bytes, base32 in both cases, an otpauth URI.
fn needles(secret: &[u8]) -> Vec<(String, Vec<u8>)> {
    let upper = data_encoding::BASE32_NOPAD.encode(secret);
    let padded = data_encoding::BASE32.encode(secret);
    let lower = upper.to_lowercase();
    let uri = format!("otpauth://totp/Leak:me?secret={upper}&issuer=Leak");
    vec![
        ("raw bytes".into(), secret.to_vec()),
        ("base32 upper".into(), upper.clone().into_bytes()),
        ("base32 lower".into(), lower.into_bytes()),
        ("base32 padded".into(), padded.into_bytes()),
        ("uri".into(), uri.into_bytes()),
        // A prefix long enough to be unique, in case only part of a value was written.
        ("base32 prefix".into(), upper.as_bytes()[..16].to_vec()),
    ]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_no_secret(what: &str, haystack: &[u8], secrets: &[Vec<u8>]) {
    for secret in secrets {
        for (form, needle) in needles(secret) {
            assert!(
                !contains(haystack, &needle),
                "{what} contains a secret as {form}"
            );
        }
    }
}

fn all_files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn no_secret_or_note_reaches_the_disk_in_any_form() {
    let (scratch, vault) = Scratch::new();
    let secrets: Vec<Vec<u8>> = (0..20u8)
        .map(|i| format!("Known#Secret#Value#{i:02}").into_bytes())
        .collect();
    let note = b"my recovery codes 9f8e7d6c5b4a".to_vec();
    for (i, s) in secrets.iter().enumerate() {
        let mut a = Account::new(
            "Leak",
            format!("me{i}"),
            Secret::from_bytes(s.clone()),
            if i % 3 == 0 {
                OtpParams::hotp(5)
            } else {
                OtpParams::totp()
            },
        );
        a.meta.note = String::from_utf8(note.clone()).unwrap();
        a.extra = vec![("pin".into(), "4711-PIN-VALUE".into())];
        vault.add(&a).unwrap();
    }
    // Exercise every path that touches secrets while the WAL is live.
    vault.set_password("password-not-on-disk", CHEAP).unwrap();
    vault.codes_at(59).unwrap();
    let hotp = vault.list(&Default::default()).unwrap()[0].id.clone();
    vault.next_hotp(&hotp).unwrap();
    vault.export_accounts().unwrap();
    let victim = vault.list(&Default::default()).unwrap()[1].id.clone();
    vault.delete(&victim).unwrap();
    vault.purge(&victim).unwrap();

    let mut extra_needles = secrets.clone();
    extra_needles.push(note.clone());
    let open_files = all_files(scratch.dir());
    let names: Vec<&str> = open_files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.iter().any(|n| n.ends_with("-wal")), "{names:?}");
    for (name, bytes) in &open_files {
        assert_no_secret(name, bytes, &extra_needles);
        assert!(
            !contains(bytes, b"password-not-on-disk"),
            "{name} has the password"
        );
        assert!(
            !contains(bytes, b"4711-PIN-VALUE"),
            "{name} has an extra parameter"
        );
    }
    drop(vault);
    for (name, bytes) in all_files(scratch.dir()) {
        assert_no_secret(&name, &bytes, &extra_needles);
    }
}

#[test]
fn debug_output_and_errors_carry_no_secret() {
    let (scratch, vault) = Scratch::new();
    let secret = b"Debug#Secret#Value#1".to_vec();
    let mut account = Account::new(
        "Dbg",
        "me",
        Secret::from_bytes(secret.clone()),
        OtpParams::totp(),
    );
    account.meta.note = "note-secret-xyz".into();
    let id = vault.add(&account).unwrap();
    let mut texts = vec![
        format!("{vault:?}"),
        format!("{:?}", vault.get(&id).unwrap()),
        format!("{:?}", vault.list(&Default::default()).unwrap()),
        format!("{:?}", vault.codes_at(59).unwrap()),
        format!("{:?}", vault.export_accounts().unwrap()),
        format!("{:?}", scratch.key),
    ];
    let code = vault.codes_at(59).unwrap()[0].code.clone().unwrap();
    let errors = [
        vault.add(&account).unwrap_err(),
        Vault::open_with_password(&scratch.path, "pw").unwrap_err(),
        vault.set_password("", CHEAP).unwrap_err(),
    ];
    for e in &errors {
        texts.push(format!("{e:?}"));
        texts.push(e.to_string());
    }
    for text in &texts {
        assert_no_secret(text, text.as_bytes(), std::slice::from_ref(&secret));
        assert!(!text.contains("note-secret-xyz"), "{text}");
        assert!(
            !text.contains(code.text().as_str()),
            "a code leaked: {text}"
        );
    }
}

fn sealed_column(path: &std::path::Path, id: &AccountId, column: &str) -> Vec<u8> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        &format!("SELECT {column} FROM accounts WHERE id = ?1"),
        [id.as_str()],
        |row| row.get(0),
    )
    .unwrap()
}

fn write_column(path: &std::path::Path, id: &AccountId, column: &str, value: &[u8]) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute(
        &format!("UPDATE accounts SET {column} = ?2 WHERE id = ?1"),
        rusqlite::params![id.as_str(), value],
    )
    .unwrap();
}

fn three_accounts() -> (Scratch, Vault, [AccountId; 3]) {
    let (scratch, vault) = Scratch::new();
    let a = vault.add(&rfc6238_sha1()).unwrap();
    let b = vault.add(&totp("B", "b", &seed(2))).unwrap();
    let mut hotp = totp("C", "c", &seed(3));
    hotp.params = OtpParams::hotp(0);
    let c = vault.add(&hotp).unwrap();
    (scratch, vault, [a, b, c])
}

#[test]
fn flipped_byte_in_the_file_breaks_only_that_account() {
    let (scratch, vault, [a, b, c]) = three_accounts();
    drop(vault); // checkpoints the WAL into the main file
    let sealed = sealed_column(&scratch.path, &b, "secret");
    let mut file = std::fs::read(&scratch.path).unwrap();
    let at = file
        .windows(sealed.len())
        .position(|w| w == sealed.as_slice())
        .expect("ciphertext is in the main file after a checkpoint");
    file[at + sealed.len() / 2] ^= 0x04;
    std::fs::write(&scratch.path, &file).unwrap();

    let vault = scratch.reopen();
    assert_eq!(
        vault.get(&b).unwrap_err(),
        VaultError::Integrity { account: b.clone() }
    );
    let codes = vault.codes_at(59).unwrap();
    assert_eq!(codes.len(), 3);
    assert_eq!(codes[0].id, a);
    assert_eq!(codes[0].code.as_ref().unwrap().text().as_str(), "94287082");
    assert_eq!(
        codes[1].code,
        Err(VaultError::Integrity { account: b.clone() })
    );
    assert!(codes[2].code.is_ok());
    assert_eq!(vault.get(&a).unwrap(), rfc6238_sha1());
    vault.next_hotp(&c).unwrap();
    assert_eq!(vault.list(&Default::default()).unwrap().len(), 3);
    assert!(vault.get(&b).unwrap_err().to_string().contains("integrity"));
}

#[test]
fn ciphertext_moved_to_another_account_or_field_fails() {
    let (scratch, vault, [a, b, c]) = three_accounts();
    // Copy a's sealed secret over b's: valid ciphertext, wrong place.
    let a_secret = sealed_column(&scratch.path, &a, "secret");
    write_column(&scratch.path, &b, "secret", &a_secret);
    // Put c's sealed secret in c's note column.
    let c_secret = sealed_column(&scratch.path, &c, "secret");
    write_column(&scratch.path, &c, "note", &c_secret);

    // The open vault notices the other connection's writes.
    assert!(matches!(vault.get(&b), Err(VaultError::Integrity { account }) if account == b));
    assert!(matches!(vault.get(&c), Err(VaultError::Integrity { account }) if account == c));
    let codes = vault.codes_at(59).unwrap();
    assert!(codes[0].code.is_ok());
    assert!(codes[1].code.is_err());
    // c's row was edited (its note column): since schema version 3 the whole row is
    // authenticated, so c shows no code either — an edited row never produces one.
    assert_eq!(
        codes[2].code,
        Err(VaultError::Integrity { account: c.clone() })
    );
    assert_eq!(vault.get(&a).unwrap(), rfc6238_sha1());
}

#[test]
fn tampered_hotp_account_keeps_its_counter() {
    let (scratch, vault, [_, _, c]) = three_accounts();
    let mut sealed = sealed_column(&scratch.path, &c, "secret");
    sealed[14] ^= 0xff;
    write_column(&scratch.path, &c, "secret", &sealed);
    assert!(matches!(
        vault.next_hotp(&c),
        Err(VaultError::Integrity { .. })
    ));
    let conn = rusqlite::Connection::open(&scratch.path).unwrap();
    let counter: i64 = conn
        .query_row(
            "SELECT counter FROM accounts WHERE id = ?1",
            [c.as_str()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(counter, 0);
}

#[test]
fn damaged_database_pages_give_an_error_not_a_panic() {
    let (scratch, vault, _) = three_accounts();
    drop(vault);
    let mut file = std::fs::read(&scratch.path).unwrap();
    // Overwrite everything after the first page: the schema is on page 1, the rows after it.
    for byte in file.iter_mut().skip(4096) {
        *byte = 0x5a;
    }
    std::fs::write(&scratch.path, &file).unwrap();
    match Vault::open_with_device(&scratch.path, &scratch.key) {
        Err(e) => assert!(
            matches!(e, VaultError::Corrupt(_) | VaultError::NotAVault { .. }),
            "{e:?}"
        ),
        Ok(vault) => {
            assert!(vault.codes_at(59).is_err() || vault.check_storage().is_err());
        }
    }
}
