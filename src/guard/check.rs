//! [`Guard::check`] and [`Guard::resync`]: the time, the throttle gate, the
//! parse, one constant-time scan, and the ending they share.

use super::key::Key;
use super::key::sealed::Token;
use super::{Guard, Outcome, Policy, State};
use crate::otp::{Code, CodeError, Found, Match};
use crate::time::{TimeError, UnixTime};

#[cfg(doc)]
use super::Prepared;
#[cfg(doc)]
use crate::secret::Secret;

impl Guard {
    /// Checks `input` typed at `now` with `key`, for the user whose stored
    /// state is `state`. Returns the outcome and the state to persist, which
    /// differs from `state` after every counted attempt, failures included.
    /// See the type's docs for the order of steps.
    ///
    /// `key` is a [`Secret`], keyed only once the throttle and the input's
    /// shape pass, or a [`Prepared`] key from [`Guard::key`], keyed once for
    /// several calls. Either way the guard's own TOTP parameters (hash,
    /// digits, period, T0) are used, so they cannot disagree with the key.
    /// Allocation-free.
    ///
    /// # Errors
    ///
    /// [`TimeError`] if `now` has no time step (before the TOTP's T0): a
    /// server configuration error, not the user's. Nothing was looked at or
    /// counted; the stored state stays as it is.
    ///
    /// # Security
    ///
    /// Persist the returned state with compare-and-swap before acting on the
    /// outcome (see the type's docs), and on failures too.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::{Outcome, State};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let guard = Guard::new(Totp::new());
    /// let (outcome, state) = guard.check(&secret, "12345", UnixTime::from_secs(59), &State::new())?;
    /// assert!(matches!(outcome, Outcome::Malformed(_)));
    /// assert_eq!(state.failures(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use = "persist the returned state (even on failure) and act only on Outcome::Accepted"]
    pub fn check<K: Key + ?Sized>(
        &self,
        key: &K,
        input: &str,
        now: UnixTime,
        state: &State,
    ) -> Result<(Outcome, State), TimeError> {
        let current = self.totp.step_at(now)?;
        let parse = || Code::parse(input, self.totp.digits());
        Ok(self.attempt(now, state, parse, |code| {
            let policy = Policy::new(self, state);
            // One constant-time scan over the steps the policy tries; which
            // steps are spent depends only on the stored last step.
            let found =
                key.keyed(self.totp, Token(()))
                    .scan(&code, policy.steps(current), |step| policy.is_fresh(step));
            self.ending(found, current, now, state, |m| {
                let in_learned = policy.matched_in_learned(m.step(), current);
                policy.learn(m.offset(), in_learned)
            })
        }))
    }

