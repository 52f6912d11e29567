//! [`Sensitive`]: a command-line value that holds a secret (a URI with its key or enrollment
//! credential, a base32 secret, a note).
//!
//! The argument structs derive `Debug` (clap's derive wants it for the command tree); a plain
//! `String` field would print the secret in any `{:?}` of a command, in a panic message or a
//! debugging session's log. `Sensitive` prints `<redacted>` instead and wipes its copy on drop.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use zeroize::Zeroizing;

/// A command-line value that must not be printed. Derefs to the text it holds.
#[derive(Clone)]
pub struct Sensitive(Zeroizing<String>);

impl FromStr for Sensitive {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Sensitive(Zeroizing::new(text.to_owned())))
    }
}

impl Deref for Sensitive {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value_deref_gives_it() {
        let uri: Sensitive = "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP".parse().unwrap();
        assert_eq!(format!("{uri:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(uri.clone())), "Some(<redacted>)");
        assert!(uri.contains("JBSWY3DPEHPK3PXP"));
    }
}
