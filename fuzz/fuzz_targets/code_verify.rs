//! Typed code input and TOTP verification over a window.
//!
//! Oracles: nothing panics; the one-shot and prepared-key paths agree; a
//! malformed input is `Malformed` with exactly `Code::parse`'s error; a time
//! before T0 is a `Time` error; otherwise the result equals an independent
//! nearest-first linear scan of the window (so success implies the matched
//! step's code equals the parsed input, the offset is `step - expected` and
//! lies inside the window); the real code of any step in the window is
//! accepted; parsed codes round-trip through `Display`.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use twostep::otp::{Period, VerifyError};
use twostep::{Code, Totp, UnixTime, Window};
use twostep_fuzz::{Typed, algorithm, digits, digits_only, secret, type_code};

#[derive(Arbitrary, Debug)]
struct Input {
    key: Vec<u8>,
    algorithm: u8,
    digits: u8,
    period: u32,
    t0: u64,
    now: u64,
    behind: u8,
    ahead: u8,
    typed: Typed,
}

/// Reference scan: offsets 0, -1, +1, -2, +2, … within the window, steps
/// that exist in `u64` only; the first whose code equals `code` wins.
fn reference(
    key: &twostep::otp::KeyedTotp,
    code: &Code,
    center: u64,
    w: Window,
) -> Option<(u64, i64)> {
    let reach = i64::from(w.behind().max(w.ahead()));
    let offsets = (0..=reach).flat_map(|k| if k == 0 { vec![0] } else { vec![-k, k] });
    for offset in offsets {
        if offset < -i64::from(w.behind()) || offset > i64::from(w.ahead()) {
            continue;
        }
        let Some(step) = center.checked_add_signed(offset) else {
            continue;
        };
        if key.code_at_step(step) == *code {
            return Some((step, offset));
        }
    }
    None
}

fuzz_target!(|input: Input| {
    let digits = digits(input.digits);
    let period = match Period::new(u64::from(input.period)) {
        Ok(p) => {
            assert_ne!(input.period, 0);
            p
        }
        Err(_) => {
            assert_eq!(input.period, 0);
            Period::DEFAULT
        }
    };
    let window = match Window::new(u32::from(input.behind), u32::from(input.ahead)) {
        Ok(w) => {
            assert!(input.behind <= 100 && input.ahead <= 100);
            w
        }
        Err(_) => {
            assert!(input.behind > 100 || input.ahead > 100);
            Window::new(u32::from(input.behind % 101), u32::from(input.ahead % 101))
                .expect("<= 100 is valid")
        }
    };
    let totp = Totp::new()
        .with_algorithm(algorithm(input.algorithm))
        .with_digits(digits)
        .with_period(period)
        .with_t0(UnixTime::from_secs(input.t0));
    let secret = secret(&input.key);
    let key = totp.key(&secret);
    let now = UnixTime::from_secs(input.now);
    let center = totp.step_at(now);

    let (text, real_offset) = match &input.typed {
        Typed::Raw(s) => (s.clone(), None),
        Typed::Real { offset, separator } => {
            let Ok(center) = center else { return };
            let Some(step) = center.checked_add_signed(i64::from(*offset)) else {
                return;
            };
            (
                type_code(&key.code_at_step(step), *separator),
                Some(i64::from(*offset)),
            )
        }
    };

    let result = key.verify(&text, now, window);
    assert_eq!(
        result,
        totp.verify(&secret, &text, now, window),
        "one-shot and keyed paths agree"
    );

    let code = match Code::parse(&text, digits) {
        Ok(code) => code,
        Err(e) => {
            assert_eq!(result, Err(VerifyError::Malformed(e)));
            assert!(real_offset.is_none(), "a typed real code always parses");
            return;
        }
    };
    // Parsing round-trips through Display.
    assert_eq!(code.to_string(), digits_only(&text));
    assert_eq!(code.to_string().len(), digits.get() as usize);
    assert!(Code::parse(&code.to_string(), digits).is_ok_and(|c| c == code));

    let center = match center {
        Ok(c) => c,
        Err(e) => {
            assert_eq!(result, Err(VerifyError::Time(e)));
            return;
        }
    };
    let expected = reference(&key, &code, center, window);
    assert_eq!(
        result.map(|m| (m.step(), m.offset())),
        expected.ok_or(VerifyError::Invalid),
        "verify equals the reference scan"
    );
    if let Ok(m) = result {
        assert!(window.contains(m.offset()));
        assert!(key.code_at_step(m.step()) == code);
        assert_eq!(
            i128::from(m.step()) - i128::from(center),
            i128::from(m.offset())
        );
        assert_eq!(key.verify_code_around(&code, center, window), Ok(m));
    }
    if let Some(offset) = real_offset
        && window.contains(offset)
    {
        let m = result.expect("the real code of a step in the window is accepted");
        // A nearer step may collide by chance, never a farther one.
        assert!(m.offset().abs() <= offset.abs());
    }
});
