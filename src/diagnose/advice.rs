//! The last step: what the server can do about the verdict (the resync
//! the guard would record, a stale drift, how long spent steps last). The
//! text in `text.rs` is written from these facts through public accessors.

use super::cluster::Candidate;
use super::{Diagnosis, ResyncAdvice, Verdict, verdict};
use crate::guard::Policy;

/// The verdict for the latest code `c` of the evidence, and the details
/// behind it: a stale drift, how long spent steps last, the resync advice.
pub(super) fn conclude(
    d: &mut Diagnosis,
    c: &Candidate,
    range: (i64, i64),
    period: i64,
    policy: &Policy,
    pair: bool,
) {
    d.verdict = verdict::classify(c, range, policy);
    match d.verdict {
        Verdict::InSync => {
            d.stale_drift = (!policy.in_learned_window(c.k)).then_some(policy.drift());
        }
        Verdict::Replayed => d.replay_wait = replay_wait(c, period, policy),
        _ => d.resync = resync_advice(c, policy, pair),
    }
}

/// Seconds from the arrival of `c` until the first unspent step, when the
/// spent steps reach past its own step (the next code is spent too).
fn replay_wait(c: &Candidate, period: i64, policy: &Policy) -> Option<i64> {
    let ahead = policy
        .last_step()?
        .checked_sub(c.observed.step)
        .filter(|&a| a > 0)?;
    let steps = i64::try_from(ahead).ok()?.checked_add(1)?;
    Some(
        steps
            .saturating_mul(period)
            .saturating_sub(c.observed.phase),
    )
}

/// For a clock verdict on the latest code `c`: the resync to propose (only
/// for a pair of agreeing codes), or why there is none. `Guard::resync`
/// refuses a pair (step − 1, step) touching a spent step, so only what it
/// would record is proposed.
fn resync_advice(c: &Candidate, policy: &Policy, pair: bool) -> Option<ResyncAdvice> {
    if !policy.resync_reaches(c.k) {
        Some(ResyncAdvice::BeyondBound)
    } else if !pair {
        None
    } else if policy.pair_is_fresh(c.step) {
        Some(ResyncAdvice::Record(c.k))
    } else {
        Some(ResyncAdvice::Spent)
    }
}
