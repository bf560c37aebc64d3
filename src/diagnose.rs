//! The time-sync diagnostic: *why* does a user's code fail?
//!
//! [`diagnose`] takes the code or codes a user typed, each with the server
//! time at which it arrived ([`Observation`]), searches a wide range of time
//! steps (±26 h by default) for them, and answers with a [`Diagnosis`]: a
//! [`Verdict`] (in sync, entered late, phone clock ahead or behind, a
//! time-zone-like offset, replayed, no match, ambiguous, malformed), an
//! estimate of the phone's clock offset with its interval, the probability
//! that a wrong code matched by chance, and, where safe, the drift a guard's
//! resync would record ([`ResyncAdvice`]). `Display` writes plain English
//! with the fix, from the same public accessors an application can use to
//! write its own text.
//!
//! The diagnosis is a pipeline, one file per step:
//!
//! 1. *observe*: parse each typed code and place its arrival in its step;
//! 2. *scan*: evaluate every step of every observation's search range once
//!    and record where each code matches;
//! 3. *cluster*: turn each match into the offset interval it implies and
//!    find the codes that agree on one offset;
//! 4. *verdict*: classify the latest code of the evidence, asking the
//!    guard's acceptance rule what a login would do;
//! 5. *advice*: the resync the guard would record, a stale drift, how long
//!    spent steps last, and the text.
//!
//! The offset model and how the verdict is chosen are documented on
//! [`diagnose`].

mod advice;
mod cluster;
mod diagnosis;
mod error;
mod observe;
mod options;
mod scan;
mod verdict;

pub use diagnosis::{Diagnosis, ResyncAdvice};
pub use error::DiagnoseError;
pub use observe::Observation;
pub use options::DiagnoseOptions;
pub use verdict::{LateCause, Verdict, ZoneHint};

use cluster::{Agreement, Candidate, Candidates, Cluster};
use observe::{Observations, Parsed};

use crate::guard::{Guard, GuardState, Policy};
use crate::otp::{KeyedTotp, Totp};
use crate::secret::Secret;

/// The most observations one diagnosis takes.
pub const MAX_OBSERVATIONS: usize = 8;

