//! The guard: replay refusal, drift learning, throttling, resync, the stored
//! state's text form, and the scenarios of the seed story.
#![expect(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    reason = "test code: unwraps, indexes and computes on known values"
)]

use proptest::prelude::*;
use time::Duration;
use twostep::guard::{Blocked, ConfigError, Outcome, State, StateError, Throttle};
use twostep::otp::KeyedTotp;
use twostep::{Guard, Secret, Totp, UnixTime, Window};

/// 2026-11-27T12:00:05Z: five seconds into a 30 s step.
const NOW: u64 = 1_795_780_805;

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

/// The code an authenticator whose clock reads `phone_secs` shows.
fn phone_code(key: &KeyedTotp, phone_secs: u64) -> String {
    key.generate(at(phone_secs)).unwrap().to_string()
}

fn wait(secs: i64) -> Option<Blocked> {
    Some(Blocked::Throttled {
        retry_after: Duration::seconds(secs),
    })
}

// ---------------------------------------------------------------- throttle

#[test]
fn default_schedule_is_the_documented_table() {
    // The table in Throttle's docs, written out by hand.
    let table: [(u32, Option<Blocked>); 12] = [
        (0, None),
        (1, None),
        (2, None),
        (3, None),
        (4, wait(30)),
        (5, wait(60)),
        (6, wait(120)),
        (7, wait(240)),
        (8, wait(480)),
        (9, wait(900)),
        (10, Some(Blocked::Locked)),
        (100, Some(Blocked::Locked)),
    ];
    for (n, want) in table {
        assert_eq!(Throttle::DEFAULT.after(n), want, "after {n} failures");
    }
    assert_eq!(Throttle::default(), Throttle::DEFAULT);
    assert!(Throttle::DEFAULT.lock_after() <= Throttle::MAX_FAILURES / 10);
}

#[test]
fn throttle_and_guard_configuration_is_validated() {
    let d = Throttle::DEFAULT;
    assert_eq!(
        d.with_lock_after(0),
        Err(ConfigError::LockAfter { failures: 0 })
    );
    assert!(d.with_lock_after(101).is_err());
    assert!(d.with_lock_after(100).is_ok());
    assert_eq!(
        d.with_free_attempts(101),
        Err(ConfigError::FreeAttempts { attempts: 101 })
    );
    let bad = [
        (Duration::ZERO, Duration::seconds(10)),
        (Duration::seconds(-1), Duration::seconds(10)),
        (Duration::milliseconds(1500), Duration::seconds(10)),
        (Duration::seconds(20), Duration::seconds(10)),
        (Duration::seconds(1), Duration::seconds(86_401)),
    ];
    for (first, max) in bad {
        assert_eq!(
            d.with_backoff(first, max),
            Err(ConfigError::Delay),
            "{first} {max}"
        );
    }
    assert!(d.with_backoff(Duration::seconds(1), Duration::DAY).is_ok());
    assert_eq!(
        Guard::new(Totp::new()).with_max_drift(101),
        Err(ConfigError::MaxDrift { steps: 101 })
    );
    // Error texts carry no input.
    let e: twostep::Error = ConfigError::MaxDrift { steps: 101 }.into();
    assert_eq!(
        e.to_string(),
        "drift bound of 101 steps exceeds the maximum of 100"
    );
}

#[test]
fn failures_back_off_from_the_time_given_and_success_clears_them() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let key = guard.key(&owned);
    let mut state = State::new();
    for n in 1..=3 {
        state = guard.record_failure(at(NOW), &state);
        assert_eq!(
            (state.failures(), guard.blocked(at(NOW), &state)),
            (n, None)
        );
    }
    state = guard.record_failure(at(NOW), &state);
    assert_eq!(state.blocked_until(), Some(at(NOW + 30)));
    assert_eq!(guard.blocked(at(NOW + 10), &state), wait(20));
    assert_eq!(guard.blocked(at(NOW + 30), &state), None);
    // A backup-code failure after the wait shares the counter: 5th, 60 s.
    state = guard.record_failure(at(NOW + 30), &state);
    assert_eq!(guard.blocked(at(NOW + 30), &state), wait(60));
    let later = NOW + 90;
    let (o, next) = guard
        .check(&key, &phone_code(&key, later), at(later), &state)
        .unwrap();
    assert!(o.is_accepted());
    assert_eq!((next.failures(), next.blocked_until()), (0, None));
}

// ------------------------------------------------------------- the checks

#[test]
fn replay_of_any_spent_step_in_the_window_is_distinguished() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let key = guard.key(&owned);
    let step = guard.totp().step_at(at(NOW)).unwrap();
    let (o, state) = guard
        .check(
            &key,
            &key.code_at_step(step).to_string(),
            at(NOW),
            &State::new(),
        )
        .unwrap();
    assert!(o.is_accepted());
    // The previous step was never accepted, but it is at or below the last
    // accepted one: refusing it keeps acceptance monotonic.
    for s in [step, step - 1] {
        let (o, next) = guard
            .check(&key, &key.code_at_step(s).to_string(), at(NOW), &state)
            .unwrap();
        assert_eq!(o, Outcome::Replayed, "step {s}");
        // A replay is refused but not counted: the state stays as it was.
        assert_eq!(next, state);
        assert_eq!(next.last_step(), Some(step));
    }
    let (o, _) = guard
        .check(
            &key,
            &key.code_at_step(step + 1).to_string(),
            at(NOW),
            &state,
        )
        .unwrap();
    assert!(o.is_accepted());
}

