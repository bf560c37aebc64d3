//! Delivered codes: issue (a new code and a same-code resend) and verify
//! (right, wrong, with a replaced code remembered, malformed), each group
//! with its floor in the same run: one HMAC-SHA-256 from a keyed state
//! cloned per code, the cost the construction cannot go below.
//!
//! `cargo bench --bench delivered -- --warm-up-time 1 --measurement-time 3`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac, digest::KeyInit};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::Sha256;
use twostep::UnixTime;
use twostep::delivered::{
    Binding, Channel, Key, Policy, Purpose, Reason, ResendRule, State, issue, verify,
};

const KEY: [u8; 32] = [0x5a; 32];
const T: u64 = 1_795_780_800;

/// One HMAC-SHA-256 over a message the size of the code derivation's.
fn floor(mac: &Hmac<Sha256>, nonce: &[u8; 16]) -> u64 {
    let tag = mac
        .clone()
        .chain_update(b"twostep-dc/v1/code\x01\x20")
        .chain_update([0x42u8; 32])
        .chain_update(nonce)
        .chain_update([6u8])
        .finalize()
        .into_bytes();
    u64::from_be_bytes(tag[..8].try_into().unwrap()) % 1_000_000
}

fn floor_mac() -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(&KEY).unwrap()
}

fn issuing(c: &mut Criterion) {
    let mut g = c.benchmark_group("delivered/issue");
    let key = Key::from_bytes(&KEY).unwrap();
    let binding = Binding::new(Purpose::Login, &[0x42; 32]).unwrap();
    let p = Policy::DEFAULT;
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let now = UnixTime::from_secs(T);
    let (_, sent) = issue(
        &p,
        &key,
        &binding,
        Reason::LoginStarted,
        Channel::Sms,
        now,
        &mut rng,
        &State::new(),
    )
    .unwrap();
    let later = UnixTime::from_secs(T + 60);
    g.bench_function("new-code", |b| {
        b.iter(|| {
            issue(
                &p,
                &key,
                &binding,
                Reason::LoginStarted,
                Channel::Sms,
                now,
                &mut rng,
                black_box(&State::new()),
            )
        })
    });
    g.bench_function("same-code-resend", |b| {
        b.iter(|| {
            issue(
                &p,
                &key,
                &binding,
                Reason::UserResend,
                Channel::Sms,
                later,
                &mut rng,
                black_box(&sent),
            )
        })
    });
    let mac = floor_mac();
    g.bench_function("floor-2-hmac", |b| {
        // A new code costs the binding fingerprint and the code: two HMACs.
        b.iter(|| floor(&mac, black_box(&[1; 16])) ^ floor(&mac, black_box(&[2; 16])))
    });
    g.finish();
}

fn verifying(c: &mut Criterion) {
    let mut g = c.benchmark_group("delivered/verify");
    let key = Key::from_bytes(&KEY).unwrap();
    let binding = Binding::new(Purpose::Login, &[0x42; 32]).unwrap();
    let p = Policy::DEFAULT.with_resend_rule(ResendRule::NewCode);
    let mut rng = ChaCha20Rng::from_seed([2; 32]);
    let (m, one) = issue(
        &p,
        &key,
        &binding,
        Reason::LoginStarted,
        Channel::Sms,
        UnixTime::from_secs(T),
        &mut rng,
        &State::new(),
    )
    .unwrap();
    let right = m.code().to_string();
    let wrong = format!("{:06}", (m.code().value() + 1) % 1_000_000);
    let (m2, two) = issue(
        &p,
        &key,
        &binding,
        Reason::UserResend,
        Channel::Sms,
        UnixTime::from_secs(T + 60),
        &mut rng,
        &one,
    )
    .unwrap();
    let right2 = m2.code().to_string();
    let now = UnixTime::from_secs(T + 90);
    g.bench_function("accepted", |b| {
        b.iter(|| verify(&p, &key, &binding, black_box(&right), now, black_box(&one)))
    });
    g.bench_function("wrong", |b| {
        b.iter(|| verify(&p, &key, &binding, black_box(&wrong), now, black_box(&one)))
    });
    g.bench_function("accepted-with-replaced-code", |b| {
        b.iter(|| verify(&p, &key, &binding, black_box(&right2), now, black_box(&two)))
    });
    g.bench_function("malformed", |b| {
        b.iter(|| {
            verify(
                &p,
                &key,
                &binding,
                black_box("12a456"),
                now,
                black_box(&one),
            )
        })
    });
    let mac = floor_mac();
    g.bench_function("floor-1-hmac", |b| {
        b.iter(|| floor(&mac, black_box(&[1; 16])))
    });
    g.bench_function("floor-2-hmac", |b| {
        b.iter(|| floor(&mac, black_box(&[1; 16])) ^ floor(&mac, black_box(&[2; 16])))
    });
    g.finish();
}

criterion_group!(benches, issuing, verifying);
criterion_main!(benches);
