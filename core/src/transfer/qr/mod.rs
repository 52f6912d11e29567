//! QR codes in PNG or JPEG images: a screenshot of an enrollment QR code, a photo of a printout,
//! a screenshot of Google Authenticator's transfer codes.
//!
//! The image is decoded within a memory budget (PNG and JPEG only; see `load`: large images
//! are reduced to at most 4096 pixels a side while they are decoded, and reading any image
//! takes at most [`MEMORY_BUDGET`]), flattened to grey over a white background (transparent
//! PNGs), and searched for QR codes by `quircs` (a Rust port of quirc); when nothing is found,
//! the image thresholded against each pixel's neighbourhood is tried (a shadow across the code),
//! then the inverted image (light-on-dark codes from dark-mode screenshots). File decoding is the `image-files`
//! feature: the mobile library leaves it out, and its shells hand [`read_luma`] the grey levels
//! of a camera frame or of an image the platform decoded (the search is the same). Every code found becomes one entry, in
//! reading order (rows top to bottom, left to right within a row):
//! - `otpauth://…` → the account (see [`crate::uri`]);
//! - `otpauth-migration://…` (Google Authenticator transfer) → its accounts, through the Google
//!   importer; codes of the same transfer set that are not in the image are reported as
//!   [`EntryError::Missing`], one per missing QR code;
//! - anything else (a web link, a privacyIDEA push enrollment) → an entry error naming the code by
//!   its number, never by its content.
//!
//! An image that decodes but holds no QR code is [`TransferError::Damaged`] with the message
//! [`NO_QR_CODE`]; one that does not decode is [`TransferError::Damaged`] as well, with a
//! different message.

use std::borrow::Cow;

use zeroize::{Zeroize, Zeroizing};

mod load;

use load::MAX_SIDE;
pub use load::MEMORY_BUDGET;

use super::ente::item_from_uri;
use super::google::{self, Batches};
use super::{EntryError, ImportItem, TransferError};

/// The message of the [`TransferError::Damaged`] returned for an image without any QR code.
pub const NO_QR_CODE: &str = "no QR code was found in the image";

/// What a build without the `image-files` feature (the mobile library) says when handed an
/// image file.
#[cfg(not(feature = "image-files"))]
pub const NO_IMAGE_FILES: &str = "reading PNG or JPEG files is not part of this build: \
     decode the image on the platform and pass its grey levels to importQrLuma";

/// An 8-bit grey image, row by row, `width * height` bytes (borrowed from a shell's frame, or
/// decoded from a file).
struct Frame<'a> {
    width: usize,
    height: usize,
    luma: Cow<'a, [u8]>,
}

/// What a QR code held, in reading order. Holds secrets; wiped on drop.
pub type Payload = Zeroizing<String>;

/// Reads every QR code of a PNG or JPEG image into import entries, in reading order (the
/// password is unused: an image is never encrypted). A code that is found but cannot be read
/// (blurred, cut off) is an entry error, not a silent omission.
pub fn read(bytes: &[u8], _password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    Ok(items(&scan(load_grey(bytes)?)?))
}

/// Reads every QR code of an 8-bit grey image (`width * height` bytes, row by row, 0 black,
/// 255 white) into import entries, as [`read`] does for files: what a shell passes from a
/// camera frame (its luma plane) or from an image the platform decoded.
pub fn read_luma(width: u32, height: u32, luma: &[u8]) -> Result<Vec<ImportItem>, TransferError> {
    Ok(items(&scan(luma_frame(width, height, luma)?)?))
}

/// The text of every readable QR code of an 8-bit grey image (as [`read_luma`] takes it), in
/// reading order: what a phone's scanner routes itself, since a camera may show an account, a
/// Google transfer or a privacyIDEA push enrollment. An image without any QR code is
/// [`TransferError::Damaged`] with [`NO_QR_CODE`]; codes located but unreadable are left out.
pub fn payloads_luma(width: u32, height: u32, luma: &[u8]) -> Result<Vec<Payload>, TransferError> {
    Ok(scan(luma_frame(width, height, luma)?)?
        .into_iter()
        .flatten()
        .collect())
}