#[test]
fn a_time_before_t0_is_reported_and_changes_nothing() {
    let guard = Guard::new(Totp::new().with_t0(at(NOW)));
    let state: State = "g1.-.0.2.-".parse().unwrap();
    let before_t0 = Err(twostep::time::TimeError::BeforeT0);
    // An error returns no state to store: the stored one stays as it is,
    // whatever the input (a malformed one is not counted either).
    for input in ["123456", "12a456"] {
        assert_eq!(
            guard.check(&secret(), input, at(NOW - 1), &state),
            before_t0
        );
        let pair = [input, "654321"];
        assert_eq!(
            guard.resync(&secret(), pair, at(NOW - 1), &state),
            before_t0
        );
    }
    assert!(guard.check(&secret(), "123456", at(NOW), &state).is_ok());
}

#[test]
fn a_stored_drift_beyond_the_guard_bound_is_clamped() {
    let guard = Guard::new(Totp::new()).with_max_drift(2).unwrap();
    let owned = secret();
    let key = guard.key(&owned);
    let step = guard.totp().step_at(at(NOW)).unwrap();
    let state: State = "g1.-.50.0.-".parse().unwrap();
    // The window is centred at +2, not +50: +3 is in, +50 is out.
    let code = |s: u64| key.code_at_step(s).to_string();
    assert_eq!(
        guard
            .check(&key, &code(step + 50), at(NOW), &state)
            .unwrap()
            .0,
        Outcome::Invalid
    );
    let (o, next) = guard.check(&key, &code(step + 3), at(NOW), &state).unwrap();
    assert!(o.is_accepted());
    assert_eq!(next.drift(), 2);
}

#[test]
fn drift_rule_adopts_ahead_and_ignores_one_step_of_typing_latency() {
    let guard = Guard::new(Totp::new()).with_window(Window::new(2, 1).unwrap());
    let owned = secret();
    let key = guard.key(&owned);
    let step = guard.totp().step_at(at(NOW)).unwrap();
    let code = |s: u64| key.code_at_step(s).to_string();
    let mut state = State::new();
    // (matched step offset, learned drift afterwards), now advancing one step per row.
    let rows: [(i64, i64); 6] = [(-1, 0), (1, 1), (0, 1), (-1, 0), (-2, -1), (-2, -1)];
    for (i, (offset, drift)) in rows.into_iter().enumerate() {
        let current = step + 10 * i as u64;
        let now = guard.totp().step_start(current).unwrap();
        let s = current.checked_add_signed(offset).unwrap();
        let (o, next) = guard.check(&key, &code(s), now, &state).unwrap();
        let Outcome::Accepted(m) = o else {
            panic!("row {i}: {o:?}")
        };
        assert_eq!((m.step(), m.offset()), (s, offset), "row {i}");
        assert_eq!(next.drift(), drift, "row {i}");
        state = next;
    }
}

#[test]
fn enrolment_confirmation_records_the_step_so_the_first_login_cannot_replay_it() {
    let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(6);
    let secret = Secret::generate(&mut rng);
    let guard = Guard::new(Totp::new());
    let phone = guard.key(&secret);
    // A wrong first try counts like a login failure, in the state kept
    // across confirmation attempts.
    let wrong = if phone_code(&phone, NOW) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (o, pending) = guard.check(&secret, wrong, at(NOW), &State::new()).unwrap();
    assert_eq!((o, pending.failures()), (Outcome::Invalid, 1));
    let shown = phone_code(&phone, NOW + 3);
    let (o, stored) = guard.check(&secret, &shown, at(NOW + 3), &pending).unwrap();
    let Outcome::Accepted(m) = o else {
        panic!("{o:?}")
    };
    assert_eq!(stored.last_step(), Some(m.step()));
    assert_eq!(stored.failures(), 0);
    // First login ten seconds later, same code still on the phone's screen.
    let (o, after) = guard.check(&secret, &shown, at(NOW + 13), &stored).unwrap();
    assert_eq!(o, Outcome::Replayed);
    assert_eq!((after, after.failures()), (stored, 0));
    // The next code logs in.
    let (o, _) = guard
        .check(&secret, &phone_code(&phone, NOW + 30), at(NOW + 31), &after)
        .unwrap();
    assert!(o.is_accepted());
}

#[test]
fn compare_and_swap_lets_only_one_of_two_racing_requests_spend_a_code() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let key = guard.key(&owned);
    let code = phone_code(&key, NOW);
    let mut row = State::new().to_string();
    let cas = |row: &mut String, old: &State, new: &State| {
        let won = *row == old.to_string();
        if won {
            *row = new.to_string();
        }
        won
    };
    // Both requests read the row before either writes.
    let old: State = row.parse().unwrap();
    let (a, new_a) = guard.check(&key, &code, at(NOW), &old).unwrap();
    let (b, new_b) = guard.check(&key, &code, at(NOW + 1), &old).unwrap();
    assert!(a.is_accepted() && b.is_accepted());
    assert!(cas(&mut row, &old, &new_a));
    assert!(!cas(&mut row, &old, &new_b));
    // The loser retries from the fresh row and is refused.
    let fresh: State = row.parse().unwrap();
    let (b, new_b) = guard.check(&key, &code, at(NOW + 1), &fresh).unwrap();
    assert_eq!(b, Outcome::Replayed);
    // Nothing to store for a replay: the row stays as the winner left it.
    assert_eq!(new_b, fresh);
    assert_eq!(row.parse::<State>().unwrap().failures(), 0);
}

