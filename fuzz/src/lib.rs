//! Shared pieces of the twostep fuzz targets: turning fuzzer bytes into
//! valid parameters, and typing a real code the way a person would.
//!
//! A fuzzer cannot guess an HMAC code, so the verifier targets take either
//! raw text ([`Typed::Raw`]) or "the real code of step/counter N, typed with
//! a separator" ([`Typed::Real`]) to reach the success paths too.

use arbitrary::Arbitrary;
use twostep::otp::{Algorithm, Digits};
use twostep::{Code, Secret};

/// The RFC 4226 / RFC 6238 SHA-1 test key, used when the fuzzer's key
/// bytes are not a valid length.
pub const RFC_KEY: &[u8] = b"12345678901234567890";

/// What the user typed.
#[derive(Arbitrary, Debug)]
pub enum Typed {
    /// Arbitrary text, almost always malformed or wrong.
    Raw(String),
    /// The real code at `offset` from the expected step or counter,
    /// with an optional separator.
    Real {
        /// Signed distance from the expected step (HOTP uses it as unsigned).
        offset: i16,
        /// Where to put a separator, if anywhere.
        separator: Option<Separator>,
    },
}

/// A separator typed inside a code.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Separator {
    /// Byte position (taken modulo the valid positions).
    pub position: u8,
    /// `-` instead of a space.
    pub hyphen: bool,
}

/// The hash selected by a fuzzer byte.
pub fn algorithm(b: u8) -> Algorithm {
    match b % 3 {
        0 => Algorithm::Sha1,
        1 => Algorithm::Sha256,
        _ => Algorithm::Sha512,
    }
}

/// The digit count selected by a fuzzer byte: `Digits::new` is exercised
/// on the raw value and must agree with the documented range 6..=10.
pub fn digits(b: u8) -> Digits {
    match Digits::new(u32::from(b)) {
        Ok(d) => {
            assert!((6..=10).contains(&b));
            assert_eq!(d.get(), u32::from(b));
            d
        }
        Err(_) => {
            assert!(!(6..=10).contains(&b));
            Digits::new(6 + u32::from(b % 5)).expect("6..=10 is valid")
        }
    }
}

/// A secret from fuzzer bytes: the bytes themselves if their length is
/// valid, the RFC key otherwise.
pub fn secret(key: &[u8]) -> Secret {
    match Secret::from_bytes(key) {
        Ok(s) => {
            assert_eq!(s.expose_secret(), key);
            s
        }
        Err(_) => {
            assert!(!(Secret::MIN_LEN..=Secret::MAX_LEN).contains(&key.len()));
            Secret::from_bytes(RFC_KEY).expect("20 bytes is valid")
        }
    }
}

/// `code` as a person types it: its digits with an optional single space or
/// hyphen strictly between two digits.
pub fn type_code(code: &Code, separator: Option<Separator>) -> String {
    let text = code.to_string();
    let Some(sep) = separator else { return text };
    // Valid positions are 1..len (between two digits).
    let len = text.len();
    let at = 1 + usize::from(sep.position) % (len - 1);
    let mut typed = String::with_capacity(len + 1);
    typed.push_str(&text[..at]);
    typed.push(if sep.hyphen { '-' } else { ' ' });
    typed.push_str(&text[at..]);
    typed
}

/// The digits of a successfully parsed input, separators removed.
pub fn digits_only(input: &str) -> String {
    input.chars().filter(char::is_ascii_digit).collect()
}

/// A cursor over fuzzer bytes with a layout simple enough to write seeds by
/// hand (see `fuzz/seeds.py`): fixed-width little-endian integers, and text
/// as a one-byte length followed by that many bytes (UTF-8, lossily). Reading
/// past the end yields zeros and empty text, so every input decodes.
///
/// The targets added after the first three use it instead of `arbitrary`'s
/// derive, whose encoding (lengths taken from the end of the input) cannot
/// practically be written by hand, so that committed seeds can reach the
/// success paths (a real code, a real backup code, a valid state).
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Up to `n` bytes (fewer at the end of the input).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let head = self.bytes(N);
        out[..head.len()].copy_from_slice(head);
        out
    }

    /// One byte.
    pub fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }

    /// Two bytes, little-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.array())
    }

    /// Four bytes, little-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }

    /// Eight bytes, little-endian.
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }

    /// Two bytes, little-endian, two's complement.
    pub fn i16(&mut self) -> i16 {
        i16::from_le_bytes(self.array())
    }

    /// Eight bytes, little-endian, two's complement.
    pub fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.array())
    }

    /// A byte length, then that many bytes.
    pub fn blob(&mut self) -> &'a [u8] {
        let n = usize::from(self.u8());
        self.bytes(n)
    }

    /// A byte length, then that many bytes as (lossy) UTF-8.
    pub fn text(&mut self) -> String {
        String::from_utf8_lossy(self.blob()).into_owned()
    }

    /// What was typed: tag byte even → [`Typed::Real`] with an `i16` offset
    /// and a separator byte ([`separator`]); odd → [`Typed::Raw`] text.
    pub fn typed(&mut self) -> Typed {
        if self.u8().is_multiple_of(2) {
            Typed::Real {
                offset: self.i16(),
                separator: separator(self.u8()),
            }
        } else {
            Typed::Raw(self.text())
        }
    }
}

/// A separator from one byte: 0 is none; otherwise the low seven bits are
/// the position and the high bit selects a hyphen.
pub fn separator(b: u8) -> Option<Separator> {
    (b != 0).then_some(Separator {
        position: b & 0x7f,
        hyphen: b & 0x80 != 0,
    })
}

/// The input split at its first newline: the text before it (arbitrary
/// bytes) and the program after it (empty without a newline).
pub fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}
