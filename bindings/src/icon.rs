//! Account pictures for the shells: `Vault.accountIcon(id)` returns one account's picture
//! (lists carry only `hasPicture`), `Vault.setAccountIcon(id, icon)` sets or removes it. Core
//! checks every image (PNG, JPEG or SVG by its own bytes, at most 256 KiB; an SVG passes a
//! bounded sanity check) and never renders one: drawing it is the shell's part.

use tessera_core::icon::{self as core, Icon, IconImage, IconRef};
use tessera_core::vault::AccountId;

use crate::error::{Result, TesseraError};
use crate::vault::Vault;

/// An account's picture.
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
#[uniffi::export(Debug)]
pub enum AccountIcon {
    /// An image to draw: `mediaType` is `image/png`, `image/jpeg` or `image/svg+xml` (found
    /// from the bytes themselves); an SVG is UTF-8 text without scripts or entity
    /// declarations, for the platform's SVG renderer.
    Image {
        /// The image's media type.
        media_type: String,
        /// The image's bytes.
        data: Vec<u8>,
    },
    /// A reference into another app's icon collection, which Tessera does not ship: draw
    /// the label when there is one (or when `labelShown`), or the app's own placeholder.
    Reference {
        /// Whose collection: `2fas` (2FAS's icons) or `ente/<set>` (Ente Auth's
        /// `simpleIcon`, `customIcon`).
        collection: String,
        /// The icon's id in that collection; may be empty.
        id: String,
        /// Letters to draw on a coloured tile (2FAS's label), if any.
        label: Option<String>,
        /// The tile's colour as the app names it (2FAS: `Default`, `Red`, `LightBlue`, …).
        label_color: Option<String>,
        /// The app showed the label rather than the collection's icon.
        label_shown: bool,
    },
}

// Image bytes are not secret, but printing them whole helps no one: the size is enough.
impl std::fmt::Debug for AccountIcon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccountIcon::Image { media_type, data } => f
                .debug_struct("Image")
                .field("media_type", media_type)
                .field("bytes", &data.len())
                .finish(),
            AccountIcon::Reference {
                collection,
                id,
                label,
                label_color,
                label_shown,
            } => f
                .debug_struct("Reference")
                .field("collection", collection)
                .field("id", id)
                .field("label", label)
                .field("label_color", label_color)
                .field("label_shown", label_shown)
                .finish(),
        }
    }
}

impl From<Icon> for AccountIcon {
    fn from(icon: Icon) -> Self {
        match icon {
            Icon::Image(image) => AccountIcon::Image {
                media_type: image.media_type().to_owned(),
                data: image.bytes().to_vec(),
            },
            Icon::Reference(r) => AccountIcon::Reference {
                collection: r.collection,
                id: r.id,
                label_color: r.label.as_ref().map(|l| l.color.clone()),
                label: r.label.map(|l| l.text),
                label_shown: r.label_shown,
            },
        }
    }
}

impl TryFrom<AccountIcon> for Icon {
    type Error = TesseraError;

    /// Checked like every icon: a bad image or reference is `InvalidInput`, naming why.
    fn try_from(value: AccountIcon) -> Result<Self> {
        let invalid = |e: core::IconError| TesseraError::invalid(e.to_string());
        match value {
            AccountIcon::Image { media_type, data } => Ok(Icon::Image(
                IconImage::new(data, Some(&media_type)).map_err(invalid)?,
            )),
            AccountIcon::Reference {
                collection,
                id,
                label,
                label_color,
                label_shown,
            } => IconRef::from_parts(collection, id, label, label_color, label_shown)
                .map(Icon::Reference)
                .map_err(invalid),
        }
    }
}

#[uniffi::export]
impl Vault {
    /// The picture of account `id` (also in the trash), or `null`/`nil` when it has none.
    /// `NotFound` for an unknown id, `Integrity` for a damaged account.
    pub fn account_icon(&self, id: String) -> Result<Option<AccountIcon>> {
        let icon = self.unlocked()?.icon(&AccountId::parse(&id)?)?;
        Ok(icon.map(AccountIcon::from))
    }

    /// Sets the picture of account `id`, or removes it with `null`/`nil`. An image must be a
    /// PNG, JPEG or SVG of at most 256 KiB whose bytes agree with `mediaType`; anything else
    /// is `InvalidInput` and changes nothing.
    pub fn set_account_icon(&self, id: String, icon: Option<AccountIcon>) -> Result<()> {
        let icon = icon.map(Icon::try_from).transpose()?;
        Ok(self
            .unlocked()?
            .set_icon(&AccountId::parse(&id)?, icon.as_ref())?)
    }
}
