//! The time-sync diagnostic.
//!
//! Input: a program for `Reader` (see `src/lib.rs` and `fuzz/seeds.py`): TOTP
//! parameters and key, the guard (window, drift bound) and the user's state
//! (learned drift, last accepted step), options (search range, typing
//! delay; raw values are tried on the setters,
//! which must refuse exactly the out-of-range ones), then 0 to 9
//! observations at arbitrary times, each typed text, raw text, or the real
//! code of a step at an arbitrary offset from its arrival (as text or as a
//! `Code`, possibly of another digit count). The search range is small (at
//! most 32 steps each side) unless a selector byte is 0xf0 or above, so an
//! execution stays fast; a full ±26 h scan costs about 0.7 ms per code.
//!
//! Oracles: nothing panics; no observations and more than
//! `MAX_OBSERVATIONS` are errors; the first malformed observation is
//! reported as `Malformed` with `Code::parse`'s error; an observation before
//! T0 is a `Time` error; otherwise one matched step per observation is
//! reported, each matched step's code equals that observation's code, their
//! number is `agreeing_codes`, the offset range and the point agree
//! (lower ≤ point ≤ upper) and lie inside every matched code's interval of
//! the documented offset model; `NoMatch` exactly when no match is reported,
//! and then nothing about any match shows; each unconfirmed code counts one
//! failed attempt in the returned state; the
//! chance is a probability; a proposed resync lies within the bound; the
//! a second call agrees; `Display` never panics; with distinct arrival times,
//! the observations in reverse order give the same diagnosis (matched steps
//! reversed).
#![no_main]

use libfuzzer_sys::fuzz_target;
use time::Duration;
use twostep::diagnose::{DiagnoseError, DiagnoseOptions, MAX_OBSERVATIONS, Observation, Verdict};
use twostep::guard::State as GuardState;
use twostep::otp::{CodeError, Period};
use twostep::{Code, Guard, Totp, UnixTime, Window, diagnose};
use twostep_fuzz::{Reader, algorithm, digits, secret, separator, type_code};

/// The longest search range, in seconds.
const MAX_RANGE: i64 = 48 * 3600;

/// The guard (window, drift bound) and the user's stored state (last
/// accepted step, learned drift) that the diagnosis asks about acceptance.
fn guard_and_state(r: &mut Reader, totp: Totp) -> (Guard, GuardState) {
    let (behind, ahead) = (u32::from(r.u8()), u32::from(r.u8()));
    let window = Window::new(behind % 101, ahead % 101).expect("<= 100 is valid");
    let bound = u32::from(r.u8());
    let guard = match Guard::new(totp).with_window(window).with_max_drift(bound) {
        Ok(guard) => guard,
        Err(_) => {
            assert!(bound > Guard::MAX_DRIFT_STEPS);
            Guard::new(totp)
                .with_window(window)
                .with_max_drift(bound % (Guard::MAX_DRIFT_STEPS + 1))
                .expect("in range")
        }
    };
    let drift = (r.i64() % 101).to_string();
    let last = (r.u8() % 2 == 1).then(|| r.u64().to_string());
    let text = format!("g1.{}.{drift}.0.-", last.as_deref().unwrap_or("-"));
    (guard, text.parse().expect("a canonical state"))
}

fn options(r: &mut Reader, period: u64) -> DiagnoseOptions {
    let mut o = DiagnoseOptions::default();
    let (selector, value) = (r.u8(), r.u32());
    let range = if selector < 0xf0 {
        // At most 32 steps each side: fast.
        let steps = i64::from(value % 33);
        Duration::seconds(steps.saturating_mul(period as i64).min(MAX_RANGE))
    } else {
        // Anything, negative and too long included.
        Duration::seconds(i64::from(value as i32) * 64)
    };
    o = match o.with_search_range(range) {
        Ok(o) => {
            assert!((0..=MAX_RANGE).contains(&range.whole_seconds()));
            assert_eq!(o.search_range(), range);
            o
        }
        Err(e) => {
            assert!(!(0..=MAX_RANGE).contains(&range.whole_seconds()));
            assert!(matches!(e, DiagnoseError::SearchRange { .. }));
            o
        }
    };

    let delay = Duration::seconds(i64::from(r.u16()));
    match o.with_typing_delay(delay) {
        Ok(o) => {
            assert!(delay <= DiagnoseOptions::MAX_TYPING_DELAY);
            o
        }
        Err(_) => {
            assert!(delay > DiagnoseOptions::MAX_TYPING_DELAY);
            o.with_typing_delay(Duration::seconds(delay.whole_seconds() % 601))
                .expect("<= 10 min is valid")
        }
    }
}

