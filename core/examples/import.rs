//! Read another authenticator's export and print what it holds (never a secret).
//!
//!     cargo run -p tessera-core --example import -- tests/fixtures/transfer/aegis_plain.json
//!     TESSERA_PASSWORD=… cargo run -p tessera-core --example import -- EXPORT
//!
//! The format is detected; every entry is reported as readable or with the reason it is not.
//! An encrypted file takes its password from `$TESSERA_PASSWORD`.

use tessera_core::transfer::{self, TransferError};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: import FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    let password = std::env::var("TESSERA_PASSWORD").ok();
    let format = transfer::detect(&bytes);
    match transfer::read(&bytes, None, password.as_deref()) {
        Ok(items) => {
            let name = format.map_or("unknown", |f| f.as_str());
            println!("{} entries ({name})", items.len());
            for item in items {
                match item.result {
                    Ok(account) => println!("  ok      {} ({:?})", item.name, account.params.kind),
                    Err(reason) => println!("  skipped {}: {reason}", item.name),
                }
            }
        }
        Err(TransferError::PasswordRequired) => {
            eprintln!("this file is encrypted: set TESSERA_PASSWORD");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
