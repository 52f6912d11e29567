//! Stateless commands: `tessera code` and `tessera uri inspect`.
//!
//! Both are a contract scripts rely on: the code is the first word of stdout, `--json` shapes
//! are stable, and errors are one line on stderr that never repeats the URI (it holds the
//! secret). A URI given as `-` is read from stdin, which keeps it out of the process list.

use std::io::Read;

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use tessera_core::account::{Account, OtpKind};
use tessera_core::otp::{self, Generator};
use tessera_core::uri::{self, ParsedUri, PushEnrollment};
use zeroize::Zeroizing;

use crate::CliError;
use crate::sensitive::Sensitive;
use crate::term::{self, safe};

/// Commands that need no vault.
#[derive(Subcommand, Debug)]
pub enum OtpCommand {
    /// Print the code of an otpauth URI: TOTP/Steam at `--at` (default now), HOTP at the URI's
    /// counter. The code is the first word of the output.
    Code {
        /// The otpauth URI, or `-` to read it from stdin (keeps the secret out of `ps`).
        #[arg(long, value_name = "URI")]
        uri: Sensitive,
        /// Unix time in seconds to compute the code for (default: now).
        #[arg(long, value_name = "UNIX_SECONDS")]
        at: Option<u64>,
        /// Print a JSON object: code, remaining_seconds, period, digits, kind, algorithm, counter.
        #[arg(long)]
        json: bool,
    },
    /// Work with otpauth and privacyIDEA push enrollment URIs.
    #[command(subcommand)]
    Uri(UriCommand),
}

/// `tessera uri …`
#[derive(Subcommand, Debug)]
pub enum UriCommand {
    /// Print the fields of a URI; secrets only with --show-secret.
    Inspect(InspectArgs),
}

/// Arguments of `tessera uri inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The URI, or `-` to read it from stdin.
    #[arg(value_name = "URI")]
    uri: Sensitive,
    /// Print a JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Also print the secret (OTP) or the enrollment credential (push), the canonical URI and
    /// the values of the other parameters (a `pin` is one).
    #[arg(long)]
    show_secret: bool,
}

/// Runs a stateless command.
pub fn run(cmd: OtpCommand) -> Result<(), CliError> {
    match cmd {
        OtpCommand::Code { uri, at, json } => code(&uri, at, json),
        OtpCommand::Uri(UriCommand::Inspect(args)) => inspect(&args),
    }
}

/// The longest URI read from stdin; anything longer is not an enrollment URI.
const MAX_STDIN: u64 = 64 * 1024;

/// The URI text: the argument itself, or stdin when the argument is `-`.
pub(crate) fn read_uri(arg: &str) -> Result<Zeroizing<String>, CliError> {
    if arg != "-" {
        return Ok(Zeroizing::new(arg.to_owned()));
    }
    let mut bytes = Zeroizing::new(Vec::new());
    std::io::stdin()
        .take(MAX_STDIN + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::failed(format_args!("cannot read the URI from stdin: {e}")))?;
    if bytes.len() as u64 > MAX_STDIN {
        return Err(CliError::failed("the URI on stdin is longer than 64 KiB"));
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(CliError::failed("the URI on stdin is not UTF-8 text")),
    }
}

fn parse(arg: &str) -> Result<ParsedUri, CliError> {
    let text = read_uri(arg)?;
    uri::parse(&text).map_err(|e| CliError::failed(format_args!("invalid URI: {e}")))
}

fn code(arg: &str, at: Option<u64>, as_json: bool) -> Result<(), CliError> {
    let account = match parse(arg)? {
        ParsedUri::Otp(account) => account,
        ParsedUri::Push(_) => {
            return Err(CliError::failed(
                "invalid URI: this is a privacyIDEA push enrollment, not an OTP account",
            ));
        }
    };
    let generator = Generator::for_account(&account)?;
    let now = at.unwrap_or_else(otp::unix_now);
    let code = generator.code_at(now);
    let params = account.params;
    if as_json {
        let time_based = params.kind.is_time_based();
        let object = json!({
            "code": code.text().as_str(),
            "kind": params.kind.as_str(),
            "algorithm": params.algorithm.as_str(),
            "digits": params.digits,
            "period": time_based.then_some(params.period),
            "remaining_seconds": time_based.then(|| generator.remaining_at(now)),
            "counter": generator.counter_at(now),
            "at": now,
        });
        println!("{}", term::json(&object, false));
    } else {
        println!("{code}");
    }
    Ok(())
}

