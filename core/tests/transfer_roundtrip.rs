//! Round trips: accounts → export (each format) → import → the same accounts and codes.

use tessera_core::transfer::export::{self, ExportFormat, GOOGLE_BATCH_SIZE};
use tessera_core::transfer::{self, EntryError, Format, TransferError};
use tessera_core::{Account, Algorithm, Generator, OtpParams, Secret};

const T: u64 = 1_700_000_000;

fn account(issuer: &str, label: &str, seed: u8, len: usize, params: OtpParams) -> Account {
    let bytes = (0..len)
        .map(|i| {
            seed.wrapping_mul(31)
                .wrapping_add((i as u8).wrapping_mul(7))
        })
        .collect();
    Account::new(issuer, label, Secret::from_bytes(bytes), params)
}

fn accounts() -> Vec<Account> {
    let mut noted = account("GitHub", "alice@example.org", 1, 20, OtpParams::totp());
    noted.meta.note = "recovery: 1111 2222".into();
    noted.meta.favorite = true;
    noted.meta.groups = vec!["Work".into(), "Dev".into()];
    vec![
        noted,
        account("Example Bank", "bob", 2, 20, OtpParams::hotp(42)),
        account("Steam", "gamer", 3, 20, OtpParams::steam()),
        account(
            "Zürich ✓",
            "日本語 ユーザー",
            4,
            32,
            OtpParams {
                algorithm: Algorithm::Sha256,
                digits: 8,
                ..OtpParams::totp()
            },
        ),
        account(
            "TenDigits",
            "ten",
            5,
            64,
            OtpParams {
                algorithm: Algorithm::Sha512,
                digits: 10,
                period: 60,
                ..OtpParams::totp()
            },
        ),
        account("", "no issuer: colon", 6, 10, OtpParams::totp()),
    ]
}

fn code(a: &Account) -> String {
    let g = Generator::for_account(a).unwrap();
    if a.params.kind.is_time_based() {
        g.code_at(T).to_string()
    } else {
        g.code_for_counter(a.params.counter).to_string()
    }
}

fn assert_same(before: &Account, after: &Account, with_meta: bool) {
    let who = format!("{} / {}", before.issuer, before.label);
    assert_eq!(after.issuer, before.issuer, "{who}");
    assert_eq!(after.label, before.label, "{who}");
    assert!(after.secret.ct_eq(&before.secret), "{who}: secret");
    assert_eq!(after.params, before.params, "{who}: params");
    assert_eq!(code(after), code(before), "{who}: code");
    if with_meta {
        assert_eq!(after.meta, before.meta, "{who}: meta");
    }
}

fn import(data: &[u8], format: Format, password: Option<&str>) -> Vec<Account> {
    assert_eq!(transfer::detect(data), Some(format));
    transfer::read(data, None, password)
        .unwrap()
        .into_iter()
        .map(|i| i.result.unwrap())
        .collect()
}

#[test]
fn aegis_plain_round_trip_keeps_accounts_codes_and_metadata() {
    let accounts = accounts();
    let out = export::export(&accounts, ExportFormat::Aegis, None).unwrap();
    assert!(out.skipped.is_empty());
    let back = import(&out.data, Format::Aegis, None);
    assert_eq!(back.len(), accounts.len());
    for (a, b) in accounts.iter().zip(&back) {
        assert_same(a, b, true);
    }
}

#[test]
fn aegis_encrypted_round_trip_needs_the_password() {
    let accounts = accounts();
    let out = export::export(&accounts, ExportFormat::Aegis, Some("pässword")).unwrap();
    let text = std::str::from_utf8(&out.data).unwrap();
    assert!(
        !text.contains("GitHub"),
        "the encrypted export shows account names"
    );
    let back = import(&out.data, Format::Aegis, Some("pässword"));
    for (a, b) in accounts.iter().zip(&back) {
        assert_same(a, b, true);
    }
    assert_eq!(
        transfer::read(&out.data, None, Some("password")).unwrap_err(),
        TransferError::WrongPassword
    );
}

#[test]
fn otpauth_list_round_trip() {
    let accounts = accounts();
    let out = export::export(&accounts, ExportFormat::OtpauthList, None).unwrap();
    let back = import(&out.data, Format::OtpauthList, None);
    assert_eq!(back.len(), accounts.len());
    for (a, b) in accounts.iter().zip(&back) {
        assert_same(a, b, false);
    }
}

