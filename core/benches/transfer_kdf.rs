//! Costs of the Ente/Proton/QR importers: dominated by the password KDFs and QR detection.
//!
//! `cargo bench -p tessera-core --bench transfer_kdf` (release-like `bench` profile), and
//! `cargo bench -p tessera-core --bench transfer_kdf --profile dev` for the unoptimized build
//! the unit tests run in.

use criterion::{Criterion, criterion_group, criterion_main};
use tessera_core::transfer::{ente, proton, qr};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/transfer/");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}{name}")).expect("fixture")
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("transfer");
    group.sample_size(10);

    // Proton's fixed Argon2id parameters (19 MiB, 2 passes) + AES-GCM + parsing 3 entries.
    let proton_file = fixture("proton_encrypted.json");
    group.bench_function("proton_encrypted_read (argon2id m=19456 t=2)", |b| {
        b.iter(|| proton::read(&proton_file, Some("pässwörd 🔑")).expect("reads"))
    });

    // Ente with the parameters Tessera's exporter writes (libsodium MODERATE: 256 MiB, 3 passes).
    let accounts: Vec<_> = ente::read(&fixture("ente_plain.txt"), None)
        .expect("reads")
        .into_iter()
        .filter_map(|item| item.result.ok())
        .collect();
    let ente_file = ente::write(&accounts, Some("pw")).expect("export");
    group.bench_function("ente_encrypted_read (argon2id 256 MiB t=3)", |b| {
        b.iter(|| ente::read(ente_file.as_bytes(), Some("pw")).expect("reads"))
    });

    let shot = fixture("qr_screenshot.png");
    group.bench_function("qr_read screenshot 405x720 png", |b| {
        b.iter(|| qr::read(&shot, None).expect("reads"))
    });
    let pair = fixture("qr_two_codes.jpg");
    group.bench_function("qr_read two codes 760x420 jpeg", |b| {
        b.iter(|| qr::read(&pair, None).expect("reads"))
    });
    let photo = big_photo();
    group.bench_function("qr_read 4000x3000 jpeg, one code", |b| {
        b.iter(|| qr::read(&photo, None).expect("reads"))
    });
    group.finish();
}

/// A 12-megapixel JPEG with one enrollment code of 12 px modules on a grey gradient.
fn big_photo() -> Vec<u8> {
    let code =
        qrcode::QrCode::new(b"otpauth://totp/Big:photo?secret=JBSWY3DPEHPK3PXP").expect("qr");
    let (w, colors) = (code.width() as u32, code.to_colors());
    let image = image::GrayImage::from_fn(4000, 3000, |x, y| {
        let (mx, my) = ((x as i64 - 1500) / 12, (y as i64 - 1000) / 12);
        let inside = (0..w as i64).contains(&mx) && (0..w as i64).contains(&my);
        if inside && colors[(my as u32 * w + mx as u32) as usize] == qrcode::Color::Dark {
            image::Luma([20])
        } else if inside || ((-4..w as i64 + 4).contains(&mx) && (-4..w as i64 + 4).contains(&my)) {
            image::Luma([235])
        } else {
            image::Luma([(120 + (x + y) / 100 % 60) as u8])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("jpeg");
    out.into_inner()
}

criterion_group!(transfer, benches);
criterion_main!(transfer);
