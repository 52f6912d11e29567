//! Plain text, one otpauth URI per line (what Aegis, Ente and others export as "plain text").
//! Blank lines and `#` comments are skipped; every other line is one entry, and a line that is
//! not a usable otpauth URI is a failed entry named by its line number (never by its text, which
//! may hold a secret). Google transfer URIs in the same file are read as well.

use super::google::{self, Batches};
use super::{EntryError, ImportItem, TransferError, entry_name};
use crate::uri::{self, UriError};

/// Reads an otpauth list (plain text; never encrypted).
pub(crate) fn read(
    bytes: &[u8],
    _password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| TransferError::Damaged("the file is not UTF-8 text".into()))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut items = Vec::new();
    let mut batches = Batches::default();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let number = index + 1;
        if line
            .get(..18)
            .is_some_and(|p| p.eq_ignore_ascii_case("otpauth-migration:"))
        {
            match google::decode_uri(line) {
                Ok(payload) => items.extend(batches.add(payload)),
                Err(reason) => items.push(ImportItem {
                    name: format!("line {number}"),
                    result: Err(EntryError::Invalid(reason)),
                }),
            }
            continue;
        }
        items.push(match uri::parse_otp(line) {
            Ok(account) => ImportItem {
                name: entry_name(&account.issuer, &account.label),
                result: Ok(account),
            },
            Err(e) => ImportItem {
                name: format!("line {number}"),
                result: Err(uri_error(e)),
            },
        });
    }
    items.extend(batches.missing());
    Ok(items)
}

/// A URI's failure as an entry failure: kinds Tessera does not have are "unsupported".
pub(crate) fn uri_error(error: UriError) -> EntryError {
    match error {
        UriError::UnknownType | UriError::UnsupportedAlgorithm | UriError::NotAnOtpAccount => {
            EntryError::Unsupported(error.to_string())
        }
        _ => EntryError::Invalid(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_line_is_a_failed_entry_named_by_its_number() {
        let text = "# exported\n\notpauth://totp/Site:me?secret=JBSWY3DPEHPK3PXP&issuer=Site\n\
                    not a uri with SECRETSECRET\notpauth://totp/x?secret=QWERT!\n";
        let items = read(text.as_bytes(), None).unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].name, "Site (me)");
        assert_eq!(items[1].name, "line 4");
        assert!(items[1].result.is_err() && items[2].result.is_err());
        assert!(!format!("{:?}", items[1].result).contains("SECRETSECRET"));
    }

    #[test]
    fn an_empty_file_has_no_entries() {
        assert!(read(b"", None).unwrap().is_empty());
    }
}
