//! Constant-time regression check for twostep, by the valgrind method.
//!
//! Secret bytes (and the typed code) are marked *undefined* with a Memcheck
//! client request. Memcheck then tracks everything computed from them and
//! reports "Conditional jump or move depends on uninitialised value(s)" for
//! a branch, and "Use of uninitialised value" for a memory index, that
//! depends on them. A path that is constant time with respect to the secret
//! produces no such report. Results that are public by design (accepted or
//! not, and which step) are *declassified* — marked defined — right after
//! they leave the library.
//!
//! Run: `scripts/ct_check.sh` (builds in release with debug info and runs
//! each case under `valgrind --tool=memcheck`). Outside valgrind the client
//! requests are no-ops and the program only checks its own results.
//!
//! `ct_check --list` prints the cases; `ct_check CASE…` runs some. Cases
//! named `leaky_*` are negative controls that MUST be flagged: they prove
//! the check can fail. To add a case, write a `fn() -> Result<(), String>`
//! and add it to `CASES` or `LEAKY`.
#![expect(
    unsafe_code,
    reason = "the valgrind client requests are inline assembly, and the recorder a global allocator"
)]

use std::hint::black_box;
use std::process::ExitCode;

use twostep::account::seal::{KeyId, Keyring, OpenError, SealKey, Sealed};
use twostep::account::{self, Account, AccountError, Config, LoginOutcome, Method, Refusal, User};
use twostep::backup::{CodeSet, Policy, Redemption};
use twostep::delivered::{self, Binding, Channel, Purpose, Reason, ResendRule};
use twostep::guard::{Outcome, State as GuardState};
use twostep::otp::{Algorithm, Code, Digits, Hotp, LookAhead, VerifyError, Window};
use twostep::time::TimeError;
use twostep::{Guard, Secret, Totp, UnixTime};

