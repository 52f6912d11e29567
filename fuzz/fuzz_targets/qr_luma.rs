//! The QR search of camera frames (`transfer::qr::read_luma`, whose search `payloads_luma`
//! shares): the grey levels a phone's shell hands over, of any size. Random pixels seldom hold
//! anything a detector takes for a finder pattern, so a second mode draws a real code and then
//! damages it, which reaches the grid sampling, the format and Reed-Solomon decoding and the
//! payload parser.
//!
//! First byte, high bit clear (raw): the next two bytes are the width (little endian, 1 to
//! 1024), the rest the pixels; the height is what they fill (a frame of the wrong size when they
//! fill no row). High bit set (drawn): bits 0-1 are pixels per module minus one, bit 2 draws
//! light on dark; the next byte is the text's length, then the text (encoded as a QR code with
//! the `qrcode` crate and drawn with a 4-module quiet zone), then damage as 3-byte records
//! (pixel index, little endian, wrapped to the frame; grey level).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::transfer::qr::read_luma;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (width, height, luma) = if mode & 0x80 == 0 {
        raw(rest)
    } else {
        match drawn(mode, rest) {
            Some(frame) => frame,
            None => return,
        }
    };
    // read_luma is payloads_luma's search followed by the routing of what it found (located
    // but unreadable codes, accounts, Google batches): one call reaches both.
    if let Ok(items) = read_luma(width, height, &luma) {
        for item in &items {
            // Names and errors are shown to the user: building them must not panic either.
            let _ = item.name.len();
            if let Err(e) = &item.result {
                let _ = e.to_string();
            }
        }
    }
});

fn raw(rest: &[u8]) -> (u32, u32, Vec<u8>) {
    let (size, pixels) = rest.split_at(rest.len().min(2));
    let mut le = [0u8; 2];
    le[..size.len()].copy_from_slice(size);
    let width = 1 + usize::from(u16::from_le_bytes(le)) % 1024;
    let height = pixels.len() / width;
    if height == 0 {
        // Not one row: the frame's stated size and its bytes disagree.
        return (width as u32, 1, pixels.to_vec());
    }
    (width as u32, height as u32, pixels[..width * height].to_vec())
}

fn drawn(mode: u8, rest: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let (&len, rest) = rest.split_first()?;
    let (text, damage) = rest.split_at(rest.len().min(usize::from(len)));
    let code = qrcode::QrCode::new(text).ok()?;
    let modules = code.width();
    let colors = code.to_colors();
    let px = 1 + usize::from(mode & 3);
    let (dark, light) = if mode & 4 == 0 { (0, 255) } else { (255, 0) };
    let side = (modules + 8) * px;
    let mut luma = vec![light; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = ((4 + i % modules) * px, (4 + i / modules) * px);
            for row in luma[y * side..(y + px) * side].chunks_exact_mut(side) {
                row[x..x + px].fill(dark);
            }
        }
    }
    for hit in damage.chunks_exact(3) {
        let at = usize::from(u16::from_le_bytes([hit[0], hit[1]])) % luma.len();
        luma[at] = hit[2];
    }
    Some((side as u32, side as u32, luma))
}
