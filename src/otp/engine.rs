//! The keyed HMAC engine shared by HOTP and TOTP (private).
//!
//! Keying hashes the key's ipad and opad blocks once and keeps the two
//! chaining states. A code afterwards is exactly two compressions (SHA-1,
//! SHA-256; SHA-512 likewise, on 128-byte blocks), the floor for HMAC over an
//! 8-byte counter: one over the single padded inner block (counter, `0x80`,
//! zeros, bit length) and one over the single padded outer block (inner
//! digest, `0x80`, zeros, bit length). No buffers, no cloned hasher state.
//! [`Engine::evaluate`] issues the compressions of several independent
//! counters back to back so the CPU can overlap their chains; the window
//! scan (`scan.rs`) is built on it.
//!
//! The `hmac` crate stays the reference: the tests check this engine against
//! `hmac::Hmac<D>` for random keys, counters and all three hashes.

use sha1::Sha1;
use sha1::block_api::compress as compress_sha1;
use sha2::block_api::{compress256, compress512};
use sha2::{Digest, Sha256, Sha512};
use subtle::{Choice, ConditionallySelectable};
use zeroize::Zeroize;

use super::code::Code;
use super::params::{Algorithm, Digits};

/// FIPS 180-4 §5.3.1 initial hash value of SHA-1.
const SHA1_IV: [u32; 5] = [
    0x6745_2301,
    0xefcd_ab89,
    0x98ba_dcfe,
    0x1032_5476,
    0xc3d2_e1f0,
];
/// FIPS 180-4 §5.3.3 initial hash value of SHA-256.
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];
/// FIPS 180-4 §5.3.5 initial hash value of SHA-512.
const SHA512_IV: [u64; 8] = [
    0x6a09_e667_f3bc_c908,
    0xbb67_ae85_84ca_a73b,
    0x3c6e_f372_fe94_f82b,
    0xa54f_f53a_5f1d_36f1,
    0x510e_527f_ade6_82d1,
    0x9b05_688c_2b3e_6c1f,
    0x1f83_d9ab_fb41_bd6b,
    0x5be0_cd19_137e_2179,
];

/// The final padded block of a message made of one key block (`B` bytes)
/// and `msg` more bytes (FIPS 180-4 §5.1): room for the `msg` bytes, then
/// `0x80`, zeros, and the big-endian bit length `(B + msg) * 8` in the last
/// `len_bytes` bytes. Evaluated at compile time only.
#[expect(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    reason = "const-evaluated: overflow or a bad index is a compile error"
)]
const fn padded_block<const B: usize>(msg: usize, len_bytes: usize) -> [u8; B] {
    let mut block = [0u8; B];
    block[msg] = 0x80;
    let bits = ((B + msg) as u128) * 8;
    let mut i = 0;
    while i < 16 && i < len_bytes {
        block[B - 1 - i] = (bits >> (8 * i)) as u8;
        i += 1;
    }
    block
}

/// Inner block templates: an 8-byte counter after one key block.
const SHA1_INNER: [u8; 64] = padded_block(8, 8);
const SHA256_INNER: [u8; 64] = padded_block(8, 8);
const SHA512_INNER: [u8; 128] = padded_block(8, 16);
/// Outer block templates: the inner digest after one key block.
const SHA1_OUTER: [u8; 64] = padded_block(20, 8);
const SHA256_OUTER: [u8; 64] = padded_block(32, 8);
const SHA512_OUTER: [u8; 128] = padded_block(64, 16);

/// The key block of RFC 2104 §2: the key zero-padded to the block size, or
/// its hash (zero-padded) if it is longer than a block; and how many leading
/// bytes carry key material (the rest is padding, public after the XOR).
fn key_block<D: Digest, const B: usize>(key: &[u8]) -> ([u8; B], usize) {
    let mut block = [0u8; B];
    let used = if key.len() > B {
        let mut hashed = D::digest(key);
        block
            .iter_mut()
            .zip(hashed.iter())
            .for_each(|(d, s)| *d = *s);
        hashed.as_mut_slice().zeroize();
        <D as Digest>::output_size()
    } else {
        block.iter_mut().zip(key).for_each(|(d, s)| *d = *s);
        key.len()
    };
    (block, used.min(B))
}

/// RFC 2104 §2 inner and outer pad bytes.
const IPAD: u8 = 0x36;
const OPAD: u8 = 0x5c;

