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
//! the check can fail. To add a case (backup-code slot comparison, say),
//! write a `fn() -> Result<(), String>` and add it to `CASES` or `LEAKY`.
#![allow(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;

use twostep::{Algorithm, Code, Digits, Hotp, LookAhead, Secret, Totp, VerifyError, Window};

/// A named check: `Ok` if it computed the expected answer.
type Case = (&'static str, fn() -> Result<(), String>);

/// The constant-time cases: memcheck must report nothing for them.
const CASES: &[Case] = &[
    ("totp_verify_window", totp_verify_window),
    ("hotp_verify_look_ahead", hotp_verify_look_ahead),
    ("secret_eq", secret_eq),
];

/// Negative controls: deliberately leaky, memcheck MUST report them.
const LEAKY: &[Case] = &[
    ("leaky_byte_loop", leaky_byte_loop),
    ("leaky_window_early_exit", leaky_window_early_exit),
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
