//! Google Authenticator's transfer format: `otpauth-migration://offline?data=<base64 protobuf>`.
//!
//! A large export is split into several URIs (one per QR code) sharing a `batch_id`, numbered
//! `batch_index` of `batch_size`. The importer reads any number of them, one per line, and adds
//! a [`EntryError::Missing`] item for every run of batches of a set that is not there.
//!
//! # Bounds
//! `batch_size` and `batch_index` come from the file, so they are checked before anything is
//! built from them: a set has at most [`MAX_BATCH_SIZE`] QR codes and an index lies inside its
//! set. Missing codes are reported one by one, but a long gap between the codes that were
//! given is one entry (`QR codes 13–999 of 1000`), so the report grows with the input, never
//! with the numbers in it.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use prost::Message;
use zeroize::{Zeroize, Zeroizing};

use super::{EntryError, ImportItem, TransferError, entry_name};
use crate::account::{Account, Algorithm, OtpKind, OtpParams};
use crate::secret::Secret;

const SCHEME_PREFIX: &str = "otpauth-migration://offline?";

/// The most QR codes one transfer set may announce. Google Authenticator puts about ten
/// accounts in a code, so a thousand codes would be some 10,000 accounts — far past any real
/// phone; a larger `batch_size` is damage (or an attack: 2^31 once made the importer allocate
/// one report entry per announced code and abort).
pub(crate) const MAX_BATCH_SIZE: i32 = 1000;

/// Google's `MigrationPayload`. Enum fields are read as plain integers so that an unknown value
/// becomes a per-entry "unsupported" instead of a decoding failure.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct MigrationPayload {
    #[prost(message, repeated, tag = "1")]
    pub otp_parameters: Vec<OtpParameters>,
    #[prost(int32, tag = "2")]
    pub version: i32,
    #[prost(int32, tag = "3")]
    pub batch_size: i32,
    #[prost(int32, tag = "4")]
    pub batch_index: i32,
    #[prost(int32, tag = "5")]
    pub batch_id: i32,
}

/// One account of a [`MigrationPayload`].
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct OtpParameters {
    #[prost(bytes = "vec", tag = "1")]
    pub secret: Vec<u8>,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(string, tag = "3")]
    pub issuer: String,
    #[prost(int32, tag = "4")]
    pub algorithm: i32,
    #[prost(int32, tag = "5")]
    pub digits: i32,
    #[prost(int32, tag = "6")]
    pub r#type: i32,
    #[prost(int64, tag = "7")]
    pub counter: i64,
}

impl Drop for OtpParameters {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// Reads one or several transfer URIs, one per line (blank lines and `#` comments allowed).
pub(crate) fn read(
    bytes: &[u8],
    _password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| TransferError::Damaged("the file is not UTF-8 text".into()))?;
    let mut batches = Batches::default();
    let mut items = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match decode_uri(line) {
            Ok(payload) => items.extend(batches.add(payload)),
            Err(reason) => {
                // A line that should be a transfer URI but is not: the whole file is suspect.
                return Err(TransferError::Damaged(format!(
                    "line {}: {reason}",
                    number + 1
                )));
            }
        }
    }
    if batches.seen.is_empty() {
        return Err(TransferError::Damaged(
            "no otpauth-migration URI in the file".into(),
        ));
    }
    items.extend(batches.missing());
    Ok(items)
}

/// The longest gap of missing codes reported code by code; a longer one is one entry.
const LISTED_GAP: i32 = 10;

/// Tracks which batches of each transfer set were seen.
#[derive(Default)]
pub(crate) struct Batches {
    /// batch_id -> (batch_size, indexes seen). Sizes and indexes were checked by [`decode_uri`].
    seen: BTreeMap<i32, (i32, BTreeSet<i32>)>,
}

impl Batches {
    /// Converts one payload into items and records its batch number.
    pub(crate) fn add(&mut self, mut payload: MigrationPayload) -> Vec<ImportItem> {
        let size = payload.batch_size.max(1);
        let entry = self
            .seen
            .entry(payload.batch_id)
            .or_insert((size, BTreeSet::new()));
        entry.0 = entry.0.max(size);
        entry.1.insert(payload.batch_index);
        payload.otp_parameters.drain(..).map(to_item).collect()
    }

