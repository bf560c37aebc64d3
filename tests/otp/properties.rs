//! Property tests of the one-time codes: window membership and reported offsets, step edges, T0,
//! counters near `u64::MAX`, the code-input grammar,
//! redacted `Debug`, and `Send + Sync` of the public types.
//!
//! Expected results come from small independent models written here
//! (`u128` step arithmetic, a grammar model for code input, a window model),
//! not from the functions under test. Codes of individual steps come from
//! `code_at_step`, which `tests/cross_check.rs` pins to oathtool and pyotp.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code: unwraps and indexes known data"
)]

use proptest::prelude::*;
use twostep::otp::{
    Algorithm, CodeError, Digits, HotpMatch, KeyedHotp, KeyedTotp, LookAhead, Match, Period,
    VerifyError,
};
use twostep::secret::SecretError;
use twostep::time::TimeError;
use twostep::{Code, Hotp, Secret, Totp, UnixTime, Window};

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

fn digits() -> impl Strategy<Value = Digits> {
    (6u32..=10).prop_map(|d| Digits::new(d).unwrap())
}

fn period() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(1u64),
        Just(30),
        Just(86_400),
        Just(u64::from(u32::MAX)),
        1u64..=100_000,
    ]
}

fn t0() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        1u64..=2_000_000_000,
        any::<u64>(),
        (0u64..4).prop_map(|d| u64::MAX - d),
    ]
}

fn secret_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 10..=80)
}

/// A step `s` of the TOTP and a time inside it, chosen so that every second
/// of step `s` is representable. `sel` biases towards step 0 and the last
/// representable step.
fn place(t0: u64, period: u64, sel: u8, raw: u64, within: u64) -> (u64, u64, u64) {
    let t0 = t0.min(u64::MAX - (period - 1));
    let max_s = (u64::MAX - t0 - (period - 1)) / period;
    let s = match sel % 3 {
        0 => (raw % 4).min(max_s),
        1 => max_s - (raw % 4).min(max_s),
        _ => raw % (max_s.saturating_add(1)).max(1),
    };
    let s = s.min(max_s);
    let within = within % period;
    let now = u128::from(t0) + u128::from(s) * u128::from(period) + u128::from(within);
    (t0, s, u64::try_from(now).unwrap())
}

/// Independent window model: offsets `-behind..=ahead` whose step exists and
/// whose code equals `code`, and the distance of the nearest one.
fn model_matches(
    key: &KeyedTotp,
    code: &Code,
    center: u64,
    behind: u32,
    ahead: u32,
) -> Vec<(u64, i64)> {
    (-i64::from(behind)..=i64::from(ahead))
        .filter_map(|o| {
            let step = u64::try_from(i128::from(center) + i128::from(o)).ok()?;
            (key.code_at_step(step) == *code).then_some((step, o))
        })
        .collect()
}

