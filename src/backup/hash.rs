//! The hash construction of a set (private): one HMAC-SHA-256, or PBKDF2
//! for codes under 112 bits, of the packed symbols under the set's salt and
//! a key from the policy's pepper. Version 2 derives that key with the
//! pepper's length bound in; version 1 (read, no longer written) keyed HMAC
//! with the pepper itself, whose zero padding made `P` and `P || 0` (and an
//! all-zero pepper and none) the same key.

use hmac::digest::{KeyInit, common::Key};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use super::crockford;

/// Bytes of salt per set.
pub(super) const SALT_LEN: usize = 16;
/// Bytes of each slot's digest.
pub(super) const DIGEST_LEN: usize = 32;
/// Symbols from which HMAC-SHA-256 alone is used: 23 × 5 = 115 ≥ 112 bits.
pub(super) const HMAC_MIN_LENGTH: usize = 23;

const V1_HMAC_TAG: &[u8] = b"twostep-bc/v1/hmac-sha256";
const V1_PBKDF2_TAG: &[u8] = b"twostep-bc/v1/pbkdf2-sha256";
const V2_PEPPER_TAG: &[u8] = b"twostep-bc/v2/pepper";
const V2_HMAC_TAG: &[u8] = b"twostep-bc/v2/hmac-sha256";
const V2_PBKDF2_TAG: &[u8] = b"twostep-bc/v2/pbkdf2-sha256";

/// The storage format version of a set, which fixes how the pepper keys
/// the hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Version {
    /// The pepper is the HMAC key (zero-padded to a block).
    V1,
    /// The HMAC key is `HMAC-SHA-256("twostep-bc/v2/pepper", len(P) || P)`.
    V2,
}

impl Version {
    /// The version new sets are written in.
    pub(super) const CURRENT: Self = Self::V2;

    /// The `v=` field.
    pub(super) fn number(self) -> u8 {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }

    /// The version of a `v=` field, if this crate reads it.
    pub(super) fn from_field(field: &str) -> Option<Self> {
        match field {
            "1" => Some(Self::V1),
            "2" => Some(Self::V2),
            _ => None,
        }
    }
}

/// The hash construction of a set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scheme {
    HmacSha256,
    Pbkdf2Sha256 { iterations: u32 },
}

/// HMAC-SHA-256 keyed with `key` (at most one block, so zero-padding it is
/// exactly RFC 2104's key handling), through the infallible constructor.
fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    let mut block = Key::<Hmac<Sha256>>::default();
    block.iter_mut().zip(key).for_each(|(d, s)| *d = *s);
    let mac = <Hmac<Sha256> as KeyInit>::new(&block);
    block.as_mut_slice().zeroize();
    mac
}

/// The keyed HMAC of a version: the pepper itself (v1), or the key derived
/// from the pepper and its length (v2), so that no two peppers give one key.
/// `None` for a pepper longer than 255 bytes (the policy allows 64).
fn keyed(version: Version, pepper: &[u8]) -> Option<(Hmac<Sha256>, &'static [u8], &'static [u8])> {
    Some(match version {
        Version::V1 => (hmac_sha256(pepper), V1_HMAC_TAG, V1_PBKDF2_TAG),
        Version::V2 => {
            let len = [u8::try_from(pepper.len()).ok()?];
            let mut key = hmac_sha256(V2_PEPPER_TAG)
                .chain_update(len)
                .chain_update(pepper)
                .finalize()
                .into_bytes();
            let mac = hmac_sha256(&key);
            key.as_mut_slice().zeroize();
            (mac, V2_HMAC_TAG, V2_PBKDF2_TAG)
        }
    })
}

/// The one hash or KDF evaluation of a code (its 5-bit symbol values) under
/// a set's parameters. `None` only if PBKDF2 refused its 32-byte password,
/// which HMAC never does, or the pepper is over 255 bytes.
pub(super) fn digest(
    version: Version,
    scheme: Scheme,
    salt: &[u8; SALT_LEN],
    pepper: &[u8],
    values: &[u8],
) -> Option<Zeroizing<[u8; DIGEST_LEN]>> {
    #[cfg(test)]
    crate::test_counter::bump(&crate::test_counter::BACKUP_DIGEST);
    let mut packed = Zeroizing::new([0u8; crockford::MAX_PACKED]);
    let n = crockford::pack(values, &mut packed);
    let packed = packed.get(..n)?;
    let len = [u8::try_from(values.len()).ok()?];
    let (mac, hmac_tag, pbkdf2_tag) = keyed(version, pepper)?;
    let mut out = Zeroizing::new([0u8; DIGEST_LEN]);
    match scheme {
        Scheme::HmacSha256 => {
            let mut tag = mac
                .chain_update(hmac_tag)
                .chain_update(len)
                .chain_update(salt)
                .chain_update(packed)
                .finalize()
                .into_bytes();
            out.copy_from_slice(&tag);
            tag.as_mut_slice().zeroize();
        }
        Scheme::Pbkdf2Sha256 { iterations } => {
            let mut pw = mac
                .chain_update(pbkdf2_tag)
                .chain_update(len)
                .chain_update(packed)
                .finalize()
                .into_bytes();
            let r = pbkdf2::pbkdf2::<Hmac<Sha256>>(&pw, salt, iterations, out.as_mut_slice());
            pw.as_mut_slice().zeroize();
            r.ok()?;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::backup::CodeSet;
    use core::fmt::Write as _;
    use std::{string::String, vec::Vec};

    #[test]
    fn kat_digests_match_python() {
        // Vectors from scripts/backup_vectors.py (Python hashlib), checked
        // here against the private digest function directly.
        for (text, version, codes) in [
            (
                include_str!("../../tests/vectors/backup_kat.txt"),
                Version::V1,
                17,
            ),
            (
                include_str!("../../tests/vectors/backup_kat_v2.txt"),
                Version::V2,
                23,
            ),
        ] {
            assert_eq!(kat_digests(text, version), codes);
        }
    }

    /// Checks every code's digest in `text`; returns how many.
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "test helper: hex offsets and a count of at most a few dozen"
    )]
    fn kat_digests(text: &str, version: Version) -> usize {
        let mut checked = 0;
        for block in text.split("\n\n").filter(|b| b.contains("storage: ")) {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap()
                    .trim()
            };
            let pepper = match field("pepper:") {
                "-" => Vec::new(),
                hex => (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect(),
            };
            let set: CodeSet = field("storage:").parse().unwrap();
            assert_eq!(set.version, version);
            let first = field("codes:").split(' ').next().unwrap();
            for (code, slot) in field("codes:").split(' ').zip(&set.slots) {
                let symbols = crockford::normalise(code, set.code_length()).unwrap();
                if code == first {
                    let mut packed = [0u8; crockford::MAX_PACKED];
                    let n = crockford::pack(symbols.values(), &mut packed);
                    let hex = packed[..n].iter().fold(String::new(), |mut hex, b| {
                        let _ = write!(hex, "{b:02x}");
                        hex
                    });
                    assert_eq!(hex, field("packed0:"));
                }
                let d = digest(
                    set.version,
                    set.scheme,
                    &set.salt,
                    &pepper,
                    symbols.values(),
                )
                .unwrap();
                assert_eq!(*d, slot.digest, "{}", field("name:"));
                checked += 1;
            }
        }
        checked
    }
}
