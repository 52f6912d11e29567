//! Server time: `tessera time sync [URL]|show|reset`.
//!
//! `time sync` learns the offset between this machine's clock and a server's (its HTTP
//! `Date` header) and stores it in the vault; `codes` and push then use the corrected time.
//! Output contract: `--json` prints `{offset_seconds, source, synced_at, warning}` (`time
//! show --json` prints `null` before any sync); `warning` is true above
//! `tessera_core::clock::OFFSET_WARNING_SECS` (30 s), and the human output then says so on
//! stderr.

use clap::Subcommand;
use serde_json::json;
use tessera_core::clock::{self, OFFSET_WARNING_SECS, ServerTime, SystemClock};
use tessera_core::net::TransportPolicy;
use tessera_core::push::UreqTransport;

use crate::CliError;
use crate::session::{GlobalArgs, open_vault};
use crate::term::{self, Safe};

/// `tessera time …`
#[derive(Subcommand, Debug)]
pub enum TimeCommand {
    /// The server time: correct codes when this machine's clock is wrong.
    Time {
        #[command(subcommand)]
        action: TimeAction,
    },
}

/// What to do with the server time.
#[derive(Subcommand, Debug)]
pub enum TimeAction {
    /// Learn the offset from a server's clock (its HTTP Date header) and store it.
    Sync {
        /// Any https:// URL (or http:// to 127.0.0.1, ::1 or localhost); without it, the
        /// server of the first push token.
        url: Option<String>,
        /// Accept a plain http:// URL to a host that is not loopback (the answer, and so the
        /// time, could be changed on the way).
        #[arg(long)]
        insecure: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show the stored offset.
    Show {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Forget the offset: codes use this machine's clock again.
    Reset,
}

fn time_json(time: &ServerTime) -> serde_json::Value {
    json!({
        "offset_seconds": time.offset_secs,
        "source": time.source,
        "synced_at": time.synced_at,
        "warning": time.warning(),
    })
}

fn print_time(time: &ServerTime, json: bool) {
    if json {
        println!("{}", term::json(&time_json(time), false));
        return;
    }
    let direction = match time.offset_secs {
        0 => "in step with",
        o if o > 0 => "behind",
        _ => "ahead of",
    };
    println!(
        "clock offset {:+} s: this machine is {direction} {} (synced at Unix time {})",
        time.offset_secs,
        Safe(&time.source),
        time.synced_at
    );
    if time.warning() {
        eprintln!(
            "tessera: warning: this machine's clock is off by more than {OFFSET_WARNING_SECS} s; \
             codes use the corrected time, but fix the system clock"
        );
    }
}

/// Runs a time command.
pub fn run(cmd: TimeCommand, global: &GlobalArgs) -> Result<(), CliError> {
    let TimeCommand::Time { action } = cmd;
    let vault = open_vault(global)?;
    match action {
        TimeAction::Sync {
            url,
            insecure,
            json,
        } => {
            let policy = if insecure {
                TransportPolicy::AllowInsecure
            } else {
                TransportPolicy::Secure
            };
            // Without a URL, core asks the first push token's server.
            let time = clock::sync(
                &vault,
                &UreqTransport::new(),
                &SystemClock,
                url.as_deref(),
                policy,
            )
            .map_err(|e| match e {
                clock::TimeError::NoServer => CliError::Usage(e.to_string()),
                other => CliError::from(other),
            })?;
            print_time(&time, json);
            Ok(())
        }
        TimeAction::Show { json } => {
            match vault.server_time()? {
                Some(time) => print_time(&time, json),
                None if json => println!("null"),
                None => println!("no server time stored: codes use this machine's clock"),
            }
            Ok(())
        }
        TimeAction::Reset => {
            vault.reset_server_time()?;
            println!("server time forgotten: codes use this machine's clock");
            Ok(())
        }
    }
}
