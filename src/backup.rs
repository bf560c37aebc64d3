//! Backup codes: hashed, one-time, renewable sets ([`BackupCodeSet`],
//! [`BackupPolicy`], [`BackupCodes`]). The construction, the storage string
//! and the security notes are documented on [`BackupCodeSet`].

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};
use core::str::FromStr;

use hmac::digest::{KeyInit, common::Key};
use hmac::{Hmac, Mac};
use rand_core::CryptoRng;
use sha2::Sha256;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

use crate::text::canonical_u64;

mod crockford;

/// Bytes of salt per set.
const SALT_LEN: usize = 16;
/// Bytes of each slot's digest.
const DIGEST_LEN: usize = 32;
/// Symbols from which HMAC-SHA-256 alone is used: 23 × 5 = 115 ≥ 112 bits.
const HMAC_MIN_LENGTH: usize = 23;
/// Attempts to draw a code distinct from the set's earlier codes before
/// blaming the random source.
const MAX_DRAWS: usize = 32;

const PREFIX: &str = "$twostep-bc$";
const HMAC_TAG: &[u8] = b"twostep-bc/v1/hmac-sha256";
const PBKDF2_TAG: &[u8] = b"twostep-bc/v1/pbkdf2-sha256";

/// A problem with a backup-code policy, a stored set, or a redemption's
/// configuration. Payloads carry counts and positions only, never codes,
/// digests, peppers or the stored text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum BackupError {
    /// A code count (in a policy, or slots in a stored set) outside
    /// [`BackupPolicy::MIN_COUNT`]`..=`[`BackupPolicy::MAX_COUNT`].
    #[error("backup code count must be between {min} and {max}, got {count}")]
    Count {
        /// The count given or found.
        count: usize,
        /// The smallest count allowed.
        min: usize,
        /// The largest count allowed.
        max: usize,
    },
    /// A code length outside
    /// [`BackupPolicy::MIN_LENGTH`]`..=`[`BackupPolicy::MAX_LENGTH`] symbols.
    #[error("backup code length must be between {min} and {max} symbols, got {symbols}")]
    Length {
        /// The length given or found, in symbols.
        symbols: usize,
        /// The smallest length allowed.
        min: usize,
        /// The largest length allowed.
        max: usize,
    },
    /// A renewal threshold above [`BackupPolicy::MAX_COUNT`].
    #[error("renewal threshold must be at most {max}, got {threshold}")]
    RenewalThreshold {
        /// The threshold given.
        threshold: usize,
        /// The largest threshold allowed.
        max: usize,
    },
    /// A PBKDF2 iteration count outside
    /// [`BackupPolicy::MIN_ITERATIONS`]`..=`[`BackupPolicy::MAX_ITERATIONS`].
    #[error("pbkdf2 iterations must be between {min} and {max}, got {iterations}")]
    Iterations {
        /// The count given or found.
        iterations: u64,
        /// The smallest count allowed.
        min: u32,
        /// The largest count allowed.
        max: u32,
    },
    /// A pepper shorter than [`BackupPolicy::MIN_PEPPER_LEN`] or longer than
    /// [`BackupPolicy::MAX_PEPPER_LEN`] bytes.
    #[error("pepper must be {min} to {max} bytes, got {len}")]
    PepperLength {
        /// The pepper's length in bytes.
        len: usize,
        /// The shortest pepper allowed.
        min: usize,
        /// The longest pepper allowed.
        max: usize,
    },
    /// The set was hashed with a pepper and the policy has none, or the
    /// other way round: a configuration error, not a wrong code.
    #[error("backup-code set and policy disagree on the pepper (set has one: {set_has_pepper})")]
    PepperMismatch {
        /// Whether the stored set was hashed with a pepper.
        set_has_pepper: bool,
    },
    /// The random source kept producing codes already in the set (it is
    /// broken: with a working CSPRNG this does not happen).
    #[error("the random source repeated itself while generating backup codes")]
    RandomSource,
    /// The storage string is longer than [`BackupCodeSet::MAX_STORAGE_LEN`].
    #[error("storage string of {len} bytes exceeds the limit of {max}")]
    TooLong {
        /// The string's length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The string does not start with `$twostep-bc$`.
    #[error("not a twostep backup-code storage string")]
    Prefix,
    /// The string's format version (`v=`) is not one this version reads.
    #[error("unsupported backup-code storage format version")]
    Version,
    /// Segments missing, extra, out of order or without their labels.
    #[error("malformed backup-code storage string structure")]
    Structure,
    /// The parameter segment is malformed: a missing, extra, misspelt or
    /// non-canonical parameter.
    #[error("malformed backup-code parameters")]
    Parameters,
    /// An algorithm other than `hmac-sha256` and `pbkdf2-sha256`.
    #[error("unknown backup-code hash algorithm")]
    Algorithm,
    /// The algorithm is not the one for the code length: `hmac-sha256` needs
    /// 23 symbols (112 bits) or more, `pbkdf2-sha256` is for fewer.
    #[error("hash algorithm does not match the code length of {symbols} symbols")]
    AlgorithmMismatch {
        /// The code length found, in symbols.
        symbols: usize,
    },
    /// The salt is not canonical unpadded base64 of 16 bytes.
    #[error("malformed backup-code salt")]
    Salt,
    /// The generation is not a canonical decimal integer of at least 1.
    #[error("malformed backup-code generation")]
    Generation,
    /// A slot is not canonical unpadded base64 of a 32-byte digest, with an
    /// optional leading `-` for a used slot.
    #[error("malformed digest in slot {slot}")]
    Digest {
        /// The slot's index (0-based).
        slot: usize,
    },
    /// Two slots hold the same digest.
    #[error("slot {slot} repeats an earlier digest")]
    DuplicateDigest {
        /// The index (0-based) of the later slot.
        slot: usize,
    },
    /// More slots are used than redemptions the generation counts.
    #[error("{used} used slots exceed what generation {generation} allows")]
    Inconsistent {
        /// The number of used slots.
        used: usize,
        /// The generation found.
        generation: u64,
    },
}

/// A pepper: application key material mixed into every backup-code hash.
struct Pepper(Zeroizing<Vec<u8>>);

/// How a set's codes are generated and hashed, validated on construction.
///
/// Build one at start-up from [`BackupPolicy::DEFAULT`] with the `with_*`
/// setters and use it for generation and redemption. Only the pepper must
/// stay the same across the life of a set: length, count and cost apply to
/// new sets, and existing sets keep the parameters recorded in their storage
/// string (see [`BackupCodeSet::is_outdated`]).
///
/// ```
/// # fn main() -> Result<(), twostep::BackupError> {
/// use twostep::BackupPolicy;
/// let pepper = [0x5a; 32]; // load from configuration, not from the database
/// let policy = BackupPolicy::DEFAULT
///     .with_count(8)?
///     .with_length(16)? // 80 bits: hashed with PBKDF2
///     .with_pepper(&pepper)?;
/// assert_eq!(policy.entropy_bits(), 80);
/// assert!(policy.uses_kdf());
/// assert_eq!(
///     format!("{policy:?}"),
///     "BackupPolicy { count: 8, length: 16, renewal_threshold: 3, iterations: 100000, pepper: Some(..) }"
/// );
/// # Ok(()) }
/// ```
pub struct BackupPolicy {
    count: u8,
    length: u8,
    renewal_threshold: u8,
    iterations: u32,
    pepper: Option<Pepper>,
}

