//! Enrolment: a new secret, its `otpauth://` URI and a QR code to scan from
//! the terminal (feature `qr`, on by default).
//!
//! ```text
//! cargo run --example enroll                                        # with the QR code
//! cargo run --example enroll --no-default-features --features std   # URI and notes only
//! ```
//!
//! The seed is fixed so the output is the same on every run; a real service
//! generates the secret from an OS-seeded CSPRNG (or `Secret::generate_os`).

use rand_core::SeedableRng;
use twostep::{KeyUri, Secret, Totp};

fn main() -> Result<(), twostep::Error> {
    // 1. A fresh 160-bit secret. Store it (encrypted at rest) with the user,
    //    marked "pending" until the first code confirms the enrolment.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2026);
    let secret = Secret::generate(&mut rng);

    // 2. The Key URI: the defaults (SHA-1, 6 digits, 30 s) work in every app.
    let totp = Totp::default();
    let uri = KeyUri::totp(&totp, &secret, "Example Co", "ana@example.com")?;

    // The URI contains the secret: show it to this user only, never log it.
    // `to_uri_string` returns a buffer that is wiped when dropped.
    println!("Scan this in your authenticator app, or open the link:");
    println!("{}", *uri.to_uri_string());
    println!("Or type the key by hand: {}", *secret.to_base32());

    // 3. Warnings for the enrolment screen (none for the defaults).
    for note in uri.compatibility() {
        println!("note: {note}");
    }

    // 4. The QR code, drawn with Unicode half blocks for a dark terminal.
    #[cfg(feature = "qr")]
    print!("\n{}", uri.to_qr_terminal()?);
    #[cfg(not(feature = "qr"))]
    println!("\n(the QR code needs the `qr` feature, on by default)");

    // 5. Import works the other way: parse a URI from another service.
    let imported = KeyUri::parse(
        "otpauth://totp/Other%20Service:ana?secret=jbsw-y3dp-ehpk-3pxp&algorithm=sha256&digits=8",
    )?;
    println!(
        "\nimported: issuer {:?}, account {:?}, {} digits, {}",
        imported.issuer(),
        imported.account(),
        imported.digits().get(),
        imported.algorithm(),
    );
    for note in imported.compatibility() {
        println!("note: {note}");
    }
    // Next: confirm the enrolment with the first code the user types.
    Ok(())
}
