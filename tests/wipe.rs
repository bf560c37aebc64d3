//! No freed heap block holds the secret: every block is inspected when it is
//! freed, and none may contain the secret's base32 text or its bytes.
//!
//! An inspecting global allocator wraps the system allocator. It hands out
//! zeroed blocks (so every byte it later reads was written), and before a
//! block is freed it looks for any 12-byte run of the secret's base32 text
//! or raw bytes (60 or 96 bits: no chance match) and counts the blocks that
//! hold one. `realloc` keeps the trait's default (allocate, copy, free), so a
//! buffer that grows and moves is inspected too. The needle and the count are
//! per thread, so tests running in parallel do not disturb each other.
//!
//! `unsafe` is needed only because `GlobalAlloc` is an unsafe trait, as in
//! tests/alloc.rs.
#![allow(unsafe_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

use std::fmt::Write as _;

use twostep::otp::{Hotp, Totp};
use twostep::secret::Secret;
use twostep::uri::KeyUri;
use zeroize::Zeroizing;

#[path = "support/inspecting_alloc.rs"]
mod inspecting_alloc;
use inspecting_alloc::unwiped_blocks;

/// RFC 4648 base32 without padding, written here so the needle does not come
/// from the crate under test; built in a buffer of the exact size.
fn base32(bytes: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::with_capacity((bytes.len() * 8).div_ceil(5));
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize]);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize]);
    }
    out
}

/// Key lengths whose base32 text is 16, 26, 32, 52 and 103 symbols long.
const LENGTHS: [usize; 5] = [10, 16, 20, 32, 64];

fn key(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(167) ^ 0x5A)
        .collect()
}

/// Records a call that left `n` unwiped blocks.
fn note(found: &mut Vec<String>, call: &str, len: usize, n: u64) {
    if n > 0 {
        found.push(format!("{call}, {len}-byte key: {n} block(s)"));
    }
}

#[test]
fn the_inspector_finds_an_unwiped_copy_and_not_a_wiped_one() {
    let bytes = key(20);
    let text = base32(&bytes);
    let plain = unwiped_blocks(&text, &bytes, || String::from_utf8(text.clone()).unwrap());
    assert_eq!(plain, 1, "a dropped String copy of the text");
    let raw = unwiped_blocks(&text, &bytes, || bytes.clone());
    assert_eq!(raw, 1, "a dropped Vec copy of the bytes");
    let wiped = unwiped_blocks(&text, &bytes, || Zeroizing::new(text.clone()));
    assert_eq!(wiped, 0, "a dropped Zeroizing copy");
    let unrelated = unwiped_blocks(&text, &bytes, || vec![b'A'; 64]);
    assert_eq!(unrelated, 0, "a block without the secret");
}

#[test]
fn base32_in_and_out_leave_no_unwiped_copy() {
    let mut found = Vec::new();
    for len in LENGTHS {
        let bytes = key(len);
        let text = base32(&bytes);
        let secret = Secret::from_bytes(&bytes).unwrap();
        let shown = std::str::from_utf8(&text).unwrap();
        let lower = shown.to_ascii_lowercase();
        let n = unwiped_blocks(&text, &bytes, || secret.to_base32());
        note(&mut found, "Secret::to_base32", len, n);
        let n = unwiped_blocks(&text, &bytes, || Secret::from_base32_strict(shown).unwrap());
        note(&mut found, "Secret::from_base32_strict", len, n);
        let n = unwiped_blocks(&text, &bytes, || Secret::from_base32(&lower).unwrap());
        note(&mut found, "Secret::from_base32", len, n);
        let n = unwiped_blocks(&text, &bytes, || secret.duplicate());
        note(&mut found, "Secret::duplicate", len, n);
    }
    assert!(found.is_empty(), "unwiped copies: {found:#?}");
}

#[test]
fn key_uris_leave_no_unwiped_copy() {
    let mut found = Vec::new();
    for len in LENGTHS {
        let bytes = key(len);
        let text = base32(&bytes);
        let secret = Secret::from_bytes(&bytes).unwrap();
        let totp = Totp::default();
        let n = unwiped_blocks(&text, &bytes, || {
            KeyUri::totp(&totp, &secret, "Example", "ana@example.com").unwrap()
        });
        note(&mut found, "KeyUri::totp", len, n);
        let n = unwiped_blocks(&text, &bytes, || {
            KeyUri::hotp(&Hotp::default(), &secret, 7, "Example", "ana").unwrap()
        });
        note(&mut found, "KeyUri::hotp", len, n);

        let uri = KeyUri::totp(&totp, &secret, "Example", "ana@example.com").unwrap();
        let written = String::from(uri.to_uri_string().as_str());
        let n = unwiped_blocks(&text, &bytes, || KeyUri::parse(&written).unwrap());
        note(&mut found, "KeyUri::parse", len, n);
        let n = unwiped_blocks(&text, &bytes, || uri.to_uri_string());
        note(&mut found, "KeyUri::to_uri_string", len, n);
        // Display into a buffer that needs no growing: only the library's
        // own buffers are freed.
        let mut shown = Zeroizing::new(String::with_capacity(2 * written.len()));
        let n = unwiped_blocks(&text, &bytes, || write!(shown, "{uri}").unwrap());
        note(&mut found, "Display for KeyUri", len, n);
        assert_eq!(shown.as_str(), written);
    }
    assert!(found.is_empty(), "unwiped copies: {found:#?}");
}

#[cfg(feature = "qr")]
#[test]
fn qr_renderings_leave_no_unwiped_copy() {
    let mut found = Vec::new();
    for len in LENGTHS {
        let bytes = key(len);
        let text = base32(&bytes);
        let secret = Secret::from_bytes(&bytes).unwrap();
        let uri = KeyUri::totp(&Totp::default(), &secret, "Example", "ana").unwrap();
        let n = unwiped_blocks(&text, &bytes, || uri.to_qr_svg().unwrap());
        note(&mut found, "KeyUri::to_qr_svg", len, n);
        let n = unwiped_blocks(&text, &bytes, || uri.to_qr_terminal().unwrap());
        note(&mut found, "KeyUri::to_qr_terminal", len, n);
    }
    assert!(found.is_empty(), "unwiped copies: {found:#?}");
}
