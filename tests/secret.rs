//! `Secret`: base32 in and out (property tests against an independent
//! encoder), lengths, equality, the input cap, OS generation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

use proptest::prelude::*;
use twostep::otp::{Hotp, Totp};
use twostep::secret::{Secret, SecretError};
use twostep::time::UnixTime;

// ------------------------------------------------------------------ base32 and Secret

/// Mangles canonical base32 as a person might paste it; returns the text and
/// whether strict parsing must refuse it.
fn mangle(canonical: &str, lower: &[bool], seps: &[u8], pad: bool) -> (String, bool) {
    let mut out = String::new();
    let mut strict_refuses = false;
    for (i, ch) in canonical.chars().enumerate() {
        if i > 0 {
            match seps[i % seps.len()] {
                1 => out.push(' '),
                2 => out.push('-'),
                3 => out.push_str("  "),
                _ => {}
            }
            strict_refuses |= seps[i % seps.len()] != 0;
        }
        if lower[i % lower.len()] && ch.is_ascii_alphabetic() {
            out.push(ch.to_ascii_lowercase());
            strict_refuses = true;
        } else {
            out.push(ch);
        }
    }
    if pad {
        let n = (8 - canonical.len() % 8) % 8;
        out.push_str(&"=".repeat(n));
    }
    (out, strict_refuses)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn base32_round_trips_tolerant_and_strict(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 10..=64),
            prop::collection::vec(any::<u8>(), 1000..=1024),
        ],
        lower in prop::collection::vec(any::<bool>(), 1..8),
        seps in prop::collection::vec(prop_oneof![6 => Just(0u8), 1 => Just(1), 1 => Just(2), 1 => Just(3)], 1..8),
        pad in any::<bool>(),
    ) {
        let s = Secret::from_bytes(&bytes).unwrap();
        let text = s.to_base32();
        // Unpadded upper-case RFC 4648 alphabet.
        prop_assert!(text.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        prop_assert_eq!(text.len(), (bytes.len() * 8).div_ceil(5));
        prop_assert!(Secret::from_base32(&text).unwrap() == s);
        prop_assert!(Secret::from_base32_strict(&text).unwrap() == s);

        let (mangled, strict_refuses) = mangle(&text, &lower, &seps, pad);
        if mangled.len() <= Secret::MAX_INPUT_LEN {
            let tolerant = Secret::from_base32(&mangled).unwrap();
            prop_assert_eq!(tolerant.expose_secret(), &bytes[..]);
            let strict = Secret::from_base32_strict(&mangled);
            if strict_refuses {
                prop_assert!(strict.is_err());
            } else {
                // Only canonical padding (or nothing) was added: strict accepts it too.
                prop_assert!(strict.unwrap() == s);
            }
        } else {
            prop_assert_eq!(
                Secret::from_base32(&mangled).map(|_| ()),
                Err(SecretError::InputTooLong { len: mangled.len() })
            );
        }
    }

    #[test]
    fn wrong_padding_is_tolerated_but_not_strict(
        bytes in prop::collection::vec(any::<u8>(), 10..=40), wrong in 1usize..=9,
    ) {
        let s = Secret::from_bytes(&bytes).unwrap();
        let text = s.to_base32();
        let canonical = (8 - text.len() % 8) % 8;
        prop_assume!(wrong != canonical);
        let padded = format!("{}{}", &*text, "=".repeat(wrong));
        prop_assert!(Secret::from_base32(&padded).unwrap() == s);
        prop_assert_eq!(Secret::from_base32_strict(&padded).map(|_| ()), Err(SecretError::NonCanonical));
    }

    #[test]
    fn lengths_outside_10_to_1024_are_typed_errors(
        short in prop::collection::vec(any::<u8>(), 0..10),
        long_len in 1025usize..1200,
    ) {
        let want = |len| Err(SecretError::Length { len, min: 10 });
        prop_assert_eq!(Secret::from_bytes(&short).map(|_| ()), want(short.len()));
        prop_assert_eq!(Secret::from_bytes(&vec![7u8; long_len]).map(|_| ()), want(long_len));
        // The same through base32 (both modes), encoded by an independent encoder.
        let enc = |b: &[u8]| base32_encode(b);
        if !short.is_empty() {
            prop_assert_eq!(Secret::from_base32(&enc(&short)).map(|_| ()), want(short.len()));
            prop_assert_eq!(Secret::from_base32_strict(&enc(&short)).map(|_| ()), want(short.len()));
        }
        let long = vec![0xA5u8; long_len];
        prop_assert_eq!(Secret::from_base32(&enc(&long)).map(|_| ()), want(long_len));
    }

    /// Debug never shows the key in base32 or hex (nor a prefix of either).
    #[test]
    fn debug_never_shows_the_key(bytes in prop::collection::vec(any::<u8>(), 10..=64)) {
        let s = Secret::from_bytes(&bytes).unwrap();
        let b32 = s.to_base32();
        let hex_lower: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let hex_upper = hex_lower.to_uppercase();
        let decimal = format!("{bytes:?}");
        let totp = Totp::new();
        let shown = [
            format!("{s:?}"),
            format!("{s:#?}"),
            format!("{:?}", totp.key(&s)),
            format!("{:?}", Hotp::new().key(&s)),
            format!("{:?}", totp.generate(&s, UnixTime::from_secs(59)).unwrap()),
        ];
        for d in &shown {
            for needle in [b32.as_str(), hex_lower.as_str(), hex_upper.as_str(), &decimal[1..decimal.len() - 1]] {
                prop_assert!(!d.contains(needle), "{d}");
                prop_assert!(!d.contains(&needle[..8]), "{d}");
            }
        }
    }
}