#[test]
fn resync_needs_consecutive_fresh_steps_and_counts_failures() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let key = guard.key(&owned);
    let step = guard.totp().step_at(at(NOW)).unwrap();
    let code = |s: u64| key.code_at_step(s).to_string();
    let fresh = State::new();
    // Out of order, a gap, or beyond the ±20-step reach: invalid.
    for pair in [
        [code(step + 5), code(step + 4)],
        [code(step + 4), code(step + 6)],
        [code(step + 20), code(step + 21)],
    ] {
        let (o, s) = guard
            .resync(&key, [&pair[0], &pair[1]], at(NOW), &fresh)
            .unwrap();
        assert_eq!((o, s.failures()), (Outcome::Invalid, 1));
    }
    // At the edges of the reach: accepted, drift ±20.
    for (later, drift) in [(step + 20, 20), (step - 20, -20)] {
        let (o, s) = guard
            .resync(&key, [&code(later - 1), &code(later)], at(NOW), &fresh)
            .unwrap();
        assert!(o.is_accepted());
        assert_eq!((s.drift(), s.last_step()), (drift, Some(later)));
    }
    // A pair touching a spent step is a replay.
    let spent: State = format!("g1.{}.0.0.-", step + 4).parse().unwrap();
    let (o, s) = guard
        .resync(&key, [&code(step + 4), &code(step + 5)], at(NOW), &spent)
        .unwrap();
    assert_eq!((o, s.failures()), (Outcome::Replayed, 0));
    assert_eq!(s, spent);
    let (o, _) = guard
        .resync(&key, [&code(step + 5), &code(step + 6)], at(NOW), &spent)
        .unwrap();
    assert!(o.is_accepted());
}

// -------------------------------------------------------------- scenarios

#[test]
fn scenario_code_typed_forty_seconds_late() {
    let guard = Guard::new(Totp::new());
    let wide = guard.with_window(Window::new(2, 1).unwrap());
    let owned = secret();
    let key = guard.key(&owned);
    let base = guard
        .totp()
        .step_start(guard.totp().step_at(at(NOW)).unwrap())
        .unwrap();
    for phase in 0..30 {
        let read = base.as_secs() + phase;
        let code = phone_code(&key, read);
        let typed = at(read + 40);
        // One step behind when read in the first 20 s of its step, else two.
        let (o, state) = guard.check(&key, &code, typed, &State::new()).unwrap();
        if phase < 20 {
            let Outcome::Accepted(m) = o else {
                panic!("phase {phase}: {o:?}")
            };
            assert_eq!(m.offset(), -1);
            assert_eq!(state.drift(), 0, "slow typing is not drift");
        } else {
            assert_eq!(o, Outcome::Invalid, "phase {phase}");
        }
        // Two steps behind tolerated by a wider window.
        let (o, _) = wide.check(&key, &code, typed, &State::new()).unwrap();
        assert!(o.is_accepted(), "phase {phase}");
    }
}

#[test]
fn scenario_phone_two_minutes_fast() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let phone = guard.key(&owned);
    let fast = |server: u64| phone_code(&phone, server + 120);
    // The window (±1 step) does not reach 4 steps ahead.
    let (o, state) = guard
        .check(&phone, &fast(NOW), at(NOW), &State::new())
        .unwrap();
    assert_eq!(o, Outcome::Invalid);
    // Resync: the code on screen, then the next one 30 s later.
    let first = fast(NOW + 10);
    let second = fast(NOW + 40);
    let (o, state) = guard
        .resync(&phone, [&first, &second], at(NOW + 40), &state)
        .unwrap();
    let Outcome::Accepted(m) = o else {
        panic!("{o:?}")
    };
    assert_eq!(m.offset(), 4);
    assert_eq!((state.drift(), state.failures()), (4, 0));
    // The resync's codes are spent.
    let (o, _) = guard.check(&phone, &second, at(NOW + 41), &state).unwrap();
    assert_eq!(o, Outcome::Replayed);
    // Later logins with the fast phone pass, even typed a step late.
    let (o, state) = guard
        .check(&phone, &fast(NOW + 70), at(NOW + 70), &state)
        .unwrap();
    assert!(o.is_accepted());
    let late = fast(NOW + 100);
    let (o, state) = guard.check(&phone, &late, at(NOW + 125), &state).unwrap();
    assert!(o.is_accepted());
    assert_eq!(state.drift(), 4);
    let (o, _) = guard.check(&phone, &late, at(NOW + 126), &state).unwrap();
    assert_eq!(o, Outcome::Replayed);
}

#[test]
fn scenario_phone_fast_then_resync_then_clock_fixed() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let phone = guard.key(&owned);
    let step = guard.totp().step_at(at(NOW)).unwrap();
    let start = guard.totp().step_start(step).unwrap().as_secs();
    // The phone runs 3 minutes (6 steps) fast: refused, then resynced.
    let fast = |server: u64| phone_code(&phone, server + 180);
    let (o, state) = guard
        .check(&phone, &fast(start + 5), at(start + 5), &State::new())
        .unwrap();
    assert_eq!((o, state.failures()), (Outcome::Invalid, 1));
    let (c1, c2) = (fast(start + 10), fast(start + 40));
    let (o, state) = guard
        .resync(&phone, [&c1, &c2], at(start + 45), &state)
        .unwrap();
    assert!(o.is_accepted(), "{o:?}");
    assert_eq!((state.drift(), state.failures()), (6, 0));
    let (o, state) = guard
        .check(&phone, &fast(start + 70), at(start + 70), &state)
        .unwrap();
    assert!(o.is_accepted(), "{o:?}");
    let spent = state.last_step().unwrap();
    assert_eq!(spent, step + 2 + 6);

    // Ana turns on automatic time. While the real time is still within the
    // steps the fast phone spent, its codes are replays (single use holds)...
    let t = start + 150; // step + 5 <= spent
    let (o, held) = guard
        .check(&phone, &phone_code(&phone, t), at(t), &state)
        .unwrap();
    assert_eq!(
        (o, held.drift(), held.last_step()),
        (Outcome::Replayed, 6, Some(spent))
    );
    // ...and the first code past them logs in with no second resync, the
    // drift back to 0 and the failures cleared.
    let t = guard.totp().step_start(spent + 1).unwrap().as_secs() + 8;
    let (o, state) = guard
        .check(&phone, &phone_code(&phone, t), at(t), &held)
        .unwrap();
    let Outcome::Accepted(m) = o else {
        panic!("{o:?}")
    };
    assert_eq!((m.step(), m.offset()), (spent + 1, 0));
    assert_eq!((state.drift(), state.failures()), (0, 0));
    // From now on the window is around the server's step alone: the old
    // fast codes no longer pass, the right ones do, also typed a step late.
    let t = t + 60;
    let (o, _) = guard.check(&phone, &fast(t), at(t), &state).unwrap();
    assert_eq!(o, Outcome::Invalid);
    let (o, state) = guard
        .check(&phone, &phone_code(&phone, t - 25), at(t), &state)
        .unwrap();
    assert!(o.is_accepted(), "{o:?}");
    assert_eq!(state.drift(), 0);
}

