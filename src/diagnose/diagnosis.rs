//! The answer: a verdict and the facts behind it, each a public accessor
//! (the advice text in `advice.rs` is written from them alone).

use time::Duration;

use super::{MAX_OBSERVATIONS, Verdict};

/// The answer of [`diagnose`](super::diagnose): a verdict, the evidence behind it, and
/// advice. `Display` writes plain English for the user and the support desk;
/// [`Diagnosis::for_user`] and [`Diagnosis::for_support`] give the two parts
/// apart, and every fact they use is an accessor (and, with the `serde`
/// feature, a field of the serialized form), so an application can answer
/// with JSON and translate the words itself.
///
/// A diagnosis is not a login: it never authenticates. Do not accept a
/// login, or clear failures, because of it.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::diagnose::{diagnose, DiagnoseOptions, Observation, Verdict};
/// use twostep::{Guard, Secret, Totp, UnixTime};
/// use twostep::guard::State as GuardState;
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let totp = Totp::new();
/// let (t1, t2) = (1_700_000_000, 1_700_000_040);
/// // The phone is 7 minutes ahead: it shows the code of t + 420 s.
/// let shown = |t: u64| totp.generate(&secret, UnixTime::from_secs(t + 420));
/// let obs = [Observation::from_code(shown(t1)?, UnixTime::from_secs(t1)),
///            Observation::from_code(shown(t2)?, UnixTime::from_secs(t2))];
/// let (d, _) = diagnose(&Guard::new(totp), &secret, &GuardState::new(), &obs, &DiagnoseOptions::default())?;
/// assert!(matches!(d.verdict(), Verdict::ClockAhead { .. }));
/// let (low, high) = d.offset_range().ok_or(twostep::time::TimeError::OutOfRange)?;
/// assert!(low.whole_seconds() <= 420 && 420 <= high.whole_seconds());
/// println!("{d}");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diagnosis {
    pub(super) verdict: Verdict,
    pub(super) estimate: Option<(i64, i64)>,
    pub(super) matched: [Option<u64>; MAX_OBSERVATIONS],
    pub(super) observations: usize,
    pub(super) agreeing: usize,
    pub(super) chance: f64,
    pub(super) confirmed: bool,
    /// For a clock verdict: the drift to record, or why there is none.
    pub(super) resync: Option<ResyncAdvice>,
    pub(super) steps_searched: u64,
    pub(super) matches_found: u64,
    /// The learned drift, when the latest code fits only the window around
    /// the server step (the clock was fixed since the drift was learned).
    pub(super) stale_drift: Option<i64>,
    /// Seconds from the latest code's arrival until the first step above the
    /// last accepted one, when that is later than the next code.
    pub(super) replay_wait: Option<i64>,
}

/// What a diagnosis says about a resync ([`Guard::resync`](crate::Guard::resync))
/// for a clock verdict: the drift it would record, or why there is none.
///
/// ```
/// use twostep::diagnose::ResyncAdvice;
/// assert_ne!(ResyncAdvice::Record(5), ResyncAdvice::Spent);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum ResyncAdvice {
    /// Two agreeing codes, within the bound, at steps above the last
    /// accepted one: `Guard::resync` would record this drift, in steps.
    Record(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::drift")
        )]
        i64,
    ),
    /// The latest code is more steps off than the resync bound.
    BeyondBound,
    /// Its pair (step − 1, step) would touch a spent step.
    Spent,
}

impl Diagnosis {
    /// A diagnosis of `observations` codes for which no search ran.
    pub(super) const fn unsearched(verdict: Verdict, observations: usize) -> Self {
        Self {
            verdict,
            estimate: None,
            matched: [None; MAX_OBSERVATIONS],
            observations,
            agreeing: 0,
            chance: 0.0,
            confirmed: false,
            resync: None,
            steps_searched: 0,
            matches_found: 0,
            stale_drift: None,
            replay_wait: None,
        }
    }

    /// No match yet, after a search of `steps_searched` steps.
    pub(super) const fn searched(observations: usize, steps_searched: u64) -> Self {
        Self {
            steps_searched,
            ..Self::unsearched(Verdict::NoMatch, observations)
        }
    }

