//! Backup codes: hashed, one-time, renewable sets.
//!
//! - [`Policy`]: how codes are generated and hashed (count, length, cost,
//!   pepper), validated on construction.
//! - [`ShownCodes`] / [`ShownCode`]: the plaintext codes, shown to the user
//!   once and wiped on drop.
//! - [`CodeSet`]: the hashed set the application stores, as a versioned
//!   storage string; [`CodeSet::redeem`] answers with a [`Redemption`].
//!
//! The Crockford alphabet, the hash construction and the storage string are
//! private parts (`crockford`, `hash`, `storage`) documented here.
//!
//! # Codes
//!
//! A code is a string of Crockford base32 symbols (`0-9`, `A-Z` without `I`,
//! `L`, `O`, `U`), 5 bits each, drawn uniformly from the caller's CSPRNG and
//! shown in groups of four: `7F3K-9QXD-M2RT-0HVC-WJ8N-4BPE`. The default is
//! 24 symbols (120 bits); profiles from [`Policy::MIN_LENGTH`] (10
//! symbols, 50 bits) to [`Policy::MAX_LENGTH`] (32) are allowed.
//! Codes within one set are distinct.
//!
//! Input is normalised before anything else: it must be ASCII; ASCII white
//! space, hyphens and underscores are dropped; letters are upper-cased; `O`
//! reads as `0` and `I`, `L` as `1`. Any other byte (including `U`), or a
//! symbol count other than the set's, is [`Redemption::Malformed`] and no
//! hash is computed.
//!
//! # Hashing (storage format v2)
//!
//! Each set has one random 16-byte salt. The normalised symbols are hashed,
//! not the text, so formatting never matters: `packed` is the 5-bit symbol
//! values concatenated most significant bit first and zero-padded to whole
//! bytes (`ceil(5 * len / 8)` bytes); `L` is the symbol count as one byte;
//! `P` is the pepper (empty when the policy has none) and
//! `key = HMAC-SHA-256("twostep-bc/v2/pepper", len(P) || P)`, with `len(P)`
//! as one byte, so that every pepper, and no pepper, is a different key.
//!
//! - **`hmac-sha256`**, for codes of 23 symbols or more (≥ 112 bits):
//!   `digest = HMAC-SHA-256(key, "twostep-bc/v2/hmac-sha256" || L || salt || packed)`.
//! - **`pbkdf2-sha256`**, for codes of 22 symbols or fewer (< 112 bits):
//!   `pw = HMAC-SHA-256(key, "twostep-bc/v2/pbkdf2-sha256" || L || packed)`,
//!   `digest = PBKDF2-HMAC-SHA-256(pw, salt, i, 32)`, with the iteration
//!   count `i` taken from the policy at generation time and recorded in the
//!   storage string, so raising [`Policy::iterations`] later leaves
//!   old sets verifiable at their own cost.
//!
//! Sets stored in format v1 still parse, print back and redeem as before:
//! there `key` is `P` itself and the tags say `v1`. HMAC pads its key with
//! zeros, so under v1 a pepper and the same pepper followed by zero bytes
//! (and an all-zero pepper and none) hash alike; [`CodeSet::is_outdated`]
//! is true for them, so that the application offers a renewal, which is
//! written in v2. A redemption keeps a set's format.
//!
//! This follows NIST SP 800-63B §5.1.2 and OWASP ASVS 2.6 (v5: 6.5): secrets
//! under 112 bits of entropy get a salted, cost-parameterised hash; at 112
//! bits or more a salted approved hash (here a keyed one) suffices. A redeem
//! attempt evaluates the construction once, whatever the set size, then
//! compares that digest with every slot in constant time. The known-answer
//! vectors in `tests/vectors/backup_kat_v2.txt` (and `backup_kat.txt` for
//! v1) were computed independently with Python's `hashlib`
//! (`scripts/backup_vectors.py`).
//!
//! # Async services
//!
//! Under the `pbkdf2-sha256` profile (codes of 22 symbols or fewer) every
//! [`CodeSet::redeem`] runs PBKDF2 at the set's iteration count, and
//! [`CodeSet::generate`] runs it once per code. At the default 100,000
//! iterations that is roughly 10 to 25 ms of CPU per attempt, depending on
//! the machine (16 ms for the PBKDF2 alone and 20 to 24 ms per redeem,
//! measured with `cargo bench --bench capabilities -- short-10-pbkdf2` on a
//! busy two-core machine; measure yours). On an async runtime, run such a
//! redeem or generation in a blocking task (`tokio::task::spawn_blocking`,
//! or your runtime's equivalent), not on an executor thread, where a burst
//! of attempts would stall every other request on that worker. The default
//! 24-symbol profile (`hmac-sha256`) costs about 2 µs per redeem and needs
//! no such care; [`Policy::uses_kdf`] tells the two apart for new sets.
//!
//! # Storage string
//!
//! ```text
//! $twostep-bc$v=2$alg=hmac-sha256,len=24,pepper=0$salt=<b64>$gen=2$<d>,-<d>,<d>
//! $twostep-bc$v=2$alg=pbkdf2-sha256,i=100000,len=10,pepper=1$salt=<b64>$gen=1$<d>,<d>
//! ```
//!
//! `b64` is standard base64 without padding (as in PHC strings), canonical
//! (unused bits zero); `<d>` is a slot's 32-byte digest, and a used slot is
//! its digest after a `-` (kept, so that a second use reports
//! [`Redemption::AlreadyUsed`]). `pepper` records whether a pepper was
//! used (not the pepper), so that a missing or extra pepper is reported as
//! [`ConfigError::PepperMismatch`] instead of rejecting every code. `gen` is
//! the generation: 1 for a fresh set, plus one for each redemption and for
//! each [`CodeSet::renew`], so every change of state yields a new string
//! for a compare-and-swap. Parsing is strict (the string [`Display`] writes
//! is the only accepted spelling), capped at
//! [`CodeSet::MAX_STORAGE_LEN`] bytes, with a [`ParseError`] naming the first
//! malformed part. With the `serde` feature the set serialises as this
//! string.
//!
//! [`Display`]: core::fmt::Display
//!
//! Reading a stored set (this one in format v1):
//!
//! ```
//! # fn main() -> Result<(), twostep::Error> {
//! use twostep::backup::CodeSet;
//! let stored = "$twostep-bc$v=1$alg=hmac-sha256,len=24,pepper=0$salt=RCCCPP3m8cJrMPkOx90B5A$gen=2$\
//!    TXHsNi6a8Qav4sEecVltnc88I/4IW7E87sUC0VX6qyE,-Mk41euiLMWlFwiDrLankoUwIbe2GDee7F4C9qXl4pFE,\
//!    9Np52VZfWe1wbllFiFuqtfaDojdd5vdJnM6pqPVW308";
//! let set: CodeSet = stored.parse()?;
//! assert_eq!((set.slot_count(), set.remaining(), set.generation()), (3, 2, 2));
//! assert_eq!(set.used_slots().collect::<Vec<_>>(), [1]);
//! assert_eq!(set.to_string(), stored);
//! # Ok(()) }
//! ```
//!

mod crockford;
mod error;
mod generate;
mod hash;
mod policy;
mod set;
mod shown;
mod storage;

pub use error::{ConfigError, ParseError};
pub use policy::Policy;
pub use set::{CodeSet, Redemption};
pub use shown::{ShownCode, ShownCodes};
