//! Which vault, its device key file, passwords, and unlocking: what every command that needs
//! the vault shares. The unlock policy itself is core's (`tessera_core::vault::Unlocker`);
//! this file supplies the CLI's device key (a key file) and its way of asking for a password.
//!
//! The vault is `--vault PATH`, else `$TESSERA_VAULT`, else `vault.sqlite` in the XDG data
//! directory (`~/.local/share/tessera/`). Its device key is the key file beside it
//! (`vault.key`, mode 0600), so everyday commands need no password. Passwords (vault, backup,
//! export) come from `--password-file F`, else `$TESSERA_PASSWORD`, else a prompt without echo.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clap::Args;
use tessera_core::vault::{
    DeviceKeyRenewal, KeyFile, KeyProvider, KeyProviderError, Unlocker, Vault, VaultError,
};
use zeroize::Zeroizing;

use crate::CliError;

/// Options every command accepts: which vault, and where passwords come from.
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// The vault file [default: $XDG_DATA_HOME/tessera/vault.sqlite].
    #[arg(long, global = true, env = "TESSERA_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,
    /// Read the password from the first line of this file (else $TESSERA_PASSWORD, else a prompt).
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// The default vault: `vault.sqlite` in Tessera's XDG data directory.
pub fn default_vault_path() -> Result<PathBuf, CliError> {
    dirs::data_dir()
        .map(|d| d.join("tessera").join("vault.sqlite"))
        .ok_or_else(|| {
            CliError::failed("cannot find a data directory; set --vault PATH or TESSERA_VAULT")
        })
}

/// The vault file chosen by the arguments.
pub fn vault_path(global: &GlobalArgs) -> Result<PathBuf, CliError> {
    match &global.vault {
        Some(path) => Ok(path.clone()),
        None => default_vault_path(),
    }
}

/// The device key file of a vault: beside it, same name, extension `.key`.
pub fn key_path(vault: &Path) -> PathBuf {
    vault.with_extension("key")
}

/// A password given without asking: `--password-file` (its first line), else
/// `$TESSERA_PASSWORD`.
pub fn given_password(global: &GlobalArgs) -> Result<Option<Zeroizing<String>>, CliError> {
    if let Some(file) = &global.password_file {
        let text = Zeroizing::new(std::fs::read_to_string(file).map_err(|e| {
            CliError::failed(format!("cannot read password file {}: {e}", file.display()))
        })?);
        let first = text.lines().next().unwrap_or("");
        return Ok(Some(Zeroizing::new(first.to_owned())));
    }
    Ok(std::env::var("TESSERA_PASSWORD").ok().map(Zeroizing::new))
}

/// Whether a password can be had without asking (file or environment) or by asking (terminal).
pub fn password_available(global: &GlobalArgs) -> bool {
    global.password_file.is_some()
        || std::env::var_os("TESSERA_PASSWORD").is_some()
        || std::io::stdin().is_terminal()
}

fn prompt(question: &str) -> Result<Zeroizing<String>, CliError> {
    rpassword::prompt_password(question)
        .map(Zeroizing::new)
        .map_err(|_| {
            CliError::failed(
                "a password is needed: use --password-file FILE or TESSERA_PASSWORD, or run on a terminal",
            )
        })
}

/// A password from [`given_password`], else a no-echo prompt.
pub fn read_password(global: &GlobalArgs, question: &str) -> Result<Zeroizing<String>, CliError> {
    match given_password(global)? {
        Some(password) => Ok(password),
        None => prompt(question),
    }
}

/// A new password (vault, backup, export): taken as given from a file or the environment, or
/// asked twice on a terminal. Nothing is changed when the two differ or it is empty.
pub fn new_password(global: &GlobalArgs, question: &str) -> Result<Zeroizing<String>, CliError> {
    if let Some(password) = given_password(global)? {
        return Ok(password);
    }
    let password = prompt(question)?;
    let again = prompt("Repeat it: ")?;
    if !tessera_core::crypto::ct_eq(again.as_bytes(), password.as_bytes()) {
        return Err(CliError::failed(
            "the passwords do not match; nothing changed",
        ));
    }
    if password.is_empty() {
        return Err(CliError::failed("the password is empty; nothing changed"));
    }
    Ok(password)
}

/// The CLI's device key as core's unlock policy expects a platform keystore to behave: a key
/// file that is missing reports the key as gone when unwrapping, and is created when core
/// registers a new device key after a password unlock.
struct DeviceKeyFile {
    path: PathBuf,
}

impl KeyProvider for DeviceKeyFile {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyProviderError> {
        KeyFile::open_or_create(&self.path)?.wrap(key)
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyProviderError> {
        if !self.path.exists() {
            return Err(KeyProviderError::Invalidated);
        }
        KeyFile::open(&self.path)?.unwrap(wrapped)
    }
}

/// Now by the system clock, corrected by the server time stored in the vault (`tessera time`).
pub fn vault_now(vault: &Vault) -> Result<u64, CliError> {
    Ok(vault.corrected_now(tessera_core::otp::unix_now())?)
}

/// [`vault_now`] in milliseconds.
pub fn vault_now_millis(vault: &Vault) -> Result<u64, CliError> {
    Ok(vault.corrected_millis(tessera_core::otp::unix_now_millis())?)
}

/// The vault this run of `tessera` opened: the command's own, kept so that the automatic
/// backup after the command (`autobackup_cmd::after_command`) flushes on it instead of opening
/// and unlocking the vault a second time.
static OPENED: Mutex<Option<Arc<Vault>>> = Mutex::new(None);

/// Keeps `vault` as the one this run opened and hands it back.
fn remember(vault: Vault) -> Arc<Vault> {
    let vault = Arc::new(vault);
    *OPENED.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&vault));
    vault
}

