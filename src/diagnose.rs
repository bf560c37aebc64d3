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
//!
//! # Security: safe before authentication
//!
//! The diagnostic runs for someone who has not passed the second factor
//! yet, and whoever runs it (the user, or a support agent reading its text
//! out on the phone) may be an attacker who knows the password. It gives
//! such a guesser no better odds than logging in:
//!
//! - **It is an attempt.** Each call goes through the guard: refused
//!   unseen while [`Guard::blocked`] says so ([`Verdict::Blocked`]), and
//!   each code it looks at counts as one failed attempt
//!   ([`Guard::record_failure`]) unless the diagnosis is confirmed. A call
//!   with more codes than attempts left before the lock is refused
//!   ([`Verdict::TooManyCodes`]). So a lock period allows at most as many
//!   codes, in any mix of diagnoses and logins, as it allows logins.
//! - **A code is worth one login guess.** The latest code is tried exactly
//!   as a login tries it (its window and learned drift, the guard's own
//!   rule): at most `window × 10⁻ᵈⁱᵍⁱᵗˢ`, the odds of one login. A single
//!   code is otherwise reported only when it matches a step behind every
//!   window, which no later login tries. A clock offset, which tells when
//!   a code will be valid, is reported only when codes from different
//!   steps agree on it: with the defaults about 3 × 10⁻⁸ per pair of wrong
//!   codes, and never more than one login guess per extra code (agreement
//!   is not trusted where the search range and typing delay would make it
//!   cheaper). Everything else — one code matching far from now, codes
//!   that disagree — reads exactly like [`Verdict::NoMatch`], in every
//!   accessor, in `Debug` and in the text.
//! - **Confirmed is not authenticated.** A confirmed diagnosis is not
//!   counted as a failure, but it does not clear failures either, and it
//!   never logs anyone in: the user logs in with a fresh code (or, after a
//!   proposed resync, with [`Guard::resync`]).
//!
//! With the default guard (±1 step, ten failures to the lock, 6 digits) a
//! guesser's chance stays at most 10 × 3 × 10⁻⁶ = 3 × 10⁻⁵ per lock
//! period (6 × 10⁻⁵ while a drift is learned), diagnoses included.
//!
//! What a support desk may read out: the text of [`Diagnosis`], which
//! never holds a code or a step. What it must never read out or type on
//! the caller's behalf: the stored secret, a code generated from it, the
//! time at which some code would be valid, or codes it tries itself (each
//! is a guess that the guard does not see). Never reset the failure count
//! or log someone in because a diagnosis found their code.

mod advice;
mod cluster;
mod diagnosis;
mod error;
mod observe;
mod options;
mod scan;
mod text;
mod verdict;

pub use diagnosis::{Diagnosis, ResyncAdvice};
pub use error::DiagnoseError;
pub use observe::Observation;
pub use options::DiagnoseOptions;
pub use verdict::{LateCause, Verdict, ZoneHint};

use cluster::{Agreement, Candidate, Candidates, Cluster};
use observe::Observed;
use observe::{Observations, Parsed};

