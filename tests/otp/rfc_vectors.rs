//! Known-answer tests from the RFCs. Each vector file names its source.
#![expect(clippy::panic, reason = "test code: unwraps and indexes known data")]

use twostep::otp::{Algorithm, Digits, LookAhead};
use twostep::{Code, Hotp, Secret, Totp, UnixTime, Window};

fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect())
}

const RFC4226: &str = include_str!("../vectors/rfc4226_appendix_d.txt");
const RFC6238: &str = include_str!("../vectors/rfc6238_appendix_b.txt");

#[test]
fn rfc4226_appendix_d_six_digits() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let hotp = Hotp::new();
    let mut n = 0;
    for r in rows(RFC4226) {
        let counter: u64 = r[0].parse().unwrap();
        assert_eq!(
            hotp.generate(&secret, counter).to_string(),
            r[2],
            "counter {counter}"
        );
        // And it verifies at exactly that counter, from any start within the look-ahead.
        let m = hotp
            .verify(
                &secret,
                r[2],
                counter.saturating_sub(3),
                LookAhead::new(3).unwrap(),
            )
            .unwrap();
        assert_eq!(m.counter(), counter);
        n += 1;
    }
    assert_eq!(n, 10);
}

#[test]
fn rfc4226_appendix_d_truncated_values_as_ten_digits() {
    // With 10 digits, the code is the 31-bit truncated value itself
    // (all are below 10^10), so Table 1's "Decimal" column is the code.
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let hotp = Hotp::new().with_digits(Digits::MAX);
    for r in rows(RFC4226) {
        let counter: u64 = r[0].parse().unwrap();
        let want = format!("{:010}", r[1].parse::<u64>().unwrap());
        assert_eq!(hotp.generate(&secret, counter).to_string(), want);
        // 7, 8 and 9 digits are the low digits of the same value.
        for d in 7..=9u32 {
            let code = Hotp::new()
                .with_digits(Digits::new(d).unwrap())
                .generate(&secret, counter);
            assert_eq!(
                code.to_string(),
                want[(10 - d as usize)..],
                "{d} digits, counter {counter}"
            );
        }
    }
}

fn rfc6238_seed(alg: &str) -> (Algorithm, &'static [u8]) {
    match alg {
        "SHA1" => (Algorithm::Sha1, b"12345678901234567890"),
        "SHA256" => (Algorithm::Sha256, b"12345678901234567890123456789012"),
        "SHA512" => (
            Algorithm::Sha512,
            b"1234567890123456789012345678901234567890123456789012345678901234",
        ),
        other => panic!("unknown mode {other}"),
    }
}

#[test]
fn rfc6238_appendix_b_all_algorithms() {
    let mut n = 0;
    for r in rows(RFC6238) {
        let t: u64 = r[0].parse().unwrap();
        let step = u64::from_str_radix(r[1], 16).unwrap();
        let (alg, seed) = rfc6238_seed(r[3]);
        let secret = Secret::from_bytes(seed).unwrap();
        let totp = Totp::new().with_algorithm(alg).with_digits(Digits::EIGHT);
        let now = UnixTime::from_secs(t);
        assert_eq!(totp.step_at(now).unwrap(), step);
        assert_eq!(
            totp.generate(&secret, now).unwrap().to_string(),
            r[2],
            "{} at {t}",
            r[3]
        );
        let m = totp.verify(&secret, r[2], now, Window::EXACT).unwrap();
        assert_eq!((m.step(), m.offset()), (step, 0));
        // The prepared key agrees with the one-shot path.
        let key = totp.key(&secret);
        assert_eq!(
            key.code_at_step(step),
            Code::parse(r[2], Digits::EIGHT).unwrap()
        );
        n += 1;
    }
    assert_eq!(n, 18);
}
