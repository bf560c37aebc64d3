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
