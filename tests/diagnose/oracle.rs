//! The diagnostic is safe to run for someone who is not yet authenticated:
//! what it says about a code that matched by itself far from now is exactly
//! what it says about a code that matched nothing.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap
)]

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use twostep::diagnose::{DiagnoseOptions, Diagnosis, Observation, Verdict, diagnose};
use twostep::guard::{Blocked, Outcome, State as GuardState};
use twostep::otp::Digits;
use twostep::{Code, Guard, Secret, Totp, UnixTime};

fn secret(rng: &mut ChaCha20Rng) -> Secret {
    let mut bytes = [0u8; 20];
    rng.fill_bytes(&mut bytes);
    Secret::from_bytes(&bytes).unwrap()
}

/// A code of `secret` that matches no step within ±`reach` steps of `step`.
fn missing(totp: &Totp, secret: &Secret, step: u64, reach: u64) -> Code {
    let key = totp.key(secret);
    let near: Vec<Code> = (step - reach..=step + reach)
        .map(|s| key.code_at_step(s))
        .collect();
    (0..1_000_000u64)
        .map(|v| Code::from_value(v, Digits::SIX).unwrap())
        .find(|c| !near.contains(c))
        .unwrap()
}

/// One code that matches exactly one step `k` steps from now (ahead, or far
/// behind) reads exactly like a code that matches nothing: the same verdict,
/// accessors, Debug and text. Only a step a login would try now, or one a
/// login can never try again, may be told apart.
#[test]
fn a_lone_far_match_reads_exactly_like_no_match() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x10e);
    let guard = Guard::new(Totp::new());
    let totp = guard.totp();
    let options = DiagnoseOptions::default()
        .with_search_range(time::Duration::hours(2))
        .unwrap();
    let reach = 2 * 120;
    for k in [2i64, 3, 7, 20, 21, 100, 239, -21, -100, -239] {
        let secret = secret(&mut rng);
        let now = UnixTime::from_secs(1_700_000_000 + rng.next_u64() % 100_000_000);
        let step = totp.step_at(now).unwrap();
        let matched = totp
            .key(&secret)
            .code_at_step(step.checked_add_signed(k).unwrap());
        let nothing = missing(&totp, &secret, step, reach + 2);
        for company in [0usize, 1, 7] {
            let others: Vec<Observation<'_>> = (0..company)
                .map(|i| {
                    let at = UnixTime::from_secs(now.as_secs() - 60 + i as u64);
                    Observation::from_code(missing(&totp, &secret, step, reach + 4 + i as u64), at)
                })
                .collect();
            let with = |code: Code| {
                let mut obs = others.clone();
                obs.push(Observation::from_code(code, now));
                diagnose(&guard, &secret, &GuardState::new(), &obs, &options)
                    .unwrap()
                    .0
            };
            let (a, b) = (with(matched), with(nothing));
            assert_eq!(a, b, "a code {k} steps away, with {company} others");
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            assert_eq!(a.to_string(), b.to_string());
        }
    }
}

/// A random code, as a guesser types it.
fn guess(rng: &mut ChaCha20Rng) -> Code {
    Code::from_value(rng.next_u64() % 1_000_000, Digits::SIX).unwrap()
}

/// What a guesser who knows the password does with a diagnosis: log in
/// with any code it shows to be right now, or later at the step it shows.
fn exploit(guard: &Guard, secret: &Secret, d: &Diagnosis, codes: &[Code], now: UnixTime) -> bool {
    let mut taken = false;
    for (code, step) in codes.iter().zip(d.matched_steps()) {
        let Some(step) = *step else { continue };
        let when = UnixTime::from_secs((step * 30).max(now.as_secs()));
        let (outcome, _) = guard
            .check(secret, &code.to_string(), when, &GuardState::new())
            .unwrap();
        taken |= matches!(outcome, Outcome::Accepted(_));
    }
    taken || d.verdict() == Verdict::InSync
}

