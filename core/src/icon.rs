//! Account icons as other authenticators carry them: an image (Aegis keeps SVG, PNG and JPEG
//! bytes in its vault) or a reference into an app's own icon collection (2FAS's collection id
//! and its text-on-colour label, Ente's `iconSrc`/`iconID`).
//!
//! Core keeps icons and hands them to the shells; it never renders one. An image is bounded
//! ([`MAX_ICON_BYTES`]) and its type is sniffed from its bytes, never taken from a file's word
//! for it: a declared media type that disagrees with the bytes is refused. An SVG gets only a
//! bounded sanity check (a linear scan, no XML parser): text with an `<svg` root and no entity
//! declarations or scripts, so a shell's renderer is never handed an entity bomb or a script.

use std::fmt;

use base64::Engine as _;

/// The largest icon image kept (256 KiB). Icon packs' SVGs are a few KiB and Aegis scales a
/// picked picture down before storing it, so real icons sit far below; the bound keeps a
/// thousand-account vault (and its backup) within what a phone handles.
pub const MAX_ICON_BYTES: usize = 256 * 1024;

/// The longest text of a reference (collection, id, label text, colour), in bytes.
pub const MAX_ICON_TEXT: usize = 256;

/// The kinds of image an icon may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageType {
    /// PNG (`image/png`).
    Png,
    /// JPEG (`image/jpeg`).
    Jpeg,
    /// SVG (`image/svg+xml`): stored as text, rendered only by the shells.
    Svg,
}

impl ImageType {
    /// The IANA media type (`image/png`, `image/jpeg`, `image/svg+xml`).
    pub fn media_type(self) -> &'static str {
        match self {
            ImageType::Png => "image/png",
            ImageType::Jpeg => "image/jpeg",
            ImageType::Svg => "image/svg+xml",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ImageType::Png => "png",
            ImageType::Jpeg => "jpg",
            ImageType::Svg => "svg",
        }
    }

    /// The type a media type names, case-insensitively and ignoring parameters
    /// (`image/svg+xml; charset=utf-8`); `image/jpg`, a common misspelling, is JPEG.
    pub fn from_media_type(media_type: &str) -> Option<ImageType> {
        let essence = media_type.split(';').next().unwrap_or("").trim();
        match essence.to_ascii_lowercase().as_str() {
            "image/png" => Some(ImageType::Png),
            "image/jpeg" | "image/jpg" => Some(ImageType::Jpeg),
            "image/svg+xml" => Some(ImageType::Svg),
            _ => None,
        }
    }

    /// The type the bytes are, from their signature (PNG, JPEG) or their text (SVG); `None`
    /// for anything else. An SVG is recognised here by its root; [`IconImage::new`] then
    /// applies the full sanity check.
    pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageType::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageType::Jpeg)
        } else if svg_root_at(bytes).is_some() {
            Some(ImageType::Svg)
        } else {
            None
        }
    }
}

