//! What an export is called when a document picker saves it: the suggested file name (with
//! the date), its extension and its MIME type, one rule for every shell.
//!
//! Decisions:
//! - `tessera-<format>-<YYYY-MM-DD>.<ext>`, the date in the user's time zone (the shell
//!   passes its UTC offset), so two exports of one day sort together and a backup folder
//!   reads as a history.
//! - A format that may or may not be encrypted (Aegis, 2FAS, Ente, Proton) says `-plain` in
//!   the name when it is not, so a file holding readable secrets is recognizable in a file list. Formats that are
//!   never encrypted are plain by their very name (`otpauth`, `google-transfer`,
//!   `bitwarden`).
//! - Tessera's backups use [`BACKUP_EXTENSION`], like automatic backups.
//! - The match in [`ExportFormat::file_type`] has no wildcard arm: a new export format does
//!   not build until it names its file.

use super::TransferError;
use super::export::{Encryption, ExportFormat};
use crate::vault::BACKUP_EXTENSION;

/// The largest UTC offset a time zone has (ISO 8601 and `java.time.ZoneOffset` allow ±18 h).
pub const MAX_UTC_OFFSET_SECS: i32 = 18 * 3600;

/// What a document picker needs to save an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// The suggested file name, extension included (`tessera-aegis-2026-12-01.json`).
    pub file_name: String,
    /// The extension, without the dot (`json`).
    pub extension: &'static str,
    /// The MIME type (`application/json`).
    pub mime_type: &'static str,
}

impl ExportFormat {
    /// The word naming this format in file names, its extension (without the dot) and its
    /// MIME type, for a file that is `encrypted` or not (Ente writes text when plain, JSON
    /// when encrypted).
    pub fn file_type(self, encrypted: bool) -> (&'static str, &'static str, &'static str) {
        match self {
            ExportFormat::Aegis => ("aegis", "json", "application/json"),
            // JSON inside, but 2FAS looks for its own extension; a JSON MIME type would make
            // some document providers append `.json`.
            ExportFormat::TwoFas => ("2fas", "2fas", "application/octet-stream"),
            ExportFormat::Ente if encrypted => ("ente", "json", "application/json"),
            ExportFormat::Ente => ("ente", "txt", "text/plain"),
            ExportFormat::Proton => ("proton", "json", "application/json"),
            ExportFormat::Bitwarden => ("bitwarden", "json", "application/json"),
            ExportFormat::OtpauthList => ("otpauth", "txt", "text/plain"),
            ExportFormat::GoogleMigration => ("google-transfer", "txt", "text/plain"),
            // Binary (magic `TSRBACKP`), read only by Tessera.
            ExportFormat::TesseraBackup => ("backup", BACKUP_EXTENSION, "application/octet-stream"),
        }
    }
}

