//! The storage string of a [`CodeSet`]: `Display` writes it, `FromStr`
//! parses it strictly.

use core::fmt::{self, Write as _};
use core::str::FromStr;

use alloc::vec::Vec;

use super::hash::{DIGEST_LEN, HMAC_MIN_LENGTH, SALT_LEN, Scheme};
use super::policy::{check_count, check_iterations, check_length};
use super::set::Slot;
use super::{BackupError, CodeSet};
use crate::text::canonical_u64;

const PREFIX: &str = "$twostep-bc$";

impl fmt::Display for CodeSet {
    /// The storage string (see [`CodeSet`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PREFIX)?;
        f.write_str("v=1$alg=")?;
        match self.scheme {
            Scheme::HmacSha256 => f.write_str("hmac-sha256")?,
            Scheme::Pbkdf2Sha256 { iterations } => write!(f, "pbkdf2-sha256,i={iterations}")?,
        }
        write!(
            f,
            ",len={},pepper={}$salt=",
            self.length,
            u8::from(self.peppered)
        )?;
        b64_encode(&self.salt, f)?;
        write!(f, "$gen={}$", self.generation)?;
        for (i, s) in self.slots.iter().enumerate() {
            if i > 0 {
                f.write_char(',')?;
            }
            if s.used {
                f.write_char('-')?;
            }
            b64_encode(&s.digest, f)?;
        }
        Ok(())
    }
}

impl FromStr for CodeSet {
    type Err = BackupError;

    /// Parses a storage string strictly: only the exact text that `Display`
    /// writes is accepted.
    ///
    /// # Errors
    ///
    /// [`BackupError::TooLong`] over [`CodeSet::MAX_STORAGE_LEN`]
    /// bytes, then a variant naming the first malformed part:
    /// [`Prefix`](BackupError::Prefix), [`Version`](BackupError::Version),
    /// [`Structure`](BackupError::Structure),
    /// [`Parameters`](BackupError::Parameters),
    /// [`Algorithm`](BackupError::Algorithm),
    /// [`Iterations`](BackupError::Iterations),
    /// [`Length`](BackupError::Length),
    /// [`AlgorithmMismatch`](BackupError::AlgorithmMismatch),
    /// [`Salt`](BackupError::Salt), [`Generation`](BackupError::Generation),
    /// [`Count`](BackupError::Count), [`Digest`](BackupError::Digest),
    /// [`DuplicateDigest`](BackupError::DuplicateDigest),
    /// [`Inconsistent`](BackupError::Inconsistent).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > Self::MAX_STORAGE_LEN {
            return Err(BackupError::TooLong {
                len: s.len(),
                max: Self::MAX_STORAGE_LEN,
            });
        }
        let rest = s.strip_prefix(PREFIX).ok_or(BackupError::Prefix)?;
        let mut segments = rest.split('$');
        let version = segments
            .next()
            .and_then(|v| v.strip_prefix("v="))
            .ok_or(BackupError::Structure)?;
        if version != "1" {
            return Err(BackupError::Version);
        }
        let params = segments.next().ok_or(BackupError::Structure)?;
        let salt = labelled(segments.next(), "salt=")?;
        let generation = labelled(segments.next(), "gen=")?;
        let digests = segments.next().ok_or(BackupError::Structure)?;
        if segments.next().is_some() {
            return Err(BackupError::Structure);
        }

        let (scheme, length, peppered) = parse_params(params)?;
        let salt = b64_decode::<SALT_LEN>(salt).ok_or(BackupError::Salt)?;
        let generation = canonical_u64(generation)
            .filter(|&g| g >= 1)
            .ok_or(BackupError::Generation)?;

        let count = if digests.is_empty() {
            0
        } else {
            digests.split(',').count()
        };
        check_count(count)?;
        let mut slots = Vec::with_capacity(count);
        for (slot, text) in digests.split(',').enumerate() {
            let (used, body) = match text.strip_prefix('-') {
                Some(body) => (true, body),
                None => (false, text),
            };
            let digest = b64_decode::<DIGEST_LEN>(body).ok_or(BackupError::Digest { slot })?;
            if slots.iter().any(|s: &Slot| s.digest == digest) {
                return Err(BackupError::DuplicateDigest { slot });
            }
            slots.push(Slot { digest, used });
        }
        let set = Self {
            scheme,
            length,
            peppered,
            salt,
            generation,
            slots,
        };
        let used = set.slots.len().saturating_sub(set.remaining());
        if u64::try_from(used).map_or(true, |u| u >= generation) {
            return Err(BackupError::Inconsistent { used, generation });
        }
        Ok(set)
    }
}

