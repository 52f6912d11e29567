//! Push commands: `tessera push enroll|list|poll|approve|deny|remove`.
//!
//! Output shapes are a contract for scripts: `push poll --json` prints a JSON array of the
//! pending requests, each `{id, serial, issuer, label, title, question, choices, received_at,
//! expires_at, is_new, force_unlock}` (`choices` empty without number matching; `is_new`: it
//! arrived in this poll; `force_unlock`: null, "any", "biometric" or "pin"); `push approve`
//! exits 0 only when the server accepted the answer; `push approve ID --json` prints `{id,
//! accepted, display_code}` (`display_code`: the code to type at the login prompt, or null).
//! The device keys are Tessera's software keys, sealed in the vault. Times are the system
//! clock corrected by the server time (`tessera time`), which every push response refreshes.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use serde_json::json;
use tessera_core::clock::SystemClock;
use tessera_core::net::{TransportPolicy, check_url};
use tessera_core::push::{
    Answer, DenyReason, KeygenProgress, KeygenStep, PendingRequest, Push, PushEnrollment,
    PushError, SoftwareKeys, UreqTransport, Verdict,
};
use tessera_core::vault::Vault;

use crate::CliError;
use crate::otp_cmd::read_uri;
use crate::sensitive::Sensitive;
use crate::session::{GlobalArgs, open_vault, vault_now};
use crate::term::{self, Safe, safe};

/// `tessera push …`
#[derive(Subcommand, Debug)]
pub enum PushCommand {
    /// Push approvals from a privacyIDEA server.
    Push {
        #[command(subcommand)]
        action: PushAction,
    },
}

/// What to do with push.
#[derive(Subcommand, Debug)]
pub enum PushAction {
    /// Enroll a push token from its QR code URI (otpauth://pipush/… or pia://pipush/…), or
    /// from an image of the QR code (--image) as a phone's camera would read it.
    Enroll {
        /// The enrollment URI, or `-` to read it from stdin (it holds the enrollment
        /// credential: on the command line, other users see it in `ps`).
        #[arg(required_unless_present = "image")]
        uri: Option<Sensitive>,
        /// A PNG or JPEG image holding the enrollment QR code (other QR codes in it, such as a
        /// TOTP code on the same page, are ignored).
        #[arg(long, value_name = "FILE", conflicts_with = "uri")]
        image: Option<std::path::PathBuf>,
        /// Device key size in bits, 2048 or 4096 (privacyIDEA's own app uses 4096).
        #[arg(long, default_value_t = 4096)]
        bits: u32,
        /// Accept a plain http:// server or one whose certificate is not checked (sslverify=0):
        /// the enrollment credential and the server's key could then be read or replaced on the
        /// way. Loopback servers (127.0.0.1, ::1, localhost) need no flag.
        #[arg(long)]
        insecure: bool,
    },
    /// List the enrolled push tokens.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ask every push token's server for new requests and list the pending ones.
    Poll {
        /// Keep polling (every --interval seconds) and print requests as they arrive.
        #[arg(long)]
        watch: bool,
        /// Print JSON (an array; with --watch one request object per line).
        #[arg(long)]
        json: bool,
        /// Seconds between polls with --watch.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=3600))]
        interval: u64,
    },
    /// Approve a pending request (with number matching: --answer the number shown on the login screen).
    Approve {
        /// The request id (or a unique prefix of it).
        id: String,
        /// Number matching: the number shown on the login screen.
        #[arg(long)]
        answer: Option<String>,
        /// Print a JSON object `{id, accepted, display_code}` (`display_code`: the code to
        /// type at the login prompt when the server uses code-to-phone, else null).
        #[arg(long)]
        json: bool,
    },
    /// Deny a pending request.
    Deny {
        /// The request id (or a unique prefix of it).
        id: String,
        /// Why: "not-me" (I did not ask for this) or "cancel".
        #[arg(long, value_enum, default_value_t = Reason::NotMe)]
        reason: Reason,
    },
    /// Remove a push token (and its device key) from this vault.
    Remove {
        /// The token's serial.
        serial: String,
    },
}

/// Why a request is denied.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Reason {
    /// I did not ask for this.
    NotMe,
    /// Cancel.
    Cancel,
}

/// Now in microseconds by the system clock, corrected by the vault's server time.
fn now_micros(vault: &Vault) -> Result<i64, CliError> {
    let device = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    let device_secs = u64::try_from(device / 1_000_000).unwrap_or(0);
    let corrected = vault.corrected_now(device_secs)? as i64;
    Ok(device + (corrected - device_secs as i64) * 1_000_000)
}

// Dots on a terminal while an RSA key is generated (it takes a second or two).
struct Dots(bool);

