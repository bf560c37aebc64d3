//! HOTP verification with look-ahead, counters near `u64::MAX` included.
//!
//! Oracles: nothing panics or overflows; the one-shot and prepared-key
//! paths agree; malformed input is `Malformed` with `Code::parse`'s error;
//! otherwise the result equals an independent linear scan of
//! `counter ..= counter + look_ahead` (counters that exist in `u64`), so
//! success implies the matched counter lies in that range and generates the
//! parsed code; `next_counter` is `counter + 1` or `None` at `u64::MAX`; the
//! real code of any counter in range is accepted.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use twostep::otp::{LookAhead, VerifyError};
use twostep::{Code, Hotp};
use twostep_fuzz::{Typed, algorithm, digits, digits_only, secret, type_code};

#[derive(Arbitrary, Debug)]
struct Input {
    key: Vec<u8>,
    algorithm: u8,
    digits: u8,
    counter: u64,
    /// Count down from `u64::MAX` instead, to reach the end of the counter space.
    near_max: bool,
    look_ahead: u8,
    typed: Typed,
}

fuzz_target!(|input: Input| {
    let hotp = Hotp::new()
        .with_algorithm(algorithm(input.algorithm))
        .with_digits(digits(input.digits));
    let counter = if input.near_max {
        u64::MAX - (input.counter % 256)
    } else {
        input.counter
    };
    let look_ahead = match LookAhead::new(u32::from(input.look_ahead)) {
        Ok(la) => {
            assert!(input.look_ahead <= 100);
            assert_eq!(la.get(), u32::from(input.look_ahead));
            la
        }
        Err(_) => {
            assert!(input.look_ahead > 100);
            LookAhead::new(u32::from(input.look_ahead % 101)).expect("<= 100 is valid")
        }
    };
    let secret = secret(&input.key);
    let key = hotp.key(&secret);

    let (text, real_counter) = match &input.typed {
        Typed::Raw(s) => (s.clone(), None),
        Typed::Real { offset, separator } => {
            let Some(c) = counter.checked_add(u64::from(offset.unsigned_abs())) else {
                return;
            };
            (type_code(&key.generate(c), *separator), Some(c))
        }
    };

    let result = key.verify(&text, counter, look_ahead);
    assert_eq!(
        result,
        hotp.verify(&secret, &text, counter, look_ahead),
        "one-shot and keyed paths agree"
    );

    let code = match Code::parse(&text, hotp.digits()) {
        Ok(code) => code,
        Err(e) => {
            assert_eq!(result, Err(VerifyError::Malformed(e)));
            assert!(real_counter.is_none(), "a typed real code always parses");
            return;
        }
    };
    assert_eq!(code.to_string(), digits_only(&text));

    // Independent scan in u128, so the range end cannot overflow.
    let last = u128::from(counter) + u128::from(look_ahead.get());
    let expected = (u128::from(counter)..=last)
        .filter_map(|c| u64::try_from(c).ok())
        .find(|&c| key.generate(c) == code);
    assert_eq!(
        result.map(|m| m.counter()),
        expected.ok_or(VerifyError::Invalid)
    );
    assert_eq!(key.verify_code(&code, counter, look_ahead), result);

    if let Ok(m) = result {
        assert!(m.counter() >= counter);
        assert!(u128::from(m.counter()) <= last);
        assert!(key.generate(m.counter()) == code);
        assert_eq!(m.next_counter(), m.counter().checked_add(1));
    }
    if let Some(c) = real_counter
        && u128::from(c) <= last
    {
        let m = result.expect("the real code of a counter in range is accepted");
        // An earlier counter may collide by chance, never a later one.
        assert!(m.counter() <= c);
    }
});