/// Generates a keyed state type for one hash: the precomputed inner (ipad)
/// and outer (opad) chaining states, wiped on drop.
macro_rules! keyed_state {
    (
        $(#[$doc:meta])*
        $name:ident, $word:ty, $words:literal, $block:literal,
        $iv:expr, $compress:path, $hash:ty, $inner:expr, $outer:expr, $views:path
    ) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub(crate) struct $name {
            inner: [$word; $words],
            outer: [$word; $words],
        }

        impl $name {
            fn new(key: &[u8]) -> Self {
                // One key block, XORed in place (ipad, then opad). Only its
                // first `used` bytes hold key material: wiping just those
                // keeps one-shot calls cheap (volatile writes go byte by byte).
                let (mut kb, used) = key_block::<$hash, $block>(key);
                for b in &mut kb {
                    *b ^= IPAD;
                }
                let mut inner = $iv;
                $compress(&mut inner, core::slice::from_ref(&kb));
                for b in &mut kb {
                    *b ^= IPAD ^ OPAD;
                }
                let mut outer = $iv;
                $compress(&mut outer, core::slice::from_ref(&kb));
                match kb.get_mut(..used) {
                    Some(material) => material.zeroize(),
                    None => kb.zeroize(),
                }
                Self { inner, outer }
            }

            /// HMAC over each big-endian counter, as the hash's state words:
            /// the inner compressions of all counters back to back, then the
            /// outer ones, so independent chains overlap in the CPU.
            #[inline(always)]
            fn macs<const N: usize>(&self, counters: [u64; N]) -> [[$word; $words]; N] {
                // Blocks are filled in place: no 64/128-byte values moved around.
                let mut blocks = [$inner; N];
                blocks.iter_mut().zip(counters).for_each(|(b, c)| {
                    if let Some(head) = b.first_chunk_mut::<8>() {
                        *head = c.to_be_bytes();
                    }
                });
                let mut inner = [self.inner; N];
                inner
                    .iter_mut()
                    .zip(blocks.iter())
                    .for_each(|(s, b)| $compress(s, core::slice::from_ref(b)));
                // The outer block: the inner digest (the whole state, big-endian) first.
                let mut blocks = [$outer; N];
                blocks.iter_mut().zip(inner.iter()).for_each(|(b, s)| {
                    b.chunks_exact_mut(size_of::<$word>())
                        .zip(s)
                        .for_each(|(d, w)| d.copy_from_slice(&w.to_be_bytes()));
                });
                let mut outer = [self.outer; N];
                outer
                    .iter_mut()
                    .zip(blocks.iter())
                    .for_each(|(s, b)| $compress(s, core::slice::from_ref(b)));
                outer
            }

            /// RFC 4226 §5.3 steps 1–2 for each counter.
            #[inline(always)]
            fn truncated<const N: usize>(&self, counters: [u64; N]) -> [u32; N] {
                self.macs(counters).map(|words| {
                    let (a, b, last) = $views(&words);
                    dynamic_truncation(a, b, last)
                })
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.inner.zeroize();
                self.outer.zeroize();
            }
        }
    };
}

keyed_state!(
    /// HMAC-SHA-1 keyed state.
    Sha1Key, u32, 5, 64, SHA1_IV, compress_sha1, Sha1, SHA1_INNER, SHA1_OUTER, views32
);
keyed_state!(
    /// HMAC-SHA-256 keyed state.
    Sha256Key, u32, 8, 64, SHA256_IV, compress256, Sha256, SHA256_INNER, SHA256_OUTER, views32
);
keyed_state!(
    /// HMAC-SHA-512 keyed state.
    Sha512Key, u64, 8, 128, SHA512_IV, compress512, Sha512, SHA512_INNER, SHA512_OUTER, views64
);

/// The two 128-bit views of a MAC that dynamic truncation selects from
/// (`a` = bytes 0..16, `b` = bytes 4..20, big-endian) and its last byte,
/// for 32-bit state words (SHA-1, SHA-256: at least 5 words).
#[expect(
    clippy::inline_always,
    reason = "the hot path: the lanes interleave only when inlined (measured)"
)]
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "keeps the low byte on purpose"
)]
fn views32<const W: usize>(words: &[u32; W]) -> (u128, u128, u8) {
    let mut it = words.iter().map(|w| u128::from(*w));
    let a = it
        .by_ref()
        .take(4)
        .fold(0u128, |acc, w| acc.wrapping_shl(32) | w);
    let b = a.wrapping_shl(32) | it.next().unwrap_or(0);
    (a, b, words.last().copied().unwrap_or(0) as u8)
}