/// A shell's grey image checked against its stated size, reduced like a decoded file when it is
/// larger than the detector's working size (see `load`).
fn luma_frame(width: u32, height: u32, luma: &[u8]) -> Result<Frame<'_>, TransferError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(TransferError::Damaged(format!(
            "the image must be 1 to {MAX_SIDE} pixels wide and high (got {width} x {height})"
        )));
    }
    let (w, h) = (width as usize, height as usize);
    if luma.len() != w * h {
        return Err(TransferError::Damaged(format!(
            "{width} x {height} grey pixels are {} bytes, not {}",
            w * h,
            luma.len()
        )));
    }
    Ok(load::reduce(width, height, luma).unwrap_or(Frame {
        width: w,
        height: h,
        luma: luma.into(),
    }))
}

/// Import entries of scanned payloads, Google transfer batches gathered.
fn items(scanned: &[Option<Payload>]) -> Vec<ImportItem> {
    let mut items = Vec::new();
    let mut batches = Batches::default();
    for (i, payload) in scanned.iter().enumerate() {
        let name = format!("QR code {}", i + 1);
        let Some(payload) = payload else {
            items.push(ImportItem {
                name,
                result: Err(EntryError::Invalid(
                    "the QR code was found but could not be read (blurred, cut off or damaged)"
                        .into(),
                )),
            });
            continue;
        };
        let scheme = payload
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("otpauth") | Some("pia") => items.push(item_from_uri(payload, name)),
            Some("otpauth-migration") => match google::decode_uri(payload) {
                Ok(batch) => items.extend(batches.add(batch)),
                Err(reason) => items.push(ImportItem {
                    name: format!("{name} (Google Authenticator transfer)"),
                    result: Err(EntryError::Invalid(reason)),
                }),
            },
            _ => items.push(ImportItem {
                name,
                result: Err(EntryError::Invalid(
                    "the QR code does not hold an otpauth:// or otpauth-migration:// URI".into(),
                )),
            }),
        }
    }
    // Google transfer codes of the same set that are not in this image are reported missing.
    items.extend(batches.missing());
    items
}

/// True when the bytes start like a PNG or JPEG file (for format detection).
pub fn is_image(bytes: &[u8]) -> bool {
    // The signatures the image crate checks for these two formats; kept here so that
    // detection works in builds without it.
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xff, 0xd8, 0xff])
}

/// The text of every readable QR code in the image, in reading order (for callers that route
/// payloads themselves, e.g. Google transfer batches).
pub fn payloads(bytes: &[u8]) -> Result<Vec<Payload>, TransferError> {
    Ok(scan(load_grey(bytes)?)?.into_iter().flatten().collect())
}

/// The privacyIDEA push enrollment URI (`otpauth://pipush/…` or `pia://pipush/…`) held by a QR
/// code of the image: what a phone does when it scans the push QR code of an enrollment page.
/// Other QR codes beside it (a TOTP code on the same page) are ignored; none or two push
/// enrollments is [`TransferError::Unsupported`] with [`NO_PUSH_ENROLLMENT`] or
/// [`SEVERAL_PUSH_ENROLLMENTS`] (enrolling one of two at random would be a guess).
pub fn push_enrollment(bytes: &[u8]) -> Result<Payload, TransferError> {
    let mut found = payloads(bytes)?
        .into_iter()
        .filter(|p| is_push_enrollment(p));
    match (found.next(), found.next()) {
        (Some(uri), None) => Ok(uri),
        (None, _) => Err(TransferError::Unsupported(NO_PUSH_ENROLLMENT.into())),
        (Some(_), Some(_)) => Err(TransferError::Unsupported(SEVERAL_PUSH_ENROLLMENTS.into())),
    }
}

/// Why [`push_enrollment`] found nothing to enroll.
pub const NO_PUSH_ENROLLMENT: &str =
    "no QR code in the image is a privacyIDEA push enrollment (otpauth://pipush/…)";
/// Why [`push_enrollment`] did not choose between two push enrollments.
pub const SEVERAL_PUSH_ENROLLMENTS: &str =
    "the image holds more than one push enrollment QR code; crop it to the one to enroll";

// `otpauth://pipush/…` or `pia://pipush/…`, any case, as privacyIDEA writes either scheme.
fn is_push_enrollment(payload: &str) -> bool {
    payload.split_once("://").is_some_and(|(scheme, rest)| {
        (scheme.eq_ignore_ascii_case("otpauth") || scheme.eq_ignore_ascii_case("pia"))
            && rest
                .get(..7)
                .is_some_and(|host| host.eq_ignore_ascii_case("pipush/"))
    })
}

