//! Crockford base32 for backup codes (private): the alphabet, tolerant input
//! normalisation, and packing symbols into bytes for hashing.
//!
//! The alphabet is `0123456789ABCDEFGHJKMNPQRSTVWXYZ`: digits and upper-case
//! letters without `I`, `L`, `O` and `U`. On input, `O` reads as `0` and `I`
//! and `L` read as `1` (Crockford's aliases); `U` is rejected.

use zeroize::Zeroize;

/// The 32 symbols, indexed by their 5-bit value.
pub(crate) const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The most symbols a code may have.
pub(crate) const MAX_SYMBOLS: usize = 32;

/// The most bytes that [`pack`] writes: `ceil(5 * MAX_SYMBOLS / 8)`.
pub(crate) const MAX_PACKED: usize = 20;

/// The symbol with 5-bit value `value & 31`.
pub(crate) fn symbol(value: u8) -> u8 {
    ALPHABET
        .get(usize::from(value & 31))
        .copied()
        .unwrap_or(b'0')
}

/// The 5-bit value of an upper-case input byte, with Crockford's aliases, or
/// `None` outside the alphabet.
fn value(upper: u8) -> Option<u8> {
    let canonical = match upper {
        b'O' => b'0',
        b'I' | b'L' => b'1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&s| s == canonical)
        .and_then(|p| u8::try_from(p).ok())
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
pub(crate) fn normalise(input: &str, len: usize) -> Option<Symbols> {
    let mut out = Symbols {
        values: [0; MAX_SYMBOLS],
        len: 0,
    };
    if len > MAX_SYMBOLS {
        return None;
    }
    for &b in input.as_bytes() {
        if b.is_ascii_whitespace() || b == b'-' || b == b'_' {
            continue;
        }
        let v = value(b.to_ascii_uppercase())?;
        let slot = out.values.get_mut(out.len)?;
        *slot = v;
        out.len = out.len.checked_add(1)?;
        if out.len > len {
            return None;
        }
    }
    (out.len == len).then_some(out)
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
            assert_eq!(value(symbol(v)), Some(v));
        }
    }
}
