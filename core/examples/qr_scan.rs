//! Scan a camera-sized grey frame for QR codes, as a phone's scanner does 10–30 times a second:
//! the cost of one `payloads_luma` call, for instruction counts under callgrind.
//!
//!     cargo build --release -p tessera-core --example qr_scan
//!     valgrind --tool=callgrind target/release/examples/qr_scan code
//!     valgrind --tool=callgrind target/release/examples/qr_scan empty
//!
//! `code` is a 1280 × 720 frame holding one enrollment code (5 pixels a module) on a lit sheet
//! with a lighting gradient and sensor noise; `empty` is the same frame without the code, which
//! also pays for the dark-mode retry (a frame without any code is searched twice). An optional
//! second argument repeats the scan that many times (for `time`).

use tessera_core::transfer::qr::payloads_luma;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
/// RFC 6238's test secret: a demo value, not a real account.
const DEMO: &str =
    "otpauth://totp/Example:demo?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example";

fn frame(with_code: bool) -> Vec<u8> {
    let (w, h) = (WIDTH as usize, HEIGHT as usize);
    // A fixed pseudo-random sequence (a 32-bit LCG), so that every run scans the same frame.
    let mut seed = 0x2545_f491_u32;
    let mut noise = move || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 24) as i32 % 17 - 8
    };
    let code = qrcode::QrCode::new(DEMO.as_bytes()).expect("the demo URI fits a QR code");
    let modules = code.width();
    let colors = code.to_colors();
    let px = 5;
    let side = (modules + 8) * px;
    let (left, top) = ((w - side) / 2, (h - side) / 2);
    let mut luma = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            // The background darkens from left to right; the sheet is lighter.
            let mut v = 170 - (x * 60 / w) as i32;
            let (sx, sy) = (x.wrapping_sub(left), y.wrapping_sub(top));
            if sx < side && sy < side {
                v = 225 - (x * 30 / w) as i32;
                let (mx, my) = ((sx / px).wrapping_sub(4), (sy / px).wrapping_sub(4));
                if with_code
                    && mx < modules
                    && my < modules
                    && colors[my * modules + mx] == qrcode::Color::Dark
                {
                    v = 40;
                }
            }
            luma.push((v + noise()).clamp(0, 255) as u8);
        }
    }
    luma
}

fn main() {
    let mut args = std::env::args().skip(1);
    let with_code = match args.next().as_deref() {
        Some("code") => true,
        Some("empty") => false,
        _ => {
            eprintln!("usage: qr_scan code|empty [times]");
            std::process::exit(2);
        }
    };
    let times: u32 = args.next().and_then(|t| t.parse().ok()).unwrap_or(1);
    let luma = frame(with_code);
    for _ in 0..times {
        match payloads_luma(WIDTH, HEIGHT, &luma) {
            // The payload is the demo URI; only its length is shown, as for a real one.
            Ok(found) => println!(
                "{} code(s) read, {} bytes",
                found.len(),
                found.iter().map(|p| p.len()).sum::<usize>()
            ),
            Err(e) => println!("{e}"),
        }
    }
}
