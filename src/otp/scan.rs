//! The one constant-time window scan (private): [`KeyedTotp::verify`],
//! [`KeyedHotp::verify`], `Guard::check` and `Guard::resync` all search with
//! it.
//!
//! A scan evaluates every step it is given, in the engine's batches of
//! [`LANES`](super::engine::LANES), compares each code with `subtle`, and
//! folds the comparisons with branch-free selects: no early exit, and the
//! matched step leaves the fold only as the scan's result. Which steps count
//! as fresh (not yet spent) is public (it depends on the stored last step
//! only), so a caller passes it as a plain predicate.
//!
//! [`KeyedTotp::verify`]: super::KeyedTotp::verify
//! [`KeyedHotp::verify`]: super::KeyedHotp::verify

use core::ops::RangeInclusive;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::code::Code;
use super::engine::Engine;
use super::params::Digits;

/// What a scan found: the first fresh step (in the order scanned) whose code
/// matched, and whether a spent step matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    fresh: Option<u64>,
    spent: bool,
}

impl Found {
    /// The first fresh step that matched.
    pub(crate) const fn fresh(&self) -> Option<u64> {
        self.fresh
    }

    /// Whether a spent step matched (a replay, when nothing fresh did).
    pub(crate) const fn spent(&self) -> bool {
        self.spent
    }
}

/// The branch-free fold of a scan's comparisons.
struct Fold {
    fresh: Choice,
    spent: Choice,
    matched: u64,
}

impl Fold {
    fn new() -> Self {
        Self {
            fresh: Choice::from(0),
            spent: Choice::from(0),
            matched: 0,
        }
    }

    #[inline]
    fn add(&mut self, step: u64, hit: Choice, fresh: bool) {
        let fresh = Choice::from(u8::from(fresh));
        let take = hit & fresh & !self.fresh;
        self.matched.conditional_assign(&step, take);
        self.fresh |= take;
        self.spent |= hit & !fresh;
    }

    #[inline]
    fn finish(self) -> Found {
        Found {
            fresh: bool::from(self.fresh).then_some(self.matched),
            spent: bool::from(self.spent),
        }
    }
}

/// Compares `code` with the code of every step that `steps` yields, once
/// each, in constant time with respect to the key and the code.
#[inline]
pub(crate) fn scan(
    engine: &Engine,
    digits: Digits,
    code: &Code,
    steps: impl Iterator<Item = u64>,
    is_fresh: impl Fn(u64) -> bool,
) -> Found {
    let mut fold = Fold::new();
    engine.evaluate(digits, steps, |step, candidate| {
        fold.add(step, candidate.ct_eq(code), is_fresh(step));
    });
    fold.finish()
}

/// Searches `steps` for two consecutive steps showing `first` then
/// `second`, over the same batched evaluation as [`scan`]: each step is
/// evaluated once and compared with both codes. A pair is reported by its
/// later step, and `is_fresh` is asked about that later step.
#[inline]
pub(crate) fn scan_pairs(
    engine: &Engine,
    digits: Digits,
    [first, second]: &[Code; 2],
    steps: RangeInclusive<u64>,
    is_fresh: impl Fn(u64) -> bool,
) -> Found {
    let mut fold = Fold::new();
    let mut previous_first = Choice::from(0);
    engine.evaluate(digits, steps, |step, candidate| {
        let pair = previous_first & candidate.ct_eq(second);
        previous_first = candidate.ct_eq(first);
        fold.add(step, pair, is_fresh(step));
    });
    fold.finish()
}

/// The steps `center - behind ..= center + ahead` that exist in `u64`, nearest
/// first (0, -1, +1, -2, +2, …), so the match closest to the expected step wins.
pub(crate) const fn nearest_first(center: u64, behind: u32, ahead: u32) -> NearestFirst {
    NearestFirst {
        center,
        behind: behind as u64,
        ahead: ahead as u64,
        k: 0,
        after: false,
    }
}

/// The iterator of [`nearest_first`]: a small state machine, so that a scan
/// spends its time in the HMAC, not in stepping through the window.
#[derive(Clone, Debug)]
pub(crate) struct NearestFirst {
    center: u64,
    behind: u64,
    ahead: u64,
    /// The distance from the centre being visited.
    k: u64,
    /// Whether the step below the centre at distance `k` was visited.
    after: bool,
}

impl NearestFirst {
    /// No steps at all.
    pub(crate) const fn empty() -> Self {
        Self {
            center: 0,
            behind: 0,
            ahead: 0,
            k: 1,
            after: false,
        }
    }
}

impl Iterator for NearestFirst {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        while self.k <= self.behind.max(self.ahead) {
            let k = self.k;
            if self.after {
                self.after = false;
                self.k = k.saturating_add(1);
                if k > 0
                    && k <= self.ahead
                    && let Some(step) = self.center.checked_add(k)
                {
                    return Some(step);
                }
            } else {
                self.after = true;
                if k <= self.behind
                    && let Some(step) = self.center.checked_sub(k)
                {
                    return Some(step);
                }
            }
        }
        None
    }
}