impl BackupPolicy {
    /// The fewest codes in a set.
    pub const MIN_COUNT: usize = 1;
    /// The most codes in a set.
    pub const MAX_COUNT: usize = 20;
    /// The default number of codes: 10.
    pub const DEFAULT_COUNT: usize = 10;
    /// The shortest code: 10 symbols (50 bits).
    pub const MIN_LENGTH: usize = 10;
    /// The longest code: 32 symbols (160 bits).
    pub const MAX_LENGTH: usize = crockford::MAX_SYMBOLS;
    /// The default code length: 24 symbols (120 bits), six groups of four.
    pub const DEFAULT_LENGTH: usize = 24;
    /// The default renewal threshold: prompt when 3 or fewer codes remain.
    pub const DEFAULT_RENEWAL_THRESHOLD: usize = 3;
    /// The fewest PBKDF2 iterations: 1,000, the floor of NIST SP 800-132 §5.2.
    /// Use it for tests, not production.
    pub const MIN_ITERATIONS: u32 = 1_000;
    /// The most PBKDF2 iterations, also the cap on what a storage string may
    /// demand: 10,000,000.
    pub const MAX_ITERATIONS: u32 = 10_000_000;
    /// The default PBKDF2 iterations for codes under 112 bits: 100,000.
    /// Codes carry at least 50 random bits, so an offline search of one
    /// set costs at least 2^50 × 100,000 PBKDF2 iterations.
    pub const DEFAULT_ITERATIONS: u32 = 100_000;
    /// The shortest pepper: 16 bytes.
    pub const MIN_PEPPER_LEN: usize = 16;
    /// The longest pepper: 64 bytes (the SHA-256 block).
    pub const MAX_PEPPER_LEN: usize = 64;

    /// 10 codes of 24 symbols, renewal prompt at 3 left, 100,000 PBKDF2
    /// iterations for short profiles, no pepper.
    ///
    /// ```
    /// use twostep::BackupPolicy;
    /// let p = BackupPolicy::DEFAULT;
    /// assert_eq!((p.count(), p.length(), p.renewal_threshold()), (10, 24, 3));
    /// assert!(!p.uses_kdf() && !p.has_pepper());
    /// ```
    #[allow(clippy::cast_possible_truncation)] // small constants
    pub const DEFAULT: Self = Self {
        count: Self::DEFAULT_COUNT as u8,
        length: Self::DEFAULT_LENGTH as u8,
        renewal_threshold: Self::DEFAULT_RENEWAL_THRESHOLD as u8,
        iterations: Self::DEFAULT_ITERATIONS,
        pepper: None,
    };

    /// This policy with `count` codes per set.
    ///
    /// # Errors
    ///
    /// [`BackupError::Count`] unless `count` is 1 to 20.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// use twostep::BackupPolicy;
    /// assert_eq!(BackupPolicy::DEFAULT.with_count(12)?.count(), 12);
    /// assert!(BackupPolicy::DEFAULT.with_count(21).is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_count(mut self, count: usize) -> Result<Self, BackupError> {
        self.count = check_count(count)?;
        Ok(self)
    }

    /// This policy with codes of `symbols` Crockford symbols (5 bits each).
    /// Below 23 symbols (112 bits) codes are hashed with PBKDF2.
    ///
    /// # Errors
    ///
    /// [`BackupError::Length`] unless `symbols` is 10 to 32.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// use twostep::BackupPolicy;
    /// assert_eq!(BackupPolicy::DEFAULT.with_length(10)?.entropy_bits(), 50);
    /// assert!(BackupPolicy::DEFAULT.with_length(9).is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_length(mut self, symbols: usize) -> Result<Self, BackupError> {
        self.length = check_length(symbols)?;
        Ok(self)
    }

    /// This policy prompting renewal when `remaining` or fewer codes are
    /// left (0: only when exhausted).
    ///
    /// # Errors
    ///
    /// [`BackupError::RenewalThreshold`] above 20.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// use twostep::BackupPolicy;
    /// assert_eq!(BackupPolicy::DEFAULT.with_renewal_threshold(2)?.renewal_threshold(), 2);
    /// assert!(BackupPolicy::DEFAULT.with_renewal_threshold(21).is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_renewal_threshold(mut self, remaining: usize) -> Result<Self, BackupError> {
        self.renewal_threshold = u8::try_from(remaining)
            .ok()
            .filter(|&t| usize::from(t) <= Self::MAX_COUNT)
            .ok_or(BackupError::RenewalThreshold {
                threshold: remaining,
                max: Self::MAX_COUNT,
            })?;
        Ok(self)
    }

    /// This policy with `iterations` of PBKDF2 for new sets of codes under
    /// 112 bits. Existing sets keep the cost recorded in their storage string.
    ///
    /// # Errors
    ///
    /// [`BackupError::Iterations`] unless `iterations` is 1,000 to 10,000,000.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// use twostep::BackupPolicy;
    /// assert_eq!(BackupPolicy::DEFAULT.with_iterations(600_000)?.iterations(), 600_000);
    /// assert!(BackupPolicy::DEFAULT.with_iterations(999).is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_iterations(mut self, iterations: u32) -> Result<Self, BackupError> {
        self.iterations = check_iterations(u64::from(iterations))?;
        Ok(self)
    }

    /// This policy with an application pepper: key material mixed into every
    /// hash and kept outside the database, so that a stolen database alone
    /// does not allow offline guessing. The bytes are copied and wiped on
    /// drop; `Debug` does not show them.
    ///
    /// # Errors
    ///
    /// [`BackupError::PepperLength`] unless `pepper` is 16 to 64 bytes.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// use twostep::BackupPolicy;
    /// assert!(BackupPolicy::DEFAULT.with_pepper(&[7; 32])?.has_pepper());
    /// assert!(BackupPolicy::DEFAULT.with_pepper(b"short").is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_pepper(mut self, pepper: &[u8]) -> Result<Self, BackupError> {
        if !(Self::MIN_PEPPER_LEN..=Self::MAX_PEPPER_LEN).contains(&pepper.len()) {
            return Err(BackupError::PepperLength {
                len: pepper.len(),
                min: Self::MIN_PEPPER_LEN,
                max: Self::MAX_PEPPER_LEN,
            });
        }
        self.pepper = Some(Pepper(Zeroizing::new(pepper.to_vec())));
        Ok(self)
    }

    /// Codes per new set.
    ///
    /// ```
    /// assert_eq!(twostep::BackupPolicy::DEFAULT.count(), 10);
    /// ```
    #[must_use]
    pub fn count(&self) -> usize {
        usize::from(self.count)
    }

    /// Symbols per code in new sets.
    ///
    /// ```
    /// assert_eq!(twostep::BackupPolicy::DEFAULT.length(), 24);
    /// ```
    #[must_use]
    pub fn length(&self) -> usize {
        usize::from(self.length)
    }

    /// Remaining codes at or below which [`BackupCodeSet::needs_renewal`] is true.
    ///
    /// ```
    /// assert_eq!(twostep::BackupPolicy::DEFAULT.renewal_threshold(), 3);
    /// ```
    #[must_use]
    pub fn renewal_threshold(&self) -> usize {
        usize::from(self.renewal_threshold)
    }

    /// PBKDF2 iterations for new sets under 112 bits.
    ///
    /// ```
    /// assert_eq!(twostep::BackupPolicy::DEFAULT.iterations(), 100_000);
    /// ```
    #[must_use]
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Whether the policy has a pepper.
    ///
    /// ```
    /// assert!(!twostep::BackupPolicy::DEFAULT.has_pepper());
    /// ```
    #[must_use]
    pub fn has_pepper(&self) -> bool {
        self.pepper.is_some()
    }

    /// Bits of entropy per code: 5 per symbol.
    ///
    /// ```
    /// assert_eq!(twostep::BackupPolicy::DEFAULT.entropy_bits(), 120);
    /// ```
    #[must_use]
    pub fn entropy_bits(&self) -> u32 {
        u32::from(self.length).saturating_mul(5)
    }

    /// Whether new sets are hashed with PBKDF2 (codes under 112 bits) rather
    /// than HMAC-SHA-256 alone.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// use twostep::BackupPolicy;
    /// assert!(!BackupPolicy::DEFAULT.uses_kdf());
    /// assert!(BackupPolicy::DEFAULT.with_length(22)?.uses_kdf()); // 110 bits
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn uses_kdf(&self) -> bool {
        self.length() < HMAC_MIN_LENGTH
    }

    fn scheme(&self) -> Scheme {
        if self.uses_kdf() {
            Scheme::Pbkdf2Sha256 {
                iterations: self.iterations,
            }
        } else {
            Scheme::HmacSha256
        }
    }

    fn pepper(&self) -> &[u8] {
        self.pepper.as_ref().map_or(&[], |p| p.0.as_slice())
    }
}

