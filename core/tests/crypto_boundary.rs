//! One module owns the cryptographic building blocks (issue 9, item 12): outside
//! `core/src/crypto/`, no source file names an AEAD, KDF, random source, hash, MAC or
//! constant-time primitive directly. RSA signing (push) and HMAC-based OTP (`otp.rs`) are
//! protocol algorithms and stay where they are.

use std::path::{Path, PathBuf};

/// Paths a file outside `crypto/` must not mention, with why each is owned by `crypto`.
const FORBIDDEN: &[(&str, &str)] = &[
    ("ring::aead", "AEAD is crypto::aead"),
    ("ring::rand", "randomness is crypto::random"),
    ("ring::hkdf", "HKDF is crypto::kdf"),
    ("ring::pbkdf2", "PBKDF2 is crypto::kdf"),
    ("ring::digest", "SHA-256 is crypto::mac"),
    ("argon2::", "Argon2id is crypto::kdf"),
    ("scrypt::", "scrypt is crypto::kdf"),
    ("getrandom", "randomness is crypto::random"),
    ("chacha20::", "the secretstream is crypto::secretstream"),
    ("poly1305::", "the secretstream is crypto::secretstream"),
    ("subtle::", "constant-time comparison is crypto::ct_eq"),
    ("x25519_dalek", "X25519 is crypto::x25519"),
    (
        "aes_gcm::",
        "AES-GCM (also with a 16-byte IV) is crypto::aead",
    ),
    (
        "new_v4",
        "Uuid::new_v4 panics when randomness fails; use crypto::random::uuid_v4",
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_crypto_module_calls_cryptographic_primitives() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let crypto = src.join("crypto");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "found only {} source files", files.len());
    let mut offences = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&crypto)) {
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (needle, why) in FORBIDDEN {
                if code.contains(needle) {
                    offences.push(format!(
                        "{}:{}: `{needle}` ({why})",
                        file.strip_prefix(&src).unwrap().display(),
                        number + 1
                    ));
                }
            }
            // HMAC stays only where it is the OTP algorithm itself (RFC 4226).
            if code.contains("ring::hmac") && !file.ends_with("otp.rs") {
                offences.push(format!(
                    "{}:{}: `ring::hmac` outside otp.rs (keyed MACs are crypto::mac)",
                    file.strip_prefix(&src).unwrap().display(),
                    number + 1
                ));
            }
        }
    }
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}