/// What one observation holds, for the reference.
enum Input {
    Text(String),
    Code(Code),
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let secret = secret(r.blob());
    let period = Period::new(u64::from(r.u32())).unwrap_or(Period::DEFAULT);
    let digits = digits(r.u8());
    let t0 = u64::from(r.u32());
    let totp = Totp::new()
        .with_algorithm(algorithm(r.u8()))
        .with_digits(digits)
        .with_period(period)
        .with_t0(UnixTime::from_secs(t0));
    let key = totp.key(&secret);
    let (guard, state) = guard_and_state(&mut r, totp);
    let options = options(&mut r, period.as_secs());

    let n = usize::from(r.u8() % 10);
    let mut now = r.u64();
    let mut inputs = Vec::with_capacity(n);
    for _ in 0..n {
        now = match r.u8() % 4 {
            0 => now,
            1 => now.saturating_add(u64::from(r.u16())),
            2 => now.saturating_sub(u64::from(r.u16())),
            _ => r.u64(),
        };
        let at = UnixTime::from_secs(now);
        let kind = r.u8() % 4;
        let real = |offset: i16| {
            let step = totp.step_at(at).ok()?.checked_add_signed(offset.into())?;
            Some(key.code_at_step(step))
        };
        let input = match kind {
            0 => {
                let (offset, sep) = (r.i16(), r.u8());
                let text = real(offset).map(|c| type_code(&c, separator(sep)));
                Input::Text(text.unwrap_or_default())
            }
            1 => match real(r.i16()) {
                Some(code) => Input::Code(code),
                None => Input::Text(String::new()),
            },
            2 => Input::Text(r.text()),
            _ => {
                let digits = twostep_fuzz::digits(r.u8());
                let value = r.u64() % 10u64.pow(digits.get());
                Input::Code(Code::from_value(value, digits).expect("below the modulus"))
            }
        };
        inputs.push((input, at));
    }
    let observations: Vec<Observation<'_>> = inputs
        .iter()
        .map(|(input, at)| match input {
            Input::Text(t) => Observation::new(t, *at),
            Input::Code(c) => Observation::from_code(*c, *at),
        })
        .collect();

    let result = diagnose(&guard, &secret, &state, &observations, &options).map(|(d, next)| {
        // Each code counts as one failed attempt unless the diagnosis
        // confirms (or looked at nothing: a malformed input).
        let looked = !matches!(d.verdict(), Verdict::Malformed { .. });
        let counted = if looked && !d.is_confirmed() { n } else { 0 };
        let counted = u32::try_from(counted).expect("at most 8");
        assert_eq!(
            next.failures(),
            state.failures() + counted,
            "one failure per code"
        );
        d
    });
    if options.search_range() <= Duration::hours(1) {
        assert_eq!(
            diagnose(&guard, &secret, &state, &observations, &options).map(|(d, _)| d),
            result,
            "a second call agrees"
        );
    }
    if n == 0 {
        assert_eq!(result, Err(DiagnoseError::NoObservations));
        return;
    }
    if n > MAX_OBSERVATIONS {
        assert!(
            matches!(result, Err(DiagnoseError::TooManyObservations { count, .. }) if count == n)
        );
        return;
    }

    // Reference parse: the first malformed observation wins.
    let parsed: Vec<Result<Code, CodeError>> = inputs
        .iter()
        .map(|(input, _)| match input {
            Input::Text(t) => Code::parse(t, digits),
            Input::Code(c) if c.digits() == digits => Ok(*c),
            Input::Code(c) => Err(CodeError::WrongLength {
                expected: digits.get(),
                found: c.digits().get() as usize,
            }),
        })
        .collect();
    if let Some((index, Err(error))) = parsed.iter().enumerate().find(|(_, p)| p.is_err()) {
        let d = result.expect("malformed input is a verdict, not an error");
        assert_eq!(
            d.verdict(),
            Verdict::Malformed {
                observation: index,
                error: *error
            }
        );
        assert_eq!(d.matched_steps().len(), n);
        assert!(d.offset_range().is_none());
        let _ = d.to_string();
        return;
    }
    if inputs.iter().any(|(_, at)| at.as_secs() < t0) {
        assert!(matches!(result, Err(DiagnoseError::Time(_))));
        return;
    }
    let d = result.expect("well-formed observations after T0 are diagnosed");
    let _ = d.to_string();
    assert!(!matches!(d.verdict(), Verdict::Malformed { .. }));