/// A named check: `Ok` if it computed the expected answer.
type Case = (&'static str, fn() -> Result<(), String>);

/// The constant-time cases: memcheck must report nothing for them.
const CASES: &[Case] = &[
    ("totp_verify_window", totp_verify_window),
    ("hotp_verify_look_ahead", hotp_verify_look_ahead),
    ("secret_eq", secret_eq),
    ("backup_redeem_slots", backup_redeem_slots),
    ("backup_set_eq", backup_set_eq),
    ("guard_check", guard_check),
    ("guard_resync", guard_resync),
    ("delivered_verify", delivered_verify),
    ("device_check", device_check),
    ("seal_open", seal_open),
    ("account_login", account_login),
];

/// Negative controls: deliberately leaky, memcheck MUST report them.
const LEAKY: &[Case] = &[
    ("leaky_byte_loop", leaky_byte_loop),
    ("leaky_window_early_exit", leaky_window_early_exit),
    ("leaky_backup_symbol_lookup", leaky_backup_symbol_lookup),
    ("leaky_delivered_code_compare", leaky_delivered_code_compare),
    ("leaky_device_tag_eq", leaky_device_tag_eq),
    ("leaky_sealed_plaintext_scan", leaky_sealed_plaintext_scan),
];

mod memcheck {
    //! Memcheck client requests, the documented x86-64 "magic sequence" of
    //! valgrind.h (`VALGRIND_DO_CLIENT_REQUEST_EXPR`): four rotations of rdi
    //! that cancel out, then `xchg rbx, rbx`. Natively it does nothing and
    //! yields the default; under valgrind the request is served.

    const RUNNING_ON_VALGRIND: u64 = 0x1001;
    /// `VG_USERREQ_TOOL_BASE('M','C')`, then the memcheck.h enum order.
    const MAKE_MEM_UNDEFINED: u64 = 0x4d43_0001;
    const MAKE_MEM_DEFINED: u64 = 0x4d43_0002;

    #[cfg(target_arch = "x86_64")]
    fn request(args: [u64; 6], default: u64) -> u64 {
        let result;
        // SAFETY: the sequence only rotates rdi by 128 bits in all (a
        // no-op) and exchanges rbx with itself; valgrind reads `args`.
        unsafe {
            core::arch::asm!(
                "rol rdi, 3",
                "rol rdi, 13",
                "rol rdi, 61",
                "rol rdi, 51",
                "xchg rbx, rbx",
                in("rax") args.as_ptr(),
                inout("rdx") default => result,
                options(nostack),
            );
        }
        result
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn request(_args: [u64; 6], default: u64) -> u64 {
        default
    }

    fn mark(req: u64, addr: *const u8, len: usize) {
        std::hint::black_box(request([req, addr as u64, len as u64, 0, 0, 0], 0));
    }

    /// Whether the program runs under valgrind.
    pub fn running() -> bool {
        request([RUNNING_ON_VALGRIND, 0, 0, 0, 0, 0], 0) != 0
    }

    /// Marks `bytes` as secret: undefined for memcheck.
    pub fn classify(bytes: &[u8]) {
        mark(MAKE_MEM_UNDEFINED, bytes.as_ptr(), bytes.len());
    }

    /// Marks a value as secret.
    pub fn classify_value<T>(v: &T) {
        mark(MAKE_MEM_UNDEFINED, (v as *const T).cast(), size_of::<T>());
    }

    /// A value made public on purpose, in place (an outcome that owns heap
    /// data): its own bytes become defined, not what they point to.
    pub fn declassify_in_place<T>(v: &T) {
        mark(MAKE_MEM_DEFINED, (v as *const T).cast(), size_of::<T>());
    }

    /// Bytes made public on purpose (an opened plaintext the check compares).
    pub fn declassify_bytes(bytes: &[u8]) {
        mark(MAKE_MEM_DEFINED, bytes.as_ptr(), bytes.len());
    }

    /// A value made public on purpose (a verification's outcome): defined.
    pub fn declassify<T: Copy>(v: T) -> T {
        let slot = v;
        mark(MAKE_MEM_DEFINED, (&raw const slot).cast(), size_of::<T>());
        // The asm may have written `slot`, so it is reloaded from memory.
        std::hint::black_box(slot)
    }
}

const KEY: &[u8] = b"12345678901234567890123456789012345678901234567890123456789012345";

/// TOTP verification through the prepared key over a ±5 window, for each
/// hash and for a matching and a non-matching code: the secret key bytes
/// and the typed code are undefined throughout.
fn totp_verify_window() -> Result<(), String> {
    let center = 1_000_000u64;
    let window = Window::symmetric(5).map_err(|e| e.to_string())?;
    for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
        for digits in [Digits::SIX, Digits::EIGHT] {
            let totp = Totp::new().with_algorithm(algorithm).with_digits(digits);
            let len = match algorithm {
                Algorithm::Sha1 => 20,
                Algorithm::Sha256 => 32,
                _ => 64,
            };
            let secret = Secret::from_bytes(&KEY[..len]).map_err(|e| e.to_string())?;
            // The code a user would type for step center+3, computed while
            // the key is still defined, then parsed from text like input.
            let typed = totp.key(&secret).code_at_step(center + 3).to_string();
            let mut wrong = Code::parse(&typed, digits).map_err(|e| e.to_string())?;
            wrong = Code::from_value((wrong.value() + 1) % 1_000_000, digits).ok_or("code")?;

            memcheck::classify(secret.expose_secret());
            let key = totp.key(&secret);
            for (code_text, want) in [(typed.clone(), Ok(3i64)), (wrong.to_string(), Err(()))] {
                let code = Code::parse(&code_text, digits).map_err(|e| e.to_string())?;
                memcheck::classify_value(&code);
                let result = key.verify_code_around(black_box(&code), center, window);
                let outcome = memcheck::declassify(result);
                match (outcome, want) {
                    (Ok(m), Ok(offset)) if m.offset() == offset => {}
                    (Err(VerifyError::Invalid), Err(())) => {}
                    (got, _) => return Err(format!("{algorithm}: unexpected result {got:?}")),
                }
            }
        }
    }
    Ok(())
}

/// HOTP verification through the prepared key with a look-ahead of 10.
fn hotp_verify_look_ahead() -> Result<(), String> {
    let counter = 5_000u64;
    let look_ahead = LookAhead::new(10).map_err(|e| e.to_string())?;
    let hotp = Hotp::new();
    let secret = Secret::from_bytes(&KEY[..20]).map_err(|e| e.to_string())?;
    let typed = hotp.key(&secret).generate(counter + 7).to_string();
    memcheck::classify(secret.expose_secret());
    let key = hotp.key(&secret);
    for (text, want) in [(typed.as_str(), Some(counter + 7)), ("000000", None)] {
        let code = Code::parse(text, Digits::SIX).map_err(|e| e.to_string())?;
        memcheck::classify_value(&code);
        let result = key.verify_code(black_box(&code), counter, look_ahead);
        let got = memcheck::declassify(result).ok().map(|m| m.counter());
        if got != want {
            return Err(format!("unexpected result {got:?}"));
        }
    }
    Ok(())
}

/// `Secret` equality: equal and unequal keys of the same length, both
/// undefined.
fn secret_eq() -> Result<(), String> {
    let a = Secret::from_bytes(&KEY[..32]).map_err(|e| e.to_string())?;
    let b = a.duplicate();
    let mut other = KEY[..32].to_vec();
    other[31] ^= 1;
    let c = Secret::from_bytes(&other).map_err(|e| e.to_string())?;
    for s in [&a, &b, &c] {
        memcheck::classify(s.expose_secret());
    }
    let same = memcheck::declassify(black_box(&a) == black_box(&b));
    let differ = memcheck::declassify(black_box(&a) == black_box(&c));
    if same && !differ {
        Ok(())
    } else {
        Err("secret equality gave the wrong answer".into())
    }
}

mod recorder {
    //! A global allocator that records the allocations made while armed, so
    //! that the check can find the heap copy of a `CodeSet`'s slots
    //! (the library exposes no pointer to them) and mark its digests secret.

    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

    const SLOTS: usize = 32;
    static ARMED: AtomicBool = AtomicBool::new(false);
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    static PTRS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
    static SIZES: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];

    pub struct Recorder;

    // SAFETY: forwards every call to the system allocator unchanged.
    unsafe impl GlobalAlloc for Recorder {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: same contract as the caller's.
            let p = unsafe { System.alloc(layout) };
            if ARMED.load(SeqCst) {
                let i = COUNT.fetch_add(1, SeqCst);
                if i < SLOTS {
                    PTRS[i].store(p as usize, SeqCst);
                    SIZES[i].store(layout.size(), SeqCst);
                }
            }
            p
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: same contract as the caller's.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// Runs `f` and returns what it made, with the allocations it made
    /// (address, size) that are still owned by the result.
    pub fn record<T>(f: impl FnOnce() -> T) -> (T, Vec<(usize, usize)>) {
        COUNT.store(0, SeqCst);
        ARMED.store(true, SeqCst);
        let made = f();
        ARMED.store(false, SeqCst);
        let n = COUNT.load(SeqCst).min(SLOTS);
        let allocs = (0..n)
            .map(|i| (PTRS[i].load(SeqCst), SIZES[i].load(SeqCst)))
            .collect();
        (made, allocs)
    }
}

#[global_allocator]
static ALLOCATOR: recorder::Recorder = recorder::Recorder;

/// Standard base64 without padding, as in the storage string.
fn b64(text: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.bytes() {
        acc = (acc << 6) | A.iter().position(|&a| a == c).unwrap_or(0) as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// A copy of `set` whose stored digests are secret (undefined): the copy is
/// made while the recorder is armed, and each digest of the storage string
/// is found by content in the copy's allocations and marked. Fails unless
/// every digest is found, so the case cannot silently test nothing.
fn with_secret_digests(storage: &str) -> Result<CodeSet, String> {
    let parsed: CodeSet = storage.parse().map_err(|e| format!("{e}"))?;
    let digests: Vec<Vec<u8>> = storage
        .rsplit('$')
        .next()
        .unwrap_or("")
        .split(',')
        .map(|d| b64(d.trim_start_matches('-')))
        .collect();
    let (copy, allocs) = recorder::record(|| parsed.clone());
    // Find every digest first (comparing marked bytes would itself branch
    // on secret data), then mark them.
    let mut found = Vec::new();
    for (addr, size) in allocs {
        // SAFETY: a live allocation of `size` bytes owned by `copy`.
        let bytes = unsafe { std::slice::from_raw_parts(addr as *const u8, size) };
        for d in &digests {
            if let Some(at) = bytes.windows(d.len()).position(|w| w == d.as_slice()) {
                found.push(&bytes[at..at + d.len()]);
            }
        }
    }
    let marked = found.len();
    found.iter().for_each(|d| memcheck::classify(d));
    if marked != digests.len() || digests.iter().any(|d| d.len() != 32) {
        return Err(format!("marked {marked} of {} digests", digests.len()));
    }
    Ok(copy)
}

/// Backup-code slot comparison: `CodeSet::redeem` of an unused slot's
/// code, a used slot's code and a wrong code, against known-answer sets
/// (tests/vectors/backup_kat.txt, storage format v1: HMAC without and with a
/// pepper, PBKDF2 with a pepper; backup_kat_v2.txt, format v2, whose key is
/// derived from the pepper: HMAC without one, PBKDF2 with one), and a
/// malformed code. Secret throughout: the typed code (marked in its own
/// copy, so the normaliser that decodes its symbols is covered), the stored
/// digests (marked in the set's heap copy) and the pepper (marked before
/// the policy copies it). Whether the code is well formed and which slot
/// matched, if any, are public by design and declassified.
fn backup_redeem_slots() -> Result<(), String> {
    struct Kat {
        storage: &'static str,
        pepper: Option<&'static str>,
        unused: (&'static str, usize),
        used: Option<(&'static str, usize)>,
        wrong: &'static str,
    }
    let kats = [
        Kat {
            storage: "$twostep-bc$v=1$alg=hmac-sha256,len=24,pepper=0$salt=RCCCPP3m8cJrMPkOx90B5A$gen=2$TXHsNi6a8Qav4sEecVltnc88I/4IW7E87sUC0VX6qyE,-Mk41euiLMWlFwiDrLankoUwIbe2GDee7F4C9qXl4pFE,9Np52VZfWe1wbllFiFuqtfaDojdd5vdJnM6pqPVW308",
            pepper: None,
            unused: ("Z1Y2-KSAA-E0CE-SPPX-H0R8-DV3Y", 2),
            used: Some(("BJ7N-VCKJ-ZS2Y-FSTB-QQ5W-6ASQ", 1)),
            wrong: "Z1Y2-KSAA-E0CE-SPPX-H0R8-DV3Z",
        },
        Kat {
            storage: "$twostep-bc$v=1$alg=hmac-sha256,len=24,pepper=1$salt=HC4ruFadgGwSUdzJvuOJEg$gen=1$1X6IzBITK2K2QboRZM6vq0qY7/7ub4OXUrL2j+6TbnA,MHIJWt5xD5k3I5gHgXHAPxSmfqrlplXgC17+e5dU0Tk,EQEfIyZ7CQ5cYEyGVwWkjYXyUwLVYOc4nDZRgu5BE9w,Txy0w3E+MgXtlK+7qnfBortcHa0AyNv3ZJp7AuxBYZg",
            pepper: Some("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"),
            unused: ("4N0C-633H-E68H-FD3V-23QQ-BF15", 2),
            used: None,
            wrong: "0000-0000-0000-0000-0000-0000",
        },
        Kat {
            storage: "$twostep-bc$v=1$alg=pbkdf2-sha256,i=1000,len=10,pepper=1$salt=KfiFEgBK8L+jC4v6ZdMwYg$gen=2$0liczYe+AM3b+eEGqakmZ8NvYJ0FfSt1CgB2u9dYrcY,xVWSz7ksuuB5PNIvFQqNf+0MYAyLkp3FfVTqf/r6VjE,-30gBhWT4dZe+oN/eWSDKg2dwMN5glxwXNwYk3Ib9mcY",
            pepper: Some("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"),
            unused: ("CJ62-CQZC-1Q", 1),
            used: Some(("FVKP-75C7-HK", 2)),
            wrong: "CJ62-CQZC-1R",
        },
        Kat {
            storage: "$twostep-bc$v=2$alg=hmac-sha256,len=24,pepper=0$salt=5+7nYV7zXzDkm0guFcrnUA$gen=2$h3NvaLytoHcY89DB/14vZjJqqpghSpjY3wD6N7hJSYg,-373S48GLId8mCqhLMbglsTzUXpPzm7QNdhBBZjLULKw,RNpORt+BKniVTTVdjX7faBJxU0G0hvRer+zrsYvod4M",
            pepper: None,
            unused: ("0T78-F603-XZBC-WC8T-R7ST-D0HK", 2),
            used: Some(("146S-6JR4-10DD-3YRS-T4CH-N5KN", 1)),
            wrong: "0T78-F603-XZBC-WC8T-R7ST-D0HJ",
        },
        Kat {
            storage: "$twostep-bc$v=2$alg=pbkdf2-sha256,i=1000,len=10,pepper=1$salt=agUSUHoIHEu8ejut7raPyA$gen=2$U3qcaejIXeWHc2LSgj5L/kvv1YRpRpENJBfwzxAtblY,RRk9sv+gEZXOAkOIlaUPZxExROeej6LHK5bxrK3bldQ,-XVtRPYd1GTFYUcJ03QxjZ6DUEDEUFDfU3XBmBSvHkiA",
            pepper: Some("0102030405060708090a0b0c0d0e0f10"),
            unused: ("XTZ5-XQWM-WS", 1),
            used: Some(("4Z1C-8B1J-Z9", 2)),
            wrong: "XTZ5-XQWM-WT",
        },
    ];
    for kat in &kats {
        let pepper: Vec<u8> = kat
            .pepper
            .map(|h| {
                (0..h.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0))
                    .collect()
            })
            .unwrap_or_default();
        memcheck::classify(&pepper);
        let policy = match kat.pepper {
            Some(_) => Policy::DEFAULT
                .with_pepper(&pepper)
                .map_err(|e| e.to_string())?,
            None => Policy::DEFAULT,
        };
        let set = with_secret_digests(kat.storage)?;
        // The typed codes: an unused slot's, a wrong one, a used slot's,
        // and one with a symbol outside the alphabet (malformed).
        let malformed = format!("{}U", &kat.wrong[..kat.wrong.len() - 1]);
        let mut tries = vec![
            (kat.unused.0.to_string(), Ok(Some((kat.unused.1, false)))),
            (kat.wrong.to_string(), Ok(None)),
            (malformed, Err(())),
        ];
        if let Some((code, slot)) = kat.used {
            tries.push((code.to_string(), Ok(Some((slot, true)))));
        }
        for (code, want) in tries {
            let typed = code.clone();
            memcheck::classify(typed.as_bytes());
            let result = set.redeem(black_box(&typed), &policy);
            memcheck::declassify_in_place(&result);
            let got = match black_box(&result) {
                Ok(Redemption::Redeemed { slot, .. }) => Ok(Some((*slot, false))),
                Ok(Redemption::AlreadyUsed { slot }) => Ok(Some((*slot, true))),
                Ok(Redemption::Invalid) => Ok(None),
                Ok(Redemption::Malformed) => Err(()),
                other => return Err(format!("unexpected result {other:?}")),
            };
            if got != want {
                return Err(format!("{code}: got {got:?}, want {want:?}"));
            }
        }
    }
    Ok(())
}

/// `CodeSet` equality: a set against a copy of itself and against the same
/// set with one digest changed, the digests of all three undefined (the
/// salt, the shape and the used flags are public).
fn backup_set_eq() -> Result<(), String> {
    let storage = "$twostep-bc$v=2$alg=hmac-sha256,len=24,pepper=0$salt=5+7nYV7zXzDkm0guFcrnUA$gen=2$h3NvaLytoHcY89DB/14vZjJqqpghSpjY3wD6N7hJSYg,-373S48GLId8mCqhLMbglsTzUXpPzm7QNdhBBZjLULKw,RNpORt+BKniVTTVdjX7faBJxU0G0hvRer+zrsYvod4M";
    let other = storage.replacen("RNpORt+", "RNpORu+", 1);
    let a = with_secret_digests(storage)?;
    let b = with_secret_digests(storage)?;
    let c = with_secret_digests(&other)?;
    let same = memcheck::declassify(black_box(&a) == black_box(&b));
    let differ = memcheck::declassify(black_box(&a) == black_box(&c));
    if same && !differ {
        Ok(())
    } else {
        Err("set equality gave the wrong answer".into())
    }
}

/// What a guard call answered, made public: the outcome's kind and the
/// matched offset.
fn guard_outcome(result: Result<(Outcome, GuardState), TimeError>) -> Result<Option<i64>, String> {
    let (outcome, state) = memcheck::declassify(result).map_err(|e| e.to_string())?;
    match outcome {
        Outcome::Accepted(m) if state.failures() == 0 => Ok(Some(m.offset())),
        Outcome::Invalid if state.failures() == 1 => Ok(None),
        other => Err(format!("unexpected outcome {other:?} ({state:?})")),
    }
}

/// `Guard::check` with the default window (one step back, one ahead), for
/// each hash: a code for the step ahead and a wrong code. The secret key
/// bytes and the typed text are undefined; the outcome and the new state
/// (accepted or not, which step) are public and declassified.
fn guard_check() -> Result<(), String> {
    let now = UnixTime::from_secs(1_800_000_000);
    for (algorithm, len) in [
        (Algorithm::Sha1, 20),
        (Algorithm::Sha256, 32),
        (Algorithm::Sha512, 64),
    ] {
        let totp = Totp::new().with_algorithm(algorithm);
        let guard = Guard::new(totp);
        let secret = Secret::from_bytes(&KEY[..len]).map_err(|e| e.to_string())?;
        let step = totp.step_at(now).map_err(|e| e.to_string())?;
        let right = totp.key(&secret).code_at_step(step + 1).to_string();
        let value = Code::parse(&right, Digits::SIX)
            .map_err(|e| e.to_string())?
            .value();
        let wrong = Code::from_value((value + 1) % 1_000_000, Digits::SIX).ok_or("code")?;
        memcheck::classify(secret.expose_secret());
        for (text, want) in [(right, Some(1)), (wrong.to_string(), None)] {
            memcheck::classify(text.as_bytes());
            let result = guard.check(&secret, black_box(&text), now, &GuardState::new());
            let got = guard_outcome(result)?;
            if got != want {
                return Err(format!("{algorithm}: got {got:?}, want {want:?}"));
            }
        }
    }
    Ok(())
}

/// `Guard::resync` over its default reach (ten minutes of steps each way):
/// two consecutive codes of a phone 5 steps ahead, and a pair that is not
/// consecutive. The secret key bytes and both typed texts are undefined;
/// the outcome and the new state are public and declassified.
fn guard_resync() -> Result<(), String> {
    let now = UnixTime::from_secs(1_800_000_000);
    let totp = Totp::new();
    let guard = Guard::new(totp);
    let secret = Secret::from_bytes(&KEY[..20]).map_err(|e| e.to_string())?;
    let step = totp.step_at(now).map_err(|e| e.to_string())?;
    let code = |s: u64| totp.key(&secret).code_at_step(s).to_string();
    let (first, second, apart) = (code(step + 4), code(step + 5), code(step + 7));
    memcheck::classify(secret.expose_secret());
    for (pair, want) in [([first.clone(), second], Some(5)), ([first, apart], None)] {
        pair.iter().for_each(|t| memcheck::classify(t.as_bytes()));
        let typed = [black_box(pair[0].as_str()), black_box(pair[1].as_str())];
        let got = guard_outcome(guard.resync(&secret, typed, now, &GuardState::new()))?;
        if got != want {
            return Err(format!("got {got:?}, want {want:?}"));
        }
    }
    Ok(())
}

/// A generator of fixed bytes for the nonces `delivered::issue` draws (the
/// nonces are stored in the clear: public).
struct FixedRng(u8);

impl rand_core::TryRng for FixedRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(u32::from(self.next_byte()))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(u64::from(self.next_byte()))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.iter_mut().for_each(|b| *b = self.next_byte());
        Ok(())
    }
}

impl rand_core::TryCryptoRng for FixedRng {}

impl FixedRng {
    fn next_byte(&mut self) -> u8 {
        self.0 = self.0.wrapping_add(1);
        self.0
    }
}

/// `delivered::verify` of an SMS code, for a state with one code and for one
/// whose code replaced an earlier one (two HMACs, both compared): the right
/// code, a wrong one, and (in the second) the replaced one. The key's bytes
/// are undefined from before the key is built, and so is the typed text;
/// the messages are issued with a defined copy of the key so that the test
/// knows the codes. The outcome (accepted, wrong, superseded) and the new
/// state are public and declassified.
fn delivered_verify() -> Result<(), String> {
    use delivered::{Key, Outcome, Policy as SmsPolicy, State as SmsState};
    let t = UnixTime::from_secs(1_800_000_000);
    let later = UnixTime::from_secs(1_800_000_060);
    let session = [0x42u8; 32];
    let binding = Binding::new(Purpose::Login, &session).map_err(|e| e.to_string())?;
    let public_key = Key::from_bytes(&KEY[..32]).map_err(|e| e.to_string())?;
    let policy = SmsPolicy::DEFAULT.with_resend_rule(ResendRule::NewCode);
    let mut rng = FixedRng(1);
    let send = |now, state: &SmsState, rng: &mut FixedRng| {
        delivered::issue(
            &policy,
            &public_key,
            &binding,
            Reason::LoginStarted,
            Channel::Sms,
            now,
            rng,
            state,
        )
        .map_err(|e| e.to_string())
    };
    let (old, one) = send(t, &SmsState::new(), &mut rng)?;
    let (new, two) = send(later, &one, &mut rng)?;
    let old = old.code().to_string();
    let new = new.code().to_string();
    let wrong = |code: &str| {
        let (head, last) = code.split_at(code.len() - 1);
        let digit = (last.as_bytes()[0] - b'0' + 1) % 10;
        format!("{head}{digit}")
    };
    let (wrong_one, wrong_two) = (wrong(&old), wrong(&new));
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&KEY[..32]);
    memcheck::classify(&bytes);
    let key = Key::from_bytes(black_box(&bytes)).map_err(|e| e.to_string())?;
    let now = UnixTime::from_secs(1_800_000_090);
    let tries = [
        (&one, old.clone(), Outcome::Accepted),
        (&one, wrong_one, Outcome::Wrong { checks_left: 4 }),
        (&two, new, Outcome::Accepted),
        (&two, wrong_two, Outcome::Wrong { checks_left: 4 }),
        (&two, old, Outcome::Superseded),
    ];
    for (state, text, want) in tries {
        let typed = text.clone();
        memcheck::classify(typed.as_bytes());
        let (outcome, next) =
            delivered::verify(&policy, &key, &binding, black_box(&typed), now, state);
        let outcome = memcheck::declassify(outcome);
        memcheck::declassify_in_place(&next);
        if outcome != want || next.checks() != 1 {
            return Err(format!(
                "{text}: got {outcome:?} after {} checks, want {want:?}",
                next.checks()
            ));
        }
    }
    Ok(())
}

/// Negative control: a delivered code printed and compared with an
/// early-exit loop; proves undefinedness flows from the key's bytes through
/// `Key::from_bytes` and the code derivation to the code.
fn leaky_delivered_code_compare() -> Result<(), String> {
    let session = [0x42u8; 32];
    let binding = Binding::new(Purpose::Login, &session).map_err(|e| e.to_string())?;
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&KEY[..32]);
    memcheck::classify(&bytes);
    let key = delivered::Key::from_bytes(black_box(&bytes)).map_err(|e| e.to_string())?;
    let now = UnixTime::from_secs(1_800_000_000);
    let policy = delivered::Policy::DEFAULT;
    let state = delivered::State::new();
    let (message, _) = delivered::issue(
        &policy,
        &key,
        &binding,
        Reason::LoginStarted,
        Channel::Sms,
        now,
        &mut FixedRng(1),
        &state,
    )
    .map_err(|e| e.to_string())?;
    // Printed and compared byte by byte, stopping at the first difference.
    let text = message.code().to_string();
    let typed = black_box(b"123456");
    let same = text.len() == typed.len()
        && text
            .bytes()
            .zip(typed)
            .all(|(a, b)| black_box(a) == black_box(*b));
    black_box(memcheck::declassify(same));
    Ok(())
}

