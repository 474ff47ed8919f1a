//! The hash and HMAC primitives both signature schemes are built from.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Block size of both SHA-1 and SHA-256, in bytes.
const BLOCK: usize = 64;

/// Raw SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Lower-case hex SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Raw SHA-1 of `data`.
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
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

/// The HMAC key of exactly one block, as RFC 2104 defines it: a longer key is
/// replaced by its hash, then zero-padded.
///
/// Handing `Hmac` a block-sized key uses its infallible constructor, so no
/// "impossible" error needs unwrapping; the result equals HMAC with the original key.
fn block_key<D: Digest>(key: &[u8]) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    if key.len() <= BLOCK {
        block.iter_mut().zip(key).for_each(|(dst, src)| *dst = *src);
    } else {
        let hashed = D::digest(key);
        block
            .iter_mut()
            .zip(hashed.iter())
            .for_each(|(dst, src)| *dst = *src);
    }
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    fn reference_sha1(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    #[test]
    fn block_key_matches_hmac_for_every_key_length() {
        for len in [0, 1, 20, 32, 63, 64, 65, 100, 200] {
            let key: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            assert_eq!(
                hmac_sha256(&key, b"msg").to_vec(),
                reference_sha256(&key, b"msg")
            );
            assert_eq!(
                hmac_sha1(&key, b"msg").to_vec(),
                reference_sha1(&key, b"msg")
            );
        }
    }

    #[test]
    fn rfc_4231_case_2() {
        // HMAC-SHA256 test case 2 of RFC 4231.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn node_sdk_v1_helper_vector() {
        // KAT-C v1 helper: HMAC-SHA1("test-secret-key", "test-sign-string"), published as
        // base64 `XjwGF9U5zdo93uMrX2b1ZDwoFOo=`; the hex below is the same 20 bytes.
        let mac = hmac_sha1(b"test-secret-key", b"test-sign-string");
        assert_eq!(hex::encode(mac), "5e3c0617d539cdda3ddee32b5f66f5643c2814ea");
    }
}
