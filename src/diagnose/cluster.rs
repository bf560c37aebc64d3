//! The third step: turn each matched step into the offset interval it
//! implies (the model in the module docs), and find the codes that agree on
//! one offset.

use super::MAX_OBSERVATIONS;
use super::observe::Observed;
use super::scan::{HITS_PER_OBSERVATION, Hits};
use crate::otp::Match;

/// The most candidates: every recorded hit of every observation.
const CANDIDATES: usize = MAX_OBSERVATIONS * HITS_PER_OBSERVATION;

/// One matched step of one observation, with the offset interval it implies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Candidate {
    /// The observation that matched.
    pub(super) observed: Observed,
    /// The matched step.
    pub(super) step: u64,
    /// Matched step minus the server step at arrival.
    pub(super) k: i64,
    /// The offset interval, both ends included, in seconds.
    pub(super) lo: i64,
    pub(super) hi: i64,
}

/// The candidates of one diagnosis.
#[derive(Clone, Copy, Debug)]
pub(super) struct Candidates {
    items: [Option<Candidate>; CANDIDATES],
}

impl Candidates {
    pub(super) fn iter(&self) -> impl Iterator<Item = &Candidate> + Clone {
        self.items.iter().flatten()
    }
}

/// Every recorded hit with its interval: a code of step `s` arriving at `t`
/// with a typing delay of at most `delay` puts the offset in
/// `[start(s) − t − 1, start(s) + period − t + delay]`.
pub(super) fn candidates(
    observed: &[Observed],
    hits: &[Hits; MAX_OBSERVATIONS],
    period: i64,
    delay: i64,
) -> Candidates {
    let mut items = [None; CANDIDATES];
    let all = observed
        .iter()
        .zip(hits)
        .flat_map(|(o, h)| h.recorded().iter().map(move |&step| (*o, step)));
    for (slot, (o, step)) in items.iter_mut().zip(all) {
        // |k| <= the search reach (at most 5,760 steps): k × period fits.
        let k = Match::new(step, o.step).offset();
        let start_minus_t = k.saturating_mul(period).saturating_sub(o.phase);
        *slot = Some(Candidate {
            observed: o,
            step,
            k,
            lo: start_minus_t.saturating_sub(1),
            hi: start_minus_t.saturating_add(period).saturating_add(delay),
        });
    }
    Candidates { items }
}

/// Observations agreeing on one offset: at most one candidate each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Cluster {
    /// The candidate of each observation (by position given) that takes part.
    pub(super) chosen: [Option<Candidate>; MAX_OBSERVATIONS],
    /// The intersection of their intervals.
    pub(super) lo: i64,
    pub(super) hi: i64,
    pub(super) distinct_steps: usize,
    pub(super) agreeing: usize,
}

impl Cluster {
    /// Whether the observation at position `index` takes part.
    pub(super) fn includes(&self, index: Option<usize>) -> bool {
        index.is_some_and(|i| self.chosen.get(i).is_some_and(Option::is_some))
    }

    /// The latest observation that takes part.
    pub(super) fn latest(&self) -> Option<&Candidate> {
        self.chosen
            .iter()
            .flatten()
            .max_by_key(|c| c.observed.arrival())
    }
}

/// The candidates whose intervals hold `point`, at most one per observation
/// (its first), with their intersection.
fn cluster_at(point: i64, cands: &Candidates) -> Cluster {
    let mut chosen: [Option<Candidate>; MAX_OBSERVATIONS] = [None; MAX_OBSERVATIONS];
    let (mut lo, mut hi) = (i64::MIN, i64::MAX);
    for c in cands.iter() {
        if let Some(slot @ None) = chosen.get_mut(c.observed.index)
            && c.lo <= point
            && point <= c.hi
        {
            *slot = Some(*c);
            lo = lo.max(c.lo);
            hi = hi.min(c.hi);
        }
    }
    let picked = chosen.iter().flatten();
    Cluster {
        chosen,
        lo,
        hi,
        distinct_steps: distinct(&picked.clone().map(|c| c.step)),
        agreeing: picked.count(),
    }
}

/// What the codes agree on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "made once per diagnosis on the stack: boxing would allocate"
)]
pub(super) enum Agreement {
    /// Codes from at least two different steps agree, and no other group
    /// as large disagrees with them.
    Agreed(Cluster),
    /// Two groups, as large as each other, each of at least two different
    /// steps, that do not overlap: the offsets they imply differ.
    Rivals {
        /// Distinct steps in the groups as large as the best.
        candidates: usize,
    },
    /// No two different steps agree.
    None,
}