/// The bound, by simulation: a guesser who knows the password runs
/// diagnoses of random codes (eight at a time while the guard lets it, then
/// as many as attempts are left), mixed with logins, until the account
/// locks, against fresh secrets, and logs in with whatever a diagnosis
/// reveals. Each lock period then tries at most as many codes as the guard
/// allows logins (ten), and the logins gained stay at what guessing logins
/// gives: 10 × 3 × 10⁻⁶ per account, so none in 60 accounts. Before the
/// diagnostic went through the guard, the same guesser took 14 of 60.
#[test]
fn an_attacker_gains_no_better_odds_than_through_login() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x0ac1e);
    let guard = Guard::new(Totp::new());
    let options = DiagnoseOptions::default();
    let (accounts, mut taken, mut calls) = (60u32, 0u32, 0u32);
    for account in 0..accounts {
        let secret = secret(&mut rng);
        let mut now = UnixTime::from_secs(1_600_000_000 + rng.next_u64() % 400_000_000);
        let (mut state, mut codes_tried) = (GuardState::new(), 0u32);
        loop {
            match guard.blocked(now, &state) {
                Some(Blocked::Locked) => break,
                Some(Blocked::Throttled { retry_after }) => {
                    now = now.checked_add_signed(retry_after.whole_seconds()).unwrap();
                    continue;
                }
                _ => {}
            }
            let left = guard.throttle().lock_after() - state.failures();
            if account % 3 == 2 && state.failures() % 2 == 1 {
                // A login between diagnoses.
                let (outcome, next) = guard
                    .check(&secret, &guess(&mut rng).to_string(), now, &state)
                    .unwrap();
                taken += u32::from(outcome.is_accepted());
                codes_tried += 1;
                state = next;
                continue;
            }
            let codes: Vec<Code> = (0..left.min(8)).map(|_| guess(&mut rng)).collect();
            let obs: Vec<Observation<'_>> = codes
                .iter()
                .map(|&c| Observation::from_code(c, now))
                .collect();
            let (d, next) = diagnose(&guard, &secret, &state, &obs, &options).unwrap();
            calls += 1;
            codes_tried += u32::try_from(codes.len()).unwrap();
            taken += u32::from(exploit(&guard, &secret, &d, &codes, now));
            if next == state {
                // Confirmed by chance: it cost nothing, so it must have told nothing usable.
                assert!(!d.is_confirmed() || !exploit(&guard, &secret, &d, &codes, now));
            }
            state = next;
        }
        assert!(
            codes_tried <= guard.throttle().lock_after(),
            "{codes_tried} codes in one lock period"
        );
    }
    eprintln!("{calls} diagnoses on {accounts} accounts led to {taken} logins");
    assert_eq!(taken, 0, "{taken} logins from {calls} diagnoses");
}

