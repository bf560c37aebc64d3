//! The advice in words: plain English for the user and the support desk,
//! written only from the diagnosis' public accessors, so an application can
//! write (or translate) its own text from the same facts.

use alloc::string::{String, ToString};
use core::fmt;

use super::verdict::midpoint;
use super::{Diagnosis, LateCause, ResyncAdvice, Verdict, ZoneHint};
use crate::guard::Blocked;

/// Below this size an offset is written in seconds, above in hours and minutes.
const SECONDS_LIMIT: i64 = 5 * 60;

/// An offset in words: seconds below 5 min, hours and minutes above.
struct Span(i64);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.unsigned_abs();
        if secs < SECONDS_LIMIT.unsigned_abs() {
            let unit = if secs == 1 { "second" } else { "seconds" };
            return write!(f, "{secs} {unit}");
        }
        let minutes = secs.saturating_add(30) / 60;
        let (h, m) = (minutes / 60, minutes % 60);
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        match (h, m) {
            (0, m) => write!(f, "{m} minute{}", plural(m)),
            (h, 0) => write!(f, "{h} hour{}", plural(h)),
            (h, m) => write!(f, "{h} hour{} {m} minute{}", plural(h), plural(m)),
        }
    }
}

/// The direction of a time-zone-like offset (at least 28 min, never 0).
fn direction(secs: i64) -> &'static str {
    if secs < 0 { "behind" } else { "ahead of" }
}

const AUTO_TIME: &str = "turn on automatic date & time (and automatic time zone) in the \
                         phone's settings, then try a fresh code";

/// Which clock matters, for the clock verdicts.
const PHONE_CLOCK: &str = " Only the clock of the phone (the device that shows the codes) \
                           counts; the computer's clock and time zone play no part.";

impl fmt::Display for Diagnosis {
    /// [`Diagnosis::for_user`], then, where there is an estimate or a
    /// search to report, a paragraph "For support: …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        verdict(self, f)?;
        if has_support_paragraph(self) {
            f.write_str("\nFor support: ")?;
            support(self, f)?;
        }
        Ok(())
    }
}

impl Diagnosis {
    /// What happened and the fix, in plain English for the person (the
    /// first paragraph of `Display`). Written only from the public
    /// accessors, so an application can write or translate its own text
    /// from the same facts (or from the serde form, feature `serde`).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::diagnose::{diagnose, DiagnoseOptions, Observation};
    /// use twostep::{Guard, Secret, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let (d, _) = diagnose(&Guard::new(Totp::new()), &secret, &GuardState::new(),
    ///     &[Observation::new("12x456", UnixTime::from_secs(99))], &DiagnoseOptions::default())?;
    /// assert_eq!(d.for_user(), "Entry 1 is not a code (unexpected character at byte 2). \
    ///     Fix: type only the digits that the app shows.");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn for_user(&self) -> String {
        struct User<'a>(&'a Diagnosis);
        impl fmt::Display for User<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                verdict(self.0, f)
            }
        }
        User(self).to_string()
    }

    /// The facts for the support desk, in English: the verdict's name, then
    /// the offset estimate, its odds and what the server can do (a resync,
    /// a stale drift), or the size of a search that found nothing. No code.
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
    /// let (d, _) = diagnose(&Guard::new(totp), &secret, &GuardState::new(),
    ///     &[Observation::from_code(code, now)], &DiagnoseOptions::default())?;
    /// assert!(d.for_support().starts_with("verdict: in sync; estimated offset (phone minus server)"));
    /// assert!(!d.for_support().contains(&code.to_string()));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn for_support(&self) -> String {
        struct Support<'a>(&'a Diagnosis);
        impl fmt::Display for Support<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "verdict: {}", verdict_name(self.0.verdict()))?;
                if has_support_paragraph(self.0) {
                    f.write_str("; ")?;
                    support(self.0, f)?;
                }
                Ok(())
            }
        }
        Support(self).to_string()
    }
}

/// Whether there is an estimate, or a search that found nothing, to report.
fn has_support_paragraph(d: &Diagnosis) -> bool {
    d.offset_range().is_some()
        || matches!(d.verdict(), Verdict::NoMatch | Verdict::Ambiguous { .. })
}

