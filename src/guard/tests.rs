//! Unit tests of the guard: evaluation counts (each window step exactly
//! once) and the refusals that compute nothing.

use super::*;
use crate::test_counter::{HMAC, count};
use crate::time::UnixTime;

fn evaluations() -> u64 {
    count(&HMAC)
}

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

const NOW: UnixTime = UnixTime::from_secs(1_111_111_109);

#[test]
fn throttled_and_locked_attempts_evaluate_no_hmac_and_change_nothing() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let key = guard.key(&owned);
    let right = key.generate(NOW).unwrap().to_string();
    let mut state = State::new();
    for _ in 0..4 {
        state = guard.record_failure(NOW, &state);
    }
    let locked: State = "g1.-.0.10.-".parse().unwrap();
    for (state, want) in [
        (
            state,
            Outcome::Throttled {
                retry_after: time::Duration::seconds(30),
            },
        ),
        (locked, Outcome::Locked),
    ] {
        for input in [right.as_str(), "000000", "not a code"] {
            let before = evaluations();
            assert_eq!(
                guard.check(&secret(), input, NOW, &state).unwrap(),
                (want, state)
            );
            assert_eq!(
                guard.check(&key, input, NOW, &state).unwrap(),
                (want, state)
            );
            let pair = [input, input];
            assert_eq!(
                guard.resync(&secret(), pair, NOW, &state).unwrap(),
                (want, state)
            );
            assert_eq!(
                guard.resync(&key, pair, NOW, &state).unwrap(),
                (want, state)
            );
            assert_eq!(evaluations(), before, "input {input:?}");
        }
    }
}

#[test]
fn malformed_input_evaluates_no_hmac_but_counts() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let key = guard.key(&owned);
    let before = evaluations();
    for input in ["", "12345", "1234567", "12a456", " 123456", "١٢٣٤٥٦"] {
        let (o, s) = guard.check(&secret(), input, NOW, &State::new()).unwrap();
        assert!(matches!(o, Outcome::Malformed(_)), "{input:?}");
        assert_eq!(s.failures(), 1);
        let (o, s) = guard.check(&key, input, NOW, &State::new()).unwrap();
        assert!(matches!(o, Outcome::Malformed(_)));
        assert_eq!(s.failures(), 1);
        let (o, s) = guard
            .resync(&secret(), ["287082", input], NOW, &State::new())
            .unwrap();
        assert!(matches!(o, Outcome::Malformed(_)));
        assert_eq!(s.failures(), 1);
    }
    assert_eq!(evaluations(), before);
}

#[test]
fn whole_window_is_evaluated_whatever_matches() {
    let guard = Guard::new(Totp::new()).with_window(Window::new(2, 3).unwrap());
    let owned = secret();
    let key = guard.key(&owned);
    let current = guard.totp().step_at(NOW).unwrap();
    // Accepted at the centre, replayed, and invalid: six evaluations each.
    let code = key.code_at_step(current).to_string();
    let mut state = State::new();
    for want in [None, Some(Outcome::Replayed), Some(Outcome::Invalid)] {
        let input = if want == Some(Outcome::Invalid) {
            "000000"
        } else {
            code.as_str()
        };
        let before = evaluations();
        let (o, next) = guard.check(&key, input, NOW, &state).unwrap();
        assert_eq!(evaluations() - before, 6);
        match want {
            None => assert!(o.is_accepted()),
            Some(w) => assert_eq!(o, w),
        }
        state = next;
    }
}

/// The check evaluates the union of the learned window and the home
/// window: every step of it (each is accepted when it holds the code),
/// nothing outside it, and each step once (evaluations = union size).
#[test]
fn union_of_learned_and_home_windows_evaluates_each_step_once() {
    // (behind, ahead, drift, distinct steps in the union)
    let cases: [(u32, u32, i64, u64); 10] = [
        (1, 1, 0, 3),
        (1, 1, 6, 6),
        (1, 1, -6, 6),
        (1, 1, 1, 4),
        (1, 1, -1, 4),
        (1, 1, 2, 5),
        (1, 1, 3, 6),
        (2, 1, 3, 7),
        (2, 1, -2, 6),
        (0, 0, 5, 2),
    ];
    for (behind, ahead, drift, size) in cases {
        let guard = Guard::new(Totp::new())
            .with_window(Window::new(behind, ahead).unwrap())
            .with_max_drift(20)
            .unwrap();
        let owned = secret();
        let key = guard.key(&owned);
        let current = guard.totp().step_at(NOW).unwrap();
        let state: State = format!("g1.-.{drift}.0.-").parse().unwrap();
        let learned = |k: i64| (k - drift) >= -i64::from(behind) && (k - drift) <= i64::from(ahead);
        let home = |k: i64| k >= -i64::from(behind) && k <= i64::from(ahead);
        for k in -12i64..=12 {
            let step = current.checked_add_signed(k).unwrap();
            let code = key.code_at_step(step).to_string();
            let before = evaluations();
            let (o, _) = guard.check(&key, &code, NOW, &state).unwrap();
            assert_eq!(
                evaluations() - before,
                size,
                "window -{behind}/+{ahead}, drift {drift}"
            );
            let inside = learned(k) || home(k);
            assert_eq!(o.is_accepted(), inside, "drift {drift}, offset {k}: {o:?}");
        }
    }
}

/// Near step 0 a negative drift saturates the learned centre at 0; the
/// union is still each existing step once.
#[test]
fn union_near_step_zero() {
    let guard = Guard::new(Totp::new());
    let owned = secret();
    let key = guard.key(&owned);
    let now = UnixTime::from_secs(45); // step 1
    let state: State = "g1.-.-6.0.-".parse().unwrap();
    let code = key.code_at_step(2).to_string();
    let before = evaluations();
    let (o, _) = guard.check(&key, &code, now, &state).unwrap();
    assert_eq!(evaluations() - before, 3); // steps 0, 1 (learned), 2 (home)
    assert!(o.is_accepted());
}

#[test]
fn resync_evaluates_its_whole_range() {
    let guard = Guard::new(Totp::new()).with_max_drift(5).unwrap();
    let owned = secret();
    let key = guard.key(&owned);
    let current = guard.totp().step_at(NOW).unwrap();
    let c1 = key.code_at_step(current + 1).to_string();
    let c2 = key.code_at_step(current + 2).to_string();
    let before = evaluations();
    let (o, s) = guard.resync(&key, [&c1, &c2], NOW, &State::new()).unwrap();
    assert_eq!(evaluations() - before, 12); // 2 × 5 + 2
    assert!(o.is_accepted());
    assert_eq!((s.last_step(), s.drift()), (Some(current + 2), 2));
}

#[test]
fn default_drift_bound_is_ten_minutes_of_steps() {
    let with = |p| Guard::new(Totp::new().with_period(Period::new(p).unwrap())).max_drift();
    assert_eq!(with(30), 20);
    assert_eq!(with(60), 10);
    assert_eq!(with(7), 86); // 600 / 7 = 85.7, rounded up
    assert_eq!(with(1), 100); // capped
    assert_eq!(with(3600), 1);
}
