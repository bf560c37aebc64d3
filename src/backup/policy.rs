//! [`Policy`]: how a set's codes are generated and hashed.

use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

#[cfg(doc)]
use super::CodeSet;
use super::ConfigError;
use super::crockford;
use super::hash::{HMAC_MIN_LENGTH, Scheme};

/// A pepper: application key material mixed into every backup-code hash.
#[derive(Clone)]
struct Pepper(Zeroizing<Vec<u8>>);

/// How a set's codes are generated and hashed, validated on construction.
///
/// Build one at start-up from [`Policy::DEFAULT`] with the `with_*`
/// setters and use it for generation and redemption. Only the pepper must
/// stay the same across the life of a set: length, count and cost apply to
/// new sets, and existing sets keep the parameters recorded in their storage
/// string (see [`CodeSet::is_outdated`]).
///
/// `Clone` copies the pepper with it; every copy is wiped on drop (best
/// effort), so a policy can be cloned into each worker or request handler.
///
/// ```
/// # fn main() -> Result<(), twostep::backup::ConfigError> {
/// use twostep::backup::Policy;
/// let pepper = [0x5a; 32]; // load from configuration, not from the database
/// let policy = Policy::DEFAULT
///     .with_count(8)?
///     .with_length(16)? // 80 bits: hashed with PBKDF2
///     .with_pepper(&pepper)?;
/// assert_eq!(policy.entropy_bits(), 80);
/// assert!(policy.uses_kdf());
/// assert_eq!(
///     format!("{policy:?}"),
///     "Policy { count: 8, length: 16, renewal_threshold: 3, iterations: 100000, pepper: Some(..) }"
/// );
/// let per_worker = policy.clone();
/// assert_eq!(per_worker.entropy_bits(), 80);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Policy {
    count: u8,
    pub(super) length: u8,
    renewal_threshold: u8,
    iterations: u32,
    pepper: Option<Pepper>,
}

