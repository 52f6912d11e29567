//! Stateless commands: `tessera code` and `tessera uri inspect`.

use clap::Subcommand;

use crate::CliError;

/// Commands that need no vault.
#[derive(Subcommand, Debug)]
pub enum OtpCommand {
    /// Print the current code of an otpauth URI (placeholder until the uri module lands).
    Code {
        /// The otpauth URI.
        #[arg(long)]
        uri: String,
    },
}

/// Runs a stateless command.
pub fn run(cmd: OtpCommand) -> Result<(), CliError> {
    match cmd {
        OtpCommand::Code { .. } => Err(CliError::failed("not implemented yet")),
    }
}
