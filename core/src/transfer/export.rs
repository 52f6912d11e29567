//! Writing accounts in formats other authenticators read: Aegis JSON, 2FAS `.2fas`, Ente Auth
//! and Proton Authenticator exports (each plain or encrypted), Bitwarden JSON, a plain otpauth
//! list, and Google Authenticator transfer URIs (also as QR codes).
//!
//! An account a format cannot hold is never dropped without a word: it is listed in
//! [`Exported::skipped`] with the reason (so are a vault's push tokens, which no file carries:
//! they are bound to the device's key).

use zeroize::Zeroizing;

use super::{TransferError, aegis, bitwarden, ente, entry_name, google, proton, twofas};
use crate::account::Account;
use crate::secret_buf::SecretBuf;
use crate::uri;

/// The most accounts one Google Authenticator transfer QR code carries: small enough to scan.
pub const GOOGLE_BATCH_SIZE: usize = 10;

/// The formats Tessera writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// Aegis vault JSON; encrypted when a password is given (scrypt N=2^15, r=8, p=1 slot).
    Aegis,
    /// 2FAS backup (`.2fas`, schema 4, as 2FAS for Android and iOS read it); encrypted when a
    /// password is given (PBKDF2-SHA256 and AES-GCM, as 2FAS writes it).
    TwoFas,
    /// Ente Auth export: the encrypted JSON (Argon2id and XChaCha20-Poly1305 secretstream) when
    /// a password is given, otherwise Ente's plain text export.
    Ente,
    /// Proton Authenticator export; encrypted when a password is given (Argon2id and AES-GCM).
    /// Proton has no HOTP: such accounts are listed as skipped.
    Proton,
    /// Bitwarden's unencrypted JSON export, one login item per account with its `totp` field.
    /// Never encrypted (see the README: why no password-protected Bitwarden file is written).
    Bitwarden,
    /// Plain text, one otpauth URI per line. Never encrypted.
    OtpauthList,
    /// Google Authenticator transfer URIs, one per line, at most [`GOOGLE_BATCH_SIZE`]
    /// accounts each. Never encrypted.
    GoogleMigration,
    /// Tessera's own backup (see the vault module): always encrypted, written from a vault
    /// with [`export_vault`].
    TesseraBackup,
}

/// Whether a format can, must or cannot be protected by a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encryption {
    /// Never encrypted: every secret is readable by whoever gets the file.
    Never,
    /// Encrypted when a password is given; plain otherwise.
    Optional,
    /// Always encrypted: a password is required.
    Always,
}

impl ExportFormat {
    /// Every export format.
    pub const ALL: [ExportFormat; 8] = [
        ExportFormat::Aegis,
        ExportFormat::TwoFas,
        ExportFormat::Ente,
        ExportFormat::Proton,
        ExportFormat::Bitwarden,
        ExportFormat::OtpauthList,
        ExportFormat::GoogleMigration,
        ExportFormat::TesseraBackup,
    ];