/// Finds the best group of agreeing codes. A set of intervals intersects iff
/// the largest lower end lies in all of them, so anchoring at every lower end
/// finds every group. The best has the most distinct steps, then the most
/// codes (ties, which need one code to match two steps, go to the latest
/// interval); another group with as many distinct steps that does not
/// overlap it is a rival. Every group is looked at, so the order of the
/// codes does not matter.
pub(super) fn agreement(cands: &Candidates) -> Agreement {
    let groups = || {
        cands
            .iter()
            .map(|anchor| cluster_at(anchor.lo, cands))
            .filter(|c| c.distinct_steps >= 2)
    };
    let Some(best) = groups().max_by_key(|c| (c.distinct_steps, c.agreeing, c.lo, c.hi)) else {
        return Agreement::None;
    };
    let disjoint = |c: &Cluster| c.hi < best.lo || best.hi < c.lo;
    let as_large = || groups().filter(|c| c.distinct_steps == best.distinct_steps);
    if as_large().any(|c| disjoint(&c)) {
        let steps = as_large().flat_map(|c| c.chosen.into_iter().flatten().map(|c| c.step));
        Agreement::Rivals {
            candidates: distinct(&steps),
        }
    } else {
        Agreement::Agreed(best)
    }
}

/// How many different values `items` holds.
pub(super) fn distinct<T: PartialEq, I: Iterator<Item = T> + Clone>(items: &I) -> usize {
    items
        .clone()
        .enumerate()
        .filter(|(i, x)| !items.clone().take(*i).any(|y| y == *x))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Code, Digits};

    fn observed(step: u64, phase: i64, index: usize) -> Observed {
        Observed {
            code: Code::from_truncated(index.try_into().unwrap_or(0), Digits::SIX),
            step,
            phase,
            index,
        }
    }

    fn hits(steps: &[u64]) -> Hits {
        let mut h = Hits::EMPTY;
        for &s in steps {
            h.push_for_test(s);
        }
        h
    }

    fn build(obs: &[Observed], matched: &[&[u64]]) -> Candidates {
        let mut all = [Hits::EMPTY; MAX_OBSERVATIONS];
        for (slot, m) in all.iter_mut().zip(matched) {
            *slot = hits(m);
        }
        candidates(obs, &all, 30, 20)
    }

    #[test]
    fn a_match_gives_the_interval_of_the_offset_model() {
        // Arrived 10 s into step 100, matched step 103: start(s) − t = 80 s.
        let cands = build(&[observed(100, 10, 0)], &[&[103]]);
        let c = cands.iter().next().copied();
        assert_eq!(c.map(|c| (c.k, c.lo, c.hi)), Some((3, 79, 130)));
        let behind = build(&[observed(100, 10, 0)], &[&[98]]);
        assert_eq!(
            behind.iter().next().map(|c| (c.k, c.lo, c.hi)),
            Some((-2, -71, -20))
        );
    }

    #[test]
    fn two_steps_that_agree_form_a_group_and_disjoint_groups_are_rivals() {
        // Steps 103 and 104 seen 30 s apart: the same offset.
        let pair = [observed(100, 10, 0), observed(101, 10, 1)];
        let Agreement::Agreed(group) = agreement(&build(&pair, &[&[103], &[104]])) else {
            panic!("one group");
        };
        assert_eq!(
            (group.distinct_steps, group.agreeing, group.lo, group.hi),
            (2, 2, 79, 130)
        );
        assert_eq!(group.latest().map(|c| c.observed.index), Some(1));
        // Each code also matches an hour away, at steps that agree too.
        let both = build(&pair, &[&[103, 223], &[104, 224]]);
        assert_eq!(agreement(&both), Agreement::Rivals { candidates: 4 });
        // Far apart: no two steps agree.
        assert_eq!(agreement(&build(&pair, &[&[103], &[300]])), Agreement::None);
    }

    #[test]
    fn distinct_counts_each_value_once() {
        assert_eq!(distinct(&[3, 1, 3, 2, 1].into_iter()), 3);
        assert_eq!(distinct(&core::iter::empty::<u8>()), 0);
    }
}
