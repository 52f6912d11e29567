//! `tessera transfer offer|send|accept|cancel`: the encrypted move to a new device through QR
//! codes, as PNG files and on the terminal. The protocol and every rule are core's
//! (`tessera_core::handover`, `docs/move.md`); this file reads and writes the images (with
//! Tessera's own QR encoder and reader) and prints.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use tessera_core::files;
use tessera_core::handover::{self, MoveTransfer, TokenOutcome};
use tessera_core::transfer::{export, qr};
use tessera_core::vault::AddOutcome;

use crate::CliError;
use crate::session::{GlobalArgs, open_vault, vault_now};
use crate::term::Safe;

/// `tessera transfer …`
#[derive(Subcommand, Debug)]
pub enum MoveCommand {
    /// On the NEW device: make a one-time offer and write its QR code to OFFER.png (and draw
    /// it on a terminal). The offer's key stays pending in this vault for one hour.
    Offer {
        /// Where to write the offer's QR code (PNG).
        offer: PathBuf,
    },
    /// On the OLD device: encrypt the whole vault to the offer in OFFER.png and write the
    /// transfer's QR codes to OUTDIR (tessera-move-01-of-NN.png…; drawn on a terminal too).
    ///
    /// Compare the check code it prints with the new device's before the codes are shown.
    /// This vault keeps its accounts: remove them here once the new device works.
    Send {
        /// The offer: a PNG or JPEG of its QR code, or a text file holding its text.
        offer: PathBuf,
        /// The directory for the transfer's QR codes (created if missing; earlier
        /// tessera-move-*.png files in it are replaced).
        outdir: PathBuf,
    },
    /// On the NEW device: read the transfer's QR codes (in any order; an image may hold
    /// several) and import everything, once. Nothing changes unless every code is there.
    Accept {
        /// PNG or JPEG images of the codes, or text files with one code's text per line.
        #[arg(required = true)]
        codes: Vec<PathBuf>,
    },
    /// On the NEW device: forget the pending offer.
    Cancel,
}

/// Runs a `tessera transfer` command.
pub fn run(cmd: MoveCommand, global: &GlobalArgs) -> Result<(), CliError> {
    match cmd {
        MoveCommand::Offer { offer } => offer_cmd(&offer, global),
        MoveCommand::Send { offer, outdir } => send(&offer, &outdir, global),
        MoveCommand::Accept { codes } => accept(&codes, global),
        MoveCommand::Cancel => {
            open_vault(global)?.cancel_move_offer()?;
            println!("the move offer is cancelled");
            Ok(())
        }
    }
}

/// Pixels per QR module in the PNG files: ~700 px for a transfer code, sharp on any screen.
const SCALE: u32 = 8;
/// File names of the transfer codes: `tessera-move-01-of-05.png`.
const PART_PREFIX: &str = "tessera-move-";

fn write_png(path: &Path, text: &str) -> Result<(), CliError> {
    let png = export::qr_png(text, SCALE)?;
    files::write_private(path, &png, files::Existing::Replace)
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))
}

/// Draws a QR code on standard output when it is a terminal.
fn draw(text: &str, caption: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if out.is_terminal() {
        let art = export::qr_terminal(text)?;
        let _ = writeln!(out, "{caption}\n{}", art.as_str());
    }
    Ok(())
}

fn offer_cmd(path: &Path, global: &GlobalArgs) -> Result<(), CliError> {
    let vault = open_vault(global)?;
    let offer = vault.create_move_offer(vault_now(&vault)?)?;
    write_png(path, &offer.text)?;
    draw(&offer.text, "Scan this with the old device:")?;
    println!("move offer written to {}", path.display());
    println!("check code: {}", offer.check_code);
    println!("valid until: {} (unix time)", offer.expires_at);
    println!(
        "next, on the old device: tessera transfer send {} OUTDIR",
        path.display()
    );
    Ok(())
}