#[test]
fn google_transfer_round_trip_skips_what_google_cannot_hold_and_says_why() {
    let accounts = accounts();
    let out = export::export(&accounts, ExportFormat::GoogleMigration, None).unwrap();
    let skipped: Vec<&str> = out.skipped.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(skipped, ["Steam (gamer)", "TenDigits (ten)"]);
    let back = import(&out.data, Format::GoogleMigration, None);
    let kept: Vec<&Account> = accounts
        .iter()
        .filter(|a| a.issuer != "Steam" && a.issuer != "TenDigits")
        .collect();
    assert_eq!(back.len(), kept.len());
    for (a, b) in kept.iter().zip(&back) {
        assert_same(a, b, false);
    }
}

#[test]
fn google_transfer_splits_into_batches_of_ten_and_names_a_missing_one() {
    let many: Vec<Account> = (0..25)
        .map(|i| account("Bulk", &format!("user{i}"), i as u8, 20, OtpParams::totp()))
        .collect();
    let out = export::export(&many, ExportFormat::GoogleMigration, None).unwrap();
    assert_eq!(out.uris.len(), 3);
    assert_eq!(GOOGLE_BATCH_SIZE, 10);
    let all = transfer::read(&out.data, None, None).unwrap();
    assert_eq!(all.len(), 25);
    assert!(all.iter().all(|i| i.result.is_ok()));

    let without_second = format!("{}\n{}\n", out.uris[0].as_str(), out.uris[2].as_str());
    let items = transfer::read(without_second.as_bytes(), None, None).unwrap();
    let missing: Vec<&str> = items
        .iter()
        .filter(|i| matches!(i.result, Err(EntryError::Missing(_))))
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(missing, ["Google Authenticator transfer, QR code 2 of 3"]);
    assert_eq!(items.iter().filter(|i| i.result.is_ok()).count(), 15);
}

#[test]
fn plain_formats_refuse_a_password_instead_of_pretending_to_encrypt() {
    for format in [ExportFormat::OtpauthList, ExportFormat::GoogleMigration] {
        assert!(matches!(
            export::export(&accounts(), format, Some("pw")),
            Err(TransferError::Export(_))
        ));
    }
}

/// A shell draws the matrix (here 3 pixels a module, black on white) and a camera reads it:
/// the text comes back, and the PNG of the desktop build is that same drawing.
#[test]
fn the_qr_matrix_drawn_by_a_shell_scans_back_and_is_the_png() {
    let out = export::export(&accounts()[..1], ExportFormat::GoogleMigration, None).unwrap();
    let matrix = export::qr_matrix(&out.uris[0]).unwrap();
    assert_eq!(matrix.modules.len(), matrix.size * matrix.size);
    assert!(matrix.modules.iter().all(|&m| m <= 1));
    // The quiet zone, four light modules on every side, is part of the matrix.
    for i in 0..matrix.size {
        for edge in (0..4).chain(matrix.size - 4..matrix.size) {
            assert_eq!(matrix.modules[edge * matrix.size + i], 0);
            assert_eq!(matrix.modules[i * matrix.size + edge], 0);
        }
    }
    let scale = 3;
    let side = matrix.size * scale;
    let luma: Vec<u8> = (0..side * side)
        .map(|p| {
            let module = (p / side / scale) * matrix.size + (p % side) / scale;
            if matrix.modules[module] == 1 { 0 } else { 255 }
        })
        .collect();
    let texts = tessera_core::transfer::qr::payloads_luma(side as u32, side as u32, &luma).unwrap();
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].as_str(), out.uris[0].as_str());

    #[cfg(feature = "qr-png")]
    {
        let png = export::qr_png(&out.uris[0], scale as u32).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(&png[..]))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width as usize, info.height as usize), (side, side));
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert_eq!(
            &pixels[..side * side],
            &luma[..],
            "the PNG is the matrix drawn"
        );
    }
    assert!(
        export::qr_matrix(&"x".repeat(10_000)).is_err(),
        "too long for one QR code"
    );
}

#[test]
fn qr_png_is_a_png_and_the_terminal_code_is_square() {
    let out = export::export(&accounts()[..1], ExportFormat::GoogleMigration, None).unwrap();
    let png = export::qr_png(&out.uris[0], 4).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let art = export::qr_terminal(&out.uris[0]).unwrap();
    let lines: Vec<&str> = art.lines().collect();
    let width = lines[0].chars().count();
    assert!(lines.iter().all(|l| l.chars().count() == width));
    assert_eq!(lines.len(), width.div_ceil(2));
}
