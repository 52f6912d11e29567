//! The texts of a move's QR codes, and putting a transfer's codes back together.
//!
//! Every field is upper-case base32 (RFC 4648, no padding), decimal or a fixed word, so a QR
//! encoder can use its dense alphanumeric mode:
//!
//! ```text
//! TESSERA-MOVE:1:OFFER:<offer id>:<expires at>:<public key>
//! TESSERA-MOVE:1:PART:<transfer id>:<index>:<count>:<data>
//! ```
//!
//! Ids are 10 random bytes, the public key 32 bytes, `expires at` unix seconds, `index` 1 to
//! `count`, `data` at most [`MAX_PART_DATA`] bytes of the transfer's bytes. Parts may come in any
//! order; a part given twice counts once; the data of parts 1…count, concatenated, is the
//! transfer (`super::seal`).

use std::collections::BTreeMap;

use super::{FORMAT_VERSION, HandoverError, MAX_PARTS, Offer, PREFIX};
use crate::crypto;

/// Length of an offer id and of a transfer id, in bytes.
pub const ID_LEN: usize = 10;
/// The most data bytes a part may hold when read (Tessera writes [`super::PART_BYTES`]).
pub const MAX_PART_DATA: usize = 2048;

/// The offer's text, as [`read_offer`] reads it.
pub(crate) fn offer_text(
    offer_id: &[u8; ID_LEN],
    expires_at: u64,
    public_key: &[u8; 32],
) -> String {
    format!(
        "{PREFIX}:{FORMAT_VERSION}:OFFER:{}:{expires_at}:{}",
        crate::encoding::base32(offer_id),
        crate::encoding::base32(public_key)
    )
}

/// The fields of a move code after its prefix and version; `Err` names what is wrong, as
/// `NewerVersion` when only the version is.
fn fields<'a>(text: &'a str, kind: &str) -> Result<Vec<&'a str>, Result<String, HandoverError>> {
    let text = text.trim();
    let mut fields: Vec<&str> = text.split(':').collect();
    if fields.len() < 3 || fields[0] != PREFIX {
        return Err(Ok("it does not start with TESSERA-MOVE".into()));
    }
    match fields[1].parse::<u32>() {
        Ok(FORMAT_VERSION) => {}
        Ok(found) if found > FORMAT_VERSION => {
            return Err(Err(HandoverError::NewerVersion {
                found,
                supported: FORMAT_VERSION,
            }));
        }
        _ => return Err(Ok("its format version is not one Tessera knows".into())),
    }
    if fields[2] != kind {
        return Err(Ok(match fields[2] {
            "OFFER" => "it is a move offer, not a transfer code".into(),
            "PART" => "it is a transfer code, not a move offer".into(),
            _ => "it is neither a move offer nor a transfer code".into(),
        }));
    }
    Ok(fields.split_off(3))
}

fn base32<const N: usize>(field: &str, what: &str) -> Result<[u8; N], String> {
    crate::encoding::base32_decode(field.as_bytes())
        .and_then(|bytes| <[u8; N]>::try_from(bytes).ok())
        .ok_or_else(|| format!("its {what} is not {N} bytes of base32"))
}

/// Reads the new device's offer QR code (on the old device, before sending): its key, id,
/// expiry and the check code to compare. Expiry is checked by
/// [`Vault::send_move`](crate::vault::Vault::send_move).
pub fn read_offer(text: &str) -> Result<Offer, HandoverError> {
    let fields = match fields(text, "OFFER") {
        Ok(fields) => fields,
        Err(Ok(why)) => return Err(HandoverError::NotAnOffer(why)),
        Err(Err(error)) => return Err(error),
    };
    let [id, expires, key] = fields[..] else {
        return Err(HandoverError::NotAnOffer(
            "it does not have an offer's three fields".into(),
        ));
    };
    let offer_id: [u8; ID_LEN] = base32(id, "offer id").map_err(HandoverError::NotAnOffer)?;
    let public_key: [u8; 32] = base32(key, "public key").map_err(HandoverError::NotAnOffer)?;
    let expires_at = expires
        .parse::<u64>()
        .map_err(|_| HandoverError::NotAnOffer("its expiry is not a time".into()))?;
    Ok(Offer {
        offer_id: crate::encoding::base32(&offer_id),
        public_key,
        expires_at,
        check_code: check_code(&offer_id, &public_key),
    })
}

/// The six digits both devices show for an offer: SHA-256 of a label, the offer id and the
/// public key; its first four bytes (big-endian) modulo one million, as `123 456`.
pub(crate) fn check_code(offer_id: &[u8; ID_LEN], public_key: &[u8; 32]) -> String {
    let mut hash = crypto::mac::Sha256::default();
    hash.update(b"tessera/move/v1/check");
    hash.update(offer_id);
    hash.update(public_key);
    let digest = hash.finish();
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 1_000_000;
    format!("{:03} {:03}", n / 1000, n % 1000)
}