/// The text after `label` in `segment`, or [`BackupError::Structure`].
fn labelled<'a>(segment: Option<&'a str>, label: &str) -> Result<&'a str, BackupError> {
    segment
        .and_then(|s| s.strip_prefix(label))
        .ok_or(BackupError::Structure)
}

/// `alg=hmac-sha256,len=N,pepper=B` or `alg=pbkdf2-sha256,i=N,len=N,pepper=B`.
fn parse_params(params: &str) -> Result<(Scheme, u8, bool), BackupError> {
    let mut fields = params.split(',');
    let mut field = |label: &str| {
        fields
            .next()
            .and_then(|f| f.strip_prefix(label))
            .ok_or(BackupError::Parameters)
    };
    let scheme = match field("alg=")? {
        "hmac-sha256" => Scheme::HmacSha256,
        "pbkdf2-sha256" => {
            let i = canonical_u64(field("i=")?).ok_or(BackupError::Parameters)?;
            Scheme::Pbkdf2Sha256 {
                iterations: check_iterations(i)?,
            }
        }
        _ => return Err(BackupError::Algorithm),
    };
    let symbols = canonical_u64(field("len=")?).ok_or(BackupError::Parameters)?;
    let length = check_length(usize::try_from(symbols).unwrap_or(usize::MAX))?;
    let peppered = match field("pepper=")? {
        "0" => false,
        "1" => true,
        _ => return Err(BackupError::Parameters),
    };
    if fields.next().is_some() {
        return Err(BackupError::Parameters);
    }
    let kdf = usize::from(length) < HMAC_MIN_LENGTH;
    if kdf != matches!(scheme, Scheme::Pbkdf2Sha256 { .. }) {
        return Err(BackupError::AlgorithmMismatch {
            symbols: usize::from(length),
        });
    }
    Ok((scheme, length, peppered))
}

/// Standard base64 alphabet (RFC 4648 §4), written without padding.
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_encode(bytes: &[u8], f: &mut impl fmt::Write) -> fmt::Result {
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    let sym = |v: u32| char::from(B64.get((v & 63) as usize).copied().unwrap_or(b'A'));
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits = bits.saturating_add(8);
        while bits >= 6 {
            bits = bits.saturating_sub(6);
            f.write_char(sym(acc >> bits))?;
        }
        acc &= (1u32 << bits).wrapping_sub(1);
    }
    if bits > 0 {
        f.write_char(sym(acc << 6u32.saturating_sub(bits)))?;
    }
    Ok(())
}

/// Decodes canonical unpadded base64 of exactly `N` bytes: the exact symbol
/// count and zero unused bits, so each value has one spelling.
fn b64_decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let expected = N.checked_mul(8)?.div_ceil(6);
    if text.len() != expected {
        return None;
    }
    let mut out = [0u8; N];
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    let mut written = 0usize;
    for c in text.bytes() {
        let v = B64.iter().position(|&s| s == c)?;
        acc = (acc << 6) | u32::try_from(v).ok()?;
        bits = bits.saturating_add(6);
        if bits >= 8 {
            bits = bits.saturating_sub(8);
            *out.get_mut(written)? = (acc >> bits).to_le_bytes()[0];
            written = written.saturating_add(1);
            acc &= (1u32 << bits).wrapping_sub(1);
        }
    }
    (written == N && acc == 0).then_some(out)
}

crate::text::serde_via_text!(CodeSet, "a twostep backup-code storage string");

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::String;

    #[test]
    fn b64_canonical_and_round_trip() {
        let mut s = String::new();
        b64_encode(&[0xff; 16], &mut s).unwrap();
        assert_eq!(s, "/////////////////////w");
        assert_eq!(b64_decode::<16>(&s), Some([0xff; 16]));
        // Non-zero unused bits: not the canonical spelling.
        assert_eq!(b64_decode::<16>("/////////////////////x"), None);
        assert_eq!(b64_decode::<16>("/////////////////////w="), None);
        assert_eq!(b64_decode::<16>("////////////////////w"), None);
        let mut s = String::new();
        b64_encode(b"foobar", &mut s).unwrap();
        assert_eq!(s, "Zm9vYmFy"); // RFC 4648 §10
        let mut s = String::new();
        b64_encode(b"fo", &mut s).unwrap();
        assert_eq!(s, "Zm8");
        assert_eq!(b64_decode::<2>("Zm8"), Some(*b"fo"));
    }
}
