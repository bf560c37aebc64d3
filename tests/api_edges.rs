//! Edge cases of the small public API surface that the mutation run
//! (cargo-mutants, see tests/MUTANTS.md) showed were only checked by doctests.
#![allow(clippy::unwrap_used, clippy::panic, clippy::arithmetic_side_effects)]

use twostep::{Algorithm, Code, Digits, Hotp, Secret, SecretError, TimeError, Totp, UnixTime};

#[test]
fn code_from_value_accepts_exactly_the_values_below_ten_to_the_digits() {
    for d in 6..=10u32 {
        let digits = Digits::new(d).unwrap();
        let limit = 10u64.pow(d);
        assert_eq!(Code::from_value(0, digits).map(|c| c.value()), Some(0));
        assert_eq!(
            Code::from_value(limit - 1, digits).map(|c| c.value()),
            Some(limit - 1)
        );
        assert!(Code::from_value(limit, digits).is_none(), "{d} digits");
        assert!(Code::from_value(u64::MAX, digits).is_none());
        assert_eq!(
            Code::from_value(7, digits).unwrap().to_string().len(),
            d as usize
        );
    }
}

#[test]
fn debug_output_is_exact_and_redacted() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    assert_eq!(format!("{secret:?}"), "Secret { len: 20, .. }");
    let code = Code::parse("287082", Digits::SIX).unwrap();
    assert_eq!(format!("{code:?}"), "Code { digits: 6, .. }");
    let hotp = format!("{:?}", Hotp::new().key(&secret));
    assert!(
        hotp.starts_with("KeyedHotp { hotp: Hotp {") && hotp.ends_with(".. }"),
        "{hotp}"
    );
    let totp = format!("{:?}", Totp::new().key(&secret));
    assert!(
        totp.starts_with("KeyedTotp { totp: Totp {") && totp.ends_with(".. }"),
        "{totp}"
    );
    for shown in [hotp, totp] {
        assert!(!shown.contains("1234567890") && !shown.contains("GEZDGNBV"));
    }
}

#[test]
fn algorithm_names_parse_with_an_optional_hyphen_and_nothing_else() {
    let ok = [
        ("SHA1", Algorithm::Sha1),
        ("sha1", Algorithm::Sha1),
        ("Sha-1", Algorithm::Sha1),
        ("SHA-1", Algorithm::Sha1),
        ("SHA256", Algorithm::Sha256),
        ("sha-256", Algorithm::Sha256),
        ("SHA512", Algorithm::Sha512),
        ("SHA-512", Algorithm::Sha512),
    ];
    for (text, want) in ok {
        assert_eq!(text.parse::<Algorithm>(), Ok(want), "{text}");
        assert_eq!(want.as_str().parse::<Algorithm>(), Ok(want));
    }
    for bad in [
        "", "SHA", "SHA-", "SHA1-", "-SHA1", "SHA--1", "SHA 1", "SHAX1", "SHA+1", "XHA-1", "SHA-2",
        "SHA-11", "SHA-25", "SHA-2566", "SHA-5121", "MD5", "SHA224", "SHA-1 ",
    ] {
        assert!(bad.parse::<Algorithm>().is_err(), "{bad:?} parsed");
    }
}

#[test]
fn secret_lengths_counts_and_equality() {
    let a = Secret::from_bytes(&[1; 16]).unwrap();
    assert_eq!(a.byte_len(), 16);
    assert_eq!(Secret::from_bytes(&[1; 1024]).unwrap().byte_len(), 1024);
    let b = Secret::from_bytes(&[2; 16]).unwrap();
    assert!(a != b);
    assert!(a == a.duplicate());
    // Same prefix, different length.
    assert!(a != Secret::from_bytes(&[1; 17]).unwrap());
}

#[test]
fn base32_symbol_counts_that_cannot_be_whole_bytes_are_refused() {
    // 16 symbols = 10 bytes: fine. 16 + k symbols for k in {1, 3, 6} leave
    // 5, 15 or 30 bits, which no byte string encodes to.
    let base = "GEZDGNBVGY3TQOJQ";
    assert_eq!(Secret::from_base32(base).unwrap().byte_len(), 10);
    for extra in ["A", "AAA", "AAAAAA"] {
        let text = format!("{base}{extra}");
        assert_eq!(
            Secret::from_base32(&text).map(|s| s.byte_len()),
            Err(SecretError::InvalidLength {
                symbols: text.len()
            }),
            "{text}"
        );
    }
    for extra in ["AA", "AAAA", "AAAAA", "AAAAAAA"] {
        assert!(
            Secret::from_base32(&format!("{base}{extra}")).is_ok(),
            "{extra}"
        );
    }
}