/// The offer id back in bytes (it was written by [`read_offer`]).
pub(crate) fn offer_id_bytes(offer: &Offer) -> Result<[u8; ID_LEN], HandoverError> {
    base32(&offer.offer_id, "offer id").map_err(HandoverError::NotAnOffer)
}

/// Splits a transfer's bytes into the texts of its QR codes, `part_bytes` each.
pub(crate) fn split(transfer_id: &[u8; ID_LEN], bytes: &[u8], part_bytes: usize) -> Vec<String> {
    let id = crate::encoding::base32(transfer_id);
    let chunks: Vec<&[u8]> = bytes.chunks(part_bytes.max(1)).collect();
    let count = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            format!(
                "{PREFIX}:{FORMAT_VERSION}:PART:{id}:{}:{count}:{}",
                i + 1,
                crate::encoding::base32(chunk)
            )
        })
        .collect()
}

/// One transfer code, read.
struct Part {
    transfer_id: [u8; ID_LEN],
    index: u32,
    count: u32,
    data: Vec<u8>,
}

fn read_part(text: &str) -> Result<Part, Result<String, HandoverError>> {
    let fields = fields(text, "PART")?;
    let [id, index, count, data] = fields[..] else {
        return Err(Ok("it does not have a transfer code's four fields".into()));
    };
    let transfer_id = base32::<ID_LEN>(id, "transfer id").map_err(Ok)?;
    let number = |field: &str| field.parse::<u32>().ok();
    let (Some(index), Some(count)) = (number(index), number(count)) else {
        return Err(Ok("its number or count is not a number".into()));
    };
    if count == 0 || count as usize > MAX_PARTS || index == 0 || index > count {
        return Err(Ok(format!(
            "it says code {index} of {count} (a transfer has 1 to {MAX_PARTS} codes)"
        )));
    }
    // Checked before decoding, so a huge field is refused without being decoded.
    if data.len() > MAX_PART_DATA * 8 / 5 + 1 {
        return Err(Ok(format!(
            "it holds more than {MAX_PART_DATA} bytes of data"
        )));
    }
    let data = crate::encoding::base32_decode(data.as_bytes())
        .ok_or_else(|| Ok("its data is not base32".into()))?;
    Ok(Part {
        transfer_id,
        index,
        count,
        data,
    })
}

/// The codes of one transfer gathered so far, each number once.
pub(crate) struct Collected {
    pub(crate) transfer_id: [u8; ID_LEN],
    pub(crate) count: u32,
    pub(crate) parts: BTreeMap<u32, Vec<u8>>,
}

impl Collected {
    /// The numbers of the codes not given yet, ascending.
    pub(crate) fn missing(&self) -> Vec<u32> {
        (1..=self.count)
            .filter(|i| !self.parts.contains_key(i))
            .collect()
    }

    /// The transfer's bytes when every code is there; else which are missing.
    pub(crate) fn assemble(&self) -> Result<Vec<u8>, HandoverError> {
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(HandoverError::MissingParts {
                missing,
                count: self.count,
            });
        }
        Ok(self.parts.values().flatten().copied().collect())
    }
}

/// Gathers the codes of one transfer from scanned texts in any order. A code given twice
/// counts once; codes of two transfers, a code that is no transfer code, or one number with
/// two contents are errors naming which.
pub(crate) fn collect<S: AsRef<str>>(texts: &[S]) -> Result<Collected, HandoverError> {
    let mut collected: Option<Collected> = None;
    let mut other_transfers: Vec<[u8; ID_LEN]> = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let part = match read_part(text.as_ref()) {
            Ok(part) => part,
            Err(Ok(why)) => return Err(HandoverError::NotAPart { index: i + 1, why }),
            Err(Err(error)) => return Err(error),
        };
        let gathered = collected.get_or_insert_with(|| Collected {
            transfer_id: part.transfer_id,
            count: part.count,
            parts: BTreeMap::new(),
        });
        if part.transfer_id != gathered.transfer_id || part.count != gathered.count {
            if !other_transfers.contains(&part.transfer_id) {
                other_transfers.push(part.transfer_id);
            }
            continue;
        }
        match gathered.parts.get(&part.index) {
            Some(seen) if *seen != part.data => {
                return Err(HandoverError::ConflictingPart { index: part.index });
            }
            Some(_) => {}
            None => {
                gathered.parts.insert(part.index, part.data);
            }
        }
    }
    if !other_transfers.is_empty() {
        return Err(HandoverError::MixedTransfers {
            count: 1 + other_transfers.len(),
        });
    }
    collected.ok_or(HandoverError::NoParts)
}

/// How far the scanning of a transfer's codes has come: what a shell shows while the user
/// scans them one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanProgress {
    /// How many codes the transfer has (0 before the first one is scanned).
    pub count: u32,
    /// How many different codes of it were scanned.
    pub scanned: u32,
    /// The numbers (from 1) of the codes still to scan, ascending.
    pub missing: Vec<u32>,
    /// Every code is there: the transfer can be accepted.
    pub complete: bool,
}