    /// The short name used on the command line (`aegis`, `2fas`, `ente`, `proton`,
    /// `bitwarden`, `otpauth`, `google`, `tessera`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Aegis => "aegis",
            ExportFormat::TwoFas => "2fas",
            ExportFormat::Ente => "ente",
            ExportFormat::Proton => "proton",
            ExportFormat::Bitwarden => "bitwarden",
            ExportFormat::OtpauthList => "otpauth",
            ExportFormat::GoogleMigration => "google",
            ExportFormat::TesseraBackup => "tessera",
        }
    }

    /// The name an export screen shows for the format (the app's own name, as its users know
    /// it): "Aegis", "2FAS", "Ente Auth", "Proton Authenticator", "Bitwarden", "otpauth links",
    /// "Google Authenticator", "Tessera backup".
    pub fn title(self) -> &'static str {
        match self {
            ExportFormat::Aegis => "Aegis",
            ExportFormat::TwoFas => "2FAS",
            ExportFormat::Ente => "Ente Auth",
            ExportFormat::Proton => "Proton Authenticator",
            ExportFormat::Bitwarden => "Bitwarden",
            ExportFormat::OtpauthList => "otpauth links",
            ExportFormat::GoogleMigration => "Google Authenticator",
            ExportFormat::TesseraBackup => "Tessera backup",
        }
    }

    /// Reads a name given by [`ExportFormat::as_str`] (case-insensitive); `bitwarden-json`,
    /// the name `tessera import --from` uses for the same file, is accepted too.
    pub fn parse(name: &str) -> Option<ExportFormat> {
        let name = name.to_ascii_lowercase();
        if name == "bitwarden-json" {
            return Some(ExportFormat::Bitwarden);
        }
        ExportFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// Whether the format can, must or cannot be encrypted.
    pub fn encryption(self) -> Encryption {
        match self {
            ExportFormat::Aegis
            | ExportFormat::TwoFas
            | ExportFormat::Ente
            | ExportFormat::Proton => Encryption::Optional,
            ExportFormat::OtpauthList | ExportFormat::GoogleMigration | ExportFormat::Bitwarden => {
                Encryption::Never
            }
            ExportFormat::TesseraBackup => Encryption::Always,
        }
    }

    /// True when the format can be encrypted with a password.
    pub fn can_encrypt(self) -> bool {
        self.encryption() != Encryption::Never
    }

    /// The rule every shell follows before it asks for a password or writes anything:
    /// whether exporting in this format needs a password, given whether the user explicitly
    /// chose unencrypted output. A format that cannot be encrypted is refused without that
    /// choice ([`TransferError::UnencryptedNotChosen`]), one that is always encrypted with it.
    pub fn needs_password(self, unencrypted: bool) -> Result<bool, TransferError> {
        match (self.encryption(), unencrypted) {
            (Encryption::Never, false) => Err(TransferError::UnencryptedNotChosen(format!(
                "the {} format cannot be encrypted: anyone who reads the file can copy every \
                 secret, so it is written only when unencrypted output is chosen explicitly",
                self.as_str()
            ))),
            (Encryption::Always, true) => Err(TransferError::Export(format!(
                "the {} format is always encrypted: a password is needed",
                self.as_str()
            ))),
            (_, unencrypted) => Ok(!unencrypted),
        }
    }
}

/// An account left out of an export, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The account as reports name it (issuer and label).
    pub name: String,
    /// Why the format cannot hold it.
    pub reason: String,
}

/// The result of an export: the file's bytes (they hold secrets: wiped on drop) and the
/// accounts the format could not hold. `Debug` shows sizes, not the bytes or the URIs.
pub struct Exported {
    /// The file's content.
    pub data: Zeroizing<Vec<u8>>,
    /// One line per transfer URI for [`ExportFormat::GoogleMigration`] (to render as QR codes).
    pub uris: Vec<Zeroizing<String>>,
    /// Accounts not in `data`, with the reason.
    pub skipped: Vec<Skipped>,
}

impl std::fmt::Debug for Exported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exported")
            .field(
                "data",
                &format_args!("<{} bytes redacted>", self.data.len()),
            )
            .field("uris", &format_args!("<{} URIs redacted>", self.uris.len()))
            .field("skipped", &self.skipped)
            .finish()
    }
}

/// One URI per line, in a buffer that leaves no copy of them behind as it grows.
fn lines<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) -> Zeroizing<Vec<u8>> {
    let mut data = SecretBuf::new();
    for line in lines {
        data.extend_from_slice(line.as_ref().as_bytes());
        data.extend_from_slice(b"\n");
    }
    data.into_bytes()
}