#[test]
fn the_base32_input_cap_is_inclusive() {
    let base = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let at_cap = format!(
        "{base}{}",
        " ".repeat(Secret::MAX_BASE32_INPUT - base.len())
    );
    assert_eq!(at_cap.len(), 4096);
    assert_eq!(Secret::from_base32(&at_cap).unwrap().byte_len(), 20);
    let over = format!("{at_cap} ");
    assert_eq!(
        Secret::from_base32(&over).map(|s| s.byte_len()),
        Err(SecretError::InputTooLong {
            len: 4097,
            max: 4096
        })
    );
}

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

#[cfg(feature = "getrandom")]
#[test]
fn os_generated_secrets_are_twenty_fresh_bytes() {
    let a = Secret::generate_os().unwrap();
    let b = Secret::generate_os().unwrap();
    assert_eq!((a.byte_len(), b.byte_len()), (20, 20));
    assert!(a != b, "two 160-bit OS secrets collided");
}

#[test]
fn guard_config_bounds_are_inclusive() {
    use twostep::{Guard, Throttle};
    let max = Guard::MAX_DRIFT_STEPS;
    assert_eq!(
        Guard::new(Totp::new())
            .with_max_drift(max)
            .unwrap()
            .max_drift(),
        max
    );
    assert!(Guard::new(Totp::new()).with_max_drift(max + 1).is_err());
    let day = time::Duration::seconds(Throttle::MAX_DELAY.whole_seconds());
    let one = time::Duration::seconds(1);
    assert!(Throttle::DEFAULT.with_backoff(one, day).is_ok());
    assert!(Throttle::DEFAULT.with_backoff(day, day).is_ok());
    assert!(Throttle::DEFAULT.with_backoff(one, day + one).is_err());
    assert!(Throttle::DEFAULT.with_backoff(one + one, one).is_err());
}

#[test]
fn reset_failures_also_lifts_a_running_back_off() {
    use twostep::{Guard, GuardState};
    let guard = Guard::new(Totp::new());
    let now = UnixTime::from_secs(1_000);
    let backing_off: GuardState = "g1.-.0.4.1030".parse().unwrap();
    assert!(guard.blocked(now, &backing_off).is_some());
    let reset = backing_off.reset_failures();
    assert_eq!(reset.failures(), 0);
    assert_eq!(guard.blocked(now, &reset), None);
    assert_eq!(reset.to_string(), "g1.-.0.0.-");
}

#[test]
fn guard_state_length_cap_is_inclusive() {
    use twostep::{GuardState, GuardStateError};
    let at_cap = "x".repeat(GuardState::MAX_LEN);
    assert!(!matches!(
        at_cap.parse::<GuardState>(),
        Err(GuardStateError::TooLong { .. })
    ));
    let over = "x".repeat(GuardState::MAX_LEN + 1);
    assert!(matches!(
        over.parse::<GuardState>(),
        Err(GuardStateError::TooLong { .. })
    ));
}

#[cfg(feature = "serde")]
#[test]
fn guard_state_serde_explains_what_it_expects() {
    let err = serde_json::from_str::<twostep::GuardState>("5").unwrap_err();
    assert!(
        err.to_string().contains("a twostep guard state string"),
        "{err}"
    );
    let ok: twostep::GuardState = serde_json::from_str("\"g1.7.-2.1.-\"").unwrap();
    assert_eq!(serde_json::to_string(&ok).unwrap(), "\"g1.7.-2.1.-\"");
}

#[test]
fn the_locking_failure_sets_no_back_off_deadline() {
    use twostep::{Blocked, Guard, GuardState};
    let guard = Guard::new(Totp::new());
    let now = UnixTime::from_secs(10_000);
    let nine: GuardState = "g1.-.0.9.-".parse().unwrap();
    let locked = guard.record_failure(now, &nine);
    // The lock lasts until reset_failures: no timer is stored for it.
    assert_eq!(locked.to_string(), "g1.-.0.10.-");
    assert_eq!(guard.blocked(now, &locked), Some(Blocked::Locked));
    let much_later = UnixTime::from_secs(10_000 + 86_400 * 365);
    assert_eq!(guard.blocked(much_later, &locked), Some(Blocked::Locked));
}