    /// The batches a set announced but that never arrived: one item per code for a gap of at
    /// most [`LISTED_GAP`] codes, one item for a longer gap. So there are at most
    /// `LISTED_GAP` items per code given (plus one gap at the end), whatever size a set
    /// announces.
    pub(crate) fn missing(&self) -> Vec<ImportItem> {
        let mut out = Vec::new();
        for (id, (size, indexes)) in &self.seen {
            let mut next = 0;
            // Every given index closes the gap before it; `size` closes the last one.
            for end in indexes.iter().copied().chain(std::iter::once(*size)) {
                if end - next > LISTED_GAP {
                    out.push(missing_run(*id, *size, next, end - 1));
                } else {
                    out.extend((next..end).map(|i| missing_run(*id, *size, i, i)));
                }
                next = next.max(end.saturating_add(1));
            }
        }
        out
    }

    /// True when at least one payload was added.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// The report entry for batch indexes `first..=last` of set `id`, which were not given.
fn missing_run(id: i32, size: i32, first: i32, last: i32) -> ImportItem {
    let (name, which) = if first == last {
        (
            format!(
                "Google Authenticator transfer, QR code {} of {size}",
                first + 1
            ),
            format!(
                "batch index {first} of batch {id} was not given; its accounts are not \
                 imported (scan that QR code too)"
            ),
        )
    } else {
        (
            format!(
                "Google Authenticator transfer, QR codes {}–{} of {size}",
                first + 1,
                last + 1
            ),
            format!(
                "batch indexes {first}–{last} of batch {id} were not given; their accounts \
                 are not imported (scan those QR codes too)"
            ),
        )
    };
    ImportItem {
        name,
        result: Err(EntryError::Missing(which)),
    }
}

/// Decodes one `otpauth-migration://offline?data=…` URI. The error text never holds the data.
pub(crate) fn decode_uri(uri: &str) -> Result<MigrationPayload, String> {
    let prefix = uri.get(..SCHEME_PREFIX.len()).unwrap_or("");
    if !prefix.eq_ignore_ascii_case(SCHEME_PREFIX) {
        return Err("not an otpauth-migration://offline URI".into());
    }
    let query = &uri[SCHEME_PREFIX.len()..];
    let data = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("data="))
        .ok_or("the URI has no data parameter")?;
    let decoded = Zeroizing::new(
        percent_encoding::percent_decode_str(data)
            .decode_utf8()
            .map_err(|_| "the data parameter is not valid percent-encoding")?
            .into_owned(),
    );
    // An unencoded `+` may have become a space on the way through a form or a shell.
    let b64: Zeroizing<String> = Zeroizing::new(
        decoded
            .chars()
            .filter(|c| !matches!(c, '\n' | '\r'))
            .map(|c| if c == ' ' { '+' } else { c })
            .collect(),
    );
    let raw = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(b64.trim_end_matches('='))
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64.trim_end_matches('='))
            })
            .or_else(|_| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b64.trim_end_matches('='))
            })
            .map_err(|_| "the data parameter is not base64")?,
    );
    let payload = MigrationPayload::decode(raw.as_slice())
        .map_err(|_| "the data is not a transfer payload (truncated?)".to_owned())?;
    check_batch(&payload)?;
    Ok(payload)
}

/// Refuses batch numbers no transfer has: a size past [`MAX_BATCH_SIZE`], a negative size, or
/// an index outside its set. A size of 0 (the field left out) is a set of one code.
fn check_batch(payload: &MigrationPayload) -> Result<(), String> {
    let size = payload.batch_size;
    if !(0..=MAX_BATCH_SIZE).contains(&size) {
        return Err(format!(
            "the transfer claims {size} QR codes; a transfer has 1 to {MAX_BATCH_SIZE}"
        ));
    }
    let index = payload.batch_index;
    if !(0..size.max(1)).contains(&index) {
        return Err(format!(
            "QR code index {index} lies outside its transfer of {} codes",
            size.max(1)
        ));
    }
    Ok(())
}

fn to_item(mut p: OtpParameters) -> ImportItem {
    let (issuer, label) = split_name(&p.issuer, &p.name);
    let name = entry_name(&issuer, &label);
    let result = to_account(&mut p, issuer, label);
    ImportItem { name, result }
}

/// Google writes `name` as `Issuer:account` when the issuer is known; keep only the account.
/// Without an issuer a colon in the name is part of the account name (the issuer field, not a
/// guess from the name, says who issued it).
fn split_name(issuer: &str, name: &str) -> (String, String) {
    match name.split_once(':') {
        Some((prefix, rest)) if !issuer.is_empty() && prefix.trim() == issuer.trim() => {
            (issuer.to_owned(), rest.trim().to_owned())
        }
        _ => (issuer.to_owned(), name.to_owned()),
    }
}