#[cfg(test)]
#[expect(
    clippy::arithmetic_side_effects,
    reason = "test arithmetic on small known values"
)]
mod tests {
    use super::super::engine::tests::any_algorithm;
    use super::*;
    use crate::otp::Algorithm;
    use crate::test_counter::{HMAC, count};
    use alloc::vec::Vec;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(192))]

        #[test]
        fn scan_reports_nearest_match_for_any_window(
            algorithm in any_algorithm(),
            key in proptest::collection::vec(any::<u8>(), 0..80),
            center in 0u64..1_000,
            behind in 0u32..12,
            ahead in 0u32..12,
            pick in any::<prop::sample::Index>(),
        ) {
            let engine = Engine::new(algorithm, &key);
            let digits = Digits::SIX;
            let steps: Vec<u64> = nearest_first(center, behind, ahead).collect();
            let target = steps[pick.index(steps.len())];
            let code = engine.code(digits, target);
            // The first step in nearest-first order whose code equals the target's.
            let expected = steps.iter().copied().find(|s| engine.code(digits, *s) == code);
            let before = count(&HMAC);
            let found = scan(&engine, digits, &code, steps.iter().copied(), |_| true);
            prop_assert_eq!(found.fresh(), expected);
            prop_assert!(!found.spent());
            prop_assert_eq!(count(&HMAC) - before, steps.len() as u64);
        }

        #[test]
        fn spent_steps_are_reported_apart(
            key in proptest::collection::vec(any::<u8>(), 0..80),
            center in 10u64..1_000,
            last in 0u64..1_010,
        ) {
            let engine = Engine::new(Algorithm::Sha1, &key);
            let digits = Digits::EIGHT;
            let code = engine.code(digits, center);
            let steps: Vec<u64> = nearest_first(center, 3, 3).collect();
            let matching: Vec<u64> = steps.iter().copied().filter(|s| engine.code(digits, *s) == code).collect();
            let found = scan(&engine, digits, &code, steps.iter().copied(), |s| s > last);
            prop_assert_eq!(found.fresh(), matching.iter().copied().find(|&s| s > last));
            prop_assert_eq!(found.spent(), matching.iter().any(|&s| s <= last));
        }

        #[test]
        fn pair_scan_finds_consecutive_codes(
            key in proptest::collection::vec(any::<u8>(), 0..80),
            lo in 0u64..1_000,
            len in 1u64..30,
            pick in any::<prop::sample::Index>(),
            last in proptest::option::of(0u64..1_030),
        ) {
            let engine = Engine::new(Algorithm::Sha256, &key);
            let digits = Digits::EIGHT;
            let hi = lo + len;
            let later = lo + 1 + pick.index(usize::try_from(len).unwrap()) as u64;
            let pair = [engine.code(digits, later - 1), engine.code(digits, later)];
            // A pair ending at `s` is fresh when its first step `s - 1` is
            // after `last`; the scan asks about every step, step 0 included.
            let fresh = |s: u64| last.is_none_or(|l| s > l + 1);
            let matching: Vec<u64> = (lo + 1..=hi)
                .filter(|&s| [engine.code(digits, s - 1), engine.code(digits, s)] == pair)
                .collect();
            let before = count(&HMAC);
            let found = scan_pairs(&engine, digits, &pair, lo..=hi, fresh);
            prop_assert_eq!(count(&HMAC) - before, len + 1);
            prop_assert_eq!(found.fresh(), matching.iter().copied().find(|&s| fresh(s)));
            prop_assert_eq!(found.spent(), matching.iter().any(|&s| !fresh(s)));
        }
    }

    #[test]
    fn counter_counts_each_window_step_and_nothing_for_malformed_input() {
        let engine = Engine::new(Algorithm::Sha1, b"12345678901234567890");
        let code = engine.code(Digits::DEFAULT, 7);
        let before = count(&HMAC);
        let found = scan(
            &engine,
            Digits::DEFAULT,
            &code,
            nearest_first(7, 2, 3),
            |_| true,
        );
        assert_eq!(found.fresh(), Some(7));
        // 2 behind + centre + 3 ahead, no early exit although step 7 matched first.
        assert_eq!(count(&HMAC) - before, 6);
        let before = count(&HMAC);
        let totp = crate::Totp::new();
        let secret = crate::Secret::from_bytes(b"12345678901234567890").unwrap();
        let r = totp.verify(
            &secret,
            "12a456",
            crate::UnixTime::from_secs(59),
            crate::Window::DEFAULT,
        );
        assert!(matches!(r, Err(crate::otp::VerifyError::Malformed(_))));
        assert_eq!(count(&HMAC), before);
    }

    #[test]
    fn batches_of_every_length_evaluate_each_step_once() {
        let engine = Engine::new(Algorithm::Sha1, b"12345678901234567890");
        for len in 0u64..=20 {
            let mut seen = Vec::new();
            let before = count(&HMAC);
            engine.evaluate(Digits::SIX, 100..100 + len, |step, code| {
                assert_eq!(code, engine.code(Digits::SIX, step));
                seen.push(step);
            });
            assert_eq!(seen, (100..100 + len).collect::<Vec<_>>());
            // Each code in the loop above was computed once more by the assertion.
            assert_eq!(count(&HMAC) - before, 2 * len);
        }
    }

    #[test]
    fn nearest_first_order_and_edges() {
        let v: Vec<u64> = nearest_first(10, 2, 1).collect();
        assert_eq!(v, [10, 9, 11, 8]);
        let v: Vec<u64> = nearest_first(0, 3, 1).collect();
        assert_eq!(v, [0, 1]);
        let v: Vec<u64> = nearest_first(u64::MAX, 1, 2).collect();
        assert_eq!(v, [u64::MAX, u64::MAX - 1]);
        let v: Vec<u64> = nearest_first(5, 0, 0).collect();
        assert_eq!(v, [5]);
        let v: Vec<u64> = nearest_first(5, 0, 2).collect();
        assert_eq!(v, [5, 6, 7]);
        assert_eq!(NearestFirst::empty().count(), 0);
    }
}
