//! `tessera import` and `tessera export`: moving accounts in and out of other authenticators.
//!
//! Everything about formats, duplicates and transactions is in `tessera_core::transfer`; this
//! file reads files and passwords, opens the vault, and renders the report.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::json;
use tessera_core::files;
use tessera_core::transfer::export::{self, ExportFormat};
use tessera_core::transfer::{self, Format, ImportError, ImportReport, Outcome, TransferError};
use zeroize::Zeroizing;

use crate::CliError;
use crate::session::{GlobalArgs, given_password, new_password, open_vault, read_password};
use crate::term::{self, Safe, safe, short_id};

/// Import and export commands.
#[derive(Subcommand, Debug)]
pub enum TransferCommand {
    /// Import accounts from another authenticator's export (format detected automatically).
    ///
    /// Every entry is reported: imported, skipped as a duplicate, or failed with its reason.
    /// Accepted entries are written in one transaction; a wrong password or a damaged file
    /// imports nothing and exits with status 1. Importing the same file twice adds nothing.
    Import(ImportArgs),
    /// Export every account to a file another authenticator (or Tessera) can import.
    ///
    /// Formats: `aegis` (Aegis vault), `2fas` (2FAS .2fas backup), `ente` (Ente Auth),
    /// `proton` (Proton Authenticator), each encrypted unless --unencrypted; `tessera`
    /// (Tessera's encrypted backup); `bitwarden` (Bitwarden JSON, never encrypted), `otpauth`
    /// (plain otpauth URIs, one per line), `google` (Google Authenticator transfer QR codes, at
    /// most 10 accounts each: OUT-1.png, OUT-2.png… or `-` to draw them in the terminal). Plain
    /// output needs --unencrypted. Accounts the target app cannot hold (HOTP in Proton or
    /// Bitwarden, code lengths or periods 2FAS lacks, …) and push tokens are listed as "not
    /// exported", never dropped silently.
    Export(ExportArgs),
}

/// Arguments of `tessera import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The export file to read.
    file: PathBuf,
    /// The file's format, when detection should be overridden: otpauth, google, aegis, 2fas,
    /// andotp, freeotp, bitwarden-json, bitwarden-csv, ente, proton, steam (a Steam Guard
    /// .maFile), winauth (WinAuth's text export), microsoft (Microsoft Authenticator's
    /// PhoneFactor database), google-db (Google Authenticator's database), authpro
    /// (Authenticator Pro / Stratum backup, plain or encrypted, or its database), authy
    /// (Authy's XML app storage), duo (Duo Mobile's accounts.json), battlenet (the Battle.net
    /// app's XML preferences), totpauth (TOTP Authenticator's .bin backup or XML app
    /// storage), qr, tessera; freeotp also reads FreeOTP 2's encrypted externalBackup.xml and
    /// tokenBackup.xml, and FreeOTP's tokens.xml.
    #[arg(long = "from", value_name = "FORMAT", value_parser = parse_format)]
    from: Option<Format>,
    /// Show what would be imported without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `tessera export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The format to write: aegis, 2fas, ente, proton, bitwarden, tessera, otpauth, google.
    #[arg(long = "to", visible_alias = "format", value_name = "FORMAT")]
    to: String,
    /// Write secrets in the clear (needed for otpauth, google and bitwarden, and for plain
    /// aegis, 2fas, ente and proton).
    #[arg(long)]
    unencrypted: bool,
    /// The file to write (`-` for standard output; for google, the terminal).
    out: PathBuf,
}

fn parse_format(name: &str) -> Result<Format, String> {
    Format::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
        format!("unknown format; one of: {}", names.join(", "))
    })
}

/// Runs an import or export command.
/// The vault and the export's password (`--password-file`, else `TESSERA_PASSWORD`) come from
/// the global arguments, as for every vault command.
pub fn run(cmd: TransferCommand, global: &GlobalArgs) -> Result<(), CliError> {
    match cmd {
        TransferCommand::Import(args) => import(args, global),
        TransferCommand::Export(args) => export(args, global),
    }
}

/// A spinner on standard error while a long step runs, only on a terminal.
fn spinner(show: bool, message: String) -> Option<indicatif::ProgressBar> {
    if !show || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(100));
    Some(bar)
}

/// Files above this size show a progress spinner while they are read and written.
const LARGE_FILE: u64 = 256 * 1024;