fn to_account(p: &mut OtpParameters, issuer: String, label: String) -> Result<Account, EntryError> {
    let algorithm = match p.algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return Err(EntryError::Unsupported("the MD5 algorithm".into())),
        n => return Err(EntryError::Unsupported(format!("algorithm number {n}"))),
    };
    let digits = match p.digits {
        0 | 1 => 6,
        2 => 8,
        n => return Err(EntryError::Unsupported(format!("digit count number {n}"))),
    };
    let mut params = match p.r#type {
        0 | 2 => OtpParams::totp(),
        1 => OtpParams::hotp(
            u64::try_from(p.counter)
                .map_err(|_| EntryError::Invalid("the HOTP counter is negative".into()))?,
        ),
        n => return Err(EntryError::Unsupported(format!("OTP type number {n}"))),
    };
    params.algorithm = algorithm;
    params.digits = digits;
    if p.secret.is_empty() {
        return Err(EntryError::Invalid("the secret is empty".into()));
    }
    let secret = Secret::from_bytes(std::mem::take(&mut p.secret));
    Ok(Account::new(issuer, label, secret, params))
}

/// Why an account cannot travel in a Google transfer (it has no period, no Steam, 6 or 8 digits).
pub(crate) fn unrepresentable(account: &Account) -> Option<String> {
    let p = &account.params;
    match p.kind {
        OtpKind::Steam => Some("Google Authenticator has no Steam codes".into()),
        _ if p.digits != 6 && p.digits != 8 => Some(format!(
            "Google Authenticator shows 6 or 8 digits, not {}",
            p.digits
        )),
        OtpKind::Totp if p.period != 30 => Some(format!(
            "Google Authenticator transfers only 30-second codes, not {} s",
            p.period
        )),
        _ => None,
    }
}

/// The accounts as transfer URIs of at most `per_batch` accounts each, in one batch set.
/// Accounts for which [`unrepresentable`] says why must be filtered out first.
pub(crate) fn encode_batches(
    accounts: &[&Account],
    per_batch: usize,
) -> Result<Vec<Zeroizing<String>>, TransferError> {
    let chunks: Vec<&[&Account]> = accounts.chunks(per_batch.max(1)).collect();
    let batch_size = chunks.len().max(1) as i32;
    // A positive random id: Google Authenticator uses it to group the codes of one transfer.
    let batch_id = (u32::from_be_bytes(crate::crypto::random::array::<4>()?) >> 1) as i32;
    let empty: &[&Account] = &[];
    let chunks = if chunks.is_empty() {
        vec![empty]
    } else {
        chunks
    };
    Ok(chunks
        .iter()
        .enumerate()
        .map(|(index, chunk)| {
            let payload = MigrationPayload {
                otp_parameters: chunk.iter().map(|a| to_parameters(a)).collect(),
                version: 1,
                batch_size,
                batch_index: index as i32,
                batch_id,
            };
            let raw = Zeroizing::new(payload.encode_to_vec());
            let b64 =
                Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(raw.as_slice()));
            let data = Zeroizing::new(
                percent_encoding::utf8_percent_encode(&b64, percent_encoding::NON_ALPHANUMERIC)
                    .to_string(),
            );
            Zeroizing::new(format!("{SCHEME_PREFIX}data={}", data.as_str()))
        })
        .collect())
}