/// Writes `accounts` in `format`; `password` encrypts formats that support it and is refused
/// by those that do not (so that nobody believes a plain file is protected). A shell exports
/// with [`export_vault`], which applies [`ExportFormat::needs_password`]; this is the building block
/// for tests and tools that hold accounts outside a vault.
pub fn export(
    accounts: &[Account],
    format: ExportFormat,
    password: Option<&str>,
) -> Result<Exported, TransferError> {
    if password.is_some() && !format.can_encrypt() {
        return Err(TransferError::Export(format!(
            "the {} format cannot be encrypted",
            format.as_str()
        )));
    }
    // An empty password would protect nothing while the file looks protected.
    if password.is_some_and(str::is_empty) {
        return Err(TransferError::Export("the password is empty".into()));
    }
    let plain = |data: Zeroizing<Vec<u8>>, skipped: Vec<Skipped>| Exported {
        data,
        uris: Vec::new(),
        skipped,
    };
    match format {
        ExportFormat::TesseraBackup => Err(TransferError::Export(
            "a Tessera backup is written from a vault (export_vault)".into(),
        )),
        ExportFormat::Aegis => Ok(plain(aegis::write(accounts, password)?, Vec::new())),
        ExportFormat::TwoFas => {
            let (data, skipped) = twofas::write(accounts, password)?;
            Ok(plain(data, skipped))
        }
        ExportFormat::Ente => {
            // Ente holds TOTP, HOTP and Steam with any parameters Tessera has: nothing is left out.
            let text = ente::write(accounts, password)?;
            Ok(plain(into_bytes(text), Vec::new()))
        }
        ExportFormat::Proton => {
            let out = proton::write(accounts, password)?;
            let skipped = out
                .skipped
                .into_iter()
                .map(|(name, why)| Skipped {
                    name,
                    reason: why.to_string(),
                })
                .collect();
            Ok(plain(into_bytes(out.json), skipped))
        }
        ExportFormat::Bitwarden => {
            let (data, skipped) = bitwarden::write_json(accounts)?;
            Ok(plain(data, skipped))
        }
        ExportFormat::OtpauthList => Ok(Exported {
            data: lines(accounts.iter().map(uri::format)),
            uris: Vec::new(),
            skipped: Vec::new(),
        }),
        ExportFormat::GoogleMigration => {
            let (uris, skipped) = google_migration_uris(accounts)?;
            Ok(Exported {
                data: lines(&uris),
                uris,
                skipped,
            })
        }
    }
}

/// The bytes of a text that holds secrets, moved (not copied: no unwiped copy is left).
fn into_bytes(text: Zeroizing<String>) -> Zeroizing<Vec<u8>> {
    let mut text = text;
    Zeroizing::new(std::mem::take(&mut *text).into_bytes())
}

/// Writes every account of `vault` (not those in the trash) in `format`: encrypted with
/// `password`, or in the clear only when `unencrypted` says the user chose it. Refused before
/// anything is read when the choice does not fit the format ([`ExportFormat::needs_password`]),
/// when a password is needed and missing ([`TransferError::PasswordRequired`]), or when a
/// password comes with the unencrypted choice.
pub fn export_vault(
    vault: &crate::vault::Vault,
    format: ExportFormat,
    password: Option<&str>,
    unencrypted: bool,
) -> Result<Exported, crate::Error> {
    let needs_password = format.needs_password(unencrypted)?;
    match (needs_password, password) {
        (true, None) => return Err(TransferError::PasswordRequired.into()),
        (false, Some(_)) => {
            return Err(TransferError::Export(
                "a password and unencrypted output exclude each other".into(),
            )
            .into());
        }
        _ => {}
    }
    if format == ExportFormat::TesseraBackup {
        let data = Zeroizing::new(vault.export_backup(password.unwrap_or_default())?);
        return Ok(Exported {
            data,
            uris: Vec::new(),
            skipped: Vec::new(),
        });
    }
    let accounts: Vec<Account> = vault
        .export_accounts()?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let mut out = export(&accounts, format, password)?;
    out.skipped.extend(push_tokens_left_out(vault)?);
    Ok(out)
}

/// The vault's push tokens, as accounts no export file carries: a push token answers with a
/// key that never leaves this device, so it is enrolled again on the other one. Damaged tokens
/// (named by serial) are listed too, so that every token the vault has is accounted for.
fn push_tokens_left_out(vault: &crate::vault::Vault) -> Result<Vec<Skipped>, crate::Error> {
    use crate::push::PushStore as _;
    const WHY: &str = "a privacyIDEA push token is bound to this device's key and cannot be \
                       exported: enroll it again on the other device";
    let mut skipped: Vec<Skipped> = vault
        .push_tokens()?
        .into_iter()
        .map(|t| Skipped {
            name: entry_name(&t.issuer, &t.label),
            reason: WHY.into(),
        })
        .collect();
    skipped.extend(
        vault
            .damaged_push_tokens()?
            .into_iter()
            .map(|serial| Skipped {
                name: serial,
                reason: format!("{WHY} (its stored data is also damaged)"),
            }),
    );
    Ok(skipped)
}