fn import(args: ImportArgs, global: &GlobalArgs) -> Result<(), CliError> {
    import_file(&args.file, args.from, args.dry_run, args.json, global)
}

/// Imports `file` into the vault and prints the report: `tessera import`, and `tessera backup
/// import` (a backup is restored like any other file, as the apps do).
pub fn import_file(
    file: &Path,
    from: Option<Format>,
    dry_run: bool,
    json: bool,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let bytes = Zeroizing::new(
        std::fs::read(file)
            .map_err(|e| CliError::failed(format!("cannot read {}: {e}", file.display())))?,
    );
    let vault = open_vault(global)?;
    let mut password = given_password(global)?;
    let large = bytes.len() as u64 > LARGE_FILE;
    let report = loop {
        // A spinner while the file is read and decrypted, then a bar of the accounts written.
        let bar = spinner(large, format!("reading {}", file.display()));
        let result = transfer::import_with_progress(
            &vault,
            &bytes,
            from,
            password.as_deref().map(|p| p.as_str()),
            dry_run,
            &mut |done, total| {
                if let Some(bar) = &bar {
                    if bar.length() != Some(total as u64) {
                        bar.set_style(
                            indicatif::ProgressStyle::with_template(
                                "{msg} [{bar:30}] {pos}/{len} accounts",
                            )
                            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                            .progress_chars("=> "),
                        );
                        bar.set_length(total as u64);
                        bar.set_message("writing to the vault");
                    }
                    bar.set_position(done as u64);
                }
            },
        );
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        match result {
            // Ask on a terminal rather than fail, once.
            Err(ImportError::Source(TransferError::PasswordRequired))
                if password.is_none() && std::io::stdin().is_terminal() =>
            {
                password = Some(read_password(global, "Password of the export: ")?);
            }
            Err(ImportError::Source(TransferError::PasswordRequired)) => {
                return Err(CliError::failed(format!(
                    "{}: give it with --password-file FILE or TESSERA_PASSWORD, or run on a terminal",
                    TransferError::PasswordRequired
                )));
            }
            other => break other,
        }
    };
    let report = report?;
    if json {
        println!("{}", term::json(&report_json(&report), false));
    } else {
        print_report(&report);
    }
    Ok(())
}

fn outcome_word(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Imported(_) => "imported",
        Outcome::WouldImport => "would import",
        Outcome::Duplicate(_) | Outcome::RepeatedInSource(_) => "duplicate",
        Outcome::Failed(_) => "failed",
    }
}