/// Diagnoses why the codes a user typed fail, for the user whose guard
/// state is `state` under `guard`; see [`Diagnosis`] for what comes back.
///
/// Every acceptance question is the guard's: the TOTP parameters, the
/// window, the learned drift (clamped as the guard clamps it), the last
/// accepted step and the drift bound come from `guard` and `state`, so
/// [`Verdict::InSync`] is exactly what [`Guard::check`] would accept and a
/// proposed [`Diagnosis::resync`] exactly what [`Guard::resync`] would
/// record. `options` hold only the diagnostic's own settings.
///
/// # The offset model
///
/// The offset δ is *device clock minus server clock*. A code that matches
/// step `s` was on the device's screen at some device instant τ in
/// `[start(s), start(s) + X)`, where `start(s) = T0 + s·X`. The user read it
/// at a server instant `r` no more than the typing delay `d` before it
/// arrived, and the server stamped its arrival `t` in whole seconds (the true
/// arrival lies in `[t, t + 1)`). So `t - d <= r < t + 1` and `τ = r + δ`,
/// which gives
///
/// ```text
/// start(s) - t - 1  <  δ  <  start(s) + X - t + d
/// ```
///
/// The diagnosis reports the closed interval `[start(s) - t - 1,
/// start(s) + X - t + d]`, which holds the offset whether or not it is a
/// whole number of seconds (for whole seconds the tight form is
/// `[start(s) - t, start(s) + X - 1 - t + d]`). Several codes each give such
/// an interval, each already relative to its own arrival time, so the offset
/// lies in their intersection; codes whose intervals do not intersect do not
/// agree. A user who takes longer than `d` to type looks exactly like a
/// phone whose clock is slow by the excess: that is why
/// [`Verdict::EnteredLate`] names both causes.
///
/// # How the verdict is chosen
///
/// - Codes from at least two different steps whose intervals intersect
///   confirm an offset. The group with the most different steps decides; a
///   disjoint group with as many different steps gives
///   [`Verdict::Ambiguous`]. (The same code typed twice is one piece of
///   evidence, not two.) The order in which the codes are given does not
///   matter: the latest arrival is the latest code.
/// - Two or more different codes that do not agree give
///   [`Verdict::Ambiguous`] (one may be mistyped or typed late), never a
///   clock verdict: so a wrong secret is not taken for a clock problem.
/// - A single code is enough when exactly one step within the guard's drift
///   bound (at least ±2 steps) or the accept window matches. A single match
///   farther away is reported with [`Diagnosis::is_confirmed`] false: a hint
///   that asks for a second code. Several matches give
///   [`Verdict::Ambiguous`].
/// - The latest code decides [`Verdict::InSync`] and [`Verdict::Replayed`]
///   (accepted by the window around the learned drift or, as the guard also
///   tries, the window around the server step; above or at/below the last
///   accepted step). Otherwise the offset's midpoint decides:
///   [`Verdict::TimeZoneLike`] (≥ 30 min, within 2 min of a multiple of
///   15 min), [`Verdict::EnteredLate`] (behind by at most 4 steps or 2 min),
///   else [`Verdict::ClockAhead`] or [`Verdict::ClockBehind`].
///
/// Every observation's whole search range is evaluated, in batches of
/// independent steps, with no early exit and no allocation. The diagnosis is
/// pure: it changes no state and does not authenticate.
///
/// # Errors
///
/// [`DiagnoseError::NoObservations`], [`DiagnoseError::TooManyObservations`]
/// above [`MAX_OBSERVATIONS`], and [`DiagnoseError::Time`] for an
/// observation before T0. A typed input that is not a code is not an error
/// but [`Verdict::Malformed`].
///
/// # Security
///
/// A diagnosis reveals at which time a code would have been valid; show it
/// only to the user and your support staff, and rate-limit it like a login.
/// Never log someone in because a diagnosis found their code.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::diagnose::{diagnose, DiagnoseOptions, Observation, Verdict, ZoneHint};
/// use twostep::{Guard, GuardState, Secret, Totp, UnixTime};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let totp = Totp::new();
/// let (t1, t2) = (1_700_000_000, 1_700_000_045);
/// // A phone one hour behind (daylight saving not applied).
/// let seen = |t: u64| totp.generate(&secret, UnixTime::from_secs(t - 3_600));
/// let (typed1, typed2) = (seen(t1)?.to_string(), seen(t2)?.to_string());
/// let obs = [Observation::new(&typed1, UnixTime::from_secs(t1)),
///            Observation::new(&typed2, UnixTime::from_secs(t2))];
/// let d = diagnose(&Guard::new(totp), &secret, &GuardState::new(), &obs, &DiagnoseOptions::default())?;
/// assert!(matches!(d.verdict(), Verdict::TimeZoneLike { hint: ZoneHint::DaylightSaving, .. }));
/// assert!(d.is_confirmed() && d.resync().is_none()); // too far to resync: fix the clock
/// # Ok(()) }
/// ```
pub fn diagnose(
    guard: &Guard,
    secret: &Secret,
    state: &GuardState,
    observations: &[Observation<'_>],
    options: &DiagnoseOptions,
) -> Result<Diagnosis, DiagnoseError> {
    let totp = guard.totp();
    let policy = Policy::new(guard, state);
    Ok(match observe::observe(&totp, observations)? {
        Parsed::Malformed { observation, error } => Diagnosis::unsearched(
            Verdict::Malformed { observation, error },
            observations.len(),
        ),
        Parsed::Ready(observed) => run(&guard.key(secret), &observed, &policy, options),
    })
}

/// The search's figures, from the TOTP parameters and the options.
#[derive(Clone, Copy, Debug)]
struct Search {
    /// Steps searched either side of each arrival.
    reach: u64,
    period: i64,
    /// The typing delay in seconds.
    delay: i64,
    /// The chance that one wrong code matches one step.
    unit: f64,
}

impl Search {
    fn new(totp: &Totp, options: &DiagnoseOptions) -> Self {
        let period = totp.period().as_secs();
        let range = options.search_range().whole_seconds().unsigned_abs();
        Self {
            reach: range
                .div_ceil(period)
                .min(u64::from(DiagnoseOptions::MAX_SEARCH_STEPS)),
            period: i64::try_from(period).unwrap_or(i64::MAX),
            delay: options.typing_delay().whole_seconds(),
            unit: 1.0 / as_f64(totp.digits().modulus()),
        }
    }

    /// The chance that one wrong code matches one of `steps` steps, at most 1.
    fn chance(&self, steps: u64) -> f64 {
        (as_f64(steps) * self.unit).min(1.0)
    }

    /// The chance that one wrong code matches somewhere in its range.
    fn any_chance(&self) -> f64 {
        self.chance(self.reach.saturating_mul(2).saturating_add(1))
    }

    /// The chance that one more wrong code lands on one of the steps
    /// consistent with an offset interval already found.
    fn consistent_chance(&self) -> f64 {
        let period = self.period.unsigned_abs();
        let width = 2u64.saturating_mul(period.saturating_add(self.delay.unsigned_abs()));
        let steps = width.saturating_add(2).div_ceil(period).saturating_add(1);
        self.chance(steps)
    }
}

/// `n` as a float: step counts (at most a few ten thousand) and code moduli
/// (at most 10^10) are exact.
#[expect(clippy::cast_precision_loss, reason = "the values are below 2^53")]
const fn as_f64(n: u64) -> f64 {
    n as f64
}

/// The pipeline: scan, candidates, agreement, then a verdict from the
/// agreeing group or from a single code.
fn run(
    key: &KeyedTotp,
    observed: &Observations,
    policy: &Policy,
    options: &DiagnoseOptions,
) -> Diagnosis {
    let search = Search::new(&key.totp(), options);
    let found = scan::scan(key, observed.as_slice(), search.reach);
    let cands = cluster::candidates(
        observed.as_slice(),
        &found.hits,
        search.period,
        search.delay,
    );
    let total = found.hits.iter().map(scan::Hits::total).sum();
    let mut d = Diagnosis::searched(observed.as_slice().len(), found.evaluated, total);
    d.chance = search.any_chance();
    if cands.is_empty() {
        return d;
    }
    match cluster::agreement(&cands) {
        Agreement::Agreed(cluster) => agreed(&mut d, &cluster, &search, policy),
        Agreement::Rivals => d.verdict = ambiguous(&cands),
        Agreement::None if observed.distinct_codes() >= 2 => d.verdict = ambiguous(&cands),
        Agreement::None => single(&mut d, &cands, &search, policy),
    }
    d
}

fn ambiguous(cands: &Candidates) -> Verdict {
    Verdict::Ambiguous {
        candidates: cands.distinct_steps(),
    }
}

/// Codes from several steps agree: the first could match anywhere, each
/// further step must land on one of the few steps consistent with it. The
/// latest code of the group decides the verdict.
fn agreed(d: &mut Diagnosis, cluster: &Cluster, search: &Search, policy: &Policy) {
    let each = search.consistent_chance();
    d.chance = (1..cluster.distinct_steps).fold(search.any_chance(), |chance, _| chance * each);
    for (slot, chosen) in d.matched.iter_mut().zip(cluster.chosen.iter()) {
        *slot = chosen.map(|c| c.step);
    }
    d.estimate = Some((cluster.lo, cluster.hi));
    d.agreeing = cluster.agreeing;
    d.confirmed = true;
    if let Some(latest) = cluster.latest() {
        conclude(d, latest, (cluster.lo, cluster.hi), search, policy, true);
    }
}

/// One code (perhaps typed more than once): a single match near now is
/// evidence, a single match far away only a hint, several matches ambiguous.
/// Each step's candidate comes from the latest observation.
fn single(d: &mut Diagnosis, cands: &Candidates, search: &Search, policy: &Policy) {
    let near_bound = u64::from(policy.max_drift().max(2));
    let is_near = |c: &Candidate| c.k.unsigned_abs() <= near_bound || policy.tries(c.k);
    let near = cluster::distinct(&cands.iter().filter(|c| is_near(c)).map(|c| c.step));
    let pick = |want_near: bool| {
        cands
            .iter()
            .filter(|c| is_near(c) == want_near)
            .max_by_key(|c| c.observed.arrival())
            .copied()
    };
    let chosen = match (near, cands.distinct_steps()) {
        (1, _) => pick(true).map(|c| (c, true)),
        (0, 1) => pick(false).map(|c| (c, false)),
        _ => None,
    };
    let Some((c, confirmed)) = chosen else {
        d.verdict = ambiguous(cands);
        return;
    };
    if confirmed {
        // The near range, and every step a login tries beyond it, each once.
        let beyond = policy
            .tried_offsets()
            .filter(|k| k.unsigned_abs() > near_bound);
        let size = near_bound
            .saturating_mul(2)
            .saturating_add(1)
            .saturating_add(beyond.count() as u64);
        d.chance = search.chance(size);
    }
    if let Some(slot) = d.matched.get_mut(c.observed.index) {
        *slot = Some(c.step);
    }
    d.estimate = Some((c.lo, c.hi));
    d.agreeing = 1;
    d.confirmed = confirmed;
    // One code is not a pair for `Guard::resync`: no drift is proposed.
    conclude(d, &c, (c.lo, c.hi), search, policy, false);
}

/// The verdict for the latest code `c` of the evidence, and the details
/// behind it: a stale drift, how long spent steps last, the resync advice.
fn conclude(
    d: &mut Diagnosis,
    c: &Candidate,
    range: (i64, i64),
    search: &Search,
    policy: &Policy,
    pair: bool,
) {
    d.verdict = verdict::classify(c, range, policy, search.period);
    match d.verdict {
        Verdict::InSync => {
            d.stale_drift = (!policy.in_learned_window(c.k)).then_some(policy.drift());
        }
        Verdict::Replayed => d.replay_wait = replay_wait(c, search, policy),
        _ => d.resync = resync_advice(c, policy, pair),
    }
}

/// Seconds from the arrival of `c` until the first unspent step, when the
/// spent steps reach past its own step (the next code is spent too).
fn replay_wait(c: &Candidate, search: &Search, policy: &Policy) -> Option<i64> {
    let ahead = policy
        .last_step()?
        .checked_sub(c.observed.step)
        .filter(|&a| a > 0)?;
    let steps = i64::try_from(ahead).ok()?.checked_add(1)?;
    Some(
        steps
            .saturating_mul(search.period)
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