impl Default for BackupPolicy {
    /// [`BackupPolicy::DEFAULT`].
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Debug for BackupPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted;
        impl fmt::Debug for Redacted {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Some(..)")
            }
        }
        let mut d = f.debug_struct("BackupPolicy");
        d.field("count", &self.count)
            .field("length", &self.length)
            .field("renewal_threshold", &self.renewal_threshold)
            .field("iterations", &self.iterations);
        match self.pepper {
            Some(_) => d.field("pepper", &Redacted),
            None => d.field("pepper", &None::<()>),
        };
        d.finish()
    }
}

fn check_count(count: usize) -> Result<u8, BackupError> {
    u8::try_from(count)
        .ok()
        .filter(|_| (BackupPolicy::MIN_COUNT..=BackupPolicy::MAX_COUNT).contains(&count))
        .ok_or(BackupError::Count {
            count,
            min: BackupPolicy::MIN_COUNT,
            max: BackupPolicy::MAX_COUNT,
        })
}

fn check_length(symbols: usize) -> Result<u8, BackupError> {
    u8::try_from(symbols)
        .ok()
        .filter(|_| (BackupPolicy::MIN_LENGTH..=BackupPolicy::MAX_LENGTH).contains(&symbols))
        .ok_or(BackupError::Length {
            symbols,
            min: BackupPolicy::MIN_LENGTH,
            max: BackupPolicy::MAX_LENGTH,
        })
}

fn check_iterations(iterations: u64) -> Result<u32, BackupError> {
    u32::try_from(iterations)
        .ok()
        .filter(|i| (BackupPolicy::MIN_ITERATIONS..=BackupPolicy::MAX_ITERATIONS).contains(i))
        .ok_or(BackupError::Iterations {
            iterations,
            min: BackupPolicy::MIN_ITERATIONS,
            max: BackupPolicy::MAX_ITERATIONS,
        })
}

/// The hash construction of a set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    HmacSha256,
    Pbkdf2Sha256 { iterations: u32 },
}

/// HMAC-SHA-256 keyed with `key` (at most one block, so zero-padding it is
/// exactly RFC 2104's key handling), through the infallible constructor.
fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    let mut block = Key::<Hmac<Sha256>>::default();
    block.iter_mut().zip(key).for_each(|(d, s)| *d = *s);
    let mac = <Hmac<Sha256> as KeyInit>::new(&block);
    block.as_mut_slice().zeroize();
    mac
}

/// The one hash or KDF evaluation of a code (its 5-bit symbol values) under
/// a set's parameters. `None` only if PBKDF2 refused its 32-byte password,
/// which HMAC never does.
fn digest(
    scheme: Scheme,
    salt: &[u8; SALT_LEN],
    pepper: &[u8],
    values: &[u8],
) -> Option<Zeroizing<[u8; DIGEST_LEN]>> {
    #[cfg(test)]
    crate::test_counter::bump(&crate::test_counter::BACKUP_DIGEST);
    let mut packed = Zeroizing::new([0u8; crockford::MAX_PACKED]);
    let n = crockford::pack(values, &mut packed);
    let packed = packed.get(..n)?;
    let len = [u8::try_from(values.len()).ok()?];
    let mut out = Zeroizing::new([0u8; DIGEST_LEN]);
    match scheme {
        Scheme::HmacSha256 => {
            let mut tag = hmac_sha256(pepper)
                .chain_update(HMAC_TAG)
                .chain_update(len)
                .chain_update(salt)
                .chain_update(packed)
                .finalize()
                .into_bytes();
            out.copy_from_slice(&tag);
            tag.as_mut_slice().zeroize();
        }
        Scheme::Pbkdf2Sha256 { iterations } => {
            let mut pw = hmac_sha256(pepper)
                .chain_update(PBKDF2_TAG)
                .chain_update(len)
                .chain_update(packed)
                .finalize()
                .into_bytes();
            let r = pbkdf2::pbkdf2::<Hmac<Sha256>>(&pw, salt, iterations, out.as_mut_slice());
            pw.as_mut_slice().zeroize();
            r.ok()?;
        }
    }
    Some(out)
}

/// Freshly generated plaintext codes: show them once, then drop them.
///
/// Wiped on drop (best effort); `Debug` shows only the shape. `Display`
/// writes one grouped code per line; [`BackupCodes::to_text_block`] adds a
/// title and numbers for a download or print-out.
///
/// ```
/// # fn main() -> Result<(), twostep::BackupError> {
/// use rand_core::SeedableRng;
/// use twostep::{BackupCodeSet, BackupPolicy};
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
/// let (codes, _set) = BackupCodeSet::generate(&BackupPolicy::DEFAULT, &mut rng)?;
/// assert_eq!(codes.len(), 10);
/// assert_eq!(format!("{codes:?}"), "BackupCodes { count: 10, length: 24, .. }");
/// let first = codes.to_string().lines().next().map(str::len);
/// assert_eq!(first, Some(29)); // XXXX-XXXX-XXXX-XXXX-XXXX-XXXX
/// # Ok(()) }
/// ```
pub struct BackupCodes {
    /// The symbols of every code, back to back, as ASCII.
    symbols: Zeroizing<Vec<u8>>,
    length: usize,
}

impl BackupCodes {
    /// The number of codes.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let policy = twostep::BackupPolicy::DEFAULT.with_count(5)?;
    /// let (codes, _) = twostep::BackupCodeSet::generate(&policy, &mut rng)?;
    /// assert_eq!(codes.len(), 5);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.symbols.len().checked_div(self.length).unwrap_or(0)
    }

    /// Whether there are no codes (never, for a generated set).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (codes, _) = twostep::BackupCodeSet::generate(&twostep::BackupPolicy::DEFAULT, &mut rng)?;
    /// assert!(!codes.is_empty());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// The code of slot `index` (0-based), or `None` past the end.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (codes, _) = twostep::BackupCodeSet::generate(&twostep::BackupPolicy::DEFAULT, &mut rng)?;
    /// assert!(codes.get(9).is_some() && codes.get(10).is_none());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn get(&self, index: usize) -> Option<BackupCode<'_>> {
        self.iter().nth(index)
    }

    /// The codes in slot order.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (codes, _) = twostep::BackupCodeSet::generate(&twostep::BackupPolicy::DEFAULT, &mut rng)?;
    /// assert!(codes.iter().all(|c| c.to_string().len() == 29));
    /// # Ok(()) }
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = BackupCode<'_>> + '_ {
        self.symbols
            .chunks_exact(self.length.max(1))
            .map(|symbols| BackupCode { symbols })
    }

    /// The codes as a text block to download or print: the title line (its
    /// control characters replaced by spaces), a blank line, then one
    /// numbered, grouped code per line. The string is wiped on drop and is
    /// allocated once, at its final size, so no stray copies are left behind.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let policy = twostep::BackupPolicy::DEFAULT.with_count(2)?.with_length(12)?.with_iterations(1_000)?;
    /// let (codes, _) = twostep::BackupCodeSet::generate(&policy, &mut rng)?;
    /// let text = codes.to_text_block("Backup codes for ana@example.com");
    /// let lines: Vec<&str> = text.lines().collect();
    /// assert_eq!(lines[0], "Backup codes for ana@example.com");
    /// assert_eq!(lines[1], "");
    /// assert_eq!(lines[2], format!("1. {}", codes.get(0).unwrap()));
    /// assert_eq!(lines.len(), 4);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn to_text_block(&self, title: &str) -> Zeroizing<String> {
        let count = self.len();
        let width = decimal_width(count);
        let grouped = grouped_len(self.length);
        // title + "\n\n" + per code: number, ". ", code, "\n".
        let capacity = title
            .len()
            .saturating_add(2)
            .saturating_add(count.saturating_mul(width.saturating_add(3).saturating_add(grouped)));
        let mut out = Zeroizing::new(String::with_capacity(capacity));
        out.extend(title.chars().map(|c| if c.is_control() { ' ' } else { c }));
        out.push_str("\n\n");
        for (i, code) in self.iter().enumerate() {
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{:>width$}. {code}", i.saturating_add(1));
        }
        out
    }
}

fn decimal_width(n: usize) -> usize {
    let mut width = 1usize;
    let mut n = n / 10;
    while n > 0 {
        width = width.saturating_add(1);
        n /= 10;
    }
    width
}

/// Length of a code of `symbols` symbols in groups of four with hyphens.
fn grouped_len(symbols: usize) -> usize {
    symbols.saturating_add(symbols.saturating_sub(1) / 4)
}

