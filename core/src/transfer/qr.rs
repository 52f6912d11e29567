//! QR codes in images (work in progress).

use super::{ImportItem, TransferError};

/// Reads a QR image (not yet implemented).
pub fn read(_bytes: &[u8], _password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    Err(TransferError::UnknownFormat)
}
