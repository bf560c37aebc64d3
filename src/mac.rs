//! The keyed HMAC engine shared by HOTP and TOTP (private).
//!
//! Keying runs the ipad and opad compressions once; each code afterwards
//! clones the keyed state and costs two compressions (SHA-1 and SHA-256), the
//! floor for HMAC over an 8-byte counter.

use hmac::digest::{Digest, KeyInit, block_api::EagerHash, common::Key};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use crate::code::Code;
use crate::params::{Algorithm, Digits};

/// Keyed HMAC state for one algorithm.
#[derive(Clone)]
pub(crate) enum Engine {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

/// HMAC keyed with `key`, built through the infallible block-sized-key
/// constructor: keys longer than a block are hashed first, exactly as
/// RFC 2104 §2 prescribes.
fn keyed<D>(key: &[u8]) -> Hmac<D>
where
    D: EagerHash + Digest,
    Hmac<D>: KeyInit,
{
    let mut block = Key::<Hmac<D>>::default();
    if key.len() > block.len() {
        let mut hashed = D::digest(key);
        block
            .iter_mut()
            .zip(hashed.iter())
            .for_each(|(d, s)| *d = *s);
        hashed.as_mut_slice().zeroize();
    } else {
        block.iter_mut().zip(key).for_each(|(d, s)| *d = *s);
    }
    let mac = <Hmac<D> as KeyInit>::new(&block);
    block.as_mut_slice().zeroize();
    mac
}

impl Engine {
    pub(crate) fn new(algorithm: Algorithm, key: &[u8]) -> Self {
        match algorithm {
            Algorithm::Sha1 => Self::Sha1(keyed(key)),
            Algorithm::Sha256 => Self::Sha256(keyed(key)),
            Algorithm::Sha512 => Self::Sha512(keyed(key)),
        }
    }

    /// RFC 4226 §5.3 steps 1–2: HMAC over the big-endian counter, then
    /// dynamic truncation to 31 bits.
    #[inline]
    pub(crate) fn truncated(&self, counter: u64) -> u32 {
        #[cfg(test)]
        test_counter::bump();
        let msg = counter.to_be_bytes();
        match self {
            Self::Sha1(m) => {
                dynamic_truncation(&m.clone().chain_update(msg).finalize().into_bytes())
            }
            Self::Sha256(m) => {
                dynamic_truncation(&m.clone().chain_update(msg).finalize().into_bytes())
            }
            Self::Sha512(m) => {
                dynamic_truncation(&m.clone().chain_update(msg).finalize().into_bytes())
            }
        }
    }
}

/// RFC 4226 §5.3 dynamic truncation, without a secret-dependent memory index
/// or branch: the offset (low nibble of the last byte) selects the 4-byte
/// window by shifting two 128-bit views of the first 20 bytes.
#[inline]
#[allow(clippy::cast_possible_truncation)] // keeps the low 32 bits on purpose
fn dynamic_truncation(mac: &[u8]) -> u32 {
    let offset = u32::from(mac.last().copied().unwrap_or(0) & 0x0f);
    // a = bytes 0..16, b = bytes 4..20 (every HMAC output here is >= 20 bytes).
    let a = mac
        .iter()
        .take(16)
        .fold(0u128, |acc, &x| acc.wrapping_shl(8) | u128::from(x));
    let b = mac
        .iter()
        .skip(4)
        .take(16)
        .fold(0u128, |acc, &x| acc.wrapping_shl(8) | u128::from(x));
    // Window at `offset` is a >> 8*(12 - offset) for offset <= 12, and
    // b >> 8*(16 - offset) for offset >= 4. Shift amounts wrap for the unused
    // branch and are discarded by the select.
    let from_a = a.wrapping_shr(12u32.wrapping_sub(offset).wrapping_mul(8)) as u32;
    let from_b = b.wrapping_shr(16u32.wrapping_sub(offset).wrapping_mul(8)) as u32;
    let use_b = Choice::from((12u32.wrapping_sub(offset) >> 31) as u8);
    u32::conditional_select(&from_a, &from_b, use_b) & 0x7fff_ffff
}

/// A keyed engine and digit count: evaluates codes and scans for matches.
#[derive(Clone)]
pub(crate) struct KeyedOtp {
    engine: Engine,
    digits: Digits,
}

impl KeyedOtp {
    pub(crate) fn new(algorithm: Algorithm, digits: Digits, key: &[u8]) -> Self {
        Self {
            engine: Engine::new(algorithm, key),
            digits,
        }
    }

