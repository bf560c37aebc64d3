//! Base32 secrets: tolerant and strict parsing, and the round trip
//! `to_base32` → `from_base32_strict`.
//!
//! Oracles: nothing panics; strict acceptance implies tolerant acceptance of
//! the same key and that the text (less padding) is exactly the canonical
//! encoding; every accepted key decodes to what an independent bit-by-bit
//! decoder gives, has a valid length, and re-encodes to text that strict
//! parsing accepts as an equal secret. Raw bytes round-trip through base32.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twostep::secret::{Secret, SecretError};

/// Independent RFC 4648 decoder over the alphabet symbols of `text`
/// (upper-cased, everything else dropped). Trailing partial bits are dropped.
fn reference_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in text.bytes().map(|b| b.to_ascii_uppercase()) {
        let Some(v) = ALPHABET.iter().position(|&a| a == b) else {
            continue;
        };
        acc = (acc << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn round_trip(s: &Secret) {
    assert!((Secret::MIN_LEN..=Secret::MAX_LEN).contains(&s.byte_len()));
    let text = s.to_base32();
    assert!(text.len() <= Secret::MAX_INPUT_LEN);
    assert!(!text.contains('='));
    let again = Secret::from_base32_strict(&text).expect("canonical text parses strictly");
    assert!(again == *s);
    assert_eq!(again.expose_secret(), s.expose_secret());
    let tolerant =
        Secret::from_base32(&text.to_ascii_lowercase()).expect("lower case is tolerated");
    assert!(tolerant == *s);
}

fuzz_target!(|data: &[u8]| {
    // Raw bytes as a key.
    match Secret::from_bytes(data) {
        Ok(s) => {
            assert_eq!(s.expose_secret(), data);
            round_trip(&s);
        }
        Err(e) => {
            assert!(!(Secret::MIN_LEN..=Secret::MAX_LEN).contains(&data.len()));
            assert!(matches!(e, SecretError::Length { len, .. } if len == data.len()));
        }
    }

    // The bytes as base32 text.
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let tolerant = Secret::from_base32(text);
    let strict = Secret::from_base32_strict(text);
    if text.len() > Secret::MAX_INPUT_LEN {
        assert!(matches!(tolerant, Err(SecretError::InputTooLong { .. })));
        assert!(matches!(strict, Err(SecretError::InputTooLong { .. })));
        return;
    }
    if let Ok(s) = &strict {
        assert!(
            tolerant.as_ref().is_ok_and(|t| t == s),
            "strict accepts, tolerant must too"
        );
        assert_eq!(
            *s.to_base32(),
            text.trim_end_matches('='),
            "strict text is canonical"
        );
    }
    if let Err(SecretError::InvalidCharacter { position }) = &tolerant {
        assert!(*position < text.len());
    }
    for s in [tolerant, strict].iter().flatten() {
        assert_eq!(s.expose_secret(), reference_decode(text).as_slice());
        round_trip(s);
    }
});