impl fmt::Display for BackupCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, code) in self.iter().enumerate() {
            if i > 0 {
                f.write_char('\n')?;
            }
            fmt::Display::fmt(&code, f)?;
        }
        Ok(())
    }
}

impl fmt::Debug for BackupCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackupCodes")
            .field("count", &self.len())
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

/// One plaintext code, borrowed from [`BackupCodes`].
///
/// `Display` writes it in groups of four (`7F3K-9QXD-…`); the alternate form
/// `{:#}` writes it ungrouped. `Debug` does not show it.
///
/// ```
/// # fn main() -> Result<(), twostep::BackupError> {
/// # use rand_core::SeedableRng;
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
/// let (codes, _) = twostep::BackupCodeSet::generate(&twostep::BackupPolicy::DEFAULT, &mut rng)?;
/// let code = codes.get(0).unwrap();
/// assert_eq!(format!("{code}").replace('-', ""), format!("{code:#}"));
/// assert_eq!(format!("{code:?}"), "BackupCode(..)");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct BackupCode<'a> {
    symbols: &'a [u8],
}

impl fmt::Display for BackupCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &s) in self.symbols.iter().enumerate() {
            if i > 0 && i % 4 == 0 && !f.alternate() {
                f.write_char('-')?;
            }
            f.write_char(char::from(s))?;
        }
        Ok(())
    }
}

impl fmt::Debug for BackupCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BackupCode(..)")
    }
}

/// One stored slot: a code's digest and whether it was spent.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Slot {
    digest: [u8; DIGEST_LEN],
    used: bool,
}

/// A hashed set of backup codes: what the application stores per user, as
/// the storage string that `Display` writes and [`FromStr`] parses.
///
/// When a phone is lost, backup codes are the way back in. The user is shown
/// a set of codes once ([`BackupCodes`]); the application stores only their
/// hashes (this type, as a versioned text string); each code redeems
/// once; the set reports how many are left and when to offer new ones; and a
/// new set replaces the old one without disabling two-step verification.
///
/// Every change (a redemption, a renewal) returns a new value; a set is never
/// modified in place, so the application can persist it with compare-and-swap.
/// `Debug` shows the status, not the salt or the digests.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use rand_core::SeedableRng;
/// use twostep::{BackupCodeSet, BackupPolicy, RedeemResult};
///
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]); // use an OS-seeded CSPRNG
/// let policy = BackupPolicy::DEFAULT; // 10 codes of 24 symbols (120 bits)
/// let (codes, set) = BackupCodeSet::generate(&policy, &mut rng)?;
/// let shown = codes.to_text_block("Example backup codes for ana@example.com");
/// let stored: String = set.to_string(); // persist this, never the codes
///
/// // Later: the user types a code, in any case and grouping.
/// let typed = codes.get(3).map(|c| c.to_string().to_lowercase()).unwrap_or_default();
/// let set: BackupCodeSet = stored.parse()?;
/// match set.redeem(&typed, &policy)? {
///     RedeemResult::Redeemed { slot, remaining, set: next } => {
///         assert_eq!((slot, remaining), (3, 9));
///         // compare-and-swap: replace `stored` by `next.to_string()` only if
///         // it is still `stored`; otherwise reload and redeem again.
///         assert!(!next.needs_renewal(&policy));
///     }
///     _ => { /* refuse; count a failure in the throttle */ }
/// }
/// # let _ = shown; Ok(()) }
/// ```
///
/// # Codes
///
/// A code is a string of Crockford base32 symbols (`0-9`, `A-Z` without `I`,
/// `L`, `O`, `U`), 5 bits each, drawn uniformly from the caller's CSPRNG and
/// shown in groups of four: `7F3K-9QXD-M2RT-0HVC-WJ8N-4BPE`. The default is
/// 24 symbols (120 bits); profiles from [`BackupPolicy::MIN_LENGTH`] (10
/// symbols, 50 bits) to [`BackupPolicy::MAX_LENGTH`] (32) are allowed.
/// Codes within one set are distinct.
///
/// Input is normalised before anything else: it must be ASCII; ASCII white
/// space, hyphens and underscores are dropped; letters are upper-cased; `O`
/// reads as `0` and `I`, `L` as `1`. Any other byte (including `U`), or a
/// symbol count other than the set's, is [`RedeemResult::Malformed`] and no
/// hash is computed.
///
/// # Hashing (storage format v1)
///
/// Each set has one random 16-byte salt. The normalised symbols are hashed,
/// not the text, so formatting never matters: `packed` is the 5-bit symbol
/// values concatenated most significant bit first and zero-padded to whole
/// bytes (`ceil(5 * len / 8)` bytes); `L` is the symbol count as one byte;
/// `key` is the pepper, or the empty key when the policy has none.
///
/// - **`hmac-sha256`**, for codes of 23 symbols or more (≥ 112 bits):
///   `digest = HMAC-SHA-256(key, "twostep-bc/v1/hmac-sha256" || L || salt || packed)`.
/// - **`pbkdf2-sha256`**, for codes of 22 symbols or fewer (< 112 bits):
///   `pw = HMAC-SHA-256(key, "twostep-bc/v1/pbkdf2-sha256" || L || packed)`,
///   `digest = PBKDF2-HMAC-SHA-256(pw, salt, i, 32)`, with the iteration
///   count `i` taken from the policy at generation time and recorded in the
///   storage string, so raising [`BackupPolicy::iterations`] later leaves
///   old sets verifiable at their own cost.
///
/// This follows NIST SP 800-63B §5.1.2 and OWASP ASVS 2.6 (v5: 6.5): secrets
/// under 112 bits of entropy get a salted, cost-parameterised hash; at 112
/// bits or more a salted approved hash (here a keyed one) suffices. A redeem
/// attempt evaluates the construction once, whatever the set size, then
/// compares that digest with every slot in constant time. The known-answer
/// vectors in `tests/vectors/backup_kat.txt` were computed independently with
/// Python's `hashlib` (`scripts/backup_vectors.py`).
///
/// # Storage string
///
/// ```text
/// $twostep-bc$v=1$alg=hmac-sha256,len=24,pepper=0$salt=<b64>$gen=2$<d>,-<d>,<d>
/// $twostep-bc$v=1$alg=pbkdf2-sha256,i=100000,len=10,pepper=1$salt=<b64>$gen=1$<d>,<d>
/// ```
///
/// `b64` is standard base64 without padding (as in PHC strings), canonical
/// (unused bits zero); `<d>` is a slot's 32-byte digest, and a used slot is
/// its digest after a `-` (kept, so that a second use reports
/// [`RedeemResult::AlreadyUsed`]). `pepper` records whether a pepper was
/// used (not the pepper), so that a missing or extra pepper is reported as
/// [`BackupError::PepperMismatch`] instead of rejecting every code. `gen` is
/// the generation: 1 for a fresh set, plus one for each redemption and for
/// each [`BackupCodeSet::renew`], so every change of state yields a new string
/// for a compare-and-swap. Parsing is strict (the string [`Display`] writes
/// is the only accepted spelling), capped at
/// [`BackupCodeSet::MAX_STORAGE_LEN`] bytes, with a typed [`BackupError`] for
/// each malformed form. With the `serde` feature the set serialises as this
/// string.
///
/// [`Display`]: core::fmt::Display
///
/// Reading a stored set:
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::BackupCodeSet;
/// let stored = "$twostep-bc$v=1$alg=hmac-sha256,len=24,pepper=0$salt=RCCCPP3m8cJrMPkOx90B5A$gen=2$\
///    TXHsNi6a8Qav4sEecVltnc88I/4IW7E87sUC0VX6qyE,-Mk41euiLMWlFwiDrLankoUwIbe2GDee7F4C9qXl4pFE,\
///    9Np52VZfWe1wbllFiFuqtfaDojdd5vdJnM6pqPVW308";
/// let set: BackupCodeSet = stored.parse()?;
/// assert_eq!((set.slot_count(), set.remaining(), set.generation()), (3, 2, 2));
/// assert_eq!(set.used_slots().collect::<Vec<_>>(), [1]);
/// assert_eq!(set.to_string(), stored);
/// # Ok(()) }
/// ```
///
/// # Security
///
/// - Throttle redeem attempts like code attempts, in the same counter: on
///   [`RedeemResult::Malformed`], [`RedeemResult::Invalid`] or
///   [`RedeemResult::AlreadyUsed`], record a failure with
///   [`Guard::record_failure`](crate::Guard::record_failure) (see
///   [`BackupCodeSet::redeem`]).
/// - Persist the new set of [`RedeemResult::Redeemed`] with compare-and-swap
///   on the old string, so two concurrent logins cannot spend one code.
/// - A pepper, kept outside the database (configuration, a secrets manager),
///   makes a stolen database useless for offline guessing.
/// - [`BackupCodes`] wipes itself on drop (best effort: copies made by the
///   allocator, the OS or your own formatting are out of reach; prefer
///   [`BackupCodes::to_text_block`], which returns a wiping string).
#[derive(Clone, PartialEq, Eq)]
pub struct BackupCodeSet {
    scheme: Scheme,
    length: u8,
    peppered: bool,
    salt: [u8; SALT_LEN],
    generation: u64,
    slots: Vec<Slot>,
}

