//! Generating and renewing a [`CodeSet`]: distinct random codes, shown
//! once, and their hashes under a fresh salt.

use alloc::vec::Vec;

use rand_core::CryptoRng;
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroizing;

use super::hash::{SALT_LEN, Version, digest};
use super::set::Slot;
use super::{CodeSet, ConfigError, Policy, ShownCodes, crockford};

/// Attempts to draw a code distinct from the set's earlier codes before
/// blaming the random source.
const MAX_DRAWS: usize = 32;

impl CodeSet {
    /// Generates a set: `policy.count()` distinct random codes, shown once as
    /// [`ShownCodes`], and their hashes under a fresh salt, stored as a
    /// `CodeSet` with generation 1. Hashing costs one evaluation per
    /// code (with PBKDF2 for short profiles: `count × iterations`).
    ///
    /// # Errors
    ///
    /// [`ConfigError::RandomSource`] if `rng` keeps repeating codes (a broken
    /// generator).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// use rand_core::SeedableRng;
    /// use twostep::backup::{CodeSet, Policy};
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]); // tests only: a fixed seed (production: generate_os)
    /// let (codes, set) = CodeSet::generate(&Policy::DEFAULT, &mut rng)?;
    /// assert_eq!((codes.len(), set.remaining(), set.generation()), (10, 10, 1));
    /// assert!(set.to_string().starts_with("$twostep-bc$v=2$alg=hmac-sha256,len=24,pepper=0$"));
    /// # Ok(()) }
    /// ```
    pub fn generate<R: CryptoRng + ?Sized>(
        policy: &Policy,
        rng: &mut R,
    ) -> Result<(ShownCodes, Self), ConfigError> {
        let count = policy.count();
        let length = policy.length();
        let scheme = policy.scheme();
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        let mut values = Zeroizing::new(alloc::vec![0u8; count.saturating_mul(length)]);
        let mut draw = Zeroizing::new([0u8; crockford::MAX_SYMBOLS]);
        let draw = draw.get_mut(..length).ok_or(ConfigError::RandomSource)?;
        for i in 0..count {
            let start = i.saturating_mul(length);
            let (earlier, rest) = values
                .split_at_mut_checked(start)
                .ok_or(ConfigError::RandomSource)?;
            let slot = rest.get_mut(..length).ok_or(ConfigError::RandomSource)?;
            let mut fresh = false;
            for _ in 0..MAX_DRAWS {
                rng.fill_bytes(draw);
                // 256 is a multiple of 32: the low five bits are uniform.
                for b in draw.iter_mut() {
                    *b &= 31;
                }
                // Compared with every earlier code, without an early exit.
                let repeat = earlier
                    .chunks_exact(length)
                    .fold(Choice::from(0), |seen, c| seen | c.ct_eq(draw));
                if !bool::from(repeat) {
                    fresh = true;
                    break;
                }
            }
            if !fresh {
                return Err(ConfigError::RandomSource);
            }
            slot.copy_from_slice(draw);
        }
        let slots = values
            .chunks_exact(length)
            .map(|v| {
                digest(Version::CURRENT, scheme, &salt, policy.pepper(), v).map(|d| Slot {
                    digest: *d,
                    used: false,
                })
            })
            .collect::<Option<Vec<_>>>()
            .ok_or(ConfigError::RandomSource)?;
        let symbols = Zeroizing::new(values.iter().map(|&v| crockford::symbol(v)).collect());
        let codes = ShownCodes { symbols, length };
        let set = Self {
            version: Version::CURRENT,
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
    /// As [`CodeSet::generate`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::backup::{CodeSet, Policy, Redemption};
    /// let policy = Policy::DEFAULT;
    /// let (old_codes, old) = CodeSet::generate(&policy, &mut rng)?;
    /// let (_new_codes, new) = old.renew(&policy, &mut rng)?;
    /// assert_eq!(new.generation(), old.generation() + 1);
    /// let typed = old_codes.get(0).unwrap().to_string();
    /// assert_eq!(new.redeem(&typed, &policy)?, Redemption::Invalid);
    /// # Ok(()) }
    /// ```
    pub fn renew<R: CryptoRng + ?Sized>(
        &self,
        policy: &Policy,
        rng: &mut R,
    ) -> Result<(ShownCodes, Self), ConfigError> {
        let (codes, mut set) = Self::generate(policy, rng)?;
        set.generation = self.generation.saturating_add(1);
        Ok((codes, set))
    }

    /// [`CodeSet::generate`] on the operating system's random source
    /// (feature `getrandom`).
    ///
    /// # Errors
    ///
    /// [`ConfigError::RandomSource`] if the OS source fails (or, as for any
    /// source, keeps repeating codes).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// use twostep::backup::{CodeSet, Policy};
    /// let (codes, set) = CodeSet::generate_os(&Policy::DEFAULT)?;
    /// assert_eq!((codes.len(), set.remaining(), set.generation()), (10, 10, 1));
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn generate_os(policy: &Policy) -> Result<(ShownCodes, Self), ConfigError> {
        crate::secret::os::with_os_rng(|rng| Self::generate(policy, rng))
            .map_err(|_| ConfigError::RandomSource)?
    }

    /// [`CodeSet::renew`] on the operating system's random source (feature
    /// `getrandom`).
    ///
    /// # Errors
    ///
    /// As [`CodeSet::generate_os`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// use twostep::backup::{CodeSet, Policy};
    /// let (_, old) = CodeSet::generate_os(&Policy::DEFAULT)?;
    /// let (_, new) = old.renew_os(&Policy::DEFAULT)?;
    /// assert_eq!(new.generation(), old.generation() + 1);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn renew_os(&self, policy: &Policy) -> Result<(ShownCodes, Self), ConfigError> {
        crate::secret::os::with_os_rng(|rng| self.renew(policy, rng))
            .map_err(|_| ConfigError::RandomSource)?
    }
}
