//! Container commands: `tessera container register|sync|list|rollover|unregister`.
//!
//! Contract for scripts:
//! - `container register URI|-` registers, then synchronizes once; exit 0 only when both
//!   worked. `--passphrase-file F` answers the QR's passphrase question (or is the user's
//!   password when the QR asks for it); without it a terminal is asked.
//! - `container sync [--json]` synchronizes every registered container; JSON is an array of
//!   `{container, added, resecreted, removed, unchanged, failed, warnings, policies, error}`
//!   (`added`/`resecreted`/`removed`: `[{serial, kind, account_id}]`; `failed`:
//!   `[{serial, reason}]`; `error`: null or why the container could not sync). Exit 1 when a
//!   container could not sync (e.g. locked out after a rollover to another device).
//! - `container list [--json]`: `[{serial, issuer, url, state, policies, registered_at,
//!   last_sync_at, tokens: [{serial, kind, account_id}]}]`.
//! - `container rollover [SERIAL] [--qr FILE]`: the first line is the new registration URI;
//!   `--qr` also writes it as a PNG QR code.
//! - `container unregister SERIAL`.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use clap::Subcommand;
use serde_json::{Value, json};
use tessera_core::container::{
    ContainerError, ContainerInfo, Containers, Device, RegistrationQr, SoftwareContainerKeys,
    SyncReport,
};
use tessera_core::push::{SoftwareKeys, UreqTransport};
use zeroize::Zeroizing;

use crate::CliError;
use crate::session::{GlobalArgs, open_vault};

/// `tessera container …`
#[derive(Subcommand, Debug)]
pub enum ContainerCommand {
    /// privacyIDEA token containers: the server enrolls, updates and moves this device's tokens.
    Container {
        #[command(subcommand)]
        action: ContainerAction,
    },
}

/// What to do with containers.
#[derive(Subcommand, Debug)]
pub enum ContainerAction {
    /// Register a container from its QR code URI (pia://container/…), then sync it once.
    Register {
        /// The registration URI; `-` reads it from stdin (out of the process list).
        uri: String,
        /// A file whose first line is the passphrase (or your password, when the QR asks for it).
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
    },
    /// Synchronize every registered container and report what changed.
    Sync {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the containers on this device and the tokens they manage.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ask the server for a registration QR code for a new device (the first line printed
    /// is its URI); this device is locked out once the new one registers.
    Rollover {
        /// The container (may be left out when there is only one).
        serial: Option<String>,
        /// Also write the QR code as a PNG image to this file.
        #[arg(long)]
        qr: Option<PathBuf>,
    },
    /// Unregister a container from this device (its accounts stay as ordinary accounts).
    Unregister {
        /// The container's serial.
        serial: String,
    },
}

fn now() -> u64 {
    tessera_core::otp::unix_now()
}

fn fail(error: ContainerError) -> CliError {
    CliError::failed(error)
}

fn read_uri(arg: &str) -> Result<Zeroizing<String>, CliError> {
    if arg != "-" {
        return Ok(Zeroizing::new(arg.trim().to_string()));
    }
    let mut text = Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::failed(format!("cannot read the URI from stdin: {e}")))?;
    Ok(Zeroizing::new(text.trim().to_string()))
}

fn passphrase(
    qr: &RegistrationQr,
    file: Option<&PathBuf>,
) -> Result<Option<Zeroizing<String>>, CliError> {
    let Some(needed) = qr.needs_passphrase() else {
        return Ok(None);
    };
    if let Some(path) = file {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
            CliError::failed(format!(
                "cannot read passphrase file {}: {e}",
                path.display()
            ))
        })?);
        return Ok(Some(Zeroizing::new(
            text.lines().next().unwrap_or("").to_string(),
        )));
    }
    if !std::io::stderr().is_terminal() {
        return Err(CliError::failed(format!(
            "{needed}; pass it with --passphrase-file FILE"
        )));
    }
    let question = match needed {
        ContainerError::PassphraseRequired { prompt } => format!("{prompt} "),
        _ => "Your account password: ".to_string(),
    };
    rpassword::prompt_password(question)
        .map(|p| Some(Zeroizing::new(p)))
        .map_err(|e| CliError::failed(format!("cannot read the passphrase: {e}")))
}

fn change_list(changes: &[tessera_core::container::SyncChange]) -> Value {
    Value::Array(
        changes
            .iter()
            .map(|c| json!({"serial": c.serial, "kind": c.kind.as_str(), "account_id": c.account_id}))
            .collect(),
    )
}

fn report_json(serial: &str, result: &Result<SyncReport, ContainerError>) -> Value {
    match result {
        Ok(r) => json!({
            "container": r.container,
            "added": change_list(&r.added),
            "resecreted": change_list(&r.resecreted),
            "removed": change_list(&r.removed),
            "unchanged": r.unchanged,
            "failed": r.failed.iter().map(|(s, why)| json!({"serial": s, "reason": why})).collect::<Vec<_>>(),
            "warnings": r.warnings,
            "policies": r.policies,
            "error": null,
        }),
        Err(e) => json!({
            "container": serial, "added": [], "resecreted": [], "removed": [], "unchanged": [],
            "failed": [], "warnings": [], "policies": null, "error": e.to_string(),
        }),
    }
}