/// The outcome of [`BackupCodeSet::redeem`].
///
/// Only [`RedeemResult::Redeemed`] lets the user in, and it carries the new
/// set that must be persisted before the login completes.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// # use rand_core::SeedableRng;
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
/// use twostep::{BackupCodeSet, BackupPolicy, RedeemResult};
/// let policy = BackupPolicy::DEFAULT;
/// let (codes, set) = BackupCodeSet::generate(&policy, &mut rng)?;
/// let code = codes.get(0).unwrap().to_string();
/// let RedeemResult::Redeemed { set, .. } = set.redeem(&code, &policy)? else {
///     unreachable!()
/// };
/// assert_eq!(set.redeem(&code, &policy)?, RedeemResult::AlreadyUsed { slot: 0 });
/// assert_eq!(set.redeem("not a code", &policy)?, RedeemResult::Malformed);
/// # Ok(()) }
/// ```
#[must_use = "only `Redeemed` lets the user in, and its `set` must be persisted"]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedeemResult {
    /// The code matched an unused slot. Persist `set` (compare-and-swap on
    /// the string that was loaded) before letting the user in.
    Redeemed {
        /// The slot (0-based; the text block numbers it `slot + 1`).
        slot: usize,
        /// Unused codes left after this one.
        remaining: usize,
        /// The set with `slot` spent and the generation advanced.
        set: BackupCodeSet,
    },
    /// The code matched a slot spent earlier. Refuse, and count a failure
    /// (it may have been seen by someone else: consider telling the user).
    AlreadyUsed {
        /// The slot (0-based) the code belonged to.
        slot: usize,
    },
    /// The code is well formed but in no slot. Refuse, and count a failure.
    Invalid,
    /// The input is not a code of the set's shape (wrong length, a byte
    /// outside the alphabet). No hash was computed. Refuse, and count a
    /// failure, as the guard counts a malformed TOTP code.
    Malformed,
}

impl BackupCodeSet {
    /// The longest storage string accepted, in bytes (the longest one written
    /// is about 1,010 bytes).
    pub const MAX_STORAGE_LEN: usize = 1024;
    /// The longest redeem input considered, in bytes; longer input is
    /// [`RedeemResult::Malformed`].
    pub const MAX_INPUT_LEN: usize = 256;

