//! Hostile inputs (issue 9, items 1–4): each one runs the real reader in a child process under
//! an address-space limit and a wall-clock bound, and must end with its specific error.
//!
//! An allocation failure aborts a Rust process (uniffi cannot turn that into an exception, so a
//! phone app would die), and a slow key derivation just runs on. Neither can be caught in the
//! test's own process, so every case runs in a child: the parent starts this test binary again
//! with [`CASE_ENV`] naming the case and `--ignored --exact child`, the child lowers its address
//! space to [`ADDRESS_SPACE`] with `setrlimit(RLIMIT_AS)`, runs the reader once and prints
//! `OUTCOME: <error>`; the parent kills it after [`WALL_CLOCK`] and checks the outcome.
//!
//! Before the bounds, the Google case aborted (exit 134 under a 4 GiB limit) and the Aegis and
//! backup cases ran for minutes; see `docs/limits.md` for each bound.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use tessera_core::transfer::{self, ImportError};

/// The environment variable that makes this binary's `child` test run one case.
const CASE_ENV: &str = "TESSERA_HOSTILE_CASE";
/// Address space granted to a child: the readers' documented budget (256 MiB) plus room for
/// the test harness, its threads and the allocator's arenas.
const ADDRESS_SPACE: u64 = 768 << 20;
/// How long one case may take, in a debug build on a shared, loaded 2-core machine. The
/// bounded readers need at most ~10 s of CPU (the 100-megapixel PNG; the others well under a
/// second); unbounded, these cases ran for minutes to hours or aborted.
const WALL_CLOCK: Duration = Duration::from_secs(180);

/// Runs `case` in a child and returns what it printed after `OUTCOME: `.
fn run_in_child(case: &str) -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            "child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CASE_ENV, case)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the test binary starts again as a child");
    // Drained while the child runs: a full pipe would block it until the wall-clock bound.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).ok();
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the child") {
            break status;
        }
        if started.elapsed() > WALL_CLOCK {
            child.kill().ok();
            child.wait().ok();
            panic!("{case}: still running after {WALL_CLOCK:?} (killed)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    assert!(
        status.success(),
        "{case}: the child failed ({status}) under a {} MiB address space:\n{out}\n{err}",
        ADDRESS_SPACE >> 20
    );
    // The harness prints `test child ... ` on the same line, before the outcome.
    out.lines()
        .find_map(|l| l.split_once("OUTCOME: ").map(|(_, outcome)| outcome))
        .unwrap_or_else(|| panic!("{case}: the child printed no outcome:\n{out}\n{err}"))
        .to_owned()
}

/// Asserts that `case` ends, within the bounds, with an outcome containing `expected`.
fn assert_refused(case: &str, expected: &str) {
    let outcome = run_in_child(case);
    assert!(
        outcome.contains(expected),
        "{case}: expected an outcome containing {expected:?}, got {outcome:?}"
    );
}

/// The child side: runs the case named by [`CASE_ENV`] under the address-space limit.
#[test]
#[ignore = "run by the other tests of this file, in a child process"]
fn child() {
    let case = std::env::var(CASE_ENV).expect("started by run_in_child");
    let limit = libc::rlimit {
        rlim_cur: ADDRESS_SPACE as libc::rlim_t,
        rlim_max: ADDRESS_SPACE as libc::rlim_t,
    };
    // SAFETY: setrlimit reads a valid rlimit struct; it only lowers this process's own limit.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
    assert_eq!(rc, 0, "setrlimit(RLIMIT_AS) failed");
    println!("OUTCOME: {}", run_case(&case));
}

/// What reading the case's input ended with: the error's message, or a summary of the entries.
fn run_case(case: &str) -> String {
    let (bytes, password) = input(case);
    if case.starts_with("backup") {
        let (_scratch, vault) = common::Scratch::new();
        return match transfer::import(&vault, &bytes, None, password, false) {
            Err(ImportError::Source(e)) => e.to_string(),
            Err(other) => format!("vault error: {other}"),
            Ok(report) => format!("imported {} entries", report.entries.len()),
        };
    }
    if case.starts_with("push") {
        return match tessera_core::push::protocol::read_poll_response(200, &bytes) {
            Err(e) => e.to_string(),
            Ok(list) => format!("{} challenges", list.len()),
        };
    }
    match transfer::read(&bytes, None, password) {
        Err(e) => e.to_string(),
        Ok(items) => {
            let mut failed = items
                .iter()
                .filter_map(|i| i.result.as_ref().err().map(|e| format!("{}: {e}", i.name)));
            let first = failed.next().unwrap_or_default();
            format!(
                "{} entries, {} failed; first failure: {first}",
                items.len(),
                failed.count() + usize::from(!first.is_empty())
            )
        }
    }
}