/// As [`views32`], for 64-bit state words (SHA-512).
#[expect(
    clippy::inline_always,
    reason = "the hot path: the lanes interleave only when inlined (measured)"
)]
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "keeps the low byte on purpose"
)]
fn views64<const W: usize>(words: &[u64; W]) -> (u128, u128, u8) {
    let mut it = words.iter().map(|w| u128::from(*w));
    let a = it
        .by_ref()
        .take(2)
        .fold(0u128, |acc, w| acc.wrapping_shl(64) | w);
    let b = a.wrapping_shl(32) | it.next().unwrap_or(0).wrapping_shr(32);
    (a, b, words.last().copied().unwrap_or(0) as u8)
}

/// RFC 4226 §5.3 dynamic truncation, without a secret-dependent memory index
/// or branch: the offset (low nibble of the MAC's last byte) selects the
/// 4-byte window by shifting `a` (MAC bytes 0..16) or `b` (bytes 4..20).
#[expect(
    clippy::inline_always,
    reason = "the hot path: the lanes interleave only when inlined (measured)"
)]
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "keeps the low 32 bits on purpose"
)]
fn dynamic_truncation(a: u128, b: u128, last: u8) -> u32 {
    let offset = u32::from(last & 0x0f);
    // Window at `offset` is a >> 8*(12 - offset) for offset <= 12, and
    // b >> 8*(16 - offset) for offset >= 4. Shift amounts wrap for the unused
    // branch and are discarded by the select.
    let from_a = a.wrapping_shr(12u32.wrapping_sub(offset).wrapping_mul(8)) as u32;
    let from_b = b.wrapping_shr(16u32.wrapping_sub(offset).wrapping_mul(8)) as u32;
    let use_b = Choice::from((12u32.wrapping_sub(offset) >> 31) as u8);
    u32::conditional_select(&from_a, &from_b, use_b) & 0x7fff_ffff
}

/// The keyed HMAC state for one algorithm: what a prepared HOTP or TOTP key
/// holds next to its parameters (which carry the digit count).
#[derive(Clone)]
pub(crate) enum Engine {
    Sha1(Sha1Key),
    Sha256(Sha256Key),
    Sha512(Sha512Key),
}

/// How many counters [`Engine::evaluate`] computes together: eight
/// independent chains keep the SHA units busy (measured: 4 lanes 56 ns/step,
/// 8 lanes 49 ns, 16 lanes 46 ns for SHA-1 with SHA-NI).
pub(crate) const LANES: usize = 8;

impl Engine {
    pub(crate) fn new(algorithm: Algorithm, key: &[u8]) -> Self {
        match algorithm {
            Algorithm::Sha1 => Self::Sha1(Sha1Key::new(key)),
            Algorithm::Sha256 => Self::Sha256(Sha256Key::new(key)),
            Algorithm::Sha512 => Self::Sha512(Sha512Key::new(key)),
        }
    }

    /// Truncated HMACs (RFC 4226 §5.3 steps 1–2) of several independent
    /// counters, their compressions interleaved.
    #[inline]
    fn truncated_many<const N: usize>(&self, counters: [u64; N]) -> [u32; N] {
        #[cfg(test)]
        (0..N).for_each(|_| crate::test_counter::bump(&crate::test_counter::HMAC));
        match self {
            Self::Sha1(k) => k.truncated(counters),
            Self::Sha256(k) => k.truncated(counters),
            Self::Sha512(k) => k.truncated(counters),
        }
    }

    /// The code of `digits` digits for `counter`.
    #[inline]
    pub(crate) fn code(&self, digits: Digits, counter: u64) -> Code {
        let [code] = self.codes(digits, [counter]);
        code
    }

    /// Codes for several independent counters at once, their hash chains in
    /// flight together. N = [`LANES`] measured best for SHA-1 with SHA-NI.
    #[inline]
    pub(crate) fn codes<const N: usize>(&self, digits: Digits, counters: [u64; N]) -> [Code; N] {
        self.truncated_many(counters)
            .map(|t| Code::from_truncated(t, digits))
    }

