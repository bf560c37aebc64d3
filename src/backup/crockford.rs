//! Crockford base32 for backup codes (private): the alphabet, tolerant input
//! normalisation, and packing symbols into bytes for hashing.
//!
//! The alphabet is `0123456789ABCDEFGHJKMNPQRSTVWXYZ`: digits and upper-case
//! letters without `I`, `L`, `O` and `U`. On input, `O` reads as `0` and `I`
//! and `L` read as `1` (Crockford's aliases); `U` is rejected.

use zeroize::Zeroize;

/// The 32 symbols, indexed by their 5-bit value (what [`symbol`] and
/// `decode` compute).
#[cfg(test)]
pub(crate) const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The most symbols a code may have.
pub(crate) const MAX_SYMBOLS: usize = 32;

/// The most bytes that [`pack`] writes: `ceil(5 * MAX_SYMBOLS / 8)`.
pub(crate) const MAX_PACKED: usize = 20;

// Branch-free byte arithmetic: each comparison yields a mask, 0xFF for true
// and 0 for false, computed with subtraction and shifts only.

/// `0xFF` if `a < b`, else `0`.
fn lt(a: u8, b: u8) -> u8 {
    (u16::from(a).wrapping_sub(u16::from(b)) >> 8).to_le_bytes()[0]
}

/// `0xFF` if `a == b`, else `0`.
fn eq(a: u8, b: u8) -> u8 {
    lt(a ^ b, 1)
}

/// `0xFF` if `a == b`, else `0`, for counts.
fn eq32(a: u32, b: u32) -> u8 {
    let equal = u64::from(a ^ b).wrapping_sub(1) >> 63; // 1 or 0
    equal.to_le_bytes()[0].wrapping_neg()
}

/// The symbol with 5-bit value `value & 31`, computed rather than looked
/// up, so that the value (of a code being generated) chooses no branch and
/// no memory address: a digit, or a letter stepped past `I`, `L`, `O` and
/// `U`, which the alphabet leaves out.
pub(crate) fn symbol(value: u8) -> u8 {
    let value = value & 31;
    let digit = lt(value, 10);
    let mut letter = b'A'.wrapping_add(value).wrapping_sub(10);
    for skipped in [b'I', b'L', b'O', b'U'] {
        letter = letter.wrapping_add(1 & !lt(letter, skipped));
    }
    (digit & b'0'.wrapping_add(value)) | (!digit & letter)
}

/// The 5-bit value of an input byte (either case, with Crockford's aliases
/// `O` → 0 and `I`, `L` → 1) and a mask that is `0xFF` if it is a symbol at
/// all, computed without a branch or a memory index that depends on it.
fn decode(byte: u8) -> (u8, u8) {
    let lower = !lt(byte, b'a') & lt(byte, b'z'.wrapping_add(1));
    let upper = byte ^ (lower & 0x20);
    let digit = !lt(upper, b'0') & lt(upper, b'9'.wrapping_add(1));
    let letter = !lt(upper, b'A') & lt(upper, b'Z'.wrapping_add(1));
    let alias_0 = eq(upper, b'O');
    let alias_1 = eq(upper, b'I') | eq(upper, b'L');
    let left_out = eq(upper, b'U');
    // Letters after a left-out one move down by one per left-out letter.
    let mut letter_value = upper.wrapping_sub(b'A').wrapping_add(10);
    for skipped in [b'I', b'L', b'O', b'U'] {
        letter_value = letter_value.wrapping_sub(1 & !lt(upper, skipped.wrapping_add(1)));
    }
    let value = (digit & upper.wrapping_sub(b'0'))
        | (letter & !(alias_0 | alias_1) & letter_value)
        | (alias_1 & 1);
    (value, digit | (letter & !left_out))
}

/// `0xFF` if `b` is dropped from input (ASCII white space, hyphen,
/// underscore), else `0`.
fn is_separator(b: u8) -> u8 {
    [b' ', b'\t', b'\n', 0x0c, b'\r', b'-', b'_']
        .iter()
        .fold(0, |acc, &s| acc | eq(b, s))
}

/// The symbol values of one normalised code, wiped on drop.
pub(crate) struct Symbols {
    values: [u8; MAX_SYMBOLS],
    len: usize,
}

impl Symbols {
    /// The 5-bit values, one per symbol.
    pub(crate) fn values(&self) -> &[u8] {
        self.values.get(..self.len).unwrap_or(&[])
    }
}

impl Drop for Symbols {
    fn drop(&mut self) {
        self.values.zeroize();
    }
}

/// Normalises user input into exactly `len` symbol values: ASCII only; ASCII
/// white space, hyphens and underscores dropped; case folded; aliases
/// applied. `None` for any other byte or any other symbol count. The caller
/// caps the input length first.
///
/// Constant time in the input's bytes (its length is public): every byte is
/// decoded by comparison with every reading, and its value is written to
/// every slot under a mask, so neither a branch nor an address depends on
/// a symbol, on where the separators are, or on how many symbols there are.
/// Only the answer (well formed or not) is public.
pub(crate) fn normalise(input: &str, len: usize) -> Option<Symbols> {
    let want = u32::try_from(len).ok().filter(|_| len <= MAX_SYMBOLS)?;
    let mut out = Symbols {
        values: [0; MAX_SYMBOLS],
        len,
    };
    let mut count = 0u32;
    let mut bad = 0u8;
    for &b in input.as_bytes() {
        let symbol = !is_separator(b);
        let (value, known) = decode(b);
        bad |= symbol & !known;
        for (i, slot) in (0u32..).zip(out.values.iter_mut()) {
            *slot ^= (*slot ^ value) & symbol & eq32(count, i);
        }
        count = count.wrapping_add(u32::from(symbol & 1));
    }
    let well_formed = !bad & eq32(count, want);
    (well_formed != 0).then_some(out)
}

