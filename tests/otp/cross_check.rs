//! Vectors cross-checked against oathtool, pyotp and a Python standard-library
//! RFC 4226 implementation (see the header of `vectors/cross_checked.txt` and
//! `scripts/gen_vectors.py`). CI needs neither tool: the vectors are committed.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code: unwraps and indexes known data"
)]

use std::collections::BTreeMap;

use twostep::otp::{Algorithm, Digits, LookAhead, Period, VerifyError};
use twostep::{Code, Hotp, Secret, Totp, UnixTime, Window};

const VECTORS: &str = include_str!("../vectors/cross_checked.txt");

struct Row<'a> {
    line: usize,
    mode: &'a str,
    algorithm: Algorithm,
    digits: Digits,
    period: Option<u64>,
    t0: Option<u64>,
    time_or_counter: u64,
    secret: Vec<u8>,
    code: &'a str,
    tools: &'a str,
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn rows() -> Vec<Row<'static>> {
    VECTORS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 9, "line {}: {l}", i + 1);
            let opt = |s: &str| (s != "-").then(|| s.parse::<u64>().unwrap());
            Row {
                line: i + 1,
                mode: f[0],
                algorithm: f[1].parse().unwrap(),
                digits: Digits::new(f[2].parse().unwrap()).unwrap(),
                period: opt(f[3]),
                t0: opt(f[4]),
                time_or_counter: f[5].parse().unwrap(),
                secret: hex(f[6]),
                code: f[7],
                tools: f[8],
            }
        })
        .collect()
}

/// Another code of the same length that is surely not `code` (last digit changed).
fn other_code(code: &str) -> String {
    let mut s = code.to_owned();
    let last = s.pop().unwrap();
    s.push(if last == '0' { '1' } else { '0' });
    s
}

fn check_totp(r: &Row<'_>) {
    let period = r.period.unwrap();
    let t0 = r.t0.unwrap();
    let now = UnixTime::from_secs(r.time_or_counter);
    let ctx = format!("line {}", r.line);
    let totp = Totp::new()
        .with_algorithm(r.algorithm)
        .with_digits(r.digits)
        .with_period(Period::new(period).unwrap())
        .with_t0(UnixTime::from_secs(t0));
    let secret = Secret::from_bytes(&r.secret).unwrap();
    // RFC 6238 §4.2: T = floor((time - T0) / X), in u64 arithmetic here.
    let step = (r.time_or_counter - t0) / period;
    assert_eq!(totp.step_at(now).unwrap(), step, "{ctx}");

    // One-shot and prepared paths.
    assert_eq!(
        totp.generate(&secret, now).unwrap().to_string(),
        r.code,
        "{ctx}"
    );
    let key = totp.key(&secret);
    assert_eq!(key.generate(now).unwrap().to_string(), r.code, "{ctx}");
    assert_eq!(key.code_at_step(step).to_string(), r.code, "{ctx}");

    // Verify accepts it at that time with an exact window, on both paths.
    let m = totp.verify(&secret, r.code, now, Window::EXACT).unwrap();
    assert_eq!((m.step(), m.offset()), (step, 0), "{ctx}");
    let m = key.verify(r.code, now, Window::EXACT).unwrap();
    assert_eq!((m.step(), m.offset()), (step, 0), "{ctx}");
    let parsed = Code::parse(r.code, r.digits).unwrap();
    assert_eq!(
        key.verify_code(&parsed, now, Window::EXACT).unwrap().step(),
        step,
        "{ctx}"
    );
    // ... and a different code of the same shape is refused.
    assert_eq!(
        key.verify(&other_code(r.code), now, Window::EXACT),
        Err(VerifyError::Invalid),
        "{ctx}"
    );
}