fn to_parameters(account: &Account) -> OtpParameters {
    let p = &account.params;
    OtpParameters {
        secret: account.secret.as_bytes().to_vec(),
        name: account.label.clone(),
        issuer: account.issuer.clone(),
        algorithm: match p.algorithm {
            Algorithm::Sha1 => 1,
            Algorithm::Sha256 => 2,
            Algorithm::Sha512 => 3,
        },
        digits: if p.digits == 8 { 2 } else { 1 },
        r#type: if p.kind == OtpKind::Hotp { 1 } else { 2 },
        counter: i64::try_from(p.counter).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(params: Vec<OtpParameters>, size: i32, index: i32) -> String {
        let raw = MigrationPayload {
            otp_parameters: params,
            version: 1,
            batch_size: size,
            batch_index: index,
            batch_id: 42,
        }
        .encode_to_vec();
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        format!(
            "otpauth-migration://offline?data={}",
            percent_encoding::utf8_percent_encode(&b64, percent_encoding::NON_ALPHANUMERIC)
        )
    }

    fn param(name: &str, issuer: &str, algorithm: i32, digits: i32, kind: i32) -> OtpParameters {
        OtpParameters {
            secret: b"12345678901234567890".to_vec(),
            name: name.into(),
            issuer: issuer.into(),
            algorithm,
            digits,
            r#type: kind,
            counter: 7,
        }
    }

    #[test]
    fn reads_accounts_and_reports_md5_and_unknown_enums_per_entry() {
        let uri = payload(
            vec![
                param("GitHub:alice", "GitHub", 1, 1, 2),
                param("bob", "", 2, 2, 1),
                param("md5", "X", 4, 1, 2),
                param("weird", "X", 1, 9, 2),
            ],
            1,
            0,
        );
        let items = read(uri.as_bytes(), None).unwrap();
        assert_eq!(items.len(), 4);
        let a = items[0].result.as_ref().unwrap();
        assert_eq!((a.issuer.as_str(), a.label.as_str()), ("GitHub", "alice"));
        assert_eq!(a.secret.as_bytes(), b"12345678901234567890");
        let b = items[1].result.as_ref().unwrap();
        assert_eq!(
            b.params,
            OtpParams {
                algorithm: Algorithm::Sha256,
                digits: 8,
                ..OtpParams::hotp(7)
            }
        );
        assert!(
            matches!(items[2].result, Err(EntryError::Unsupported(ref m)) if m.contains("MD5"))
        );
        assert!(matches!(items[3].result, Err(EntryError::Unsupported(_))));
    }

    #[test]
    fn names_each_missing_batch() {
        let lines = [
            payload(vec![param("a", "", 1, 1, 2)], 3, 0),
            payload(vec![], 3, 2),
        ]
        .join("\n");
        let items = read(lines.as_bytes(), None).unwrap();
        let missing: Vec<_> = items
            .iter()
            .filter(|i| matches!(i.result, Err(EntryError::Missing(_))))
            .collect();
        assert_eq!(missing.len(), 1);
        assert!(
            missing[0].name.contains("QR code 2 of 3"),
            "{}",
            missing[0].name
        );
    }

    #[test]
    fn a_truncated_uri_damages_the_file() {
        let uri = payload(vec![param("a", "", 1, 1, 2)], 1, 0);
        let cut = &uri[..uri.len() - 12];
        assert!(matches!(
            read(cut.as_bytes(), None),
            Err(TransferError::Damaged(_))
        ));
        assert!(matches!(read(b"", None), Err(TransferError::Damaged(_))));
    }

    #[test]
    fn refuses_batch_sizes_and_indexes_no_transfer_has() {
        for (size, index, why) in [
            (i32::MAX, 0, "claims 2147483647 QR codes"),
            (1 << 30, 0, "claims 1073741824 QR codes"),
            (MAX_BATCH_SIZE + 1, 0, "claims 1001 QR codes"),
            (-1, 0, "claims -1 QR codes"),
            (3, 3, "index 3 lies outside its transfer of 3"),
            (0, 1, "index 1 lies outside its transfer of 1"),
            (5, -2, "index -2 lies outside"),
        ] {
            let uri = payload(vec![param("a", "", 1, 1, 2)], size, index);
            match read(uri.as_bytes(), None) {
                Err(TransferError::Damaged(m)) => assert!(m.contains(why), "{size}/{index}: {m}"),
                other => panic!("{size}/{index}: {other:?}"),
            }
        }
    }

    #[test]
    fn reports_missing_codes_as_runs_so_the_report_stays_small() {
        // The largest set allowed, with codes 1, 500 and 1000 given: three runs are missing.
        let lines = [
            payload(vec![param("a", "", 1, 1, 2)], MAX_BATCH_SIZE, 0),
            payload(vec![], MAX_BATCH_SIZE, 499),
            payload(vec![], MAX_BATCH_SIZE, MAX_BATCH_SIZE - 1),
        ]
        .join("\n");
        let items = read(lines.as_bytes(), None).unwrap();
        let names: Vec<&str> = items[1..].iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Google Authenticator transfer, QR codes 2–499 of 1000",
                "Google Authenticator transfer, QR codes 501–999 of 1000",
            ]
        );
        // Only the first code of a set of eleven: the ten others are named one by one.
        let items = read(payload(vec![], 11, 0).as_bytes(), None).unwrap();
        assert_eq!(items.len(), 10);
        assert_eq!(
            items[9].name,
            "Google Authenticator transfer, QR code 11 of 11"
        );
        assert!(
            matches!(&items[9].result, Err(EntryError::Missing(m)) if m.contains("its accounts"))
        );
    }

    #[test]
    fn batches_tracker_starts_empty() {
        assert!(Batches::default().is_empty());
    }
}