/// Every QR code of the image in reading order: its text, or `None` when it was located but
/// its data could not be decoded. When nothing is found, the picture thresholded against each
/// pixel's neighbourhood is searched (unevenly lit frames), then the negative (light-on-dark
/// codes from dark-mode screenshots).
fn scan(mut frame: Frame<'_>) -> Result<Vec<Option<Payload>>, TransferError> {
    let mut found = decode_all(&frame);
    if found.is_empty() {
        let local = local_threshold(&frame);
        found = decode_all(&Frame {
            width: frame.width,
            height: frame.height,
            luma: Cow::Borrowed(&local),
        });
    }
    if found.is_empty() {
        // A decoded file's picture is inverted in place; a shell's borrowed frame is copied.
        for v in frame.luma.to_mut().iter_mut() {
            *v = !*v;
        }
        found = decode_all(&frame);
    }
    // The picture may show a code's modules: wipe what is ours (a shell's frame is its own).
    if let Cow::Owned(luma) = &mut frame.luma {
        luma.zeroize();
    }
    if found.is_empty() {
        return Err(TransferError::Damaged(NO_QR_CODE.into()));
    }
    Ok(found)
}

/// The picture in two levels (0 dark, 255 light), each pixel compared with the mean of the
/// square around it (a side of about an eighth of the frame's shorter side): dark when it is
/// more than 5 % below that mean. quircs thresholds a whole frame at one level (Otsu's method),
/// which a shadow across a printout or a screen defeats: the light modules in the shadow are
/// darker than the dark ones in the light (a light falloff of half across the code was not
/// read, measured). A two-level picture passes through quircs's threshold unchanged.
///
/// The window's sums slide: one running sum per column over the rows of the window, then one
/// along the row over those, so that the extra memory is a row of sums, not an integral image.
fn local_threshold(frame: &Frame<'_>) -> Zeroizing<Vec<u8>> {
    let (w, h) = (frame.width, frame.height);
    let luma = &frame.luma;
    let r = (w.min(h) / 16).max(2);
    let mut out = Zeroizing::new(vec![255u8; w * h]);
    // Sums of the column over rows y - r ..= y + r (clipped to the frame), for the current y.
    let mut columns = vec![0u32; w];
    for row in luma.chunks_exact(w).take(r) {
        for (sum, &v) in columns.iter_mut().zip(row) {
            *sum += u32::from(v);
        }
    }
    for y in 0..h {
        if y + r < h {
            for (sum, &v) in columns.iter_mut().zip(&luma[(y + r) * w..(y + r + 1) * w]) {
                *sum += u32::from(v);
            }
        }
        if y > r {
            let gone = y - r - 1;
            for (sum, &v) in columns.iter_mut().zip(&luma[gone * w..(gone + 1) * w]) {
                *sum -= u32::from(v);
            }
        }
        let rows = (y + r).min(h - 1) + 1 - y.saturating_sub(r);
        // At most 4096 × 4096 × 255 in one window: u64 for the sum and its comparison.
        let mut sum: u64 = columns[..r.min(w)].iter().map(|&c| u64::from(c)).sum();
        for x in 0..w {
            if x + r < w {
                sum += u64::from(columns[x + r]);
            }
            if x > r {
                sum -= u64::from(columns[x - r - 1]);
            }
            let count = ((x + r).min(w - 1) + 1 - x.saturating_sub(r)) * rows;
            if u64::from(luma[y * w + x]) * count as u64 * 100 < sum * 95 {
                out[y * w + x] = 0;
            }
        }
    }
    out
}

#[cfg(not(feature = "image-files"))]
fn load_grey(bytes: &[u8]) -> Result<Frame<'static>, TransferError> {
    if is_image(bytes) {
        Err(TransferError::Unsupported(NO_IMAGE_FILES.into()))
    } else {
        Err(TransferError::UnknownFormat)
    }
}

#[cfg(feature = "image-files")]
use load::load_grey;

