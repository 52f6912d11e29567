//! Open (or create) a vault unlocked by a device key file, add a sample account once, and
//! print the code list — what an app's codes screen shows: each code grouped for reading under
//! its display name, how long it stays valid, and when the screen must be redrawn.
//!
//!     cargo run -p tessera-core --example vault_codes -- /tmp/example-vault.sqlite
//!
//! The device key is the file beside the vault (`…sqlite.key`), standing in for the Android
//! Keystore or the Secure Enclave, which an app plugs in through `KeyProvider`.

use std::path::PathBuf;

use tessera_core::app::CodesQuery;
use tessera_core::otp::unix_now_millis;
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

    let list = vault.code_list_at(&CodesQuery::default(), unix_now_millis())?;
    for item in &list.items {
        let until = match (item.valid_until, item.remaining_seconds) {
            (Some(until), Some(left)) => format!("valid until {until} ({left} s)"),
            _ => "(counter)".to_owned(),
        };
        match (&item.code, item.display_code()) {
            (Err(e), _) => println!("{} {}: {e}", item.id.as_str(), item.display_name),
            (Ok(_), grouped) => println!(
                "{} {:<12} {:<24} {until}",
                item.id.as_str(),
                grouped.map(|g| g.to_string()).unwrap_or_default(),
                item.display_name
            ),
        }
    }
    if let Some(wait) = list.next_change_in_millis {
        println!("next change in {wait} ms");
    }
    Ok(())
}