/// The progress of scanning from the texts scanned so far (in any order, repeats allowed).
/// An empty list is no progress; a text that is no transfer code, or codes of two transfers,
/// are errors naming which, so the shell can tell the user at once.
pub fn scan_progress<S: AsRef<str>>(texts: &[S]) -> Result<ScanProgress, HandoverError> {
    if texts.is_empty() {
        return Ok(ScanProgress {
            count: 0,
            scanned: 0,
            missing: Vec::new(),
            complete: false,
        });
    }
    let collected = collect(texts)?;
    let missing = collected.missing();
    Ok(ScanProgress {
        count: collected.count,
        scanned: collected.parts.len() as u32,
        complete: missing.is_empty(),
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: [u8; ID_LEN] = [7; ID_LEN];

    #[test]
    fn offer_round_trips_and_is_alphanumeric() {
        let key = [0x42; 32];
        let text = offer_text(&ID, 1_800_000_000, &key);
        assert!(
            text.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || ":-".contains(c)),
            "{text}"
        );
        let offer = read_offer(&text).unwrap();
        assert_eq!(offer.public_key, key);
        assert_eq!(offer.expires_at, 1_800_000_000);
        assert_eq!(offer_id_bytes(&offer).unwrap(), ID);
        assert_eq!(offer.check_code.len(), 7, "{}", offer.check_code);
    }

    #[test]
    fn check_code_changes_with_the_key() {
        let a = check_code(&ID, &[1; 32]);
        let b = check_code(&ID, &[2; 32]);
        assert_ne!(a, b);
    }

    #[test]
    fn refuses_what_is_not_an_offer_with_reasons() {
        let key = [0x42; 32];
        let good = offer_text(&ID, 5, &key);
        let part = split(&ID, b"data", 100).remove(0);
        let cases: [(String, &str); 6] = [
            ("otpauth://totp/x?secret=AAAA".into(), "does not start"),
            (good.replace(":OFFER:", ":PART:"), "transfer code"),
            (part, "transfer code"),
            (good.replace(":5:", ":soon:"), "expiry"),
            (good[..good.len() - 4].to_owned(), "public key"),
            (good.replacen(":1:", ":0:", 1), "format version"),
        ];
        for (text, why) in cases {
            match read_offer(&text) {
                Err(HandoverError::NotAnOffer(reason)) => {
                    assert!(reason.contains(why), "{why}: {reason}")
                }
                other => panic!("{why}: {other:?}"),
            }
        }
        assert!(matches!(
            read_offer(&good.replacen(":1:", ":2:", 1)),
            Err(HandoverError::NewerVersion {
                found: 2,
                supported: 1
            })
        ));
    }

    #[test]
    fn parts_come_back_in_any_order_with_repeats() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let mut parts = split(&ID, &bytes, 300);
        assert_eq!(parts.len(), 4);
        parts.reverse();
        parts.push(parts[1].clone());
        let collected = collect(&parts).unwrap();
        assert_eq!(collected.assemble().unwrap(), bytes);
    }

    #[test]
    fn names_the_missing_parts() {
        let parts = split(&ID, &[9u8; 1000], 100);
        let some = [&parts[0], &parts[3], &parts[9]];
        match collect(&some).unwrap().assemble() {
            Err(HandoverError::MissingParts { missing, count }) => {
                assert_eq!(count, 10);
                assert_eq!(missing, vec![2, 3, 5, 6, 7, 8, 9]);
            }
            other => panic!("{other:?}"),
        }
        let progress = scan_progress(&some).unwrap();
        assert_eq!((progress.scanned, progress.count), (3, 10));
        assert!(!progress.complete);
    }

    #[test]
    fn refuses_parts_of_two_transfers_and_conflicting_repeats() {
        let a = split(&ID, &[1u8; 300], 100);
        let b = split(&[8; ID_LEN], &[1u8; 300], 100);
        assert!(matches!(
            collect(&[&a[0], &b[1], &a[2]]).err(),
            Some(HandoverError::MixedTransfers { count: 2 })
        ));
        let changed = split(&ID, &[2u8; 300], 100);
        assert!(matches!(
            collect(&[&a[0], &changed[0]]).err(),
            Some(HandoverError::ConflictingPart { index: 1 })
        ));
    }

    #[test]
    fn refuses_malformed_parts_naming_which() {
        let good = split(&ID, &[1u8; 10], 100).remove(0);
        let cases = [
            good.replace(":1:1:", ":2:1:"),
            good.replace(":1:1:", ":0:1:"),
            good.replace(":1:1:", ":1:999:"),
            format!("{good}!"),
            "hello".to_string(),
        ];
        for case in &cases {
            match collect(&[good.as_str(), case.as_str()]).err() {
                Some(HandoverError::NotAPart { index: 2, .. }) => {}
                other => panic!("{case}: {other:?}"),
            }
        }
        assert!(matches!(collect::<&str>(&[]), Err(HandoverError::NoParts)));
    }
}