#[test]
fn a_code_in_the_home_window_learns_the_drift_afresh() {
    // (stored drift, offset of the code from the server step, drift after)
    let rows: [(i64, i64, i64); 8] = [
        (6, 0, 0),
        (6, -1, 0),
        (6, 1, 1),
        (-6, 0, 0),
        (-6, -1, 0),
        (-6, 1, 1),
        (3, -1, 0),
        (-2, 1, 1), // learned window -3..-1, home -1..1: +1 only in home
    ];
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let key = guard.key(&owned);
    let step = guard.totp().step_at(at(NOW)).unwrap();
    for (drift, offset, want) in rows {
        let state: State = format!("g1.{}.{drift}.2.-", step - 10).parse().unwrap();
        let code = key.code_at_step(step.checked_add_signed(offset).unwrap());
        let (o, next) = guard
            .check(&key, &code.to_string(), at(NOW), &state)
            .unwrap();
        let Outcome::Accepted(m) = o else {
            panic!("drift {drift}, offset {offset}: {o:?}")
        };
        assert_eq!(m.offset(), offset);
        assert_eq!(
            (next.drift(), next.failures()),
            (want, 0),
            "drift {drift}, offset {offset}"
        );
    }
    // A code in both windows follows the ordinary rule from the stored drift:
    // drift 1, code at +1 (learned centre) keeps 1; at 0 keeps 1 (one behind).
    for (offset, want) in [(1, 1), (0, 1)] {
        let state: State = format!("g1.{}.1.0.-", step - 10).parse().unwrap();
        let code = key.code_at_step(step.checked_add_signed(offset).unwrap());
        let (o, next) = guard
            .check(&key, &code.to_string(), at(NOW), &state)
            .unwrap();
        assert!(o.is_accepted());
        assert_eq!(next.drift(), want, "offset {offset}");
    }
    // With drift learning off (bound 0) there is one window only.
    let off = guard.with_max_drift(0).unwrap();
    let state: State = "g1.-.6.0.-".parse().unwrap();
    let code = key.code_at_step(step + 6).to_string();
    assert_eq!(
        off.check(&key, &code, at(NOW), &state).unwrap().0,
        Outcome::Invalid
    );
}

#[test]
fn scenario_brute_force_of_one_hundred_guesses() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let key = guard.key(&owned);
    let mut state = State::new();
    let mut t = NOW;
    let mut looked_at = 0;
    let mut locked_at = None;
    for guess in 0..100u32 {
        // A patient attacker waits out every back-off.
        if let Some(Blocked::Throttled { retry_after }) = guard.blocked(at(t), &state) {
            t += retry_after.whole_seconds() as u64;
        }
        let input = format!("{guess:06}");
        let (o, next) = guard.check(&key, &input, at(t), &state).unwrap();
        assert!(!o.is_accepted(), "guess {guess} accepted");
        match o {
            Outcome::Invalid | Outcome::Replayed => looked_at += 1,
            Outcome::Locked => {
                locked_at.get_or_insert(guess);
                assert_eq!(next, state);
            }
            other => panic!("guess {guess}: {other:?}"),
        }
        state = next;
    }
    assert_eq!(locked_at, Some(10), "hard lock after 10 looked-at guesses");
    assert_eq!(looked_at, 10);
    // About half an hour of waiting bought those ten guesses.
    assert_eq!(t - NOW, 30 + 60 + 120 + 240 + 480 + 900);
    // Locked means locked: the right code, a day later, is refused unseen.
    let day = t + 86_400;
    let right = phone_code(&key, day);
    assert_eq!(
        guard.check(&key, &right, at(day), &state).unwrap().0,
        Outcome::Locked
    );
    // Recovery (backup code, support) clears the lock; the code then works.
    let (o, _) = guard
        .check(&key, &right, at(day), &state.reset_failures())
        .unwrap();
    assert!(o.is_accepted());
}

// -------------------------------------------------------- the text form

