//! Shared pieces of the twostep fuzz targets: turning fuzzer bytes into
//! valid parameters, and typing a real code the way a person would.
//!
//! A fuzzer cannot guess an HMAC code, so the verifier targets take either
//! raw text ([`Typed::Raw`]) or "the real code of step/counter N, typed with
//! a separator" ([`Typed::Real`]) to reach the success paths too.

use arbitrary::Arbitrary;
use twostep::{Algorithm, Code, Digits, Secret};

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
