//! Decoding a PNG or JPEG into the grey picture the QR detector searches, within a memory
//! budget.
//!
//! # Memory budget
//! Reading any image stays within [`MEMORY_BUDGET`] (256 MiB), whatever its dimensions say. A
//! 220 KB PNG can claim 10000 × 10000 pixels; decoded whole as RGBA and then converted and
//! copied, it once took 690 MB. Now:
//! - the detector works on a grey picture of at most [`MAX_WORK_SIDE`] pixels a side (16 MiB);
//!   larger images are reduced to it by averaging k × k blocks (a box filter with an integer
//!   factor), which keeps the modules of any code that fills a fair part of the image readable;
//! - a PNG that is not interlaced is decoded one row at a time: each row is turned into grey
//!   (composited over white where it has alpha) and added into the reduced picture at once, so
//!   the full-size image never exists in memory;
//! - an interlaced PNG (its Adam7 passes cannot be streamed row by row) and a JPEG are decoded
//!   whole, at one byte per pixel for JPEG (straight to luma) and at most
//!   [`MAX_WHOLE_DECODE_BYTES`] (160 MiB) for either, then reduced;
//! - sides past [`MAX_SIDE`] are refused from the header, before any pixel is decoded.
//!
//! The detector then holds the working picture (16 MiB at most) and its own thresholded copy of
//! it, two bytes a pixel (quircs labels regions with `u16`: 32 MiB at most), one pass at a time.
//! The retry for unevenly lit frames searches a two-level copy of the picture (16 MiB more, for
//! that pass only): 64 MiB at most. The dark-mode retry inverts the working picture in place (a
//! shell's frame, which is borrowed, is copied for it first). A grey
//! frame handed over by a shell ([`super::read_luma`]) is reduced the same way when it is
//! larger than the working size.
//!
//! File decoding is the `image-files` feature; the reduction is always built.

#[cfg(feature = "image-files")]
use std::io::Cursor;

#[cfg(feature = "image-files")]
use image::ImageFormat;

use super::Frame;
#[cfg(feature = "image-files")]
use super::TransferError;

/// The most memory reading one image may take (documented in `docs/limits.md`).
pub const MEMORY_BUDGET: usize = 256 << 20;
/// Largest width or height accepted, in pixels (a 12-megapixel photo is about 4000 × 3000).
pub(super) const MAX_SIDE: u32 = 10_000;
/// Longest side of the picture the detector searches; larger images are reduced to it.
pub(super) const MAX_WORK_SIDE: u32 = 4096;
/// The most bytes an image decoded whole (interlaced PNG, JPEG) may take.
#[cfg(feature = "image-files")]
const MAX_WHOLE_DECODE_BYTES: usize = 160 << 20;

/// A grey frame of `width` × `height` (`luma` row by row) reduced to the working size; `None`
/// when it is already within it (use it as it is).
pub(super) fn reduce(width: u32, height: u32, luma: &[u8]) -> Option<Frame<'static>> {
    if width.max(height) <= MAX_WORK_SIDE {
        return None;
    }
    let mut reducer = Reducer::new(width, height);
    for row in luma.chunks_exact(width as usize) {
        reducer.push(row);
    }
    reducer.finish()
}

#[cfg(feature = "image-files")]
fn too_large() -> TransferError {
    TransferError::Damaged("the image is too large to read".into())
}

#[cfg(feature = "image-files")]
fn corrupt() -> TransferError {
    TransferError::Damaged("the image cannot be decoded (truncated or corrupt)".into())
}

/// Decodes `bytes` (PNG or JPEG) into a grey picture of at most [`MAX_WORK_SIDE`] a side.
#[cfg(feature = "image-files")]
pub(super) fn load_grey(bytes: &[u8]) -> Result<Frame<'static>, TransferError> {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => load_png(bytes),
        Ok(ImageFormat::Jpeg) => load_jpeg(bytes),
        Ok(_) => Err(TransferError::Damaged(
            "only PNG and JPEG images are read".into(),
        )),
        Err(_) => Err(TransferError::UnknownFormat),
    }
}