    /// The verdict.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::diagnose::{diagnose, DiagnoseOptions, Observation, Verdict};
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let (d, _) = diagnose(&Guard::new(Totp::new()), &secret, &GuardState::new(), &[Observation::new("12x456", UnixTime::from_secs(99))],
    ///     &DiagnoseOptions::default())?;
    /// assert!(matches!(d.verdict(), Verdict::Malformed { observation: 0, .. }));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// The point estimate of the offset (device minus server): the midpoint
    /// of [`Diagnosis::offset_range`]. `None` without a single agreed match.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let now = UnixTime::from_secs(1_700_000_000);
    /// let code = totp.generate(&secret, now)?;
    /// let (d, _) = diagnose(&Guard::new(totp), &secret, &GuardState::new(), &[Observation::from_code(code, now)], &DiagnoseOptions::default())?;
    /// assert!(d.offset().is_some_and(|o| o.whole_seconds().abs() < 60));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn offset(&self) -> Option<Duration> {
        self.estimate.map(|(lo, hi)| {
            // Midpoint without overflow: lo <= hi, both far from i64 limits.
            Duration::seconds(lo.saturating_add(hi.saturating_sub(lo).wrapping_div(2)))
        })
    }

    /// The interval `(lowest, highest)` that holds the offset, both ends
    /// included, assuming each code was typed within the typing allowance
    /// ([`DiagnoseOptions::typing_delay`](super::DiagnoseOptions::typing_delay)):
    /// beyond it a late entry and a slow clock are the same observation.
    /// For codes that are entered late but disagree, it spans all of them.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let now = UnixTime::from_secs(1_700_000_000);
    /// let code = totp.generate(&secret, now)?;
    /// let (d, _) = diagnose(&Guard::new(totp), &secret, &GuardState::new(), &[Observation::from_code(code, now)], &DiagnoseOptions::default())?;
    /// let (low, high) = d.offset_range().ok_or(twostep::time::TimeError::OutOfRange)?;
    /// assert!(low.is_negative() && high.is_positive());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn offset_range(&self) -> Option<(Duration, Duration)> {
        self.estimate
            .map(|(lo, hi)| (Duration::seconds(lo), Duration::seconds(hi)))
    }

    /// The step each observation matched in the estimate, in the order given
    /// (`None`: it had no part in it).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let now = UnixTime::from_secs(1_700_000_000);
    /// let code = totp.generate(&secret, now)?;
    /// let (d, _) = diagnose(&Guard::new(totp), &secret, &GuardState::new(), &[Observation::from_code(code, now)], &DiagnoseOptions::default())?;
    /// assert_eq!(d.matched_steps(), [Some(totp.step_at(now)?)]);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn matched_steps(&self) -> &[Option<u64>] {
        self.matched.get(..self.observations).unwrap_or(&[])
    }

    /// How many observations agree on the estimate (0 without one).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
    /// # use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let (d, _) = diagnose(&Guard::new(Totp::new()), &secret, &GuardState::new(), &[Observation::new("000000", UnixTime::from_secs(99))],
    ///     &DiagnoseOptions::default().with_search_range(time::Duration::minutes(1))?)?;
    /// assert!(d.agreeing_codes() <= 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn agreeing_codes(&self) -> usize {
        self.agreeing
    }

    /// The probability that a wrong code would have produced evidence like
    /// this by chance (assuming uniformly random codes):
    ///
    /// - one code alone: the steps a login tries plus those just behind
    ///   them that a single code is reported at, × 10^−digits;
    /// - codes from *k* different steps agreeing: steps searched ×
    ///   10^−digits, times (steps consistent with the first × 10^−digits)
    ///   for each further one.
    ///
    /// For [`Verdict::NoMatch`] and [`Verdict::Ambiguous`] it is the chance
    /// that one wrong code matches somewhere in the range. Capped at 1.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
    /// # use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let (d, _) = diagnose(&Guard::new(Totp::new()), &secret, &GuardState::new(), &[Observation::new("000000", UnixTime::from_secs(1_000_000))],
    ///     &DiagnoseOptions::default().with_search_range(time::Duration::minutes(5))?)?;
    /// assert!((d.chance_match() - 21e-6).abs() < 1e-12); // 21 steps, 6 digits
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn chance_match(&self) -> f64 {
        self.chance
    }

    /// Whether the evidence is strong enough to act on, and the diagnosis
    /// is not counted as failed attempts: codes from two different steps
    /// agree, or the latest code is one a login tries now, or the only code
    /// typed belongs just behind the window. A single code that matched
    /// anywhere else is not reported at all (the verdict is
    /// [`Verdict::NoMatch`]): ask for a second code.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
    /// # use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let now = UnixTime::from_secs(1_700_000_000);
    /// let hour_ahead = totp.generate(&secret, UnixTime::from_secs(1_700_003_600))?;
    /// let (d, _) = diagnose(&Guard::new(totp), &secret, &GuardState::new(), &[Observation::from_code(hour_ahead, now)], &DiagnoseOptions::default())?;
    /// assert!(!d.is_confirmed()); // one code, one hour away: ask for another
    /// assert_eq!(d.verdict(), twostep::diagnose::Verdict::NoMatch); // reads as no match
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn is_confirmed(&self) -> bool {
        self.confirmed
    }

    /// The drift in steps that a guard's resync would record (the latest
    /// code's matched step minus the server's step at its arrival): given
    /// only when codes from two different steps agree, the latest is not
    /// accepted as it is, the drift lies within the resync bound, and the
    /// pair that ends at the latest code's step lies above the last accepted
    /// step ([`Guard::resync`](crate::Guard::resync) refuses a pair at spent
    /// steps as a replay).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
    /// # use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let (t1, t2) = (1_700_000_000, 1_700_000_040);
    /// let seen = |t: u64| totp.generate(&secret, UnixTime::from_secs(t + 150)); // 2.5 min ahead
    /// let obs = [Observation::from_code(seen(t1)?, UnixTime::from_secs(t1)),
    ///            Observation::from_code(seen(t2)?, UnixTime::from_secs(t2))];
    /// let (d, _) = diagnose(&Guard::new(totp), &secret, &GuardState::new(), &obs, &DiagnoseOptions::default())?;
    /// assert_eq!(d.resync(), Some(5));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn resync(&self) -> Option<i64> {
        match self.resync {
            Some(ResyncAdvice::Record(drift)) => Some(drift),
            _ => None,
        }
    }

    /// Distinct steps evaluated by the search.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
    /// # use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let (d, _) = diagnose(&Guard::new(Totp::new()), &secret, &GuardState::new(), &[Observation::new("123456", UnixTime::from_secs(1_700_000_000))],
    ///     &DiagnoseOptions::default())?;
    /// assert_eq!(d.steps_searched(), 6_241); // ±26 h of 30 s steps
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn steps_searched(&self) -> u64 {
        self.steps_searched
    }

    /// Matches found over all observations, including any not recorded;
    /// 0 for [`Verdict::NoMatch`], which a lone match far from now reads as.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
    /// # use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let (d, _) = diagnose(&Guard::new(Totp::new()), &secret, &GuardState::new(), &[Observation::new("1234567", UnixTime::from_secs(99))],
    ///     &DiagnoseOptions::default())?;
    /// assert_eq!(d.matches_found(), 0); // malformed: nothing searched
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn matches_found(&self) -> u64 {
        self.matches_found
    }
    /// What the diagnosis says about a resync for a clock verdict: the drift
    /// [`Guard::resync`](crate::Guard::resync) would record
    /// ([`Diagnosis::resync`]), a drift beyond the guard's bound, or codes
    /// at spent steps. `None` for other verdicts, and for one code within
    /// the bound (one code is not a resync pair).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::diagnose::{diagnose, DiagnoseOptions, Observation, ResyncAdvice};
    /// # use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let (t1, t2) = (1_700_000_000, 1_700_000_040);
    /// let seen = |t: u64| totp.generate(&secret, UnixTime::from_secs(t + 3_000)); // 50 min ahead
    /// let obs = [Observation::from_code(seen(t1)?, UnixTime::from_secs(t1)),
    ///            Observation::from_code(seen(t2)?, UnixTime::from_secs(t2))];
    /// let (d, _) = diagnose(&Guard::new(totp), &secret, &GuardState::new(), &obs, &DiagnoseOptions::default())?;
    /// assert_eq!(d.resync_advice(), Some(ResyncAdvice::BeyondBound));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn resync_advice(&self) -> Option<ResyncAdvice> {
        self.resync
    }

    /// For [`Verdict::Replayed`] when a login already used a code from
    /// further ahead: how long after the latest code arrived every code up
    /// to that one stays spent. `None` when the next code works.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::diagnose::{diagnose, DiagnoseOptions, Observation, Verdict};
    /// # use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let now = UnixTime::from_secs(1_700_000_020); // 10 s into its step
    /// let step = totp.step_at(now)?;
    /// let code = totp.generate(&secret, now)?;
    /// let state: GuardState = format!("g1.{}.0.0.-", step + 2).parse()?; // a fast phone logged in
    /// let (d, _) = diagnose(&Guard::new(totp), &secret, &state, &[Observation::from_code(code, now)],
    ///     &DiagnoseOptions::default())?;
    /// assert_eq!(d.verdict(), Verdict::Replayed);
    /// assert_eq!(d.replay_wait(), Some(time::Duration::seconds(80))); // until step + 3
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn replay_wait(&self) -> Option<Duration> {
        self.replay_wait.map(Duration::seconds)
    }

    /// For [`Verdict::InSync`] when the latest code fits only the window
    /// around the server's own step: the learned drift, in steps, that the
    /// code shows to be stale (the phone's clock was fixed since). A login
    /// with the code resets it.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::diagnose::{diagnose, DiagnoseOptions, Observation, Verdict};
    /// # use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let now = UnixTime::from_secs(1_700_000_000);
    /// let code = totp.generate(&secret, now)?; // the clock is right again
    /// let state: GuardState = "g1.-.6.0.-".parse()?; // a drift learned while it was off
    /// let (d, _) = diagnose(&Guard::new(totp), &secret, &state, &[Observation::from_code(code, now)],
    ///     &DiagnoseOptions::default())?;
    /// assert_eq!((d.verdict(), d.stale_drift()), (Verdict::InSync, Some(6)));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn stale_drift(&self) -> Option<i64> {
        self.stale_drift
    }
}

