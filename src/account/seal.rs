//! Sealed secrets: TOTP secrets (or any short key material) encrypted at
//! rest with XChaCha20-Poly1305, bound to the user they belong to.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn core::error::Error>> {
//! use rand_core::SeedableRng;
//! use twostep::Secret;
//! use twostep::account::seal::{KeyId, Keyring, SealKey, Sealed};
//!
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([4; 32]); // use an OS-seeded CSPRNG
//! // The key lives outside the database (a secrets manager, a file only the
//! // service reads); the key id names it in every sealed text.
//! let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[0x42; 32]));
//!
//! let secret = Secret::generate(&mut rng);
//! let sealed = keyring.seal_secret(b"user-1842", &secret, &mut rng)?;
//! let column = sealed.to_string(); // "z1.1.…": store this, not the secret
//!
//! let opened = keyring.open_secret(b"user-1842", &column.parse::<Sealed>()?)?;
//! assert!(opened == secret);
//! // The same text copied into another user's row does not open.
//! assert!(keyring.open_secret(b"user-7", &column.parse()?).is_err());
//! # Ok(()) }
//! ```
//!
//! # Construction
//!
//! Each seal draws a fresh 24-byte nonce from the caller's CSPRNG (random
//! nonces are safe with XChaCha20's 192-bit nonce: about 2^80 seals under
//! one key before a collision is likely) and encrypts with the associated
//! data
//!
//! ```text
//! AD = "twostep-seal/v1" || BE32(key id) || len(user id) || user id
//! ```
//!
//! that is the 15 ASCII bytes `twostep-seal/v1`, the key id as four
//! big-endian bytes, the user id's length as one byte (1 to
//! [`Keyring::MAX_USER_ID_LEN`]) and the user id's bytes. Every field but
//! the last has a fixed or stated length, so no two inputs give the same
//! associated data. A sealed text therefore opens only for the user it was
//! sealed for, only under the key its id names, and only if no byte of it
//! (id or payload) was changed.
//!
//! The text form ([`Sealed`]) is
//!
//! ```text
//! z1.<key id>.<base64url(nonce || ciphertext || tag)>
//! ```
//!
//! with the key id in canonical decimal and the payload in unpadded,
//! canonical base64url (RFC 4648 §5): at most [`Sealed::MAX_LEN`] bytes of
//! ASCII letters, digits, `.`, `-` and `_` only, so it fits a URL, a
//! cookie, a `TEXT` column or a field of another text form separated by
//! `;`, `,` or `:`.
//!
//! # Rotation
//!
//! A [`Keyring`] seals under its current key and opens under the current
//! and any previous key. To rotate, add a new key as current and keep the
//! old one as previous; [`Keyring::needs_reseal`] says which stored texts
//! still use an old key and [`Keyring::reseal`] moves one to the current
//! key (store the result with compare-and-swap). Once no text names the old
//! key, drop it from the keyring.
//!
//! # Security
//!
//! - A failed open says only [`OpenError::Forged`]: the text was sealed for
//!   another user, under another key with the same id, or changed. It
//!   never says which.
//! - Keys and opened plaintext are wiped when dropped (best effort: copies
//!   the compiler or the operating system made are out of reach), and no
//!   `Debug`, `Display` or error shows them.
//! - Sealing protects a stolen database, not a stolen server: whoever holds
//!   the keyring opens every text. Keep the keys out of the database and
//!   its backups.

mod error;
mod key;
mod keyring;
mod sealed;

pub use error::{KeyringError, OpenError, ResealError, SealError};
pub use key::{KeyId, SealKey};
pub use keyring::Keyring;
pub use sealed::{ParseError, Sealed};
