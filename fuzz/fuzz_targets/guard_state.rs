//! `State` text and the guard's transitions.
//!
//! Input: `<state text>\n<program>` (see `Reader` in `src/lib.rs` and
//! `fuzz/seeds.py`). The text is arbitrary bytes for `State::from_str`;
//! the program configures a `Guard` (TOTP parameters, window, drift bound,
//! throttle, key) and runs up to 16 operations from the parsed state (or a
//! new one): `check`, `resync`, `record_failure` and `reset_failures`, each
//! at an arbitrary time, with raw input or the real code of a chosen step.
//!
//! Oracles: nothing panics; a text that parses prints back identically and
//! re-parses equal; every state after every transition round-trips through
//! its text and fits `State::MAX_LEN`; nothing is accepted (and the
//! state does not change, but for a back-off deadline capped at the maximum
//! delay) while `blocked` says throttled or locked, the outcome is exactly
//! that block and no wait exceeds the maximum delay; no step is accepted
//! twice and every accepted step lies above the last one; an acceptance
//! records its step, clears the failures and leaves |drift| ≤ the bound; a
//! replay changes nothing; every other counted outcome is exactly
//! `record_failure`; a failure at the lock leaves backup codes (the
//! `recovery_blocked` gate) the maximum back-off; `check` and `resync` equal an
//! independent reference scan of the window / resync range (so an accepted
//! step's code equals the input); the real code of a fresh step in the
//! window is accepted; a punished failure blocks the next attempt at once
//! (unless the back-off would end past `u64::MAX` seconds).
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use twostep::guard::{Blocked, Outcome, State, Throttle};
use twostep::otp::{KeyedTotp, Period};
use twostep::{Code, Guard, Totp, UnixTime, Window};
use twostep_fuzz::{Reader, Typed, algorithm, digits, secret, separator, split_line, type_code};

const MAX_OPS: usize = 16;

fn round_trip(state: &State) {
    let text = state.to_string();
    assert!(text.len() <= State::MAX_LEN, "{text}");
    assert_eq!(text.parse::<State>(), Ok(*state), "{text}");
}

/// Parsing half: arbitrary bytes; exact round trip when they parse.
fn parse(text: &[u8]) -> Option<State> {
    let text = std::str::from_utf8(text).ok()?;
    match text.parse::<State>() {
        Ok(state) => {
            assert!(text.len() <= State::MAX_LEN);
            assert_eq!(
                state.to_string(),
                text,
                "canonical text prints back identically"
            );
            round_trip(&state);
            assert!(state.drift().unsigned_abs() <= u64::from(Guard::MAX_DRIFT_STEPS));
            Some(state)
        }
        Err(e) => {
            if text.len() > State::MAX_LEN {
                assert!(
                    e.to_string()
                        .contains(&format!("of {} bytes exceeds", text.len()))
                );
            }
            let _ = e.to_string();
            None
        }
    }
}

fn window(r: &mut Reader) -> Window {
    let (behind, ahead) = (u32::from(r.u8()), u32::from(r.u8()));
    match Window::new(behind, ahead) {
        Ok(w) => {
            assert!(behind <= 100 && ahead <= 100);
            w
        }
        Err(_) => {
            assert!(behind > 100 || ahead > 100);
            Window::new(behind % 101, ahead % 101).expect("<= 100 is valid")
        }
    }
}

fn throttle(r: &mut Reader) -> Throttle {
    let (free, lock) = (u32::from(r.u8()), u32::from(r.u8()));
    let (first, max) = (i64::from(r.u32()), i64::from(r.u32()));
    let mut t = Throttle::DEFAULT;
    match t.with_free_attempts(free) {
        Ok(n) => t = n,
        Err(_) => assert!(free > Throttle::MAX_FAILURES),
    }
    match t.with_lock_after(lock) {
        Ok(n) => t = n,
        Err(_) => assert!(lock == 0 || lock > Throttle::MAX_FAILURES),
    }
    let limit = Throttle::MAX_DELAY.whole_seconds();
    let (first, max) = (time::Duration::seconds(first), time::Duration::seconds(max));
    match t.with_backoff(first, max) {
        Ok(n) => t = n,
        Err(_) => {
            let (f, m) = (first.whole_seconds(), max.whole_seconds());
            assert!(f < 1 || f > m || m > limit);
        }
    }
    t
}

