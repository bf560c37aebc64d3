//! Percent-encoding (RFC 3986) of names and parameter values.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use crate::uri::UriError;
use crate::uri::error::Kind;

/// Byte offset of `part` (a slice of `whole`) within `whole`.
pub(super) fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// Percent-decodes `raw` (a slice of `input`); `+` becomes a space when
/// `plus_is_space` (form encoding, used in parameter values). The buffer is
/// wiped on drop, as it may hold the secret.
pub(super) fn decode(
    input: &str,
    raw: &str,
    plus_is_space: bool,
) -> Result<Zeroizing<Vec<u8>>, UriError> {
    let mut out = Zeroizing::new(Vec::with_capacity(raw.len()));
    let mut bytes = raw.bytes().enumerate();
    while let Some((i, b)) = bytes.next() {
        match b {
            b'%' => {
                let hi = bytes.next().and_then(|(_, h)| char::from(h).to_digit(16));
                let lo = bytes.next().and_then(|(_, l)| char::from(l).to_digit(16));
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(UriError::new(Kind::InvalidPercentEncoding {
                        position: offset_in(input, raw).saturating_add(i),
                    }));
                };
                // Both are below 16, so the byte cannot overflow.
                out.push(u8::try_from(hi.wrapping_mul(16) | lo).unwrap_or(0));
            }
            b'+' if plus_is_space => out.push(b' '),
            _ => out.push(b),
        }
    }
    Ok(out)
}

/// [`decode`] for text that is not secret: an issuer, an account, a name.
pub(super) fn decode_text(input: &str, raw: &str, plus_is_space: bool) -> Result<String, UriError> {
    let bytes = decode(input, raw, plus_is_space)?;
    core::str::from_utf8(&bytes)
        .map(ToOwned::to_owned)
        .map_err(|_| UriError::new(Kind::InvalidUtf8))
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `@`
/// (which Google's own examples leave as is).
pub(super) fn encode<W: fmt::Write + ?Sized>(w: &mut W, text: &str) -> fmt::Result {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            w.write_char(char::from(b))?;
        } else {
            write!(w, "%{b:02X}")?;
        }
    }
    Ok(())
}
