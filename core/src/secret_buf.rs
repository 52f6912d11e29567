//! [`SecretBuf`]: a growable byte buffer for plaintext that holds secrets (a backup's JSON
//! before it is sealed, an export file, a QR code's PNG), which leaves no copy behind.
//!
//! `Zeroizing<Vec<u8>>` wipes the buffer it owns when dropped, but not the buffers a `Vec`
//! abandons while it grows: each reallocation frees the old block with the plaintext still in
//! it. `SecretBuf` grows by itself instead — a new block, a copy, then the old block wiped
//! before it is freed — so every block that ever held the plaintext is zeroed. Writers that
//! know their size up front can still reserve it (`with_capacity`) and never grow.

use std::fmt;
use std::io;

use zeroize::{Zeroize, Zeroizing};

/// A byte buffer for secret plaintext: every block it used is wiped, on growth and on drop.
/// Write into it with `io::Write` (serde_json, image encoders) or `fmt::Write` (`write!`).
/// `Debug` prints only the length.
#[derive(Default)]
pub struct SecretBuf {
    buf: Zeroizing<Vec<u8>>,
}

/// The smallest block a growing buffer takes, so that tiny writes do not copy repeatedly.
const MIN_GROWTH: usize = 256;

impl SecretBuf {
    /// An empty buffer (no allocation yet).
    pub fn new() -> SecretBuf {
        SecretBuf::default()
    }

    /// An empty buffer with room for `capacity` bytes before it first grows.
    pub fn with_capacity(capacity: usize) -> SecretBuf {
        SecretBuf {
            buf: Zeroizing::new(Vec::with_capacity(capacity)),
        }
    }

    /// Appends `bytes`, moving to a larger block (and wiping the old one) when needed.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        let needed = self.buf.len().saturating_add(bytes.len());
        if needed > self.buf.capacity() {
            let capacity = needed
                .max(self.buf.capacity().saturating_mul(2))
                .max(MIN_GROWTH);
            let mut bigger = Vec::with_capacity(capacity);
            move_and_wipe(&mut self.buf, &mut bigger);
            self.buf = Zeroizing::new(bigger);
        }
        // Within capacity: `Vec` does not reallocate.
        self.buf.extend_from_slice(bytes);
    }

    /// The bytes written so far.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// Number of bytes written.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Room before the next growth (for tests and callers that reserve).
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// The bytes, still wiped on drop.
    pub fn into_bytes(self) -> Zeroizing<Vec<u8>> {
        self.buf
    }

    /// The bytes as text, still wiped on drop; `None` (and the bytes wiped) when they are not
    /// UTF-8.
    pub fn into_string(mut self) -> Option<Zeroizing<String>> {
        // `String::from_utf8` takes the vector's block as it is: no copy.
        match String::from_utf8(std::mem::take(&mut *self.buf)) {
            Ok(text) => Some(Zeroizing::new(text)),
            Err(e) => {
                e.into_bytes().zeroize();
                None
            }
        }
    }
}

/// Copies `from` into `to` (which must have room) and wipes `from`'s whole block, spare
/// capacity included; `from` keeps its block until its owner drops it.
fn move_and_wipe(from: &mut Vec<u8>, to: &mut Vec<u8>) {
    debug_assert!(to.capacity() - to.len() >= from.len());
    to.extend_from_slice(from);
    from.zeroize();
}

impl io::Write for SecretBuf {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.extend_from_slice(bytes);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Write for SecretBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl fmt::Debug for SecretBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBuf(<{} bytes redacted>)", self.buf.len())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    #[test]
    fn keeps_every_byte_across_growth() {
        let mut buf = SecretBuf::new();
        let mut expected = Vec::new();
        // Writes of many sizes, so the buffer grows several times, sometimes by one big write.
        for i in 0..400u32 {
            let chunk: Vec<u8> = (0..(i % 37) * (1 + i / 100))
                .map(|b| (b ^ i) as u8)
                .collect();
            buf.write_all(&chunk).unwrap();
            expected.extend_from_slice(&chunk);
        }
        buf.write_all(&vec![7u8; 10_000]).unwrap();
        expected.extend_from_slice(&[7u8; 10_000]);
        assert_eq!(buf.as_slice(), expected.as_slice());
        assert_eq!(buf.len(), expected.len());
    }

    #[test]
    fn growing_wipes_the_old_block() {
        let mut old = Vec::with_capacity(64);
        old.extend_from_slice(b"JBSWY3DPEHPK3PXP secret plaintext");
        let capacity = old.capacity();
        let mut new = Vec::with_capacity(128);
        move_and_wipe(&mut old, &mut new);
        assert_eq!(new, b"JBSWY3DPEHPK3PXP secret plaintext");
        assert!(old.is_empty());
        assert_eq!(
            old.capacity(),
            capacity,
            "the block is wiped in place, not freed"
        );
        // SAFETY: zeroize wrote zeros over the whole block (the bytes in use and the spare
        // capacity), so every byte up to the capacity is initialized.
        unsafe { old.set_len(capacity) };
        assert!(
            old.iter().all(|&b| b == 0),
            "the old block still holds plaintext"
        );
    }

    #[test]
    fn reserved_capacity_is_used_without_growing() {
        let mut buf = SecretBuf::with_capacity(1000);
        let capacity = buf.capacity();
        for _ in 0..100 {
            buf.extend_from_slice(b"0123456789");
        }
        assert_eq!(buf.capacity(), capacity, "no growth within the reservation");
    }

    #[test]
    fn text_round_trips_and_non_utf8_is_refused() {
        let mut buf = SecretBuf::new();
        fmt::Write::write_fmt(&mut buf, format_args!("otpauth://totp/{}", "A")).unwrap();
        assert_eq!(buf.into_string().unwrap().as_str(), "otpauth://totp/A");
        let mut bad = SecretBuf::new();
        bad.extend_from_slice(&[0xff, 0xfe]);
        assert!(bad.into_string().is_none());
    }

    #[test]
    fn debug_shows_only_the_length() {
        let mut buf = SecretBuf::new();
        buf.extend_from_slice(b"JBSWY3DPEHPK3PXP");
        assert_eq!(format!("{buf:?}"), "SecretBuf(<16 bytes redacted>)");
    }
}
