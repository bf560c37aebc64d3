//! Verification allocates nothing: a counting global allocator (per thread)
//! around `verify` for every outcome.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

use twostep::delivered::{Policy, Reason, ResendRule, State, verify};

use crate::{at, key, login, other_code, rng, send};

struct Counting;

std::thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` unchanged; the counter has no
// effect on the memory returned.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: forwarded with the caller's valid layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        // SAFETY: forwarded with the caller's pointer, layout and size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

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
        let before = allocations();
        let out = black_box(verify(
            black_box(&p),
            &k,
            &b,
            black_box(input),
            at(now),
            black_box(&s),
        ));
        assert_eq!(allocations(), before, "{:?}", out.0);
    }
}