/// The file an export in `format` is saved as, made at `unix_time` (seconds) in a time zone
/// `utc_offset_secs` east of UTC; `encrypted` says whether a password protects it.
/// [`TransferError::Export`] when the offset is beyond ±18 hours or `encrypted` is impossible
/// for the format (a plain backup, an encrypted otpauth list).
pub fn export_file(
    format: ExportFormat,
    encrypted: bool,
    unix_time: u64,
    utc_offset_secs: i32,
) -> Result<ExportFile, TransferError> {
    if !(-MAX_UTC_OFFSET_SECS..=MAX_UTC_OFFSET_SECS).contains(&utc_offset_secs) {
        return Err(TransferError::Export(
            "the time zone offset is beyond ±18 hours".into(),
        ));
    }
    let plain_marker = match (format.encryption(), encrypted) {
        (Encryption::Never, true) => {
            return Err(TransferError::Export(format!(
                "the {} format cannot be encrypted",
                format.as_str()
            )));
        }
        (Encryption::Always, false) => {
            return Err(TransferError::Export(format!(
                "the {} format is always encrypted",
                format.as_str()
            )));
        }
        (Encryption::Optional, false) => "-plain",
        _ => "",
    };
    let local = i64::try_from(unix_time)
        .unwrap_or(i64::MAX)
        .saturating_add(i64::from(utc_offset_secs));
    let (year, month, day) = civil_date(local.div_euclid(86_400));
    let (word, extension, mime_type) = format.file_type(encrypted);
    Ok(ExportFile {
        file_name: format!(
            "tessera-{word}{plain_marker}-{year:04}-{month:02}-{day:02}.{extension}"
        ),
        extension,
        mime_type,
    })
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (day 0): Howard Hinnant's
/// `civil_from_days`, which shifts the year to start in March so the leap day comes last, and
/// counts in 400-year eras of 146 097 days.
fn civil_date(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468; // days from 0000-03-01
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // month is 1..=12 and day 1..=31 by construction
    (year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Instants whose dates are known independently (calendar facts, not this code's output).
    #[test]
    fn dates_follow_the_calendar() {
        let cases: [(u64, i32, (i64, u32, u32)); 8] = [
            (0, 0, (1970, 1, 1)),
            (86_399, 0, (1970, 1, 1)),
            (0, -1, (1969, 12, 31)),
            (951_782_400, 0, (2000, 2, 29)), // 2000 is a leap year (divisible by 400)
            (1_700_000_000, 0, (2023, 11, 14)), // 22:13:20 UTC
            (1_700_000_000, 2 * 3600, (2023, 11, 15)), // 00:13:20 at UTC+2
            (4_102_444_800, 0, (2100, 1, 1)),
            (4_102_444_800 + 59 * 86_400, 0, (2100, 3, 1)), // 2100 is not a leap year
        ];
        for (time, offset, want) in cases {
            let local = time as i64 + i64::from(offset);
            assert_eq!(
                civil_date(local.div_euclid(86_400)),
                want,
                "{time} {offset}"
            );
        }
    }

    #[test]
    fn names_carry_format_date_and_plain_marker() {
        use ExportFormat as F;
        let at = 1_700_000_000; // 2023-11-14 22:13:20 UTC
        let cases: [(F, bool, i32, &str, &str); 12] = [
            (
                F::Aegis,
                true,
                0,
                "tessera-aegis-2023-11-14.json",
                "application/json",
            ),
            (
                F::Aegis,
                false,
                0,
                "tessera-aegis-plain-2023-11-14.json",
                "application/json",
            ),
            (
                F::TwoFas,
                true,
                0,
                "tessera-2fas-2023-11-14.2fas",
                "application/octet-stream",
            ),
            (
                F::Ente,
                true,
                0,
                "tessera-ente-2023-11-14.json",
                "application/json",
            ),
            (
                F::Ente,
                false,
                0,
                "tessera-ente-plain-2023-11-14.txt",
                "text/plain",
            ),
            (
                F::Proton,
                false,
                0,
                "tessera-proton-plain-2023-11-14.json",
                "application/json",
            ),
            (
                F::Bitwarden,
                false,
                0,
                "tessera-bitwarden-2023-11-14.json",
                "application/json",
            ),
            (
                F::OtpauthList,
                false,
                0,
                "tessera-otpauth-2023-11-14.txt",
                "text/plain",
            ),
            (
                F::GoogleMigration,
                false,
                3600,
                "tessera-google-transfer-2023-11-14.txt",
                "text/plain",
            ),
            (
                F::TesseraBackup,
                true,
                7200,
                "tessera-backup-2023-11-15.tsrbackup",
                "application/octet-stream",
            ),
            (
                F::TesseraBackup,
                true,
                -MAX_UTC_OFFSET_SECS,
                "tessera-backup-2023-11-14.tsrbackup",
                "application/octet-stream",
            ),
            (
                F::Proton,
                true,
                -MAX_UTC_OFFSET_SECS,
                "tessera-proton-2023-11-14.json",
                "application/json",
            ),
        ];
        for (format, encrypted, offset, name, mime) in cases {
            let file = export_file(format, encrypted, at, offset).unwrap();
            assert_eq!(file.file_name, name, "{format:?}");
            assert_eq!(file.mime_type, mime, "{format:?}");
            assert!(
                name.ends_with(&format!(".{}", file.extension)),
                "{format:?}"
            );
        }
    }

    #[test]
    fn impossible_choices_are_refused() {
        use ExportFormat as F;
        for (format, encrypted, offset) in [
            (F::OtpauthList, true, 0),
            (F::Bitwarden, true, 0),
            (F::TesseraBackup, false, 0),
            (F::Aegis, true, MAX_UTC_OFFSET_SECS + 1),
            (F::Aegis, true, i32::MIN),
        ] {
            assert!(
                matches!(
                    export_file(format, encrypted, 0, offset),
                    Err(TransferError::Export(_))
                ),
                "{format:?} {encrypted} {offset}"
            );
        }
        // the far future saturates instead of overflowing
        assert!(export_file(F::Aegis, true, u64::MAX, MAX_UTC_OFFSET_SECS).is_ok());
    }
}
