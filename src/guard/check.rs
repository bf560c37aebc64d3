//! [`Guard::check`] and [`Guard::resync`]: the throttle gate, the parse,
//! one constant-time scan, and the ending they share.

use super::{Guard, Outcome, Policy, State};
use crate::otp::{Code, CodeError, KeyedTotp, Match, Totp};
use crate::secret::Secret;
use crate::time::UnixTime;

impl Guard {
    /// Checks `input` typed at `now` against `secret`, for the user whose
    /// stored state is `state`. Returns the outcome and the state to persist,
    /// which differs from `state` after every counted attempt, failures
    /// included. See the type's docs for the order of steps.
    ///
    /// Allocation-free; the HMAC key is prepared only after the throttle and
    /// the input's shape pass. Use [`Guard::check_keyed`] to prepare it once
    /// for several calls.
    ///
    /// # Security
    ///
    /// Persist the returned state with compare-and-swap before acting on the
    /// outcome (see the type's docs), and on failures too.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::{State, Outcome};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let guard = Guard::new(Totp::new());
    /// let (outcome, state) = guard.check(&secret, "12345", UnixTime::from_secs(59), &State::new());
    /// assert!(matches!(outcome, Outcome::Malformed(_)));
    /// assert_eq!(state.failures(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use = "persist the returned state (even on failure) and act only on Outcome::Accepted"]
    pub fn check(
        &self,
        secret: &Secret,
        input: &str,
        now: UnixTime,
        state: &State,
    ) -> (Outcome, State) {
        self.attempt(
            now,
            state,
            || Code::parse(input, self.totp.digits()),
            |code| self.check_code(&self.key(secret), &code, now, state),
        )
    }

    /// As [`Guard::check`], with a prepared key (from [`Guard::key`]), so a
    /// hot path does not key HMAC on every call. The key's own TOTP
    /// parameters are used.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State;
    /// let guard = Guard::new(Totp::new());
    /// let key = guard.key(&Secret::from_bytes(b"12345678901234567890")?);
    /// let (outcome, state) = guard.check_keyed(&key, "287082", UnixTime::from_secs(59), &State::new());
    /// assert!(outcome.is_accepted());
    /// assert_eq!(state.last_step(), Some(1));
    /// # Ok(()) }
    /// ```
    #[must_use = "persist the returned state (even on failure) and act only on Outcome::Accepted"]
    pub fn check_keyed(
        &self,
        key: &KeyedTotp,
        input: &str,
        now: UnixTime,
        state: &State,
    ) -> (Outcome, State) {
        self.attempt(
            now,
            state,
            || Code::parse(input, key.totp().digits()),
            |code| self.check_code(key, &code, now, state),
        )
    }

    /// The gate every attempt passes, in order: refused unseen (state
    /// unchanged) while throttled or locked; a malformed input counts as a
    /// failure and computes no HMAC; otherwise `evaluate` runs on the parsed
    /// input (keying HMAC only then, in the one-shot forms).
    fn attempt<T>(
        &self,
        now: UnixTime,
        state: &State,
        parse: impl FnOnce() -> Result<T, CodeError>,
        evaluate: impl FnOnce(T) -> (Outcome, State),
    ) -> (Outcome, State) {
        if let Some(blocked) = self.blocked(now, state) {
            return (blocked.into(), *state);
        }
        match parse() {
            Ok(parsed) => evaluate(parsed),
            Err(e) => (Outcome::Malformed(e), self.record_failure(now, state)),
        }
    }

    fn check_code(
        &self,
        key: &KeyedTotp,
        code: &Code,
        now: UnixTime,
        state: &State,
    ) -> (Outcome, State) {
        let current = match key.totp().step_at(now) {
            Ok(step) => step,
            Err(e) => return (Outcome::Time(e), *state),
        };
        let policy = Policy::new(self, state);
        // One constant-time scan over the steps the policy tries; which
        // steps are spent depends only on the stored last step.
        let found = key.scan(code, policy.steps(current), |step| policy.is_fresh(step));
        if let Some(matched) = found.fresh() {
            let m = Match::new(matched, current);
            let in_learned = policy.matched_in_learned(matched, current);
            let next = State {
                last_step: Some(matched),
                drift: policy.learn(m.offset(), in_learned),
                failures: 0,
                blocked_until: None,
            };
            (Outcome::Accepted(m), next)
        } else if found.spent() {
            (Outcome::Replayed, self.record_failure(now, state))
        } else {
            (Outcome::Invalid, self.record_failure(now, state))
        }
    }

