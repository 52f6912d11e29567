//! Account pictures in the vault (schema version 5): stored sealed, listed as a flag, read
//! one at a time, carried by backups, removed with their account.

mod common;

use std::io::Cursor;

use common::{CHEAP, Scratch, seed, totp};
use tessera_core::icon::{COLLECTION_2FAS, Icon, IconImage, IconLabel, IconRef, ImageType};
use tessera_core::vault::{ListFilter, Vault, VaultError};

/// A real 2×2 image encoded by the `image` crate (an independent encoder).
fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(2, 2, |x, y| image::Rgb([x as u8 * 200, y as u8 * 200, 90]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn png_icon() -> Icon {
    Icon::Image(IconImage::new(encoded(image::ImageFormat::Png), Some("image/png")).unwrap())
}

fn twofas_ref() -> Icon {
    Icon::Reference(IconRef {
        collection: COLLECTION_2FAS.into(),
        id: "6e3b3e2c-0000-4000-8000-000000000001".into(),
        label: Some(IconLabel {
            text: "GH".into(),
            color: "Orange".into(),
        }),
        label_shown: false,
    })
}

#[test]
fn a_picture_is_stored_listed_as_a_flag_and_read_back() {
    let (scratch, vault) = Scratch::new();
    let mut with = totp("GitHub", "alice", &seed(1));
    with.meta.picture = Some(png_icon());
    let with_id = vault.add(&with).unwrap();
    let without_id = vault.add(&totp("GitLab", "bob", &seed(2))).unwrap();
    drop(vault);

    let vault = scratch.reopen();
    let list = vault.list(&ListFilter::default()).unwrap();
    let flag = |id| list.iter().find(|s| &s.id == id).unwrap().has_picture;
    assert!(flag(&with_id), "the account with a picture is flagged");
    assert!(!flag(&without_id), "the other is not");
    assert_eq!(vault.icon(&with_id).unwrap(), Some(png_icon()));
    assert_eq!(vault.icon(&without_id).unwrap(), None);
    assert_eq!(
        vault.get(&with_id).unwrap(),
        with,
        "get carries the picture"
    );
    let Some(Icon::Image(image)) = vault.icon(&with_id).unwrap() else {
        panic!("an image")
    };
    assert_eq!(image.image_type(), ImageType::Png);
    assert_eq!(image.bytes(), encoded(image::ImageFormat::Png));
}

#[test]
fn set_icon_replaces_and_removes_and_checks_references() {
    let (_scratch, vault) = Scratch::new();
    let id = vault.add(&totp("A", "a", &seed(3))).unwrap();
    vault.set_icon(&id, Some(&png_icon())).unwrap();
    vault.set_icon(&id, Some(&twofas_ref())).unwrap();
    assert_eq!(vault.icon(&id).unwrap(), Some(twofas_ref()));
    let bad = Icon::Reference(IconRef {
        collection: "2fas".into(),
        ..IconRef::default()
    });
    assert!(matches!(
        vault.set_icon(&id, Some(&bad)),
        Err(VaultError::InvalidAccount(_))
    ));
    assert_eq!(vault.icon(&id).unwrap(), Some(twofas_ref()), "unchanged");
    vault.set_icon(&id, None).unwrap();
    assert_eq!(vault.icon(&id).unwrap(), None);
    assert!(!vault.summary(&id).unwrap().has_picture);
}

#[test]
fn purging_an_account_removes_its_picture() {
    let (scratch, vault) = Scratch::new();
    let mut account = totp("A", "a", &seed(4));
    account.meta.picture = Some(png_icon());
    let id = vault.add(&account).unwrap();
    vault.delete(&id).unwrap();
    assert!(vault.icon(&id).unwrap().is_some(), "kept in the trash");
    vault.purge(&id).unwrap();
    drop(vault);
    let conn = rusqlite::Connection::open(&scratch.path).unwrap();
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM account_icons", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
}

#[test]
fn a_picture_moved_to_another_account_fails_its_integrity_check() {
    let (scratch, vault) = Scratch::new();
    let mut a = totp("A", "a", &seed(5));
    a.meta.picture = Some(png_icon());
    let a_id = vault.add(&a).unwrap();
    let b_id = vault.add(&totp("B", "b", &seed(6))).unwrap();
    drop(vault);
    let conn = rusqlite::Connection::open(&scratch.path).unwrap();
    conn.execute(
        "INSERT INTO account_icons (account_id, icon)
         SELECT ?2, icon FROM account_icons WHERE account_id = ?1",
        [a_id.as_str(), b_id.as_str()],
    )
    .unwrap();
    drop(conn);
    let vault = scratch.reopen();
    assert!(matches!(
        vault.icon(&b_id),
        Err(VaultError::Integrity { .. })
    ));
    assert_eq!(
        vault.icon(&a_id).unwrap(),
        Some(png_icon()),
        "the original opens"
    );
}

#[test]
fn backups_carry_pictures_and_references() {
    let (_scratch, vault) = Scratch::new();
    let mut image = totp("Image", "a", &seed(7));
    image.meta.picture = Some(Icon::Image(
        IconImage::new(encoded(image::ImageFormat::Jpeg), Some("image/jpeg")).unwrap(),
    ));
    let mut reference = totp("Ref", "b", &seed(8));
    reference.meta.picture = Some(twofas_ref());
    let plain = totp("Plain", "c", &seed(9));
    vault
        .add_many(vec![image.clone(), reference.clone(), plain.clone()])
        .unwrap();
    let backup = vault.export_backup_with("backup password", CHEAP).unwrap();

    let (_other, restored) = Scratch::new();
    restored.import_backup(&backup, "backup password").unwrap();
    let mut back: Vec<_> = restored
        .export_accounts()
        .unwrap()
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    back.sort_by(|x, y| x.issuer.cmp(&y.issuer));
    assert_eq!(back, vec![image, plain, reference]);
}

#[test]
fn a_backup_too_large_to_read_back_is_not_written() {
    let (_scratch, vault) = Scratch::new();
    // 140 icons of the largest size: more than a backup may hold once in base64.
    let mut big = encoded(image::ImageFormat::Png);
    big.resize(tessera_core::icon::MAX_ICON_BYTES, 0);
    let accounts = (0..140u64)
        .map(|i| {
            let mut a = totp("Big", &format!("{i}"), &seed(100 + i));
            a.meta.picture = Some(Icon::Image(IconImage::new(big.clone(), None).unwrap()));
            a
        })
        .collect();
    vault.add_many(accounts).unwrap();
    assert!(matches!(
        vault.export_backup_with("backup password", CHEAP),
        Err(VaultError::BackupTooLarge { .. })
    ));
}

#[test]
fn the_previous_schema_opens_and_takes_pictures() {
    // vault-v4 was written by the code before pictures existed.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("vault.sqlite");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::copy(fixtures.join("vault-v4.sqlite"), &db).unwrap();
    let vault = Vault::open_with_password(&db, "fixture-password").unwrap();
    let list = vault.list(&ListFilter::default()).unwrap();
    assert_eq!(list.len(), 4);
    assert!(list.iter().all(|s| !s.has_picture));
    vault.set_icon(&list[0].id, Some(&png_icon())).unwrap();
    assert_eq!(vault.icon(&list[0].id).unwrap(), Some(png_icon()));
    assert!(vault.check_storage().is_ok());
}
