//! `UnixTime`: arithmetic and conversions at the edges of their ranges.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

use twostep::UnixTime;
use twostep::time::TimeError;

#[test]
fn unix_time_arithmetic_and_conversions() {
    let t = UnixTime::from_secs(1_000);
    assert_eq!(t.checked_add_signed(5), Some(UnixTime::from_secs(1_005)));
    assert_eq!(t.checked_add_signed(-1_000), Some(UnixTime::EPOCH));
    assert_eq!(t.checked_add_signed(-1_001), None);
    assert_eq!(UnixTime::from_secs(u64::MAX).checked_add_signed(1), None);
    assert_eq!(
        t.checked_add(time::Duration::seconds(-10)),
        Some(UnixTime::from_secs(990))
    );
    assert_eq!(
        t.checked_add(time::Duration::milliseconds(2_500)),
        Some(UnixTime::from_secs(1_002))
    );
    assert_eq!(u64::from(UnixTime::from_secs(1_795_780_800)), 1_795_780_800);

    let odt = time::OffsetDateTime::from_unix_timestamp(1_795_780_800).unwrap()
        + time::Duration::milliseconds(999);
    assert_eq!(
        UnixTime::try_from(odt),
        Ok(UnixTime::from_secs(1_795_780_800))
    );
    let back = time::OffsetDateTime::try_from(UnixTime::from_secs(1_795_780_800)).unwrap();
    assert_eq!(back.unix_timestamp(), 1_795_780_800);
    assert_eq!(
        time::OffsetDateTime::try_from(UnixTime::from_secs(u64::MAX)),
        Err(TimeError::OutOfRange)
    );
}

#[cfg(feature = "std")]
#[test]
fn system_time_converts_truncating_and_refuses_before_1970() {
    let sys = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_795_780_800_250);
    assert_eq!(
        UnixTime::try_from(sys),
        Ok(UnixTime::from_secs(1_795_780_800))
    );
    let before = std::time::UNIX_EPOCH - std::time::Duration::from_secs(1);
    assert_eq!(UnixTime::try_from(before), Err(TimeError::BeforeEpoch));
}

/// 2026-11-27T12:00:00Z as each crate computes it from the calendar date.
const NOV_27_NOON: u64 = 1_795_780_800;

#[cfg(feature = "jiff")]
#[test]
fn jiff_timestamps_convert_truncating_and_refuse_before_1970() {
    use jiff::{Timestamp, civil, tz::TimeZone};
    // jiff's own epoch seconds for the calendar instant, and the time crate's.
    let noon = civil::date(2026, 11, 27)
        .at(12, 0, 0, 0)
        .to_zoned(TimeZone::UTC)
        .unwrap();
    let jiff_secs = noon.timestamp().as_second();
    let time_secs = time::macros::datetime!(2026-11-27 12:00 UTC).unix_timestamp();
    assert_eq!(
        (jiff_secs, time_secs),
        (NOV_27_NOON as i64, NOV_27_NOON as i64)
    );

    let late = Timestamp::new(jiff_secs, 999_999_999).unwrap();
    assert_eq!(
        UnixTime::try_from(noon.timestamp()),
        Ok(UnixTime::from_secs(NOV_27_NOON))
    );
    assert_eq!(
        UnixTime::try_from(late),
        Ok(UnixTime::from_secs(NOV_27_NOON))
    );
    assert_eq!(
        UnixTime::try_from(Timestamp::UNIX_EPOCH),
        Ok(UnixTime::EPOCH)
    );
    // Half a second before 1970: whole seconds truncate to 0, yet it is before the epoch.
    let half_before = Timestamp::new(0, -500_000_000).unwrap();
    assert_eq!(half_before.as_second(), 0);
    assert_eq!(UnixTime::try_from(half_before), Err(TimeError::BeforeEpoch));
    let before = civil::date(1969, 12, 31)
        .at(23, 59, 59, 0)
        .to_zoned(TimeZone::UTC)
        .unwrap();
    assert_eq!(
        UnixTime::try_from(before.timestamp()),
        Err(TimeError::BeforeEpoch)
    );
    assert_eq!(
        UnixTime::try_from(Timestamp::MIN),
        Err(TimeError::BeforeEpoch)
    );

    let back = Timestamp::try_from(UnixTime::from_secs(NOV_27_NOON)).unwrap();
    assert_eq!(back, noon.timestamp());
    let max = Timestamp::MAX.as_second() as u64;
    assert_eq!(
        Timestamp::try_from(UnixTime::from_secs(max))
            .unwrap()
            .as_second(),
        max as i64
    );
    assert_eq!(
        Timestamp::try_from(UnixTime::from_secs(max + 1)),
        Err(TimeError::OutOfRange)
    );
    assert_eq!(
        Timestamp::try_from(UnixTime::from_secs(u64::MAX)),
        Err(TimeError::OutOfRange)
    );
}

#[cfg(feature = "chrono")]
#[test]
fn chrono_date_times_convert_truncating_and_refuse_before_1970() {
    use chrono::{DateTime, NaiveDate, Utc};
    // chrono's own epoch seconds for the calendar instant, and the time crate's.
    let noon = NaiveDate::from_ymd_opt(2026, 11, 27)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc();
    let time_secs = time::macros::datetime!(2026-11-27 12:00 UTC).unix_timestamp();
    assert_eq!(
        (noon.timestamp(), time_secs),
        (NOV_27_NOON as i64, NOV_27_NOON as i64)
    );

    let late = noon + chrono::TimeDelta::nanoseconds(999_999_999);
    assert_eq!(
        UnixTime::try_from(noon),
        Ok(UnixTime::from_secs(NOV_27_NOON))
    );
    assert_eq!(
        UnixTime::try_from(late),
        Ok(UnixTime::from_secs(NOV_27_NOON))
    );
    assert_eq!(
        UnixTime::try_from(DateTime::<Utc>::UNIX_EPOCH),
        Ok(UnixTime::EPOCH)
    );
    let half_before = DateTime::<Utc>::UNIX_EPOCH - chrono::TimeDelta::milliseconds(500);
    assert_eq!(UnixTime::try_from(half_before), Err(TimeError::BeforeEpoch));
    assert_eq!(
        UnixTime::try_from(DateTime::<Utc>::MIN_UTC),
        Err(TimeError::BeforeEpoch)
    );

    let back = DateTime::<Utc>::try_from(UnixTime::from_secs(NOV_27_NOON)).unwrap();
    assert_eq!(back, noon);
    let max = DateTime::<Utc>::MAX_UTC.timestamp() as u64;
    assert_eq!(
        DateTime::<Utc>::try_from(UnixTime::from_secs(max))
            .unwrap()
            .timestamp(),
        max as i64
    );
    assert_eq!(
        DateTime::<Utc>::try_from(UnixTime::from_secs(max + 1)),
        Err(TimeError::OutOfRange)
    );
    assert_eq!(
        DateTime::<Utc>::try_from(UnixTime::from_secs(u64::MAX)),
        Err(TimeError::OutOfRange)
    );
}