    /// Resynchronises a device whose clock is off by more than the window
    /// (RFC 4226 §7.4, RFC 6238 §6): the user types two codes shown one after
    /// the other, and the guard searches for that pair of consecutive steps
    /// within ±[`Guard::max_drift`] of the current step.
    ///
    /// Found at steps never accepted before: [`Outcome::Accepted`] with the
    /// later step, whose offset becomes the learned drift; the later step is
    /// recorded and the failures cleared. Otherwise [`Outcome::Replayed`] (a
    /// pair touching a step at or below the last accepted one: refusing it
    /// keeps every step single-use), [`Outcome::Invalid`] or
    /// [`Outcome::Malformed`], each counted as one failure.
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
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::{State, Outcome};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let guard = Guard::new(Totp::new());
    /// let now = UnixTime::from_secs(1_000_000_000);
    /// let phone = guard.key(&secret); // its clock runs 3 minutes fast: 6 steps
    /// let step = guard.totp().step_at(now)? + 6;
    /// let (c1, c2) = (phone.code_at_step(step - 1).to_string(), phone.code_at_step(step).to_string());
    /// let (outcome, state) = guard.resync(&secret, [&c1, &c2], now, &State::new());
    /// assert!(outcome.is_accepted());
    /// assert_eq!((state.drift(), state.last_step()), (6, Some(step)));
    /// # Ok(()) }
    /// ```
    #[must_use = "persist the returned state (even on failure) and act only on Outcome::Accepted"]
    pub fn resync(
        &self,
        secret: &Secret,
        codes: [&str; 2],
        now: UnixTime,
        state: &State,
    ) -> (Outcome, State) {
        self.attempt(
            now,
            state,
            || parse_pair(codes, self.totp),
            |pair| self.resync_codes(&self.key(secret), &pair, now, state),
        )
    }

    /// As [`Guard::resync`], with a prepared key.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::{State, Outcome};
    /// let guard = Guard::new(Totp::new());
    /// let key = guard.key(&Secret::from_bytes(b"12345678901234567890")?);
    /// let (outcome, state) = guard.resync_keyed(&key, ["287082", "359152"], UnixTime::from_secs(60), &State::new());
    /// assert!(outcome.is_accepted()); // steps 1 and 2 (RFC 4226 counters 1, 2)
    /// assert_eq!(state.last_step(), Some(2));
    /// # Ok(()) }
    /// ```
    #[must_use = "persist the returned state (even on failure) and act only on Outcome::Accepted"]
    pub fn resync_keyed(
        &self,
        key: &KeyedTotp,
        codes: [&str; 2],
        now: UnixTime,
        state: &State,
    ) -> (Outcome, State) {
        self.attempt(
            now,
            state,
            || parse_pair(codes, key.totp()),
            |pair| self.resync_codes(key, &pair, now, state),
        )
    }

    fn resync_codes(
        &self,
        key: &KeyedTotp,
        pair: &[Code; 2],
        now: UnixTime,
        state: &State,
    ) -> (Outcome, State) {
        let current = match key.totp().step_at(now) {
            Ok(step) => step,
            Err(e) => return (Outcome::Time(e), *state),
        };
        let policy = Policy::new(self, state);
        let reach = u64::from(policy.max_drift());
        // The later step k lies in current ± reach; the earlier is k − 1.
        let start = current.saturating_sub(reach).saturating_sub(1);
        let end = current.saturating_add(reach);
        let found = key.scan_pairs(pair, start..=end, |step| policy.pair_is_fresh(step));
        if let Some(matched) = found.fresh() {
            let m = Match::new(matched, current);
            let next = State {
                last_step: Some(matched),
                drift: policy.clamp(m.offset()),
                failures: 0,
                blocked_until: None,
            };
            (Outcome::Accepted(m), next)
        } else if found.spent() {
            (Outcome::Replayed, self.record_failure(now, state))
        } else {
            (Outcome::Invalid, self.record_failure(now, state))
        }
    }
}

fn parse_pair([a, b]: [&str; 2], totp: Totp) -> Result<[Code; 2], CodeError> {
    Ok([
        Code::parse(a, totp.digits())?,
        Code::parse(b, totp.digits())?,
    ])
}
