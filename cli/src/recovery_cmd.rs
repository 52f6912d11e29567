//! `tessera recovery create|unlock|revoke`: the vault's recovery key, the way in when the key
//! file is gone and the password forgotten. Its format and rules are core's
//! (`tessera_core::vault`, `docs/vault.md`, *Recovery key*); this file reads and prints.

use std::io::Read;

use clap::Subcommand;

use crate::CliError;
use crate::session::{GlobalArgs, new_password, open_vault, open_with_recovery_key};

/// `tessera recovery …`
#[derive(Subcommand, Debug)]
pub enum RecoveryCommand {
    /// Make the vault's recovery key and print it, once: write it down or print it and keep it
    /// somewhere safe. It unlocks the vault when the key file is gone and the password
    /// forgotten.
    Create {
        /// Replace the existing recovery key (the old one stops working).
        #[arg(long)]
        replace: bool,
    },
    /// Unlock the vault with its recovery key and register the key file again.
    Unlock {
        /// `-`: read the recovery key from stdin (keeps it out of shell history).
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(["-"]))]
        source: String,
        /// Also set a new vault password (asked twice on a terminal, or --password-file /
        /// TESSERA_PASSWORD).
        #[arg(long)]
        new_password: bool,
    },
    /// Revoke the recovery key: it no longer unlocks the vault.
    Revoke,
}

/// Longest recovery key read from stdin: the printed key is 34 characters; room for spaces
/// and a line ending, not for a mistaken file.
const MAX_TYPED: u64 = 256;

/// Runs one `tessera recovery` command.
pub fn run(cmd: RecoveryCommand, global: &GlobalArgs) -> Result<(), CliError> {
    match cmd {
        RecoveryCommand::Create { replace } => {
            let vault = open_vault(global)?;
            if vault.has_recovery_key()? && !replace {
                return Err(CliError::failed(
                    "this vault already has a recovery key; `tessera recovery create --replace` makes a new one (the old one stops working)",
                ));
            }
            let key = vault.create_recovery_key()?;
            eprintln!(
                "Your recovery key (shown only this once; write it down and keep it apart from this computer):"
            );
            println!("{}", key.as_str());
            Ok(())
        }
        RecoveryCommand::Unlock {
            source: _,
            new_password: set_password,
        } => {
            let mut typed = zeroize::Zeroizing::new(String::new());
            std::io::stdin()
                .take(MAX_TYPED)
                .read_to_string(&mut typed)
                .map_err(|e| CliError::failed(format!("cannot read the recovery key: {e}")))?;
            let (vault, recovered) = open_with_recovery_key(global, typed.trim())?;
            if recovered {
                println!("unlocked with the recovery key");
            } else {
                println!("the key file still unlocks this vault; the recovery key was not needed");
            }
            if set_password {
                let password = new_password(global, "New vault password: ")?;
                vault.set_password(&password, Default::default())?;
                println!("set a new vault password");
            }
            Ok(())
        }
        RecoveryCommand::Revoke => {
            open_vault(global)?.revoke_recovery_key()?;
            println!("revoked the recovery key; it no longer unlocks this vault");
            Ok(())
        }
    }
}