/// The vault the command opened, if it opened one; taken, so that it closes when the caller
/// drops it (SQLite checkpoints its log as the last connection closes).
pub fn take_opened_vault() -> Option<Arc<Vault>> {
    OPENED.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// Opens the vault named by the arguments by core's unlock policy: the key file, else — when
/// core says the password is required — the vault password. A key file that was missing (or
/// belongs to another vault) is then registered, so the next command needs no password.
pub fn open_vault(global: &GlobalArgs) -> Result<Arc<Vault>, CliError> {
    let (unlocker, key_file) = device_unlocker(global)?;
    let unlocked = match unlocker.unlock_with_device() {
        Ok(unlocked) => unlocked,
        Err(VaultError::PasswordRequired(_)) if password_available(global) => {
            let password = read_password(global, "Vault password: ")?;
            unlocker.unlock_with_password(&password)?
        }
        Err(error) => return Err(unlock_failure(&error, &key_file)),
    };
    report_renewal(&unlocked.device_key, &key_file);
    Ok(remember(unlocked.vault))
}

/// Core's unlocker for the chosen vault with the CLI's device key, and that key file's path.
fn device_unlocker(global: &GlobalArgs) -> Result<(Unlocker, PathBuf), CliError> {
    let path = vault_path(global)?;
    let key_file = key_path(&path);
    let unlocker = Unlocker::new(
        &path,
        Box::new(DeviceKeyFile {
            path: key_file.clone(),
        }),
    );
    Ok((unlocker, key_file))
}

/// Opens the vault with its recovery key, by core's policy: the key file is tried first (so
/// core knows whether it is lost), then the recovery key, after which a lost or missing key
/// file is registered again. The flag is false when the key file still opened the vault (the
/// recovery key was not needed).
pub fn open_with_recovery_key(
    global: &GlobalArgs,
    recovery_key: &str,
) -> Result<(Arc<Vault>, bool), CliError> {
    let (unlocker, key_file) = device_unlocker(global)?;
    match unlocker.unlock_with_device() {
        Ok(unlocked) => return Ok((remember(unlocked.vault), false)),
        Err(
            VaultError::PasswordRequired(_)
            | VaultError::RecoveryKeyRequired(_)
            | VaultError::KeyLost,
        ) => {}
        Err(VaultError::KeyProvider(_)) => {}
        Err(error) => return Err(unlock_failure(&error, &key_file)),
    }
    let unlocked = unlocker.unlock_with_recovery_key(recovery_key)?;
    report_renewal(&unlocked.device_key, &key_file);
    Ok((remember(unlocked.vault), true))
}

/// Tells the user what happened to the key file after an unlock by password or recovery key.
fn report_renewal(renewal: &DeviceKeyRenewal, key_file: &Path) {
    match renewal {
        DeviceKeyRenewal::NotNeeded => {}
        DeviceKeyRenewal::Renewed => {
            eprintln!(
                "tessera: the key file {} now unlocks this vault",
                key_file.display()
            );
        }
        DeviceKeyRenewal::Failed(error) => {
            eprintln!(
                "tessera: warning: the key file {} could not be registered ({error}); the next command will need the password again",
                key_file.display()
            );
        }
    }
}

/// Core's unlock error with the CLI's advice: which file and which command or option helps.
fn unlock_failure(error: &VaultError, key_file: &Path) -> CliError {
    let key_state = if key_file.exists() {
        format!("key file {}", key_file.display())
    } else {
        format!("key file {} is missing", key_file.display())
    };
    CliError::failed(match error {
        VaultError::NoVault { .. } => {
            format!("{error}; create one with `tessera init` (or pass --vault PATH)")
        }
        VaultError::PasswordRequired(_) => format!(
            "{error} ({key_state}): give it with --password-file FILE or TESSERA_PASSWORD, or run on a terminal"
        ),
        VaultError::RecoveryKeyRequired(_) => {
            format!("{error} ({key_state}): `tessera recovery unlock -` reads it from stdin")
        }
        VaultError::KeyLost => format!("{error} ({key_state})"),
        other => other.to_string(),
    })
}

/// Creates the vault (and its key file) at the chosen path; the directory is created 0700.
pub fn init_vault(path: &Path) -> Result<Arc<Vault>, CliError> {
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|e| CliError::failed(format!("cannot create {}: {e}", dir.display())))?;
    }
    // Vault::create refuses an existing vault but reuses the empty file an interrupted
    // create leaves; a key file made here is removed again if creation fails.
    let key_file = key_path(path);
    let key_existed = key_file.exists();
    let key = KeyFile::open_or_create(&key_file).map_err(VaultError::from)?;
    let vault = Vault::create(path, &key).map_err(|e| {
        if !key_existed {
            let _ = std::fs::remove_file(&key_file);
        }
        CliError::from(e)
    })?;
    Ok(remember(vault))
}
