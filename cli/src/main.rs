//! `tessera`: the desktop shell of the Tessera authenticator and the reference for the mobile
//! shells. It parses arguments, calls tessera-core and renders; it holds no business rule.
//!
//! Exit codes are a contract for scripts: 0 success, 1 bad input or a failed operation
//! (one line on stderr), 2 usage error (clap's own exit code for bad arguments).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod container_cmd;
mod otp_cmd;
mod push_cmd;
mod transfer_cmd;
mod vault_cmd;

/// Tessera: one-time codes and push approvals from the command line.
#[derive(Parser, Debug)]
#[command(name = "tessera", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: vault_cmd::GlobalArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    #[command(flatten)]
    Otp(otp_cmd::OtpCommand),
    #[command(flatten)]
    Vault(vault_cmd::VaultCommand),
    #[command(flatten)]
    Transfer(transfer_cmd::TransferCommand),
    #[command(flatten)]
    Push(push_cmd::PushCommand),
    #[command(flatten)]
    Container(container_cmd::ContainerCommand),
}

/// A failure to report: its message is one line, safe to print (no secret in it).
#[derive(Debug)]
pub enum CliError {
    /// Bad input or a failed operation: exit 1.
    Failed(String),
    /// The arguments do not make sense together: exit 2.
    Usage(String),
}

impl CliError {
    /// A failure with exit code 1.
    pub fn failed(message: impl std::fmt::Display) -> Self {
        CliError::Failed(message.to_string())
    }
}

impl<E: Into<tessera_core::Error>> From<E> for CliError {
    fn from(error: E) -> Self {
        CliError::Failed(error.into().to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Otp(cmd) => otp_cmd::run(cmd),
        Command::Vault(cmd) => vault_cmd::run(cmd, &cli.global),
        Command::Transfer(cmd) => transfer_cmd::run(cmd, &cli.global),
        Command::Push(cmd) => push_cmd::run(cmd, &cli.global),
        Command::Container(cmd) => container_cmd::run(cmd, &cli.global),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Failed(message)) => {
            eprintln!("tessera: {message}");
            ExitCode::from(1)
        }
        Err(CliError::Usage(message)) => {
            eprintln!("tessera: {message}");
            ExitCode::from(2)
        }
    }
}