/// Every code located in the image, decoded where possible, in reading order.
///
/// quircs thresholds the picture once (Otsu's method over its histogram) and searches the
/// two-level copy; the decoder and its copy live for this call only. What is wiped: the payload
/// bytes (moved out of the decoder's result into a zeroizing buffer at once), each code's module
/// bitmap and the decoder's thresholded picture. What cannot be: the bit streams `decode` keeps
/// on its own stack, the copies of a code that its iterator moves, and the shorter buffers the
/// payload outgrew while it was decoded (a `Vec` grown byte by byte).
fn decode_all(frame: &Frame<'_>) -> Vec<Option<Payload>> {
    let mut decoder = quircs::Quirc::new();
    let mut located: Vec<([i32; 4], Option<Payload>)> = Vec::new();
    for code in decoder.identify(frame.width, frame.height, &frame.luma) {
        // `extract` fails only for an index past the codes found, which the iterator never asks.
        let Ok(mut code) = code else { continue };
        let xs = code.corners.iter().map(|p| p.x);
        let ys = code.corners.iter().map(|p| p.y);
        let bounds = [
            xs.clone().min().unwrap_or(0),
            ys.clone().min().unwrap_or(0),
            xs.max().unwrap_or(0),
            ys.max().unwrap_or(0),
        ];
        let text = code.decode().ok().and_then(|mut data| {
            let bytes = Zeroizing::new(std::mem::take(&mut data.payload));
            // Copied out of the zeroizing buffer rather than moved into a String that a failed
            // UTF-8 check would drop without wiping.
            std::str::from_utf8(&bytes)
                .ok()
                .map(|text| Zeroizing::new(text.to_string()))
        });
        code.cell_bitmap.zeroize();
        located.push((bounds, text));
    }
    decoder.pixels.zeroize();
    reading_order(located)
}