/// Why an icon was not kept. Names the problem, never the icon's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IconError {
    /// The image is empty.
    #[error("the icon image is empty")]
    Empty,
    /// The image is larger than [`MAX_ICON_BYTES`].
    #[error("the icon image is {size} bytes; icons over {max} bytes are not kept")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The bound.
        max: usize,
    },
    /// The bytes are neither PNG, JPEG nor SVG.
    #[error("the icon is not a PNG, JPEG or SVG image")]
    UnknownImage,
    /// The declared media type is not one Tessera keeps.
    #[error("icons of type {0:?} are not kept (only PNG, JPEG and SVG)")]
    UnsupportedMediaType(String),
    /// The declared media type disagrees with the bytes.
    #[error("the icon is declared as {declared} but its bytes are {found}")]
    Mismatch {
        /// What the file said.
        declared: &'static str,
        /// What the bytes are.
        found: &'static str,
    },
    /// An SVG that fails the sanity check (the reason).
    #[error("the SVG icon is refused: {0}")]
    Svg(&'static str),
    /// The icon's encoding or checksum in the file is broken (the reason).
    #[error("the icon is damaged: {0}")]
    Damaged(&'static str),
    /// A reference that cannot be kept (the reason).
    #[error("the icon reference is refused: {0}")]
    Reference(&'static str),
}

/// An icon image whose type was sniffed from its bytes and, for SVG, sanity-checked. Only
/// [`IconImage::new`] makes one, so every value holds a checked image. `Debug` prints its type
/// and size, not its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct IconImage {
    kind: ImageType,
    bytes: Vec<u8>,
}

impl IconImage {
    /// Checks `bytes` as an icon: at most [`MAX_ICON_BYTES`], a PNG, JPEG or SVG by its own
    /// content, of the `declared` media type when one is given, and for SVG the sanity check
    /// of the module docs.
    pub fn new(bytes: Vec<u8>, declared: Option<&str>) -> Result<IconImage, IconError> {
        if bytes.is_empty() {
            return Err(IconError::Empty);
        }
        if bytes.len() > MAX_ICON_BYTES {
            return Err(IconError::TooLarge {
                size: bytes.len(),
                max: MAX_ICON_BYTES,
            });
        }
        let declared =
            match declared {
                Some(text) => Some(ImageType::from_media_type(text).ok_or_else(|| {
                    IconError::UnsupportedMediaType(text.chars().take(64).collect())
                })?),
                None => None,
            };
        let kind = ImageType::sniff(&bytes).ok_or(IconError::UnknownImage)?;
        if let Some(declared) = declared
            && declared != kind
        {
            return Err(IconError::Mismatch {
                declared: declared.media_type(),
                found: kind.media_type(),
            });
        }
        if kind == ImageType::Svg {
            check_svg(&bytes)?;
        }
        Ok(IconImage { kind, bytes })
    }

    /// What kind of image it is.
    pub fn image_type(&self) -> ImageType {
        self.kind
    }

    /// Its media type (`image/png`, …).
    pub fn media_type(&self) -> &'static str {
        self.kind.media_type()
    }

    /// The image's bytes, as they came.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for IconImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IconImage")
            .field("type", &self.kind)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// The collection of [`IconRef`]s read from 2FAS: `id` is an icon of 2FAS's icon collection.
pub const COLLECTION_2FAS: &str = "2fas";
/// The collections of [`IconRef`]s read from Ente Auth start with this, followed by Ente's
/// `iconSrc` (`ente/simpleIcon`, `ente/customIcon`); `id` is Ente's `iconID`.
pub const COLLECTION_ENTE_PREFIX: &str = "ente/";

/// A reference to an icon in another app's collection, which Tessera does not ship: kept so
/// an export to that app gives it back, and for a shell that draws the same collection (or
/// the label).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IconRef {
    /// Whose collection `id` names ([`COLLECTION_2FAS`], `ente/…`).
    pub collection: String,
    /// The icon's id in that collection; may be empty when only a label is known.
    pub id: String,
    /// Text drawn on a coloured tile instead of a picture (2FAS's label).
    pub label: Option<IconLabel>,
    /// True when the app showed the label rather than the collection's icon.
    pub label_shown: bool,
}

/// A few letters on a coloured tile: what 2FAS shows when no picture is chosen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IconLabel {
    /// The letters (2FAS allows up to 2).
    pub text: String,
    /// The tile's colour as the app names it (2FAS: `Default`, `Red`, `LightBlue`, …).
    pub color: String,
}

impl IconRef {
    /// A reference from its parts as the storage forms and the FFI carry them (a label's
    /// colour only with a label), checked by [`IconRef::check`].
    pub fn from_parts(
        collection: String,
        id: String,
        label: Option<String>,
        color: Option<String>,
        label_shown: bool,
    ) -> Result<IconRef, IconError> {
        let reference = IconRef {
            collection,
            id,
            label: label.map(|text| IconLabel {
                text,
                color: color.unwrap_or_default(),
            }),
            label_shown,
        };
        reference.check()?;
        Ok(reference)
    }