fn check_hotp(r: &Row<'_>) {
    let counter = r.time_or_counter;
    let ctx = format!("line {}", r.line);
    let hotp = Hotp::new()
        .with_algorithm(r.algorithm)
        .with_digits(r.digits);
    let secret = Secret::from_bytes(&r.secret).unwrap();
    assert_eq!(hotp.generate(&secret, counter).to_string(), r.code, "{ctx}");
    let key = hotp.key(&secret);
    assert_eq!(key.generate(counter).to_string(), r.code, "{ctx}");
    let m = hotp
        .verify(&secret, r.code, counter, LookAhead::NONE)
        .unwrap();
    assert_eq!(m.counter(), counter, "{ctx}");
    assert_eq!(m.next_counter(), counter.checked_add(1), "{ctx}");
    let m = key.verify(r.code, counter, LookAhead::NONE).unwrap();
    assert_eq!(m.counter(), counter, "{ctx}");
    assert_eq!(
        key.verify(&other_code(r.code), counter, LookAhead::NONE),
        Err(VerifyError::Invalid),
        "{ctx}"
    );
}

#[test]
fn every_cross_checked_vector_passes() {
    let rows = rows();
    let mut by_mode_alg_digits: BTreeMap<(String, String, u32), usize> = BTreeMap::new();
    for r in &rows {
        match r.mode {
            "totp" => check_totp(r),
            "hotp" => check_hotp(r),
            other => panic!("line {}: unknown mode {other}", r.line),
        }
        *by_mode_alg_digits
            .entry((r.mode.to_owned(), r.algorithm.to_string(), r.digits.get()))
            .or_default() += 1;
    }
    assert!(rows.len() >= 1000, "only {} vectors", rows.len());
    // Every mode × algorithm × digit count is represented.
    for mode in ["totp", "hotp"] {
        for alg in ["SHA1", "SHA256", "SHA512"] {
            for d in 6..=10 {
                let n = by_mode_alg_digits.get(&(mode.to_owned(), alg.to_owned(), d));
                assert!(n.is_some_and(|&n| n >= 10), "{mode} {alg} {d}: {n:?}");
            }
        }
    }
    // The header's row count matches the rows.
    let declared = VECTORS
        .lines()
        .find_map(|l| l.strip_prefix("# Rows: "))
        .unwrap();
    assert_eq!(declared.parse::<usize>().unwrap(), rows.len());
}

#[test]
fn vectors_cover_the_required_ranges() {
    let rows = rows();
    let totp: Vec<_> = rows.iter().filter(|r| r.mode == "totp").collect();
    let lens: Vec<usize> = rows.iter().map(|r| r.secret.len()).collect();
    assert_eq!(lens.iter().min(), Some(&10));
    assert_eq!(lens.iter().max(), Some(&128));
    let periods: Vec<u64> = totp.iter().map(|r| r.period.unwrap()).collect();
    assert!(periods.contains(&1) && periods.contains(&86_400));
    assert!(totp.iter().filter(|r| r.t0 != Some(0)).count() >= 100);
    assert!(totp.iter().any(|r| r.time_or_counter == u64::MAX));
    assert!(totp.iter().any(|r| r.time_or_counter == 1 << 63));
    assert!(
        totp.iter()
            .filter(|r| (1u64 << 62..1 << 63).contains(&r.time_or_counter))
            .count()
            >= 50
    );
    let hotp_counters: Vec<u64> = rows
        .iter()
        .filter(|r| r.mode == "hotp")
        .map(|r| r.time_or_counter)
        .collect();
    assert!(hotp_counters.contains(&u64::MAX) && hotp_counters.contains(&(u64::MAX - 3)));
    // Every row names pyref and pyotp, and nearly every row an oathtool computation.
    assert!(
        rows.iter()
            .all(|r| r.tools.contains("pyref") && r.tools.contains("pyotp"))
    );
    let with_oathtool = rows.iter().filter(|r| r.tools.contains("oathtool")).count();
    assert!(with_oathtool * 10 >= rows.len() * 9, "{with_oathtool}");
}

#[test]
fn secrets_round_trip_through_base32() {
    // The vector secrets also survive to_base32 -> from_base32 (both modes).
    for r in rows() {
        let s = Secret::from_bytes(&r.secret).unwrap();
        let text = s.to_base32();
        assert!(Secret::from_base32(&text).unwrap() == s, "line {}", r.line);
        assert!(
            Secret::from_base32_strict(&text).unwrap() == s,
            "line {}",
            r.line
        );
    }
}
