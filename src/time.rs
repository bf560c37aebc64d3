//! Time as twostep takes it: [`UnixTime`], an instant as whole seconds since
//! the Unix epoch, and [`TimeError`] for instants a computation cannot use.
//! Offsets and delays going out are [`Duration`]s of the `time` crate.

use thiserror::Error;

/// The `time` crate's `Duration`, which twostep uses for every offset and
/// delay it returns (re-exported so callers need not depend on `time`).
pub use ::time::Duration;

/// A time that the computation cannot use.
///
/// ```
/// use twostep::{Totp, UnixTime};
/// use twostep::time::TimeError;
/// let totp = Totp::new().with_t0(UnixTime::from_secs(100));
/// assert_eq!(totp.step_at(UnixTime::from_secs(99)), Err(TimeError::BeforeT0));
/// assert_eq!(TimeError::BeforeT0.to_string(), "time is before the totp start time t0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum TimeError {
    /// The instant is before 1970-01-01T00:00:00Z.
    #[error("time is before the unix epoch")]
    BeforeEpoch,
    /// The instant is before the TOTP's T0, so it has no time step.
    #[error("time is before the totp start time t0")]
    BeforeT0,
    /// The result would not be representable (beyond `u64` seconds or steps,
    /// or beyond the range of `time::OffsetDateTime`).
    #[error("time is out of the representable range")]
    OutOfRange,
}

/// An instant, as whole seconds since 1970-01-01T00:00:00Z.
///
/// twostep never reads the clock: every call that depends on time takes a
/// `UnixTime` from the caller. Convert from the clock at the call site:
///
/// ```
/// # fn main() -> Result<(), twostep::time::TimeError> {
/// use twostep::UnixTime;
/// # #[cfg(feature = "std")] {
/// let now = UnixTime::try_from(std::time::SystemTime::now())?;
/// let also_now = UnixTime::try_from(time::OffsetDateTime::now_utc())?;
/// assert!(now.as_secs() > 1_700_000_000 && also_now >= now);
/// # }
/// let instant = time::macros::datetime!(2026-11-27 12:00 UTC);
/// assert_eq!(UnixTime::try_from(instant)?.as_secs(), 1_795_780_800);
/// let before_1970 = time::macros::datetime!(1969-12-31 23:59:59 UTC);
/// assert_eq!(UnixTime::try_from(before_1970), Err(twostep::time::TimeError::BeforeEpoch));
/// # Ok(()) }
/// ```
///
/// Every `u64` is representable, so no future instant wraps. Instants before
/// 1970 are refused with [`TimeError::BeforeEpoch`] instead of wrapping, and
/// sub-second parts are truncated toward the past. With the `serde` feature
/// it serializes as the number of seconds, and deserializes from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The Unix epoch, 1970-01-01T00:00:00Z.
    pub const EPOCH: Self = Self(0);

    /// The instant `secs` seconds after the epoch.
    ///
    /// ```
    /// let t = twostep::UnixTime::from_secs(59);
    /// assert_eq!(t.as_secs(), 59);
    /// ```
    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// Seconds since the epoch.
    ///
    /// ```
    /// assert_eq!(twostep::UnixTime::EPOCH.as_secs(), 0);
    /// ```
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// This instant moved by `delta` seconds (negative moves to the past),
    /// or `None` if the result would fall before the epoch or past `u64::MAX`.
    ///
    /// ```
    /// use twostep::UnixTime;
    /// let t = UnixTime::from_secs(100);
    /// assert_eq!(t.checked_add_signed(-40), Some(UnixTime::from_secs(60)));
    /// assert_eq!(t.checked_add_signed(-101), None);
    /// ```
    #[must_use]
    pub const fn checked_add_signed(self, delta: i64) -> Option<Self> {
        match self.0.checked_add_signed(delta) {
            Some(s) => Some(Self(s)),
            None => None,
        }
    }

    /// This instant moved by `delta` (truncated to whole seconds, toward
    /// zero), or `None` if the result is not representable.
    ///
    /// ```
    /// use twostep::UnixTime;
    /// let t = UnixTime::from_secs(100);
    /// assert_eq!(t.checked_add(time::Duration::minutes(1)), Some(UnixTime::from_secs(160)));
    /// ```
    #[must_use]
    pub const fn checked_add(self, delta: time::Duration) -> Option<Self> {
        self.checked_add_signed(delta.whole_seconds())
    }
}

