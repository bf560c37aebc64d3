//! Capability benches: guard check, the ±26 h diagnostic scan, backup-code
//! generation and redemption (both profiles), and Key URI build and parse.
//! Each group measures its floor in the same run: the HMAC floor (a raw keyed
//! `Hmac<Sha1>` cloned per code) for the TOTP paths, one HMAC-SHA-256 or one
//! PBKDF2 run for backup codes.
//!
//! `cargo bench --bench capabilities -- --warm-up-time 1 --measurement-time 3`

#![expect(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    reason = "bench code on fixed inputs"
)]

mod support;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, Mac, digest::KeyInit};
use rand_core::SeedableRng;
use sha1::Sha1;
use sha2::Sha256;
use support::{NOW, SCAN_26H, SECRET20, floor_code, floor_key, missing_code, now_step, secret};
use twostep::backup::{CodeSet, Policy};
use twostep::diagnose::{DiagnoseOptions, Observation};
use twostep::guard::State as GuardState;
use twostep::{Guard, KeyUri, Totp, UnixTime, diagnose as diagnose_codes};

fn guard(c: &mut Criterion) {
    let mut g = c.benchmark_group("guard/check");
    let s = secret(SECRET20);
    let guard = Guard::new(Totp::default());
    let key = guard.key(&s);
    let now = UnixTime::from_secs(NOW);
    let good = key.code_at_step(now_step()).to_string();
    let miss = missing_code(&Totp::default(), &s, now_step(), 1);
    let fresh = twostep::guard::State::new();
    g.bench_function("prepared/accepted", |b| {
        b.iter(|| {
            guard
                .check(&key, black_box(&good), now, black_box(&fresh))
                .unwrap()
        })
    });
    g.bench_function("prepared/invalid", |b| {
        b.iter(|| {
            guard
                .check(&key, black_box(&miss), now, black_box(&fresh))
                .unwrap()
        })
    });
    g.bench_function("one-shot/invalid", |b| {
        b.iter(|| {
            guard
                .check(black_box(&s), black_box(&miss), now, black_box(&fresh))
                .unwrap()
        })
    });
    // The peer: a bare verify over the same window (the guard's ±1, no drift).
    let window = guard.window();
    g.bench_function("verify-keyed/accepted", |b| {
        b.iter(|| key.verify(black_box(&good), now, window))
    });
    g.bench_function("verify-keyed/invalid", |b| {
        b.iter(|| key.verify(black_box(&miss), now, window))
    });
    g.bench_function("verify-one-shot/invalid", |b| {
        b.iter(|| {
            guard
                .totp()
                .verify(black_box(&s), black_box(&miss), now, window)
        })
    });
    let floor = floor_key::<Sha1>(SECRET20);
    let step = now_step();
    g.bench_function("floor-3-steps", |b| {
        b.iter(|| {
            (step - 1..=step + 1)
                .map(|t| floor_code(&floor, black_box(t)))
                .fold(0u32, |a, x| a ^ x)
        })
    });
    g.finish();
}

fn diagnose(c: &mut Criterion) {
    let mut g = c.benchmark_group("diagnose/26h");
    let steps = 2 * u64::from(SCAN_26H) + 1;
    g.throughput(Throughput::Elements(steps));
    let totp = Totp::default();
    let s = secret(SECRET20);
    let key = totp.key(&s);
    let now = UnixTime::from_secs(NOW);
    let options = DiagnoseOptions::default();
    let (guard, state) = (Guard::new(totp), GuardState::new());
    let typo = missing_code(&totp, &s, now_step(), 1);
    let one = [Observation::new(&typo, now)];
    g.bench_function("one-code", |b| {
        b.iter(|| diagnose_codes(&guard, &s, &state, black_box(&one), &options))
    });
    let step = now_step() + 600; // five hours fast
    let two = [
        Observation::from_code(key.code_at_step(step - 1), UnixTime::from_secs(NOW - 30)),
        Observation::from_code(key.code_at_step(step), now),
    ];
    g.bench_function("two-codes", |b| {
        b.iter(|| diagnose_codes(&guard, &s, &state, black_box(&two), &options))
    });
    let floor = floor_key::<Sha1>(SECRET20);
    let target =
        u32::try_from(twostep::Code::parse(&typo, totp.digits()).unwrap().value()).unwrap();
    let (lo, hi) = (
        now_step() - u64::from(SCAN_26H),
        now_step() + u64::from(SCAN_26H),
    );
    g.bench_function("floor", |b| {
        b.iter(|| support::floor_scan(&floor, lo..=hi, target))
    });
    g.finish();
}

fn backup_profile(c: &mut Criterion, name: &str, policy: &Policy) {
    let mut g = c.benchmark_group(format!("backup/{name}"));
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let (codes, set) = CodeSet::generate(policy, &mut rng).unwrap();
    let good = codes.get(9).unwrap().to_string();
    let wrong = {
        let (other, _) = CodeSet::generate(policy, &mut rng).unwrap();
        other.get(0).unwrap().to_string()
    };
    g.bench_function("generate-10", |b| {
        b.iter(|| CodeSet::generate(policy, &mut rng).unwrap())
    });
    g.bench_function("redeem/valid", |b| {
        b.iter(|| set.redeem(black_box(&good), policy).unwrap())
    });
    g.bench_function("redeem/invalid", |b| {
        b.iter(|| set.redeem(black_box(&wrong), policy).unwrap())
    });
    g.bench_function("redeem/malformed", |b| {
        b.iter(|| set.redeem(black_box("not a code"), policy).unwrap())
    });
    // The floor: one keyed HMAC-SHA-256, or one PBKDF2 run at the policy's cost.
    if policy.uses_kdf() {
        let iterations = policy.iterations();
        g.bench_function("floor-pbkdf2", |b| {
            b.iter(|| {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2::<Hmac<Sha256>>(
                    black_box(b"0123456789"),
                    b"16-byte salt....",
                    iterations,
                    &mut out,
                )
                .unwrap();
                out
            })
        });
    } else {
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"").unwrap();
        g.bench_function("floor-hmac-sha256", |b| {
            b.iter(|| {
                mac.clone()
                    .chain_update(black_box([7u8; 48]))
                    .finalize()
                    .into_bytes()
            })
        });
    }
    g.finish();
}

fn backup(c: &mut Criterion) {
    backup_profile(c, "default-24", &Policy::DEFAULT);
    let short = Policy::DEFAULT.with_length(10).unwrap();
    backup_profile(c, "short-10-pbkdf2", &short);
}

fn uri(c: &mut Criterion) {
    let mut g = c.benchmark_group("uri");
    let s = secret(SECRET20);
    let totp = Totp::default();
    let built = KeyUri::totp(&totp, &s, "Example Co", "ana@example.com").unwrap();
    let text = built.to_uri_string();
    g.bench_function("build+serialise", |b| {
        b.iter(|| {
            KeyUri::totp(&totp, black_box(&s), "Example Co", "ana@example.com")
                .unwrap()
                .to_uri_string()
        })
    });
    g.bench_function("parse", |b| {
        b.iter(|| KeyUri::parse(black_box(&text)).unwrap())
    });
    g.finish();
}

criterion_group!(name = benches; config = support::config(20); targets = guard, diagnose, backup, uri);
criterion_main!(benches);