use crate::guard::{Guard, Policy, State as GuardState};
use crate::otp::{KeyedTotp, Totp};
use crate::secret::Secret;
use crate::time::UnixTime;

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
/// agree. The interval holds the offset only if each code was typed within
/// the typing allowance `d`: a user who takes longer looks exactly like a
/// phone whose clock is slow by the excess. That is why
/// [`Verdict::EnteredLate`] names both causes, up to 5 min behind.
///
/// Only the clock of the device that shows the codes (the phone) counts
/// against the server's; the clock and time zone of the computer the code
/// is typed on play no part, and the advice says so.
///
/// # How the verdict is chosen
///
/// - Codes from at least two different steps whose intervals intersect
///   confirm an offset. The group with the most different steps decides; a
///   disjoint group with as many different steps gives
///   [`Verdict::Ambiguous`]. (The same code typed twice is one piece of
///   evidence, not two.) The order in which the codes are given does not
///   matter: the latest arrival is the latest code.
/// - Without such a group, the latest code alone decides: in the window a
///   login tries now, [`Verdict::InSync`] or [`Verdict::Replayed`] (whatever
///   older codes say); and when only one code was typed, a match at most the
///   guard's drift bound (at least 2 steps) behind every window gives a late
///   or slow-clock verdict. Anything else is [`Verdict::NoMatch`]: a single
///   code that matches ahead of the window or far away, and codes that
///   disagree, read exactly like codes that match nothing (see the module
///   docs on security), so a wrong secret is never taken for a clock
///   problem and a guesser learns nothing.
/// - For the latest code of the evidence, outside the window, the offset's
///   midpoint decides: [`Verdict::TimeZoneLike`] (≥ 30 min, within 2 min of
///   a multiple of 15 min), [`Verdict::EnteredLate`] (at most 5 min behind:
///   typed late or a slightly slow clock, which look alike; `likely` puts
///   the emphasis), else [`Verdict::ClockAhead`] or [`Verdict::ClockBehind`]
///   (more than 5 min behind). Different codes that do not agree but all
///   lie a few minutes behind every window are [`Verdict::EnteredLate`] too:
///   each was typed after a different delay (a wrong clock would agree with
///   itself).
///
/// Every observation's whole search range is evaluated, in batches of
/// independent steps, with no early exit and no allocation.
///
/// # The guard's gate
///
/// A diagnosis is an attempt at the latest arrival's time. While
/// [`Guard::blocked`] refuses attempts it is [`Verdict::Blocked`]; with more
/// observations than attempts left before the lock it is
/// [`Verdict::TooManyCodes`]; a malformed input is [`Verdict::Malformed`]:
/// nothing is looked at and the state comes back unchanged. Otherwise each
/// observation counts as one failure ([`Guard::record_failure`]) unless the
/// diagnosis [is confirmed](Diagnosis::is_confirmed). Persist the returned
/// state as after a login, with compare-and-swap.
///
/// # Errors
///
/// [`DiagnoseError::NoObservations`], [`DiagnoseError::TooManyObservations`]
/// above [`MAX_OBSERVATIONS`], and [`DiagnoseError::Time`] for an
/// observation before T0: the caller's mistakes, checked first, state
/// untouched.
///
/// # Security
///
/// Safe to run before the second factor (see the module docs): a guesser
/// gains no better odds than through login. A diagnosis never
/// authenticates: never log someone in, or reset their failures, because
/// a diagnosis found their code.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::diagnose::{diagnose, DiagnoseOptions, Observation, Verdict, ZoneHint};
/// use twostep::{Guard, Secret, Totp, UnixTime};
/// use twostep::guard::State as GuardState;
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let guard = Guard::new(Totp::new());
/// let (t1, t2) = (1_700_000_000, 1_700_000_045);
/// // A phone one hour behind (daylight saving not applied).
/// let seen = |t: u64| guard.totp().generate(&secret, UnixTime::from_secs(t - 3_600));
/// let (typed1, typed2) = (seen(t1)?.to_string(), seen(t2)?.to_string());
/// let obs = [Observation::new(&typed1, UnixTime::from_secs(t1)),
///            Observation::new(&typed2, UnixTime::from_secs(t2))];
/// let state = GuardState::new(); // the user's stored state
/// let (d, next) = diagnose(&guard, &secret, &state, &obs, &DiagnoseOptions::default())?;
/// assert!(matches!(d.verdict(), Verdict::TimeZoneLike { hint: ZoneHint::DaylightSaving, .. }));
/// assert!(d.is_confirmed() && d.resync().is_none()); // too far to resync: fix the clock
/// assert_eq!(next, state); // confirmed: not counted
/// # Ok(()) }
/// ```
#[must_use = "persist the returned state: an unconfirmed diagnosis counts as failed attempts"]
pub fn diagnose(
    guard: &Guard,
    secret: &Secret,
    state: &GuardState,
    observations: &[Observation<'_>],
    options: &DiagnoseOptions,
) -> Result<(Diagnosis, GuardState), DiagnoseError> {
    let parsed = observe::observe(&guard.totp(), observations)?;
    let n = observations.len();
    let refused = |verdict| Ok((Diagnosis::unsearched(verdict, n), *state));
    let now = observations
        .iter()
        .map(Observation::at)
        .max()
        .unwrap_or(UnixTime::EPOCH);
    if let Some(blocked) = guard.blocked(now, state) {
        return refused(Verdict::Blocked(blocked));
    }
    let allowed = guard
        .throttle()
        .lock_after()
        .saturating_sub(state.failures());
    if u32::try_from(n).map_or(true, |n| n > allowed) {
        return refused(Verdict::TooManyCodes { allowed });
    }
    let observed = match parsed {
        Parsed::Malformed { observation, error } => {
            return refused(Verdict::Malformed { observation, error });
        }
        Parsed::Ready(observed) => observed,
    };
    let d = run(
        &guard.key(secret),
        &observed,
        &Policy::new(guard, state),
        options,
    );
    let next = if d.is_confirmed() {
        *state
    } else {
        (0..n).fold(*state, |s, _| guard.record_failure(now, &s))
    };
    Ok((d, next))
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

    /// Whether agreement among `n` wrong codes is rarer than `n − 1` login
    /// guesses: the pairs among them (`n(n − 1)/2`, each agreeing with the
    /// chance of one match anywhere times one consistent match) against
    /// the steps a login tries. True with the defaults by a factor of about
    /// 25; false only for short periods with long typing delays and wide
    /// ranges, where agreement is then not trusted.
    fn agreement_is_dear(&self, n: usize, policy: &Policy) -> bool {
        let login = self.chance(as_u64(policy.tried_offsets().count()));
        let pair = self.any_chance() * self.consistent_chance();
        as_f64(as_u64(n)) * pair <= 2.0 * login
    }
}

/// `n` as a float: step counts (at most a few ten thousand) and code moduli
/// (at most 10^10) are exact.
#[expect(clippy::cast_precision_loss, reason = "the values are below 2^53")]
const fn as_f64(n: u64) -> f64 {
    n as f64
}

/// A count as `u64` (counts here are far below either limit).
fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The pipeline: scan, candidates, agreement, then a verdict from the
/// agreeing group or from the latest code alone.
fn run(
    key: &KeyedTotp,
    observed: &Observations,
    policy: &Policy,
    options: &DiagnoseOptions,
) -> Diagnosis {
    let search = Search::new(&key.totp(), options);
    let given = observed.as_slice();
    let found = scan::scan(key, given, search.reach);
    let cands = cluster::candidates(given, &found.hits, search.period, search.delay);
    let mut d = Diagnosis::searched(given.len(), found.evaluated);
    d.chance = search.any_chance();
    let agreement = if search.agreement_is_dear(given.len(), policy) {
        cluster::agreement(&cands)
    } else {
        Agreement::None
    };
    // The latest code decides when a login would take it now, whatever
    // older codes say (unless it is part of the agreeing group itself).
    let latest = observed.latest().map(|o| o.index);
    let tried_latest = cands
        .iter()
        .any(|c| Some(c.observed.index) == latest && policy.tries(c.k));
    match agreement {
        Agreement::Agreed(cluster) if !tried_latest || cluster.includes(latest) => {
            agreed(&mut d, &cluster, &search, policy);
        }
        Agreement::Rivals { candidates } if !tried_latest => {
            d.verdict = Verdict::Ambiguous { candidates };
        }
        _ => latest_alone(&mut d, &cands, observed, &search, policy),
    }
    if d.verdict != Verdict::NoMatch {
        d.matches_found = found.hits.iter().map(scan::Hits::total).sum();
    }
    d
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
        advice::conclude(
            d,
            latest,
            (cluster.lo, cluster.hi),
            search.period,
            policy,
            true,
        );
    }
}