/// The diagnosis as data (feature `serde`): every fact its text is written
/// from, under stable snake_case names, durations and offsets in whole
/// seconds. Serialize only: a diagnosis is the diagnostic's answer, never
/// an input.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
/// use twostep::{Guard, Secret, Totp, UnixTime};
/// use twostep::guard::State as GuardState;
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let (d, _) = diagnose(&Guard::new(Totp::new()), &secret, &GuardState::new(),
///     &[Observation::new("12x456", UnixTime::from_secs(99))], &DiagnoseOptions::default())?;
/// let json = serde_json::to_value(d)?;
/// assert_eq!(json["verdict"]["kind"], "malformed");
/// assert_eq!(json["offset"], serde_json::Value::Null);
/// # Ok(()) }
/// ```
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl serde::Serialize for Diagnosis {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let secs = |d: Duration| d.whole_seconds();
        let mut st = serializer.serialize_struct("Diagnosis", 12)?;
        st.serialize_field("verdict", &self.verdict())?;
        st.serialize_field("offset", &self.offset().map(secs))?;
        st.serialize_field(
            "offset_range",
            &self.offset_range().map(|(lo, hi)| [secs(lo), secs(hi)]),
        )?;
        st.serialize_field("matched_steps", self.matched_steps())?;
        st.serialize_field("agreeing_codes", &self.agreeing_codes())?;
        st.serialize_field("chance_match", &self.chance_match())?;
        st.serialize_field("confirmed", &self.is_confirmed())?;
        st.serialize_field("resync_advice", &self.resync_advice())?;
        st.serialize_field("stale_drift", &self.stale_drift())?;
        st.serialize_field("replay_wait", &self.replay_wait().map(secs))?;
        st.serialize_field("steps_searched", &self.steps_searched())?;
        st.serialize_field("matches_found", &self.matches_found())?;
        st.end()
    }
}