/// An instant as readable UTC for support text, "2026-11-27 12:00:00 UTC"
/// (seconds after the epoch past the year 9999).
pub(crate) struct Utc(pub(crate) UnixTime);

impl core::fmt::Display for Utc {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match time::OffsetDateTime::try_from(self.0) {
            Ok(t) => write!(
                f,
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            Err(_) => write!(f, "{} s after the Unix epoch", self.0.as_secs()),
        }
    }
}

impl From<UnixTime> for u64 {
    fn from(t: UnixTime) -> u64 {
        t.0
    }
}

impl TryFrom<time::OffsetDateTime> for UnixTime {
    type Error = TimeError;

    /// Converts, truncating sub-second parts toward the past.
    ///
    /// # Errors
    ///
    /// [`TimeError::BeforeEpoch`] for an instant before 1970.
    fn try_from(t: time::OffsetDateTime) -> Result<Self, TimeError> {
        // unix_timestamp() floors toward the past for whole seconds.
        u64::try_from(t.unix_timestamp())
            .map(Self)
            .map_err(|_| TimeError::BeforeEpoch)
    }
}

impl TryFrom<UnixTime> for time::OffsetDateTime {
    type Error = TimeError;

    /// Converts back; fails past the year 9999 (the `time` crate's range).
    fn try_from(t: UnixTime) -> Result<Self, TimeError> {
        let secs = i64::try_from(t.0).map_err(|_| TimeError::OutOfRange)?;
        time::OffsetDateTime::from_unix_timestamp(secs).map_err(|_| TimeError::OutOfRange)
    }
}

#[cfg(feature = "std")]
impl TryFrom<std::time::SystemTime> for UnixTime {
    type Error = TimeError;

    /// Converts, truncating sub-second parts.
    ///
    /// # Errors
    ///
    /// [`TimeError::BeforeEpoch`] for an instant before 1970.
    fn try_from(t: std::time::SystemTime) -> Result<Self, TimeError> {
        t.duration_since(std::time::UNIX_EPOCH)
            .map(|d| Self(d.as_secs()))
            .map_err(|_| TimeError::BeforeEpoch)
    }
}

#[cfg(feature = "jiff")]
#[cfg_attr(docsrs, doc(cfg(feature = "jiff")))]
impl TryFrom<jiff::Timestamp> for UnixTime {
    type Error = TimeError;

    /// Converts, truncating sub-second parts toward the past (feature
    /// `jiff`).
    ///
    /// # Errors
    ///
    /// [`TimeError::BeforeEpoch`] for an instant before 1970 (also a
    /// fraction of a second before it).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::time::TimeError> {
    /// use twostep::UnixTime;
    /// let instant = jiff::Timestamp::constant(1_795_780_800, 750_000_000); // 2026-11-27T12:00:00.75Z
    /// assert_eq!(UnixTime::try_from(instant)?, UnixTime::from_secs(1_795_780_800));
    /// let before = jiff::Timestamp::constant(0, -500_000_000); // 1969-12-31T23:59:59.5Z
    /// assert!(UnixTime::try_from(before).is_err());
    /// # Ok(()) }
    /// ```
    fn try_from(t: jiff::Timestamp) -> Result<Self, TimeError> {
        // as_second() truncates toward zero; a negative fraction is before 1970.
        if t.subsec_nanosecond() < 0 {
            return Err(TimeError::BeforeEpoch);
        }
        u64::try_from(t.as_second())
            .map(Self)
            .map_err(|_| TimeError::BeforeEpoch)
    }
}

