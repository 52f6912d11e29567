//! Answer a push login request from a privacyIDEA server, as the phone: enroll a push token
//! from its enrollment URI once, then poll the server and answer what is pending.
//!
//!     cargo run -p tessera-core --example push_answer -- VAULT enroll < enrollment-uri.txt
//!     cargo run -p tessera-core --example push_answer -- VAULT approve [NUMBER]
//!
//! `enroll` reads the `otpauth://pipush/…` URI from stdin (it holds the enrollment credential,
//! so it stays out of the process list). `approve` polls once and approves every pending
//! request; a number-matching request needs the NUMBER shown on the login screen. The device
//! key file beside the vault (`…sqlite.key`) stands in for the platform keystore, and the
//! push device key is generated in software (a phone app passes its keystore through
//! `DeviceKeys` and its HTTP stack through `Transport`). Needs the default `desktop` features.

use std::io::Read;
use std::path::PathBuf;

use tessera_core::otp::unix_now_millis;
use tessera_core::push::{
    Answer, NoProgress, Push, PushEnrollment, SoftwareKeys, UreqTransport, Verdict,
};
use tessera_core::vault::{KeyFile, Vault};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(action)) = (args.next(), args.next()) else {
        return Err("usage: push_answer VAULT enroll|approve [NUMBER]".into());
    };
    let path = PathBuf::from(path);
    let mut key_path = path.clone().into_os_string();
    key_path.push(".key");
    let key = KeyFile::open_or_create(&PathBuf::from(key_path))?;
    let vault = if path.exists() {
        Vault::open_with_device(&path, &key)?
    } else {
        Vault::create(&path, &key)?
    };

    let keys = SoftwareKeys::new(&vault);
    let transport = UreqTransport::new();
    let push = Push::new(&vault, &keys, &transport);
    // The vault's clock: the device's, corrected by a stored server-time offset if any.
    let now_ms = vault.corrected_millis(unix_now_millis())?;
    let now = now_ms / 1000;

    match action.as_str() {
        "enroll" => {
            let mut uri = String::new();
            std::io::stdin().read_to_string(&mut uri)?;
            let ticket = PushEnrollment::from_uri(uri.trim())?;
            let token = push.enroll(&ticket, 2048, &NoProgress, now)?;
            println!(
                "enrolled {} ({} {})",
                token.serial, token.issuer, token.label
            );
        }
        "approve" => {
            let number = args.next();
            let report = push.poll(i64::try_from(now_ms)? * 1000)?;
            println!("{} request(s) pending on the server", report.received.len());
            for request in push.pending(now)? {
                let answer = match (&number, request.choices().is_empty()) {
                    (_, true) => Answer::Approve,
                    (Some(n), false) => Answer::Choose(n.clone()),
                    (None, false) => {
                        println!("{}: number matching, give the NUMBER", request.id());
                        continue;
                    }
                };
                match push.answer(request.id(), &answer, now)? {
                    Verdict::Accepted { display_code } => match display_code {
                        Some(code) => println!("{}: accepted, type {code}", request.id()),
                        None => println!("{}: accepted", request.id()),
                    },
                    Verdict::Refused => println!("{}: refused by the server", request.id()),
                    Verdict::NetworkFailure(why) => println!("{}: not sent: {why}", request.id()),
                }
            }
        }
        _ => return Err("usage: push_answer VAULT enroll|approve [NUMBER]".into()),
    }
    Ok(())
}
