//! The second step: evaluate every step of every observation's search
//! range once, in batches of independent steps, and record where each code
//! matches.

use subtle::ConstantTimeEq;

use super::MAX_OBSERVATIONS;
use super::observe::Observed;
use crate::otp::KeyedTotp;

/// Matched steps recorded per observation; further matches are only counted.
pub(super) const HITS_PER_OBSERVATION: usize = 8;

/// Independent steps evaluated per batch, so several hash chains are in flight.
const LANES: usize = 8;

/// Matched steps of one observation, fixed capacity; overflow is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Hits {
    steps: [u64; HITS_PER_OBSERVATION],
    len: usize,
    total: u64,
}

impl Hits {
    pub(super) const EMPTY: Self = Self {
        steps: [0; HITS_PER_OBSERVATION],
        len: 0,
        total: 0,
    };

    fn push(&mut self, step: u64) {
        if let Some(slot) = self.steps.get_mut(self.len) {
            *slot = step;
            self.len = self.len.saturating_add(1);
        }
        self.total = self.total.saturating_add(1);
    }

    #[cfg(test)]
    pub(super) fn push_for_test(&mut self, step: u64) {
        self.push(step);
    }

    /// The matched steps recorded, in increasing order.
    pub(super) fn recorded(&self) -> &[u64] {
        self.steps.get(..self.len).unwrap_or(&[])
    }

    /// Every match, recorded or not.
    pub(super) const fn total(&self) -> u64 {
        self.total
    }
}

/// What the scan found: the hits of each observation (in the order given)
/// and the distinct steps evaluated.
#[derive(Clone, Copy, Debug)]
pub(super) struct Scan {
    pub(super) hits: [Hits; MAX_OBSERVATIONS],
    pub(super) evaluated: u64,
}

/// Scans `reach` steps either side of each observation's server step.
/// Overlapping ranges are merged, so each step is evaluated once and
/// compared with every observation whose range holds it; no early exit.
pub(super) fn scan(key: &KeyedTotp, observed: &[Observed], reach: u64) -> Scan {
    let mut own = [(0u64, 0u64); MAX_OBSERVATIONS];
    for (range, o) in own.iter_mut().zip(observed) {
        *range = (o.step.saturating_sub(reach), o.step.saturating_add(reach));
    }
    let own = own.get(..observed.len()).unwrap_or(&[]);
    let (merged, count) = merge(own);
    let mut found = Scan {
        hits: [Hits::EMPTY; MAX_OBSERVATIONS],
        evaluated: 0,
    };
    for &(lo, hi) in merged.get(..count).unwrap_or(&[]) {
        let mut base = lo;
        loop {
            let lanes = batch::<LANES>(key, base, hi, observed, own, &mut found.hits);
            found.evaluated = found.evaluated.saturating_add(lanes);
            match base.checked_add(LANES as u64) {
                Some(next) if next <= hi => base = next,
                _ => break,
            }
        }
    }
    found
}

/// `ranges` sorted and merged where they overlap or touch.
fn merge(ranges: &[(u64, u64)]) -> ([(u64, u64); MAX_OBSERVATIONS], usize) {
    let mut sorted = [(0u64, 0u64); MAX_OBSERVATIONS];
    let used = sorted.get_mut(..ranges.len()).unwrap_or(&mut []);
    used.copy_from_slice(ranges);
    used.sort_unstable();
    let mut merged = [(0u64, 0u64); MAX_OBSERVATIONS];
    let mut count = 0usize;
    for &(lo, hi) in used.iter() {
        match count.checked_sub(1).and_then(|i| merged.get_mut(i)) {
            Some(prev) if lo <= prev.1.saturating_add(1) => prev.1 = prev.1.max(hi),
            _ => {
                if let Some(slot) = merged.get_mut(count) {
                    *slot = (lo, hi);
                    count = count.saturating_add(1);
                }
            }
        }
    }
    (merged, count)
}

/// Evaluates the steps `base ..` (at most `N`, none above `hi`) at once and
/// records each match; returns how many steps were evaluated.
fn batch<const N: usize>(
    key: &KeyedTotp,
    base: u64,
    hi: u64,
    observed: &[Observed],
    own: &[(u64, u64)],
    hits: &mut [Hits; MAX_OBSERVATIONS],
) -> u64 {
    let mut steps = [hi; N];
    let mut lanes = 0u64;
    for (lane, slot) in (0u64..).zip(steps.iter_mut()) {
        if let Some(step) = base.checked_add(lane).filter(|&step| step <= hi) {
            *slot = step;
            lanes = lanes.saturating_add(1);
        }
    }
    let codes = key.codes_at_steps(steps);
    for (&step, code) in steps
        .iter()
        .zip(codes.iter())
        .take(usize::try_from(lanes).unwrap_or(N))
    {
        for ((o, &(from, to)), hits) in observed.iter().zip(own).zip(hits.iter_mut()) {
            let hit = code.ct_eq(&o.code);
            if (from..=to).contains(&step) && bool::from(hit) {
                hits.push(step);
            }
        }
    }
    lanes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_when_they_overlap_or_touch_and_stay_apart_otherwise() {
        let (m, n) = merge(&[(10, 20), (0, 5), (21, 30), (40, 50), (45, 47)]);
        assert_eq!(m.get(..n), Some(&[(0, 5), (10, 30), (40, 50)][..]));
        let (_, none) = merge(&[]);
        assert_eq!(none, 0);
    }

    #[test]
    fn hits_keep_the_first_matches_and_count_all() {
        let mut h = Hits::EMPTY;
        for step in 0..10u64 {
            h.push(step);
        }
        assert_eq!(h.recorded(), &[0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(h.total(), 10);
    }
}