#[cfg(feature = "jiff")]
#[cfg_attr(docsrs, doc(cfg(feature = "jiff")))]
impl TryFrom<UnixTime> for jiff::Timestamp {
    type Error = TimeError;

    /// Converts back (feature `jiff`).
    ///
    /// # Errors
    ///
    /// [`TimeError::OutOfRange`] past the year 9999 (jiff's range).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::time::TimeError> {
    /// use twostep::UnixTime;
    /// let t = jiff::Timestamp::try_from(UnixTime::from_secs(1_795_780_800))?;
    /// assert_eq!(t.as_second(), 1_795_780_800);
    /// assert!(jiff::Timestamp::try_from(UnixTime::from_secs(u64::MAX)).is_err());
    /// # Ok(()) }
    /// ```
    fn try_from(t: UnixTime) -> Result<Self, TimeError> {
        let secs = i64::try_from(t.0).map_err(|_| TimeError::OutOfRange)?;
        jiff::Timestamp::from_second(secs).map_err(|_| TimeError::OutOfRange)
    }
}

#[cfg(feature = "chrono")]
#[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
impl TryFrom<chrono::DateTime<chrono::Utc>> for UnixTime {
    type Error = TimeError;

    /// Converts, truncating sub-second parts toward the past (feature
    /// `chrono`).
    ///
    /// # Errors
    ///
    /// [`TimeError::BeforeEpoch`] for an instant before 1970.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use twostep::UnixTime;
    /// let instant = chrono::DateTime::from_timestamp(1_795_780_800, 750_000_000).ok_or("range")?;
    /// assert_eq!(UnixTime::try_from(instant)?, UnixTime::from_secs(1_795_780_800));
    /// let before = chrono::DateTime::from_timestamp(-1, 500_000_000).ok_or("range")?; // 1969-12-31T23:59:59.5Z
    /// assert!(UnixTime::try_from(before).is_err());
    /// # Ok(()) }
    /// ```
    fn try_from(t: chrono::DateTime<chrono::Utc>) -> Result<Self, TimeError> {
        // timestamp() floors toward the past (the nanoseconds are never negative).
        u64::try_from(t.timestamp())
            .map(Self)
            .map_err(|_| TimeError::BeforeEpoch)
    }
}

#[cfg(feature = "chrono")]
#[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
impl TryFrom<UnixTime> for chrono::DateTime<chrono::Utc> {
    type Error = TimeError;

    /// Converts back (feature `chrono`).
    ///
    /// # Errors
    ///
    /// [`TimeError::OutOfRange`] past chrono's range (about the year 262,000).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::time::TimeError> {
    /// use twostep::UnixTime;
    /// let t = chrono::DateTime::<chrono::Utc>::try_from(UnixTime::from_secs(1_795_780_800))?;
    /// assert_eq!(t.timestamp(), 1_795_780_800);
    /// assert!(chrono::DateTime::<chrono::Utc>::try_from(UnixTime::from_secs(u64::MAX)).is_err());
    /// # Ok(()) }
    /// ```
    fn try_from(t: UnixTime) -> Result<Self, TimeError> {
        let secs = i64::try_from(t.0).map_err(|_| TimeError::OutOfRange)?;
        chrono::DateTime::from_timestamp(secs, 0).ok_or(TimeError::OutOfRange)
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::{UnixTime, Utc};

    #[test]
    fn utc_text_is_the_calendar_instant() {
        // 1_795_780_800 is 2026-11-27T12:00:00Z (`date -u -d @1795780800`).
        let at = |s| Utc(UnixTime::from_secs(s)).to_string();
        assert_eq!(at(1_795_780_800), "2026-11-27 12:00:00 UTC");
        assert_eq!(at(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(at(253_402_300_799), "9999-12-31 23:59:59 UTC");
        assert_eq!(at(253_402_300_800), "253402300800 s after the Unix epoch");
    }
}
