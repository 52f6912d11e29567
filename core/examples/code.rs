//! Compute a one-time code from an otpauth URI.
//!
//!     cargo run -p tessera-core --example code -- 'otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP'
//!     printf '%s' "$URI" | cargo run -p tessera-core --example code -- -
//!
//! Without an argument it uses RFC 6238's test secret. A URI holds a secret: pass `-` and
//! give it on stdin to keep it out of the process list.

use std::io::Read;

use tessera_core::{Generator, otp::unix_now, uri};

/// RFC 6238's SHA-1 test secret ("12345678901234567890"), a demo value, not a real account.
const DEMO: &str =
    "otpauth://totp/Example:demo?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example";

fn main() {
    let arg = std::env::args().nth(1);
    let text = match arg.as_deref() {
        Some("-") => {
            let mut s = String::new();
            if std::io::stdin().read_to_string(&mut s).is_err() {
                eprintln!("could not read the URI from stdin");
                std::process::exit(1);
            }
            s
        }
        Some(uri) => uri.to_string(),
        None => DEMO.to_string(),
    };
    // Errors say what is wrong with the URI without repeating it (it carries the secret).
    let account = match uri::parse_otp(text.trim()) {
        Ok(account) => account,
        Err(e) => {
            eprintln!("not a usable otpauth URI: {e}");
            std::process::exit(1);
        }
    };
    let generator = match Generator::for_account(&account) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("cannot make codes for this account: {e}");
            std::process::exit(1);
        }
    };
    let now = unix_now();
    println!(
        "{} {}  ({}s left)",
        generator.code_at(now).text().as_str(),
        account.label,
        generator.remaining_at(now)
    );
}
