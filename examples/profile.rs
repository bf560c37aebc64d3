//! Runs one benchmark case N times, for instruction counts under callgrind,
//! or times all cases interleaved (`compare`), which keeps ratios honest on
//! a loaded machine: every round runs every case once, and the table reports
//! each case's median over the rounds.
//!
//! ```text
//! cargo build --release --example profile
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/profile gen-prepared 100000
//! cargo run --release --example profile -- compare 200
//! ```
//!
//! With no arguments it runs every case a few times and lists them (CI runs
//! every example that way).
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_precision_loss,
    reason = "a profiling harness on fixed inputs"
)]

use std::hint::black_box;
use std::time::Instant;

use hmac::Hmac;
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use subtle::ConstantTimeEq;
use twostep::otp::{Algorithm, KeyedTotp};
use twostep::{Code, Secret, Totp, UnixTime, Window};

// The benches' fixed inputs and HMAC floor, so both measure the same thing.
#[path = "../benches/support/mod.rs"]
mod support;
use support::{NOW, SECRET20 as SECRET, SECRET32, SECRET64, floor_code, floor_key, tiles};

/// ±26 h of 30 s steps: the diagnostic's scan.
const SCAN: u64 = support::SCAN_26H as u64;
/// totp-rs side-by-side scan: skew 2880 (±24 h).
const SCAN_RS: u64 = 2_880;

struct Fixture {
    totp: Totp,
    secret: Secret,
    key: KeyedTotp,
    floor: Hmac<Sha1>,
    key256: KeyedTotp,
    floor256: Hmac<Sha256>,
    key512: KeyedTotp,
    floor512: Hmac<Sha512>,
    rs: totp_rs::Totp,
    rs_wide: totp_rs::Totp,
    step: u64,
    miss: String,
    miss_code: Code,
    tiles: Vec<(u64, Window)>,
    tiles_rs: Vec<(u64, Window)>,
}

impl Fixture {
    fn new() -> Self {
        let totp = Totp::new();
        let secret = Secret::from_bytes(SECRET).unwrap();
        let key = totp.key(&secret);
        let step = totp.step_at(UnixTime::from_secs(NOW)).unwrap();
        let miss = support::missing_code(&totp, &secret, step, SCAN);
        let miss_code = Code::parse(&miss, totp.digits()).unwrap();
        let rs = |skew| {
            totp_rs::Builder::new()
                .with_algorithm(totp_rs::Algorithm::SHA1)
                .with_digits(6)
                .with_skew(skew)
                .with_step_duration(30)
                .with_secret(SECRET.to_vec())
                .build()
                .unwrap()
        };
        Self {
            floor: floor_key(SECRET),
            key256: totp
                .with_algorithm(Algorithm::Sha256)
                .key(&Secret::from_bytes(SECRET32).unwrap()),
            floor256: floor_key(SECRET32),
            key512: totp
                .with_algorithm(Algorithm::Sha512)
                .key(&Secret::from_bytes(SECRET64).unwrap()),
            floor512: floor_key(SECRET64),
            rs: rs(1),
            rs_wide: rs(2880),
            miss,
            tiles: tiles(step - SCAN, step + SCAN),
            tiles_rs: tiles(step - SCAN_RS, step + SCAN_RS),
            totp,
            secret,
            key,
            step,
            miss_code,
        }
    }

    fn scan(&self, tiles: &[(u64, Window)]) -> usize {
        tiles
            .iter()
            .filter(|(c, w)| {
                self.key
                    .verify_code_around(black_box(&self.miss_code), *c, *w)
                    .is_ok()
            })
            .count()
    }
}

/// (name, operations per call, what one call does)
const CASES: &[(&str, u64, &str)] = &[
    ("gen-prepared", 1, "KeyedTotp::generate"),
    ("gen-oneshot", 1, "Totp::generate (keys, then generates)"),
    ("verify1-miss", 1, "KeyedTotp::verify, window ±1, no match"),
    (
        "verify1-miss-oneshot",
        1,
        "Totp::verify, window ±1, no match",
    ),
    (
        "check1-miss-oneshot",
        1,
        "Guard::check with a secret, window ±1, no match",
    ),
    (
        "scan-step",
        2 * SCAN + 1,
        "±26 h scan via verify_code_around, per step",
    ),
    (
        "scan-loop-step",
        2 * SCAN + 1,
        "±26 h code_at_step loop, per step",
    ),
    ("floor", 1, "keyed Hmac<Sha1> cloned per code"),
    (
        "floor-scan-step",
        2 * SCAN + 1,
        "±26 h floor loop, per step",
    ),
    ("gen-prepared-sha256", 1, "KeyedTotp::generate, SHA-256"),
    ("floor-sha256", 1, "keyed Hmac<Sha256> cloned per code"),
    ("gen-prepared-sha512", 1, "KeyedTotp::generate, SHA-512"),
    ("floor-sha512", 1, "keyed Hmac<Sha512> cloned per code"),
    ("compress1", 1, "one SHA-1 compression, chained"),
    (
        "compress4",
        4,
        "four independent SHA-1 compressions, per compression",
    ),
    ("rs-generate", 1, "totp-rs generate"),
    ("rs-check1-miss", 1, "totp-rs check, skew 1, no match"),
    (
        "rs-scan-step",
        2 * SCAN_RS + 1,
        "totp-rs check, skew 2880, no match, per step",
    ),
    (
        "scan2880-step",
        2 * SCAN_RS + 1,
        "twostep over the same 5,761 steps, per step",
    ),
];

