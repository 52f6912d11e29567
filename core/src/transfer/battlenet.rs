//! The Battle.net app's authenticator: its SharedPreferences file in
//! `/data/data/com.blizzard.messenger/shared_prefs/` (`com.blizzard.messenger.AUTHENTICATOR_…`)
//! on a rooted Android phone. Two strings matter: `…AUTHENTICATOR_SERIAL` (e.g.
//! `US-1234-5678-9012`) and `…AUTHENTICATOR_DEVICE_SECRET` (the 20-byte key as 40 hex
//! characters). Both are stored masked: hex of the text's bytes XOR a fixed 56-byte mask the
//! app ships (described publicly by the projects that read these files; it is data, not code).
//! Codes: SHA1, 8 digits, 30 s; the issuer is "Battle.net" and the label the serial.
//!
//! Not checked against a file the app wrote: the fixtures are made from the same public
//! description.

use zeroize::Zeroizing;

use super::prefs_xml;
use super::{EntryError, ImportItem, TransferError, entry_name};
use crate::account::{Account, OtpParams};
use crate::secret::Secret;

/// The preference holding the masked serial.
pub(crate) const SERIAL: &str = "com.blizzard.messenger.AUTHENTICATOR_SERIAL";
/// The preference holding the masked secret.
pub(crate) const SECRET: &str = "com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET";
/// The app's fixed mask.
const MASK: &str = "398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6c80d2fb38068773fa59ba47c17ca6c6479015c1d5b8b8f6b9a";

/// Reads the Battle.net app's preferences: one authenticator.
pub(crate) fn read(
    bytes: &[u8],
    _password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let strings = prefs_xml::strings(bytes)?;
    let find = |name: &str| strings.iter().find(|s| s.name == name);
    let secret = find(SECRET).ok_or_else(|| {
        TransferError::Damaged("the file holds no Battle.net authenticator secret".into())
    })?;
    let serial = match find(SERIAL).map(|s| s.value.trim()) {
        None | Some("") => Ok(String::new()),
        Some(masked) => unmask(masked).and_then(|s| {
            String::from_utf8(s.to_vec())
                .map_err(|_| EntryError::Invalid("the serial is not text".into()))
        }),
    };
    let result = serial.clone().and_then(|serial| {
        let hex = unmask(secret.value.trim())?;
        let key = Zeroizing::new(
            crate::encoding::hex_decode(&hex)
                .ok_or_else(|| EntryError::Invalid("the unmasked secret is not hex".into()))?,
        );
        if key.is_empty() {
            return Err(EntryError::Invalid("the secret is empty".into()));
        }
        let params = OtpParams {
            digits: 8,
            ..OtpParams::default()
        };
        Ok(Account::new(
            "Battle.net",
            serial,
            Secret::from_bytes(key.to_vec()),
            params,
        ))
    });
    Ok(vec![ImportItem {
        name: entry_name("Battle.net", serial.as_deref().unwrap_or("")),
        result,
    }])
}

fn unmask(masked: &str) -> Result<Zeroizing<Vec<u8>>, EntryError> {
    let mask = crate::encoding::hex_decode(MASK.as_bytes())
        .ok_or_else(|| EntryError::Invalid("mask".into()))?;
    let data = Zeroizing::new(
        crate::encoding::hex_decode(masked.as_bytes())
            .ok_or_else(|| EntryError::Invalid("a masked value is not hex".into()))?,
    );
    if data.len() > mask.len() {
        return Err(EntryError::Invalid(format!(
            "a masked value is longer than the app's {}-byte mask",
            mask.len()
        )));
    }
    Ok(Zeroizing::new(
        data.iter().zip(&mask).map(|(d, m)| d ^ m).collect(),
    ))
}