/// Negative control: a backup code decoded by looking each typed symbol up
/// in the alphabet, stopping at the first match (what a table-free
/// normaliser must not do); proves the typed code's marking is seen.
fn leaky_backup_symbol_lookup() -> Result<(), String> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let typed = String::from("Z1Y2-KSAA-E0CE-SPPX-H0R8-DV3Y");
    memcheck::classify(typed.as_bytes());
    let values: Option<Vec<usize>> = typed
        .bytes()
        .filter(|&b| b != b'-')
        .map(|b| ALPHABET.iter().position(|&s| s == black_box(b)))
        .collect();
    match memcheck::declassify(values.map(|v| v.len())) {
        Some(24) => Ok(()),
        other => Err(format!("leaky lookup decoded {other:?} symbols")),
    }
}

/// Negative control: an early-exit byte comparison of secrets.
fn leaky_byte_loop() -> Result<(), String> {
    fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| black_box(x) == black_box(y))
    }
    let a = Secret::from_bytes(&KEY[..32]).map_err(|e| e.to_string())?;
    let b = a.duplicate();
    memcheck::classify(a.expose_secret());
    memcheck::classify(b.expose_secret());
    let eq = memcheck::declassify(early_exit_eq(a.expose_secret(), b.expose_secret()));
    if eq {
        Ok(())
    } else {
        Err("leaky comparison gave the wrong answer".into())
    }
}

