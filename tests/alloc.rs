//! Generate and verify make no heap allocation.
//!
//! A counting global allocator wraps the system allocator and counts, per
//! thread, every `alloc`, `alloc_zeroed` and `realloc`. Each case reads this
//! thread's count before and after the call, so tests running in parallel on
//! other threads cannot disturb it. Nothing is warmed up first: the very first
//! call is measured too.
//!
//! `unsafe` is needed only because `GlobalAlloc` is an unsafe trait. The
//! library itself forbids unsafe code (`#![forbid(unsafe_code)]` in
//! src/lib.rs); Cargo.toml sets the lint to `deny` so that this test file may
//! opt out.
#![expect(unsafe_code, reason = "the counting global allocator")]
#![expect(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "test code: unwraps and computes on known values"
)]

use twostep::otp::{Algorithm, Digits, LookAhead, Period, VerifyError};
use twostep::{Code, Hotp, Secret, Totp, UnixTime, Window};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations;

#[track_caller]
fn assert_no_alloc<R>(what: &str, f: impl FnOnce() -> R) {
    let n = allocations(f);
    assert_eq!(n, 0, "{what}: {n} heap allocation(s)");
}

const ALGS: [Algorithm; 3] = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512];

fn secret(len: usize) -> Secret {
    Secret::from_bytes(&(0..len).map(|i| i as u8).collect::<Vec<u8>>()).unwrap()
}

#[test]
fn the_counter_sees_allocations() {
    // Guards against a counter that never counts (the other tests could not fail).
    assert!(allocations(|| vec![1u8; 32]) >= 1);
    assert!(allocations(|| String::from("x").repeat(100)) >= 1);
    let s = secret(20);
    assert!(allocations(|| s.to_base32()) >= 1);
    assert!(allocations(|| Secret::from_bytes(&[7; 20])) >= 1);
}

#[test]
fn keyed_totp_generate_and_verify_do_not_allocate() {
    let now = UnixTime::from_secs(1_111_111_109);
    for alg in ALGS {
        // 10, 20 and 200 bytes: short keys, and one longer than the hash block (hashed first).
        for len in [10, 20, 200] {
            let s = secret(len);
            let totp = Totp::new()
                .with_algorithm(alg)
                .with_digits(Digits::EIGHT)
                .with_t0(UnixTime::from_secs(1_000))
                .with_period(Period::new(30).unwrap());
            let key = totp.key(&s);
            assert_no_alloc("KeyedTotp::generate", || key.generate(now).unwrap());
            let step = totp.step_at(now).unwrap();
            for (behind, ahead) in [(0, 0), (1, 1), (5, 5), (100, 100)] {
                let w = Window::new(behind, ahead).unwrap();
                // Hit: the code at the far edge of the window, and at the centre.
                let far = key.code_at_step(step + u64::from(ahead)).to_string();
                let centre = key.code_at_step(step).to_string();
                let miss = {
                    // A code that matches no step of the window.
                    let mut v = 0u64;
                    loop {
                        let c = Code::from_value(v, Digits::EIGHT).unwrap();
                        if key.verify_code(&c, now, w).is_err() {
                            break c.to_string();
                        }
                        v += 1;
                    }
                };
                assert_no_alloc("KeyedTotp::verify hit (edge)", || {
                    key.verify(&far, now, w).unwrap()
                });
                assert_no_alloc("KeyedTotp::verify hit (centre)", || {
                    key.verify(&centre, now, w).unwrap()
                });
                assert_no_alloc("KeyedTotp::verify miss", || {
                    assert_eq!(key.verify(&miss, now, w), Err(VerifyError::Invalid));
                });
                // Window edges at step 0 (nothing below step 0 exists).
                assert_no_alloc("KeyedTotp::verify_code_around at step 0", || {
                    key.verify_code_around(&key.code_at_step(0), 0, w).unwrap()
                });
                assert_no_alloc("KeyedTotp::verify malformed", || {
                    assert!(matches!(
                        key.verify("12a45678", now, w),
                        Err(VerifyError::Malformed(_))
                    ));
                });
                assert_no_alloc("KeyedTotp::verify before T0", || {
                    assert!(key.verify(&centre, UnixTime::from_secs(999), w).is_err());
                });
            }
        }
    }
}

#[test]
fn one_shot_totp_with_a_prepared_secret_does_not_allocate() {
    let now = UnixTime::from_secs(2_000_000_000);
    for alg in ALGS {
        let s = secret(64);
        let totp = Totp::new().with_algorithm(alg);
        let code = totp.generate(&s, now).unwrap().to_string();
        assert_no_alloc("Totp::generate", || totp.generate(&s, now).unwrap());
        for w in [
            Window::EXACT,
            Window::DEFAULT,
            Window::symmetric(5).unwrap(),
        ] {
            assert_no_alloc("Totp::verify hit", || {
                totp.verify(&s, &code, now, w).unwrap()
            });
            // The code of step + 50 lies outside every window used here.
            let later = totp
                .key(&s)
                .code_at_step(totp.step_at(now).unwrap() + 50)
                .to_string();
            assert_no_alloc("Totp::verify miss", || {
                assert_eq!(totp.verify(&s, &later, now, w), Err(VerifyError::Invalid));
            });
        }
        assert_no_alloc("Totp::key", || totp.key(&s));
    }
}