    /// Resynchronises a device whose clock is off by more than the window
    /// (RFC 4226 §7.4, RFC 6238 §6): the user types two codes shown one after
    /// the other, and the guard searches for that pair of consecutive steps
    /// within ±[`Guard::max_drift`] of the current step. `key` is as for
    /// [`Guard::check`].
    ///
    /// Found at steps never accepted before: [`Outcome::Accepted`] with the
    /// later step, whose offset becomes the learned drift; the later step is
    /// recorded and the failures cleared. A pair touching a step at or below
    /// the last accepted one is [`Outcome::Replayed`] (refusing it keeps
    /// every step single-use; not counted as a failure); otherwise
    /// [`Outcome::Invalid`] or [`Outcome::Malformed`], each counted as one
    /// failure.
    ///
    /// A resync is for a device whose clock is *off*. After the user fixes
    /// the clock, no second resync is needed (and one with codes from steps
    /// the fast device already spent would be refused as a replay): the next
    /// normal [`Guard::check`] finds the code in the window around the
    /// server's own step and resets the drift (see the type's docs on drift
    /// learning). Throttled and locked states are refused
    /// as by [`Guard::check`]. A guess is hopeless: two codes must match
    /// consecutive steps (about 40 × 10⁻¹² with 6 digits and the default bound).
    ///
    /// Evaluates every step of the range (2 × bound + 2 HMACs), whatever matches.
    ///
    /// # Errors
    ///
    /// [`TimeError`] as for [`Guard::check`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State;
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let guard = Guard::new(Totp::new());
    /// let now = UnixTime::from_secs(1_000_000_000);
    /// let phone = guard.key(&secret); // its clock runs 3 minutes fast: 6 steps
    /// let step = guard.totp().step_at(now)? + 6;
    /// let (c1, c2) = (phone.code_at_step(step - 1).to_string(), phone.code_at_step(step).to_string());
    /// let (outcome, state) = guard.resync(&secret, [&c1, &c2], now, &State::new())?;
    /// assert!(outcome.is_accepted());
    /// assert_eq!((state.drift(), state.last_step()), (6, Some(step)));
    /// # Ok(()) }
    /// ```
    #[must_use = "persist the returned state (even on failure) and act only on Outcome::Accepted"]
    pub fn resync<K: Key + ?Sized>(
        &self,
        key: &K,
        codes: [&str; 2],
        now: UnixTime,
        state: &State,
    ) -> Result<(Outcome, State), TimeError> {
        let current = self.totp.step_at(now)?;
        let [a, b] = codes;
        let digits = self.totp.digits();
        let parse = || Ok::<_, CodeError>([Code::parse(a, digits)?, Code::parse(b, digits)?]);
        Ok(self.attempt(now, state, parse, |pair| {
            let policy = Policy::new(self, state);
            let reach = u64::from(policy.max_drift());
            // The later step k lies in current ± reach; the earlier is k − 1.
            let start = current.saturating_sub(reach).saturating_sub(1);
            let end = current.saturating_add(reach);
            let found = key
                .keyed(self.totp, Token(()))
                .scan_pairs(&pair, start..=end, |step| policy.pair_is_fresh(step));
            self.ending(found, current, now, state, |m| policy.clamp(m.offset()))
        }))
    }

    /// The gate every attempt passes, in order: refused unseen (state
    /// unchanged) while throttled or locked; a malformed input counts as a
    /// failure and computes no HMAC; otherwise `evaluate` runs on the parsed
    /// input (keying HMAC only then, for a secret).
    fn attempt<T>(
        &self,
        now: UnixTime,
        state: &State,
        parse: impl FnOnce() -> Result<T, CodeError>,
        evaluate: impl FnOnce(T) -> (Outcome, State),
    ) -> (Outcome, State) {
        if let Some(blocked) = self.blocked(now, state) {
            // Refused unseen; only a deadline left by a clock that stepped
            // back changes (to the maximum delay).
            return (blocked.into(), self.cap_back_off(now, state));
        }
        match parse() {
            Ok(parsed) => evaluate(parsed),
            Err(e) => (Outcome::Malformed(e), self.record_failure(now, state)),
        }
    }

    /// The ending of a check and a resync: a fresh match is accepted (its
    /// step recorded, the failures cleared, the drift from `drift`), a match
    /// only at spent steps is a replay (state unchanged), no match is
    /// invalid (one failure).
    fn ending(
        &self,
        found: Found,
        current: u64,
        now: UnixTime,
        state: &State,
        drift: impl FnOnce(&Match) -> i8,
    ) -> (Outcome, State) {
        if let Some(step) = found.fresh() {
            let m = Match::new(step, current);
            let next = State {
                last_step: Some(step),
                drift: drift(&m),
                failures: 0,
                blocked_until: None,
            };
            (Outcome::Accepted(m), next)
        } else if found.spent() {
            // A right code, spent before: it tells a guesser nothing, so it
            // counts toward neither the back-off nor the lock.
            (Outcome::Replayed, *state)
        } else {
            (Outcome::Invalid, self.record_failure(now, state))
        }
    }
}
