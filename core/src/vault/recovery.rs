//! The recovery key: a third way into the vault, printed on paper, for the day the device key
//! is gone (new phone, biometrics changed, keystore wiped) and the password is forgotten.
//!
//! # Format (`docs/vault.md`, *Recovery key*)
//!
//! 28 symbols of Crockford's base32 alphabet `0123456789ABCDEFGHJKMNPQRSTVWXYZ`, shown as
//! seven groups of four separated by `-`:
//!
//! ```text
//! QYFE-07H6-6Z69-HG2K-6J5W-W3Z8-A678
//! ```
//!
//! - symbols 1–26 are random (26 × 5 = 130 bits of entropy from the operating system);
//! - symbol 27 is a check symbol over symbols 1–26, symbol 28 one over symbols 1–27.
//!
//! Reading is forgiving where it cannot be wrong: case, spaces and dashes are ignored, and,
//! as Crockford specifies, `O` reads as `0` and `I`/`L` as `1`. `U` and anything else are
//! refused with the position of the first bad symbol.
//!
//! # Checksum
//!
//! Each check symbol is Damm's algorithm over the quasigroup `x ∘ y = α·x ⊕ y` in GF(32)
//! (polynomial x⁵ + x² + 1; α = x for symbol 27, α = x + 1 for symbol 28): starting from 0,
//! `r ← r ∘ d` for each symbol, and the check symbol is the `c` with `r ∘ c = 0`, i.e.
//! `c = α·r`. A key is accepted only when running over all its symbols (check symbols
//! included) ends at 0 for both. Because `y ↦ x ∘ y` and `x ↦ x ∘ y` are bijections, any
//! single changed symbol changes the result; because `(r ∘ a) ∘ b ⊕ (r ∘ b) ∘ a =
//! (α ⊕ 1)(a ⊕ b) ≠ 0` for α ∉ {0, 1} and a ≠ b, any swap of two neighbouring symbols does
//! too. Both are guaranteed, not just likely; two check symbols make a random error slip
//! through one time in 1024.
//!
//! # Key derivation
//!
//! The wrapping key is HKDF-SHA256(the 26 random symbols as uppercase ASCII, salt `tessera`,
//! info `tessera/v1/recovery-key/wrap`). A slow password hash (Argon2id) protects a secret
//! that people choose and that can be guessed; this one has 130 random bits, which no amount
//! of guessing reaches, so stretching would only slow down the one legitimate unlock.
//!
//! # Slot
//!
//! The vault key sealed with AES-256-GCM under that key (`nonce ‖ ciphertext ‖ tag`, AAD
//! `tessera/v1/key_slots/recovery`), stored in `vault_meta` under the name `recovery_slot`.
//! `vault_meta` is a name/value table every schema version has, so adding the slot needs no
//! schema change, and an older Tessera opens the vault as before (it ignores the row).

use rusqlite::OptionalExtension;
use zeroize::Zeroizing;

use super::db::{check_and_migrate, lock, open_connection};
use super::integrity::authenticate_rows_once;
use super::keys::{self, KEY_LEN};
use super::{Inner, Vault, VaultError, VaultKey};

/// Crockford's base32: no I, L, O or U, so no symbol looks like another.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random symbols (130 bits).
const DATA_SYMBOLS: usize = 26;
/// Random symbols plus the two check symbols.
const SYMBOLS: usize = DATA_SYMBOLS + 2;
/// Symbols per printed group.
const GROUP: usize = 4;
/// α of the two check symbols: x and x + 1 in GF(32).
const ALPHAS: [u8; 2] = [0b00010, 0b00011];

pub(super) const RECOVERY_SLOT: &str = "recovery_slot";
const RECOVERY_SLOT_AAD: &[u8] = b"tessera/v1/key_slots/recovery";
const RECOVERY_KDF_INFO: &[u8] = b"tessera/v1/recovery-key/wrap";

/// Multiplication in GF(32) modulo x⁵ + x² + 1.
fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0b100000 != 0 {
            a ^= 0b100101;
        }
    }
    product
}

/// Damm's running value over `symbols` with the quasigroup of `alpha`.
fn damm(alpha: u8, symbols: &[u8]) -> u8 {
    symbols
        .iter()
        .fold(0, |r, &symbol| gf32_mul(alpha, r) ^ symbol)
}

/// The value (0–31) of one typed character; `None` for a character outside the alphabet.
fn symbol_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|p| u8::try_from(p).ok())
}

