//! The diagnostic's options, observation limits and odds text.

use crate::support::Setup;
use twostep::{Secret, Totp, UnixTime};

#[test]
fn diagnose_options_bounds_getters_and_guard_clamp() {
    use twostep::Guard;
    use twostep::diagnose::{DiagnoseOptions, Observation, Verdict, diagnose};
    use twostep::guard::State as GuardState;
    let o = DiagnoseOptions::default();
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

    // A stored drift is clamped to the guard's bound, as the guard clamps it:
    // a code at the clamped drift is in sync, one at the stored drift is not.
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let guard = Guard::new(Totp::new()).with_max_drift(20).unwrap();
    let now = UnixTime::from_secs(1_700_000_015);
    let step = guard.totp().step_at(now).unwrap();
    let short = o.with_search_range(time::Duration::hours(1)).unwrap();
    for (stored, want) in [(30i64, 20i64), (-30, -20), (20, 20), (-20, -20), (5, 5)] {
        let state: GuardState = format!("g1.-.{stored}.0.-").parse().unwrap();
        let at = |k: i64| {
            let code = guard
                .key(&secret)
                .code_at_step(step.checked_add_signed(k).unwrap());
            let d = diagnose(
                &guard,
                &secret,
                &state,
                &[Observation::from_code(code, now)],
                &short,
            );
            d.unwrap().0.verdict()
        };
        assert_eq!(at(want), Verdict::InSync, "{stored}");
        if stored != want {
            assert_ne!(at(stored), Verdict::InSync, "{stored}");
        }
    }

    let obs = Observation::new("123456", UnixTime::from_secs(5));
    assert_eq!(format!("{obs:?}"), "Observation { at: UnixTime(5), .. }");
}

#[test]
fn diagnose_takes_up_to_eight_observations_and_searches_each_range_once() {
    use twostep::diagnose::{MAX_OBSERVATIONS, Observation};
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let totp = Totp::new();
    let t = 1_700_000_000u64;
    let obs: Vec<Observation<'_>> = (0..MAX_OBSERVATIONS as u64)
        .map(|i| Observation::new("000000", UnixTime::from_secs(t + 30 * i)))
        .collect();
    assert!(Setup::default().diagnose(totp, &secret, &obs).is_ok());
    let mut nine = obs.clone();
    nine.push(Observation::new("000000", UnixTime::from_secs(t)));
    assert!(Setup::default().diagnose(totp, &secret, &nine).is_err());
    // Two observations three days apart: two disjoint ±26 h ranges, nothing between.
    let apart = [
        Observation::new("000000", UnixTime::from_secs(t)),
        Observation::new("000000", UnixTime::from_secs(t + 3 * 86_400)),
    ];
    let d = Setup::default().diagnose(totp, &secret, &apart).unwrap();
    assert_eq!(d.steps_searched(), 2 * 6_241);
}

/// The "1 in N" figure in a diagnosis is 1 / chance_match() to two
/// significant figures (checked against the reported probability, not by
/// re-implementing the rounding), and very small chances read as such.
#[test]
fn diagnosis_odds_text_matches_the_reported_probability() {
    use twostep::diagnose::Observation;
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
        let d = Setup::default().diagnose(totp, &secret, obs).unwrap();
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
    let d = Setup::default().diagnose(totp, &secret, &four).unwrap();
    assert!(d.chance_match() < 1e-15);
    assert!(
        d.to_string().contains("less than 1 in a million billion"),
        "{d}"
    );
}