/// The support paragraph's body.
fn support(d: &Diagnosis, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if let Some((lo, hi)) = d.offset_range() {
        return estimate(d, (lo.whole_seconds(), hi.whole_seconds()), f);
    }
    write!(
        f,
        "searched {} time steps; chance that one wrong code matches somewhere in them: \
         about {}.",
        d.steps_searched(),
        Odds(d.chance_match())
    )
}

/// The verdict in a few words, for support.
fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::InSync => "in sync",
        Verdict::EnteredLate { .. } => "entered late",
        Verdict::ClockAhead { .. } => "phone clock ahead",
        Verdict::ClockBehind { .. } => "phone clock behind",
        Verdict::TimeZoneLike { .. } => "time-zone-like offset",
        Verdict::Replayed => "replayed",
        Verdict::NoMatch => "no match",
        Verdict::Ambiguous { .. } => "ambiguous",
        Verdict::Blocked(Blocked::Throttled { .. }) => "throttled",
        Verdict::Blocked(_) => "locked",
        Verdict::TooManyCodes { .. } => "too many codes for the attempts left",
        Verdict::Malformed { .. } => "not a code",
    }
}

/// The first paragraph: what happened and the fix, for the user.
fn verdict(d: &Diagnosis, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match d.verdict() {
        Verdict::InSync => f.write_str(
            "The code is right for the current time and would be accepted now. If logging \
             in still fails, check that the app shows the code for this account and \
             this service.",
        ),
        Verdict::Replayed => replayed(d, f),
        Verdict::EnteredLate { offset, likely } => {
            let which = match likely {
                LateCause::TypedLate => "for a gap this small, typing late is the likelier",
                LateCause::ClockSlow => "for a gap this large, a slow clock is the likelier",
            };
            write!(
                f,
                "The code had already expired when it arrived: it belongs about {} \
                 in the past. Either it was typed after it expired, or the phone's clock \
                 is slightly slow; {which} cause. Fix: type the code as soon as it \
                 appears, or wait for a fresh one; if it keeps happening, {AUTO_TIME}.\
                 {PHONE_CLOCK}",
                Span(offset.whole_seconds())
            )
        }
        // The verdict, not the sign, gives the direction: an offset of 0 s
        // is "behind" when the code was a step behind.
        Verdict::ClockAhead { offset } => clock(offset.whole_seconds(), "ahead of", f),
        Verdict::ClockBehind { offset } => clock(offset.whole_seconds(), "behind", f),
        Verdict::TimeZoneLike { offset, hint } => zone(offset.whole_seconds(), hint, f),
        Verdict::NoMatch if d.matched_steps().len() == 1 => f.write_str(
            "One code is not enough to tell what is wrong: it does not fit the current \
             time. Fix: type one more fresh code as soon as it appears and diagnose the two \
             together. If two codes find nothing either, the app likely shows the code of a \
             different account or holds an old key: check the account name in the app, then \
             re-scan the QR code (set up two-step verification again) or log in with a \
             backup code.",
        ),
        Verdict::NoMatch => f.write_str(
            "The codes do not fit this account at any time the server can confirm. Likely \
             the app shows the code of a different account, a code was mistyped, or the app \
             holds an old key (for example from an earlier setup). Fix: check the account \
             name in the app and type one more fresh code as soon as it appears; if it still \
             fails, re-scan the QR code (set up two-step verification again) or log in with \
             a backup code.",
        ),
        Verdict::Blocked(blocked) => refused(blocked, f),
        Verdict::TooManyCodes { allowed } => write!(
            f,
            "Nothing was checked: only {allowed} attempt{} remain{} before the second factor \
             locks, and each code diagnosed counts as one unless the diagnosis confirms it. \
             Fix: diagnose at most {allowed} code{}, or log in with a backup code.",
            plural(allowed == 1),
            if allowed == 1 { "s" } else { "" },
            plural(allowed == 1),
        ),
        Verdict::Ambiguous { candidates } => write!(
            f,
            "The evidence does not point to one clock offset ({candidates} possible \
             matches, or codes that disagree). Fix: type one more fresh code as soon as it \
             appears, and diagnose it together with the first.",
        ),
        Verdict::Malformed { observation, error } => write!(
            f,
            "Entry {} is not a code ({error}). Fix: type only the digits that the app \
             shows.",
            observation.saturating_add(1)
        ),
    }
}