/// RFC 4648 base32 without padding, written here so the test does not use the
/// crate's own encoder.
fn base32_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

#[test]
fn independent_base32_encoder_agrees_with_rfc4648_examples() {
    // RFC 4648 §10 test vectors (unpadded), so the helper above is itself checked.
    for (plain, enc) in [
        ("f", "MY"),
        ("fo", "MZXQ"),
        ("foo", "MZXW6"),
        ("foob", "MZXW6YQ"),
        ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ] {
        assert_eq!(base32_encode(plain.as_bytes()), enc);
    }
    let s = Secret::from_bytes(b"12345678901234567890").unwrap();
    assert_eq!(*s.to_base32(), base32_encode(b"12345678901234567890"));
}

#[test]
fn base32_input_cap() {
    let text = "A".repeat(Secret::MAX_INPUT_LEN + 1);
    let err = Secret::from_base32(&text).map(|_| ());
    assert_eq!(
        err,
        Err(SecretError::InputTooLong {
            len: Secret::MAX_INPUT_LEN + 1
        })
    );
    assert_eq!(
        err.unwrap_err().to_string(),
        "base32 text of 4097 bytes exceeds the limit of 4096"
    );
    let short = Secret::from_bytes(&[1; 9]).map(|_| ()).unwrap_err();
    assert_eq!(short.to_string(), "secret must be 10 to 1024 bytes, got 9");
}

#[test]
fn secret_lengths_counts_and_equality() {
    let a = Secret::from_bytes(&[1; 16]).unwrap();
    assert_eq!(a.byte_len(), 16);
    assert_eq!(Secret::from_bytes(&[1; 1024]).unwrap().byte_len(), 1024);
    let b = Secret::from_bytes(&[2; 16]).unwrap();
    assert!(a != b);
    assert!(a == a.duplicate());
    // Same prefix, different length.
    assert!(a != Secret::from_bytes(&[1; 17]).unwrap());
}

#[test]
fn base32_symbol_counts_that_cannot_be_whole_bytes_are_refused() {
    // 16 symbols = 10 bytes: fine. 16 + k symbols for k in {1, 3, 6} leave
    // 5, 15 or 30 bits, which no byte string encodes to.
    let base = "GEZDGNBVGY3TQOJQ";
    assert_eq!(Secret::from_base32(base).unwrap().byte_len(), 10);
    for extra in ["A", "AAA", "AAAAAA"] {
        let text = format!("{base}{extra}");
        assert_eq!(
            Secret::from_base32(&text).map(|s| s.byte_len()),
            Err(SecretError::InvalidLength {
                symbols: text.len()
            }),
            "{text}"
        );
    }
    for extra in ["AA", "AAAA", "AAAAA", "AAAAAAA"] {
        assert!(
            Secret::from_base32(&format!("{base}{extra}")).is_ok(),
            "{extra}"
        );
    }
}

#[test]
fn the_base32_input_cap_is_inclusive() {
    let base = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let at_cap = format!("{base}{}", " ".repeat(Secret::MAX_INPUT_LEN - base.len()));
    assert_eq!(at_cap.len(), 4096);
    assert_eq!(Secret::from_base32(&at_cap).unwrap().byte_len(), 20);
    let over = format!("{at_cap} ");
    assert_eq!(
        Secret::from_base32(&over).map(|s| s.byte_len()),
        Err(SecretError::InputTooLong { len: 4097 })
    );
}

#[cfg(feature = "getrandom")]
#[test]
fn os_generated_secrets_are_twenty_fresh_bytes() {
    let a = Secret::generate_os().unwrap();
    let b = Secret::generate_os().unwrap();
    assert_eq!((a.byte_len(), b.byte_len()), (20, 20));
    assert!(a != b, "two 160-bit OS secrets collided");
}
