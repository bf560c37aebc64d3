//! Compiles only if twostep without default features is really `#![no_std]`
//! (see Cargo.toml): this crate defines the panic handler, which collides
//! with std's if anything in the dependency graph links std.
#![no_std]

use twostep::{Secret, Totp, UnixTime, Window};

/// Exercises the core API so that it is linked in.
pub fn verify(key: &[u8], input: &str, now: u64) -> bool {
    let Ok(secret) = Secret::from_bytes(key) else {
        return false;
    };
    Totp::new()
        .key(&secret)
        .verify(input, UnixTime::from_secs(now), Window::DEFAULT)
        .is_ok()
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