fn replayed(d: &Diagnosis, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match d.replay_wait() {
        Some(wait) => write!(
            f,
            "This code counts as already used, and a code works only once: a login \
             already used a code from further ahead (the phone's clock was ahead \
             then), and every code up to that one stays spent until about {} after \
             this one arrived. Fix: wait that long, then type a fresh code; no resync \
             is needed.",
            Span(wait.whole_seconds())
        ),
        None => f.write_str(
            "This code was already used to log in, and a code works only once. Fix: \
             wait for the next code to appear in the app and type that one.",
        ),
    }
}

fn refused(blocked: Blocked, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match blocked {
        Blocked::Throttled { retry_after } => write!(
            f,
            "Nothing was checked: after several failed attempts the server takes no code \
             for about {} (a diagnosis counts like a login). Fix: wait that long, then \
             try again with a fresh code.",
            Span(retry_after.whole_seconds())
        ),
        Blocked::Locked => f.write_str(
            "Nothing was checked: after too many failed attempts the second factor is \
             locked. Fix: log in with a backup code, or have support unlock the account \
             after verifying who is calling.",
        ),
    }
}

fn clock(secs: i64, direction: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(
        f,
        "The phone's clock is about {} {direction} the server's, so it \
         shows codes for the wrong time. Fix: {AUTO_TIME}.{PHONE_CLOCK}",
        Span(secs),
    )
}

fn zone(secs: i64, hint: ZoneHint, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let looks = match hint {
        ZoneHint::DaylightSaving => "a daylight-saving change that the phone did not apply",
        ZoneHint::AmPm => "the time set by hand with AM and PM swapped",
        ZoneHint::WrongDate => "the date set by hand one day off",
        ZoneHint::Zone => "the wrong time zone with the clock set by hand",
    };
    write!(
        f,
        "The phone's clock is about {} {} the server's. That looks like \
         {looks}. Fix: check the phone's time zone and {AUTO_TIME}.{PHONE_CLOCK}",
        Span(secs),
        direction(secs)
    )
}

/// The second paragraph, for the support desk: the estimate, its odds, and
/// what the server can do about it.
fn estimate(d: &Diagnosis, (lo, hi): (i64, i64), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mid = midpoint(lo, hi);
    write!(
        f,
        "estimated offset (phone minus server) {}{} s, between {lo} s \
         and {hi} s, from {} code{}; chance that a wrong code fits like this: about {}.",
        if mid > 0 { "+" } else { "" },
        mid,
        d.agreeing_codes(),
        plural(d.agreeing_codes() == 1),
        Odds(d.chance_match())
    )?;
    match d.resync_advice() {
        Some(ResyncAdvice::Record(drift)) => write!(
            f,
            " A resync can record a drift of {drift} step{} so that logins work \
             meanwhile; still fix the phone's clock.",
            plural(drift.unsigned_abs() == 1)
        )?,
        Some(ResyncAdvice::BeyondBound) => f.write_str(
            " This is beyond what the server can compensate: the phone's clock must be \
             fixed.",
        )?,
        Some(ResyncAdvice::Spent) => f.write_str(
            " A resync cannot use these codes: a login already used a code from a later \
             time. Fix the phone's clock.",
        )?,
        None => {}
    }
    if let Some(drift) = d.stale_drift() {
        write!(
            f,
            " The server still holds a learned drift of {drift} step{} from when the \
             phone's clock was off; this code fits the server's own time (the clock has \
             been fixed), so logging in with it resets the drift.",
            plural(drift.unsigned_abs() == 1)
        )?;
    }
    Ok(())
}

/// "s" unless there is `one`.
const fn plural(one: bool) -> &'static str {
    if one { "" } else { "s" }
}

/// A probability in words: "1 in N".
struct Odds(f64);

impl fmt::Display for Odds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 0.5 {
            return f.write_str("even or worse");
        }
        if self.0 <= 0.0 {
            return f.write_str("none");
        }
        let n = 1.0 / self.0;
        if n >= 1e15 {
            return f.write_str("less than 1 in a million billion");
        }
        // Two significant figures.
        let mut scale = 1u64;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "1 <= n < 1e15: fits, the fraction is dropped"
        )]
        let mut rounded = n as u64;
        while rounded >= 100 {
            rounded /= 10;
            scale = scale.saturating_mul(10);
        }
        write!(f, "1 in {}", rounded.saturating_mul(scale))
    }
}