#[cfg(feature = "image-files")]
fn png_error(e: png::DecodingError) -> TransferError {
    match e {
        png::DecodingError::LimitsExceeded => too_large(),
        _ => corrupt(),
    }
}

#[cfg(feature = "image-files")]
fn load_png(bytes: &[u8]) -> Result<Frame<'static>, TransferError> {
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: MAX_WHOLE_DECODE_BYTES,
        },
    );
    // Palettes and low bit depths expanded, 16-bit samples cut to 8: every row is 8-bit grey,
    // grey + alpha, RGB or RGBA.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(png_error)?;
    let (width, height, interlaced) = {
        let info = reader.info();
        (info.width, info.height, info.interlaced)
    };
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(too_large());
    }
    let channels = match reader.output_color_type().0 {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        // normalize_to_color8 expands palettes; anything else is not a PNG we can read.
        png::ColorType::Indexed => return Err(corrupt()),
    };
    let mut reducer = Reducer::new(width, height);
    let mut grey_row = vec![0u8; width as usize];
    if interlaced {
        let size = reader.output_buffer_size().ok_or_else(too_large)?;
        if size > MAX_WHOLE_DECODE_BYTES {
            return Err(too_large());
        }
        let mut whole = Vec::new();
        whole.try_reserve_exact(size).map_err(|_| too_large())?;
        whole.resize(size, 0);
        let frame = reader.next_frame(&mut whole).map_err(png_error)?;
        for row in whole.chunks(frame.line_size).take(height as usize) {
            to_grey(row, channels, &mut grey_row);
            reducer.push(&grey_row);
        }
    } else {
        while let Some(row) = reader.next_row().map_err(png_error)? {
            to_grey(row.data(), channels, &mut grey_row);
            reducer.push(&grey_row);
        }
    }
    reducer.finish().ok_or_else(corrupt)
}

#[cfg(feature = "image-files")]
fn load_jpeg(bytes: &[u8]) -> Result<Frame<'static>, TransferError> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;

    let options = DecoderOptions::default()
        .set_max_width(MAX_SIDE as usize)
        .set_max_height(MAX_SIDE as usize)
        // Luma straight from the decoder: one byte per pixel, never an RGB copy.
        .jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(|e| match e {
        zune_jpeg::errors::DecodeErrors::LargeDimensions(_) => too_large(),
        _ => corrupt(),
    })?;
    let (width, height) = decoder.dimensions().ok_or_else(corrupt)?;
    let size = decoder.output_buffer_size().ok_or_else(too_large)?;
    // A progressive JPEG also keeps its coefficients (two bytes per sample) until the end.
    if size.saturating_mul(3) > MAX_WHOLE_DECODE_BYTES {
        return Err(too_large());
    }
    let pixels = decoder.decode().map_err(|_| corrupt())?;
    let (width, height) = (width as u32, height as u32);
    if pixels.len() != width as usize * height as usize {
        return Err(corrupt());
    }
    let mut reducer = Reducer::new(width, height);
    for row in pixels.chunks_exact(width as usize) {
        reducer.push(row);
    }
    reducer.finish().ok_or_else(corrupt)
}

/// One decoded row in grey: Rec. 601 luma, alpha composited over white (so that a code drawn
/// on a transparent background keeps its contrast).
#[cfg(feature = "image-files")]
fn to_grey(row: &[u8], channels: usize, out: &mut [u8]) {
    let over_white = |luma: u32, alpha: u32| ((luma * alpha + 255 * (255 - alpha)) / 255) as u8;
    let luma =
        |p: &[u8]| (299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2])) / 1000;
    for (pixel, grey) in row.chunks_exact(channels).zip(out.iter_mut()) {
        *grey = match channels {
            1 => pixel[0],
            2 => over_white(u32::from(pixel[0]), u32::from(pixel[1])),
            3 => luma(pixel) as u8,
            _ => over_white(luma(pixel), u32::from(pixel[3])),
        };
    }
}

