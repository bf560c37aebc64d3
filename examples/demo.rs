//! The whole story of a 2FA account, on a simulated service and phone.
//!
//! Run it with `cargo run --example demo`. The seed and the clock are fixed,
//! so the output is the same on every run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::arithmetic_side_effects
)]

use rand_core::SeedableRng;
use twostep::{Secret, Totp, UnixTime, VerifyError, Window};

fn section(title: &str) {
    println!("\n=== {title} ===");
}

fn main() -> Result<(), twostep::Error> {
    // A fixed seed keeps the demo reproducible; a real service seeds from the OS.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2026);
    // The server's clock, fixed for the story: 2026-11-27T12:00:00Z.
    let now = UnixTime::from_secs(1_795_780_800);
    let totp = Totp::default();

    section("Enrol");
    let secret = Secret::generate(&mut rng);
    println!(
        "secret (base32, shown once to the user): {}",
        *secret.to_base32()
    );
    let phone = totp.key(&secret); // the phone holds the same secret
    let first = phone.generate(now)?;
    let m = totp.verify(&secret, &first.to_string(), now, Window::default())?;
    println!(
        "phone shows {first}; server confirms enrolment at step {}",
        m.step()
    );

    section("Log in");
    let later = now.checked_add_signed(30).unwrap();
    let code = phone.generate(later)?;
    let m = totp.verify(&secret, &code.to_string(), later, Window::default())?;
    println!(
        "code {code} accepted at step {} (offset {})",
        m.step(),
        m.offset()
    );

    let late = later.checked_add_signed(30).unwrap();
    let m = totp.verify(&secret, &code.to_string(), late, Window::default())?;
    println!(
        "the same code typed one step late: accepted (offset {})",
        m.offset()
    );

    let very_late = later.checked_add_signed(5 * 30).unwrap();
    match totp.verify(&secret, &code.to_string(), very_late, Window::default()) {
        Err(VerifyError::Invalid) => println!("the same code five steps late: rejected as invalid"),
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}