/// The time of the next operation, relative to the previous one or absolute.
fn next_time(r: &mut Reader, now: u64) -> u64 {
    match r.u8() % 4 {
        0 => now,
        1 => now.saturating_add(u64::from(r.u16())),
        2 => now.saturating_sub(u64::from(r.u16())),
        _ => r.u64(),
    }
}

/// The code of `step` as typed, or `None` when the step does not exist.
fn real(key: &KeyedTotp, center: Option<u64>, offset: i16, sep: u8) -> Option<String> {
    let step = center?.checked_add_signed(i64::from(offset))?;
    Some(type_code(&key.code_at_step(step), separator(sep)))
}

/// Reference for `check`: the window around `center` (current step plus
/// the learned drift), nearest first; then, while a drift is learned, the
/// steps of the window around the server's own step (`home`) that the first
/// window does not hold, nearest first. The first fresh match wins, else any
/// spent match is a replay.
fn reference_check(
    key: &KeyedTotp,
    code: &Code,
    center: u64,
    home: Option<u64>,
    w: Window,
    last: Option<u64>,
) -> Option<Result<u64, ()>> {
    let reach = i64::from(w.behind().max(w.ahead()));
    let in_window = |c: u64, step: u64| {
        let off = i128::from(step) - i128::from(c);
        -i128::from(w.behind()) <= off && off <= i128::from(w.ahead())
    };
    let mut order = Vec::new();
    for c in std::iter::once(center).chain(home) {
        for k in 0..=reach {
            for offset in if k == 0 { vec![0] } else { vec![-k, k] } {
                if offset < -i64::from(w.behind()) || offset > i64::from(w.ahead()) {
                    continue;
                }
                let Some(step) = c.checked_add_signed(offset) else {
                    continue;
                };
                if c != center && in_window(center, step) {
                    continue; // already evaluated in the drift window
                }
                order.push(step);
            }
        }
    }
    let mut spent = false;
    for step in order {
        if key.code_at_step(step) == *code {
            if last.is_none_or(|l| step > l) {
                return Some(Ok(step));
            }
            spent = true;
        }
    }
    spent.then_some(Err(()))
}

/// Reference for `resync`: the lowest fresh pair (k − 1, k) with k in
/// current ± bound, else any spent pair is a replay.
fn reference_resync(
    key: &KeyedTotp,
    [first, second]: [&Code; 2],
    current: u64,
    bound: u64,
    last: Option<u64>,
) -> Option<Result<u64, ()>> {
    let lo = u128::from(current).saturating_sub(u128::from(bound)).max(1);
    let hi = u128::from(current) + u128::from(bound);
    let mut spent = false;
    for k in lo..=hi {
        let Ok(k) = u64::try_from(k) else { break };
        if key.code_at_step(k - 1) == *first && key.code_at_step(k) == *second {
            if last.is_none_or(|l| k - 1 > l) {
                return Some(Ok(k));
            }
            spent = true;
        }
    }
    spent.then_some(Err(()))
}