    // Every matched step's code equals its observation's code.
    let matched = d.matched_steps();
    assert_eq!(matched.len(), n);
    // Each matched code's interval of the offset model:
    // [start(s) - t - 1, start(s) + X - t + d].
    let mut intervals = Vec::new();
    for ((step, code), (_, at)) in matched.iter().zip(&parsed).zip(&inputs) {
        let Some(step) = step else { continue };
        let code = code.as_ref().expect("parsed");
        assert!(
            key.code_at_step(*step) == *code,
            "matched step's code equals the input"
        );
        let start = i128::from(t0) + i128::from(*step) * i128::from(period.as_secs());
        let t = i128::from(at.as_secs());
        let delay = i128::from(options.typing_delay().whole_seconds());
        intervals.push((
            start - t - 1,
            start + i128::from(period.as_secs()) - t + delay,
        ));
    }
    if let Some((lo, hi)) = d.offset_range() {
        let (lo, hi) = (
            i128::from(lo.whole_seconds()),
            i128::from(hi.whole_seconds()),
        );
        let (meet_lo, meet_hi) = intervals
            .iter()
            .fold((i128::MIN, i128::MAX), |(a, b), &(l, h)| {
                (a.max(l), b.min(h))
            });
        let span_lo = intervals.iter().map(|i| i.0).min().expect("matched");
        let span_hi = intervals.iter().map(|i| i.1).max().expect("matched");
        if matches!(d.verdict(), Verdict::EnteredLate { .. }) {
            // Late codes that disagree, or whose agreement would be too cheap
            // to trust, are reported with a range spanning them all.
            assert!(
                lo >= span_lo && hi <= span_hi,
                "inside the span of the late codes"
            );
        } else {
            // Otherwise the codes agree: the estimate lies inside every
            // one's interval.
            assert!(meet_lo <= meet_hi, "a clock verdict from codes that agree");
            assert!(
                lo >= meet_lo && hi <= meet_hi,
                "inside every agreeing interval"
            );
        }
    }
    let agreeing = matched.iter().flatten().count();
    assert_eq!(agreeing, d.agreeing_codes());
    match (d.offset_range(), d.offset()) {
        (Some((lo, hi)), Some(point)) => {
            assert!(lo <= point && point <= hi, "lower <= point <= upper");
            assert!(agreeing >= 1);
        }
        (None, None) => assert_eq!(agreeing, 0),
        other => panic!("range and point disagree: {other:?}"),
    }
    assert_eq!(
        d.verdict() == Verdict::NoMatch,
        d.matches_found() == 0,
        "no match exactly when nothing is reported"
    );
    if d.verdict() == Verdict::NoMatch {
        // A lone or disagreeing match reads exactly like no match.
        assert!(d.matched_steps().iter().all(Option::is_none));
        assert!(d.offset_range().is_none() && !d.is_confirmed());
        assert_eq!(d.agreeing_codes(), 0);
    }
    let chance = d.chance_match();
    assert!((0.0..=1.0).contains(&chance), "{chance}");
    if let Some(k) = d.resync() {
        assert!(k.unsigned_abs() <= u64::from(guard.max_drift()));
        assert!(d.is_confirmed());
    }

    // The order given does not matter when arrivals are distinct (the
    // latest arrival is the latest code; equal times fall back to the order).
    let mut times: Vec<u64> = inputs.iter().map(|(_, at)| at.as_secs()).collect();
    times.sort_unstable();
    times.dedup();
    if times.len() == n {
        let reversed: Vec<Observation<'_>> = observations.iter().rev().copied().collect();
        let (e, _) = diagnose(&guard, &secret, &state, &reversed, &options).expect("same inputs");
        assert_eq!(e.verdict(), d.verdict(), "order-independent verdict");
        assert_eq!(e.offset_range(), d.offset_range());
        assert_eq!(e.agreeing_codes(), d.agreeing_codes());
        assert_eq!(e.resync(), d.resync());
        assert_eq!(e.to_string(), d.to_string());
        let back: Vec<Option<u64>> = e.matched_steps().iter().rev().copied().collect();
        assert_eq!(back, d.matched_steps());
    }
});