/// Packs 5-bit values most significant bit first into `out`, returning the
/// number of bytes used (`ceil(5 * n / 8)`); unused trailing bits are zero.
pub(crate) fn pack(values: &[u8], out: &mut [u8; MAX_PACKED]) -> usize {
    out.fill(0);
    let mut acc: u16 = 0;
    let mut bits: u32 = 0;
    let mut written = 0usize;
    for &v in values {
        acc = (acc << 5) | u16::from(v & 31);
        bits = bits.saturating_add(5);
        if bits >= 8 {
            bits = bits.saturating_sub(8);
            if let Some(b) = out.get_mut(written) {
                *b = (acc >> bits).to_le_bytes()[0];
            }
            written = written.saturating_add(1);
            acc &= (1u16 << bits).wrapping_sub(1);
        }
    }
    if bits > 0 {
        if let Some(b) = out.get_mut(written) {
            *b = (acc << (8u32.saturating_sub(bits))).to_le_bytes()[0];
        }
        written = written.saturating_add(1);
    }
    acc.zeroize();
    written.min(MAX_PACKED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_case_and_separators() {
        let a = normalise("0O1IL-abc_ d\t", 9).unwrap();
        assert_eq!(a.values(), [0, 0, 1, 1, 1, 10, 11, 12, 13]);
        assert!(normalise("0O1IL-abc_ d", 8).is_none());
        assert!(normalise("0O1IL-abc_ d", 10).is_none());
        assert!(normalise("U0000000", 8).is_none());
        assert!(normalise("é0000000", 8).is_none());
        assert!(normalise("0000000", 8).is_none());
        assert!(normalise("000000000", 8).is_none());
        assert!(normalise("", 0).is_some_and(|s| s.values().is_empty()));
    }

    #[test]
    fn pack_matches_bit_arithmetic() {
        let mut out = [0u8; MAX_PACKED];
        assert_eq!(pack(&[31; 8], &mut out), 5);
        assert_eq!(out[..5], [0xff; 5]);
        assert_eq!(pack(&[1, 2], &mut out), 2);
        // 00001 00010 + 6 zero bits = 0000_1000 1000_0000
        assert_eq!(out[..2], [0x08, 0x80]);
        assert_eq!(out[2..], [0; 18]);
        assert_eq!(pack(&[31; 32], &mut out), 20);
        assert_eq!(out, [0xff; 20]);
    }

    #[test]
    fn symbol_round_trip() {
        for v in 0..32u8 {
            assert_eq!(symbol(v), ALPHABET[usize::from(v)]);
            for b in [symbol(v), symbol(v).to_ascii_lowercase()] {
                assert_eq!(decode(b), (v, 0xFF), "{b}");
            }
        }
    }

    #[test]
    fn decode_agrees_with_the_alphabet_on_every_byte() {
        for b in 0..=255u8 {
            let upper = b.to_ascii_uppercase();
            let reads_as = match upper {
                b'O' => Some(0),
                b'I' | b'L' => Some(1),
                _ => ALPHABET.iter().position(|&s| s == upper),
            };
            let (value, known) = decode(b);
            assert!(known == 0 || known == 0xFF, "{b}");
            assert_eq!((known != 0).then_some(usize::from(value)), reads_as, "{b}");
            let separator = b.is_ascii_whitespace() || b == b'-' || b == b'_';
            let expected = if separator { 0xFF } else { 0 };
            assert_eq!(is_separator(b), expected, "{b}");
        }
    }

    #[test]
    fn masks_compare_every_pair() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                assert_eq!(lt(a, b), if a < b { 0xFF } else { 0 });
                assert_eq!(eq(a, b), if a == b { 0xFF } else { 0 });
            }
        }
        for (a, b) in [
            (0, 0),
            (0, 1),
            (31, 31),
            (256, 0),
            (u32::MAX, u32::MAX),
            (u32::MAX, 0),
        ] {
            assert_eq!(eq32(a, b), if a == b { 0xFF } else { 0 });
        }
    }

    #[test]
    fn symbols_past_the_last_slot_are_not_written_anywhere() {
        // More symbols than a code can hold: refused, whatever the length.
        let long = "1".repeat(MAX_SYMBOLS + 5);
        assert!(normalise(&long, MAX_SYMBOLS).is_none());
        assert!(normalise(&long, MAX_SYMBOLS + 5).is_none());
        let full = normalise(&"Z".repeat(MAX_SYMBOLS), MAX_SYMBOLS).unwrap();
        assert_eq!(full.values(), [31; MAX_SYMBOLS]);
    }
}