#[test]
fn a_resync_pair_that_matches_nothing_is_invalid_even_next_to_spent_steps() {
    use twostep::{Guard, GuardState, Outcome};
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let guard = Guard::new(Totp::new());
    let now = UnixTime::from_secs(1_795_780_800);
    let current = guard.totp().step_at(now).unwrap();
    let key = guard.key(&secret);
    // Two codes that form no consecutive pair anywhere in the range.
    let lo = current - 21;
    let hi = current + 21;
    let taken: Vec<u64> = (lo..=hi).map(|s| key.code_at_step(s).value()).collect();
    let free: Vec<u64> = (0..1_000_000u64)
        .filter(|v| !taken.contains(v))
        .take(2)
        .collect();
    let (a, b) = (format!("{:06}", free[0]), format!("{:06}", free[1]));
    // The last accepted step lies inside the resync range: steps at or
    // below it are spent, but nothing matched, so this is a plain failure.
    let state: GuardState = format!("g1.{current}.0.0.-").parse().unwrap();
    let (outcome, next) = guard.resync(&secret, [&a, &b], now, &state);
    assert_eq!(outcome, Outcome::Invalid);
    assert_eq!(next.failures(), 1);
    // And a real pair at spent steps is a replay.
    let (c1, c2) = (key.code_at_step(current - 1), key.code_at_step(current));
    let (outcome, _) = guard.resync(&secret, [&c1.to_string(), &c2.to_string()], now, &state);
    assert_eq!(outcome, Outcome::Replayed);
}

#[test]
fn diagnose_options_bounds_getters_and_guard_clamp() {
    use twostep::{DiagnoseOptions, Guard, GuardState, Observation};
    let o = DiagnoseOptions::default();
    let max_steps = DiagnoseOptions::MAX_SEARCH_STEPS;
    assert_eq!(
        o.with_resync_bound(max_steps).unwrap().resync_bound(),
        max_steps
    );
    assert!(o.with_resync_bound(max_steps + 1).is_err());
    let max_range = DiagnoseOptions::MAX_SEARCH_RANGE;
    assert!(o.with_search_range(max_range).is_ok());
    assert!(
        o.with_search_range(max_range + time::Duration::seconds(1))
            .is_err()
    );
    assert!(o.with_search_range(time::Duration::seconds(-1)).is_err());
    assert_eq!(
        o.with_typing_delay(time::Duration::ZERO)
            .unwrap()
            .typing_delay(),
        time::Duration::ZERO
    );
    assert!(
        o.with_typing_delay(DiagnoseOptions::MAX_TYPING_DELAY)
            .is_ok()
    );
    assert!(o.with_typing_delay(time::Duration::seconds(-1)).is_err());
    let set = o
        .with_drift(-7)
        .with_last_accepted_step(Some(123_456))
        .with_resync_bound(9)
        .unwrap();
    assert_eq!(
        (set.drift(), set.last_accepted_step(), set.resync_bound()),
        (-7, Some(123_456), 9)
    );

    // for_guard clamps a stored drift to the guard's bound, as the guard does.
    let guard = Guard::new(Totp::new()).with_max_drift(20).unwrap();
    for (stored, want) in [(30, 20), (-30, -20), (20, 20), (-20, -20), (5, 5)] {
        let state: GuardState = format!("g1.-.{stored}.0.-").parse().unwrap();
        assert_eq!(
            DiagnoseOptions::for_guard(&guard, &state).drift(),
            want,
            "{stored}"
        );
    }

    let obs = Observation::new("123456", UnixTime::from_secs(5));
    assert_eq!(format!("{obs:?}"), "Observation { at: UnixTime(5), .. }");
}

#[test]
fn diagnose_takes_up_to_eight_observations_and_searches_each_range_once() {
    use twostep::{DiagnoseOptions, MAX_OBSERVATIONS, Observation, diagnose};
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let totp = Totp::new();
    let t = 1_700_000_000u64;
    let obs: Vec<Observation<'_>> = (0..MAX_OBSERVATIONS as u64)
        .map(|i| Observation::new("000000", UnixTime::from_secs(t + 30 * i)))
        .collect();
    assert!(diagnose(&totp, &secret, &obs, &DiagnoseOptions::default()).is_ok());
    let mut nine = obs.clone();
    nine.push(Observation::new("000000", UnixTime::from_secs(t)));
    assert!(diagnose(&totp, &secret, &nine, &DiagnoseOptions::default()).is_err());
    // Two observations three days apart: two disjoint ±26 h ranges, nothing between.
    let apart = [
        Observation::new("000000", UnixTime::from_secs(t)),
        Observation::new("000000", UnixTime::from_secs(t + 3 * 86_400)),
    ];
    let d = diagnose(&totp, &secret, &apart, &DiagnoseOptions::default()).unwrap();
    assert_eq!(d.steps_searched(), 2 * 6_241);
}

