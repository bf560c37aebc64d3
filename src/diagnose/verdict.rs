//! The fourth step: the verdict for the latest code that takes part in the
//! evidence, from the guard's acceptance rule and the offset interval.

use time::Duration;

use super::cluster::Candidate;
use crate::guard::{Blocked, Policy};
use crate::otp::CodeError;

/// What a time-zone-like offset most looks like.
///
/// ```
/// use twostep::diagnose::ZoneHint;
/// assert_ne!(ZoneHint::AmPm, ZoneHint::WrongDate);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum ZoneHint {
    /// About ±1 h: a daylight-saving change not applied.
    DaylightSaving,
    /// About ±12 h: AM and PM swapped when the time was set by hand.
    AmPm,
    /// About ±24 h: the date set one day off.
    WrongDate,
    /// Another multiple of 15 min: the wrong time zone with the clock set by hand.
    Zone,
}

/// Which cause of a late code is likelier, judged from the evidence: the
/// size of the offset, and whether several codes disagree.
///
/// ```
/// use twostep::diagnose::LateCause;
/// assert_ne!(LateCause::TypedLate, LateCause::ClockSlow);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum LateCause {
    /// Up to a minute behind, or codes that each lag by a different amount:
    /// typing slowly is likelier.
    TypedLate,
    /// More than a minute behind: a slow clock is likelier.
    ClockSlow,
}

/// Why the code fails, or that it does not.
///
/// Offsets are device clock minus server clock: positive when the phone is
/// ahead. Match on the variants to write your own text; `Display` of
/// [`Diagnosis`](super::Diagnosis) gives plain English. With the `serde`
/// feature it serializes (only) as an object tagged by `kind`, offsets in
/// whole seconds: `{"kind":"clock_ahead","offset":420}`.
///
/// ```
/// use twostep::diagnose::Verdict;
/// assert!(matches!(Verdict::NoMatch, Verdict::NoMatch));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Verdict {
    /// The latest code would be accepted now: it matches a step above the
    /// last accepted one, in the window around the server step plus the
    /// learned drift or in the window around the server step itself (the
    /// phone's clock was fixed since the drift was learned), exactly as
    /// [`Guard::check`](crate::Guard::check) decides.
    InSync,
    /// The latest code matches a step a little behind the accepted window,
    /// the offset's midpoint at most 5 min behind: typed after it expired,
    /// or the phone's clock is slightly slow (the two look alike; `likely`
    /// puts the emphasis). Also for codes that are all a few minutes behind
    /// but disagree with each other, which is what typing late looks like.
    EnteredLate {
        /// The estimated offset (negative).
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        offset: Duration,
        /// The likelier of the two causes.
        likely: LateCause,
    },
    /// The phone's clock is ahead of the server's.
    ClockAhead {
        /// The estimated offset (positive).
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        offset: Duration,
    },
    /// The phone's clock is behind the server's by more than 5 min, more
    /// than a late code explains.
    ClockBehind {
        /// The estimated offset (negative).
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        offset: Duration,
    },
    /// An offset of at least 30 min within about ±2 min of a multiple of
    /// 15 min: it looks like a time-zone, daylight-saving, AM/PM or date
    /// mistake (random offsets land in this band too, so the advice is hedged).
    TimeZoneLike {
        /// The estimated offset.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        offset: Duration,
        /// What it looks like.
        hint: ZoneHint,
    },
    /// The latest code would be accepted but for being at or below the last
    /// accepted step: it, or a later one, was already used.
    Replayed,
    /// No confirmed match: no code matches a step a login would try now or
    /// one just behind it, and no two codes agree on one offset. A code
    /// that matches by itself elsewhere in the search range reads exactly
    /// like this, in every accessor and in the text (it may be chance, and
    /// telling it apart would tell a guesser which future code is right).
    /// With one code: ask for one more. With codes that still find nothing:
    /// a different account or secret in the app, or mistyped codes.
    NoMatch,
    /// Several offsets fit equally well: two groups of agreeing codes that
    /// disagree with each other, or one code behind the window at several
    /// steps. One more code is needed.
    Ambiguous {
        /// The number of distinct matched steps in the competing evidence.
        candidates: usize,
    },
    /// The guard refuses attempts now (back-off or hard lock): nothing was
    /// looked at and nothing counted. A diagnosis is an attempt like a login.
    Blocked(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::blocked")
        )]
        Blocked,
    ),
    /// More codes than attempts left before the hard lock (each code counts
    /// as one attempt unless the diagnosis confirms): nothing was looked at.
    /// Diagnose at most `allowed` codes.
    TooManyCodes {
        /// The attempts left before the lock.
        allowed: u32,
    },
    /// An observation's input is not a code of the configured shape. No
    /// search ran.
    Malformed {
        /// The position of the observation in the slice given.
        observation: usize,
        /// Why it is not a code.
        error: CodeError,
    },
}