#[test]
fn hotp_generate_and_verify_with_look_ahead_do_not_allocate() {
    for alg in ALGS {
        let s = secret(20);
        let hotp = Hotp::new()
            .with_algorithm(alg)
            .with_digits(Digits::new(10).unwrap());
        let key = hotp.key(&s);
        assert_no_alloc("KeyedHotp::generate", || key.generate(u64::MAX));
        assert_no_alloc("Hotp::generate", || hotp.generate(&s, 42));
        for la in [0, 1, 5, 100] {
            let la = LookAhead::new(la).unwrap();
            let code = key.generate(1_000 + u64::from(la.get())).to_string();
            assert_no_alloc("KeyedHotp::verify hit", || {
                key.verify(&code, 1_000, la).unwrap()
            });
            assert_no_alloc("Hotp::verify hit", || {
                hotp.verify(&s, &code, 1_000, la).unwrap()
            });
            assert_no_alloc("KeyedHotp::verify miss (counter passed)", || {
                let _ = key.verify(&code, 1_001 + u64::from(la.get()), la);
            });
            assert_no_alloc("KeyedHotp::verify near u64::MAX", || {
                let _ = key.verify(&code, u64::MAX - 1, la);
            });
        }
    }
}

#[test]
fn code_parse_does_not_allocate() {
    for (input, d) in [
        ("123456", 6),
        ("123 456", 6),
        ("1-2-3-4-5-6-7-8", 8),
        ("1234567890", 10),
        ("12a456", 6),
        (" 123456", 6),
        ("123456-", 6),
        ("12345", 6),
        ("١٢٣٤٥٦", 6),
        (
            "1111111111111111111111111111111111111111111111111111111111111111111",
            6,
        ),
    ] {
        let d = Digits::new(d).unwrap();
        assert_no_alloc(input, || Code::parse(input, d));
    }
}

#[test]
fn guard_check_and_resync_do_not_allocate() {
    use twostep::Guard;
    use twostep::guard::{Outcome, State};
    let s = secret(20);
    let guard = Guard::default();
    let key = guard.key(&s);
    let now = UnixTime::from_secs(1_795_780_800);
    let step = guard.totp().step_at(now).unwrap();
    let good = key.code_at_step(step).to_string();
    let fresh = State::new();
    let (outcome, after) = guard.check(&s, &good, now, &fresh).unwrap();
    assert!(matches!(outcome, Outcome::Accepted(_)));
    assert_no_alloc("guard check accepted", || {
        guard.check(&s, &good, now, &fresh).unwrap()
    });
    assert_no_alloc("guard check prepared accepted", || {
        guard.check(&key, &good, now, &fresh).unwrap()
    });
    assert_no_alloc("guard check replayed", || {
        guard.check(&s, &good, now, &after).unwrap()
    });
    assert_no_alloc("guard check invalid", || {
        guard.check(&s, "000000", now, &fresh).unwrap()
    });
    assert_no_alloc("guard check malformed", || {
        guard.check(&s, "12a456", now, &fresh).unwrap()
    });
    let c1 = key.code_at_step(step + 4).to_string();
    let c2 = key.code_at_step(step + 5).to_string();
    assert_no_alloc("guard resync", || {
        guard.resync(&s, [&c1, &c2], now, &fresh).unwrap()
    });
    assert_no_alloc("guard resync prepared", || {
        guard.resync(&key, [&c1, &c2], now, &fresh).unwrap()
    });
    assert_no_alloc("guard record_failure", || guard.record_failure(now, &fresh));
    assert_no_alloc("guard recovery_blocked", || {
        guard.recovery_blocked(now, &fresh)
    });
}

#[test]
fn diagnose_scan_does_not_allocate() {
    use twostep::diagnose::{DiagnoseOptions, Observation, diagnose};
    let s = secret(20);
    let totp = Totp::default();
    let key = totp.key(&s);
    let now = UnixTime::from_secs(1_795_780_800);
    let step = totp.step_at(now).unwrap();
    // Phone five hours ahead: two codes, the full ±26 h scan, a verdict.
    let c1 = key.code_at_step(step + 599);
    let c2 = key.code_at_step(step + 600);
    let obs = [
        Observation::from_code(c1, UnixTime::from_secs(now.as_secs() - 30)),
        Observation::from_code(c2, now),
    ];
    let options = DiagnoseOptions::default();
    let (guard, state) = (twostep::Guard::new(totp), twostep::guard::State::new());
    let (d, _) = diagnose(&guard, &s, &state, &obs, &options).unwrap();
    assert!(d.matches_found() >= 2);
    assert_no_alloc("diagnose one-shot, two codes, ±26 h", || {
        diagnose(&guard, &s, &state, &obs, &options)
    });
    let typo = [Observation::new("12a456", now)];
    assert_no_alloc("diagnose malformed", || {
        diagnose(&guard, &s, &state, &typo, &options)
    });
}
