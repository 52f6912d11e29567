//! libsodium's `crypto_secretstream_xchacha20poly1305` (Ente's encrypted export), over
//! RustCrypto's ChaCha20 (IETF, 96-bit nonce) and Poly1305, written from libsodium's documentation and its
//! `secretstream_xchacha20poly1305.c` (only what importing and exporting need).
//!
//! State: a 32-byte subkey `k` and a 12-byte nonce `counter (u32 LE) ‖ inonce (8 bytes)`.
//! - init: `k = HChaCha20(key, header[0..16])`, `counter = 1`, `inonce = header[16..24]`.
//! - each message: ChaCha20 block 0 under (`k`, nonce) keys Poly1305; the tag byte is
//!   encrypted as the first byte of a 64-byte block at block counter 1; the message is
//!   encrypted from block counter 2. The MAC covers `ad ‖ pad16(ad) ‖ block(64) ‖ c ‖
//!   pad ‖ le64(len ad) ‖ le64(64 + len c)`, where libsodium's `pad` is `len c mod 16` bytes
//!   (its expression `(0x10 - 64 + mlen) & 0xf`, kept bit for bit — it is part of the format).
//!   Output `E(tag) ‖ c ‖ mac`; 17 bytes of overhead.
//! - after each message: `inonce ^= mac[0..8]`, `counter += 1`; when the tag has the REKEY bit
//!   or the counter wrapped to 0: `k ‖ inonce ^= ChaCha20(k, nonce)[0..40]`, `counter = 1`.

use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use poly1305::Poly1305;
use poly1305::universal_hash::KeyInit;
use zeroize::{Zeroize, Zeroizing};

/// Bytes of the stream header (`crypto_secretstream_xchacha20poly1305_HEADERBYTES`).
pub const HEADER_BYTES: usize = 24;
/// Bytes added to every message: the encrypted tag byte and the 16-byte MAC.
pub const ABYTES: usize = 17;
/// An ordinary message.
pub const TAG_MESSAGE: u8 = 0;
/// The end of a set of messages, not of the stream.
pub const TAG_PUSH: u8 = 1;
/// Rekey after this message.
pub const TAG_REKEY: u8 = 2;
/// The last message of the stream (PUSH | REKEY).
pub const TAG_FINAL: u8 = TAG_PUSH | TAG_REKEY;

const COUNTER_BYTES: usize = 4;

/// The MAC over a ciphertext did not verify (wrong key, or the bytes were altered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forged;

struct State {
    key: Zeroizing<[u8; 32]>,
    nonce: [u8; 12],
}

impl Drop for State {
    fn drop(&mut self) {
        self.nonce.zeroize();
    }
}

impl State {
    fn init(key: &[u8; 32], header: &[u8; HEADER_BYTES]) -> State {
        let mut hchacha_input = [0u8; 16];
        hchacha_input.copy_from_slice(&header[..16]);
        let subkey = chacha20::hchacha::<chacha20::R20>(&(*key).into(), &hchacha_input.into());
        let mut state = State {
            key: Zeroizing::new(subkey.into()),
            nonce: [0u8; 12],
        };
        state.nonce[COUNTER_BYTES..].copy_from_slice(&header[16..]);
        state.reset_counter();
        state
    }

    fn reset_counter(&mut self) {
        self.nonce[..COUNTER_BYTES].copy_from_slice(&1u32.to_le_bytes());
    }

    /// ChaCha20 under the current subkey and nonce, positioned at `block`.
    fn cipher_at(&self, block: u64) -> ChaCha20 {
        let mut cipher = ChaCha20::new(&(*self.key).into(), &self.nonce.into());
        cipher.seek(block * 64);
        cipher
    }