/// Negative control: a window scan that stops at the first match, built on
/// the library's own HMAC path; proves undefinedness flows from the key
/// through HMAC and truncation to the codes.
fn leaky_window_early_exit() -> Result<(), String> {
    let totp = Totp::new();
    let secret = Secret::from_bytes(&KEY[..20]).map_err(|e| e.to_string())?;
    let code = totp.key(&secret).code_at_step(1_003);
    memcheck::classify(secret.expose_secret());
    let key = totp.key(&secret);
    let found = (995..=1_005u64).find(|&s| key.code_at_step(s) == code);
    if memcheck::declassify(found).is_some() {
        Ok(())
    } else {
        Err("leaky window missed the code".into())
    }
}

/// A base64url text with the symbol at `at` replaced by another one of the
/// alphabet (an altered tag or ciphertext that still parses).
fn alter_symbol(text: &str, at: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap_or_default()
}

/// Symbols of a device token's tag (32 bytes in unpadded base64url), the
/// cookie's last field.
const DEVICE_TAG_SYMBOLS: usize = 43;

/// `account::device::check` of a remembered-device cookie: a valid token, a
/// forged tag, the token read on another user's login, and a genuine token
/// of an earlier device epoch. The server key's bytes are undefined from
/// before the key is built, and so is the cookie's tag (its last field);
/// the token is minted with a defined copy of the key. The answer is public
/// and declassified.
fn device_check() -> Result<(), String> {
    use twostep::account::device::{self, DeviceId, DeviceKey, Keyring, Remembered, Token};
    let now = UnixTime::from_secs(1_800_000_000);
    let later = UnixTime::from_secs(1_800_086_400);
    let (user, other, epoch) = (b"user-7".as_slice(), b"user-8".as_slice(), 3);
    let minting = Keyring::new(
        1,
        DeviceKey::from_bytes(&KEY[..32]).map_err(|e| e.to_string())?,
    );
    let id = DeviceId::from_bytes([7; 16]);
    let token = device::remember(&minting, user, id, epoch, now, Token::DEFAULT_LIFETIME)
        .map_err(|e| e.to_string())?;
    let cookie = token.to_string();
    let forged = alter_symbol(&cookie, cookie.len() - 10);
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&KEY[..32]);
    memcheck::classify(&bytes);
    let key = DeviceKey::from_bytes(black_box(&bytes)).map_err(|e| e.to_string())?;
    let keys = Keyring::new(1, key);
    let expires_at = token.expires_at();
    let tries = [
        (
            user,
            &cookie,
            epoch,
            Remembered::Valid {
                device: id,
                expires_at,
            },
        ),
        (user, &forged, epoch, Remembered::Invalid),
        (other, &cookie, epoch, Remembered::Invalid),
        (user, &cookie, epoch + 1, Remembered::Revoked { device: id }),
    ];
    for (who, text, at_epoch, want) in tries {
        let typed = text.clone();
        let tag_at = typed.len() - DEVICE_TAG_SYMBOLS;
        memcheck::classify(&typed.as_bytes()[tag_at..]);
        let got = device::check(&keys, who, black_box(&typed), at_epoch, later);
        let got = memcheck::declassify(got);
        if got != want {
            return Err(format!("got {got:?}, want {want:?}"));
        }
    }
    Ok(())
}