/// Puts codes (with their bounds: left, top, right, bottom) in reading order: a code joins the
/// current row when its centre lies above that row's first code's bottom edge; rows go top to
/// bottom and codes left to right within a row.
fn reading_order<T>(mut codes: Vec<([i32; 4], T)>) -> Vec<T> {
    crate::order::sort_stable_by(&mut codes, |(a, _), (b, _)| {
        (a[1] + a[3]).cmp(&(b[1] + b[3]))
    });
    let mut row = 0;
    let mut row_bottom = i32::MIN;
    let mut keyed: Vec<(usize, i32, T)> = Vec::with_capacity(codes.len());
    for (b, item) in codes {
        if (b[1] + b[3]) / 2 > row_bottom {
            row += 1;
            row_bottom = b[3];
        }
        keyed.push((row, b[0], item));
    }
    crate::order::sort_stable_by(&mut keyed, |(row_a, left_a, _), (row_b, left_b, _)| {
        (row_a, left_a).cmp(&(row_b, left_b))
    });
    keyed.into_iter().map(|(_, _, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::OtpKind;
    use image::{DynamicImage, GrayImage, ImageFormat, Luma};

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/transfer/");
    const ENROLL: &str =
        "otpauth://totp/Example:alice%40example.org?secret=JBSWY3DPEHPK3PXP&issuer=Example";

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Draws `payload` as a QR code with `px` pixels per module and a 4-module quiet zone,
    /// placed at (`x`, `y`) on a white `canvas`.
    fn draw(canvas: &mut GrayImage, payload: &str, px: u32, x: u32, y: u32) {
        let code = qrcode::QrCode::new(payload.as_bytes()).unwrap();
        let width = code.width() as u32;
        let colors = code.to_colors();
        for my in 0..width {
            for mx in 0..width {
                if colors[(my * width + mx) as usize] == qrcode::Color::Dark {
                    for dy in 0..px {
                        for dx in 0..px {
                            canvas.put_pixel(
                                x + (4 + mx) * px + dx,
                                y + (4 + my) * px + dy,
                                Luma([0]),
                            );
                        }
                    }
                }
            }
        }
    }

    fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn single(payload: &str, px: u32) -> GrayImage {
        let modules = qrcode::QrCode::new(payload.as_bytes()).unwrap().width() as u32 + 8;
        let mut canvas = GrayImage::from_pixel(modules * px, modules * px, Luma([255]));
        draw(&mut canvas, payload, px, 0, 0);
        canvas
    }

    fn only_account(items: &[ImportItem]) -> &crate::account::Account {
        assert_eq!(items.len(), 1, "{items:?}");
        items[0].result.as_ref().unwrap()
    }

    const PUSH: &str = "otpauth://pipush/PIPU0001?url=http%3A%2F%2F127.0.0.1%3A5000%2Fttype%2Fpush\
        &ttl=10&issuer=privacyIDEA&enrollment_credential=00&v=1&serial=PIPU0001&sslverify=0";

    #[test]
    fn push_enrollment_is_picked_beside_a_totp_code() {
        let mut canvas = GrayImage::from_pixel(900, 450, Luma([255]));
        draw(&mut canvas, ENROLL, 4, 0, 0);
        draw(
            &mut canvas,
            &PUSH.to_ascii_uppercase().replacen("OTPAUTH", "pia", 1),
            4,
            450,
            0,
        );
        let bytes = encode(DynamicImage::ImageLuma8(canvas), ImageFormat::Png);
        let uri = push_enrollment(&bytes).unwrap();
        assert!(
            uri.starts_with("pia://PIPUSH/"),
            "the push code is returned as scanned"
        );
    }

    #[test]
    fn push_enrollment_refuses_none_and_two() {
        let totp_only = encode(
            DynamicImage::ImageLuma8(single(ENROLL, 4)),
            ImageFormat::Png,
        );
        match push_enrollment(&totp_only) {
            Err(TransferError::Unsupported(m)) => assert_eq!(m, NO_PUSH_ENROLLMENT),
            other => panic!("a TOTP code only: {other:?}"),
        }
        let mut canvas = GrayImage::from_pixel(900, 450, Luma([255]));
        draw(&mut canvas, PUSH, 4, 0, 0);
        draw(
            &mut canvas,
            &PUSH.replace("PIPU0001", "PIPU0002"),
            4,
            450,
            0,
        );
        let two = encode(DynamicImage::ImageLuma8(canvas), ImageFormat::Png);
        match push_enrollment(&two) {
            Err(TransferError::Unsupported(m)) => assert_eq!(m, SEVERAL_PUSH_ENROLLMENTS),
            other => panic!("two push codes: {other:?}"),
        }
        let blank = encode(
            DynamicImage::ImageLuma8(GrayImage::from_pixel(64, 64, Luma([255]))),
            ImageFormat::Png,
        );
        match push_enrollment(&blank) {
            Err(TransferError::Damaged(m)) => assert_eq!(m, NO_QR_CODE),
            other => panic!("no QR code at all: {other:?}"),
        }
    }

    #[test]
    fn reads_enrollment_code_from_png_and_jpeg() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg] {
            let bytes = encode(DynamicImage::ImageLuma8(single(ENROLL, 6)), format);
            assert!(is_image(&bytes));
            let items = read(&bytes, None).unwrap();
            let account = only_account(&items);
            assert_eq!(items[0].name, "Example (alice@example.org)", "{format:?}");
            assert_eq!(account.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        }
    }

    #[test]
    fn reads_screenshot_drawn_by_another_encoder_and_scaled() {
        let items = read(&fixture("qr_screenshot.png"), None).unwrap();
        assert_eq!(only_account(&items).issuer, "Example");
    }

    #[test]
    fn reads_every_code_of_a_blurred_jpeg_left_to_right() {
        let items = read(&fixture("qr_two_codes.jpg"), None).unwrap();
        assert_eq!(items.len(), 2, "{items:?}");
        let first = items[0].result.as_ref().unwrap();
        let second = items[1].result.as_ref().unwrap();
        assert_eq!(first.issuer, "Example");
        assert_eq!(
            (second.issuer.as_str(), second.params.kind),
            ("Other", OtpKind::Hotp)
        );
        assert_eq!(second.params.counter, 7);
    }

    #[test]
    fn orders_a_grid_of_codes_by_rows() {
        let payloads = [
            "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/B?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/C?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/D?secret=JBSWY3DPEHPK3PXP",
        ];
        let mut canvas = GrayImage::from_pixel(520, 520, Luma([255]));
        // B sits a little higher than A in the same row; C and D form the second row.
        draw(&mut canvas, payloads[0], 5, 10, 20);
        draw(&mut canvas, payloads[1], 5, 270, 5);
        draw(&mut canvas, payloads[2], 5, 10, 270);
        draw(&mut canvas, payloads[3], 5, 270, 275);
        let items = read(
            &encode(DynamicImage::ImageLuma8(canvas), ImageFormat::Png),
            None,
        )
        .unwrap();
        let labels: Vec<&str> = items
            .iter()
            .map(|i| i.result.as_ref().unwrap().label.as_str())
            .collect();
        assert_eq!(labels, ["A", "B", "C", "D"]);
    }

    #[test]
    fn reads_transparent_and_dark_mode_codes() {
        let code = single(ENROLL, 5);
        let transparent = image::RgbaImage::from_fn(code.width(), code.height(), |x, y| {
            let dark = code.get_pixel(x, y).0[0] == 0;
            image::Rgba([0, 0, 0, if dark { 255 } else { 0 }])
        });
        let items = read(
            &encode(DynamicImage::ImageRgba8(transparent), ImageFormat::Png),
            None,
        )
        .unwrap();
        assert_eq!(only_account(&items).issuer, "Example");

        let mut dark_mode = code;
        image::imageops::invert(&mut dark_mode);
        let items = read(
            &encode(DynamicImage::ImageLuma8(dark_mode), ImageFormat::Png),
            None,
        )
        .unwrap();
        assert_eq!(only_account(&items).issuer, "Example");
    }

    #[test]
    fn reads_codes_from_grey_levels_as_from_files() {
        // What a phone passes from a camera frame or a platform-decoded image.
        let grey = single(ENROLL, 5);
        let (w, h) = grey.dimensions();
        let account = only_account(&read_luma(w, h, grey.as_raw()).unwrap()).clone();
        assert_eq!(account.issuer, "Example");
        assert_eq!(account.label, "alice@example.org");
        // A light-on-dark frame (dark mode) is read too.
        let negative: Vec<u8> = grey.as_raw().iter().map(|v| 255 - v).collect();
        assert_eq!(only_account(&read_luma(w, h, &negative).unwrap()), &account);
    }

    #[test]
    fn refuses_grey_levels_that_do_not_match_their_size() {
        let grey = single(ENROLL, 2);
        let (w, h) = grey.dimensions();
        let short = &grey.as_raw()[1..];
        let err = read_luma(w, h, short).unwrap_err();
        assert!(err.to_string().contains("bytes"), "{err}");
        for (w, h) in [(0, 10), (10, 0), (MAX_SIDE + 1, 1)] {
            let err = read_luma(w, h, &[]).unwrap_err();
            assert!(err.to_string().contains("pixels wide"), "{err}");
        }
        let blank = vec![255u8; 64 * 64];
        let err = read_luma(64, 64, &blank).unwrap_err();
        assert_eq!(err.to_string(), format!("damaged file: {NO_QR_CODE}"));
    }

    #[test]
    fn reports_image_without_qr_code() {
        assert_eq!(
            read(&fixture("qr_none.png"), None).unwrap_err(),
            TransferError::Damaged(NO_QR_CODE.into())
        );
    }

    #[test]
    fn reports_truncated_and_foreign_images() {
        let png = encode(
            DynamicImage::ImageLuma8(single(ENROLL, 4)),
            ImageFormat::Png,
        );
        for cut in [40, png.len() / 2, png.len() - 13] {
            assert!(
                matches!(read(&png[..cut], None), Err(TransferError::Damaged(_))),
                "cut {cut}"
            );
        }
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert!(
            matches!(read(gif, None), Err(TransferError::Damaged(m)) if m.contains("PNG and JPEG"))
        );
        assert_eq!(
            read(b"otpauth://totp/A?secret=JBSWY3DPEHPK3PXP", None).unwrap_err(),
            TransferError::UnknownFormat
        );
        assert!(!is_image(b"{}"));
    }

    #[test]
    fn refuses_images_claiming_huge_dimensions() {
        // A valid PNG header announcing 60000 × 60000 pixels: refused before any allocation.
        let mut png = encode(
            DynamicImage::ImageLuma8(GrayImage::new(1, 1)),
            ImageFormat::Png,
        );
        png[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            read(&png, None).unwrap_err(),
            TransferError::Damaged("the image is too large to read".into())
        );
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn reads_google_transfer_codes_and_reports_the_missing_one() {
        let accounts: Vec<crate::account::Account> = ["Ä", "B", "C"]
            .iter()
            .enumerate()
            .map(|(i, issuer)| {
                crate::account::Account::new(
                    *issuer,
                    format!("user{i}"),
                    crate::secret::Secret::from_bytes(vec![i as u8 + 1; 10]),
                    crate::account::OtpParams::totp(),
                )
            })
            .collect();
        let refs: Vec<&crate::account::Account> = accounts.iter().collect();
        let uris = google::encode_batches(&refs, 1).unwrap();
        assert_eq!(uris.len(), 3);
        // A screenshot holding the first and the third code of the set only.
        let mut canvas = GrayImage::from_pixel(760, 380, Luma([255]));
        draw(&mut canvas, &uris[0], 4, 0, 0);
        draw(&mut canvas, &uris[2], 4, 380, 0);
        let items = read(
            &encode(DynamicImage::ImageLuma8(canvas), ImageFormat::Png),
            None,
        )
        .unwrap();
        assert_eq!(items.len(), 3, "{items:?}");
        let issuers: Vec<&str> = items[..2]
            .iter()
            .map(|i| i.result.as_ref().unwrap().issuer.as_str())
            .collect();
        assert_eq!(issuers, ["Ä", "C"]);
        for (item, original) in items.iter().zip([&accounts[0], &accounts[2]]) {
            assert!(item.result.as_ref().unwrap().same_codes_as(original));
        }
        assert!(
            matches!(&items[2].result, Err(EntryError::Missing(_))),
            "{:?}",
            items[2]
        );
        assert!(items[2].name.contains("2 of 3"), "{}", items[2].name);
    }

    #[test]
    fn names_foreign_payloads_by_number_and_marks_google_transfers() {
        let mut canvas = GrayImage::from_pixel(900, 300, Luma([255]));
        draw(&mut canvas, "https://example.org/SECRET", 4, 0, 0);
        draw(
            &mut canvas,
            "otpauth-migration://offline?data=%%%not-base64",
            4,
            300,
            0,
        );
        draw(&mut canvas, "otpauth://totp/X?secret=1189", 4, 600, 0);
        let items = read(
            &encode(DynamicImage::ImageLuma8(canvas), ImageFormat::Png),
            None,
        )
        .unwrap();
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(items[0].name, "QR code 1");
        assert!(matches!(&items[0].result, Err(EntryError::Invalid(w)) if !w.contains("SECRET")));
        assert_eq!(items[1].name, "QR code 2 (Google Authenticator transfer)");
        assert!(matches!(&items[1].result, Err(EntryError::Invalid(_))));
        assert_eq!(items[2].name, "QR code 3");
        assert!(matches!(&items[2].result, Err(EntryError::Invalid(w)) if w.contains("base32")));
        let raw = payloads(&encode(
            DynamicImage::ImageLuma8(single("otpauth-migration://offline?data=AA", 4)),
            ImageFormat::Png,
        ))
        .unwrap();
        assert_eq!(
            raw.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            ["otpauth-migration://offline?data=AA"]
        );
    }

    #[test]
    fn reads_a_code_in_a_shadow_that_one_global_threshold_misses() {
        // A printout whose light falls off by 60 % from left to right: its light modules on the
        // right are darker than its dark modules on the left.
        let code = single(ENROLL, 4);
        let (w, h) = code.dimensions();
        let (w, h) = (w as usize + 200, h as usize + 100);
        let mut luma = vec![0u8; w * h];
        for (y, row) in luma.chunks_exact_mut(w).enumerate() {
            for (x, v) in row.iter_mut().enumerate() {
                let (cx, cy) = (x.wrapping_sub(100) as u32, y.wrapping_sub(50) as u32);
                let dark = code.get_pixel_checked(cx, cy).is_some_and(|p| p.0[0] == 0);
                let light = 1.0 - 0.6 * x as f64 / w as f64;
                *v = ((if dark { 30.0 } else { 230.0 }) * light) as u8;
            }
        }
        let frame = Frame {
            width: w,
            height: h,
            luma: Cow::Borrowed(&luma),
        };
        assert!(
            decode_all(&frame).iter().all(Option::is_none),
            "quircs's own threshold reads it: the test no longer shows the second pass"
        );
        let items = read_luma(w as u32, h as u32, &luma).unwrap();
        assert_eq!(only_account(&items).issuer, "Example");
    }

    /// A finder pattern (7 × 7 modules: a dark ring, a light ring, a dark 3 × 3 stone) with
    /// `px` pixels a module, its top left corner at (`x`, `y`) of a `width`-wide grey frame.
    fn finder(luma: &mut [u8], width: usize, px: usize, x: usize, y: usize) {
        for my in 0..7 {
            for mx in 0..7 {
                let ring = mx == 0 || my == 0 || mx == 6 || my == 6;
                let stone = (2..=4).contains(&mx) && (2..=4).contains(&my);
                let v = if ring || stone { 0 } else { 255 };
                for row in &mut luma[(y + my * px) * width..(y + (my + 1) * px) * width]
                    .chunks_exact_mut(width)
                {
                    row[x + mx * px..x + (mx + 1) * px].fill(v);
                }
            }
        }
    }

    #[test]
    fn hostile_frames_are_searched_without_panic_and_yield_nothing() {
        // What a camera aimed at anything may hand over: frames one pixel thin, flat frames, a
        // fine checkerboard, noise, more finder patterns than the detector keeps (quircs: 32),
        // finder patterns that span the frame (the geometry's largest coordinates and
        // products), and three finders with no code between them.
        let mut frames: Vec<(usize, usize, Vec<u8>)> = vec![
            (1, 1, vec![0]),
            (1, 4096, vec![0; 4096]),
            (4096, 1, vec![255; 4096]),
            (64, 64, vec![0; 64 * 64]),
            (
                512,
                512,
                (0..512 * 512)
                    .map(|i| if (i % 512 + i / 512) % 2 == 0 { 0 } else { 255 })
                    .collect(),
            ),
        ];
        let mut seed = 7u32;
        frames.push((
            640,
            480,
            (0..640 * 480)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (seed >> 24) as u8
                })
                .collect(),
        ));
        let mut many = vec![255u8; 480 * 400];
        for i in 0..48 {
            finder(&mut many, 480, 3, 5 + (i % 8) * 59, 5 + (i / 8) * 65);
        }
        frames.push((480, 400, many));
        let mut huge = vec![255u8; 4096 * 4096];
        finder(&mut huge, 4096, 180, 0, 0);
        finder(&mut huge, 4096, 180, 4096 - 7 * 180, 0);
        finder(&mut huge, 4096, 180, 0, 4096 - 7 * 180);
        frames.push((4096, 4096, huge));
        let mut lone = vec![255u8; 300 * 300];
        for (x, y) in [(10, 10), (220, 10), (10, 220)] {
            finder(&mut lone, 300, 10, x, y);
        }
        frames.push((300, 300, lone));
        for (w, h, luma) in &frames {
            match payloads_luma(*w as u32, *h as u32, luma) {
                Ok(found) => assert!(found.is_empty(), "{w} x {h}: {} payloads", found.len()),
                Err(e) => assert_eq!(e, TransferError::Damaged(NO_QR_CODE.into()), "{w} x {h}"),
            }
        }
    }

    #[test]
    fn payloads_luma_gives_a_scanner_every_code_in_reading_order() {
        // A camera frame showing a TOTP code and a push enrollment side by side.
        let mut canvas = GrayImage::from_pixel(900, 450, Luma([255]));
        draw(&mut canvas, ENROLL, 4, 0, 0);
        draw(&mut canvas, PUSH, 4, 450, 0);
        let (w, h) = canvas.dimensions();
        let found = payloads_luma(w, h, canvas.as_raw()).unwrap();
        assert_eq!(
            found.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            [ENROLL, PUSH]
        );
        let blank = vec![255u8; 64 * 64];
        assert!(
            matches!(payloads_luma(64, 64, &blank), Err(TransferError::Damaged(m)) if m == NO_QR_CODE)
        );
        assert!(
            matches!(payloads_luma(64, 64, &blank[1..]), Err(TransferError::Damaged(m)) if m.contains("bytes"))
        );
        assert!(matches!(
            payloads_luma(0, 64, &[]),
            Err(TransferError::Damaged(_))
        ));
    }

    #[test]
    fn transfer_read_detects_png_and_jpeg_images() {
        for name in ["qr_screenshot.png", "qr_two_codes.jpg"] {
            let bytes = fixture(name);
            assert_eq!(
                super::super::detect(&bytes),
                Some(super::super::Format::QrImage),
                "{name}"
            );
            assert!(
                !super::super::read(&bytes, None, None).unwrap().is_empty(),
                "{name}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn read_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = read(&bytes, None);
        }

        #[test]
        fn read_never_panics_on_corrupted_images(flips in proptest::collection::vec((0usize..4096, proptest::num::u8::ANY), 1..8), jpeg in proptest::bool::ANY) {
            let format = if jpeg { ImageFormat::Jpeg } else { ImageFormat::Png };
            let mut bytes = encode(DynamicImage::ImageLuma8(single(ENROLL, 2)), format);
            for (at, value) in flips {
                let at = 8 + at % (bytes.len() - 8);
                bytes[at] = value;
            }
            let _ = read(&bytes, None);
        }
    }
}