/// Reduces rows of a `width` × `height` grey image, pushed top to bottom, to at most
/// [`MAX_WORK_SIDE`] a side by averaging `factor` × `factor` blocks (edge blocks average what
/// they have). Holds one row of sums and the output.
struct Reducer {
    width: u32,
    factor: u32,
    sums: Vec<u32>,
    rows_summed: u32,
    out_width: usize,
    out_height: usize,
    out: Vec<u8>,
}

impl Reducer {
    fn new(width: u32, height: u32) -> Reducer {
        let factor = width.max(height).div_ceil(MAX_WORK_SIDE).max(1);
        let out_width = width.div_ceil(factor) as usize;
        let out_height = height.div_ceil(factor) as usize;
        Reducer {
            width,
            factor,
            sums: vec![0; out_width],
            rows_summed: 0,
            out_width,
            out_height,
            out: Vec::with_capacity(out_width * out_height),
        }
    }

    fn push(&mut self, row: &[u8]) {
        let row = &row[..self.width as usize];
        if self.factor == 1 {
            if self.out.len() < self.out_width * self.out_height {
                self.out.extend_from_slice(row);
            }
            return;
        }
        let f = self.factor as usize;
        for (sum, block) in self.sums.iter_mut().zip(row.chunks(f)) {
            *sum += block.iter().map(|&v| u32::from(v)).sum::<u32>();
        }
        self.rows_summed += 1;
        if self.rows_summed == self.factor {
            self.emit();
        }
    }

    fn emit(&mut self) {
        if self.out.len() >= self.out_width * self.out_height {
            return;
        }
        let f = self.factor;
        let last_cols = self.width - (self.out_width as u32 - 1) * f;
        for (x, sum) in self.sums.iter_mut().enumerate() {
            let cols = if x + 1 == self.out_width {
                last_cols
            } else {
                f
            };
            self.out.push((*sum / (cols * self.rows_summed)) as u8);
            *sum = 0;
        }
        self.rows_summed = 0;
    }

    /// The reduced picture, or `None` when fewer rows came than the header announced.
    fn finish(mut self) -> Option<Frame<'static>> {
        if self.rows_summed > 0 {
            self.emit();
        }
        (self.out.len() == self.out_width * self.out_height).then(|| Frame {
            width: self.out_width,
            height: self.out_height,
            luma: self.out.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reducer_averages_blocks_and_keeps_small_images_as_they_are() {
        let mut small = Reducer::new(3, 2);
        small.push(&[1, 2, 3]);
        small.push(&[4, 5, 6]);
        let small = small.finish().unwrap();
        assert_eq!((small.width, small.height), (3, 2));
        assert_eq!(&small.luma[..], [1, 2, 3, 4, 5, 6]);

        // 4097 wide: factor 2, and the last column's blocks are one pixel wide.
        let row: Vec<u8> = (0..=MAX_WORK_SIDE).map(|x| (x % 2 * 200) as u8).collect();
        let luma = row.repeat(3);
        let wide = reduce(MAX_WORK_SIDE + 1, 3, &luma).unwrap();
        let half = (MAX_WORK_SIDE / 2) as usize;
        assert_eq!((wide.width, wide.height), (half + 1, 2));
        assert_eq!(wide.luma[0], 100, "a 2 x 2 block of 0 and 200");
        assert_eq!(wide.luma[2 * half + 1], 0, "the last, one-pixel-wide block");
        assert!(reduce(MAX_WORK_SIDE, 3, &luma[..3 * 4096]).is_none());
    }

    #[test]
    fn reducer_reports_missing_rows() {
        let mut r = Reducer::new(MAX_WORK_SIDE * 2, 4);
        r.push(&vec![0; MAX_WORK_SIDE as usize * 2]);
        assert!(r.finish().is_none(), "one row of four");
    }
}