    /// Generates a set: `policy.count()` distinct random codes, shown once as
    /// [`BackupCodes`], and their hashes under a fresh salt, stored as a
    /// `BackupCodeSet` with generation 1. Hashing costs one evaluation per
    /// code (with PBKDF2 for short profiles: `count × iterations`).
    ///
    /// # Errors
    ///
    /// [`BackupError::RandomSource`] if `rng` keeps repeating codes (a broken
    /// generator).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// use rand_core::SeedableRng;
    /// use twostep::{BackupCodeSet, BackupPolicy};
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]); // use an OS-seeded CSPRNG
    /// let (codes, set) = BackupCodeSet::generate(&BackupPolicy::DEFAULT, &mut rng)?;
    /// assert_eq!((codes.len(), set.remaining(), set.generation()), (10, 10, 1));
    /// assert!(set.to_string().starts_with("$twostep-bc$v=1$alg=hmac-sha256,len=24,pepper=0$"));
    /// # Ok(()) }
    /// ```
    pub fn generate<R: CryptoRng + ?Sized>(
        policy: &BackupPolicy,
        rng: &mut R,
    ) -> Result<(BackupCodes, Self), BackupError> {
        let count = policy.count();
        let length = policy.length();
        let scheme = policy.scheme();
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        let mut values = Zeroizing::new(alloc::vec![0u8; count.saturating_mul(length)]);
        let mut draw = Zeroizing::new([0u8; crockford::MAX_SYMBOLS]);
        let draw = draw.get_mut(..length).ok_or(BackupError::RandomSource)?;
        for i in 0..count {
            let start = i.saturating_mul(length);
            let (earlier, rest) = values
                .split_at_mut_checked(start)
                .ok_or(BackupError::RandomSource)?;
            let slot = rest.get_mut(..length).ok_or(BackupError::RandomSource)?;
            let mut fresh = false;
            for _ in 0..MAX_DRAWS {
                rng.fill_bytes(draw);
                // 256 is a multiple of 32: the low five bits are uniform.
                draw.iter_mut().for_each(|b| *b &= 31);
                if !earlier.chunks_exact(length).any(|c| c == &*draw) {
                    fresh = true;
                    break;
                }
            }
            if !fresh {
                return Err(BackupError::RandomSource);
            }
            slot.copy_from_slice(draw);
        }
        let slots = values
            .chunks_exact(length)
            .map(|v| {
                digest(scheme, &salt, policy.pepper(), v).map(|d| Slot {
                    digest: *d,
                    used: false,
                })
            })
            .collect::<Option<Vec<_>>>()
            .ok_or(BackupError::RandomSource)?;
        let symbols = Zeroizing::new(values.iter().map(|&v| crockford::symbol(v)).collect());
        let codes = BackupCodes { symbols, length };
        let set = Self {
            scheme,
            length: policy.length,
            peppered: policy.has_pepper(),
            salt,
            generation: 1,
            slots,
        };
        Ok((codes, set))
    }

    /// Replaces this set with a freshly generated one under `policy` (new
    /// codes, new salt), carrying the generation forward by one. No code of
    /// the old set works against the new one; two-step verification stays on.
    ///
    /// # Errors
    ///
    /// As [`BackupCodeSet::generate`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::{BackupCodeSet, BackupPolicy, RedeemResult};
    /// let policy = BackupPolicy::DEFAULT;
    /// let (old_codes, old) = BackupCodeSet::generate(&policy, &mut rng)?;
    /// let (_new_codes, new) = old.renew(&policy, &mut rng)?;
    /// assert_eq!(new.generation(), old.generation() + 1);
    /// let typed = old_codes.get(0).unwrap().to_string();
    /// assert_eq!(new.redeem(&typed, &policy)?, RedeemResult::Invalid);
    /// # Ok(()) }
    /// ```
    pub fn renew<R: CryptoRng + ?Sized>(
        &self,
        policy: &BackupPolicy,
        rng: &mut R,
    ) -> Result<(BackupCodes, Self), BackupError> {
        let (codes, mut set) = Self::generate(policy, rng)?;
        set.generation = self.generation.saturating_add(1);
        Ok((codes, set))
    }

    /// Redeems a code typed by the user.
    ///
    /// The input is normalised (see [`BackupCodeSet`]); malformed input
    /// returns [`RedeemResult::Malformed`] without hashing. Otherwise the
    /// code is hashed once under the set's recorded parameters and compared
    /// with every slot in constant time, with no early exit. The set is not
    /// changed: on success the result carries the next one.
    ///
    /// # Errors
    ///
    /// [`BackupError::PepperMismatch`] if the set was hashed with a pepper
    /// and `policy` has none, or the other way round.
    ///
    /// # Security
    ///
    /// Backup codes share the login throttle with the app's codes, so that a
    /// guesser cannot switch to them for fresh attempts:
    ///
    /// - Before redeeming, ask [`Guard::blocked`](crate::Guard::blocked); if
    ///   it answers, refuse without redeeming (nothing counted).
    /// - Count **all three** refusals as failures with
    ///   [`Guard::record_failure`](crate::Guard::record_failure):
    ///   [`RedeemResult::Malformed`] (as the guard counts a malformed TOTP
    ///   code; the free attempts absorb typos), [`RedeemResult::Invalid`],
    ///   and [`RedeemResult::AlreadyUsed`] (also worth a warning to the user:
    ///   someone may have the old code).
    /// - On [`RedeemResult::Redeemed`] the user has proved who they are: store
    ///   [`GuardState::reset_failures`](crate::GuardState::reset_failures), which
    ///   also releases a hard lock, as the guard's docs prescribe.
    /// - Persist the guard state (on every counted attempt) and the new set
    ///   with compare-and-swap, together, before letting the user in.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::{BackupCodeSet, BackupPolicy, Guard, GuardState, RedeemResult, Totp, UnixTime};
    /// let (guard, policy) = (Guard::new(Totp::new()), BackupPolicy::DEFAULT);
    /// let (codes, set) = BackupCodeSet::generate(&policy, &mut rng)?;
    /// let now = UnixTime::from_secs(1_800_000_000);
    ///
    /// // One backup-code login: whether the user is in, and the guard state
    /// // and set to store (with compare-and-swap on the old ones).
    /// let attempt = |input: &str, state: &GuardState, set: &BackupCodeSet| {
    ///     if guard.blocked(now, state).is_some() {
    ///         return Ok::<_, twostep::Error>((false, *state, set.clone())); // unseen, not counted
    ///     }
    ///     Ok(match set.redeem(input, &policy)? {
    ///         RedeemResult::Redeemed { set: next, .. } => (true, state.reset_failures(), next),
    ///         // Malformed, Invalid, AlreadyUsed: a failure, like a wrong TOTP code.
    ///         _ => (false, guard.record_failure(now, state), set.clone()),
    ///     })
    /// };
    /// let typed = codes.get(0).map(|c| c.to_string()).unwrap_or_default();
    /// let (ok, state, set) = attempt("not a code", &GuardState::new(), &set)?;
    /// assert!(!ok && state.failures() == 1);
    /// let (ok, state, set) = attempt(&typed, &state, &set)?;
    /// assert!(ok && state.failures() == 0);
    /// let (ok, state, _) = attempt(&typed, &state, &set)?; // already used
    /// assert!(!ok && state.failures() == 1);
    /// let locked: GuardState = "g1.-.0.10.-".parse()?;
    /// assert_eq!(attempt(&typed, &locked, &set)?.1, locked); // refused unseen
    /// # Ok(()) }
    /// ```
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::{BackupCodeSet, BackupPolicy, RedeemResult};
    /// let policy = BackupPolicy::DEFAULT;
    /// let (codes, set) = BackupCodeSet::generate(&policy, &mut rng)?;
    /// let typed = format!("  {:#}\n", codes.get(4).unwrap()).to_lowercase();
    /// match set.redeem(&typed, &policy)? {
    ///     RedeemResult::Redeemed { slot, remaining, set } => {
    ///         assert_eq!((slot, remaining, set.generation()), (4, 9, 2));
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn redeem(&self, input: &str, policy: &BackupPolicy) -> Result<RedeemResult, BackupError> {
        if self.peppered != policy.has_pepper() {
            return Err(BackupError::PepperMismatch {
                set_has_pepper: self.peppered,
            });
        }
        if input.len() > Self::MAX_INPUT_LEN {
            return Ok(RedeemResult::Malformed);
        }
        let Some(symbols) = crockford::normalise(input, usize::from(self.length)) else {
            return Ok(RedeemResult::Malformed);
        };
        let Some(d) = digest(self.scheme, &self.salt, policy.pepper(), symbols.values()) else {
            return Ok(RedeemResult::Invalid);
        };
        drop(symbols);
        let mut found = Choice::from(0);
        let mut used = Choice::from(0);
        let mut index = 0u8;
        for (i, s) in self.slots.iter().enumerate() {
            let hit = d.as_slice().ct_eq(s.digest.as_slice());
            found |= hit;
            used.conditional_assign(&Choice::from(u8::from(s.used)), hit);
            index.conditional_assign(&u8::try_from(i).unwrap_or(u8::MAX), hit);
        }
        if !bool::from(found) {
            return Ok(RedeemResult::Invalid);
        }
        let slot = usize::from(index);
        if bool::from(used) {
            return Ok(RedeemResult::AlreadyUsed { slot });
        }
        let mut next = self.clone();
        match next.slots.get_mut(slot) {
            Some(s) => s.used = true,
            None => return Ok(RedeemResult::Invalid),
        }
        next.generation = next.generation.saturating_add(1);
        Ok(RedeemResult::Redeemed {
            slot,
            remaining: next.remaining(),
            set: next,
        })
    }

    /// Unused codes left.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (_, set) = twostep::BackupCodeSet::generate(&twostep::BackupPolicy::DEFAULT, &mut rng)?;
    /// assert_eq!(set.remaining(), 10);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.slots.iter().filter(|s| !s.used).count()
    }

    /// Slots in the set, used or not.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let policy = twostep::BackupPolicy::DEFAULT.with_count(4)?;
    /// let (_, set) = twostep::BackupCodeSet::generate(&policy, &mut rng)?;
    /// assert_eq!(set.slot_count(), 4);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Whether every code has been used.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::{BackupCodeSet, BackupPolicy, RedeemResult};
    /// let policy = BackupPolicy::DEFAULT.with_count(1)?;
    /// let (codes, set) = BackupCodeSet::generate(&policy, &mut rng)?;
    /// assert!(!set.is_exhausted());
    /// let RedeemResult::Redeemed { set, .. } = set.redeem(&codes.to_string(), &policy)? else {
    ///     unreachable!()
    /// };
    /// assert!(set.is_exhausted());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn is_exhausted(&self) -> bool {
        self.remaining() == 0
    }

    /// Whether to prompt the user for a new set: at most
    /// [`BackupPolicy::renewal_threshold`] codes remain.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::{BackupCodeSet, BackupPolicy};
    /// let policy = BackupPolicy::DEFAULT.with_count(3)?;
    /// let (_, set) = BackupCodeSet::generate(&policy, &mut rng)?;
    /// assert!(set.needs_renewal(&policy)); // 3 left, threshold 3
    /// assert!(!set.needs_renewal(&policy.with_renewal_threshold(2)?));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn needs_renewal(&self, policy: &BackupPolicy) -> bool {
        self.remaining() <= policy.renewal_threshold()
    }

    /// Whether `policy` would generate this set differently in a way that
    /// matters: another code length or pepper presence, or a PBKDF2 cost
    /// lower than the policy's (after raising
    /// [`BackupPolicy::with_iterations`]). The set still redeems under its
    /// recorded parameters; offer the user a renewal when convenient.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::{BackupCodeSet, BackupPolicy};
    /// let policy = BackupPolicy::DEFAULT.with_length(16)?.with_iterations(1_000)?;
    /// let (_, set) = BackupCodeSet::generate(&policy, &mut rng)?;
    /// assert!(!set.is_outdated(&policy));
    /// assert!(set.is_outdated(&policy.with_iterations(2_000)?));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn is_outdated(&self, policy: &BackupPolicy) -> bool {
        let weaker = match (self.scheme, policy.scheme()) {
            (
                Scheme::Pbkdf2Sha256 { iterations: have },
                Scheme::Pbkdf2Sha256 { iterations: want },
            ) => have < want,
            (have, want) => have != want,
        };
        weaker || self.length != policy.length || self.peppered != policy.has_pepper()
    }

    /// Whether slot `index` (0-based) was used, or `None` past the end.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (_, set) = twostep::BackupCodeSet::generate(&twostep::BackupPolicy::DEFAULT, &mut rng)?;
    /// assert_eq!(set.is_used(0), Some(false));
    /// assert_eq!(set.is_used(10), None);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn is_used(&self, index: usize) -> Option<bool> {
        self.slots.get(index).map(|s| s.used)
    }

    /// The used slots' indices (0-based), in order, for a status page
    /// ("codes 2 and 7 used, 8 left" numbers them `index + 1`).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::{BackupCodeSet, BackupPolicy, RedeemResult};
    /// let policy = BackupPolicy::DEFAULT;
    /// let (codes, set) = BackupCodeSet::generate(&policy, &mut rng)?;
    /// let RedeemResult::Redeemed { set, .. } = set.redeem(&codes.get(6).unwrap().to_string(), &policy)? else {
    ///     unreachable!()
    /// };
    /// assert_eq!(set.used_slots().collect::<Vec<_>>(), [6]);
    /// # Ok(()) }
    /// ```
    pub fn used_slots(&self) -> impl Iterator<Item = usize> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.used.then_some(i))
    }

    /// The generation: 1 for a fresh set, plus one per redemption and per
    /// renewal.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (_, set) = twostep::BackupCodeSet::generate(&twostep::BackupPolicy::DEFAULT, &mut rng)?;
    /// assert_eq!(set.generation(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Symbols per code in this set.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (_, set) = twostep::BackupCodeSet::generate(&twostep::BackupPolicy::DEFAULT, &mut rng)?;
    /// assert_eq!(set.code_length(), 24);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn code_length(&self) -> usize {
        usize::from(self.length)
    }

    /// The PBKDF2 iteration count of this set, or `None` for a set hashed
    /// with HMAC-SHA-256 alone (codes of 112 bits or more).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::BackupError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::{BackupCodeSet, BackupPolicy};
    /// let (_, set) = BackupCodeSet::generate(&BackupPolicy::DEFAULT, &mut rng)?;
    /// assert_eq!(set.kdf_iterations(), None);
    /// let short = BackupPolicy::DEFAULT.with_length(12)?.with_iterations(1_000)?;
    /// let (_, set) = BackupCodeSet::generate(&short, &mut rng)?;
    /// assert_eq!(set.kdf_iterations(), Some(1_000));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn kdf_iterations(&self) -> Option<u32> {
        match self.scheme {
            Scheme::HmacSha256 => None,
            Scheme::Pbkdf2Sha256 { iterations } => Some(iterations),
        }
    }
}