impl Policy {
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
    /// use twostep::backup::Policy;
    /// let p = Policy::DEFAULT;
    /// assert_eq!((p.count(), p.length(), p.renewal_threshold()), (10, 24, 3));
    /// assert!(!p.uses_kdf() && !p.has_pepper());
    /// ```
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the default count, length and threshold are small constants"
    )]
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
    /// [`ConfigError::Count`] unless `count` is 1 to 20.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// use twostep::backup::Policy;
    /// assert_eq!(Policy::DEFAULT.with_count(12)?.count(), 12);
    /// assert!(Policy::DEFAULT.with_count(21).is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_count(mut self, count: usize) -> Result<Self, ConfigError> {
        self.count = valid_count(count).ok_or(ConfigError::Count { count })?;
        Ok(self)
    }

    /// This policy with codes of `symbols` Crockford symbols (5 bits each).
    /// Below 23 symbols (112 bits) codes are hashed with PBKDF2.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Length`] unless `symbols` is 10 to 32.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// use twostep::backup::Policy;
    /// assert_eq!(Policy::DEFAULT.with_length(10)?.entropy_bits(), 50);
    /// assert!(Policy::DEFAULT.with_length(9).is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_length(mut self, symbols: usize) -> Result<Self, ConfigError> {
        self.length = u64::try_from(symbols)
            .ok()
            .and_then(valid_length)
            .ok_or(ConfigError::Length { symbols })?;
        Ok(self)
    }

    /// This policy prompting renewal when `remaining` or fewer codes are
    /// left (0: only when exhausted).
    ///
    /// # Errors
    ///
    /// [`ConfigError::RenewalThreshold`] above 20.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// use twostep::backup::Policy;
    /// assert_eq!(Policy::DEFAULT.with_renewal_threshold(2)?.renewal_threshold(), 2);
    /// assert!(Policy::DEFAULT.with_renewal_threshold(21).is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_renewal_threshold(mut self, remaining: usize) -> Result<Self, ConfigError> {
        self.renewal_threshold = u8::try_from(remaining)
            .ok()
            .filter(|&t| usize::from(t) <= Self::MAX_COUNT)
            .ok_or(ConfigError::RenewalThreshold {
                threshold: remaining,
            })?;
        Ok(self)
    }

    /// This policy with `iterations` of PBKDF2 for new sets of codes under
    /// 112 bits. Existing sets keep the cost recorded in their storage string.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Iterations`] unless `iterations` is 1,000 to 10,000,000.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// use twostep::backup::Policy;
    /// assert_eq!(Policy::DEFAULT.with_iterations(600_000)?.iterations(), 600_000);
    /// assert!(Policy::DEFAULT.with_iterations(999).is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_iterations(mut self, iterations: u32) -> Result<Self, ConfigError> {
        self.iterations = valid_iterations(u64::from(iterations))
            .ok_or(ConfigError::Iterations { iterations })?;
        Ok(self)
    }

    /// This policy with an application pepper: key material mixed into every
    /// hash and kept outside the database, so that a stolen database alone
    /// does not allow offline guessing. The bytes are copied and wiped on
    /// drop; `Debug` does not show them.
    ///
    /// # Errors
    ///
    /// [`ConfigError::PepperLength`] unless `pepper` is 16 to 64 bytes.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// use twostep::backup::Policy;
    /// assert!(Policy::DEFAULT.with_pepper(&[7; 32])?.has_pepper());
    /// assert!(Policy::DEFAULT.with_pepper(b"short").is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_pepper(mut self, pepper: &[u8]) -> Result<Self, ConfigError> {
        if !(Self::MIN_PEPPER_LEN..=Self::MAX_PEPPER_LEN).contains(&pepper.len()) {
            return Err(ConfigError::PepperLength { len: pepper.len() });
        }
        self.pepper = Some(Pepper(Zeroizing::new(pepper.to_vec())));
        Ok(self)
    }

    /// Codes per new set.
    ///
    /// ```
    /// assert_eq!(twostep::backup::Policy::DEFAULT.count(), 10);
    /// ```
    #[must_use]
    pub fn count(&self) -> usize {
        usize::from(self.count)
    }

    /// Symbols per code in new sets.
    ///
    /// ```
    /// assert_eq!(twostep::backup::Policy::DEFAULT.length(), 24);
    /// ```
    #[must_use]
    pub fn length(&self) -> usize {
        usize::from(self.length)
    }

    /// Remaining codes at or below which [`CodeSet::needs_renewal`] is true.
    ///
    /// ```
    /// assert_eq!(twostep::backup::Policy::DEFAULT.renewal_threshold(), 3);
    /// ```
    #[must_use]
    pub fn renewal_threshold(&self) -> usize {
        usize::from(self.renewal_threshold)
    }

    /// PBKDF2 iterations for new sets under 112 bits.
    ///
    /// ```
    /// assert_eq!(twostep::backup::Policy::DEFAULT.iterations(), 100_000);
    /// ```
    #[must_use]
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Whether the policy has a pepper.
    ///
    /// ```
    /// assert!(!twostep::backup::Policy::DEFAULT.has_pepper());
    /// ```
    #[must_use]
    pub fn has_pepper(&self) -> bool {
        self.pepper.is_some()
    }

    /// Bits of entropy per code: 5 per symbol.
    ///
    /// ```
    /// assert_eq!(twostep::backup::Policy::DEFAULT.entropy_bits(), 120);
    /// ```
    #[must_use]
    pub fn entropy_bits(&self) -> u32 {
        u32::from(self.length).saturating_mul(5)
    }

    /// Whether new sets are hashed with PBKDF2 (codes under 112 bits) rather
    /// than HMAC-SHA-256 alone. If so, each redeem costs milliseconds of CPU:
    /// on an async runtime run it in a blocking task (see [Async
    /// services](super#async-services)).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// use twostep::backup::Policy;
    /// assert!(!Policy::DEFAULT.uses_kdf());
    /// assert!(Policy::DEFAULT.with_length(22)?.uses_kdf()); // 110 bits
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn uses_kdf(&self) -> bool {
        self.length() < HMAC_MIN_LENGTH
    }

    pub(super) fn scheme(&self) -> Scheme {
        if self.uses_kdf() {
            Scheme::Pbkdf2Sha256 {
                iterations: self.iterations,
            }
        } else {
            Scheme::HmacSha256
        }
    }

    pub(super) fn pepper(&self) -> &[u8] {
        self.pepper.as_ref().map_or(&[], |p| p.0.as_slice())
    }
}

impl Default for Policy {
    /// [`Policy::DEFAULT`].
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted;
        impl fmt::Debug for Redacted {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Some(..)")
            }
        }
        let mut d = f.debug_struct("Policy");
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

/// `count` as stored, if it is within the policy's bounds.
pub(super) fn valid_count(count: usize) -> Option<u8> {
    u8::try_from(count)
        .ok()
        .filter(|_| (Policy::MIN_COUNT..=Policy::MAX_COUNT).contains(&count))
}

/// `symbols` as stored, if it is within the policy's bounds.
pub(super) fn valid_length(symbols: u64) -> Option<u8> {
    u8::try_from(symbols)
        .ok()
        .filter(|&s| (Policy::MIN_LENGTH..=Policy::MAX_LENGTH).contains(&usize::from(s)))
}

/// `iterations` as stored, if it is within the policy's bounds.
pub(super) fn valid_iterations(iterations: u64) -> Option<u32> {
    u32::try_from(iterations)
        .ok()
        .filter(|i| (Policy::MIN_ITERATIONS..=Policy::MAX_ITERATIONS).contains(i))
}