// ---- the inputs ---------------------------------------------------------------------------

fn varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A Google transfer URI with one account and the given batch numbers, its protobuf written
/// here by hand (field numbers from Google's `MigrationPayload`).
fn google_uri(batch_size: u64, batch_index: u64) -> Vec<u8> {
    google_uri_in(batch_size, batch_index, 7)
}

/// [`google_uri`] in transfer set `batch_id`.
fn google_uri_in(batch_size: u64, batch_index: u64, batch_id: u64) -> Vec<u8> {
    let mut account = Vec::new();
    account.extend([0x0a, 10]); // 1: secret, 10 bytes
    account.extend([0x42; 10]);
    account.extend([0x12, 1, b'a']); // 2: name
    let mut payload = vec![0x0a, account.len() as u8]; // 1: otp_parameters
    payload.extend(account);
    payload.extend([0x10, 1]); // 2: version
    payload.push(0x18); // 3: batch_size
    varint(batch_size, &mut payload);
    payload.push(0x20); // 4: batch_index
    varint(batch_index, &mut payload);
    payload.push(0x28); // 5: batch_id
    varint(batch_id, &mut payload);
    let data = base64::engine::general_purpose::STANDARD.encode(payload);
    format!("otpauth-migration://offline?data={data}").into_bytes()
}

/// An encrypted Aegis vault whose `count` password slots each ask scrypt for `n`, `r`, `p`.
fn aegis_slots(count: usize, n: u64, r: u64, p: u64) -> Vec<u8> {
    let slot = serde_json::json!({
        "type": 1, "uuid": "00000000-0000-4000-8000-000000000000",
        "key": "00".repeat(32), "key_params": {"nonce": "00".repeat(12), "tag": "00".repeat(16)},
        "n": n, "r": r, "p": p, "salt": "00".repeat(32), "repaired": true, "is_backup": false,
    });
    serde_json::to_vec(&serde_json::json!({
        "version": 1,
        "header": {"slots": vec![slot; count], "params": {"nonce": "00".repeat(12), "tag": "00".repeat(16)}},
        "db": "AAAA",
    }))
    .unwrap()
}

/// A 130-byte Tessera backup whose header asks Argon2id for `memory_kib` × `passes`; its
/// checksum is recomputed (it is not keyed, so anyone can).
fn forged_backup(memory_kib: u32, passes: u32, lanes: u32) -> Vec<u8> {
    let mut b = tessera_core::vault::BACKUP_MAGIC.to_vec();
    b.extend(1u16.to_be_bytes());
    b.extend(memory_kib.to_be_bytes());
    b.extend(passes.to_be_bytes());
    b.extend(lanes.to_be_bytes());
    b.extend([7u8; 16 + 32 + 12 + 16]); // salt, verifier, nonce, tag of an empty payload
    let sum = ring::digest::digest(&ring::digest::SHA256, &b);
    b.extend(sum.as_ref());
    b
}

