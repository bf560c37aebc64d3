//! RFC 4648 base32 for key material: every buffer sized exactly (so none is
//! reallocated, leaving a copy behind) and wiped, and symbols mapped to and
//! from their 5-bit values by arithmetic, not by a table indexed with the
//! secret or a branch on its value.

use alloc::string::String;
use alloc::vec::Vec;

use zeroize::{Zeroize, Zeroizing};

/// The distance from the symbol `A` + 26 down to `2`: what separates the
/// letters (values 0–25) from the digits (values 26–31).
const DIGIT_GAP: u8 = b'A' + 26 - b'2';

/// The symbol of a 5-bit value: `A`–`Z` for 0–25, `2`–`7` for 26–31.
const fn symbol(value: u8) -> u8 {
    let value = value & 31;
    // 1 when the value is 26 or more (adding 6 reaches 32), else 0.
    let digit = (value.wrapping_add(6) >> 5) & 1;
    b'A'.wrapping_add(value)
        .wrapping_sub(digit.wrapping_mul(DIGIT_GAP))
}

/// The 5-bit value of an upper-case alphabet symbol.
const fn value(symbol: u8) -> u8 {
    let from_a = symbol.wrapping_sub(b'A');
    // 1 for `2`–`7`, which lie below `A` so that the subtraction wraps past
    // 127; 0 for the letters.
    let digit = from_a >> 7;
    from_a.wrapping_add(digit.wrapping_mul(DIGIT_GAP)) & 31
}

/// The number of symbols that encode `len` bytes, without padding.
pub(super) const fn encoded_len(len: usize) -> usize {
    len.saturating_mul(8).div_ceil(5)
}

/// Bit offsets of the eight symbols of a 40-bit group, first symbol first.
const SHIFTS: [u32; 8] = [35, 30, 25, 20, 15, 10, 5, 0];

/// Unpadded upper-case base32 of `bytes`, in a buffer of the exact size that
/// is wiped on drop.
pub(super) fn encode(bytes: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(encoded_len(bytes.len())));
    for chunk in bytes.chunks(5) {
        // A short last group is padded with zero bits on the right.
        let mut group = chunk
            .iter()
            .chain(core::iter::repeat(&0))
            .take(5)
            .fold(0u64, |acc, &b| acc.wrapping_shl(8) | u64::from(b));
        for shift in SHIFTS.into_iter().take(encoded_len(chunk.len())) {
            let [low, ..] = group.wrapping_shr(shift).to_le_bytes();
            out.push(char::from(symbol(low)));
        }
        group.zeroize();
    }
    out
}

/// The bytes of `symbols`: upper-case alphabet symbols only, in a count that
/// encodes whole bytes (checked by the caller). Trailing bits that do not
/// fill a byte are dropped. The buffer has the exact size.
pub(super) fn decode(symbols: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(symbols.len().saturating_mul(5) / 8);
    for chunk in symbols.chunks(8) {
        // A short last group is padded with zero values (`A`) on the right.
        let mut group = chunk
            .iter()
            .chain(core::iter::repeat(&b'A'))
            .take(8)
            .fold(0u64, |acc, &s| acc.wrapping_shl(5) | u64::from(value(s)));
        let mut be = group.to_be_bytes();
        // The 40 bits are the last five bytes; the group holds this many whole ones.
        let whole = chunk.len().saturating_mul(5) / 8;
        out.extend(be.iter().skip(3).take(whole));
        group.zeroize();
        be.zeroize();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    #[test]
    fn symbols_and_values_follow_the_rfc_4648_alphabet() {
        for (v, &s) in (0u8..).zip(ALPHABET) {
            assert_eq!(symbol(v), s, "{v}");
            assert_eq!(value(s), v, "{}", char::from(s));
        }
    }

    #[test]
    fn rfc_4648_section_10_vectors() {
        for (plain, enc) in [
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(*encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc.as_bytes()), plain.as_bytes());
        }
        assert_eq!(*encode(b""), "");
        assert_eq!(decode(b""), b"");
    }

    #[test]
    fn buffers_have_the_exact_size() {
        for len in 0..=64 {
            let bytes: Vec<u8> = (0u8..).take(len).collect();
            let text = encode(&bytes);
            assert_eq!(
                (text.len(), text.capacity()),
                (encoded_len(len), encoded_len(len))
            );
            let back = decode(text.as_bytes());
            assert_eq!((back.len(), back.capacity()), (len, len));
            assert_eq!(back, bytes);
        }
    }
}
