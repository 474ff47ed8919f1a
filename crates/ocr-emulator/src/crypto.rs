//! Hash and HMAC helpers (the emulator recomputes signatures itself, independently
//! of the signer under test).

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

/// The key padded (or hashed, then padded) to one 64-byte block, as RFC 2104 does:
/// lets `Hmac` use its infallible constructor.
fn block_key<D: Digest>(key: &[u8]) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    if key.len() <= BLOCK {
        block.iter_mut().zip(key).for_each(|(d, s)| *d = *s);
    } else {
        let hashed = D::digest(key);
        block
            .iter_mut()
            .zip(hashed.iter())
            .for_each(|(d, s)| *d = *s);
    }
    block
}

/// Raw HMAC-SHA256.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let key = block_key::<Sha256>(key);
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&key.into());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Raw HMAC-SHA1.
pub(crate) fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let key = block_key::<Sha1>(key);
    let mut mac = <Hmac<Sha1> as KeyInit>::new(&key.into());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex SHA-256.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Lower-case hex SHA-1.
pub(crate) fn sha1_hex(data: &[u8]) -> String {
    hex::encode(Sha1::digest(data))
}

/// Compares two strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let long_key = [0xaa_u8; 131];
        let mac = hmac_sha256(
            &long_key,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        assert_eq!(
            hex::encode(hmac_sha1(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert!(constant_time_eq("abc", "abc") && !constant_time_eq("abc", "abd"));
    }
}
