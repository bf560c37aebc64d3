//! Scenario tests for the time-sync diagnostic: one per verdict, the
//! options and errors, the advice text, and property tests that no input
//! panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

use proptest::prelude::*;

use crate::support::Setup;
use time::Duration;
use twostep::diagnose::{
    DiagnoseError, DiagnoseOptions, Diagnosis, LateCause, MAX_OBSERVATIONS, Observation, Verdict,
    ZoneHint,
};
use twostep::otp::{Algorithm, CodeError, Digits, Period};
use twostep::{Code, Error, Secret, Totp, UnixTime, Window, diagnose};

const T: u64 = 1_700_000_023; // 13 s into its step

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

/// The code a phone whose clock is `offset` seconds off shows when the user
/// reads it at server time `read`.
fn shown(totp: &Totp, offset: i64, read: u64) -> Code {
    totp.generate(
        &secret(),
        UnixTime::from_secs(read.checked_add_signed(offset).unwrap()),
    )
    .unwrap()
}

/// Two codes from a phone `offset` seconds off, read 5 s before arrival, 40 s apart.
fn two_codes(totp: &Totp, offset: i64) -> [Observation<'static>; 2] {
    [
        Observation::from_code(shown(totp, offset, T - 5), UnixTime::from_secs(T)),
        Observation::from_code(shown(totp, offset, T + 35), UnixTime::from_secs(T + 40)),
    ]
}