impl KeygenProgress for Dots {
    fn report(&self, step: KeygenStep) -> bool {
        if self.0 {
            let mut err = std::io::stderr();
            let _ = match step {
                KeygenStep::Started { bits } => write!(err, "generating an RSA-{bits} device key "),
                KeygenStep::Searching { .. } => write!(err, "."),
                KeygenStep::Finishing => writeln!(err, " done"),
            };
        }
        true
    }
}

fn request_json(request: &PendingRequest) -> serde_json::Value {
    let c = &request.challenge;
    json!({
        "id": request.id(),
        "serial": c.serial,
        "issuer": request.issuer,
        "label": request.label,
        "title": c.title,
        "question": c.question,
        "choices": request.choices(),
        "received_at": request.received_at,
        "expires_at": request.expires_at(),
        "is_new": request.is_new,
        "force_unlock": request.force_unlock.map(|f| f.as_str()),
    })
}

fn print_request(request: &PendingRequest, now: u64) {
    let c = &request.challenge;
    let who = format!("{} {} ({})", request.issuer, request.label, c.serial);
    // Title, question, choices and names come from the server: shown, never obeyed.
    println!(
        "{}  {}: {}  [{}]",
        Safe(request.id()),
        Safe(&c.title),
        Safe(&c.question),
        Safe(&who)
    );
    let choices = request.choices();
    if !choices.is_empty() {
        println!(
            "    pick the number shown on the login screen: {}",
            safe(&choices.join(" "))
        );
    }
    let left = request.expires_at().saturating_sub(now);
    println!("    expires in {left} s");
}

/// Runs a push command.
pub fn run(cmd: PushCommand, global: &GlobalArgs) -> Result<(), CliError> {
    let PushCommand::Push { action } = cmd;
    let vault = open_vault(global)?;
    let keys = SoftwareKeys::new(&vault);
    let transport = UreqTransport::new();
    let push = Push::new(&*vault, &keys, &transport).with_device_clock(&SystemClock);
    match action {
        PushAction::Enroll {
            uri,
            image,
            bits,
            insecure,
        } => {
            let uri = match (uri, image) {
                (Some(uri), _) => read_uri(&uri)?,
                (None, Some(path)) => scan_enrollment(&path)?,
                (None, None) => {
                    return Err(CliError::Usage(
                        "give the enrollment URI or --image FILE".into(),
                    ));
                }
            };
            let ticket = PushEnrollment::from_uri(uri.trim()).map_err(push_error)?;
            let policy = if insecure {
                TransportPolicy::AllowInsecure
            } else {
                TransportPolicy::Secure
            };
            // Refused here without --insecure; with it, say what was accepted.
            for weakness in
                // Core's reason, and the CLI's way to accept the risk.
                check_url(&ticket.url, ticket.sslverify, policy)
                    .map_err(|e| CliError::failed(format!("{e} (with --insecure)")))?
            {
                eprintln!("tessera: warning: --insecure: {}", weakness.explain());
            }
            let progress = Dots(std::io::stderr().is_terminal());
            let token = push
                .enroll_with_policy(&ticket, bits, &progress, vault_now(&vault)?, policy)
                .map_err(push_error)?;
            println!(
                "enrolled push token {} ({} {})",
                Safe(&token.serial),
                Safe(&token.issuer),
                Safe(&token.label)
            );
            Ok(())
        }
        PushAction::List { json } => {
            let tokens = push.tokens().map_err(push_error)?;
            if json {
                let list: Vec<_> = tokens
                    .iter()
                    .map(|t| json!({"serial": t.serial, "issuer": t.issuer, "label": t.label, "url": t.url, "sslverify": t.sslverify}))
                    .collect();
                println!("{}", term::json(&serde_json::Value::Array(list), false));
            } else if tokens.is_empty() {
                println!("no push tokens");
            } else {
                for t in &tokens {
                    println!(
                        "{}  {}  {}  {}",
                        Safe(&t.serial),
                        Safe(&t.issuer),
                        Safe(&t.label),
                        Safe(&t.url)
                    );
                }
            }
            Ok(())
        }
        PushAction::Poll {
            watch,
            json,
            interval,
        } => poll(&push, &vault, watch, json, interval),
        PushAction::Approve { id, answer, json } => {
            let answer = match answer {
                Some(choice) => Answer::Choose(choice.trim().to_string()),
                None => Answer::Approve,
            };
            answer_request(&push, &vault, &id, &answer, json)
        }
        PushAction::Deny { id, reason } => {
            let reason = match reason {
                Reason::NotMe => DenyReason::NotMe,
                Reason::Cancel => DenyReason::Cancel,
            };
            answer_request(&push, &vault, &id, &Answer::Deny(reason), false)
        }
        PushAction::Remove { serial } => {
            if push.remove_token(&serial).map_err(push_error)? {
                println!("removed push token {}", Safe(&serial));
                Ok(())
            } else {
                Err(CliError::failed(PushError::UnknownToken(serial)))
            }
        }
    }
}