#[inline(never)]
fn run(f: &Fixture, case: &str, blocks: &mut [[u32; 5]; 4]) -> u64 {
    let now = UnixTime::from_secs(NOW);
    let block = [0x5au8; 64];
    match case {
        "gen-prepared" => f.key.generate(black_box(now)).unwrap().value(),
        "gen-oneshot" => f.totp.generate(black_box(&f.secret), now).unwrap().value(),
        "verify1-miss" => u64::from(
            f.key
                .verify(black_box(&f.miss), now, Window::DEFAULT)
                .is_ok(),
        ),
        "check1-miss-oneshot" => {
            let guard = twostep::Guard::new(f.totp);
            let state = twostep::guard::State::new();
            let checked = guard.check(black_box(&f.secret), black_box(&f.miss), now, &state);
            u64::from(checked.is_ok_and(|(o, _)| o.is_accepted()))
        }
        "verify1-miss-oneshot" => u64::from(
            f.totp
                .verify(
                    black_box(&f.secret),
                    black_box(&f.miss),
                    now,
                    Window::DEFAULT,
                )
                .is_ok(),
        ),
        "scan-step" => f.scan(&f.tiles) as u64,
        "scan-loop-step" => (f.step - SCAN..=f.step + SCAN).fold(0, |acc, t| {
            acc | u64::from(f.key.code_at_step(t).ct_eq(&f.miss_code).unwrap_u8())
        }),
        "floor" => u64::from(floor_code(&f.floor, black_box(f.step))),
        "floor-scan-step" => u64::from(support::floor_scan(
            &f.floor,
            f.step - SCAN..=f.step + SCAN,
            u32::try_from(f.miss_code.value()).unwrap(),
        )),
        "gen-prepared-sha256" => f.key256.generate(black_box(now)).unwrap().value(),
        "floor-sha256" => u64::from(floor_code(&f.floor256, black_box(f.step))),
        "gen-prepared-sha512" => f.key512.generate(black_box(now)).unwrap().value(),
        "floor-sha512" => u64::from(floor_code(&f.floor512, black_box(f.step))),
        "compress1" => {
            sha1::block_api::compress(&mut blocks[0], &[black_box(block)]);
            u64::from(blocks[0][0])
        }
        "compress4" => {
            for s in blocks.iter_mut() {
                sha1::block_api::compress(s, &[black_box(block)]);
            }
            u64::from(blocks[3][0])
        }
        "rs-generate" => {
            // The token itself, not its formatting: same work as a twostep `Code`.
            black_box(f.rs.generate(black_box(NOW)));
            0
        }
        "rs-check1-miss" => f.rs.check(black_box(&f.miss), NOW).unwrap_or(0),
        "rs-scan-step" => f.rs_wide.check(black_box(&f.miss), NOW).unwrap_or(0),
        "scan2880-step" => f.scan(&f.tiles_rs) as u64,
        other => panic!("unknown case {other}"),
    }
}

fn ns_per_op(f: &Fixture, case: &str, ops: u64, reps: u64, st: &mut [[u32; 5]; 4]) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        black_box(run(f, case, st));
    }
    t.elapsed().as_nanos() as f64 / (reps * ops) as f64
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let f = Fixture::new();
    let mut st = [[0u32; 5]; 4];
    match args.first().map(String::as_str) {
        None => {
            // name, operations per call, description: benches/callgrind.sh reads this.
            for (name, ops, what) in CASES {
                black_box(run(&f, name, &mut st));
                println!("{name:22} {ops:5} {what}");
            }
        }
        Some("compare") => {
            let rounds: usize = args.get(1).map_or(100, |s| s.parse().unwrap());
            let mut samples = vec![Vec::with_capacity(rounds); CASES.len()];
            for _ in 0..rounds {
                for ((name, ops, _), s) in CASES.iter().zip(samples.iter_mut()) {
                    // About 100 µs of work per sample.
                    let reps = (200_000 / (ops * 150)).max(1);
                    s.push(ns_per_op(&f, name, *ops, reps, &mut st));
                }
            }
            let m: Vec<f64> = samples.iter_mut().map(|s| median(s)).collect();
            let get = |n: &str| m[CASES.iter().position(|(c, _, _)| *c == n).unwrap()];
            for ((name, _, what), v) in CASES.iter().zip(&m) {
                println!("{name:22} {v:9.1} ns  {what}");
            }
            println!();
            let r = |a: &str, b: &str| println!("{a} / {b} = {:.2}", get(a) / get(b));
            r("gen-prepared", "floor");
            r("gen-prepared-sha256", "floor-sha256");
            r("gen-prepared-sha512", "floor-sha512");
            r("gen-oneshot", "rs-generate");
            r("rs-check1-miss", "verify1-miss");
            r("rs-check1-miss", "verify1-miss-oneshot");
            r("scan-step", "floor-scan-step");
            r("scan-step", "compress1");
            r("rs-scan-step", "scan2880-step");
        }
        Some(case) => {
            let n: u64 = args.get(1).map_or(1, |s| s.parse().unwrap());
            let mut acc = 0u64;
            for _ in 0..n {
                acc = acc.wrapping_add(run(&f, case, &mut st));
            }
            println!("{case} x{n}: {acc}");
        }
    }
}