/// The texts of the QR codes in a file: every code of a PNG or JPEG (in reading order), or
/// every non-empty line of a text file.
fn texts(path: &Path) -> Result<Vec<String>, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::failed(format!("cannot read {}: {e}", path.display())))?;
    if qr::is_image(&bytes) {
        let payloads = qr::payloads(&bytes)
            .map_err(|e| CliError::failed(format!("{}: {e}", path.display())))?;
        return Ok(payloads.iter().map(|p| p.to_string()).collect());
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::failed(format!(
            "{} is neither an image nor a text file",
            path.display()
        ))
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

fn send(offer_path: &Path, outdir: &Path, global: &GlobalArgs) -> Result<(), CliError> {
    let found = texts(offer_path)?;
    // An image may hold other QR codes beside the offer: the first move offer is the one.
    let offer_text = found
        .iter()
        .find(|t| handover::read_offer(t).is_ok())
        .or(found.first())
        .ok_or_else(|| CliError::failed(format!("{} holds no QR code", offer_path.display())))?;
    let offer = handover::read_offer(offer_text)?;
    confirm_check_code(&offer.check_code)?;
    let vault = open_vault(global)?;
    let transfer = vault.send_move(offer_text, vault_now(&vault)?)?;
    write_parts(outdir, &transfer)?;
    report_sent(&transfer);
    Ok(())
}

/// On a terminal, the user confirms that both devices show the same check code; a script
/// (no terminal) has compared it already or accepts the risk.
fn confirm_check_code(code: &str) -> Result<(), CliError> {
    eprintln!("check code: {code} (the new device must show the same)");
    if !std::io::stdin().is_terminal() {
        return Ok(());
    }
    eprint!("Does the new device show {code}? [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::failed(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(CliError::failed(
            "the check codes differ: nothing was sent (scan the new device's offer again)",
        ))
    }
}

fn write_parts(outdir: &Path, transfer: &MoveTransfer) -> Result<(), CliError> {
    let fail =
        |e: std::io::Error| CliError::failed(format!("cannot use {}: {e}", outdir.display()));
    std::fs::create_dir_all(outdir).map_err(fail)?;
    // Codes left by an earlier send would mix two transfers: they go first.
    for entry in std::fs::read_dir(outdir).map_err(fail)? {
        let path = entry.map_err(fail)?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with(PART_PREFIX) && name.ends_with(".png") {
            std::fs::remove_file(&path).map_err(fail)?;
        }
    }
    let count = transfer.parts.len();
    for (i, part) in transfer.parts.iter().enumerate() {
        let path = outdir.join(format!("{PART_PREFIX}{:02}-of-{count:02}.png", i + 1));
        write_png(&path, part)?;
        draw(part, &format!("Transfer code {} of {count}:", i + 1))?;
    }
    println!(
        "wrote {count} transfer code{} to {}",
        if count == 1 { "" } else { "s" },
        outdir.display()
    );
    Ok(())
}

fn report_sent(transfer: &MoveTransfer) {
    println!("accounts: {}", transfer.accounts);
    if transfer.pictures_left_behind > 0 {
        println!(
            "pictures: {} too large for QR codes stay here (their accounts move; a backup file carries them)",
            transfer.pictures_left_behind
        );
    }
    for token in &transfer.tokens_moved {
        println!(
            "push token {} ({}: {}): moves",
            Safe(&token.serial),
            Safe(&token.issuer),
            Safe(&token.label)
        );
    }
    for left in &transfer.tokens_left_behind {
        println!(
            "push token {}: stays here, {}",
            Safe(&left.serial),
            left.reason.explain()
        );
    }
    println!("next, on the new device: tessera transfer accept OUTDIR/tessera-move-*.png");
    println!("this device keeps everything: remove it here once the new device works");
}

fn accept(paths: &[PathBuf], global: &GlobalArgs) -> Result<(), CliError> {
    let mut codes = Vec::new();
    for path in paths {
        codes.extend(texts(path)?);
    }
    let vault = open_vault(global)?;
    let report = vault.accept_move(&codes, vault_now(&vault)?)?;
    let count = |f: fn(&AddOutcome) -> bool| report.accounts.iter().filter(|o| f(o)).count();
    println!(
        "accounts: {} added, {} already here, {} refused",
        count(|o| matches!(o, AddOutcome::Added(_))),
        count(|o| matches!(o, AddOutcome::Duplicate(_))),
        count(|o| matches!(o, AddOutcome::Rejected(_)))
    );
    for outcome in &report.accounts {
        if let AddOutcome::Rejected(why) = outcome {
            eprintln!("tessera: an account was refused: {}", Safe(why));
        }
    }
    for (token, outcome) in &report.tokens {
        println!(
            "push token {} ({}: {}): {}",
            Safe(&token.serial),
            Safe(&token.issuer),
            Safe(&token.label),
            match outcome {
                TokenOutcome::Added => "added",
                TokenOutcome::Duplicate => "already here, kept",
            }
        );
    }
    for left in &report.tokens_left_behind {
        println!(
            "push token {}: stayed on the old device, {}",
            Safe(&left.serial),
            left.reason.explain()
        );
    }
    Ok(())
}
