//! Open (or create) a vault unlocked by a device key file, add a sample account once, and
//! list every account's code — what an app's codes screen starts from.
//!
//!     cargo run -p tessera-core --example vault_codes -- /tmp/example-vault.sqlite
//!
//! The device key is the file beside the vault (`…sqlite.key`), standing in for the Android
//! Keystore or the Secure Enclave, which an app plugs in through `KeyProvider`.

use std::path::PathBuf;

use tessera_core::otp::unix_now;
use tessera_core::uri;
use tessera_core::vault::{KeyFile, Vault};

/// RFC 6238's SHA-1 test secret: a demo value, not a real account.
const SAMPLE: &str =
    "otpauth://totp/Example:demo?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "example-vault.sqlite".into()),
    );
    let mut key_path = path.clone().into_os_string();
    key_path.push(".key");
    let key = KeyFile::open_or_create(&PathBuf::from(key_path))?;

    let vault = if path.exists() {
        Vault::open_with_device(&path, &key)?
    } else {
        Vault::create(&path, &key)?
    };
    // A duplicate is refused by the vault, so running the example twice adds one account.
    let sample = uri::parse_otp(SAMPLE)?;
    if let Err(e) = vault.add(&sample) {
        println!("(sample not added: {e})");
    }

    for entry in vault.codes_at(unix_now())? {
        match &entry.code {
            Ok(code) => println!(
                "{} {:<10} {:<20} {}",
                entry.id.as_str(),
                code.as_str(),
                entry.issuer,
                entry.label
            ),
            Err(e) => println!("{}: {e}", entry.id.as_str()),
        }
    }
    Ok(())
}