/// Makes a new random recovery key in its printed form.
fn make() -> Result<Zeroizing<String>, VaultError> {
    let mut random = Zeroizing::new([0u8; DATA_SYMBOLS]);
    keys::fill_random(&mut random[..])?;
    let mut symbols = Zeroizing::new([0u8; SYMBOLS]);
    for (symbol, byte) in symbols.iter_mut().zip(random.iter()) {
        // 256 is a multiple of 32: the low five bits of a uniform byte are uniform.
        *symbol = byte & 31;
    }
    symbols[DATA_SYMBOLS] = gf32_mul(ALPHAS[0], damm(ALPHAS[0], &symbols[..DATA_SYMBOLS]));
    symbols[DATA_SYMBOLS + 1] = gf32_mul(ALPHAS[1], damm(ALPHAS[1], &symbols[..SYMBOLS - 1]));
    let mut text = Zeroizing::new(String::with_capacity(SYMBOLS + SYMBOLS / GROUP));
    for (i, &symbol) in symbols.iter().enumerate() {
        if i > 0 && i % GROUP == 0 {
            text.push('-');
        }
        text.push(char::from(ALPHABET[usize::from(symbol)]));
    }
    Ok(text)
}

/// Reads a typed recovery key: its 26 random symbols as canonical uppercase ASCII (the
/// input of the key derivation), or a specific error that never repeats the input.
fn parse(typed: &str) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let mut symbols = Zeroizing::new(Vec::with_capacity(SYMBOLS));
    for c in typed.chars() {
        if c == '-' || c.is_whitespace() {
            continue;
        }
        let Some(value) = symbol_value(c) else {
            return Err(VaultError::InvalidRecoveryKey(format!(
                "symbol {} is not one of 0-9 and A-Z without U",
                symbols.len() + 1
            )));
        };
        if symbols.len() == SYMBOLS {
            return Err(VaultError::InvalidRecoveryKey(format!(
                "it has more than {SYMBOLS} symbols"
            )));
        }
        symbols.push(value);
    }
    if symbols.len() < SYMBOLS {
        return Err(VaultError::InvalidRecoveryKey(format!(
            "it has {} of its {SYMBOLS} symbols",
            symbols.len()
        )));
    }
    if damm(ALPHAS[0], &symbols[..SYMBOLS - 1]) != 0 || damm(ALPHAS[1], &symbols) != 0 {
        return Err(VaultError::InvalidRecoveryKey(
            "it has a typing error (its check symbols do not match); compare it with the printed key".into(),
        ));
    }
    Ok(Zeroizing::new(
        symbols[..DATA_SYMBOLS]
            .iter()
            .map(|&s| ALPHABET[usize::from(s)])
            .collect(),
    ))
}

/// The key that wraps the vault key in the recovery slot.
fn derive_wrapping_key(data: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>, VaultError> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    keys::derive_subkey(data, RECOVERY_KDF_INFO, &mut key[..])?;
    Ok(key)
}

impl Vault {
    /// Makes a new recovery key and stores the vault key wrapped under it, replacing (and so
    /// revoking) any earlier recovery key. Returns the key's printed form: show it once and
    /// let it go; Tessera keeps no readable copy.
    pub fn create_recovery_key(&self) -> Result<Zeroizing<String>, VaultError> {
        let printed = make()?;
        let wrapping = derive_wrapping_key(&parse(&printed)?)?;
        let inner = lock(&self.inner);
        let wrapped = keys::aes_key(&wrapping[..])?
            .seal_with_random_nonce(inner.key.raw(), RECOVERY_SLOT_AAD)?;
        inner.conn.execute(
            "INSERT INTO vault_meta (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            rusqlite::params![RECOVERY_SLOT, wrapped],
        )?;
        Ok(printed)
    }

