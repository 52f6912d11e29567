//! Writing files that hold secrets (key files, backups, exports): readable only by their owner,
//! and atomic — after a crash the file is either complete or absent, never half written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What to do when the target already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Fail with `ErrorKind::AlreadyExists` and leave the existing file untouched.
    Keep,
    /// Replace it atomically.
    Replace,
}

/// Writes `bytes` to `path` with mode 0600 (on Unix), atomically: the content is written and
/// synced under a temporary name beside `path`, then moved into place, and the directory is
/// synced so the new name survives a power loss.
pub fn write_private(path: &Path, bytes: &[u8], existing: Existing) -> std::io::Result<()> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp_name);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        match existing {
            // A hard link fails when the name is taken, so an existing file is never replaced.
            Existing::Keep => fs::hard_link(&tmp, path)?,
            Existing::Replace => fs::rename(&tmp, path)?,
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    // After a rename the temporary name is gone already; after a link or a failure it is removed.
    let _ = fs::remove_file(&tmp);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_refuses_to_replace_and_replace_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.bin");
        write_private(&path, b"first", Existing::Keep).unwrap();
        let err = write_private(&path, b"second", Existing::Keep).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"first");
        write_private(&path, b"third", Existing::Replace).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"third");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
}