/// How far behind an offset may be, in seconds, and still read as a code
/// entered late: 5 min. Up to there a code typed late and a slightly slow
/// clock look alike, so [`Verdict::EnteredLate`] names both; beyond it a
/// slow clock is the cause ([`Verdict::ClockBehind`]).
pub(super) const LATE_LIMIT: i64 = 5 * 60;

/// Up to this far behind, in seconds, typing late is the likelier cause.
const TYPED_LATE_LIMIT: i64 = 60;

/// Whether an offset midpoint of `mid` seconds reads as entered late.
pub(super) const fn is_late(mid: i64) -> bool {
    mid < 0 && mid >= -LATE_LIMIT
}

/// The likelier cause of a late code `mid` seconds behind.
const fn likely_cause(mid: i64) -> LateCause {
    if mid >= -TYPED_LATE_LIMIT {
        LateCause::TypedLate
    } else {
        LateCause::ClockSlow
    }
}

/// A quarter of an hour, in seconds.
const QUARTER: i64 = 15 * 60;

/// The verdict for the latest matching code `c`, given the offset interval
/// `(lo, hi)` of the evidence it takes part in.
pub(super) fn classify(c: &Candidate, (lo, hi): (i64, i64), policy: &Policy) -> Verdict {
    if policy.tries(c.k) {
        return if policy.is_fresh(c.step) {
            Verdict::InSync
        } else {
            Verdict::Replayed
        };
    }
    let mid = midpoint(lo, hi);
    let offset = Duration::seconds(mid);
    if let Some(hint) = zone_hint(mid) {
        return Verdict::TimeZoneLike { offset, hint };
    }
    if is_late(mid) {
        return Verdict::EnteredLate {
            offset,
            likely: likely_cause(mid),
        };
    }
    if mid > 0 || (mid == 0 && c.k > policy.drift()) {
        Verdict::ClockAhead { offset }
    } else {
        Verdict::ClockBehind { offset }
    }
}

/// The midpoint of `lo <= hi`, rounded toward `lo`, without overflow.
pub(super) const fn midpoint(lo: i64, hi: i64) -> i64 {
    lo.saturating_add(hi.saturating_sub(lo).wrapping_div(2))
}

/// What an offset of `mid` seconds looks like, if it lies within 2 min of a
/// multiple of 15 min that is at least 30 min.
fn zone_hint(mid: i64) -> Option<ZoneHint> {
    let nearest = mid
        .saturating_add(QUARTER.wrapping_div(2).wrapping_mul(mid.signum()))
        .wrapping_div(QUARTER)
        .saturating_mul(QUARTER);
    if nearest.abs() < 30 * 60 || mid.saturating_sub(nearest).abs() > 2 * 60 {
        return None;
    }
    Some(match nearest.abs() {
        3_600 => ZoneHint::DaylightSaving,
        43_200 => ZoneHint::AmPm,
        86_400 => ZoneHint::WrongDate,
        _ => ZoneHint::Zone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_hints_lie_within_two_minutes_of_a_quarter_hour_from_half_an_hour() {
        assert_eq!(zone_hint(3_600 + 120), Some(ZoneHint::DaylightSaving));
        assert_eq!(zone_hint(3_600 + 121), None);
        assert_eq!(zone_hint(-43_200 + 30), Some(ZoneHint::AmPm));
        assert_eq!(zone_hint(86_400 - 100), Some(ZoneHint::WrongDate));
        assert_eq!(zone_hint(5 * 3_600 + 45 * 60), Some(ZoneHint::Zone));
        assert_eq!(zone_hint(15 * 60), None); // a quarter hour is a clock offset
        assert_eq!(zone_hint(30 * 60 - 120), Some(ZoneHint::Zone));
    }

    #[test]
    fn late_ends_at_five_minutes_and_typing_is_likelier_up_to_one() {
        assert!(is_late(-1) && is_late(-300) && !is_late(-301) && !is_late(0));
        assert_eq!(likely_cause(-60), LateCause::TypedLate);
        assert_eq!(likely_cause(-61), LateCause::ClockSlow);
    }

    #[test]
    fn midpoint_rounds_toward_the_lower_end_and_does_not_overflow() {
        assert_eq!(midpoint(-5, 6), 0);
        assert_eq!(midpoint(-6, 5), -1);
        assert!(midpoint(i64::MIN, i64::MAX) < 0);
    }
}