/// The accounts as Google Authenticator transfer URIs, at most [`GOOGLE_BATCH_SIZE`] per URI,
/// all in one numbered batch set; accounts Google cannot hold are returned as skipped.
pub fn google_migration_uris(
    accounts: &[Account],
) -> Result<(Vec<Zeroizing<String>>, Vec<Skipped>), TransferError> {
    let (fit, skipped) = split_unrepresentable(accounts, google::unrepresentable);
    let uris = if fit.is_empty() {
        Vec::new()
    } else {
        google::encode_batches(&fit, GOOGLE_BATCH_SIZE)?
    };
    Ok((uris, skipped))
}

/// The accounts a format can hold, and those it cannot (`why` gives the reason), in order.
pub(crate) fn split_unrepresentable(
    accounts: &[Account],
    why: impl Fn(&Account) -> Option<String>,
) -> (Vec<&Account>, Vec<Skipped>) {
    let mut fit = Vec::with_capacity(accounts.len());
    let mut skipped = Vec::new();
    for account in accounts {
        match why(account) {
            Some(reason) => skipped.push(Skipped {
                name: entry_name(&account.issuer, &account.label),
                reason,
            }),
            None => fit.push(account),
        }
    }
    (fit, skipped)
}

/// The groups an export names, each with a random id made the first time it is used.
#[derive(Default)]
pub(crate) struct GroupIds(Vec<(String, String)>);

impl GroupIds {
    /// The id of the account's first group (for apps with one group per entry), or `None`
    /// when it has none.
    pub(crate) fn first_of(&mut self, account: &Account) -> Result<Option<String>, TransferError> {
        let Some(name) = account.meta.groups.first() else {
            return Ok(None);
        };
        if let Some((_, id)) = self.0.iter().find(|(n, _)| n == name) {
            return Ok(Some(id.clone()));
        }
        let id = crate::crypto::random::uuid_v4()?;
        self.0.push((name.clone(), id.clone()));
        Ok(Some(id))
    }

    /// Every group used, as (name, id), in the order they were first used.
    pub(crate) fn into_pairs(self) -> Vec<(String, String)> {
        self.0
    }
}

/// Light modules around the code, in modules (the QR specification asks for four).
const QUIET_ZONE: usize = 4;

/// What a build without the `qr-png` feature (the mobile library) says when asked for a PNG.
#[cfg(not(feature = "qr-png"))]
pub const NO_QR_PNG: &str = "drawing QR codes as PNG images is not part of this build: \
     draw the modules of qrCodeMatrix on the platform";

fn modules(text: &str) -> Result<(Vec<bool>, usize), TransferError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L)
        .map_err(|e| TransferError::Export(format!("too much data for one QR code ({e})")))?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((dark, width))
}

/// A QR code as its modules, for a shell to draw itself (a phone's canvas): `size` × `size`
/// modules, row by row, the quiet zone (four light modules on every side) included, so that
/// drawing every module black or white at the same size gives a scannable code.
pub struct QrMatrix {
    /// Modules per side, quiet zone included.
    pub size: usize,
    /// `size * size` bytes, row by row: 1 for a dark module, 0 for a light one. The code
    /// encodes whatever its text holds (for transfer URIs, secrets), so it is wiped on drop.
    pub modules: Zeroizing<Vec<u8>>,
}

/// The QR code of `text` (error correction level L, the smallest code) as a module matrix.
/// Too much text for one QR code is [`TransferError::Export`].
pub fn qr_matrix(text: &str) -> Result<QrMatrix, TransferError> {
    let (dark, width) = modules(text)?;
    let size = width + 2 * QUIET_ZONE;
    let mut modules = Zeroizing::new(vec![0u8; size * size]);
    for (i, &d) in dark.iter().enumerate() {
        modules[(i / width + QUIET_ZONE) * size + i % width + QUIET_ZONE] = u8::from(d);
    }
    Ok(QrMatrix { size, modules })
}