/// A copy of `sealed` whose payload's last `len` bytes (the Poly1305 tag)
/// are undefined: the copy's one allocation is its payload.
fn with_secret_tail(sealed: &Sealed, len: usize) -> Result<Sealed, String> {
    let (copy, allocs) = recorder::record(|| sealed.clone());
    let [(addr, size)] = allocs[..] else {
        return Err(format!("a sealed copy made {} allocations", allocs.len()));
    };
    // SAFETY: a live allocation of `size` bytes owned by `copy`.
    let bytes = unsafe { std::slice::from_raw_parts(addr as *const u8, size) };
    memcheck::classify(&bytes[size - len..]);
    Ok(copy)
}

/// Bytes of a Poly1305 tag.
const SEAL_TAG_LEN: usize = 16;

/// `seal::Keyring::open` (XChaCha20-Poly1305) of a sealed 20-byte secret:
/// the genuine text, one with a ciphertext symbol altered, and the genuine
/// text opened for another user. The key's bytes are undefined from before
/// the key is built, and so is the sealed payload's tag; the text is sealed
/// with a defined copy of the key. Opened or forged is public and
/// declassified, and so (for the check's own comparison) is the opened
/// plaintext.
fn seal_open() -> Result<(), String> {
    let plaintext = &KEY[..20];
    let sealing = Keyring::new(KeyId::new(1), SealKey::from_bytes(&seal_key_bytes()));
    let sealed = sealing
        .seal(b"user-7", plaintext, &mut FixedRng(9))
        .map_err(|e| e.to_string())?;
    let text = sealed.to_string();
    // Past "z1.1." and the 24-byte nonce (32 symbols): a ciphertext symbol.
    let tampered: Sealed = alter_symbol(&text, 5 + 32 + 4)
        .parse()
        .map_err(|e| format!("{e}"))?;
    let bytes = seal_key_bytes();
    memcheck::classify(&bytes);
    let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(black_box(&bytes)));
    let tries = [
        (b"user-7".as_slice(), &sealed, true),
        (b"user-7".as_slice(), &tampered, false),
        (b"user-8".as_slice(), &sealed, false),
    ];
    for (user, sealed, want) in tries {
        let input = with_secret_tail(sealed, SEAL_TAG_LEN)?;
        let result = keyring.open(user, black_box(&input));
        memcheck::declassify_in_place(&result);
        match (black_box(&result), want) {
            (Ok(opened), true) => {
                memcheck::declassify_bytes(opened);
                if opened.as_slice() != plaintext {
                    return Err("opened the wrong plaintext".into());
                }
            }
            (Err(OpenError::Forged), false) => {}
            (got, _) => {
                return Err(format!(
                    "got {:?}, want opened: {want}",
                    got.as_ref().map(|p| p.len())
                ));
            }
        }
    }
    Ok(())
}