fn run(obs: &[Observation<'_>], options: &Setup) -> Diagnosis {
    options.diagnose(Totp::new(), &secret(), obs).unwrap()
}

/// The diagnosis for the user in `state` under `guard`, default options.
fn run_for(
    guard: &twostep::Guard,
    state: &twostep::guard::State,
    obs: &[Observation<'_>],
) -> Diagnosis {
    diagnose(guard, &secret(), state, obs, &DiagnoseOptions::default())
        .unwrap()
        .0
}

fn assert_inside(d: &Diagnosis, offset: i64) {
    let (lo, hi) = d.offset_range().expect("an estimate");
    assert!(
        lo.whole_seconds() <= offset && offset <= hi.whole_seconds(),
        "{offset} outside [{lo}, {hi}]"
    );
}

#[test]
fn in_sync() {
    let totp = Totp::new();
    let d = run(&two_codes(&totp, 3), &Setup::default());
    assert_eq!(d.verdict(), Verdict::InSync);
    assert!(d.is_confirmed());
    assert_eq!(d.resync(), None);
    assert_inside(&d, 3);
    assert!(d.to_string().contains("would be accepted now"));
    // One code is enough near now.
    let one = run(&two_codes(&totp, 0)[..1], &Setup::default());
    assert_eq!(one.verdict(), Verdict::InSync);
    assert!(one.is_confirmed());
    assert_eq!(one.matched_steps(), [Some(T / 30)]);
}

#[test]
fn entered_late() {
    // The clock is right but the user took 50 s to type the code: it is two steps old.
    let totp = Totp::new();
    let code = shown(&totp, 0, T - 50);
    let d = run(
        &[Observation::from_code(code, UnixTime::from_secs(T))],
        &Setup::default(),
    );
    let Verdict::EnteredLate { offset, likely } = d.verdict() else {
        panic!("{:?}", d.verdict())
    };
    assert!(offset.is_negative());
    assert_eq!(likely, LateCause::TypedLate);
    assert!(d.is_confirmed());
    // The estimate allows for 20 s of typing: the excess 30 s shows as a slow clock.
    assert_inside(&d, -30);
    let text = d.to_string();
    assert!(text.contains("type the code as soon as it"), "{text}");
    assert!(text.contains("slightly slow"), "{text}");
}

#[test]
fn entered_late_with_a_slow_clock_says_the_clock_is_likelier() {
    let totp = Totp::new();
    let d = run(&two_codes(&totp, -100), &Setup::default());
    assert_eq!(
        d.verdict(),
        Verdict::EnteredLate {
            offset: d.offset().unwrap(),
            likely: LateCause::ClockSlow
        }
    );
    assert_inside(&d, -100);
    let expected = totp.step_at(UnixTime::from_secs(T + 35 - 100)).unwrap() as i64
        - totp.step_at(UnixTime::from_secs(T + 40)).unwrap() as i64;
    assert_eq!(d.resync(), Some(expected));
}

#[test]
fn clock_ahead_with_resync() {
    let totp = Totp::new();
    let d = run(&two_codes(&totp, 7 * 60), &Setup::default());
    assert!(matches!(d.verdict(), Verdict::ClockAhead { offset } if offset.is_positive()));
    assert_inside(&d, 420);
    assert_eq!(d.agreeing_codes(), 2);
    let expected = totp.step_at(UnixTime::from_secs(T + 35 + 420)).unwrap()
        - totp.step_at(UnixTime::from_secs(T + 40)).unwrap();
    assert_eq!(d.resync(), Some(expected as i64));
    assert!(d.to_string().contains("7 minutes ahead of"), "{d}");
    assert!(d.to_string().contains("automatic date & time"));
    // Two codes: the chance figure is far below the single-code one.
    assert!(d.chance_match() < 1e-7, "{}", d.chance_match());
}

#[test]
fn clock_behind_beyond_the_resync_bound() {
    let totp = Totp::new();
    let d = run(&two_codes(&totp, -17 * 60), &Setup::default());
    assert!(matches!(d.verdict(), Verdict::ClockBehind { offset } if offset.is_negative()));
    assert_inside(&d, -1020);
    assert_eq!(d.resync(), None); // 34 steps > 20
    let text = d.to_string();
    assert!(text.contains("17 minutes behind"), "{text}");
    assert!(text.contains("must be fixed"), "{text}");
}

#[test]
fn time_zone_like_with_each_hint() {
    let totp = Totp::new();
    for (offset, hint) in [
        (3_600 + 25, ZoneHint::DaylightSaving),
        (-3_600, ZoneHint::DaylightSaving),
        (12 * 3_600 - 40, ZoneHint::AmPm),
        (-24 * 3_600, ZoneHint::WrongDate),
        (5 * 3_600 + 1_800, ZoneHint::Zone),
        (-(3 * 3_600 + 2_700), ZoneHint::Zone),
    ] {
        let d = run(&two_codes(&totp, offset), &Setup::default());
        assert!(
            matches!(d.verdict(), Verdict::TimeZoneLike { hint: h, .. } if h == hint),
            "{offset}: {:?}",
            d.verdict()
        );
        assert_inside(&d, offset);
        assert!(d.is_confirmed() && d.resync().is_none());
        assert!(d.to_string().contains("looks like"), "{d}");
    }
    let d = run(&two_codes(&totp, 5 * 3_600 + 1_800), &Setup::default());
    assert!(d.to_string().contains("5 hours 30 minutes ahead of"), "{d}");
}

#[test]
fn a_single_far_code_reads_as_no_match() {
    // One code from a phone an hour behind: it may be chance, and saying
    // when it is valid would tell a guesser a code. It costs one attempt.
    let totp = Totp::new();
    let obs = &two_codes(&totp, -3_600)[..1];
    let (d, next) = diagnose(
        &twostep::Guard::new(totp),
        &secret(),
        &twostep::guard::State::new(),
        obs,
        &DiagnoseOptions::default(),
    )
    .unwrap();
    assert_eq!(d.verdict(), Verdict::NoMatch);
    assert!(!d.is_confirmed());
    assert_eq!((d.offset_range(), d.matched_steps()), (None, &[None][..]));
    assert_eq!((d.resync(), d.matches_found()), (None, 0));
    assert!((d.chance_match() - 6_241e-6).abs() < 1e-12);
    assert_eq!(next.failures(), 1);
    let text = d.to_string();
    assert!(text.contains("type one more fresh code"), "{text}");
    assert!(!text.contains("hour"), "{text}");
}

#[test]
fn replayed() {
    let totp = Totp::new();
    let now = UnixTime::from_secs(T);
    let code = totp.generate(&secret(), now).unwrap();
    let step = totp.step_at(now).unwrap();
    let obs = [Observation::from_code(code, now)];
    let options = Setup::default().with_last_accepted_step(Some(step));
    let d = run(&obs, &options);
    assert_eq!(d.verdict(), Verdict::Replayed);
    assert!(d.to_string().contains("wait"));
    // The step before the last accepted one: still a replay.
    let d = run(&obs, &options.with_last_accepted_step(Some(step + 1)));
    assert_eq!(d.verdict(), Verdict::Replayed);
    // An older accepted step: not a replay.
    let d = run(&obs, &options.with_last_accepted_step(Some(step - 1)));
    assert_eq!(d.verdict(), Verdict::InSync);
}

#[test]
fn no_match_for_a_different_secret() {
    let totp = Totp::new();
    let other = Secret::from_bytes(b"another account key!").unwrap();
    let obs = [
        Observation::from_code(
            totp.generate(&other, UnixTime::from_secs(T)).unwrap(),
            UnixTime::from_secs(T),
        ),
        Observation::from_code(
            totp.generate(&other, UnixTime::from_secs(T + 40)).unwrap(),
            UnixTime::from_secs(T + 40),
        ),
    ];
    let d = run(&obs, &Setup::default());
    assert_eq!(d.verdict(), Verdict::NoMatch);
    assert_eq!(d.offset(), None);
    assert_eq!(d.matched_steps(), [None, None]);
    assert_eq!(d.steps_searched(), 6_241 + 1); // the ranges overlap but for one step
    let text = d.to_string();
    assert!(text.contains("re-scan the QR"), "{text}");
    assert!(text.contains("backup code"), "{text}");
}

#[test]
fn codes_that_disagree_read_as_no_match() {
    // One code in sync, the latest three hours ahead: they do not agree,
    // and the latest alone is not one a login would take.
    let totp = Totp::new();
    let obs = [
        Observation::from_code(shown(&totp, 0, T - 5), UnixTime::from_secs(T)),
        Observation::from_code(shown(&totp, 3 * 3_600, T + 35), UnixTime::from_secs(T + 40)),
    ];
    let d = run(&obs, &Setup::default());
    assert_eq!(d.verdict(), Verdict::NoMatch);
    assert!(!d.is_confirmed());
    assert_eq!(
        (d.matched_steps(), d.matches_found()),
        (&[None, None][..], 0)
    );
    assert!(d.to_string().contains("one more"));
}

#[test]
fn one_code_that_matches_twice_far_away_reads_as_no_match() {
    // Find a code that occurs at two steps far apart within ±26 h, then
    // diagnose it at a time between them.
    let totp = Totp::new();
    let owned = secret();
    let key = totp.key(&owned);
    let base = T / 30;
    let mut seen = std::collections::HashMap::new();
    let (a, b) = (0..6_241u64)
        .map(|i| base - 3_120 + i)
        .find_map(|s| {
            let v = key.code_at_step(s).value();
            seen.insert(v, s).map(|earlier| (earlier, s))
        })
        .expect("some code repeats within 6,241 steps (birthday bound)");
    if b - a > 40 {
        let mid = UnixTime::from_secs((a + b) / 2 * 30);
        let d = run(
            &[Observation::from_code(key.code_at_step(a), mid)],
            &Setup::default(),
        );
        assert_eq!(d.verdict(), Verdict::NoMatch);
        assert_eq!(d.matches_found(), 0);
    }
}

#[test]
fn malformed_input_searches_nothing() {
    let at = UnixTime::from_secs(T);
    let good = Observation::new("123456", at);
    for (input, error) in [
        ("12a456", CodeError::InvalidCharacter { position: 2 }),
        (
            "12345",
            CodeError::WrongLength {
                expected: 6,
                found: 5,
            },
        ),
    ] {
        let d = run(&[good, Observation::new(input, at)], &Setup::default());
        assert_eq!(
            d.verdict(),
            Verdict::Malformed {
                observation: 1,
                error
            }
        );
        assert_eq!(d.steps_searched(), 0);
        assert!(d.to_string().contains("Entry 2 is not a code"), "{d}");
    }
    let eight = Code::parse("12345678", Digits::EIGHT).unwrap();
    let d = run(&[Observation::from_code(eight, at)], &Setup::default());
    assert!(matches!(
        d.verdict(),
        Verdict::Malformed { observation: 0, .. }
    ));
}

#[test]
fn caller_errors() {
    let at = UnixTime::from_secs(T);
    let totp = Totp::new();
    let o = Setup::default();
    assert_eq!(
        o.diagnose(totp, &secret(), &[]),
        Err(DiagnoseError::NoObservations)
    );
    let many = [Observation::new("123456", at); MAX_OBSERVATIONS + 1];
    assert_eq!(
        o.diagnose(totp, &secret(), &many),
        Err(DiagnoseError::TooManyObservations { count: 9, max: 8 })
    );
    let late_t0 = totp.with_t0(UnixTime::from_secs(T + 1));
    assert!(matches!(
        o.diagnose(late_t0, &secret(), &[Observation::new("123456", at)]),
        Err(DiagnoseError::Time(_))
    ));
    assert!(o.with_search_range(Duration::hours(49)).is_err());
    assert!(o.with_search_range(Duration::seconds(-1)).is_err());
    assert!(o.with_typing_delay(Duration::minutes(11)).is_err());
    assert!(o.with_typing_delay(Duration::seconds(-1)).is_err());
    let e: Error = DiagnoseError::NoObservations.into();
    assert_eq!(e.to_string(), "no observations");
}

#[test]
fn learned_drift_and_window_decide_acceptance() {
    let totp = Totp::new();
    let obs = two_codes(&totp, 5 * 60); // 10 steps ahead
    let plain = run(&obs, &Setup::default());
    assert!(matches!(plain.verdict(), Verdict::ClockAhead { .. }));
    let k = plain.resync().unwrap();
    let learned = Setup::default().with_drift(k);
    let d = run(&obs, &learned);
    assert_eq!(d.verdict(), Verdict::InSync);
    assert_eq!(d.resync(), None);
    // An exact window refuses a code one step old: entered late.
    let late = [Observation::from_code(
        shown(&totp, 0, T - 20),
        UnixTime::from_secs(T),
    )];
    let exact = Setup::default().with_window(Window::EXACT);
    assert!(matches!(
        run(&late, &exact).verdict(),
        Verdict::EnteredLate { .. }
    ));
}

#[test]
fn other_parameters_and_repeated_calls_agree() {
    let totp = Totp::new()
        .with_algorithm(Algorithm::Sha256)
        .with_digits(Digits::EIGHT)
        .with_period(Period::new(60).unwrap());
    let obs = two_codes(&totp, -2 * 3_600);
    let options = Setup::default();
    let a = options.diagnose(totp, &secret(), &obs).unwrap();
    assert_eq!(a, options.diagnose(totp, &secret(), &obs).unwrap());
    assert!(matches!(
        a.verdict(),
        Verdict::TimeZoneLike {
            hint: ZoneHint::Zone,
            ..
        }
    ));
    assert_eq!(a.steps_searched(), 2 * 26 * 60 + 1 + 1);
    assert!(a.chance_match() < 1e-11, "{}", a.chance_match()); // ~3e-5 × 4e-8
    assert_inside(&a, -7_200);
}

#[test]
fn short_range_and_epoch_edges() {
    let options = Setup::default()
        .with_search_range(Duration::minutes(2))
        .unwrap();
    // Near step 0 the range is cut at 0.
    let d = run(
        &[Observation::new("123456", UnixTime::from_secs(31))],
        &options,
    );
    assert_eq!(d.steps_searched(), 6); // steps 0..=5
    // Far in the future the range is cut at u64::MAX steps (period 1).
    let totp = Totp::new().with_period(Period::new(1).unwrap());
    let d = options
        .diagnose(
            totp,
            &secret(),
            &[Observation::new("123456", UnixTime::from_secs(u64::MAX))],
        )
        .unwrap();
    assert_eq!(d.steps_searched(), 121);
    // A zero range searches the arrival step only.
    let zero = options.with_search_range(Duration::ZERO).unwrap();
    let d = run(&[Observation::new("123456", UnixTime::from_secs(T))], &zero);
    assert_eq!(d.steps_searched(), 1);
}

#[test]
fn offsets_read_in_seconds_below_five_minutes() {
    let totp = Totp::new();
    let d = run(&two_codes(&totp, 200), &Setup::default());
    assert!(matches!(d.verdict(), Verdict::ClockAhead { .. }));
    let text = d.to_string();
    let secs = d.offset().unwrap().whole_seconds();
    assert!(
        text.contains(&format!("about {secs} seconds ahead of")),
        "{text}"
    );
    assert!(text.contains("resync"), "{text}");
}

#[test]
fn debug_does_not_show_codes() {
    let o = Observation::new("987654", UnixTime::from_secs(T));
    assert!(!format!("{o:?}").contains("987654"));
}

fn arb_options() -> impl Strategy<Value = Setup> {
    (
        0u32..=100,
        0u32..=100,
        -128i64..=127,
        proptest::option::of(any::<u64>()),
        0u32..=100,
        0i64..=600,
        0i64..=600,
    )
        .prop_map(|(b, a, drift, last, bound, range, delay)| {
            Setup::default()
                .with_window(Window::new(b, a).unwrap())
                .with_drift(drift)
                .with_last_accepted_step(last)
                .with_resync_bound(bound)
                .unwrap()
                .with_search_range(Duration::seconds(range))
                .unwrap()
                .with_typing_delay(Duration::seconds(delay))
                .unwrap()
        })
}

fn arb_totp() -> impl Strategy<Value = Totp> {
    (6u32..=10, 1u64..=u64::from(u32::MAX), any::<u64>(), 0u8..3).prop_map(|(d, p, t0, a)| {
        Totp::new()
            .with_digits(Digits::new(d).unwrap())
            .with_period(Period::new(p.min(120).max(1 + p % 7)).unwrap())
            .with_t0(UnixTime::from_secs(t0 % 4_000_000_000))
            .with_algorithm([Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][a as usize])
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Any text, any time, any options: a result or a typed error, never a panic,
    /// and the Display always renders.
    #[test]
    fn no_input_panics(
        totp in arb_totp(),
        options in arb_options(),
        inputs in proptest::collection::vec(
            (prop_oneof!["[0-9]{6,10}", ".{0,70}", "[0-9 -]{0,20}"], any::<u64>()), 0..=9),
        key in proptest::collection::vec(any::<u8>(), 10..80),
    ) {
        let secret = Secret::from_bytes(&key).unwrap();
        let obs: Vec<Observation<'_>> =
            inputs.iter().map(|(s, t)| Observation::new(s, UnixTime::from_secs(*t))).collect();
        match options.diagnose(totp, &secret, &obs) {
            Ok(d) => {
                let _ = d.to_string();
                prop_assert_eq!(d.matched_steps().len(), obs.len());
                prop_assert!((0.0..=1.0).contains(&d.chance_match()));
                if let Some((lo, hi)) = d.offset_range() {
                    prop_assert!(lo <= hi);
                }
            }
            Err(e) => { let _ = e.to_string(); }
        }
    }

    /// A genuine phone, any offset within the search range and typing delay
    /// within the allowance: the true offset is inside the interval.
    #[test]
    fn true_offset_is_inside_the_interval(
        offset in -3_000i64..=3_000,
        delay in 0u64..=20,
        gap in 50u64..=300,
        at in 1_000_000_000u64..4_000_000_000,
        two in any::<bool>(),
    ) {
        let totp = Totp::new();
        let options = Setup::default().with_search_range(Duration::hours(1)).unwrap();
        let mut obs = vec![Observation::from_code(
            shown(&totp, offset, at - delay), UnixTime::from_secs(at))];
        if two {
            obs.push(Observation::from_code(
                shown(&totp, offset, at + gap - 20 + delay), UnixTime::from_secs(at + gap)));
        }
        let d = options.diagnose(totp, &secret(), &obs).unwrap();
        if let Some((lo, hi)) = d.offset_range() {
            prop_assert!(lo.whole_seconds() <= offset && offset <= hi.whole_seconds());
        }
        if two {
            let ambiguous = matches!(d.verdict(), Verdict::Ambiguous { .. });
            prop_assert!(d.is_confirmed() || ambiguous);
        }
    }
}

/// The drift the diagnostic proposes is the drift `Guard::resync` records
/// from the same two codes, for phones fast and slow by up to the bound.
#[test]
fn proposed_resync_matches_what_the_guard_records() {
    use twostep::Guard;
    use twostep::guard::State as GuardState;
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let guard = Guard::new(Totp::default());
    let phone = guard.key(&secret);
    let state = GuardState::new();
    let options = DiagnoseOptions::default();
    let now = UnixTime::from_secs(1_795_780_815);
    let server_step = guard.totp().step_at(now).unwrap();
    for drift in [-20i64, -7, -3, 2, 3, 6, 19] {
        let later = server_step.checked_add_signed(drift).unwrap();
        let (c1, c2) = (phone.code_at_step(later - 1), phone.code_at_step(later));
        let obs = [
            twostep::diagnose::Observation::from_code(c1, now.checked_add_signed(-30).unwrap()),
            twostep::diagnose::Observation::from_code(c2, now),
        ];
        let d = diagnose(&guard, &secret, &state, &obs, &options).unwrap().0;
        let (outcome, next) = guard
            .resync(&secret, [&c1.to_string(), &c2.to_string()], now, &state)
            .unwrap();
        assert!(outcome.is_accepted(), "drift {drift}: {outcome:?}");
        assert_eq!(d.resync(), Some(next.drift()), "drift {drift}: {d}");
    }
}

/// A state whose drift is stale: a resync learned that the phone ran 6 steps
/// fast, then its clock was fixed. Its codes are what the guard now accepts.
#[test]
fn stale_drift_is_in_sync_when_the_clock_was_fixed() {
    use twostep::Guard;
    use twostep::guard::{Outcome, State as GuardState};
    let guard = Guard::new(Totp::default());
    let now = UnixTime::from_secs(T + 40);
    let server = guard.totp().step_at(now).unwrap();
    // The fast phone's last login spent a step below the server's step now.
    let state: GuardState = format!("g1.{}.6.0.-", server - 2).parse().unwrap();
    let totp = Totp::default();
    let obs = two_codes(&totp, 0);
    let d = run_for(&guard, &state, &obs);
    assert_eq!(d.verdict(), Verdict::InSync, "{d}");
    assert_eq!(d.resync(), None);
    let text = d.to_string();
    assert!(text.contains("would be accepted now"), "{text}");
    assert!(text.contains("learned drift of 6 steps"), "{text}");
    assert!(!text.contains("ahead of the server"), "{text}");
    // The guard agrees: the code logs in and the drift is reset.
    let (o, next) = guard
        .check(&secret(), &shown(&totp, 0, T + 35).to_string(), now, &state)
        .unwrap();
    assert!(o.is_accepted(), "{o:?}");
    assert_eq!(next.drift(), 0);
    // Without the state's drift (a fresh account) there is no such remark.
    let plain = run_for(&guard, &GuardState::new(), &obs);
    assert_eq!(plain.verdict(), Verdict::InSync);
    assert!(!plain.to_string().contains("learned drift"), "{plain}");
    // Not a stale drift: a phone still 6 steps fast is in sync too, no remark.
    let fast = run_for(&guard, &state, &two_codes(&totp, 180));
    assert_eq!(fast.verdict(), Verdict::InSync);
    assert!(!fast.to_string().contains("learned drift"), "{fast}");
    // A phone fixed too soon: its code is at a step the fast phone spent.
    let spent: GuardState = format!("g1.{}.6.0.-", server + 4).parse().unwrap();
    let d = run_for(&guard, &spent, &obs);
    assert_eq!(d.verdict(), Verdict::Replayed);
    assert_eq!(d.resync(), None);
    let text = d.to_string();
    // Until step server + 5 starts: 5 steps from the arrival at 3 s into its step.
    let phase = (T + 40) % 30;
    let wait = 5 * 30 - phase;
    assert!(
        text.contains(&format!("about {wait} seconds after")),
        "{text}"
    );
    assert!(text.contains("no resync is needed"), "{text}");
    let (o, _) = guard
        .check(&secret(), &shown(&totp, 0, T + 35).to_string(), now, &spent)
        .unwrap();
    assert_eq!(o, Outcome::Replayed);
}

/// The diagnosis mirrors the guard exactly, stale drift or not: `InSync` is
/// what `Guard::check` accepts, `Replayed` what it calls a replay, and a
/// proposed resync is what `Guard::resync` records from the same two codes
/// (never a pair it would refuse as spent).
#[test]
fn the_diagnosis_mirrors_check_and_resync_with_a_stale_drift() {
    use twostep::Guard;
    use twostep::guard::{Outcome, State as GuardState};
    let secret = secret();
    let guard = Guard::new(Totp::default());
    let phone = guard.key(&secret);
    let now = UnixTime::from_secs(1_795_780_815);
    let server = guard.totp().step_at(now).unwrap();
    let mut proposals = 0;
    let mut withheld = 0;
    for stored_drift in [0i64, 6, -5] {
        for last in [
            None,
            Some(server - 30),
            Some(server - 3),
            Some(server + 2),
            Some(server + 6),
        ] {
            let state: GuardState = match last {
                Some(l) => format!("g1.{l}.{stored_drift}.0.-"),
                None => format!("g1.-.{stored_drift}.0.-"),
            }
            .parse()
            .unwrap();
            let options = DiagnoseOptions::default()
                .with_search_range(Duration::hours(1))
                .unwrap();
            for drift in -20i64..=20 {
                let later = server.checked_add_signed(drift).unwrap();
                let (c1, c2) = (phone.code_at_step(later - 1), phone.code_at_step(later));
                let obs = [
                    Observation::from_code(c1, now.checked_add_signed(-30).unwrap()),
                    Observation::from_code(c2, now),
                ];
                let d = diagnose(&guard, &secret, &state, &obs, &options).unwrap().0;
                let case = format!("stored {stored_drift}, last {last:?}, phone {drift}: {d}");
                let (checked, _) = guard.check(&secret, &c2.to_string(), now, &state).unwrap();
                assert_eq!(
                    d.verdict() == Verdict::InSync,
                    checked.is_accepted(),
                    "{case}"
                );
                assert_eq!(
                    d.verdict() == Verdict::Replayed,
                    checked == Outcome::Replayed,
                    "{case}"
                );
                let pair = [c1.to_string(), c2.to_string()];
                let (resynced, next) = guard
                    .resync(&secret, [&pair[0], &pair[1]], now, &state)
                    .unwrap();
                match d.resync() {
                    Some(proposed) => {
                        proposals += 1;
                        assert!(resynced.is_accepted(), "{case}: {resynced:?}");
                        assert_eq!(proposed, next.drift(), "{case}");
                    }
                    None if resynced == Outcome::Replayed => withheld += 1,
                    None => assert!(
                        matches!(d.verdict(), Verdict::InSync | Verdict::Replayed),
                        "{case}: the guard would resync ({resynced:?})"
                    ),
                }
            }
        }
    }
    assert!(proposals > 300 && withheld > 20, "{proposals} {withheld}");
}

/// A stored drift beyond the guard's bound counts as the bound, as the guard
/// clamps it (a drift stored under a wider bound, then the bound lowered).
#[test]
fn a_stored_drift_beyond_the_bound_is_clamped_as_the_guard_clamps_it() {
    let totp = Totp::new();
    let now = UnixTime::from_secs(T);
    let step = totp.step_at(now).unwrap();
    let key = totp.key(&secret());
    for (stored, clamped) in [(100i64, 20i64), (-100, -20), (35, 20)] {
        for k in [clamped - 1, clamped, clamped + 1, stored] {
            let code = key.code_at_step(step.checked_add_signed(k).unwrap());
            let obs = [Observation::from_code(code, now)];
            let wide = run(&obs, &Setup::default().with_drift(stored));
            let at_bound = run(&obs, &Setup::default().with_drift(clamped));
            assert_eq!(wide, at_bound, "stored {stored}, code at {k}");
        }
    }
}

#[test]
fn the_user_and_support_parts_are_the_display_split_in_two() {
    let totp = Totp::new();
    let ahead = run(&two_codes(&totp, 7 * 60), &Setup::default());
    let one_wrong = run(
        &[Observation::new("000000", UnixTime::from_secs(T))],
        &Setup::default(),
    );
    let malformed = run(
        &[Observation::new("12x456", UnixTime::from_secs(T))],
        &Setup::default(),
    );
    for (d, name) in [
        (ahead, "phone clock ahead"),
        (one_wrong, "no match"),
        (malformed, "not a code"),
    ] {
        let (user, support) = (d.for_user(), d.for_support());
        let head = format!("verdict: {name}");
        assert!(support.starts_with(&head), "{support}");
        let body = support.strip_prefix(&head).unwrap();
        let shown = match body.strip_prefix("; ") {
            Some(paragraph) => format!("{user}\nFor support: {paragraph}"),
            None => {
                assert_eq!(body, "");
                user.clone()
            }
        };
        assert_eq!(d.to_string(), shown);
        assert!(!user.contains("For support"));
    }
    assert!(ahead.for_user().contains("7 minutes ahead of"));
    assert!(
        ahead
            .for_support()
            .contains("A resync can record a drift of 14 steps")
    );
    assert!(one_wrong.for_support().contains("searched "));
}
