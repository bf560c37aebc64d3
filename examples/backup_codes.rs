//! Backup codes from enrolment to renewal: generate a set, show it once,
//! store only the hashes, redeem codes, report status, renew.
//!
//! Run with `cargo run --example backup_codes`.
#![expect(clippy::arithmetic_side_effects, reason = "slot numbers for display")]

use rand_core::SeedableRng;
use twostep::backup::{CodeSet, Policy, Redemption};

fn main() -> Result<(), twostep::Error> {
    // A fixed seed keeps the output reproducible. In production draw from the
    // operating system: `CodeSet::generate_os` (feature `getrandom`), or a
    // generator it seeds, such as `rand::rng()` (rand 0.10) or
    // `rand_core::UnwrapErr(getrandom::SysRng)` (getrandom 0.4, `sys_rng`).
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([42; 32]);

    // The pepper lives in configuration or a secrets manager, never next to
    // the stored sets. Defaults: 10 codes of 24 symbols (120 bits).
    let policy = Policy::DEFAULT.with_pepper(b"example pepper, load me from config")?;

    // Enrolment: show the codes once (offer them as a download), store the set.
    let (codes, set) = CodeSet::generate(&policy, &mut rng)?;
    println!(
        "{}",
        *codes.to_text_block("Backup codes for ana@example.com")
    );
    let mut stored = set.to_string();
    println!("stored: {stored}\n");
    let first = codes.get(0).map(|c| c.to_string()).unwrap_or_default();
    let second = codes.get(1).map(|c| format!("{c:#}")).unwrap_or_default();
    drop(codes); // wipes the plaintext

    // Login with a backup code, typed loosely: lower case, no hyphens.
    for typed in [
        second.to_lowercase(),
        second.clone(),
        "7F3K-9QXD".into(),
        first,
    ] {
        let set: CodeSet = stored.parse()?;
        match set.redeem(&typed, &policy)? {
            Redemption::Redeemed {
                slot,
                remaining,
                set,
            } => {
                // Persist with compare-and-swap on `stored` before letting
                // the user in, so a code cannot be spent twice concurrently.
                stored = set.to_string();
                println!("{typed:?}: accepted code #{}, {remaining} left", slot + 1);
            }
            Redemption::AlreadyUsed { slot } => {
                // Count a failure in the login throttle.
                println!("{typed:?}: code #{} was already used", slot + 1);
            }
            Redemption::Invalid => println!("{typed:?}: not one of your codes"),
            Redemption::Malformed => println!("{typed:?}: codes have 24 characters"),
            _ => println!("{typed:?}: refused"),
        }
    }

    // Status for the account page, and a prompt before the codes run out.
    let set: CodeSet = stored.parse()?;
    let used: Vec<String> = set.used_slots().map(|i| (i + 1).to_string()).collect();
    println!(
        "\ncodes {} used, {} left, renewal due: {}",
        used.join(" and "),
        set.remaining(),
        set.needs_renewal(&policy)
    );

    // Renewal replaces the whole set without turning 2FA off; old codes die.
    let (new_codes, renewed) = set.renew(&policy, &mut rng)?;
    let old = renewed.redeem(&second, &policy)?;
    println!(
        "after renewal: old code is {old:?}, generation {}",
        renewed.generation()
    );
    println!("{} new codes issued", new_codes.len());
    Ok(())
}