/// A PNG of `side` × `side` grey pixels, all white, written by hand so that a 100-megapixel
/// image costs ~0.5 MB and no encoding time: one fixed-Huffman deflate block in which every
/// row is the filter byte, one literal 255 and back-references of distance 1 (RFC 1951).
fn white_png(side: u32) -> Vec<u8> {
    let raw_row = side as usize + 1;
    let mut deflate = BitWriter::default();
    // One final block with fixed Huffman codes.
    deflate.bits(1, 1);
    deflate.bits(1, 2);
    for _ in 0..side {
        deflate.literal(0); // filter: none
        deflate.literal(255);
        let mut left = raw_row - 2;
        // The first back-reference copies from distance 1 (the 255 just written).
        while left > 0 {
            let len = left.min(258);
            if len < 3 {
                for _ in 0..len {
                    deflate.literal(255);
                }
                break;
            }
            deflate.length(len);
            deflate.distance_one();
            left -= len;
        }
    }
    deflate.symbol(256); // end of block
    let mut zlib = vec![0x78, 0x01];
    zlib.extend(deflate.finish());
    zlib.extend(adler32_of_rows(side).to_be_bytes());

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(side.to_be_bytes());
    ihdr.extend(side.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit greyscale, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// Adler-32 of `side` rows of (0, 255 × side), computed arithmetically.
fn adler32_of_rows(side: u32) -> u32 {
    const MOD: u64 = 65_521;
    let (mut a, mut b) = (1u64, 0u64);
    for _ in 0..side {
        // The filter byte 0: a unchanged, b += a.
        b = (b + a) % MOD;
        for _ in 0..side {
            a = (a + 255) % MOD;
            b = (b + a) % MOD;
        }
    }
    ((b << 16) | a) as u32
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend((data.len() as u32).to_be_bytes());
    let mut crc_input = kind.to_vec();
    crc_input.extend(data);
    png.extend(&crc_input);
    png.extend(crc32(&crc_input).to_be_bytes());
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

/// Deflate's bit order: least significant bit first; Huffman codes most significant first.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn bits(&mut self, value: u64, count: u32) {
        self.acc |= value << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn code(&mut self, code: u32, len: u32) {
        let reversed = code.reverse_bits() >> (32 - len);
        self.bits(u64::from(reversed), len);
    }

    /// A literal/length symbol with the fixed Huffman code of RFC 1951 §3.2.6.
    fn symbol(&mut self, sym: u32) {
        match sym {
            0..=143 => self.code(0x30 + sym, 8),
            144..=255 => self.code(0x190 + sym - 144, 9),
            256..=279 => self.code(sym - 256, 7),
            _ => self.code(0xc0 + sym - 280, 8),
        }
    }

    fn literal(&mut self, byte: u8) {
        self.symbol(u32::from(byte));
    }

    /// A match length (3..=258) as its symbol and extra bits.
    fn length(&mut self, len: usize) {
        const BASE: [usize; 29] = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
            115, 131, 163, 195, 227, 258,
        ];
        const EXTRA: [u32; 29] = [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
        ];
        let i = BASE.iter().rposition(|&b| b <= len).unwrap();
        self.symbol(257 + i as u32);
        self.bits((len - BASE[i]) as u64, EXTRA[i]);
    }

    /// Distance 1: fixed distance code 0, no extra bits.
    fn distance_one(&mut self) {
        self.code(0, 5);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// The bytes (and password) of each case.
fn input(case: &str) -> (Vec<u8>, Option<&'static str>) {
    let pw = Some("a wrong password");
    match case {
        "google_batch_size_2_31_minus_1" => (google_uri((1 << 31) - 1, 0), None),
        "google_batch_size_2_31" => (google_uri(1 << 31, 0), None),
        "google_batch_size_5_million" => (google_uri(5_000_000, 0), None),
        "google_index_far_outside" => (google_uri(2, 1 << 30), None),
        "google_10000_lines_of_largest_sets" => {
            // Every line a different set of 1000 codes with one given: one missing run each.
            let mut text = Vec::new();
            for id in 0..10_000u64 {
                let mut uri = google_uri_in(1000, id % 1000, id);
                uri.push(b'\n');
                text.extend(uri);
            }
            (text, None)
        }
        "aegis_200_heavy_slots" => (aegis_slots(200, 1 << 18, 8, 16), pw),
        "aegis_one_heavy_slot" => (aegis_slots(1, 1 << 20, 8, 1), pw),
        "aegis_5_cheap_slots" => (aegis_slots(5, 1 << 15, 8, 1), pw),
        "backup_argon2_1gib_64_passes" => (forged_backup(1 << 20, 64, 1), pw),
        "backup_argon2_512mib" => (forged_backup(512 << 10, 1, 1), pw),
        "ente_kdf_4gib" => (
            serde_json::to_vec(&serde_json::json!({
                "version": 1,
                "kdfParams": {"memLimit": 4u64 << 30, "opsLimit": 64, "salt": "AAAAAAAAAAAAAAAAAAAAAA=="},
                "encryptedData": "AAAAAAAAAAAAAAAAAAAAAAAA",
                "encryptionNonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            }))
            .unwrap(),
            pw,
        ),
        "andotp_max_iterations" => {
            let mut b = u32::MAX.to_be_bytes().to_vec();
            b.extend([1u8; 12 + 12 + 32]);
            (b, pw)
        }
        "twofas_huge_salt" => {
            let salt = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 1 << 20]);
            let field = format!("AAAAAAAAAAAAAAAAAAAAAA==:{salt}:AAAAAAAAAAAAAAAA");
            (
                serde_json::to_vec(&serde_json::json!({
                    "schemaVersion": 4, "services": [], "servicesEncrypted": field,
                }))
                .unwrap(),
                pw,
            )
        }
        "oversized_source" => {
            let mut b = b"otpauth://totp/A?secret=JBSWY3DP\n".repeat(600_000);
            b.truncate(transfer::MAX_SOURCE_BYTES + 1);
            (b, None)
        }
        "json_of_numbers_at_the_cap" => {
            // The densest JSON: one value per two bytes, as large as a source may be.
            let mut b = vec![b'['];
            b.extend(b"0,".repeat(transfer::MAX_SOURCE_BYTES / 2 - 2));
            b.push(b'0');
            b.push(b']');
            (b, None)
        }
        "json_nested_deeply" => {
            let mut b = vec![b'['; 1 << 20];
            b.extend(vec![b']'; 1 << 20]);
            (b, None)
        }
        "qr_png_10000_square" => (white_png(10_000), None),
        "push_poll_body_over_1_mib" => {
            let mut b = br#"{"result":{"status":true,"value":["#.to_vec();
            b.extend(b"{},".repeat(400_000));
            b.extend(br#"{}]}}"#);
            (b, None)
        }
        "push_poll_title_of_100_kib" => {
            let title = "x".repeat(100 << 10);
            let challenge = serde_json::json!({
                "nonce": "N", "url": "https://127.0.0.1/ttype/push", "serial": "PIPU1",
                "question": "q", "title": title, "sslverify": "1", "signature": "AAAA",
            });
            (
                serde_json::to_vec(&serde_json::json!({"result": {"status": true, "value": [challenge]}}))
                    .unwrap(),
                None,
            )
        }
        "google_db_10001_rows" => (
            app_database(
                "CREATE TABLE accounts (email TEXT, secret TEXT); \
                 WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 10001) \
                 INSERT INTO accounts SELECT 'a' || x, 'JBSWY3DP' FROM n;",
            ),
            None,
        ),
        "microsoft_db_20_mb_column" => (
            app_database(
                "CREATE TABLE accounts (name TEXT, account_type INTEGER, oath_secret_key TEXT \
                 GENERATED ALWAYS AS (hex(zeroblob(10000000))) VIRTUAL); \
                 INSERT INTO accounts (name, account_type) VALUES ('A', 0);",
            ),
            None,
        ),
        "bitwarden_argon2_1gib_10_passes" => (
            serde_json::to_vec(&serde_json::json!({
                "encrypted": true, "passwordProtected": true, "salt": "AAAA", "kdfType": 1,
                "kdfIterations": 10, "kdfMemory": 1024, "kdfParallelism": 16,
                "encKeyValidation_DO_NOT_EDIT": "2.AA==|AA==|AA==", "data": "2.AA==|AA==|AA==",
            }))
            .unwrap(),
            pw,
        ),
        "authy_20000_encrypted_seeds" => {
            let token = r#"{"digits":6,"encryptedSecret":"AAAAAAAAAAAAAAAAAAAAAA==","salt":"s"},"#;
            let mut list = format!("[{}", token.repeat(20_000));
            list.pop();
            list.push(']');
            let xml = format!(
                "<map><string name=\"com.authy.storage.tokens.authenticator.key\">{}</string></map>",
                list.replace('"', "&quot;")
            );
            (xml.into_bytes(), pw)
        }
        "freeotp_iterations_2_31" => {
            // FreeOTP 2's tokenBackup.xml whose master key asks for 2^31 - 1 PBKDF2 rounds.
            let master = r#"{"mEncryptedKey":{"mCipherText":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17],"mParameters":[48,17,4,12,0,0,0,0,0,0,0,0,0,0,0,0,2,1,16],"mCipher":"AES/GCM/NoPadding","mToken":"AES"},"mAlgorithm":"PBKDF2withHmacSHA512","mIterations":2147483647,"mSalt":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32]}"#;
            let xml = format!(
                "<map><string name=\"masterKey\">{}</string></map>",
                master.replace('"', "&quot;")
            );
            (xml.into_bytes(), pw)
        }
        "freeotp_map_of_2_31_entries" => {
            // A serialized HashMap that claims 2^31 - 1 entries in a few bytes.
            let mut bytes = vec![0xac, 0xed, 0, 5, 0x73, 0x72, 0, 17];
            bytes.extend_from_slice(b"java.util.HashMap");
            bytes.extend_from_slice(&[0; 8]);
            bytes.extend_from_slice(&[3, 0, 0, 0x78, 0x70, 0x77, 8, 0, 0, 0, 16]);
            bytes.extend_from_slice(&i32::MAX.to_be_bytes());
            (bytes, pw)
        }
        other => panic!("no case named {other}"),
    }
}

/// An SQLite database written by SQLite (WAL mode, as the apps keep theirs) from `sql`.
fn app_database(sql: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL;").unwrap();
    conn.execute_batch(sql).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(conn);
    std::fs::read(&path).unwrap()
}

// ---- the tests ----------------------------------------------------------------------------

#[test]
fn google_transfer_with_batch_size_2_31_is_refused_not_an_abort() {
    assert_refused(
        "google_batch_size_2_31_minus_1",
        "claims 2147483647 QR codes; a transfer has 1 to 1000",
    );
    // 2^31 does not fit an int32: it reads as a negative size.
    assert_refused("google_batch_size_2_31", "claims -2147483648 QR codes");
    assert_refused("google_batch_size_5_million", "claims 5000000 QR codes");
    assert_refused(
        "google_index_far_outside",
        "index 1073741824 lies outside its transfer of 2 codes",
    );
}

#[test]
fn google_missing_codes_are_reported_in_proportion_to_the_input() {
    // 10,000 lines, each announcing a set of 1000 and giving one code: at most ten codes named
    // one by one plus two runs per line, not ten million entries.
    let outcome = run_in_child("google_10000_lines_of_largest_sets");
    let count: usize = outcome
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a list of entries: {outcome}"));
    assert!(
        count <= 10_000 * 12,
        "{count} entries for 10,000 lines: {}",
        &outcome[..200.min(outcome.len())]
    );
    assert!(
        outcome.contains("QR codes 2–1000 of 1000"),
        "{}",
        &outcome[..300]
    );
}

#[test]
fn aegis_slots_asking_for_more_scrypt_than_aegis_writes_are_refused_before_deriving() {
    assert_refused(
        "aegis_200_heavy_slots",
        "the vault has 200 password slots; Aegis writes at most two",
    );
    assert_refused(
        "aegis_one_heavy_slot",
        "asks scrypt for N=1048576, r=8, p=1; Aegis writes N=32768, r=8, p=1",
    );
    assert_refused("aegis_5_cheap_slots", "the vault has 5 password slots");
}

#[test]
fn forged_backup_headers_cannot_ask_argon2_for_more_than_tessera_writes() {
    assert_refused(
        "backup_argon2_1gib_64_passes",
        "Argon2id with 1024 MiB, 64 passes, 1 lanes, more than a backup may use",
    );
    assert_refused(
        "backup_argon2_512mib",
        "Argon2id with 512 MiB, 1 passes, 1 lanes, more than a backup may use",
    );
}

#[test]
fn other_kdf_costs_from_files_are_capped() {
    assert_refused("ente_kdf_4gib", "`kdfParams` are outside what");
    // andOTP's old layout has no header, so an iteration count past andOTP's own is read as
    // that layout and fails like a wrong password — after one SHA-256, not 2^32 PBKDF2 rounds.
    assert_refused("andotp_max_iterations", "wrong password");
    assert_refused(
        "bitwarden_argon2_1gib_10_passes",
        "asks Argon2id for 1024 MiB, 10 passes, 16 lanes",
    );
    assert_refused(
        "twofas_huge_salt",
        "servicesEncrypted is not ciphertext:salt:iv",
    );
}

#[test]
fn freeotp_backups_cap_their_kdf_and_their_map_size() {
    assert_refused(
        "freeotp_iterations_2_31",
        "asks for 2147483647 PBKDF2 iterations; FreeOTP writes 100000",
    );
    assert_refused(
        "freeotp_map_of_2_31_entries",
        "the map claims more entries than the file holds",
    );
}

#[test]
fn sources_past_the_size_cap_are_refused_and_those_under_it_fit_the_budget() {
    assert_refused(
        "oversized_source",
        "the file is 16 MiB; import files over 16 MiB are not read",
    );
    assert_refused("json_of_numbers_at_the_cap", "unrecognized format");
    assert_refused("json_nested_deeply", "not valid JSON");
}

#[test]
fn a_10000_pixel_square_png_is_read_within_the_image_budget() {
    assert_refused("qr_png_10000_square", "no QR code was found in the image");
}

#[test]
fn push_responses_past_their_bounds_are_refused_with_their_reason() {
    assert_refused("push_poll_body_over_1_mib", "bytes is larger than 1048576");
    assert_refused(
        "push_poll_title_of_100_kib",
        "push request field `title` is longer than 8192 bytes",
    );
}

#[test]
fn app_databases_are_read_within_their_row_and_value_bounds() {
    assert_refused("google_db_10001_rows", "more than 10000 rows");
    assert_refused("microsoft_db_20_mb_column", "the database cannot be read");
}

#[test]
fn authy_files_are_read_within_their_token_bound() {
    assert_refused(
        "authy_20000_encrypted_seeds",
        "the file holds 20000 tokens; Authy's files are read up to 10000",
    );
}
