//! Verification allocates nothing: a counting global allocator (per thread)
//! around `verify` for every outcome.

use std::hint::black_box;

use twostep::delivered::{Policy, Reason, ResendRule, State, verify};

use crate::counting_alloc::allocations;
use crate::{at, key, login, other_code, rng, send};

#[test]
fn verify_allocates_nothing_for_any_outcome() {
    let p = Policy::DEFAULT.with_resend_rule(ResendRule::NewCode);
    let mut r = rng(1);
    let (first, s) = send(&p, Reason::LoginStarted, at(0), &mut r, &State::new()).unwrap();
    let (second, s) = send(&p, Reason::UserResend, at(30), &mut r, &s).unwrap();
    let old = first.code().to_string();
    let right = second.code().to_string();
    let wrong = other_code(&right);
    let k = key();
    let b = login();
    for (input, now) in [
        (&right, 40),
        (&old, 40),
        (&wrong, 40),
        (&"12a456".to_owned(), 40),
        (&right, 10_000),
    ] {
        let mut outcome = None;
        let n = allocations(|| {
            outcome = Some(verify(
                black_box(&p),
                &k,
                &b,
                black_box(input),
                at(now),
                black_box(&s),
            ));
        });
        assert_eq!(n, 0, "{:?}", outcome.map(|o| o.0));
    }
}