/// The push enrollment URI of the QR code in the image at `path` (read as a phone scans it).
fn scan_enrollment(path: &std::path::Path) -> Result<zeroize::Zeroizing<String>, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::failed(format!("cannot read {}: {e}", path.display())))?;
    tessera_core::transfer::qr::push_enrollment(&bytes)
        .map_err(|e| CliError::failed(format!("{}: {e}", path.display())))
}

fn push_error(error: PushError) -> CliError {
    CliError::failed(error)
}

/// Polls once, reports rejections and failures on stderr; `Err` when a token could not be
/// polled (the pending list is still printed).
fn poll_once(
    push: &Push,
    vault: &Vault,
) -> Result<(Vec<PendingRequest>, Option<String>), CliError> {
    let report = push.poll(now_micros(vault)?).map_err(push_error)?;
    for (serial, reason) in &report.rejected {
        eprintln!(
            "tessera: ignored a push request for {}: {}",
            Safe(serial),
            safe(&reason.to_string())
        );
    }
    let failure = report
        .failed
        .iter()
        .map(|(serial, error)| format!("polling {serial} failed: {error}"))
        .collect::<Vec<_>>();
    let pending = push.pending(vault_now(vault)?).map_err(push_error)?;
    Ok((pending, (!failure.is_empty()).then(|| failure.join("; "))))
}

fn poll(
    push: &Push,
    vault: &Vault,
    watch: bool,
    json: bool,
    interval: u64,
) -> Result<(), CliError> {
    if !watch {
        let (pending, failure) = poll_once(push, vault)?;
        if json {
            let list: Vec<_> = pending.iter().map(request_json).collect();
            println!("{}", term::json(&serde_json::Value::Array(list), false));
        } else if pending.is_empty() {
            println!("no pending push requests");
        } else {
            let now = vault_now(vault)?;
            for r in &pending {
                print_request(r, now);
            }
        }
        return match failure {
            Some(message) => Err(CliError::failed(message)),
            None => Ok(()),
        };
    }
    let mut shown: Vec<String> = Vec::new();
    loop {
        match poll_once(push, vault) {
            Ok((pending, failure)) => {
                if let Some(message) = failure {
                    eprintln!("tessera: {}", safe(&message));
                }
                let new: Vec<&PendingRequest> = pending
                    .iter()
                    .filter(|r| !shown.iter().any(|s| s == r.id()))
                    .collect();
                let now = vault_now(vault)?;
                for r in new {
                    if json {
                        println!("{}", term::json(&request_json(r), false));
                    } else {
                        print_request(r, now);
                    }
                    shown.push(r.id().to_string());
                }
                let _ = std::io::stdout().flush();
            }
            Err(CliError::Failed(message) | CliError::Usage(message)) => {
                eprintln!("tessera: {}", safe(&message))
            }
        }
        std::thread::sleep(Duration::from_secs(interval));
    }
}

fn answer_request(
    push: &Push,
    vault: &Vault,
    id: &str,
    answer: &Answer,
    json: bool,
) -> Result<(), CliError> {
    // a request the server holds but this vault has not seen yet is polled by core first
    let verdict = push
        .answer(id, answer, vault_now(vault)?)
        .map_err(push_error)?;
    let what = if matches!(answer, Answer::Deny(_)) {
        "denied"
    } else {
        "approved"
    };
    if json && !matches!(verdict, Verdict::NetworkFailure(_)) {
        let (accepted, code) = match &verdict {
            Verdict::Accepted { display_code } => (true, display_code.clone()),
            _ => (false, None),
        };
        println!(
            "{}",
            json!({"id": id, "accepted": accepted, "display_code": code})
        );
    }
    match verdict {
        Verdict::Accepted { .. } if json => Ok(()),
        Verdict::Accepted { display_code } => {
            println!("{what}: the server accepted the answer");
            if let Some(code) = display_code {
                println!("enter this code on the login page: {}", Safe(&code));
            }
            Ok(())
        }
        Verdict::Refused => Err(CliError::failed(match answer {
            Answer::Choose(_) => {
                "the server refused the answer (wrong number?); the request stays open, try again"
            }
            _ => "the server refused the answer (request expired, already answered or withdrawn)",
        })),
        Verdict::NetworkFailure(message) => Err(CliError::failed(format!(
            "network failure: {message}; the request is kept, try again"
        ))),
    }
}