    pub(crate) fn digits(&self) -> Digits {
        self.digits
    }

    #[inline]
    pub(crate) fn code(&self, counter: u64) -> Code {
        Code::from_truncated(self.engine.truncated(counter), self.digits)
    }

    /// Codes for several independent counters at once. Scans (the
    /// diagnostic) call this so that an implementation can keep several hash
    /// chains in flight.
    #[inline]
    #[allow(dead_code)] // used by the diagnostic scan
    pub(crate) fn codes<const N: usize>(&self, counters: [u64; N]) -> [Code; N] {
        counters.map(|c| self.code(c))
    }

    /// Evaluates `code` against every counter that `counters` yields, in
    /// constant time with respect to the secret and the code: no early exit,
    /// `subtle` comparisons, and a branch-free select of the first match.
    pub(crate) fn find(&self, code: &Code, counters: impl Iterator<Item = u64>) -> Option<u64> {
        let mut found = Choice::from(0);
        let mut matched = 0u64;
        for counter in counters {
            let hit = self.code(counter).ct_eq(code) & !found;
            matched.conditional_assign(&counter, hit);
            found |= hit;
        }
        bool::from(found).then_some(matched)
    }
}

/// The steps `center - behind ..= center + ahead` that exist in `u64`, nearest
/// first (0, -1, +1, -2, +2, …), so the match closest to the expected step wins.
pub(crate) fn nearest_first(center: u64, behind: u32, ahead: u32) -> impl Iterator<Item = u64> {
    let reach = behind.max(ahead);
    (0..=reach).flat_map(move |k| {
        let before = (k <= behind)
            .then(|| center.checked_sub(u64::from(k)))
            .flatten();
        let after = (k > 0 && k <= ahead)
            .then(|| center.checked_add(u64::from(k)))
            .flatten();
        before.into_iter().chain(after)
    })
}

/// Unit tests count HMAC evaluations per thread, to prove that rejected input
/// (malformed, throttled) computes none. Compiled only for `cargo test`'s
/// unit-test build.
#[cfg(test)]
pub(crate) mod test_counter {
    use core::cell::Cell;

    std::thread_local! {
        static EVALUATIONS: Cell<u64> = const { Cell::new(0) };
    }

    pub(crate) fn bump() {
        EVALUATIONS.with(|c| c.set(c.get().saturating_add(1)));
    }

    /// HMAC evaluations on this thread so far.
    pub(crate) fn evaluations() -> u64 {
        EVALUATIONS.with(Cell::get)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn counter_counts_each_window_step_and_nothing_for_malformed_input() {
        let key = KeyedOtp::new(Algorithm::Sha1, Digits::DEFAULT, b"12345678901234567890");
        let code = key.code(7);
        let before = test_counter::evaluations();
        assert_eq!(key.find(&code, nearest_first(7, 2, 3)), Some(7));
        // 2 behind + centre + 3 ahead, no early exit although step 7 matched first.
        assert_eq!(test_counter::evaluations() - before, 6);
        let before = test_counter::evaluations();
        let totp = crate::Totp::new();
        let secret = crate::Secret::from_bytes(b"12345678901234567890").unwrap();
        let r = totp.verify(
            &secret,
            "12a456",
            crate::UnixTime::from_secs(59),
            crate::Window::DEFAULT,
        );
        assert!(matches!(r, Err(crate::VerifyError::Malformed(_))));
        assert_eq!(test_counter::evaluations(), before);
    }

    #[test]
    fn nearest_first_order_and_edges() {
        let v: Vec<u64> = nearest_first(10, 2, 1).collect();
        assert_eq!(v, [10, 9, 11, 8]);
        let v: Vec<u64> = nearest_first(0, 3, 1).collect();
        assert_eq!(v, [0, 1]);
        let v: Vec<u64> = nearest_first(u64::MAX, 1, 2).collect();
        assert_eq!(v, [u64::MAX, u64::MAX - 1]);
    }
}
