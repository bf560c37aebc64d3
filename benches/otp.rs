//! OTP benches: generate, verify and the ±26 h scan, each group with the
//! HMAC floor (a raw keyed `Hmac<D>` cloned per code) measured in the same run.
//!
//! `cargo bench --bench otp -- --warm-up-time 1 --measurement-time 3`

#![expect(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    reason = "bench code on fixed inputs"
)]

mod support;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::digest::block_api::EagerHash;
use hmac::{Hmac, Mac, digest::KeyInit};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use subtle::ConstantTimeEq;
use support::{
    NOW, SCAN_26H, SECRET20, SECRET32, SECRET64, floor_code, floor_key, missing_code, now_step,
    secret, tiles,
};
use twostep::otp::Algorithm;
use twostep::{Code, Totp, UnixTime, Window};

fn generate_one<D: EagerHash>(c: &mut Criterion, algorithm: Algorithm, key: &[u8])
where
    Hmac<D>: Mac + KeyInit + Clone,
{
    let name = format!("generate/{algorithm:?}").to_lowercase();
    let mut g = c.benchmark_group(name);
    let totp = Totp::new().with_algorithm(algorithm);
    let s = secret(key);
    let prepared = totp.key(&s);
    let floor = floor_key::<D>(key);
    let now = UnixTime::from_secs(NOW);
    let step = now_step();
    g.bench_function("prepared", |b| {
        b.iter(|| prepared.generate(black_box(now)).unwrap())
    });
    g.bench_function("one-shot", |b| {
        b.iter(|| totp.generate(black_box(&s), black_box(now)).unwrap())
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor_code(black_box(&floor), black_box(step)))
    });
    g.finish();
}

fn generate(c: &mut Criterion) {
    generate_one::<Sha1>(c, Algorithm::Sha1, SECRET20);
    generate_one::<Sha256>(c, Algorithm::Sha256, SECRET32);
    generate_one::<Sha512>(c, Algorithm::Sha512, SECRET64);
}

/// Verify through the prepared key, SHA-1: hit on the step evaluated last
/// (`+w` in nearest-first order) and miss; the floor evaluates the same
/// number of codes.
fn verify(c: &mut Criterion) {
    let mut g = c.benchmark_group("verify/sha1");
    let totp = Totp::new();
    let s = secret(SECRET20);
    let key = totp.key(&s);
    let floor = floor_key::<Sha1>(SECRET20);
    let now = UnixTime::from_secs(NOW);
    let step = now_step();
    for w in [0u32, 1, 5] {
        let window = Window::symmetric(w).unwrap();
        let hit_last = key.code_at_step(step + u64::from(w)).to_string();
        let miss = missing_code(&totp, &s, step, u64::from(w));
        assert!(key.verify(&hit_last, now, window).is_ok());
        assert!(key.verify(&miss, now, window).is_err());
        g.bench_with_input(BenchmarkId::new("hit-last", w), &hit_last, |b, input| {
            b.iter(|| key.verify(black_box(input), black_box(now), window))
        });
        g.bench_with_input(BenchmarkId::new("miss", w), &miss, |b, input| {
            b.iter(|| key.verify(black_box(input), black_box(now), window))
        });
        let target: u32 = miss.parse().unwrap();
        g.bench_with_input(BenchmarkId::new("floor", w), &target, |b, target| {
            b.iter(|| {
                support::floor_scan(&floor, step - u64::from(w)..=step + u64::from(w), *target)
            })
        });
    }
    g.finish();
}

/// The diagnostic's ±26 h scan (6,241 steps), SHA-1: a plain `code_at_step`
/// loop, the same steps through `verify_code_around` (which evaluates eight
/// steps at a time), and the floor loop. Throughput is per step.
fn scan(c: &mut Criterion) {
    let mut g = c.benchmark_group("scan/sha1/26h");
    let totp = Totp::new();
    let s = secret(SECRET20);
    let key = totp.key(&s);
    let floor = floor_key::<Sha1>(SECRET20);
    let step = now_step();
    let (lo, hi) = (step - u64::from(SCAN_26H), step + u64::from(SCAN_26H));
    let target = Code::parse(
        &missing_code(&totp, &s, step, u64::from(SCAN_26H)),
        totp.digits(),
    )
    .unwrap();
    let cover = tiles(lo, hi);
    g.throughput(Throughput::Elements(hi - lo + 1));
    g.bench_function("code_at_step-loop", |b| {
        b.iter(|| {
            (lo..=hi).fold(0u8, |acc, t| {
                acc | black_box(key.code_at_step(t)).ct_eq(&target).unwrap_u8()
            })
        })
    });
    g.bench_function("verify-windows", |b| {
        b.iter(|| {
            cover
                .iter()
                .filter(|(center, w)| {
                    key.verify_code_around(black_box(&target), *center, *w)
                        .is_ok()
                })
                .count()
        })
    });
    let t = u32::try_from(target.value()).unwrap();
    g.bench_function("floor", |b| {
        b.iter(|| support::floor_scan(&floor, lo..=hi, t))
    });
    g.finish();
}

criterion_group!(name = benches; config = support::config(30); targets = generate, verify, scan);
criterion_main!(benches);