fn inspect(args: &InspectArgs) -> Result<(), CliError> {
    let parsed = parse(&args.uri)?;
    let object = match &parsed {
        ParsedUri::Otp(account) => otp_fields(account, args.show_secret),
        ParsedUri::Push(push) => push_fields(push, args.show_secret),
    };
    if args.json {
        println!("{}", term::json(&object, false));
        return Ok(());
    }
    // Text: one `name: value` line per field, in a fixed order; nulls are left out.
    let order: &[&str] = match parsed {
        ParsedUri::Otp(_) => &[
            "type",
            "issuer",
            "label",
            "algorithm",
            "digits",
            "period",
            "counter",
            "icon",
            "secret",
            "uri",
        ],
        ParsedUri::Push(_) => &[
            "type",
            "scheme",
            "issuer",
            "label",
            "serial",
            "url",
            "ttl_minutes",
            "sslverify",
            "poll_only",
            "pin",
            "app_force_unlock",
            "image",
            "version",
            "enrollment_credential",
        ],
    };
    for name in order {
        match &object[name] {
            Value::Null => {}
            Value::String(s) => println!("{name}: {}", safe(s)),
            other => println!("{name}: {other}"),
        }
    }
    if let Some(Value::Array(extra)) = object.get("extra") {
        for pair in extra {
            let key = pair[0].as_str().unwrap_or_default();
            match pair[1].as_str() {
                Some(value) => println!("extra: {}={}", safe(key), safe(value)),
                None => println!("extra: {}=(hidden)", safe(key)),
            }
        }
    }
    if !args.show_secret {
        let what = match parsed {
            ParsedUri::Otp(_) => "secret",
            ParsedUri::Push(_) => "enrollment credential",
        };
        println!("({what} and parameter values hidden; --show-secret prints them)");
    }
    Ok(())
}

/// `[name, value]` pairs; the value is `null` unless `show_secret`: parameters Tessera does not
/// interpret may be secrets (`pin=4321`), so they are treated as such.
fn extra_json(extra: &[(String, String)], show_secret: bool) -> Value {
    Value::Array(
        extra
            .iter()
            .map(|(k, v)| json!([k, show_secret.then_some(v)]))
            .collect(),
    )
}

fn otp_fields(account: &Account, show_secret: bool) -> Value {
    let params = account.params;
    let time_based = params.kind.is_time_based();
    json!({
        "type": params.kind.as_str(),
        "issuer": account.issuer,
        "label": account.label,
        "algorithm": params.algorithm.as_str(),
        "digits": params.digits,
        "period": time_based.then_some(params.period),
        "counter": (params.kind == OtpKind::Hotp).then_some(params.counter),
        "icon": account.meta.icon,
        "extra": extra_json(&account.extra, show_secret),
        "secret": show_secret.then(|| account.secret.to_base32().as_str().to_owned()),
        "uri": show_secret.then(|| uri::format(account).as_str().to_owned()),
    })
}

fn push_fields(push: &PushEnrollment, show_secret: bool) -> Value {
    json!({
        "type": "pipush",
        "scheme": if push.pia_scheme { "pia" } else { "otpauth" },
        "issuer": push.issuer,
        "label": push.label,
        "serial": push.serial,
        "url": push.url,
        "ttl_minutes": push.ttl_minutes,
        "sslverify": push.sslverify,
        "poll_only": push.poll_only,
        "pin": push.pin,
        "app_force_unlock": push.app_force_unlock,
        "image": push.image,
        "version": push.version,
        "extra": extra_json(&push.extra, show_secret),
        "enrollment_credential": show_secret.then(|| push.enrollment_credential.as_str().to_owned()),
    })
}