    /// Computes the code of every counter that `counters` yields, [`LANES`]
    /// at a time (the tail four or fewer at a time), and hands each to
    /// `visit` in iteration order. The grouping depends only on how many
    /// counters there are, which is public.
    #[inline]
    pub(crate) fn evaluate(
        &self,
        digits: Digits,
        counters: impl Iterator<Item = u64>,
        mut visit: impl FnMut(u64, Code),
    ) {
        let mut counters = counters.fuse();
        loop {
            let mut lane = [0u64; LANES];
            let filled = lane
                .iter_mut()
                .zip(counters.by_ref())
                .map(|(d, c)| *d = c)
                .count();
            if filled == LANES {
                lane.into_iter()
                    .zip(self.codes(digits, lane))
                    .for_each(|(c, k)| visit(c, k));
                continue;
            }
            for chunk in lane.get(..filled).unwrap_or_default().chunks(4) {
                match *chunk {
                    [a, b, c, d] => [a, b, c, d]
                        .into_iter()
                        .zip(self.codes(digits, [a, b, c, d]))
                        .for_each(|(c, k)| visit(c, k)),
                    [a, b, c] => [a, b, c]
                        .into_iter()
                        .zip(self.codes(digits, [a, b, c]))
                        .for_each(|(c, k)| visit(c, k)),
                    [a, b] => [a, b]
                        .into_iter()
                        .zip(self.codes(digits, [a, b]))
                        .for_each(|(c, k)| visit(c, k)),
                    [a] => visit(a, self.code(digits, a)),
                    _ => {}
                }
            }
            break;
        }
    }
}

#[cfg(test)]
#[expect(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "reference code and test data on small known values"
)]
pub(super) mod tests {
    use super::*;
    use alloc::vec::Vec;
    use hmac::{Hmac, KeyInit, Mac};
    use proptest::prelude::*;

    /// The reference: `hmac::Hmac<D>` and RFC 4226 §5.3 truncation written
    /// plainly, with the indexed read the engine avoids.
    fn reference_truncated(algorithm: Algorithm, key: &[u8], counter: u64) -> u32 {
        fn mac<M: Mac + KeyInit>(key: &[u8], counter: u64) -> Vec<u8> {
            let mut m = <M as KeyInit>::new_from_slice(key).unwrap();
            m.update(&counter.to_be_bytes());
            m.finalize().into_bytes().to_vec()
        }
        let h = match algorithm {
            Algorithm::Sha1 => mac::<Hmac<Sha1>>(key, counter),
            Algorithm::Sha256 => mac::<Hmac<Sha256>>(key, counter),
            Algorithm::Sha512 => mac::<Hmac<Sha512>>(key, counter),
        };
        let offset = usize::from(h[h.len() - 1] & 0x0f);
        u32::from_be_bytes([h[offset], h[offset + 1], h[offset + 2], h[offset + 3]]) & 0x7fff_ffff
    }

    /// Every algorithm, for property tests (also used by the scan's tests).
    pub(in crate::otp) fn any_algorithm() -> impl Strategy<Value = Algorithm> {
        prop_oneof![
            Just(Algorithm::Sha1),
            Just(Algorithm::Sha256),
            Just(Algorithm::Sha512)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(192))]

        #[test]
        fn engine_equals_hmac_crate(
            algorithm in any_algorithm(),
            key in proptest::collection::vec(any::<u8>(), 0..300),
            counter in any::<u64>(),
        ) {
            let engine = Engine::new(algorithm, &key);
            prop_assert_eq!(engine.truncated_many([counter])[0], reference_truncated(algorithm, &key, counter));
        }

        #[test]
        fn interleaved_codes_equal_single_codes(
            algorithm in any_algorithm(),
            key in proptest::collection::vec(any::<u8>(), 0..300),
            counters in any::<[u64; 7]>(),
        ) {
            let k = Engine::new(algorithm, &key);
            let many = k.codes(Digits::EIGHT, counters);
            for (c, code) in counters.iter().zip(many) {
                prop_assert_eq!(code, k.code(Digits::EIGHT, *c));
                prop_assert_eq!(code.value(), u64::from(reference_truncated(algorithm, &key, *c)) % 100_000_000);
            }
        }
    }

    #[test]
    fn block_sized_and_longer_keys_match_hmac_crate() {
        for len in [63usize, 64, 65, 127, 128, 129, 1024] {
            let key: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
                let engine = Engine::new(algorithm, &key);
                for counter in [0, 1, u64::MAX] {
                    assert_eq!(
                        engine.truncated_many([counter])[0],
                        reference_truncated(algorithm, &key, counter),
                        "{algorithm:?} key {len} counter {counter}"
                    );
                }
            }
        }
    }
}
