//! twostep side by side with totp-rs 6, identical parameters (SHA-1,
//! 6 digits, 30 s, the 20-byte RFC 6238 secret), same run:
//! generate, verify ±1 worst case (no match), and a ±2880-step scan
//! (totp-rs `check` with skew 2880 against twostep over the same steps).
//!
//! `cargo bench --bench vs_totp_rs -- --warm-up-time 1 --measurement-time 3`

#![expect(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    reason = "bench code on fixed inputs"
)]

mod support;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sha1::Sha1;
use support::{NOW, SECRET20, floor_code, floor_key, missing_code, now_step, secret, tiles};
use twostep::{Code, Totp, UnixTime, Window};

/// totp-rs's widest side-by-side skew: ±2880 steps (±24 h).
const SKEW: u16 = 2880;

fn totp_rs(skew: u16) -> totp_rs::Totp {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(skew)
        .with_step_duration(30)
        .with_secret(SECRET20.to_vec())
        .build()
        .unwrap()
}

fn generate(c: &mut Criterion) {
    let mut g = c.benchmark_group("vs-totp-rs/generate");
    let totp = Totp::new();
    let s = secret(SECRET20);
    let key = totp.key(&s);
    let rs = totp_rs(1);
    let floor = floor_key::<Sha1>(SECRET20);
    let now = UnixTime::from_secs(NOW);
    assert_eq!(
        rs.generate(NOW).to_string(),
        key.generate(now).unwrap().to_string()
    );
    g.bench_function("twostep-prepared", |b| {
        b.iter(|| key.generate(black_box(now)).unwrap())
    });
    g.bench_function("twostep-one-shot", |b| {
        b.iter(|| totp.generate(black_box(&s), black_box(now)).unwrap())
    });
    g.bench_function("totp-rs", |b| b.iter(|| rs.generate(black_box(NOW))));
    g.bench_function("floor", |b| {
        b.iter(|| floor_code(black_box(&floor), black_box(now_step())))
    });
    g.finish();
}

fn verify_miss(c: &mut Criterion) {
    let mut g = c.benchmark_group("vs-totp-rs/verify-1-miss");
    let totp = Totp::new();
    let s = secret(SECRET20);
    let key = totp.key(&s);
    let rs = totp_rs(1);
    let now = UnixTime::from_secs(NOW);
    let miss = missing_code(&totp, &s, now_step(), 1);
    assert_eq!(rs.check(&miss, NOW), None);
    assert!(key.verify(&miss, now, Window::DEFAULT).is_err());
    g.bench_function("twostep-prepared", |b| {
        b.iter(|| key.verify(black_box(&miss), black_box(now), Window::DEFAULT))
    });
    g.bench_function("twostep-one-shot", |b| {
        b.iter(|| {
            totp.verify(
                black_box(&s),
                black_box(&miss),
                black_box(now),
                Window::DEFAULT,
            )
        })
    });
    g.bench_function("totp-rs", |b| {
        b.iter(|| rs.check(black_box(&miss), black_box(NOW)))
    });
    g.finish();
}

/// ±2880 steps (5,761), no match. twostep scans through `verify_code_around`
/// in ±100-step windows (eight steps in flight); the floor is the same loop
/// with a keyed `Hmac<Sha1>` cloned per step. Throughput is per step.
fn scan(c: &mut Criterion) {
    let mut g = c.benchmark_group("vs-totp-rs/scan-2880");
    let totp = Totp::new();
    let s = secret(SECRET20);
    let key = totp.key(&s);
    let rs = totp_rs(SKEW);
    let floor = floor_key::<Sha1>(SECRET20);
    let step = now_step();
    let (lo, hi) = (step - u64::from(SKEW), step + u64::from(SKEW));
    let miss = missing_code(&totp, &s, step, u64::from(SKEW));
    let target = Code::parse(&miss, totp.digits()).unwrap();
    let cover = tiles(lo, hi);
    assert_eq!(rs.check(&miss, NOW), None);
    g.throughput(Throughput::Elements(hi - lo + 1));
    g.bench_function("twostep", |b| {
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
    g.bench_function("totp-rs", |b| {
        b.iter(|| rs.check(black_box(&miss), black_box(NOW)))
    });
    let t = u32::try_from(target.value()).unwrap();
    g.bench_function("floor", |b| {
        b.iter(|| support::floor_scan(&floor, lo..=hi, t))
    });
    g.finish();
}

criterion_group!(name = benches; config = support::config(30); targets = generate, verify_miss, scan);
criterion_main!(benches);