/// The seal key of the check's account cases.
fn seal_key_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&KEY[16..48]);
    bytes
}

/// The account cases' configuration, from the key bytes given.
fn account_config(seal: &[u8; 32], sms: &[u8]) -> Result<Config, String> {
    use twostep::account::device::{self, DeviceKey};
    Ok(Config::new(
        Keyring::new(KeyId::new(1), SealKey::from_bytes(seal)),
        delivered::Key::from_bytes(sms).map_err(|e| e.to_string())?,
        device::Keyring::new(
            1,
            DeviceKey::from_bytes(&[3; 32]).map_err(|e| e.to_string())?,
        ),
    ))
}

/// An account with a confirmed app (TOTP, sealed secret) and a confirmed
/// phone with a login code sent at `sent`; returns it with the TOTP secret
/// and the sent code.
fn enrolled_account(
    config: &Config,
    user: &User<'_>,
    attempt: &Binding<'_>,
    sent: UnixTime,
) -> Result<(Account, Secret, String), String> {
    let e = |e: AccountError| e.to_string();
    let mut rng = FixedRng(40);
    let t0 = UnixTime::from_secs(sent.as_secs() - 600);
    let (uri, account) = account::begin_totp(
        config,
        user,
        "Example",
        "ana",
        t0,
        &mut rng,
        &Account::new(),
    )
    .map_err(e)?;
    let secret = uri.secret().duplicate();
    let first = config
        .guard()
        .totp()
        .generate(&secret, t0)
        .map_err(|e| e.to_string())?;
    let (confirmed, account) =
        account::confirm_totp(config, user, &first.to_string(), t0, &account).map_err(e)?;
    let hint = delivered::Hint::new("**42").map_err(|e| e.to_string())?;
    let phone = account::Phone::new(Channel::Sms, hint).map_err(e)?;
    let account = account::begin_phone(phone, &account);
    let settings = Binding::new(Purpose::ConfirmPhone, b"settings").map_err(|e| e.to_string())?;
    let (message, account) = account::send_code(
        config,
        &settings,
        Reason::PhoneChange,
        t0,
        &mut rng,
        &account,
    )
    .map_err(e)?;
    let (phoned, account) =
        account::confirm_phone(config, &settings, &message.code().to_string(), t0, &account)
            .map_err(e)?;
    if !confirmed.is_confirmed() || !phoned.is_confirmed() {
        return Err(format!("enrolment: {confirmed:?}, {phoned:?}"));
    }
    let (message, account) = account::send_code(
        config,
        attempt,
        Reason::LoginStarted,
        sent,
        &mut rng,
        &account,
    )
    .map_err(e)?;
    Ok((account, secret, message.code().to_string()))
}