/// Checks `result` against the model: accepted iff some step of the window
/// carries the code, and then the reported step is a nearest such step.
fn check_against_model(
    result: Result<Match, VerifyError>,
    matches: &[(u64, i64)],
) -> Result<(), TestCaseError> {
    match result {
        Err(VerifyError::Invalid) => prop_assert!(matches.is_empty(), "missed {matches:?}"),
        Ok(m) => {
            let nearest = matches.iter().map(|(_, o)| o.unsigned_abs()).min();
            prop_assert!(
                matches.contains(&(m.step(), m.offset())),
                "{m:?} not in {matches:?}"
            );
            prop_assert_eq!(Some(m.offset().unsigned_abs()), nearest);
        }
        Err(e) => prop_assert!(false, "unexpected error {e:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// A code generated k steps from the expected one verifies exactly when
    /// `-behind <= k <= ahead`, and reports step s + k and offset k.
    #[test]
    fn code_at_offset_k_verifies_exactly_inside_the_window(
        bytes in secret_bytes(), alg in algorithm(), d in digits(),
        period in period(), t0 in t0(), sel in any::<u8>(), raw in any::<u64>(),
        within in prop_oneof![Just(0u64), Just(u64::MAX), any::<u64>()],
        behind in prop_oneof![0u32..=6, Just(100)], ahead in prop_oneof![0u32..=6, Just(100)],
        k_raw in any::<i64>(),
    ) {
        // `within = u64::MAX` becomes the last second of the step (MAX % p = p - 1 only
        // for some p), so map it explicitly.
        let within = if within == u64::MAX { period - 1 } else { within };
        let (t0, s, now) = place(t0, period, sel, raw, within);
        let totp = Totp::new().with_algorithm(alg).with_digits(d)
            .with_period(Period::new(period).unwrap()).with_t0(UnixTime::from_secs(t0));
        let secret = Secret::from_bytes(&bytes).unwrap();
        let key = totp.key(&secret);
        let now_t = UnixTime::from_secs(now);
        prop_assert_eq!(totp.step_at(now_t), Ok(s));

        // k ranges two steps beyond each edge of the window.
        let span = i64::from(behind) + i64::from(ahead) + 5;
        let k = k_raw.rem_euclid(span) - i64::from(behind) - 2;
        let window = Window::new(behind, ahead).unwrap();
        let inside = -i64::from(behind) <= k && k <= i64::from(ahead);
        prop_assert_eq!(window.contains(k), inside);

        let Ok(target) = u64::try_from(i128::from(s) + i128::from(k)) else {
            // Step s + k does not exist (below 0 or above u64::MAX): nothing to generate.
            return Ok(());
        };
        let code = key.code_at_step(target);
        let typed = code.to_string();
        let matches = model_matches(&key, &code, s, behind, ahead);
        if inside {
            prop_assert!(matches.contains(&(target, k)));
        }
        // The keyed path, the one-shot path, and a parsed code all agree with the model.
        let keyed = key.verify(&typed, now_t, window);
        check_against_model(keyed, &matches)?;
        prop_assert_eq!(totp.verify(&secret, &typed, now_t, window), keyed);
        prop_assert_eq!(key.verify_code(&code, now_t, window), keyed);
        prop_assert_eq!(key.verify_code_around(&code, s, window), keyed);
        // Without a chance collision this is exactly "accepted iff inside, offset k".
        if matches.len() <= 1 && (inside || matches.is_empty()) {
            if inside {
                let m = keyed.unwrap();
                prop_assert_eq!((m.step(), m.offset()), (target, k));
            } else {
                prop_assert_eq!(keyed, Err(VerifyError::Invalid));
            }
        }
    }

    /// Step edges: the first and last second of a step map to it, the second
    /// before maps to the previous step; step_start and time_to_next agree.
    #[test]
    fn step_edges(
        period in period(), t0 in t0(), sel in any::<u8>(), raw in any::<u64>(),
    ) {
        let (t0, s, first) = place(t0, period, sel, raw, 0);
        let totp = Totp::new().with_period(Period::new(period).unwrap())
            .with_t0(UnixTime::from_secs(t0));
        let last = first + (period - 1);
        prop_assert_eq!(totp.step_start(s), Ok(UnixTime::from_secs(first)));
        prop_assert_eq!(totp.step_at(UnixTime::from_secs(first)), Ok(s));
        prop_assert_eq!(totp.step_at(UnixTime::from_secs(last)), Ok(s));
        let p = time::Duration::seconds(i64::try_from(period).unwrap());
        prop_assert_eq!(totp.time_to_next(UnixTime::from_secs(first)), Ok(p));
        prop_assert_eq!(totp.time_to_next(UnixTime::from_secs(last)), Ok(time::Duration::seconds(1)));
        if s == 0 {
            if t0 > 0 {
                prop_assert_eq!(totp.step_at(UnixTime::from_secs(first - 1)), Err(TimeError::BeforeT0));
            }
        } else {
            prop_assert_eq!(totp.step_at(UnixTime::from_secs(first - 1)), Ok(s - 1));
        }
        // The step after the last representable one has no start time.
        let beyond = (u128::from(t0) + (u128::from(s) + 1) * u128::from(period)) > u128::from(u64::MAX);
        match s.checked_add(1) {
            Some(next) if beyond => prop_assert_eq!(totp.step_start(next), Err(TimeError::OutOfRange)),
            Some(next) => prop_assert!(totp.step_start(next).is_ok()),
            None => prop_assert!(beyond),
        }
    }

    /// Any time before T0 is a typed error on every path.
    #[test]
    fn before_t0_is_a_typed_error(
        bytes in secret_bytes(), period in period(), t0 in 1u64.., back in any::<u64>(),
    ) {
        let now = UnixTime::from_secs(t0 - 1 - back % t0);
        let totp = Totp::new().with_period(Period::new(period).unwrap())
            .with_t0(UnixTime::from_secs(t0));
        let secret = Secret::from_bytes(&bytes).unwrap();
        prop_assert_eq!(totp.step_at(now), Err(TimeError::BeforeT0));
        prop_assert_eq!(totp.time_to_next(now), Err(TimeError::BeforeT0));
        prop_assert_eq!(totp.generate(&secret, now), Err(TimeError::BeforeT0));
        prop_assert_eq!(totp.key(&secret).generate(now), Err(TimeError::BeforeT0));
        prop_assert_eq!(
            totp.verify(&secret, "123456", now, Window::DEFAULT),
            Err(VerifyError::Time(TimeError::BeforeT0))
        );
    }

    /// Window edges at step 0 and u64::MAX never wrap: the codes of the steps a
    /// wrapping subtraction or addition would reach are not accepted (unless a
    /// real step of the window happens to carry the same code).
    #[test]
    fn window_edges_never_wrap(
        bytes in secret_bytes(), d in digits(), behind in 1u32..=100, ahead in 1u32..=100,
        j in 0u64..100,
    ) {
        let key = Totp::new().with_digits(d).key(&Secret::from_bytes(&bytes).unwrap());
        let w = Window::new(behind, ahead).unwrap();
        // Centre 0: "step -1 - j" would wrap to u64::MAX - j.
        let code = key.code_at_step(u64::MAX - j);
        let matches = model_matches(&key, &code, 0, behind, ahead);
        prop_assert!(matches.iter().all(|&(s, _)| s <= u64::from(ahead)));
        check_against_model(key.verify_code_around(&code, 0, w), &matches)?;
        // Centre u64::MAX: "step MAX + 1 + j" would wrap to j.
        let code = key.code_at_step(j);
        let matches = model_matches(&key, &code, u64::MAX, behind, ahead);
        check_against_model(key.verify_code_around(&code, u64::MAX, w), &matches)?;
    }

    /// HOTP near u64::MAX: look-ahead stops at the last counter, never panics,
    /// and never looks behind the counter.
    #[test]
    fn hotp_near_u64_max(
        bytes in secret_bytes(), alg in algorithm(), la in 0u32..=100, back in 0u64..120,
        i in 0u64..120,
    ) {
        let counter = u64::MAX - back;
        let key = Hotp::new().with_algorithm(alg).with_digits(Digits::new(10).unwrap())
            .key(&Secret::from_bytes(&bytes).unwrap());
        let la_v = LookAhead::new(la).unwrap();
        // Target: i counters after `counter` (if it exists) or one counter before it.
        let (target, reachable) = match counter.checked_add(i) {
            Some(t) => (t, i <= u64::from(la)),
            None => (counter - 1, false),
        };
        let typed = key.generate(target).to_string();
        let collisions: Vec<u64> = (0..=u64::from(la))
            .filter_map(|o| counter.checked_add(o))
            .filter(|&c| key.generate(c).to_string() == typed)
            .collect();
        let r = key.verify(&typed, counter, la_v);
        match r {
            Ok(m) => {
                prop_assert!(collisions.contains(&m.counter()));
                prop_assert_eq!(m.next_counter(), m.counter().checked_add(1));
            }
            Err(e) => {
                prop_assert_eq!(e, VerifyError::Invalid);
                prop_assert!(collisions.is_empty() && !reachable);
            }
        }
    }
}

// ------------------------------------------------------------------ code input

/// The documented grammar, as an independent model: at most 64 bytes; ASCII
/// digits with runs of ASCII spaces or hyphens allowed only between digits;
/// exactly `digits` digits. Returns the value or the error the docs promise.
fn model_parse(input: &str, digits: u32) -> Result<u64, CodeError> {
    let b = input.as_bytes();
    if b.len() > 64 {
        return Err(CodeError::TooLong {
            len: b.len(),
            max: 64,
        });
    }
    let is_digit = |c: u8| c.is_ascii_digit();
    let is_sep = |c: u8| c == b' ' || c == b'-';
    // The first offending byte: not a digit or separator, or a separator
    // before the first digit, or (if none of those) the start of a trailing run of separators.
    let first_digit = b.iter().position(|&c| is_digit(c));
    for (i, &c) in b.iter().enumerate() {
        let before_first_digit = first_digit.is_none_or(|f| i < f);
        if !(is_digit(c) || is_sep(c)) || (is_sep(c) && before_first_digit) {
            return Err(CodeError::InvalidCharacter { position: i });
        }
    }
    if let Some(last_digit) = b.iter().rposition(|&c| is_digit(c))
        && last_digit + 1 < b.len()
    {
        return Err(CodeError::InvalidCharacter {
            position: last_digit + 1,
        });
    }
    let ds: String = input.chars().filter(char::is_ascii_digit).collect();
    if ds.len() != digits as usize {
        return Err(CodeError::WrongLength {
            expected: digits,
            found: ds.len(),
        });
    }
    Ok(ds.parse().unwrap())
}

fn well_formed(digits: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(0u8..10, digits..=digits),
        prop::collection::vec(prop_oneof![4 => Just(""), 2 => Just(" "), 2 => Just("-"), 1 => Just("  "), 1 => Just("- -")], digits),
    )
        .prop_map(|(ds, seps)| {
            let mut s = String::new();
            for (i, d) in ds.iter().enumerate() {
                if i > 0 {
                    s.push_str(seps[i]);
                }
                s.push(char::from(b'0' + d));
            }
            s
        })
}

fn code_input() -> impl Strategy<Value = String> {
    prop_oneof![
        // Well-formed for some length 1..=12 (often the right one).
        (1usize..=12).prop_flat_map(well_formed),
        // Well-formed with a bad character inserted, or a separator at either end.
        (
            (6usize..=10).prop_flat_map(well_formed),
            any::<prop::sample::Index>(),
            prop::sample::select(vec![
                "a", "Z", "+", "٣", "１", "\t", ".", "_", " ", "-", "0x", "\u{0}", "é"
            ]),
            0u8..3
        )
            .prop_map(|(s, at, bad, how)| match how {
                0 => format!("{bad}{s}"),
                1 => format!("{s}{bad}"),
                _ => {
                    let cut = at.index(s.len() + 1);
                    format!("{}{bad}{}", &s[..cut], &s[cut..])
                }
            }),
        // Anything from a mixed alphabet, including over 64 bytes.
        "[0-9 \\-a+٣１]{0,80}",
        "[0-9]{60,70}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn code_parse_accepts_exactly_the_documented_grammar(
        input in code_input(), d in digits(),
    ) {
        let got = Code::parse(&input, d);
        match model_parse(&input, d.get()) {
            Ok(v) => {
                let c = got.unwrap();
                prop_assert_eq!(c.value(), v);
                prop_assert_eq!(c.digits(), d);
                // Display is the digits, zero-padded, without separators.
                let plain: String = input.chars().filter(char::is_ascii_digit).collect();
                prop_assert_eq!(c.to_string(), plain);
            }
            Err(e) => prop_assert_eq!(got.map(|c| c.value()), Err(e)),
        }
    }

    /// Well-formed input of the right length always parses, and to the same
    /// value as the digits alone.
    #[test]
    fn separators_between_digits_are_ignored(
        s in (6usize..=9).prop_flat_map(well_formed),
    ) {
        let plain: String = s.chars().filter(char::is_ascii_digit).collect();
        let d = Digits::new(u32::try_from(plain.len()).unwrap()).unwrap();
        prop_assert_eq!(Code::parse(&s, d).unwrap(), Code::parse(&plain, d).unwrap());
        prop_assert_eq!(Code::parse(&s, d).unwrap().value(), plain.parse::<u64>().unwrap());
    }
}

#[test]
fn code_parse_fixed_cases() {
    let six = Digits::SIX;
    for ok in [
        "123456",
        "123 456",
        "123-456",
        "1 2 3 4 5 6",
        "12--34  56",
        "1 - 23456",
    ] {
        assert_eq!(Code::parse(ok, six).unwrap().value(), 123_456, "{ok:?}");
    }
    for bad in [
        " 123456",
        "123456 ",
        "-123456",
        "123456-",
        "+123456",
        "12345a",
        "١٢٣٤٥٦",
        "１２３４５６",
        "123\t456",
        "123_456",
        "12345",
        "1234567",
        "",
        " ",
        "-",
    ] {
        assert!(Code::parse(bad, six).is_err(), "{bad:?}");
    }
    let long = format!("123456{}", " ".repeat(59));
    assert_eq!(
        Code::parse(&long, six),
        Err(CodeError::TooLong { len: 65, max: 64 })
    );
    // 64 bytes exactly is within the cap.
    let at_cap = format!("1{}23456", " ".repeat(58));
    assert_eq!(at_cap.len(), 64);
    assert_eq!(Code::parse(&at_cap, six).unwrap().value(), 123_456);
    // Ten digits: every ten-digit input is a code, even above u32::MAX
    // (it can never match, as truncation yields < 2^31, but it is well formed).
    let ten = Digits::new(10).unwrap();
    assert_eq!(
        Code::parse("4294967295", ten).unwrap().value(),
        u64::from(u32::MAX)
    );
    assert_eq!(
        Code::parse("9999999999", ten).unwrap().value(),
        9_999_999_999
    );
    assert_eq!(
        Code::parse("9999999999", ten).unwrap().to_string(),
        "9999999999"
    );
}

// ------------------------------------------------------------------ huge values

#[test]
fn extreme_times_and_counters_do_not_panic() {
    let s = Secret::from_bytes(&[42; 20]).unwrap();
    let w = Window::new(100, 100).unwrap();
    for period in [1, 2, 30, u64::from(u32::MAX)] {
        for t0 in [0, 1, u64::MAX - 1, u64::MAX] {
            let totp = Totp::new()
                .with_period(Period::new(period).unwrap())
                .with_t0(UnixTime::from_secs(t0));
            for now in [0, 1, t0, u64::MAX - 1, u64::MAX] {
                let now = UnixTime::from_secs(now);
                let _ = totp.step_at(now);
                let _ = totp.time_to_next(now);
                let _ = totp.generate(&s, now);
                let _ = totp.verify(&s, "123456", now, w);
            }
            for step in [0, 1, u64::MAX - 1, u64::MAX] {
                let _ = totp.step_start(step);
                let key = totp.key(&s);
                let _ = key.verify_code_around(&key.code_at_step(step), step, w);
            }
        }
    }
    // Period 1, T0 0: the time is the step, up to u64::MAX.
    let totp = Totp::new().with_period(Period::MIN);
    assert_eq!(totp.step_at(UnixTime::from_secs(u64::MAX)), Ok(u64::MAX));
    let key = totp.key(&s);
    let m = key
        .verify(
            &key.code_at_step(u64::MAX).to_string(),
            UnixTime::from_secs(u64::MAX),
            w,
        )
        .unwrap();
    assert_eq!((m.step(), m.offset()), (u64::MAX, 0));
    assert_eq!(totp.step_start(u64::MAX), Ok(UnixTime::from_secs(u64::MAX)));
    assert_eq!(Totp::new().step_start(u64::MAX), Err(TimeError::OutOfRange));
    // HOTP at the last counter: matched, and no next counter.
    let hotp = Hotp::new();
    let m = hotp
        .verify(
            &s,
            &hotp.generate(&s, u64::MAX).to_string(),
            u64::MAX,
            LookAhead::new(100).unwrap(),
        )
        .unwrap();
    assert_eq!((m.counter(), m.next_counter()), (u64::MAX, None));
}

// ------------------------------------------------------------------ auto traits

#[test]
fn public_types_are_send_and_sync() {
    const fn check<T: Send + Sync + Unpin>() {}
    const _: () = {
        check::<Secret>();
        check::<Totp>();
        check::<KeyedTotp>();
        check::<Hotp>();
        check::<KeyedHotp>();
        check::<Code>();
        check::<Match>();
        check::<HotpMatch>();
        check::<Window>();
        check::<LookAhead>();
        check::<Digits>();
        check::<Period>();
        check::<Algorithm>();
        check::<UnixTime>();
        check::<TimeError>();
        check::<twostep::otp::ParamError>();
        check::<VerifyError>();
        check::<SecretError>();
        check::<CodeError>();
        check::<twostep::otp::UnknownAlgorithm>();
        check::<twostep::Error>();
    };
}