#[test]
fn malformed_state_texts_get_typed_errors() {
    let field = |name: &str| format!("invalid {name} field in guard state");
    let version = || "not a guard state of a known version".to_owned();
    let count = |n: usize| format!("expected 4 fields after the guard state's version, found {n}");
    let drift = || "drift in guard state exceeds 100 steps".to_owned();
    let cases: [(&str, String); 21] = [
        ("", version()),
        ("g2.-.0.0.-", version()),
        ("G1.-.0.0.-", version()),
        (" g1.-.0.0.-", version()),
        ("g1", count(0)),
        ("g1.-.0.0", count(3)),
        ("g1.-.0.0.-.", count(5)),
        ("g1..0.0.-", field("last_step")),
        ("g1.01.0.0.-", field("last_step")),
        ("g1.+1.0.0.-", field("last_step")),
        ("g1.18446744073709551616.0.0.-", field("last_step")),
        ("g1.-.-0.0.-", field("drift")),
        ("g1.-.-.0.-", field("drift")),
        ("g1.-.+1.0.-", field("drift")),
        ("g1.-.101.0.-", drift()),
        ("g1.-.-999999.0.-", drift()),
        ("g1.-.0.4294967296.-", field("failures")),
        ("g1.-.0.-.-", field("failures")),
        ("g1.-.0.0. ", field("blocked_until")),
        ("g1.-.0.0.00", field("blocked_until")),
        (
            "g1.-.0.0.-                                                        ",
            "guard state of 66 bytes exceeds the limit of 64 bytes".to_owned(),
        ),
    ];
    for (text, want) in cases {
        let err: StateError = text.parse::<State>().unwrap_err();
        assert_eq!(err.to_string(), want, "{text:?}");
        // Distinct problems are distinct errors, whatever their texts.
        assert_eq!(err, text.parse::<State>().unwrap_err());
    }
    // The longest canonical text fits the cap.
    let longest = format!("g1.{}.-100.{}.{}", u64::MAX, u32::MAX, u64::MAX);
    assert_eq!(longest.len(), 60);
    assert_eq!(longest.parse::<State>().unwrap().to_string(), longest);
    // Messages carry no input text.
    assert_eq!(
        "g1.01.0.0.-".parse::<State>().unwrap_err().to_string(),
        "invalid last_step field in guard state"
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_uses_the_text_form() {
    let state: State = "g1.59260423.-3.4.1795780830".parse().unwrap();
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(json, "\"g1.59260423.-3.4.1795780830\"");
    assert_eq!(serde_json::from_str::<State>(&json).unwrap(), state);
    let err = serde_json::from_str::<State>("\"g1.-.0.0.x\"").unwrap_err();
    assert!(err.to_string().contains("invalid blocked_until field"));
    assert!(serde_json::from_str::<State>("17").is_err());
}

// ------------------------------------------------------------ properties

fn opt_text(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn state_text() -> impl Strategy<Value = String> {
    (
        proptest::option::of(any::<u64>()),
        -100i32..=100,
        any::<u32>(),
        proptest::option::of(any::<u64>()),
    )
        .prop_map(|(last, drift, failures, blocked)| {
            format!(
                "g1.{}.{drift}.{failures}.{}",
                opt_text(last),
                opt_text(blocked)
            )
        })
}

/// One thing that can happen to an account.
#[derive(Clone, Debug)]
enum Op {
    /// Server time moves forward by this many seconds.
    Wait(u16),
    /// Server time moves back (another server, a clock step).
    Back(u16),
    /// The user types the phone's code, read `latency` seconds earlier.
    Phone { latency: u8 },
    /// Someone sends a previously accepted code again.
    Replay(usize),
    /// A random guess.
    Guess(u32),
    /// Garbage.
    Malformed,
    /// The user resyncs with two consecutive codes from the phone.
    Resync,
    /// A backup-code attempt shares the counter.
    Backup { ok: bool },
    /// The phone's clock changes (fixed, or set wrong), by this many seconds
    /// from the server's.
    Clock(i16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u16..200).prop_map(Op::Wait),
        1 => (0u16..120).prop_map(Op::Back),
        4 => (0u8..50).prop_map(|latency| Op::Phone { latency }),
        2 => any::<usize>().prop_map(Op::Replay),
        2 => (0u32..1_000_000).prop_map(Op::Guess),
        1 => Just(Op::Malformed),
        1 => Just(Op::Resync),
        1 => any::<bool>().prop_map(|ok| Op::Backup { ok }),
        1 => prop_oneof![Just(0i16), -900i16..=900].prop_map(Op::Clock),
    ]
}

fn guard() -> impl Strategy<Value = Guard> {
    (0u32..=3, 0u32..=3, 0u32..=25, any::<bool>()).prop_map(|(behind, ahead, drift, lenient)| {
        let throttle = if lenient {
            Throttle::DEFAULT
                .with_free_attempts(100)
                .and_then(|t| t.with_lock_after(100))
                .unwrap()
        } else {
            Throttle::DEFAULT
        };
        Guard::new(Totp::new())
            .with_window(Window::new(behind, ahead).unwrap())
            .with_max_drift(drift)
            .unwrap()
            .with_throttle(throttle)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// No step is ever accepted twice, the drift stays within its bound,
    /// nothing is accepted (or changed) while throttled, and a check accepts
    /// only within the window around the learned drift or the window around
    /// the server's step, whatever happens (the phone's clock changing too).
    #[test]
    fn no_step_twice_drift_bounded_nothing_while_throttled(
        guard in guard(),
        mut phone_offset in -900i64..=900,
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let owned = secret();
        let key = guard.key(&owned);
        let mut t = NOW;
        let mut state = State::new();
        let mut accepted: Vec<u64> = Vec::new();
        let mut codes: Vec<String> = Vec::new();
        for op in ops {
            let blocked = guard.blocked(at(t), &state);
            let is_resync = matches!(op, Op::Resync);
            let result = match op {
                Op::Wait(s) => { t += u64::from(s); None }
                Op::Back(s) => { t -= u64::from(s); None }
                Op::Phone { latency } => {
                    let read = t.saturating_add_signed(phone_offset) - u64::from(latency);
                    Some(guard.check(&key, &phone_code(&key, read), at(t), &state).unwrap())
                }
                Op::Replay(i) if !codes.is_empty() => {
                    let code = codes[i % codes.len()].clone();
                    Some(guard.check(&key, &code, at(t), &state).unwrap())
                }
                Op::Replay(_) => None,
                Op::Guess(g) => Some(guard.check(&key, &format!("{g:06}"), at(t), &state).unwrap()),
                Op::Malformed => Some(guard.check(&key, "12 34x6", at(t), &state).unwrap()),
                Op::Resync => {
                    let step = guard.totp().step_at(at(t.saturating_add_signed(phone_offset))).unwrap();
                    let (a, b) = (key.code_at_step(step - 1).to_string(), key.code_at_step(step).to_string());
                    Some(guard.resync(&key, [&a, &b], at(t), &state).unwrap())
                }
                Op::Backup { ok } => {
                    // The backup gate: the back-off, never the lock.
                    state = match guard.recovery_blocked(at(t), &state) {
                        None if ok => state.reset_failures(),
                        None => guard.record_failure(at(t), &state),
                        Some(_) => guard.cap_back_off(at(t), &state),
                    };
                    None
                }
                Op::Clock(offset) => { phone_offset = i64::from(offset); None }
            };
            if let Some((outcome, next)) = result {
                if blocked.is_some() {
                    prop_assert_eq!(outcome, Outcome::from(blocked.unwrap()));
                    prop_assert_eq!(next, guard.cap_back_off(at(t), &state));
                }
                if outcome == Outcome::Replayed {
                    prop_assert_eq!(next, state, "a replay is not counted");
                }
                // No wait beyond the throttle's maximum delay, whatever the clock did.
                if let Outcome::Throttled { retry_after } = outcome {
                    prop_assert!(retry_after <= guard.throttle().max_delay());
                }
                if let Outcome::Accepted(m) = outcome {
                    prop_assert!(accepted.iter().all(|&s| s < m.step()), "step {} accepted again", m.step());
                    if !is_resync {
                        let bound = i64::from(guard.max_drift());
                        let drift = state.drift().clamp(-bound, bound);
                        let w = guard.window();
                        prop_assert!(w.contains(m.offset() - drift) || w.contains(m.offset()),
                            "offset {} with drift {}", m.offset(), drift);
                    }
                    prop_assert_eq!(next.last_step(), Some(m.step()));
                    accepted.push(m.step());
                    codes.push(key.code_at_step(m.step()).to_string());
                } else {
                    prop_assert_eq!(next.last_step(), state.last_step());
                }
                state = next;
            }
            prop_assert!(state.drift().unsigned_abs() <= u64::from(guard.max_drift()));
            prop_assert_eq!(state.to_string().parse::<State>().unwrap(), state);
        }
    }

    /// Any throttled or locked state refuses every input, the right code
    /// included, and is returned unchanged but for a deadline beyond the
    /// maximum delay, which is brought to the maximum delay.
    #[test]
    fn throttled_accepts_nothing(
        failures in 0u32..200,
        wait_left in 1u64..100_000,
        last in proptest::option::of(0u64..60_000_000),
        offset in -3i64..=3,
    ) {
        let guard = Guard::new(Totp::new());
        let owned = secret();
        let key = guard.key(&owned);
        let text = format!("g1.{}.0.{failures}.{}", opt_text(last), NOW + wait_left);
        let state: State = text.parse().unwrap();
        prop_assert!(guard.blocked(at(NOW), &state).is_some());
        let step = guard.totp().step_at(at(NOW)).unwrap().checked_add_signed(offset).unwrap();
        let right = key.code_at_step(step).to_string();
        for input in [right.as_str(), "000000", "junk"] {
            let (o, next) = guard.check(&key, input, at(NOW), &state).unwrap();
            let refused = matches!(o, Outcome::Throttled { .. } | Outcome::Locked);
            prop_assert!(refused, "{:?}", o);
            prop_assert_eq!(next, guard.cap_back_off(at(NOW), &state));
            prop_assert_eq!(next == state, wait_left <= 900);
        }
        let (o, next) = guard.resync(&key, [&right, &right], at(NOW), &state).unwrap();
        prop_assert!(!o.is_accepted());
        prop_assert_eq!(next, guard.cap_back_off(at(NOW), &state));
    }

    /// Canonical text round-trips exactly, through the state and back.
    #[test]
    fn state_text_round_trips(text in state_text()) {
        let state: State = text.parse().unwrap();
        prop_assert_eq!(state.to_string(), text);
    }

    /// Arbitrary text never panics the parser, and whatever parses is
    /// canonical (prints back as the same text).
    #[test]
    fn arbitrary_state_text_never_panics(
        text in prop_oneof![any::<String>(), "[g1.\\-0-9]{0,70}", "g1\\.[\\-0-9]{0,22}\\.[\\-0-9]{0,5}\\.[0-9]{0,11}\\.[\\-0-9]{0,21}"],
    ) {
        if let Ok(state) = text.parse::<State>() {
            prop_assert_eq!(state.to_string(), text);
        }
    }

    /// Any valid schedule: free attempts cost nothing, delays never shrink
    /// and stay within bounds, and the lock comes exactly at `lock_after`.
    #[test]
    fn throttle_schedule_is_monotone_and_bounded(
        free in 0u32..=100,
        lock in 1u32..=100,
        first in 1i64..=600,
        extra in 0i64..=86_000,
    ) {
        let max = (first + extra).min(86_400);
        let t = Throttle::DEFAULT
            .with_free_attempts(free).unwrap()
            .with_lock_after(lock).unwrap()
            .with_backoff(Duration::seconds(first), Duration::seconds(max)).unwrap();
        let mut previous = Duration::ZERO;
        for n in 0..=120u32 {
            match t.after(n) {
                None => prop_assert!(n <= free && n < lock),
                Some(Blocked::Throttled { retry_after }) => {
                    prop_assert!(n > free && n < lock);
                    prop_assert!(retry_after >= previous && retry_after <= Duration::seconds(max));
                    prop_assert!(retry_after >= Duration::seconds(first));
                    previous = retry_after;
                }
                Some(Blocked::Locked) => prop_assert!(n >= lock),
                Some(other) => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }

    /// A phone off by any drift within the bound gets back in by resync,
    /// then logs in with its next code.
    #[test]
    fn resync_recovers_any_drift_within_the_bound(
        bound in 1u32..=40,
        skew_steps in -40i64..=40,
        into_step in 0u64..30,
    ) {
        prop_assume!(skew_steps.unsigned_abs() <= u64::from(bound));
        let guard = Guard::new(Totp::new()).with_max_drift(bound).unwrap();
        let owned = secret();
        let key = guard.key(&owned);
        let base = guard.totp().step_start(guard.totp().step_at(at(NOW)).unwrap()).unwrap().as_secs();
        let now = base + into_step;
        let phone = now.checked_add_signed(skew_steps * 30).unwrap();
        let (a, b) = (phone_code(&key, phone - 30), phone_code(&key, phone));
        let (o, state) = guard.resync(&key, [&a, &b], at(now), &State::new()).unwrap();
        prop_assert!(o.is_accepted());
        prop_assert_eq!(state.drift(), skew_steps);
        let (o, _) = guard.check(&key, &phone_code(&key, phone + 30), at(now + 30), &state).unwrap();
        prop_assert!(o.is_accepted());
    }
}

// ---------------------------------------------------------------- edges

#[test]
fn guard_config_bounds_are_inclusive() {
    use twostep::Guard;
    use twostep::guard::Throttle;
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
    use twostep::Guard;
    use twostep::guard::State;
    let guard = Guard::new(Totp::new());
    let now = UnixTime::from_secs(1_000);
    let backing_off: State = "g1.-.0.4.1030".parse().unwrap();
    assert!(guard.blocked(now, &backing_off).is_some());
    let reset = backing_off.reset_failures();
    assert_eq!(reset.failures(), 0);
    assert_eq!(guard.blocked(now, &reset), None);
    assert_eq!(reset.to_string(), "g1.-.0.0.-");
}

#[test]
fn guard_state_length_cap_is_inclusive() {
    use twostep::guard::{State, StateError};
    let at_cap = "x".repeat(State::MAX_LEN);
    let too_long = |e: StateError| e.to_string().contains("exceeds the limit");
    assert!(!too_long(at_cap.parse::<State>().unwrap_err()));
    let over = "x".repeat(State::MAX_LEN + 1);
    assert!(too_long(over.parse::<State>().unwrap_err()));
}

#[cfg(feature = "serde")]
#[test]
fn guard_state_serde_explains_what_it_expects() {
    let err = serde_json::from_str::<twostep::guard::State>("5").unwrap_err();
    assert!(
        err.to_string().contains("a twostep guard state string"),
        "{err}"
    );
    let ok: twostep::guard::State = serde_json::from_str("\"g1.7.-2.1.-\"").unwrap();
    assert_eq!(serde_json::to_string(&ok).unwrap(), "\"g1.7.-2.1.-\"");
}

#[test]
fn the_locking_failure_starts_the_maximum_back_off_for_backup_codes() {
    use twostep::Guard;
    use twostep::guard::{Blocked, State};
    let guard = Guard::new(Totp::new());
    let now = UnixTime::from_secs(10_000);
    let nine: State = "g1.-.0.9.-".parse().unwrap();
    let locked = guard.record_failure(now, &nine);
    // The lock lasts until reset_failures, whatever the time; the deadline
    // stored with it is the maximum back-off, for backup codes only.
    assert_eq!(locked.to_string(), "g1.-.0.10.10900");
    assert_eq!(guard.blocked(now, &locked), Some(Blocked::Locked));
    let much_later = UnixTime::from_secs(10_000 + 86_400 * 365);
    assert_eq!(guard.blocked(much_later, &locked), Some(Blocked::Locked));
    assert_eq!(guard.recovery_blocked(much_later, &locked), None);
}

#[test]
fn a_resync_pair_that_matches_nothing_is_invalid_even_next_to_spent_steps() {
    use twostep::Guard;
    use twostep::guard::{Outcome, State};
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
    let state: State = format!("g1.{current}.0.0.-").parse().unwrap();
    let (outcome, next) = guard.resync(&secret, [&a, &b], now, &state).unwrap();
    assert_eq!(outcome, Outcome::Invalid);
    assert_eq!(next.failures(), 1);
    // And a real pair at spent steps is a replay.
    let (c1, c2) = (key.code_at_step(current - 1), key.code_at_step(current));
    let (outcome, _) = guard
        .resync(&secret, [&c1.to_string(), &c2.to_string()], now, &state)
        .unwrap();
    assert_eq!(outcome, Outcome::Replayed);
}

#[test]
fn a_key_prepared_by_another_guard_is_checked_with_this_guards_parameters() {
    use twostep::otp::{Algorithm, Digits};
    let secret = secret();
    let sha256 = Guard::new(
        Totp::new()
            .with_algorithm(Algorithm::Sha256)
            .with_digits(Digits::EIGHT),
    );
    let default = Guard::new(Totp::new());
    let foreign = default.key(&secret); // SHA-1, 6 digits
    let now = at(NOW);
    let code = sha256.totp().generate(&secret, now).unwrap().to_string();
    let fresh = State::new();
    let with_secret = sha256.check(&secret, &code, now, &fresh).unwrap();
    assert!(with_secret.0.is_accepted());
    assert_eq!(
        sha256.check(&foreign, &code, now, &fresh).unwrap(),
        with_secret
    );
    let c1 = sha256.totp().key(&secret).code_at_step(10).to_string();
    let c2 = sha256.totp().key(&secret).code_at_step(11).to_string();
    let later = sha256.totp().step_start(11).unwrap();
    let resynced = sha256.resync(&foreign, [&c1, &c2], later, &fresh).unwrap();
    assert_eq!(
        resynced,
        sha256.resync(&secret, [&c1, &c2], later, &fresh).unwrap()
    );
    assert!(resynced.0.is_accepted());
    // And the six-digit guard refuses the eight-digit code as malformed.
    let (o, _) = default.check(&foreign, &code, now, &fresh).unwrap();
    assert!(matches!(o, Outcome::Malformed(_)));
}

// ------------------------------------------- one gate for every code kind

/// The gate an application asks before looking at a backup code.
fn backup_gate(guard: &Guard, now: UnixTime, state: &State) -> Option<Blocked> {
    guard.recovery_blocked(now, state)
}

#[test]
fn backup_codes_pass_the_lock_but_each_attempt_after_it_waits_the_maximum_back_off() {
    let guard = Guard::new(Totp::new());
    let max = guard.throttle().max_delay().whole_seconds() as u64;
    let mut state = State::new();
    let mut t = NOW;
    // Ten wrong TOTP codes, each waiting out its back-off: locked.
    while guard.blocked(at(t), &state) != Some(Blocked::Locked) {
        if let Some(Blocked::Throttled { retry_after }) = guard.blocked(at(t), &state) {
            t += retry_after.whole_seconds() as u64;
        }
        state = guard.record_failure(at(t), &state);
    }
    // Locked for TOTP codes, whenever.
    assert_eq!(guard.blocked(at(t + 86_400), &state), Some(Blocked::Locked));
    // 200 wrong backup codes in the same second as the lock: none looked at.
    let looked_at = (0..200)
        .filter(|_| {
            let open = backup_gate(&guard, at(t), &state).is_none();
            if open {
                state = guard.record_failure(at(t), &state);
            }
            open
        })
        .count();
    assert_eq!(looked_at, 0, "backup attempts in the second of the lock");
    // After the maximum back-off one is looked at; failing, it starts another.
    assert!(backup_gate(&guard, at(t + max - 1), &state).is_some());
    assert_eq!(backup_gate(&guard, at(t + max), &state), None);
    state = guard.record_failure(at(t + max), &state);
    assert_eq!(
        backup_gate(&guard, at(t + max), &state),
        Some(Blocked::Throttled {
            retry_after: guard.throttle().max_delay()
        })
    );
    // A right backup code after that wait is looked at, and the reset opens TOTP again.
    assert_eq!(backup_gate(&guard, at(t + 2 * max), &state), None);
    assert_eq!(
        guard.blocked(at(t + 2 * max), &state.reset_failures()),
        None
    );
}

// ------------------------------------------------------------- replays

#[test]
fn a_replayed_code_counts_toward_neither_the_back_off_nor_the_lock() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let key = guard.key(&owned);
    let code = phone_code(&key, NOW);
    let (o, signed_in) = guard.check(&key, &code, at(NOW), &State::new()).unwrap();
    assert!(o.is_accepted());
    // A double submit, twenty times over: each refused as a replay, nothing counted.
    for k in 0..20 {
        let (o, next) = guard.check(&key, &code, at(NOW + 1), &signed_in).unwrap();
        assert_eq!(o, Outcome::Replayed, "submit {k}");
        assert_eq!(next, signed_in, "submit {k}");
    }
    // The same for a resync over spent steps.
    let step = guard.totp().step_at(at(NOW)).unwrap();
    let (c1, c2) = (
        key.code_at_step(step - 1).to_string(),
        key.code_at_step(step).to_string(),
    );
    let (o, next) = guard
        .resync(&key, [&c1, &c2], at(NOW + 1), &signed_in)
        .unwrap();
    assert_eq!(o, Outcome::Replayed);
    assert_eq!(next, signed_in);
    // The user who just signed in is not throttled.
    assert_eq!(guard.blocked(at(NOW + 1), &signed_in), None);
    let next_code = phone_code(&key, NOW + 30);
    let (o, _) = guard
        .check(&key, &next_code, at(NOW + 30), &signed_in)
        .unwrap();
    assert!(o.is_accepted());
}

// ------------------------------------------- a clock that stepped back

#[test]
fn a_back_off_deadline_beyond_the_maximum_delay_waits_the_maximum_delay() {
    let guard = Guard::new(Totp::new());
    let max = guard.throttle().max_delay();
    let owned = secret();
    let key = guard.key(&owned);
    // Four failures while the host clock ran 30 days ahead, then corrected.
    let ahead = NOW + 30 * 86_400;
    let mut state = State::new();
    for _ in 0..4 {
        state = guard.record_failure(at(ahead), &state);
    }
    let right = phone_code(&key, NOW);
    let (o, refused) = guard.check(&key, &right, at(NOW), &state).unwrap();
    let Outcome::Throttled { retry_after } = o else {
        panic!("{o:?}")
    };
    assert!(retry_after <= max, "{retry_after}");
    for gate in [
        guard.blocked(at(NOW), &state),
        backup_gate(&guard, at(NOW), &state),
    ] {
        let Some(Blocked::Throttled { retry_after }) = gate else {
            panic!("{gate:?}")
        };
        assert!(retry_after <= max, "{retry_after}");
    }
    // Once the maximum delay has passed, the right code gets in.
    let later = NOW + max.whole_seconds() as u64;
    let code = phone_code(&key, later);
    let (o, _) = guard.check(&key, &code, at(later), &refused).unwrap();
    assert!(o.is_accepted(), "{o:?}");
    // At the end of time: the wait is still at most the maximum delay.
    for (deadline, now) in [(u64::MAX, u64::MAX - 5), (u64::MAX, 0), (u64::MAX, NOW)] {
        let state: State = format!("g1.-.0.4.{deadline}").parse().unwrap();
        let Some(Blocked::Throttled { retry_after }) = guard.blocked(at(now), &state) else {
            panic!("blocked at {now}")
        };
        assert!(retry_after <= max, "{retry_after} at {now}");
    }
}