fuzz_target!(|data: &[u8]| {
    let (text, program) = split_line(data);
    let parsed = parse(text);
    if program.is_empty() {
        return;
    }
    let mut r = Reader::new(program);

    let period = match Period::new(u64::from(r.u32())) {
        Ok(p) => p,
        Err(_) => Period::DEFAULT,
    };
    let totp = Totp::new()
        .with_algorithm(algorithm(r.u8()))
        .with_digits(digits(r.u8()))
        .with_period(period)
        .with_t0(UnixTime::from_secs(u64::from(r.u32())));
    let mut guard = Guard::new(totp).with_window(window(&mut r));
    let drift_bound = u32::from(r.u8());
    match guard.with_max_drift(drift_bound) {
        Ok(g) => {
            assert_eq!(g.max_drift(), drift_bound);
            guard = g;
        }
        Err(_) => assert!(drift_bound > Guard::MAX_DRIFT_STEPS),
    }
    guard = guard.with_throttle(throttle(&mut r));
    let secret = secret(r.blob());
    let key = guard.key(&secret);
    // Prepared with the default parameters, which may differ from the guard's.
    let foreign = Guard::new(Totp::new()).key(&secret);
    let bound = i64::from(guard.max_drift());
    let mut now = r.u64();

    let mut state = parsed.unwrap_or_default();
    let mut accepted: HashSet<u64> = HashSet::new();
    for _ in 0..MAX_OPS {
        if r.is_empty() {
            break;
        }
        let op = r.u8() % 4;
        now = next_time(&mut r, now);
        let at = UnixTime::from_secs(now);
        let blocked = guard.blocked(at, &state);
        let current = guard.totp().step_at(at).ok();
        let center = current.map(|c| c.saturating_add_signed(state.drift().clamp(-bound, bound)));

        let (outcome, next, reference, real_fresh) = match op {
            0 => {
                let (input, real_step) = match r.typed() {
                    Typed::Raw(s) => (s, None),
                    Typed::Real { offset, separator } => {
                        let step = center.and_then(|c| c.checked_add_signed(offset.into()));
                        let typed = step.map(|s| type_code(&key.code_at_step(s), separator));
                        (typed.unwrap_or_default(), step.map(|s| (s, offset)))
                    }
                };
                let checked = guard.check(&secret, &input, at, &state);
                assert_eq!(
                    guard.check(&key, &input, at, &state),
                    checked,
                    "secret and prepared key agree"
                );
                assert_eq!(
                    guard.check(&foreign, &input, at, &state),
                    checked,
                    "a key prepared for other parameters is keyed again"
                );
                let Ok((outcome, next)) = checked else {
                    assert!(current.is_none(), "a time error only without a step");
                    continue;
                };
                let code = Code::parse(&input, guard.totp().digits());
                let reference = match (&code, center) {
                    (Ok(code), Some(center)) => {
                        let home = current.filter(|&c| c != center);
                        reference_check(&key, code, center, home, guard.window(), state.last_step())
                    }
                    _ => None,
                };
                if let Outcome::Accepted(m) = outcome {
                    let code = code.as_ref().expect("accepted input parses");
                    assert!(key.code_at_step(m.step()) == *code);
                    // Inside the drift window, or (while a drift is
                    // learned) the window around the server's own step.
                    let w = guard.window();
                    let inside = |c: u64| {
                        let off = i128::from(m.step()) - i128::from(c);
                        -i128::from(w.behind()) <= off && off <= i128::from(w.ahead())
                    };
                    assert!(inside(center.expect("a step")) || inside(current.expect("a step")));
                }
                if let (Err(e), None) = (&code, blocked) {
                    assert_eq!(outcome, Outcome::Malformed(*e));
                }
                let fresh = real_step.is_some_and(|(s, offset)| {
                    guard.window().contains(offset.into())
                        && state.last_step().is_none_or(|l| s > l)
                });
                (outcome, next, reference, fresh)
            }
            1 => {
                let (inputs, real_step) = if r.u8().is_multiple_of(2) {
                    let offset = r.i16();
                    let k = current.and_then(|c| c.checked_add_signed(offset.into()));
                    let (s1, s2) = (r.u8(), r.u8());
                    let earlier = k.and_then(|k| k.checked_sub(1));
                    let pair = earlier.zip(k).and_then(|(e, k)| {
                        Some([real(&key, Some(e), 0, s1)?, real(&key, Some(k), 0, s2)?])
                    });
                    let fresh = k.zip(earlier).filter(|&(_, e)| {
                        i64::from(offset).abs() <= bound && state.last_step().is_none_or(|l| e > l)
                    });
                    (pair.unwrap_or_default(), fresh)
                } else {
                    ([r.text(), r.text()], None)
                };
                let pair = [inputs[0].as_str(), inputs[1].as_str()];
                let resynced = guard.resync(&secret, pair, at, &state);
                assert_eq!(guard.resync(&key, pair, at, &state), resynced);
                assert_eq!(guard.resync(&foreign, pair, at, &state), resynced);
                let Ok((outcome, next)) = resynced else {
                    assert!(current.is_none(), "a time error only without a step");
                    continue;
                };
                let d = guard.totp().digits();
                let codes = (Code::parse(pair[0], d), Code::parse(pair[1], d));
                let reference = match (&codes, current) {
                    ((Ok(a), Ok(b)), Some(current)) => reference_resync(
                        &key,
                        [a, b],
                        current,
                        guard.max_drift().into(),
                        state.last_step(),
                    ),
                    _ => None,
                };
                if let Outcome::Accepted(m) = outcome {
                    assert_eq!(next.drift(), m.offset().clamp(-bound, bound));
                    assert!(m.offset().abs() <= bound);
                }
                (outcome, next, reference, real_step.is_some())
            }
            2 => {
                let next = guard.record_failure(at, &state);
                assert_eq!(next.failures(), state.failures().saturating_add(1));
                assert_eq!(
                    (next.last_step(), next.drift()),
                    (state.last_step(), state.drift())
                );
                match guard.throttle().after(next.failures()) {
                    Some(Blocked::Locked) => {
                        assert_eq!(guard.blocked(at, &next), Some(Blocked::Locked));
                        // Backup codes pass the lock, after the maximum back-off.
                        let max = guard.throttle().max_delay();
                        if now.checked_add(max.whole_seconds() as u64).is_some() {
                            let wait = Some(Blocked::Throttled { retry_after: max });
                            assert_eq!(guard.recovery_blocked(at, &next), wait);
                        }
                    }
                    // Unless the back-off's end saturates at the end of time
                    // (`now` = u64::MAX s): no later instant is representable.
                    Some(Blocked::Throttled { retry_after })
                        if now
                            .checked_add(retry_after.whole_seconds() as u64)
                            .is_some() =>
                    {
                        assert!(guard.blocked(at, &next).is_some(), "punished at once");
                    }
                    _ => {}
                }
                round_trip(&next);
                state = next;
                continue;
            }
            _ => {
                let next = state.reset_failures();
                assert_eq!(next.failures(), 0);
                assert_eq!(next.blocked_until(), None);
                assert_eq!(
                    (next.last_step(), next.drift()),
                    (state.last_step(), state.drift())
                );
                round_trip(&next);
                state = next;
                continue;
            }
        };

        round_trip(&next);
        if let Some(b) = blocked {
            assert_eq!(outcome, Outcome::from(b), "refused unseen while blocked");
            assert_eq!(
                next,
                guard.cap_back_off(at, &state),
                "nothing counted while blocked"
            );
            if let Outcome::Throttled { retry_after } = outcome {
                assert!(retry_after <= guard.throttle().max_delay(), "wait capped");
            }
            continue;
        }
        match outcome {
            Outcome::Accepted(m) => {
                assert!(
                    accepted.insert(m.step()),
                    "step {} accepted twice",
                    m.step()
                );
                assert!(state.last_step().is_none_or(|l| m.step() > l));
                assert_eq!(next.last_step(), Some(m.step()));
                assert_eq!((next.failures(), next.blocked_until()), (0, None));
                assert!(next.drift().abs() <= bound);
                let current = current.expect("accepted at a step");
                assert_eq!(
                    i128::from(m.offset()),
                    i128::from(m.step()) - i128::from(current)
                );
                assert_eq!(reference, Some(Ok(m.step())), "equals the reference");
            }
            Outcome::Replayed => {
                assert_eq!(next, state, "a replay is not counted");
                assert_eq!(reference, Some(Err(())));
            }
            Outcome::Malformed(_) | Outcome::Invalid => {
                assert_eq!(next, guard.record_failure(at, &state));
                if outcome == Outcome::Invalid {
                    assert_eq!(reference, None);
                }
            }
            other => panic!("{other:?} without a block"),
        }
        if real_fresh {
            assert!(
                outcome.is_accepted(),
                "a real fresh code is accepted: {outcome:?}"
            );
        }
        state = next;
    }
});
