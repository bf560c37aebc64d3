//! The hot paths never touch the heap: a counting global allocator
//! (`stats_alloc`) around generate, verify (prepared and one-shot, hit and
//! miss, windows 0..=±100) and a ±26 h scan. One test function only, so no
//! other test thread allocates while a region is measured.

#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

use std::alloc::System;
use std::hint::black_box;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use twostep::{Algorithm, Code, Secret, Totp, UnixTime, Window};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap allocations made by `f`: the least of three runs, so that a stray
/// allocation by the test harness's own thread cannot fail the test, while
/// a hot path that allocates still does (it allocates every time).
fn allocations(f: impl Fn()) -> usize {
    (0..3)
        .map(|_| {
            let region = Region::new(GLOBAL);
            f();
            let change = region.change();
            change.allocations + change.reallocations
        })
        .min()
        .unwrap()
}

#[test]
fn generate_verify_and_scan_do_not_allocate() {
    // The counter sees allocations: a Vec is one.
    assert_eq!(allocations(|| drop(black_box(vec![1u8; 32]))), 1);

    let now = UnixTime::from_secs(1_735_689_600);
    for (algorithm, key) in [
        (Algorithm::Sha1, &b"12345678901234567890"[..]),
        (Algorithm::Sha256, &b"12345678901234567890123456789012"[..]),
        (Algorithm::Sha512, &[7u8; 200][..]),
    ] {
        let totp = Totp::new().with_algorithm(algorithm);
        let secret = Secret::from_bytes(key).unwrap();
        let keyed = totp.key(&secret);
        let step = totp.step_at(now).unwrap();
        let hit = keyed.code_at_step(step + 1).to_string();
        let miss = "000000";

        assert_eq!(allocations(|| drop(black_box(totp.key(&secret)))), 0);
        assert_eq!(allocations(|| _ = black_box(keyed.generate(now))), 0);
        assert_eq!(
            allocations(|| _ = black_box(totp.generate(&secret, now))),
            0
        );
        for w in [0, 1, 5, 100] {
            let window = Window::symmetric(w).unwrap();
            assert_eq!(
                allocations(|| _ = black_box(keyed.verify(&hit, now, window))),
                0
            );
            assert_eq!(
                allocations(|| _ = black_box(keyed.verify(miss, now, window))),
                0
            );
            let one_shot = || _ = black_box(totp.verify(&secret, miss, now, window));
            assert_eq!(allocations(one_shot), 0);
        }
        // ±26 h: 6,241 steps, codes one by one and in ±100-step windows.
        let target = Code::parse(miss, totp.digits()).unwrap();
        let wide = Window::symmetric(100).unwrap();
        let scanned = allocations(|| {
            for t in step - 3_120..=step + 3_120 {
                black_box(keyed.code_at_step(t));
            }
            for center in (step - 3_120..=step + 3_120).step_by(201) {
                let _ = black_box(keyed.verify_code_around(&target, center, wide));
            }
        });
        assert_eq!(scanned, 0);
    }
}