/// No two codes agree: the latest code alone may say what a login would do
/// with it now and, when it is the only code typed, that it belongs just
/// behind every window (a step no login tries again). Anything else is left
/// as no match, revealing nothing.
fn latest_alone(
    d: &mut Diagnosis,
    cands: &Candidates,
    observed: &Observations,
    search: &Search,
    policy: &Policy,
) {
    let Some(latest) = observed.latest().map(|o: &Observed| o.index) else {
        return;
    };
    let own = || cands.iter().filter(move |c| c.observed.index == latest);
    // A fresh match first, as the guard accepts any fresh step it tries.
    let tried = own()
        .filter(|c| policy.tries(c.k))
        .min_by_key(|c| !policy.is_fresh(c.step));
    if let Some(c) = tried {
        return single(d, c, search, policy);
    }
    if observed.distinct_codes() != 1 {
        return late_codes(d, cands, observed, search, policy);
    }
    let near = i64::from(policy.max_drift().max(2));
    let past = || own().filter(|c| policy.is_past(c.k) && c.k >= near.saturating_neg());
    match cluster::distinct(&past().map(|c| c.step)) {
        0 => {}
        1 => {
            if let Some(c) = past().next() {
                single(d, c, search, policy);
            }
        }
        candidates => d.verdict = Verdict::Ambiguous { candidates },
    }
}