impl fmt::Debug for BackupCodeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Used<'a>(&'a BackupCodeSet);
        impl fmt::Debug for Used<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0.used_slots()).finish()
            }
        }
        f.debug_struct("BackupCodeSet")
            .field("kdf_iterations", &self.kdf_iterations())
            .field("code_length", &self.length)
            .field("pepper", &self.peppered)
            .field("generation", &self.generation)
            .field("slots", &self.slots.len())
            .field("used", &Used(self))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for BackupCodeSet {
    /// The storage string (see [`BackupCodeSet`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PREFIX)?;
        f.write_str("v=1$alg=")?;
        match self.scheme {
            Scheme::HmacSha256 => f.write_str("hmac-sha256")?,
            Scheme::Pbkdf2Sha256 { iterations } => write!(f, "pbkdf2-sha256,i={iterations}")?,
        }
        write!(
            f,
            ",len={},pepper={}$salt=",
            self.length,
            u8::from(self.peppered)
        )?;
        b64_encode(&self.salt, f)?;
        write!(f, "$gen={}$", self.generation)?;
        for (i, s) in self.slots.iter().enumerate() {
            if i > 0 {
                f.write_char(',')?;
            }
            if s.used {
                f.write_char('-')?;
            }
            b64_encode(&s.digest, f)?;
        }
        Ok(())
    }
}

impl FromStr for BackupCodeSet {
    type Err = BackupError;

    /// Parses a storage string strictly: only the exact text that `Display`
    /// writes is accepted.
    ///
    /// # Errors
    ///
    /// [`BackupError::TooLong`] over [`BackupCodeSet::MAX_STORAGE_LEN`]
    /// bytes, then a variant naming the first malformed part:
    /// [`Prefix`](BackupError::Prefix), [`Version`](BackupError::Version),
    /// [`Structure`](BackupError::Structure),
    /// [`Parameters`](BackupError::Parameters),
    /// [`Algorithm`](BackupError::Algorithm),
    /// [`Iterations`](BackupError::Iterations),
    /// [`Length`](BackupError::Length),
    /// [`AlgorithmMismatch`](BackupError::AlgorithmMismatch),
    /// [`Salt`](BackupError::Salt), [`Generation`](BackupError::Generation),
    /// [`Count`](BackupError::Count), [`Digest`](BackupError::Digest),
    /// [`DuplicateDigest`](BackupError::DuplicateDigest),
    /// [`Inconsistent`](BackupError::Inconsistent).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > Self::MAX_STORAGE_LEN {
            return Err(BackupError::TooLong {
                len: s.len(),
                max: Self::MAX_STORAGE_LEN,
            });
        }
        let rest = s.strip_prefix(PREFIX).ok_or(BackupError::Prefix)?;
        let mut segments = rest.split('$');
        let version = segments
            .next()
            .and_then(|v| v.strip_prefix("v="))
            .ok_or(BackupError::Structure)?;
        if version != "1" {
            return Err(BackupError::Version);
        }
        let params = segments.next().ok_or(BackupError::Structure)?;
        let salt = labelled(segments.next(), "salt=")?;
        let generation = labelled(segments.next(), "gen=")?;
        let digests = segments.next().ok_or(BackupError::Structure)?;
        if segments.next().is_some() {
            return Err(BackupError::Structure);
        }

        let (scheme, length, peppered) = parse_params(params)?;
        let salt = b64_decode::<SALT_LEN>(salt).ok_or(BackupError::Salt)?;
        let generation = canonical_u64(generation)
            .filter(|&g| g >= 1)
            .ok_or(BackupError::Generation)?;

        let count = if digests.is_empty() {
            0
        } else {
            digests.split(',').count()
        };
        check_count(count)?;
        let mut slots = Vec::with_capacity(count);
        for (slot, text) in digests.split(',').enumerate() {
            let (used, body) = match text.strip_prefix('-') {
                Some(body) => (true, body),
                None => (false, text),
            };
            let digest = b64_decode::<DIGEST_LEN>(body).ok_or(BackupError::Digest { slot })?;
            if slots.iter().any(|s: &Slot| s.digest == digest) {
                return Err(BackupError::DuplicateDigest { slot });
            }
            slots.push(Slot { digest, used });
        }
        let set = Self {
            scheme,
            length,
            peppered,
            salt,
            generation,
            slots,
        };
        let used = set.slots.len().saturating_sub(set.remaining());
        if u64::try_from(used).map_or(true, |u| u >= generation) {
            return Err(BackupError::Inconsistent { used, generation });
        }
        Ok(set)
    }
}

/// The text after `label` in `segment`, or [`BackupError::Structure`].
fn labelled<'a>(segment: Option<&'a str>, label: &str) -> Result<&'a str, BackupError> {
    segment
        .and_then(|s| s.strip_prefix(label))
        .ok_or(BackupError::Structure)
}

/// `alg=hmac-sha256,len=N,pepper=B` or `alg=pbkdf2-sha256,i=N,len=N,pepper=B`.
fn parse_params(params: &str) -> Result<(Scheme, u8, bool), BackupError> {
    let mut fields = params.split(',');
    let mut field = |label: &str| {
        fields
            .next()
            .and_then(|f| f.strip_prefix(label))
            .ok_or(BackupError::Parameters)
    };
    let scheme = match field("alg=")? {
        "hmac-sha256" => Scheme::HmacSha256,
        "pbkdf2-sha256" => {
            let i = canonical_u64(field("i=")?).ok_or(BackupError::Parameters)?;
            Scheme::Pbkdf2Sha256 {
                iterations: check_iterations(i)?,
            }
        }
        _ => return Err(BackupError::Algorithm),
    };
    let symbols = canonical_u64(field("len=")?).ok_or(BackupError::Parameters)?;
    let length = check_length(usize::try_from(symbols).unwrap_or(usize::MAX))?;
    let peppered = match field("pepper=")? {
        "0" => false,
        "1" => true,
        _ => return Err(BackupError::Parameters),
    };
    if fields.next().is_some() {
        return Err(BackupError::Parameters);
    }
    let kdf = usize::from(length) < HMAC_MIN_LENGTH;
    if kdf != matches!(scheme, Scheme::Pbkdf2Sha256 { .. }) {
        return Err(BackupError::AlgorithmMismatch {
            symbols: usize::from(length),
        });
    }
    Ok((scheme, length, peppered))
}