    fn mac(&self, ad: &[u8], tag_block: &[u8; 64], c: &[u8]) -> [u8; 16] {
        let mut poly_key = Zeroizing::new([0u8; 32]);
        self.cipher_at(0).apply_keystream(poly_key.as_mut());
        let mlen = c.len() as u64;
        let pad_ad = (0x10u64.wrapping_sub(ad.len() as u64) & 0xf) as usize;
        // libsodium's own expression; it equals `mlen % 16`, not the usual `-mlen % 16`.
        let pad_c = (0x10u64.wrapping_sub(64).wrapping_add(mlen) & 0xf) as usize;
        let mut data = Vec::with_capacity(ad.len() + pad_ad + 64 + c.len() + pad_c + 16);
        data.extend_from_slice(ad);
        data.resize(data.len() + pad_ad, 0);
        data.extend_from_slice(tag_block);
        data.extend_from_slice(c);
        data.resize(data.len() + pad_c, 0);
        data.extend_from_slice(&(ad.len() as u64).to_le_bytes());
        data.extend_from_slice(&(64 + mlen).to_le_bytes());
        let poly = Poly1305::new(&(*poly_key).into());
        poly.compute_unpadded(&data).into()
    }

    fn advance(&mut self, mac: &[u8; 16], tag: u8) {
        for (n, m) in self.nonce[COUNTER_BYTES..].iter_mut().zip(mac) {
            *n ^= m;
        }
        let mut counter = [0u8; COUNTER_BYTES];
        counter.copy_from_slice(&self.nonce[..COUNTER_BYTES]);
        let next = u32::from_le_bytes(counter).wrapping_add(1);
        self.nonce[..COUNTER_BYTES].copy_from_slice(&next.to_le_bytes());
        if tag & TAG_REKEY != 0 || next == 0 {
            self.rekey();
        }
    }

    fn rekey(&mut self) {
        let mut fresh = Zeroizing::new([0u8; 40]);
        fresh[..32].copy_from_slice(self.key.as_ref());
        fresh[32..].copy_from_slice(&self.nonce[COUNTER_BYTES..]);
        self.cipher_at(0).apply_keystream(fresh.as_mut());
        self.key.copy_from_slice(&fresh[..32]);
        self.nonce[COUNTER_BYTES..].copy_from_slice(&fresh[32..]);
        self.reset_counter();
    }
}

/// The decrypting end of a stream.
pub struct PullStream(State);

impl PullStream {
    /// Starts reading a stream from its key and header.
    pub fn init(key: &[u8; 32], header: &[u8; HEADER_BYTES]) -> Self {
        PullStream(State::init(key, header))
    }

    /// Decrypts and verifies the next message; returns it with its tag. On failure the
    /// state is unchanged and nothing is returned.
    pub fn pull(&mut self, input: &[u8], ad: &[u8]) -> Result<(Zeroizing<Vec<u8>>, u8), Forged> {
        if input.len() < ABYTES {
            return Err(Forged);
        }
        let state = &mut self.0;
        let (c, stored_mac) = input[1..].split_at(input.len() - ABYTES);
        let mut block = [0u8; 64];
        block[0] = input[0];
        state.cipher_at(1).apply_keystream(&mut block);
        let tag = block[0];
        block[0] = input[0];
        let mac = state.mac(ad, &block, c);
        // Fold every byte so the time does not depend on where the MACs differ.
        let diff = mac
            .iter()
            .zip(stored_mac)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if diff != 0 {
            return Err(Forged);
        }
        let mut plain = Zeroizing::new(c.to_vec());
        state.cipher_at(2).apply_keystream(&mut plain);
        state.advance(&mac, tag);
        Ok((plain, tag))
    }

    /// Rekeys explicitly (the writer must have done the same at this point).
    pub fn rekey(&mut self) {
        self.0.rekey();
    }
}

/// The encrypting end of a stream.
pub struct PushStream(State);

impl PushStream {
    /// Starts a stream with `header` (24 random bytes, sent along with the stream).
    pub fn init(key: &[u8; 32], header: &[u8; HEADER_BYTES]) -> Self {
        PushStream(State::init(key, header))
    }

    /// Encrypts one message with its tag; returns `E(tag) ‖ c ‖ mac`.
    pub fn push(&mut self, message: &[u8], ad: &[u8], tag: u8) -> Vec<u8> {
        let state = &mut self.0;
        let mut block = [0u8; 64];
        block[0] = tag;
        state.cipher_at(1).apply_keystream(&mut block);
        let mut out = Vec::with_capacity(message.len() + ABYTES);
        out.push(block[0]);
        out.extend_from_slice(message);
        state.cipher_at(2).apply_keystream(&mut out[1..]);
        let mac = state.mac(ad, &block, &out[1..]);
        out.extend_from_slice(&mac);
        state.advance(&mac, tag);
        out
    }