/// The "1 in N" figure in a diagnosis is 1 / chance_match() to two
/// significant figures (checked against the reported probability, not by
/// re-implementing the rounding), and very small chances read as such.
#[test]
fn diagnosis_odds_text_matches_the_reported_probability() {
    use twostep::{DiagnoseOptions, Observation, diagnose};
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let totp = Totp::new();
    let key = totp.key(&secret);
    let t = 1_700_000_010u64;
    let step = totp.step_at(UnixTime::from_secs(t)).unwrap();
    let odds_in = |text: &str| -> Option<u64> {
        let at = text.find("about 1 in ")? + "about 1 in ".len();
        let digits: String = text[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let far = |k: u64, dt: u64| {
        Observation::from_code(
            key.code_at_step(step + 600 + k),
            UnixTime::from_secs(t + dt),
        )
    };
    let cases: Vec<Vec<Observation<'_>>> = vec![
        vec![Observation::new("000000", UnixTime::from_secs(t))], // no match: 6,241 steps
        vec![Observation::from_code(
            key.code_at_step(step),
            UnixTime::from_secs(t),
        )],
        vec![far(0, 0), far(1, 30)],
        vec![far(0, 0), far(2, 60), far(4, 120)],
    ];
    for obs in &cases {
        let d = diagnose(&totp, &secret, obs, &DiagnoseOptions::default()).unwrap();
        let text = d.to_string();
        let n = odds_in(&text).unwrap_or_else(|| panic!("no odds in: {text}"));
        let want = 1.0 / d.chance_match();
        assert!(
            (n as f64 - want).abs() <= want * 0.05,
            "{n} vs {want}: {text}"
        );
        // Two significant figures: at most two leading non-zero digits.
        let s = n.to_string();
        assert!(s.trim_end_matches('0').len() <= 2, "{s}");
    }
    // Four agreeing codes: the chance is below 1e-15 and reads as such.
    let four = [far(0, 0), far(1, 30), far(2, 60), far(3, 90)];
    let d = diagnose(&totp, &secret, &four, &DiagnoseOptions::default()).unwrap();
    assert!(d.chance_match() < 1e-15);
    assert!(
        d.to_string().contains("less than 1 in a million billion"),
        "{d}"
    );
}

#[test]
fn key_uri_edges_from_the_mutation_run() {
    use twostep::{Compatibility, KeyUri, UriError};
    let secret = Secret::from_bytes(&[7; 16]).unwrap();
    let totp = Totp::new();
    let uri = KeyUri::totp(&totp, &secret, "Example", "ana@example.com").unwrap();
    assert!(!uri.explicit_defaults());
    assert!(uri.with_explicit_defaults(true).explicit_defaults());

    // 16 bytes (128 bits) is not "short"; 15 would be, but secrets start at 10.
    let notes: Vec<Compatibility> = KeyUri::totp(&totp, &secret, "Example", "ana@example.com")
        .unwrap()
        .compatibility()
        .collect();
    assert!(notes.is_empty(), "{notes:?}");
    let short = Secret::from_bytes(&[7; 15]).unwrap();
    let notes: Vec<Compatibility> = KeyUri::totp(&totp, &short, "Example", "ana@example.com")
        .unwrap()
        .compatibility()
        .collect();
    assert_eq!(notes, [Compatibility::ShortSecret { len: 15 }]);

    // 9 and 10 digits are outside RFC 4226; 8 is inside it.
    let eight = Compatibility::Digits(Digits::EIGHT).to_string();
    let nine = Compatibility::Digits(Digits::new(9).unwrap()).to_string();
    assert!(!eight.contains("outside RFC 4226"), "{eight}");
    assert!(nine.contains("outside RFC 4226"), "{nine}");

    // The 4 KiB input cap is inclusive.
    let text = KeyUri::totp(&totp, &secret, "Example", "ana@example.com")
        .unwrap()
        .to_uri_string()
        .to_string();
    let pad = KeyUri::MAX_LEN - text.len() - "&x=".len();
    let at_cap = format!("{text}&x={}", "a".repeat(pad));
    assert_eq!(at_cap.len(), KeyUri::MAX_LEN);
    assert!(KeyUri::parse(&at_cap).is_ok());
    let over = format!("{at_cap}a");
    assert!(matches!(
        KeyUri::parse(&over),
        Err(UriError::TooLong { .. })
    ));
}

#[test]
fn a_plus_is_literal_in_the_label_and_a_space_in_parameters() {
    use twostep::KeyUri;
    let uri =
        KeyUri::parse("otpauth://totp/Ex+ample:ana+1@example.com?secret=JBSWY3DPEHPK3PXP").unwrap();
    assert_eq!(uri.issuer(), Some("Ex+ample"));
    assert_eq!(uri.account(), "ana+1@example.com");
    let uri = KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&issuer=Big+Co").unwrap();
    assert_eq!(uri.issuer(), Some("Big Co"));
}