    /// Checks the reference's bounds: a collection, each text at most [`MAX_ICON_TEXT`]
    /// bytes and without control characters, and something to show (an id or a label).
    pub fn check(&self) -> Result<(), IconError> {
        let mut texts = vec![&self.collection, &self.id];
        if let Some(label) = &self.label {
            texts.push(&label.text);
            texts.push(&label.color);
        }
        if texts
            .iter()
            .any(|t| t.len() > MAX_ICON_TEXT || t.chars().any(char::is_control))
        {
            return Err(IconError::Reference(
                "a field is too long or holds control characters",
            ));
        }
        if self.collection.is_empty() {
            return Err(IconError::Reference("it names no collection"));
        }
        if self.id.is_empty() && self.label.is_none() {
            return Err(IconError::Reference("it has neither an id nor a label"));
        }
        Ok(())
    }
}

/// An account's icon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Icon {
    /// A picture (Aegis).
    Image(IconImage),
    /// A reference into another app's icon collection (2FAS, Ente).
    Reference(IconRef),
}

/// The storage form of an [`Icon`]: JSON in Tessera's backups, sealed in the vault. Private
/// so that every way back to an `Icon` goes through the checks of [`Icon::from_wire`].
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(crate) enum IconWire {
    Image {
        media_type: String,
        /// Standard base64.
        data: String,
    },
    Reference {
        collection: String,
        #[serde(default)]
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        color: Option<String>,
        #[serde(default)]
        label_shown: bool,
    },
}

/// Decodes an icon from standard base64 (padding optional), refusing before decoding anything
/// whose decoded size would pass [`MAX_ICON_BYTES`].
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, IconError> {
    let text = text.trim();
    if text.len() > MAX_ICON_BYTES.div_ceil(3) * 4 {
        return Err(IconError::TooLarge {
            size: text.len() / 4 * 3,
            max: MAX_ICON_BYTES,
        });
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine
        .decode(text)
        .map_err(|_| IconError::Damaged("it is not valid base64"))
}

impl Icon {
    /// The storage form.
    pub(crate) fn to_wire(&self) -> IconWire {
        match self {
            Icon::Image(image) => IconWire::Image {
                media_type: image.media_type().to_owned(),
                data: crate::encoding::base64(image.bytes()),
            },
            Icon::Reference(r) => IconWire::Reference {
                collection: r.collection.clone(),
                id: r.id.clone(),
                label: r.label.as_ref().map(|l| l.text.clone()),
                color: r.label.as_ref().map(|l| l.color.clone()),
                label_shown: r.label_shown,
            },
        }
    }

    /// Back from the storage form, with every check a new icon gets.
    pub(crate) fn from_wire(wire: IconWire) -> Result<Icon, IconError> {
        match wire {
            IconWire::Image { media_type, data } => {
                IconImage::new(decode_base64(&data)?, Some(&media_type)).map(Icon::Image)
            }
            IconWire::Reference {
                collection,
                id,
                label,
                color,
                label_shown,
            } => {
                IconRef::from_parts(collection, id, label, color, label_shown).map(Icon::Reference)
            }
        }
    }

    /// The sealed form in the vault: one type byte, then the image's bytes or the reference
    /// as JSON (no base64: images are stored at their size).
    pub(crate) fn encode(&self) -> Vec<u8> {
        match self {
            Icon::Image(image) => {
                let tag = match image.kind {
                    ImageType::Png => TAG_PNG,
                    ImageType::Jpeg => TAG_JPEG,
                    ImageType::Svg => TAG_SVG,
                };
                let mut out = Vec::with_capacity(1 + image.bytes.len());
                out.push(tag);
                out.extend_from_slice(&image.bytes);
                out
            }
            Icon::Reference(_) => {
                let mut out = vec![TAG_REFERENCE];
                // Serializing a plain enum of strings into a Vec cannot fail.
                serde_json::to_writer(&mut out, &self.to_wire()).unwrap_or_default();
                out
            }
        }
    }

    /// Reads [`Icon::encode`]'s form, checking it again.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Icon, IconError> {
        let (&tag, rest) = bytes.split_first().ok_or(IconError::Empty)?;
        let image = |kind: ImageType| {
            IconImage::new(rest.to_vec(), Some(kind.media_type())).map(Icon::Image)
        };
        match tag {
            TAG_PNG => image(ImageType::Png),
            TAG_JPEG => image(ImageType::Jpeg),
            TAG_SVG => image(ImageType::Svg),
            TAG_REFERENCE => {
                let wire: IconWire = serde_json::from_slice(rest)
                    .map_err(|_| IconError::Reference("it is not readable"))?;
                Icon::from_wire(wire)
            }
            _ => Err(IconError::UnknownImage),
        }
    }
}