/// `account::login` with a 6-digit input on an account with both an app
/// and a phone with a sent code, so both kinds are computed: the app's
/// current code, the sent code, and a code neither accepts. The seal key's
/// and the delivered-code key's bytes are undefined from before the keys
/// are built (so the TOTP secret opened from the record is undefined too),
/// and so is the typed text; the record is made with a defined copy of the
/// configuration. The outcome is public and declassified.
fn account_login() -> Result<(), String> {
    let user = User::new(b"user-1842").map_err(|e| e.to_string())?;
    let session = [0x42u8; 32];
    let attempt = Binding::new(Purpose::Login, &session).map_err(|e| e.to_string())?;
    let sent = UnixTime::from_secs(1_800_000_000);
    let now = UnixTime::from_secs(1_800_000_090);
    let public = account_config(&seal_key_bytes(), &KEY[..32])?;
    let (account, secret, sms) = enrolled_account(&public, &user, &attempt, sent)?;
    let totp = public.guard().totp();
    let step = totp.step_at(now).map_err(|e| e.to_string())?;
    let near: Vec<String> = (step - 2..=step + 2)
        .map(|s| totp.key(&secret).code_at_step(s).to_string())
        .collect();
    let app = near[2].clone();
    let wrong = (0..1_000_000u32)
        .map(|v| format!("{:06}", (v + 123_456) % 1_000_000))
        .find(|c| *c != sms && !near.contains(c))
        .ok_or("no wrong code")?;
    if near.contains(&sms) {
        return Err("the sent code is also a TOTP code: pick other keys".into());
    }
    let seal = seal_key_bytes();
    let mut sms_key = [0u8; 32];
    sms_key.copy_from_slice(&KEY[..32]);
    memcheck::classify(&seal);
    memcheck::classify(&sms_key);
    let config = account_config(black_box(&seal), black_box(&sms_key))?;
    let tries = [
        (
            app,
            LoginOutcome::Accepted {
                method: Method::Totp,
                backup_codes_left: None,
                renew_backup_codes: false,
            },
        ),
        (
            sms,
            LoginOutcome::Accepted {
                method: Method::Delivered,
                backup_codes_left: None,
                renew_backup_codes: false,
            },
        ),
        (
            wrong,
            LoginOutcome::Refused {
                reason: Refusal::Wrong,
            },
        ),
    ];
    for (text, want) in tries {
        let typed = text.clone();
        memcheck::classify(typed.as_bytes());
        let result = account::login(&config, &user, &attempt, black_box(&typed), now, &account);
        memcheck::declassify_in_place(&result);
        let got = match black_box(&result) {
            Ok((outcome, _)) => memcheck::declassify(*outcome),
            Err(e) => return Err(format!("{text}: {e}")),
        };
        if got != want {
            return Err(format!("{text}: got {got:?}, want {want:?}"));
        }
    }
    Ok(())
}

