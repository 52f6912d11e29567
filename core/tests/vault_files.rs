//! The vault file on disk (issue 9, item 10): a vault is never created in a file another user
//! can read or owns, and a foreign SQLite database is refused without a single byte changed.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use tessera_core::vault::{KeyFile, ListFilter, Vault, VaultError};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn side_files(path: &Path) -> Vec<String> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|s| format!("{}{s}", path.display()))
        .filter(|p| Path::new(p).exists())
        .collect()
}

#[test]
fn foreign_sqlite_database_is_refused_and_left_byte_for_byte_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
    let foreign = dir.path().join("other-app.sqlite");
    let conn = rusqlite::Connection::open(&foreign).unwrap();
    conn.execute_batch(
        "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello');
         PRAGMA user_version = 7;",
    )
    .unwrap();
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(
        journal, "delete",
        "the foreign database uses a rollback journal"
    );
    drop(conn);
    let before = std::fs::read(&foreign).unwrap();

    for attempt in [
        Vault::open_with_device(&foreign, &key),
        Vault::open_with_password(&foreign, "pw"),
    ] {
        assert!(
            matches!(attempt, Err(VaultError::NotAVault { .. })),
            "{attempt:?}"
        );
    }
    assert!(matches!(
        Vault::status(&foreign),
        Err(VaultError::NotAVault { .. })
    ));
    assert!(matches!(
        Vault::create(&foreign, &key),
        Err(VaultError::AlreadyExists { .. })
    ));

    assert_eq!(
        std::fs::read(&foreign).unwrap(),
        before,
        "not one byte changed"
    );
    assert_eq!(
        before[18..20],
        [1, 1],
        "still a rollback-journal file, not WAL"
    );
    assert!(
        side_files(&foreign).is_empty(),
        "{:?}",
        side_files(&foreign)
    );
}

#[test]
fn create_makes_an_existing_world_writable_empty_file_private() {
    let dir = tempfile::tempdir().unwrap();
    let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
    let path = dir.path().join("vault.sqlite");
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let vault = Vault::create(&path, &key).unwrap();
    vault.add(&common::rfc6238_sha1()).unwrap();
    assert_eq!(mode(&path), 0o600);
    for side in side_files(&path) {
        assert_eq!(mode(Path::new(&side)) & 0o077, 0, "{side}");
    }
    drop(vault);
    let vault = Vault::open_with_device(&path, &key).unwrap();
    assert_eq!(vault.list(&ListFilter::default()).unwrap().len(), 1);
}

#[test]
fn create_refuses_a_file_it_would_not_use_without_touching_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
    // Someone's text file at the vault path: kept, mode included.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, b"a text file that is not a database at all......").unwrap();
    std::fs::set_permissions(&text, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(matches!(
        Vault::create(&text, &key),
        Err(VaultError::AlreadyExists { .. })
    ));
    assert_eq!(mode(&text), 0o644);

    // A link pointing elsewhere, even to an empty file of ours: refused, nothing created.
    let target = dir.path().join("target.sqlite");
    std::fs::write(&target, b"").unwrap();
    let link = dir.path().join("link.sqlite");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let refused = Vault::create(&link, &key).unwrap_err();
    assert!(
        matches!(&refused, VaultError::Storage(m) if m.contains("not a regular file")),
        "{refused}"
    );
    assert_eq!(std::fs::metadata(&target).unwrap().len(), 0);
}

#[test]
fn create_refuses_an_empty_file_owned_by_another_user() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        // Only root can give a file away; as another user this case cannot be set up.
        eprintln!("skipped: needs root to chown a file to another user");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
    let path = dir.path().join("vault.sqlite");
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let nobody = 65534;
    std::os::unix::fs::chown(&path, Some(nobody), Some(nobody)).unwrap();
    let refused = Vault::create(&path, &key).unwrap_err();
    assert!(
        matches!(&refused, VaultError::Storage(m) if m.contains("belongs to another user")),
        "{refused}"
    );
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.len(), mode(&path)), (nobody, 0, 0o666));
}