    /// Rekeys explicitly (the reader must do the same at this point).
    pub fn rekey(&mut self) {
        self.0.rekey();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn hex(text: &str) -> Vec<u8> {
        data_encoding::HEXLOWER.decode(text.as_bytes()).unwrap()
    }

    fn vectors() -> Value {
        // Made by libsodium itself (PyNaCl) with tests/fixtures/transfer/make_ente_proton.py.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/transfer/secretstream_vectors.json"
        );
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn secretstream_matches_libsodium_vectors_across_tags_ad_and_rekeys() {
        let vectors = vectors();
        let key: [u8; 32] = hex(vectors["key"].as_str().unwrap()).try_into().unwrap();
        let header: [u8; 24] = hex(vectors["header"].as_str().unwrap()).try_into().unwrap();
        let mut pull = PullStream::init(&key, &header);
        let mut push = PushStream::init(&key, &header);
        for (i, m) in vectors["messages"].as_array().unwrap().iter().enumerate() {
            let plain = hex(m["plain"].as_str().unwrap());
            let ad = hex(m["ad"].as_str().unwrap());
            let cipher = hex(m["cipher"].as_str().unwrap());
            let tag = m["tag"].as_u64().unwrap() as u8;
            if m["rekey_before"].as_bool().unwrap() {
                pull.rekey();
                push.rekey();
            }
            assert_eq!(push.push(&plain, &ad, tag), cipher, "push of message {i}");
            let (got, got_tag) = pull
                .pull(&cipher, &ad)
                .unwrap_or_else(|_| panic!("pull {i}"));
            assert_eq!(
                (got.as_slice(), got_tag),
                (plain.as_slice(), tag),
                "message {i}"
            );
        }
    }

    #[test]
    fn secretstream_rejects_altered_bytes_and_wrong_ad_without_advancing() {
        let (key, header) = ([7u8; 32], [9u8; 24]);
        let mut push = PushStream::init(&key, &header);
        let first = push.push(b"hello", b"ad", TAG_MESSAGE);
        let second = push.push(b"world", b"", TAG_FINAL);
        let mut pull = PullStream::init(&key, &header);
        for i in 0..first.len() {
            let mut bad = first.clone();
            bad[i] ^= 0x01;
            assert_eq!(pull.pull(&bad, b"ad").err(), Some(Forged), "byte {i}");
        }
        assert!(pull.pull(&first, b"other ad").is_err());
        assert!(
            pull.pull(&first[..16], b"ad").is_err(),
            "shorter than the overhead"
        );
        // Out of order: the second message does not verify in the first position.
        assert!(pull.pull(&second, b"").is_err());
        let (plain, _) = pull
            .pull(&first, b"ad")
            .expect("state did not advance on failures");
        assert_eq!(plain.as_slice(), b"hello");
        let (plain, tag) = pull.pull(&second, b"").unwrap();
        assert_eq!((plain.as_slice(), tag), (&b"world"[..], TAG_FINAL));
    }

    proptest::proptest! {
        #[test]
        fn secretstream_round_trips_any_message_sequence(
            key in proptest::array::uniform32(proptest::num::u8::ANY),
            header in proptest::collection::vec(proptest::num::u8::ANY, 24),
            messages in proptest::collection::vec(
                (proptest::collection::vec(proptest::num::u8::ANY, 0..200),
                 proptest::collection::vec(proptest::num::u8::ANY, 0..40),
                 0u8..4, proptest::bool::ANY),
                1..12),
        ) {
            let header: [u8; 24] = header.try_into().unwrap();
            let mut push = PushStream::init(&key, &header);
            let mut pull = PullStream::init(&key, &header);
            for (message, ad, tag, rekey) in &messages {
                if *rekey {
                    push.rekey();
                    pull.rekey();
                }
                let sealed = push.push(message, ad, *tag);
                proptest::prop_assert_eq!(sealed.len(), message.len() + ABYTES);
                let (opened, got_tag) = pull.pull(&sealed, ad).unwrap();
                proptest::prop_assert_eq!(opened.as_slice(), message.as_slice());
                proptest::prop_assert_eq!(got_tag, *tag);
            }
        }
    }
}