fn print_report(r: &SyncReport) {
    let line = |what: &str, changes: &[tessera_core::container::SyncChange]| {
        for c in changes {
            let account = c
                .account_id
                .as_deref()
                .map(|id| format!(" (account {})", id.get(..8).unwrap_or(id)))
                .unwrap_or_default();
            println!("  {what} {} {}{account}", c.kind.as_str(), c.serial);
        }
    };
    println!(
        "synchronized container {}: {} added, {} re-secreted, {} removed, {} unchanged",
        r.container,
        r.added.len(),
        r.resecreted.len(),
        r.removed.len(),
        r.unchanged.len()
    );
    line("added", &r.added);
    line("re-secreted", &r.resecreted);
    line("removed (moved to the trash)", &r.removed);
    for (serial, why) in &r.failed {
        println!("  not applied {serial}: {why}");
    }
    for warning in &r.warnings {
        println!("  warning: {warning}");
    }
}

fn info_json(c: &ContainerInfo) -> Value {
    json!({
        "serial": c.serial,
        "issuer": c.issuer,
        "url": c.url,
        "state": c.state.as_str(),
        "policies": c.policies,
        "registered_at": c.registered_at,
        "last_sync_at": c.last_sync_at,
        "tokens": c.tokens.iter().map(|t| json!({"serial": t.serial, "kind": t.kind.as_str(), "account_id": t.account_id})).collect::<Vec<_>>(),
    })
}

fn device() -> Device {
    Device {
        brand: Some("Tessera".into()),
        model: Some(format!("tessera CLI ({})", std::env::consts::OS)),
    }
}

/// Runs a container command.
pub fn run(cmd: ContainerCommand, global: &GlobalArgs) -> Result<(), CliError> {
    let ContainerCommand::Container { action } = cmd;
    let vault = open_vault(global)?;
    let keys = SoftwareContainerKeys::new(&vault);
    let push_keys = SoftwareKeys::new(&vault);
    let transport = UreqTransport::new();
    let containers = Containers::new(&vault, &keys, &push_keys, &transport);
    match action {
        ContainerAction::Register {
            uri,
            passphrase_file,
        } => {
            let uri = read_uri(&uri)?;
            let qr = RegistrationQr::parse(&uri).map_err(fail)?;
            // an expired QR is refused before asking for a passphrase
            qr.check_fresh(now()).map_err(fail)?;
            let answer = passphrase(&qr, passphrase_file.as_ref())?;
            let info = containers
                .register(&qr, answer.as_deref().map(String::as_str), &device(), now())
                .map_err(fail)?;
            println!("registered container {} at {}", info.serial, info.url);
            let report = containers.sync(&info.serial, now()).map_err(|e| {
                CliError::failed(format!(
                    "registered, but the first sync failed: {e} (run `tessera container sync`)"
                ))
            })?;
            print_report(&report);
            Ok(())
        }
        ContainerAction::Sync { json } => {
            let results = containers.sync_all(now()).map_err(fail)?;
            let mut failures = 0;
            if json {
                let list: Vec<Value> = results.iter().map(|(s, r)| report_json(s, r)).collect();
                println!("{}", Value::Array(list));
                failures = results.iter().filter(|(_, r)| r.is_err()).count();
            } else if results.is_empty() {
                println!("no registered containers");
            } else {
                for (serial, result) in &results {
                    match result {
                        Ok(report) => print_report(report),
                        Err(e) => {
                            failures += 1;
                            eprintln!("tessera: container {serial}: {e}");
                        }
                    }
                }
            }
            if failures > 0 {
                return Err(CliError::failed(format!(
                    "{failures} container(s) could not be synchronized"
                )));
            }
            Ok(())
        }
        ContainerAction::List { json } => {
            let list = containers.list().map_err(fail)?;
            if json {
                println!("{}", Value::Array(list.iter().map(info_json).collect()));
            } else if list.is_empty() {
                println!("no containers");
            } else {
                for c in &list {
                    println!(
                        "{}  {}  {}  {} token(s)",
                        c.serial,
                        c.state.as_str(),
                        c.url,
                        c.tokens.len()
                    );
                }
            }
            Ok(())
        }
        ContainerAction::Rollover { serial, qr } => {
            let serial = match serial {
                Some(s) => s,
                None => {
                    let list = containers.list().map_err(fail)?;
                    match list.as_slice() {
                        [only] => only.serial.clone(),
                        [] => return Err(CliError::failed("no containers on this device")),
                        _ => {
                            return Err(CliError::Usage(
                                "several containers: name the one to roll over".into(),
                            ));
                        }
                    }
                }
            };
            let ticket = containers.rollover(&serial).map_err(fail)?;
            println!("{}", ticket.uri);
            if let Some(path) = qr {
                let png = tessera_core::transfer::export::qr_png(&ticket.uri, 8)
                    .map_err(CliError::failed)?;
                std::fs::write(&path, &*png).map_err(|e| {
                    CliError::failed(format!("cannot write {}: {e}", path.display()))
                })?;
                println!("QR code written to {}", path.display());
            }
            println!(
                "scan it with the new device within {} minutes; this device is locked out once the new one registers",
                ticket.qr.ttl_minutes
            );
            Ok(())
        }
        ContainerAction::Unregister { serial } => {
            containers.unregister(&serial).map_err(fail)?;
            println!("unregistered container {serial}; its accounts stay on this device");
            Ok(())
        }
    }
}