/// Standard base64 alphabet (RFC 4648 §4), written without padding.
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_encode(bytes: &[u8], f: &mut impl fmt::Write) -> fmt::Result {
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    let sym = |v: u32| char::from(B64.get((v & 63) as usize).copied().unwrap_or(b'A'));
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits = bits.saturating_add(8);
        while bits >= 6 {
            bits = bits.saturating_sub(6);
            f.write_char(sym(acc >> bits))?;
        }
        acc &= (1u32 << bits).wrapping_sub(1);
    }
    if bits > 0 {
        f.write_char(sym(acc << 6u32.saturating_sub(bits)))?;
    }
    Ok(())
}

/// Decodes canonical unpadded base64 of exactly `N` bytes: the exact symbol
/// count and zero unused bits, so each value has one spelling.
fn b64_decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let expected = N.checked_mul(8)?.div_ceil(6);
    if text.len() != expected {
        return None;
    }
    let mut out = [0u8; N];
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    let mut written = 0usize;
    for c in text.bytes() {
        let v = B64.iter().position(|&s| s == c)?;
        acc = (acc << 6) | u32::try_from(v).ok()?;
        bits = bits.saturating_add(6);
        if bits >= 8 {
            bits = bits.saturating_sub(8);
            *out.get_mut(written)? = (acc >> bits).to_le_bytes()[0];
            written = written.saturating_add(1);
            acc &= (1u32 << bits).wrapping_sub(1);
        }
    }
    (written == N && acc == 0).then_some(out)
}

crate::text::serde_via_text!(BackupCodeSet, "a twostep backup-code storage string");

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::test_counter::{self, BACKUP_DIGEST};
    use rand_core::SeedableRng;
    use std::{format, string::String, string::ToString, vec::Vec};

    fn rng() -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(4)
    }

    #[test]
    fn one_evaluation_per_attempt_whatever_the_set_size() {
        let mut rng = rng();
        for (length, iterations) in [(24, 1_000), (10, 1_000)] {
            for count in [1, 2, 10, 20] {
                let policy = BackupPolicy::DEFAULT
                    .with_count(count)
                    .unwrap()
                    .with_length(length)
                    .unwrap()
                    .with_iterations(iterations)
                    .unwrap();
                let (codes, set) = BackupCodeSet::generate(&policy, &mut rng).unwrap();
                let last = codes.get(count - 1).unwrap().to_string();
                let first = codes.get(0).unwrap().to_string();
                let wrong = "0".repeat(length);
                let next = match set.redeem(&last, &policy).unwrap() {
                    RedeemResult::Redeemed { set, .. } => set,
                    other => panic!("{other:?}"),
                };
                for (input, set) in [(&last, &next), (&first, &set), (&wrong, &set)] {
                    let before = test_counter::count(&BACKUP_DIGEST);
                    let _ = set.redeem(input, &policy).unwrap();
                    assert_eq!(
                        test_counter::count(&BACKUP_DIGEST) - before,
                        1,
                        "count {count}"
                    );
                }
                for malformed in ["", "U", "é", &"0".repeat(length + 1), &"x".repeat(300)] {
                    let before = test_counter::count(&BACKUP_DIGEST);
                    assert_eq!(
                        set.redeem(malformed, &policy).unwrap(),
                        RedeemResult::Malformed
                    );
                    assert_eq!(test_counter::count(&BACKUP_DIGEST), before);
                }
            }
        }
    }

    #[test]
    fn pepper_mismatch_computes_nothing() {
        let mut rng = rng();
        let peppered = BackupPolicy::DEFAULT.with_pepper(&[1; 16]).unwrap();
        let (codes, set) = BackupCodeSet::generate(&peppered, &mut rng).unwrap();
        let before = test_counter::count(&BACKUP_DIGEST);
        let typed = codes.get(0).unwrap().to_string();
        assert_eq!(
            set.redeem(&typed, &BackupPolicy::DEFAULT),
            Err(BackupError::PepperMismatch {
                set_has_pepper: true
            })
        );
        assert_eq!(test_counter::count(&BACKUP_DIGEST), before);
    }

    #[test]
    fn kat_digests_match_python() {
        // Vectors from scripts/backup_vectors.py (Python hashlib), checked
        // here against the private digest function directly.
        let text = include_str!("../tests/vectors/backup_kat.txt");
        let mut checked = 0;
        for block in text.split("\n\n").filter(|b| b.contains("storage: ")) {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap()
                    .trim()
            };
            let pepper = match field("pepper:") {
                "-" => Vec::new(),
                hex => (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect(),
            };
            let set: BackupCodeSet = field("storage:").parse().unwrap();
            let first = field("codes:").split(' ').next().unwrap();
            for (code, slot) in field("codes:").split(' ').zip(&set.slots) {
                let symbols = crockford::normalise(code, set.code_length()).unwrap();
                if code == first {
                    let mut packed = [0u8; crockford::MAX_PACKED];
                    let n = crockford::pack(symbols.values(), &mut packed);
                    let hex: String = packed[..n].iter().map(|b| format!("{b:02x}")).collect();
                    assert_eq!(hex, field("packed0:"));
                }
                let d = digest(set.scheme, &set.salt, &pepper, symbols.values()).unwrap();
                assert_eq!(*d, slot.digest, "{}", field("name:"));
                checked += 1;
            }
        }
        assert_eq!(checked, 17);
    }

    #[test]
    fn b64_canonical_and_round_trip() {
        let mut s = String::new();
        b64_encode(&[0xff; 16], &mut s).unwrap();
        assert_eq!(s, "/////////////////////w");
        assert_eq!(b64_decode::<16>(&s), Some([0xff; 16]));
        // Non-zero unused bits: not the canonical spelling.
        assert_eq!(b64_decode::<16>("/////////////////////x"), None);
        assert_eq!(b64_decode::<16>("/////////////////////w="), None);
        assert_eq!(b64_decode::<16>("////////////////////w"), None);
        let mut s = String::new();
        b64_encode(b"foobar", &mut s).unwrap();
        assert_eq!(s, "Zm9vYmFy"); // RFC 4648 §10
        let mut s = String::new();
        b64_encode(b"fo", &mut s).unwrap();
        assert_eq!(s, "Zm8");
        assert_eq!(b64_decode::<2>("Zm8"), Some(*b"fo"));
    }

    #[test]
    fn broken_rng_is_an_error_not_a_hang() {
        struct Stuck;
        impl rand_core::TryRng for Stuck {
            type Error = core::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                Ok(0)
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                Ok(0)
            }
            fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
                dst.fill(0);
                Ok(())
            }
        }
        impl rand_core::TryCryptoRng for Stuck {}
        let one = BackupPolicy::DEFAULT.with_count(1).unwrap();
        assert!(BackupCodeSet::generate(&one, &mut Stuck).is_ok());
        let two = BackupPolicy::DEFAULT.with_count(2).unwrap();
        assert_eq!(
            BackupCodeSet::generate(&two, &mut Stuck).err(),
            Some(BackupError::RandomSource)
        );
    }

    #[test]
    fn duplicate_draws_are_redrawn() {
        // Repeats each 24-byte draw once: every second draw duplicates the
        // previous code and must be replaced by a fresh one.
        struct Twice(rand_chacha::ChaCha20Rng, Vec<u8>, bool);
        impl rand_core::TryRng for Twice {
            type Error = core::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                Ok(rand_core::Rng::next_u32(&mut self.0))
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                Ok(rand_core::Rng::next_u64(&mut self.0))
            }
            fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
                if dst.len() == 24 && self.2 {
                    dst.copy_from_slice(&self.1);
                } else {
                    rand_core::Rng::fill_bytes(&mut self.0, dst);
                    self.1 = dst.to_vec();
                }
                self.2 = !self.2 && dst.len() == 24;
                Ok(())
            }
        }
        impl rand_core::TryCryptoRng for Twice {}
        let mut rng = Twice(rng(), Vec::new(), false);
        let policy = BackupPolicy::DEFAULT.with_count(5).unwrap();
        let (codes, set) = BackupCodeSet::generate(&policy, &mut rng).unwrap();
        let all: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        for (i, c) in all.iter().enumerate() {
            assert!(!all[..i].contains(c));
        }
        assert_eq!(set.slot_count(), 5);
    }
}