fn print_report(report: &ImportReport) {
    let width = report
        .entries
        .iter()
        .map(|e| safe(&e.name).chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    let mut out = std::io::stdout().lock();
    for entry in &report.entries {
        let detail = match &entry.outcome {
            Outcome::Imported(id) => format!("id {}", short_id(id.as_str())),
            Outcome::WouldImport => String::new(),
            Outcome::Duplicate(id) => format!("already in the vault as {}", short_id(id.as_str())),
            Outcome::RepeatedInSource(i) => format!("same account as entry {} of the file", i + 1),
            Outcome::Failed(reason) => reason.to_string(),
        };
        // Names and reasons come from the file: escaped, and padded after escaping.
        let _ = writeln!(
            out,
            "{:<12} {:<width$}  {}",
            outcome_word(&entry.outcome),
            safe(&entry.name),
            safe(&detail)
        );
    }
    let verb = if report.dry_run {
        "Would import"
    } else {
        "Imported"
    };
    let _ = writeln!(
        out,
        "{verb} {} of {} entries from a {} file: {} duplicate(s) skipped, {} failed.{}",
        report.imported(),
        report.entries.len(),
        report.format.as_str(),
        report.duplicates(),
        report.failed(),
        if report.dry_run {
            " Nothing was written (dry run)."
        } else {
            ""
        }
    );
}

fn report_json(report: &ImportReport) -> serde_json::Value {
    let entries: Vec<serde_json::Value> = report
        .entries
        .iter()
        .map(|e| {
            let mut v = json!({ "name": e.name, "outcome": outcome_word(&e.outcome) });
            match &e.outcome {
                Outcome::Imported(id) => v["id"] = json!(id.as_str()),
                Outcome::Duplicate(id) => v["existing_id"] = json!(id.as_str()),
                Outcome::RepeatedInSource(i) => v["same_as_entry"] = json!(i),
                Outcome::Failed(reason) => v["reason"] = json!(reason.to_string()),
                Outcome::WouldImport => {}
            }
            v
        })
        .collect();
    json!({
        "format": report.format.as_str(),
        "dry_run": report.dry_run,
        "imported": report.imported(),
        "duplicates": report.duplicates(),
        "failed": report.failed(),
        "entries": entries,
    })
}

fn export(args: ExportArgs, global: &GlobalArgs) -> Result<(), CliError> {
    // `backup` is the CLI's older name of Tessera's own format.
    let name = args.to.to_ascii_lowercase();
    let name = if name == "backup" { "tessera" } else { &name };
    let format = ExportFormat::parse(name).ok_or_else(|| {
        let names: Vec<&str> = ExportFormat::ALL.iter().map(|f| f.as_str()).collect();
        CliError::Usage(format!(
            "unknown export format `{}`; one of: {}",
            args.to,
            names.join(", ")
        ))
    })?;
    // Core's rule decides, before anything is asked or read: plain output only with
    // --unencrypted, never for a format that is always encrypted.
    let needs_password = format
        .needs_password(args.unencrypted)
        .map_err(|e| match e {
            TransferError::UnencryptedNotChosen(why) => {
                CliError::Usage(format!("{why}: pass --unencrypted to write it anyway"))
            }
            other => CliError::Usage(format!("{other}; drop --unencrypted")),
        })?;
    if !needs_password && global.password_file.is_some() {
        return Err(CliError::Usage(
            "--password-file and --unencrypted exclude each other".into(),
        ));
    }
    let vault = open_vault(global)?;
    let password = if needs_password {
        Some(new_password(global, "Password for the export: ")?)
    } else {
        eprintln!(
            "tessera: warning: writing every secret UNENCRYPTED to {}; keep it safe and delete it after use",
            shown(&args.out)
        );
        None
    };
    let out = export::export_vault(
        &vault,
        format,
        password.as_deref().map(|p| p.as_str()),
        args.unencrypted,
    )?;
    report_skipped(&out.skipped);
    if format == ExportFormat::GoogleMigration {
        return write_google(&args.out, &out.uris);
    }
    write_out(&args.out, &out.data)?;
    eprintln!(
        "Wrote a {}{} export to {}.",
        if needs_password {
            "password-protected "
        } else {
            ""
        },
        format.as_str(),
        shown(&args.out)
    );
    Ok(())
}

fn shown(path: &Path) -> String {
    if path == Path::new("-") {
        "standard output".into()
    } else {
        path.display().to_string()
    }
}

fn report_skipped(skipped: &[export::Skipped]) {
    for s in skipped {
        eprintln!(
            "tessera: not exported: {} ({})",
            Safe(&s.name),
            Safe(&s.reason)
        );
    }
}

/// Writes the output file readable by its owner only (it holds secrets, encrypted or not).
fn write_out(path: &Path, data: &[u8]) -> Result<(), CliError> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(data)
            .and_then(|()| out.flush())
            .map_err(|e| CliError::failed(format!("cannot write to standard output: {e}")));
    }
    let fail =
        |e: std::io::Error| CliError::failed(format!("cannot write {}: {e}", path.display()));
    files::write_private(path, data, files::Existing::Keep).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::failed(format!("{} exists; it is not overwritten", path.display()))
        } else {
            fail(e)
        }
    })
}

/// Google transfer QR codes: drawn on the terminal for `-`, otherwise `OUT-1.png`, `OUT-2.png`…
fn write_google(out: &Path, uris: &[Zeroizing<String>]) -> Result<(), CliError> {
    if uris.is_empty() {
        return Err(CliError::failed(
            "no account can be exported to Google Authenticator",
        ));
    }
    let total = uris.len();
    if out == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        for (i, uri) in uris.iter().enumerate() {
            let art = export::qr_terminal(uri)?;
            let _ = writeln!(stdout, "QR code {} of {total}:\n{}", i + 1, art.as_str());
        }
        return Ok(());
    }
    let stem = out.with_extension("");
    for (i, uri) in uris.iter().enumerate() {
        let png = export::qr_png(uri, 8)?;
        let mut name = stem.clone().into_os_string();
        name.push(format!("-{}.png", i + 1));
        let path = PathBuf::from(name);
        write_out(&path, &png)?;
        eprintln!("Wrote QR code {} of {total} to {}.", i + 1, path.display());
    }
    Ok(())
}
