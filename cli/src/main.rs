//! `tessera`: the desktop shell of the Tessera authenticator and the reference for the mobile
//! shells. It parses arguments, calls tessera-core and renders; it holds no business rule.
//!
//! Exit codes are a contract for scripts: 0 success, 1 bad input or a failed operation
//! (one line on stderr), 2 usage error (clap's own exit code for bad arguments).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod autobackup_cmd;
mod container_cmd;
mod move_cmd;
mod otp_cmd;
mod push_cmd;
mod recovery_cmd;
mod render;
mod sensitive;
mod session;
mod term;
mod time_cmd;
mod transfer_cmd;
mod vault_cmd;

/// Tessera: one-time codes and push approvals from the command line.
#[derive(Parser, Debug)]
#[command(name = "tessera", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: session::GlobalArgs,
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
    /// Move the whole vault to a new device, encrypted, through QR codes (offer, send, accept).
    #[command(name = "transfer", subcommand)]
    Move(move_cmd::MoveCommand),
    /// The recovery key: a printed way in when the key file is gone and the password forgotten.
    #[command(subcommand)]
    Recovery(recovery_cmd::RecoveryCommand),
    #[command(flatten)]
    Time(time_cmd::TimeCommand),
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

/// Writing to a closed pipe (`tessera vault list | head -1`) ends the program quietly, as
/// Unix tools do, instead of a panic in `println!` with a "Broken pipe" message. Rust sets
/// SIGPIPE to "ignore" before `main`; this puts the default back. Every vault write is one
/// SQLite transaction, so a command ended this way has written all of its change or none.
#[cfg(unix)]
fn end_quietly_on_closed_pipe() {
    // SAFETY: called first in `main`, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    #[cfg(unix)]
    end_quietly_on_closed_pipe();
    let cli = Cli::parse();
    // Every command that may change the vault is followed by an automatic backup (when they
    // are on); code generation without a vault and the backup commands themselves are not.
    let may_change = !matches!(
        cli.command,
        Command::Otp(_)
            | Command::Vault(vault_cmd::VaultCommand::Backup(
                vault_cmd::BackupCommand::Auto { .. } | vault_cmd::BackupCommand::Status { .. }
            ))
    );
    let result = match cli.command {
        Command::Otp(cmd) => otp_cmd::run(cmd),
        Command::Vault(cmd) => vault_cmd::run(cmd, &cli.global),
        Command::Transfer(cmd) => transfer_cmd::run(cmd, &cli.global),
        Command::Push(cmd) => push_cmd::run(cmd, &cli.global),
        Command::Container(cmd) => container_cmd::run(cmd, &cli.global),
        Command::Move(cmd) => move_cmd::run(cmd, &cli.global),
        Command::Recovery(cmd) => recovery_cmd::run(cmd, &cli.global),
        Command::Time(cmd) => time_cmd::run(cmd, &cli.global),
    };
    // The vault the command opened: flushed here, and closed when it goes out of scope.
    let opened = session::take_opened_vault();
    if result.is_ok() && may_change {
        autobackup_cmd::after_command(opened.as_deref());
    }
    drop(opened);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // Messages can quote names from files and servers: escaped like every other line.
        Err(CliError::Failed(message)) => {
            eprintln!("tessera: {}", term::safe(&message));
            ExitCode::from(1)
        }
        Err(CliError::Usage(message)) => {
            eprintln!("tessera: {}", term::safe(&message));
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    /// Every argument that holds a secret is `Sensitive`: the parsed command's `Debug` (what a
    /// panic or a debug log would print) shows none of them.
    #[test]
    fn parsed_commands_print_no_secret() {
        let secret = "JBSWY3DPEHPK3PXP";
        let uri = format!("otpauth://totp/ACME:alice?secret={secret}");
        let push = "otpauth://pipush/P?url=https%3A//pi.example/ttype/push&enrollment_credential=cred0123&serial=P";
        let note = "recovery: alpha-bravo";
        let commands: [&[&str]; 6] = [
            &["add", &uri],
            &["add", "--secret", secret, "--note", note],
            &["edit", "abcd", "--note", note],
            &["code", "--uri", &uri],
            &["uri", "inspect", &uri],
            &["push", "enroll", push],
        ];
        for args in commands {
            let cli = Cli::try_parse_from(std::iter::once("tessera").chain(args.iter().copied()))
                .unwrap();
            let shown = format!("{cli:?}");
            for hidden in [secret, "cred0123", note] {
                assert!(!shown.contains(hidden), "{args:?}: {shown}");
            }
            assert!(shown.contains("<redacted>"), "{args:?}: {shown}");
        }
    }
}