/// Each code diagnosed counts as one failed attempt unless the diagnosis
/// confirms; the guard's back-off and lock refuse a diagnosis unseen, and
/// more codes than attempts left are refused.
#[test]
fn a_diagnosis_is_an_attempt_at_the_guard() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let guard = Guard::new(Totp::new());
    let options = DiagnoseOptions::default()
        .with_search_range(time::Duration::hours(1))
        .unwrap();
    let now = UnixTime::from_secs(1_700_000_000);
    let step = guard.totp().step_at(now).unwrap();
    let nothing = missing(&guard.totp(), &secret, step, 130);
    let two = [
        Observation::from_code(nothing, UnixTime::from_secs(now.as_secs() - 40)),
        Observation::from_code(nothing, now),
    ];
    let (d, after) = diagnose(&guard, &secret, &GuardState::new(), &two, &options).unwrap();
    assert_eq!(d.verdict(), Verdict::NoMatch);
    assert_eq!(after.failures(), 2);
    // One more failed login: four failures, a 30 s back-off.
    let (_, after) = guard
        .check(&secret, &nothing.to_string(), now, &after)
        .unwrap();
    let (_, after) = guard
        .check(&secret, &nothing.to_string(), now, &after)
        .unwrap();
    assert_eq!(after.failures(), 4);
    let (d, same) = diagnose(&guard, &secret, &after, &two, &options).unwrap();
    assert!(
        matches!(d.verdict(), Verdict::Blocked(Blocked::Throttled { .. })),
        "{d}"
    );
    assert_eq!((same, d.steps_searched()), (after, 0));
    assert!(d.to_string().contains("Nothing was checked"), "{d}");
    // A right code from a phone in sync, once the back-off is over: in
    // sync, not counted (and not reset: a diagnosis is not a login).
    let later = UnixTime::from_secs(now.as_secs() + 40);
    let right = guard.totp().generate(&secret, later).unwrap();
    let (d, same) = diagnose(
        &guard,
        &secret,
        &after,
        &[Observation::from_code(right, later)],
        &options,
    )
    .unwrap();
    assert_eq!((d.verdict(), same), (Verdict::InSync, after));
    // Nine failures: one attempt left, so two codes are refused unseen.
    let nine: GuardState = "g1.-.0.9.-".parse().unwrap();
    let late = [
        Observation::from_code(nothing, UnixTime::from_secs(later.as_secs() - 40)),
        Observation::from_code(nothing, later),
    ];
    let (d, same) = diagnose(&guard, &secret, &nine, &late, &options).unwrap();
    assert_eq!(
        (d.verdict(), same),
        (Verdict::TooManyCodes { allowed: 1 }, nine)
    );
    assert!(d.to_string().contains("at most 1 code,"), "{d}");
    let (d, locked) = diagnose(&guard, &secret, &nine, &late[1..], &options).unwrap();
    assert_eq!((d.verdict(), locked.failures()), (Verdict::NoMatch, 10));
    let (d, _) = diagnose(&guard, &secret, &locked, &late[1..], &options).unwrap();
    assert_eq!(d.verdict(), Verdict::Blocked(Blocked::Locked));
}

/// The legitimate cases still work: two codes from a phone off by
/// minutes, hours or a time zone get their verdict, the resync the guard
/// would record where it can, and cost no attempt.
#[test]
fn two_codes_from_an_off_phone_still_get_their_verdict_and_resync() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let guard = Guard::new(Totp::new());
    let options = DiagnoseOptions::default();
    let (t1, t2) = (1_795_780_800u64, 1_795_780_830u64); // codes of consecutive steps
    for offset in [
        150i64,
        -240,
        540,
        -17 * 60,
        3 * 3_600 + 20,
        -3_600,
        5 * 3_600 + 1_800,
        86_400,
    ] {
        let seen = |t: u64| {
            let phone = UnixTime::from_secs(t.checked_add_signed(offset - 6).unwrap());
            guard.totp().generate(&secret, phone).unwrap()
        };
        let (c1, c2) = (seen(t1), seen(t2));
        let obs = [
            Observation::from_code(c1, UnixTime::from_secs(t1)),
            Observation::from_code(c2, UnixTime::from_secs(t2)),
        ];
        let state = GuardState::new();
        let (d, next) = diagnose(&guard, &secret, &state, &obs, &options).unwrap();
        assert!(d.is_confirmed(), "{offset}: {d}");
        assert_eq!(next, state, "{offset}: a confirmed diagnosis costs nothing");
        let (lo, hi) = d.offset_range().unwrap();
        assert!(
            lo.whole_seconds() <= offset && offset <= hi.whole_seconds(),
            "{offset}: {d}"
        );
        let ahead = matches!(d.verdict(), Verdict::ClockAhead { .. })
            || matches!(d.verdict(), Verdict::TimeZoneLike { offset, .. } if offset.is_positive());
        assert_eq!(ahead, offset > 0, "{offset}: {d}");
        let now = UnixTime::from_secs(t2);
        let (resynced, learned) = guard
            .resync(&secret, [&c1.to_string(), &c2.to_string()], now, &state)
            .unwrap();
        match d.resync() {
            Some(k) => {
                assert!(resynced.is_accepted(), "{offset}: {resynced:?}");
                assert_eq!(k, learned.drift());
            }
            None => assert!(!resynced.is_accepted(), "{offset}: the guard would resync"),
        }
    }
}