const TAG_PNG: u8 = 1;
const TAG_JPEG: u8 = 2;
const TAG_SVG: u8 = 3;
const TAG_REFERENCE: u8 = 16;

/// Where the `<svg` root element starts, when `bytes` is text whose first element is `svg`
/// after an optional byte-order mark, XML declaration, comments, processing instructions and
/// doctype. `None` for anything else.
fn svg_root_at(bytes: &[u8]) -> Option<usize> {
    let mut at = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    loop {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let rest = &bytes[at..];
        let skip_past = |end: &[u8]| find(rest, end).map(|i| i + end.len());
        if rest.starts_with(b"<?") {
            at += skip_past(b"?>")?;
        } else if rest.starts_with(b"<!--") {
            at += skip_past(b"-->")?;
        } else if starts_with_ignore_case(rest, b"<!DOCTYPE") {
            at += skip_past(b">")?;
        } else if rest.starts_with(b"<svg")
            && rest
                .get(4)
                .is_some_and(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'/')
        {
            return Some(at);
        } else {
            return None;
        }
    }
}

/// The bounded sanity check of an SVG: UTF-8 text, an `<svg` root, no entity declarations or
/// internal DTD subset (entity expansion bombs, external entities), no `<script>` element,
/// no `<foreignObject>` (HTML inside an SVG), and an end after the root. Case-insensitive
/// where XML and HTML renderers are.
fn check_svg(bytes: &[u8]) -> Result<(), IconError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(IconError::Svg("it is not UTF-8 text"));
    }
    let root = svg_root_at(bytes).ok_or(IconError::Svg("its root element is not <svg>"))?;
    if contains_ignore_case(bytes, b"<!ENTITY") {
        return Err(IconError::Svg("it declares entities"));
    }
    // An internal DTD subset (`<!DOCTYPE svg [ … ]>`) is where entities live.
    if let Some(doctype) = find_ignore_case(bytes, b"<!DOCTYPE") {
        let end = find(&bytes[doctype..], b">").map_or(bytes.len(), |i| doctype + i);
        if bytes[doctype..end].contains(&b'[') {
            return Err(IconError::Svg("it has an internal DTD subset"));
        }
    }
    if contains_ignore_case(bytes, b"<script") {
        return Err(IconError::Svg("it contains a script"));
    }
    if contains_ignore_case(bytes, b"<foreignobject") {
        return Err(IconError::Svg("it embeds foreign content"));
    }
    // It ends with `</svg>`, or is one self-closed `<svg …/>` element.
    let trimmed = bytes.trim_ascii_end();
    let self_closed = trimmed.ends_with(b"/>") && !trimmed[root + 1..].contains(&b'<');
    if !(ends_with_ignore_case(trimmed, b"</svg>") || self_closed) {
        return Err(IconError::Svg("it does not end with its root element"));
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    find_ignore_case(haystack, needle).is_some()
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|b| b.eq_ignore_ascii_case(prefix))
}