    /// Removes the recovery key: it no longer opens the vault. Refused when it might be the
    /// only way in left (no password, and the device key not proven in this session).
    pub fn revoke_recovery_key(&self) -> Result<(), VaultError> {
        let inner = lock(&self.inner);
        let has_password = inner
            .conn
            .query_row(
                "SELECT 1 FROM key_slots WHERE kind = 'password'",
                [],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if !inner.device_verified && !has_password {
            return Err(VaultError::DeviceKeyUnverified);
        }
        let removed = inner
            .conn
            .execute("DELETE FROM vault_meta WHERE name = ?1", [RECOVERY_SLOT])?;
        if removed == 0 {
            return Err(VaultError::NoRecoveryKey);
        }
        Ok(())
    }

    /// True when the vault has a recovery key.
    pub fn has_recovery_key(&self) -> Result<bool, VaultError> {
        let inner = lock(&self.inner);
        Ok(inner
            .conn
            .query_row(
                "SELECT 1 FROM vault_meta WHERE name = ?1",
                [RECOVERY_SLOT],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Opens the vault at `path` with its recovery key (as typed: case, spaces and dashes do
    /// not matter). A typing error is [`VaultError::InvalidRecoveryKey`] before the file is
    /// touched; a well-formed key of another vault (or a revoked one) is
    /// [`VaultError::WrongRecoveryKey`]. [`super::Unlocker::unlock_with_recovery_key`] also
    /// registers a new device key afterwards.
    pub fn open_with_recovery_key(
        path: &std::path::Path,
        typed: &str,
    ) -> Result<Vault, VaultError> {
        let wrapping = derive_wrapping_key(&parse(typed)?)?;
        let mut conn = open_connection(path, false)?;
        check_and_migrate(&mut conn, path)?;
        let wrapped: Vec<u8> = conn
            .query_row(
                "SELECT value FROM vault_meta WHERE name = ?1",
                [RECOVERY_SLOT],
                |row| row.get(0),
            )
            .optional()?
            .ok_or(VaultError::NoRecoveryKey)?;
        let raw = keys::aes_key(&wrapping[..])?
            .open_nonce_prefixed(&wrapped, RECOVERY_SLOT_AAD)
            .ok_or(VaultError::WrongRecoveryKey)?;
        let key = VaultKey::from_raw(&raw).map_err(|_| VaultError::WrongRecoveryKey)?;
        if !Inner::verify_key(&conn, &key)? {
            return Err(VaultError::WrongRecoveryKey);
        }
        authenticate_rows_once(&mut conn, &key)?;
        Ok(Vault::from_parts(path, conn, key, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typo_error(typed: &str) -> bool {
        matches!(parse(typed), Err(VaultError::InvalidRecoveryKey(m)) if m.contains("typing error"))
    }

    #[test]
    fn printed_keys_have_seven_groups_of_four_and_parse_back() {
        for _ in 0..200 {
            let key = make().unwrap();
            let groups: Vec<&str> = key.split('-').collect();
            assert_eq!(groups.len(), 7, "{}", key.len());
            assert!(groups.iter().all(|g| g.len() == 4));
            let data = parse(&key).unwrap();
            assert_eq!(&data[..], &key.replace('-', "").as_bytes()[..DATA_SYMBOLS]);
            // Lowercase, spaces instead of dashes, O for 0 and L for 1 read the same.
            let sloppy = key
                .to_lowercase()
                .replace('-', " ")
                .replace('0', "o")
                .replace('1', "L");
            assert_eq!(parse(&sloppy).unwrap(), data);
        }
    }

    #[test]
    fn every_single_symbol_typo_is_caught() {
        let key = make().unwrap();
        let compact: Vec<u8> = key.bytes().filter(|&b| b != b'-').collect();
        for at in 0..SYMBOLS {
            for &other in ALPHABET {
                if other == compact[at] {
                    continue;
                }
                let mut typed = compact.clone();
                typed[at] = other;
                let typed = String::from_utf8(typed).unwrap();
                assert!(
                    typo_error(&typed),
                    "symbol {at} changed to {}",
                    other as char
                );
            }
        }
    }

    #[test]
    fn every_swap_of_neighbours_is_caught() {
        // Many keys, so that swaps of every kind of pair (including across a dash and with
        // a check symbol) are exercised.
        for _ in 0..200 {
            let key = make().unwrap();
            let compact: Vec<u8> = key.bytes().filter(|&b| b != b'-').collect();
            for at in 0..SYMBOLS - 1 {
                if compact[at] == compact[at + 1] {
                    continue;
                }
                let mut typed = compact.clone();
                typed.swap(at, at + 1);
                assert!(
                    typo_error(std::str::from_utf8(&typed).unwrap()),
                    "symbols {at} and {} swapped",
                    at + 1
                );
            }
        }
    }

    #[test]
    fn the_documented_example_is_a_valid_key() {
        // The example printed in the module docs and docs/vault.md must be a real key, so
        // that someone implementing the format can check their reader against it.
        let data = parse("QYFE-07H6-6Z69-HG2K-6J5W-W3Z8-A678").unwrap();
        assert_eq!(&data[..], b"QYFE07H66Z69HG2K6J5WW3Z8A6");
    }

    #[test]
    fn malformed_keys_get_specific_errors() {
        let key = make().unwrap();
        let short = &key[..key.len() - 1];
        assert!(
            matches!(parse(short), Err(VaultError::InvalidRecoveryKey(m)) if m.contains("27 of its 28"))
        );
        let long = format!("{}{}", &*key, "0");
        assert!(
            matches!(parse(&long), Err(VaultError::InvalidRecoveryKey(m)) if m.contains("more than 28"))
        );
        let with_u = format!("U{}", &key[1..]);
        assert!(
            matches!(parse(&with_u), Err(VaultError::InvalidRecoveryKey(m)) if m.contains("symbol 1 is not"))
        );
        assert!(matches!(parse(""), Err(VaultError::InvalidRecoveryKey(_))));
    }

    #[test]
    fn gf32_multiplication_is_a_field_multiplication() {
        // α = x has order 31 (the polynomial is primitive), so every nonzero element is a
        // power of it and each multiplication by a nonzero element is a bijection.
        let mut seen = std::collections::HashSet::new();
        let mut p = 1u8;
        for _ in 0..31 {
            assert!(seen.insert(p));
            p = gf32_mul(2, p);
        }
        assert_eq!(p, 1);
        for a in 1..32u8 {
            let images: std::collections::HashSet<u8> = (0..32).map(|b| gf32_mul(a, b)).collect();
            assert_eq!(images.len(), 32, "multiplication by {a}");
        }
    }
}