/// Different codes that do not agree, each matching one step behind every
/// window at most 5 min back: each was typed after a different delay, which
/// is what typing late looks like (a wrong clock would agree with itself).
/// Entered late, typing the likelier cause; the interval spans them all.
/// Only steps no login tries again are shown.
fn late_codes(
    d: &mut Diagnosis,
    cands: &Candidates,
    observed: &Observations,
    search: &Search,
    policy: &Policy,
) {
    let late =
        |c: &&Candidate| policy.is_past(c.k) && verdict::is_late(verdict::midpoint(c.lo, c.hi));
    let mut chosen = [None; MAX_OBSERVATIONS];
    for (slot, o) in chosen.iter_mut().zip(observed.as_slice()) {
        let mut own = cands
            .iter()
            .filter(|c| c.observed.index == o.index)
            .filter(late);
        match (own.next(), own.next()) {
            (Some(c), None) => *slot = Some(*c),
            _ => return,
        }
    }
    let picked = || chosen.iter().flatten();
    let lo = picked().map(|c| c.lo).min().unwrap_or(0);
    let hi = picked().map(|c| c.hi).max().unwrap_or(0);
    // Each wrong code would have to land in the few steps just behind.
    let zone = verdict::LATE_LIMIT
        .unsigned_abs()
        .div_ceil(search.period.unsigned_abs());
    d.chance = picked().fold(1.0, |chance, _| chance * search.chance(zone));
    for (slot, c) in d.matched.iter_mut().zip(&chosen) {
        *slot = c.map(|c| c.step);
    }
    d.estimate = Some((lo, hi));
    d.agreeing = picked().count();
    d.confirmed = true;
    d.verdict = Verdict::EnteredLate {
        offset: time::Duration::seconds(verdict::midpoint(lo, hi)),
        likely: LateCause::TypedLate,
    };
}

/// A verdict from one code `c`. A wrong code gets one if it matches a step
/// a login tries or one of the steps just behind them, each once: that is
/// the chance.
fn single(d: &mut Diagnosis, c: &Candidate, search: &Search, policy: &Policy) {
    let near = i64::from(policy.max_drift().max(2));
    let tried = policy.tried_offsets().count();
    let past = (near.saturating_neg()..0)
        .filter(|&k| policy.is_past(k))
        .count();
    d.chance = search.chance(as_u64(tried.saturating_add(past)));
    if let Some(slot) = d.matched.get_mut(c.observed.index) {
        *slot = Some(c.step);
    }
    d.estimate = Some((c.lo, c.hi));
    d.agreeing = 1;
    d.confirmed = true;
    // One code is not a pair for `Guard::resync`: no drift is proposed.
    advice::conclude(d, c, (c.lo, c.hi), search.period, policy, false);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::Period;

    fn dear(period: u64, range_hours: i64, delay_secs: i64, n: usize) -> bool {
        let totp = Totp::new().with_period(Period::new(period).unwrap_or(Period::DEFAULT));
        let options = DiagnoseOptions::default()
            .with_search_range(time::Duration::hours(range_hours))
            .and_then(|o| o.with_typing_delay(time::Duration::seconds(delay_secs)))
            .unwrap_or_default();
        let guard = Guard::new(totp);
        let policy = Policy::new(&guard, &GuardState::new());
        Search::new(&totp, &options).agreement_is_dear(n, &policy)
    }

    #[test]
    fn agreement_is_trusted_only_where_it_costs_more_than_login_guesses() {
        // Defaults: a pair of wrong codes agrees with about 6,241 × 5 × 10⁻¹²,
        // far below a login guess (3 × 10⁻⁶) even with eight codes.
        assert!(dear(30, 26, 20, MAX_OBSERVATIONS));
        assert!(dear(30, 48, 600, MAX_OBSERVATIONS));
        // One-second steps with a ten-minute typing delay over ±48 h: about
        // 11,521 × 1,205 × 10⁻¹² per pair, too cheap to trust.
        assert!(!dear(1, 48, 600, MAX_OBSERVATIONS));
    }

    #[test]
    fn search_figures_follow_the_options() {
        let s = Search::new(&Totp::new(), &DiagnoseOptions::default());
        assert_eq!((s.reach, s.period, s.delay), (3_120, 30, 20));
        assert!((s.any_chance() - 6_241e-6).abs() < 1e-15);
        // (2 × (30 + 20) + 2) / 30 rounded up, plus one: 5 consistent steps.
        assert!((s.consistent_chance() - 5e-6).abs() < 1e-15);
    }
}
