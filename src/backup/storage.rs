//! The storage string of a [`CodeSet`]: `Display` writes it, `FromStr`
//! parses it strictly.

use core::fmt::{self, Write as _};
use core::str::FromStr;

use alloc::vec::Vec;

use super::hash::{DIGEST_LEN, HMAC_MIN_LENGTH, SALT_LEN, Scheme, Version};
use base64ct::{Base64Unpadded, Encoding};
use subtle::ConstantTimeEq;

use super::CodeSet;
use super::error::{ParseError, ParseKind};
use super::policy::{valid_count, valid_iterations, valid_length};
use super::set::Slot;
use crate::text::canonical_u64;

const PREFIX: &str = "$twostep-bc$";

impl fmt::Display for CodeSet {
    /// The storage string (see [`CodeSet`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}v={}$alg=", self.version.number())?;
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
    type Err = ParseError;

    /// Parses a storage string strictly: only the exact text that `Display`
    /// writes is accepted.
    ///
    /// # Errors
    ///
    /// A [`ParseError`] naming the first malformed part, or the length if
    /// the string is longer than [`CodeSet::MAX_STORAGE_LEN`] bytes (then
    /// nothing else is read).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > Self::MAX_STORAGE_LEN {
            return Err(ParseKind::TooLong { len: s.len() }.into());
        }
        let rest = s.strip_prefix(PREFIX).ok_or(ParseKind::Prefix)?;
        let mut segments = rest.split('$');
        let version = segments
            .next()
            .and_then(|v| v.strip_prefix("v="))
            .ok_or(ParseKind::Structure)?;
        let version = Version::from_field(version).ok_or(ParseKind::Version)?;
        let params = segments.next().ok_or(ParseKind::Structure)?;
        let salt = labelled(segments.next(), "salt=")?;
        let generation = labelled(segments.next(), "gen=")?;
        let digests = segments.next().ok_or(ParseKind::Structure)?;
        if segments.next().is_some() {
            return Err(ParseKind::Structure.into());
        }

        let (scheme, length, peppered) = parse_params(params)?;
        let salt = b64_decode::<SALT_LEN>(salt).ok_or(ParseKind::Salt)?;
        let generation = canonical_u64(generation)
            .filter(|&g| g >= 1)
            .ok_or(ParseKind::Generation)?;
        let slots = parse_slots(digests)?;
        let set = Self {
            version,
            scheme,
            length,
            peppered,
            salt,
            generation,
            slots,
        };
        let used = set.slots.len().saturating_sub(set.remaining());
        if u64::try_from(used).map_or(true, |u| u >= generation) {
            return Err(ParseKind::Inconsistent { used, generation }.into());
        }
        Ok(set)
    }
}

/// The text after `label` in `segment`.
fn labelled<'a>(segment: Option<&'a str>, label: &str) -> Result<&'a str, ParseKind> {
    segment
        .and_then(|s| s.strip_prefix(label))
        .ok_or(ParseKind::Structure)
}

/// `alg=hmac-sha256,len=N,pepper=B` or `alg=pbkdf2-sha256,i=N,len=N,pepper=B`.
fn parse_params(params: &str) -> Result<(Scheme, u8, bool), ParseKind> {
    let mut fields = params.split(',');
    let mut field = |label: &str| {
        fields
            .next()
            .and_then(|f| f.strip_prefix(label))
            .ok_or(ParseKind::Parameters)
    };
    let scheme = match field("alg=")? {
        "hmac-sha256" => Scheme::HmacSha256,
        "pbkdf2-sha256" => {
            let i = canonical_u64(field("i=")?).ok_or(ParseKind::Parameters)?;
            Scheme::Pbkdf2Sha256 {
                iterations: valid_iterations(i).ok_or(ParseKind::Iterations { iterations: i })?,
            }
        }
        _ => return Err(ParseKind::Algorithm),
    };
    let symbols = canonical_u64(field("len=")?).ok_or(ParseKind::Parameters)?;
    let length = valid_length(symbols).ok_or(ParseKind::Length { symbols })?;
    let peppered = match field("pepper=")? {
        "0" => false,
        "1" => true,
        _ => return Err(ParseKind::Parameters),
    };
    if fields.next().is_some() {
        return Err(ParseKind::Parameters);
    }
    let kdf = usize::from(length) < HMAC_MIN_LENGTH;
    if kdf != matches!(scheme, Scheme::Pbkdf2Sha256 { .. }) {
        return Err(ParseKind::AlgorithmMismatch {
            symbols: usize::from(length),
        });
    }
    Ok((scheme, length, peppered))
}

/// The comma-separated slots: each a canonical digest, `-` first if used,
/// none repeated, as many as a policy allows.
fn parse_slots(digests: &str) -> Result<Vec<Slot>, ParseKind> {
    let count = if digests.is_empty() {
        0
    } else {
        digests.split(',').count()
    };
    valid_count(count).ok_or(ParseKind::Count { count })?;
    let mut slots = Vec::with_capacity(count);
    for (slot, text) in digests.split(',').enumerate() {
        let (used, body) = match text.strip_prefix('-') {
            Some(body) => (true, body),
            None => (false, text),
        };
        let digest = b64_decode::<DIGEST_LEN>(body).ok_or(ParseKind::Digest { slot })?;
        if slots
            .iter()
            .any(|s: &Slot| bool::from(s.digest.ct_eq(&digest)))
        {
            return Err(ParseKind::DuplicateDigest { slot });
        }
        slots.push(Slot { digest, used });
    }
    Ok(slots)
}

/// Writes `bytes` as standard base64 without padding (RFC 4648 §4, as in
/// PHC strings), through a stack buffer.
fn b64_encode(bytes: &[u8], f: &mut impl fmt::Write) -> fmt::Result {
    let mut buf = [0u8; B64_MAX];
    let text = Base64Unpadded::encode(bytes, &mut buf).map_err(|_| fmt::Error)?;
    f.write_str(text)
}

/// Symbols of the longest value written: a 32-byte digest.
const B64_MAX: usize = 43;

/// Decodes canonical unpadded base64 of exactly `N` bytes: the exact symbol
/// count and zero unused bits, so each value has one spelling.
fn b64_decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    let n = Base64Unpadded::decode(text, &mut out).ok()?.len();
    (n == N).then_some(out)
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