fn ends_with_ignore_case(bytes: &[u8], suffix: &[u8]) -> bool {
    bytes.len() >= suffix.len() && bytes[bytes.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest PNG signature and IHDR start: enough for sniffing, which is all core does.
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];
    const SVG: &[u8] = br#"<?xml version="1.0"?>
<!-- drawn by hand -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>
"#;

    #[test]
    fn sniffs_png_jpeg_and_svg_and_checks_the_declared_type() {
        for (bytes, kind) in [
            (PNG, ImageType::Png),
            (JPEG, ImageType::Jpeg),
            (SVG, ImageType::Svg),
        ] {
            let image = IconImage::new(bytes.to_vec(), None).unwrap();
            assert_eq!(image.image_type(), kind);
            let declared = IconImage::new(bytes.to_vec(), Some(kind.media_type())).unwrap();
            assert_eq!(declared.bytes(), bytes);
        }
        assert_eq!(
            IconImage::new(PNG.to_vec(), Some("image/jpeg")),
            Err(IconError::Mismatch {
                declared: "image/jpeg",
                found: "image/png"
            })
        );
        assert!(IconImage::new(JPEG.to_vec(), Some("IMAGE/JPG; q=1")).is_ok());
        assert!(matches!(
            IconImage::new(PNG.to_vec(), Some("image/webp")),
            Err(IconError::UnsupportedMediaType(_))
        ));
        assert_eq!(
            IconImage::new(b"GIF89a".to_vec(), None),
            Err(IconError::UnknownImage)
        );
        assert_eq!(IconImage::new(Vec::new(), None), Err(IconError::Empty));
    }

    #[test]
    fn refuses_an_image_over_the_bound() {
        let mut big = PNG.to_vec();
        big.resize(MAX_ICON_BYTES + 1, 0);
        assert!(matches!(
            IconImage::new(big.clone(), None),
            Err(IconError::TooLarge { .. })
        ));
        big.truncate(MAX_ICON_BYTES);
        assert!(IconImage::new(big, None).is_ok());
    }

    #[test]
    fn refuses_svgs_that_a_renderer_should_not_see() {
        let refused: &[(&[u8], &str)] = &[
            (
                b"<!DOCTYPE svg [<!ENTITY a \"aaaa\">]><svg>&a;</svg>",
                "entities",
            ),
            (
                b"<svg xmlns='http://www.w3.org/2000/svg'><SCRIPT>x()</SCRIPT></svg>",
                "script",
            ),
            (b"<svg><foreignObject><p/></foreignObject></svg>", "foreign"),
            (b"<svg><rect/>", "end"),
            (b"<html><svg></svg></html>", "root"),
            (b"<svg>\xff</svg>", "UTF-8"),
        ];
        for (bytes, why) in refused {
            let err = IconImage::new(bytes.to_vec(), Some("image/svg+xml")).unwrap_err();
            assert!(
                matches!(
                    err,
                    IconError::Svg(_) | IconError::Mismatch { .. } | IconError::UnknownImage
                ),
                "{why}: {err:?}"
            );
        }
        assert!(IconImage::new(b"\xEF\xBB\xBF <svg/>".to_vec(), None).is_ok());
    }

    #[test]
    fn storage_forms_round_trip_and_are_checked_again() {
        let icons = [
            Icon::Image(IconImage::new(SVG.to_vec(), None).unwrap()),
            Icon::Image(IconImage::new(PNG.to_vec(), None).unwrap()),
            Icon::Reference(IconRef {
                collection: COLLECTION_2FAS.into(),
                id: "a5b3fb65-4ec5-43e6-8ec1-49e24ca9e7ad".into(),
                label: Some(IconLabel {
                    text: "GH".into(),
                    color: "Orange".into(),
                }),
                label_shown: true,
            }),
        ];
        for icon in icons {
            assert_eq!(Icon::decode(&icon.encode()).unwrap(), icon);
            let json = serde_json::to_string(&icon.to_wire()).unwrap();
            let wire: IconWire = serde_json::from_str(&json).unwrap();
            assert_eq!(Icon::from_wire(wire).unwrap(), icon);
        }
        // A stored PNG tag over SVG bytes is refused, not trusted.
        let mut forged = vec![TAG_PNG];
        forged.extend_from_slice(SVG);
        assert!(Icon::decode(&forged).is_err());
        assert!(Icon::decode(&[]).is_err());
        let empty_ref = IconWire::Reference {
            collection: String::new(),
            id: "x".into(),
            label: None,
            color: None,
            label_shown: false,
        };
        assert!(Icon::from_wire(empty_ref).is_err());
    }

    #[test]
    fn debug_shows_no_image_bytes() {
        let image = IconImage::new(SVG.to_vec(), None).unwrap();
        let shown = format!("{image:?}");
        assert!(!shown.contains("rect"), "{shown}");
        assert!(shown.contains("Svg"), "{shown}");
    }
}