/// Negative control: a device token's tag checked by minting the expected
/// token with the (undefined) server key and comparing the two texts with
/// `==` (a `bcmp` that stops at the first differing byte, what `check` must
/// not do); proves undefinedness flows from the key through the token's
/// HMAC and its base64url text. (A `==` on the two 32-byte tag arrays
/// themselves compiles, on x86-64 in release, to a branch-free vector
/// comparison and one branch on its answer: no early exit, so memcheck
/// rightly has nothing to flag there but the outcome.)
fn leaky_device_tag_eq() -> Result<(), String> {
    use twostep::account::device::{self, DeviceId, DeviceKey, Keyring, Token};
    let now = UnixTime::from_secs(1_800_000_000);
    let id = DeviceId::from_bytes([7; 16]);
    let minting = Keyring::new(
        1,
        DeviceKey::from_bytes(&KEY[..32]).map_err(|e| e.to_string())?,
    );
    let cookie = device::remember(&minting, b"user-7", id, 3, now, Token::DEFAULT_LIFETIME)
        .map_err(|e| e.to_string())?
        .to_string();
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&KEY[..32]);
    memcheck::classify(&bytes);
    let keys = Keyring::new(
        1,
        DeviceKey::from_bytes(black_box(&bytes)).map_err(|e| e.to_string())?,
    );
    let expected = device::remember(&keys, b"user-7", id, 3, now, Token::DEFAULT_LIFETIME)
        .map_err(|e| e.to_string())?
        .to_string();
    if memcheck::declassify(black_box(&expected) == black_box(&cookie)) {
        Ok(())
    } else {
        Err("the re-minted token differs".into())
    }
}

/// Negative control: the opened plaintext of a sealed secret scanned for
/// its first zero byte (a branch on the secret); proves undefinedness flows
/// from the seal key through XChaCha20 to the opened bytes.
fn leaky_sealed_plaintext_scan() -> Result<(), String> {
    let sealing = Keyring::new(KeyId::new(1), SealKey::from_bytes(&seal_key_bytes()));
    let sealed = sealing
        .seal(b"user-7", &KEY[..20], &mut FixedRng(9))
        .map_err(|e| e.to_string())?;
    let bytes = seal_key_bytes();
    memcheck::classify(&bytes);
    let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(black_box(&bytes)));
    let opened = keyring
        .open(b"user-7", &sealed)
        .map_err(|e| e.to_string())?;
    memcheck::declassify_in_place(&opened);
    let zero = opened.iter().position(|&b| black_box(b) == 0);
    match memcheck::declassify(zero) {
        None => Ok(()),
        Some(at) => Err(format!("a zero byte at {at}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all = || CASES.iter().chain(LEAKY);
    if args.iter().any(|a| a == "--list") {
        for (name, _) in CASES {
            println!("{name}");
        }
        for (name, _) in LEAKY {
            println!("{name} (negative control: must be flagged)");
        }
        return ExitCode::SUCCESS;
    }
    let selected: Vec<_> = if args.is_empty() {
        CASES.iter().collect()
    } else {
        let picked: Vec<_> = all().filter(|(n, _)| args.iter().any(|a| a == n)).collect();
        if picked.len() != args.len() {
            eprintln!("unknown case among {args:?}; see --list");
            return ExitCode::from(2);
        }
        picked
    };
    println!("under valgrind: {}", memcheck::running());
    let mut failed = false;
    for (name, case) in selected {
        match case() {
            Ok(()) => println!("{name}: ran"),
            Err(e) => {
                println!("{name}: FAILED: {e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
