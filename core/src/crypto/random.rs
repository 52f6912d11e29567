//! Randomness from the operating system, with one failure policy: an error, never a panic.

use zeroize::Zeroizing;

use super::CryptoError;
use super::aead::KEY_LEN;

fn system() -> &'static ring::rand::SystemRandom {
    static RNG: std::sync::OnceLock<ring::rand::SystemRandom> = std::sync::OnceLock::new();
    RNG.get_or_init(ring::rand::SystemRandom::new)
}

/// Fills `out` with random bytes from the operating system.
pub fn fill(out: &mut [u8]) -> Result<(), CryptoError> {
    use ring::rand::SecureRandom;
    system().fill(out).map_err(|_| CryptoError::Random)
}

/// `N` random bytes (salts, nonces, stream headers).
pub fn array<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}

/// A fresh random 256-bit key, wiped on drop (`make_*` in the project's naming: random, not
/// derived).
pub fn make_key() -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    fill(&mut key[..])?;
    Ok(key)
}

/// A random (version 4, RFC 9562 §5.4) UUID in its hyphenated lowercase form. Built from
/// [`fill`] rather than `uuid::Uuid::new_v4`, which panics when the random source fails.
pub fn uuid_v4() -> Result<String, CryptoError> {
    let bytes = array::<16>()?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string())
}

/// The random source for ring's signing functions (RSA-PSS/PKCS#1 padding needs none, but
/// ring's API asks for one).
pub fn ring_source() -> &'static dyn ring::rand::SecureRandom {
    system()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_version_4_variant_1_and_fresh() {
        let a = uuid_v4().unwrap();
        let b = uuid_v4().unwrap();
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(a.len(), 36);
        assert_eq!(a, a.to_lowercase());
    }

    #[test]
    fn arrays_differ_between_calls() {
        // 2^-128 chance of a false failure.
        assert_ne!(array::<16>().unwrap(), array::<16>().unwrap());
    }
}
