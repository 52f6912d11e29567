//! AES-256-CBC with PKCS#7 padding, decryption only: the legacy encryption of Authenticator
//! Pro backups (and Bitwarden's `EncString`, which adds its own MAC). Tessera never writes
//! CBC: it has no integrity of its own, so a reader must tell a wrong key from a damaged file
//! by what the plaintext looks like, or by a MAC checked first.

use aes_gcm::aes::Aes256;
use aes_gcm::aes::cipher::{BlockCipherDecrypt, KeyInit};
use zeroize::Zeroizing;

/// The AES block (and CBC IV) length.
pub const BLOCK_LEN: usize = 16;

/// Decrypts `ciphertext` under `key` (32 bytes) and `iv` (16 bytes) and removes the PKCS#7
/// padding. `None` when a length is wrong or the padding is not valid (a wrong key, most
/// likely, or damage: CBC cannot tell them apart).
pub fn decrypt(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if iv.len() != BLOCK_LEN || ciphertext.is_empty() || !ciphertext.len().is_multiple_of(BLOCK_LEN)
    {
        return None;
    }
    let cipher = Aes256::new_from_slice(key).ok()?;
    let mut out = Zeroizing::new(Vec::with_capacity(ciphertext.len()));
    let mut previous: &[u8] = iv;
    for chunk in ciphertext.chunks_exact(BLOCK_LEN) {
        let mut block = aes_gcm::aes::Block::try_from(chunk).ok()?;
        cipher.decrypt_block(&mut block);
        out.extend(block.iter().zip(previous).map(|(b, p)| b ^ p));
        previous = chunk;
    }
    let pad = usize::from(*out.last()?);
    if pad == 0
        || pad > BLOCK_LEN
        || !out[out.len() - pad..]
            .iter()
            .all(|&b| usize::from(b) == pad)
    {
        return None;
    }
    let len = out.len() - pad;
    out.truncate(len);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decrypts_and_unpads_a_vector_made_by_python_cryptography() {
        // Key and IV of NIST SP 800-38A F.2.5; the plaintext (33 bytes, so 15 bytes of padding)
        // was encrypted by PyPI `cryptography`, independently of this code.
        let key = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        let iv = hex("000102030405060708090a0b0c0d0e0f");
        let ct = hex(
            "66d4924136a16123cccdde0a7f94dc6c4bf3d82f95430f8521c7211e15f9b8e0\
             6d002745c71bcc5afd5004cb096a4aca",
        );
        let plain = decrypt(&key, &iv, &ct).unwrap();
        assert_eq!(plain.as_slice(), b"Tessera CBC test: 33 bytes long!!");
        // A wrong key leaves invalid padding (almost always); bad lengths are refused.
        let mut wrong = key.clone();
        wrong[0] ^= 1;
        assert!(decrypt(&wrong, &iv, &ct).is_none_or(|p| p.as_slice() != plain.as_slice()));
        assert!(decrypt(&key, &iv[..15], &ct).is_none());
        assert!(decrypt(&key, &iv, &ct[..47]).is_none());
        assert!(decrypt(&key, &iv, &[]).is_none());
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}
