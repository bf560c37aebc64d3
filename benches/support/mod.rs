//! Shared by the bench files: fixed inputs and the HMAC floor.
//!
//! The floor is what any HMAC-based OTP must pay once the key is prepared: a
//! raw keyed `hmac::Hmac<D>` cloned per code, updated with the 8-byte counter
//! and finalized (two compressions), then RFC 4226 truncation.

#![allow(dead_code, reason = "each bench file uses some of these helpers")]
#![expect(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "bench helpers on fixed inputs"
)]

use hmac::digest::{KeyInit, block_api::EagerHash};
use hmac::{Hmac, Mac};
use twostep::{Code, Secret, Totp, UnixTime, Window};

/// RFC 6238 Appendix B SHA-1 secret: 20 bytes, the length the README figures use.
pub(crate) const SECRET20: &[u8] = b"12345678901234567890";
/// 32-byte secret for SHA-256 (RFC 6238 Appendix B).
pub(crate) const SECRET32: &[u8] = b"12345678901234567890123456789012";
/// 64-byte secret for SHA-512 (RFC 6238 Appendix B).
pub(crate) const SECRET64: &[u8] =
    b"1234567890123456789012345678901234567890123456789012345678901234";
/// A fixed instant: 2025-01-01T00:00:00Z.
pub(crate) const NOW: u64 = 1_735_689_600;
/// The diagnostic's reach: ±26 h of 30 s steps (3,120 each side, 6,241 steps).
pub(crate) const SCAN_26H: u32 = 3_120;

pub(crate) fn secret(bytes: &[u8]) -> Secret {
    Secret::from_bytes(bytes).unwrap()
}

/// A keyed HMAC, cloned per code by [`floor_code`].
pub(crate) fn floor_key<D: EagerHash>(key: &[u8]) -> Hmac<D>
where
    Hmac<D>: KeyInit,
{
    <Hmac<D> as KeyInit>::new_from_slice(key).unwrap()
}

/// One code the floor way: clone, update with the counter, finalize, truncate.
#[inline]
pub(crate) fn floor_code<D: EagerHash>(mac: &Hmac<D>, counter: u64) -> u32
where
    Hmac<D>: Mac + Clone,
{
    let h = mac
        .clone()
        .chain_update(counter.to_be_bytes())
        .finalize()
        .into_bytes();
    let o = usize::from(h[h.len() - 1] & 0x0f);
    (u32::from_be_bytes([h[o], h[o + 1], h[o + 2], h[o + 3]]) & 0x7fff_ffff) % 1_000_000
}

/// A 6-digit code that matches no step of `center ± reach` (the miss path).
pub(crate) fn missing_code(totp: &Totp, s: &Secret, center: u64, reach: u64) -> String {
    let key = totp.key(s);
    let taken: Vec<u64> = (center - reach..=center + reach)
        .map(|t| key.code_at_step(t).value())
        .collect();
    let v = (0..1_000_000u64).find(|v| !taken.contains(v)).unwrap();
    Code::from_value(v, totp.digits()).unwrap().to_string()
}

/// The step of `NOW` with the default parameters.
pub(crate) fn now_step() -> u64 {
    Totp::new().step_at(UnixTime::from_secs(NOW)).unwrap()
}

/// `[lo, hi]` cut into windows of at most ±100 steps (`Window`'s maximum):
/// `(center, window)` pairs that cover every step exactly once.
pub(crate) fn tiles(lo: u64, hi: u64) -> Vec<(u64, Window)> {
    let mut out = Vec::new();
    let mut start = lo;
    while start <= hi {
        let left = hi - start;
        if left >= 200 {
            out.push((start + 100, Window::new(100, 100).unwrap()));
            start += 201;
        } else {
            let behind = left / 2;
            let w = Window::new(
                u32::try_from(behind).unwrap(),
                u32::try_from(left - behind).unwrap(),
            );
            out.push((start + behind, w.unwrap()));
            break;
        }
    }
    out
}

/// The scan floor: one floor code per step of `steps`, each compared with
/// `target` in constant time, folded so nothing is optimised away.
pub(crate) fn floor_scan(
    floor: &Hmac<sha1::Sha1>,
    steps: core::ops::RangeInclusive<u64>,
    target: u32,
) -> u8 {
    use subtle::ConstantTimeEq;
    steps.fold(0u8, |acc, step| {
        acc | floor_code(floor, std::hint::black_box(step))
            .ct_eq(&target)
            .unwrap_u8()
    })
}

/// Short criterion runs: the machine has 2 shared cores.
pub(crate) fn config(samples: usize) -> criterion::Criterion {
    criterion::Criterion::default()
        .sample_size(samples)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
}