/// A QR code of `text` as a PNG image (black on white, `scale` pixels per module, the quiet
/// zone included), the modules of [`qr_matrix`] drawn. The image encodes whatever `text` holds
/// — for transfer URIs, secrets — so the bytes are wiped on drop.
#[cfg(feature = "qr-png")]
pub fn qr_png(text: &str, scale: u32) -> Result<Zeroizing<Vec<u8>>, TransferError> {
    let matrix = qr_matrix(text)?;
    let scale = scale.clamp(1, 64) as usize;
    let side = matrix.size * scale;
    let mut pixels = Zeroizing::new(vec![255u8; side * side]);
    for (i, _) in matrix.modules.iter().enumerate().filter(|&(_, &m)| m != 0) {
        let (x, y) = (i % matrix.size, i / matrix.size);
        for dy in 0..scale {
            let start = (y * scale + dy) * side + x * scale;
            pixels[start..start + scale].fill(0);
        }
    }
    let mut out = SecretBuf::new();
    // The png crate directly (not the image crate, which is for decoding files and optional):
    // 8-bit grey, the smallest encoding of a black-and-white image short of 1-bit.
    let failed =
        |e: png::EncodingError| TransferError::Export(format!("cannot write the PNG ({e})"));
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&pixels).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out.into_bytes())
}

/// Without the `qr-png` feature (the mobile library, whose shells draw [`qr_matrix`] on their
/// own canvas) there is no PNG encoder: [`TransferError::Unsupported`] naming the replacement.
#[cfg(not(feature = "qr-png"))]
pub fn qr_png(text: &str, _scale: u32) -> Result<Zeroizing<Vec<u8>>, TransferError> {
    // Bad text is still said as such, as the desktop build would say it.
    qr_matrix(text)?;
    Err(TransferError::Unsupported(NO_QR_PNG.into()))
}

/// A QR code of `text` drawn with Unicode half blocks, two module rows per line, for a terminal
/// with a dark background (light modules are drawn, dark ones left blank).
pub fn qr_terminal(text: &str) -> Result<Zeroizing<String>, TransferError> {
    let (dark, width) = modules(text)?;
    let quiet = 2;
    let side = width + 2 * quiet;
    let light = |x: usize, y: usize| -> bool {
        if x < quiet || y < quiet || x >= width + quiet || y >= width + quiet {
            return true;
        }
        !dark[(y - quiet) * width + (x - quiet)]
    };
    let mut out = Zeroizing::new(String::with_capacity(side * side * 2));
    for y in (0..side).step_by(2) {
        for x in 0..side {
            let top = light(x, y);
            let bottom = y + 1 >= side || light(x, y + 1);
            out.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_its_own_title() {
        let titles: std::collections::HashSet<_> =
            ExportFormat::ALL.iter().map(|f| f.title()).collect();
        assert_eq!(titles.len(), ExportFormat::ALL.len());
        assert!(titles.iter().all(|t| !t.trim().is_empty()));
    }

    /// The rule table, written out: (format, unencrypted chosen) → needs a password, or refused.
    #[test]
    fn plain_output_is_only_ever_an_explicit_choice() {
        use ExportFormat as F;
        let cases: [(F, bool, Option<bool>); 16] = [
            (F::Aegis, false, Some(true)),
            (F::Aegis, true, Some(false)),
            (F::TwoFas, false, Some(true)),
            (F::TwoFas, true, Some(false)),
            (F::Ente, false, Some(true)),
            (F::Ente, true, Some(false)),
            (F::Proton, false, Some(true)),
            (F::Proton, true, Some(false)),
            (F::Bitwarden, false, None),
            (F::Bitwarden, true, Some(false)),
            (F::OtpauthList, false, None),
            (F::OtpauthList, true, Some(false)),
            (F::GoogleMigration, false, None),
            (F::GoogleMigration, true, Some(false)),
            (F::TesseraBackup, false, Some(true)),
            (F::TesseraBackup, true, None),
        ];
        for (format, unencrypted, expected) in cases {
            let got = format.needs_password(unencrypted);
            assert_eq!(
                got.as_ref().ok().copied(),
                expected,
                "{format:?} {unencrypted}"
            );
            if expected.is_none() && !unencrypted {
                assert!(
                    matches!(got, Err(TransferError::UnencryptedNotChosen(_))),
                    "{format:?}"
                );
            }
        }
        assert_eq!(F::Aegis.encryption(), Encryption::Optional);
        assert!(!F::OtpauthList.can_encrypt());
        for format in F::ALL {
            assert_eq!(F::parse(format.as_str()), Some(format));
        }
    }
}
