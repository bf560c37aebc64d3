//! [`CodeSet`]: the hashed set the application stores, and [`Redemption`].

use alloc::vec::Vec;
use core::fmt;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

#[cfg(doc)]
use super::ShownCodes;
use super::hash::{DIGEST_LEN, SALT_LEN, Scheme, Version, digest};
use super::{ConfigError, Policy, crockford};

/// One stored slot: a code's digest and whether it was spent.
#[derive(Clone, Copy)]
pub(super) struct Slot {
    pub(super) digest: [u8; DIGEST_LEN],
    pub(super) used: bool,
}

/// A hashed set of backup codes: what the application stores per user, as
/// the storage string that `Display` writes and [`FromStr`](core::str::FromStr)
/// parses (see [the module docs](crate::backup) for the construction).
///
/// When a phone is lost, backup codes are the way back in. The user is shown
/// a set of codes once ([`ShownCodes`]); the application stores only their
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
/// use twostep::backup::{CodeSet, Policy, Redemption};
///
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]); // tests only (production: CodeSet::generate_os)
/// let policy = Policy::DEFAULT; // 10 codes of 24 symbols (120 bits)
/// let (codes, set) = CodeSet::generate(&policy, &mut rng)?;
/// let shown = codes.to_text_block("Example backup codes for ana@example.com");
/// let stored: String = set.to_string(); // persist this, never the codes
///
/// // Later: the user types a code, in any case and grouping.
/// let typed = codes.get(3).map(|c| c.to_string().to_lowercase()).unwrap_or_default();
/// let set: CodeSet = stored.parse()?;
/// match set.redeem(&typed, &policy)? {
///     Redemption::Redeemed { slot, remaining, set: next } => {
///         assert_eq!((slot, remaining), (3, 9));
///         // compare-and-swap: replace `stored` by `next.to_string()` only if
///         // it is still `stored`; otherwise reload and redeem again.
///         assert!(!next.needs_renewal(&policy));
///     }
///     _ => { /* refuse; count a failure in the throttle */ }
/// }
/// # let _ = shown; Ok(()) }
/// ```
/// # Security
///
/// - Throttle redeem attempts like code attempts, in the same counter: on
///   [`Redemption::Malformed`], [`Redemption::Invalid`] or
///   [`Redemption::AlreadyUsed`], record a failure with
///   [`Guard::record_failure`](crate::Guard::record_failure) (see
///   [`CodeSet::redeem`]).
/// - Persist the new set of [`Redemption::Redeemed`] with compare-and-swap
///   on the old string, so two concurrent logins cannot spend one code.
/// - A pepper, kept outside the database (configuration, a secrets manager),
///   makes a stolen database useless for offline guessing.
/// - [`ShownCodes`] wipes itself on drop (best effort: copies made by the
///   allocator, the OS or your own formatting are out of reach; prefer
///   [`ShownCodes::to_text_block`], which returns a wiping string).
#[derive(Clone)]
pub struct CodeSet {
    pub(super) version: Version,
    pub(super) scheme: Scheme,
    pub(super) length: u8,
    pub(super) peppered: bool,
    pub(super) salt: [u8; SALT_LEN],
    pub(super) generation: u64,
    pub(super) slots: Vec<Slot>,
}

/// The outcome of [`CodeSet::redeem`].
///
/// Only [`Redemption::Redeemed`] lets the user in, and it carries the new
/// set that must be persisted before the login completes.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// # use rand_core::SeedableRng;
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
/// use twostep::backup::{CodeSet, Policy, Redemption};
/// let policy = Policy::DEFAULT;
/// let (codes, set) = CodeSet::generate(&policy, &mut rng)?;
/// let code = codes.get(0).unwrap().to_string();
/// let Redemption::Redeemed { set, .. } = set.redeem(&code, &policy)? else {
///     unreachable!()
/// };
/// assert_eq!(set.redeem(&code, &policy)?, Redemption::AlreadyUsed { slot: 0 });
/// assert_eq!(set.redeem("not a code", &policy)?, Redemption::Malformed);
/// # Ok(()) }
/// ```
///
/// With the `serde` feature it serializes (only) as an object tagged by
/// `kind`, *without* the new set (its storage string holds the code hashes,
/// which belong in the database, not in an API response):
/// `{"kind":"redeemed","slot":0,"remaining":9}`, `{"kind":"already_used","slot":0}`.
#[must_use = "only `Redeemed` lets the user in, and its `set` must be persisted"]
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Redemption {
    /// The code matched an unused slot. Persist `set` (compare-and-swap on
    /// the string that was loaded) before letting the user in.
    Redeemed {
        /// The slot (0-based; the text block numbers it `slot + 1`).
        slot: usize,
        /// Unused codes left after this one.
        remaining: usize,
        /// The set with `slot` spent and the generation advanced.
        #[cfg_attr(feature = "serde", serde(skip))]
        set: CodeSet,
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

/// Short English for logs: the kind of result, the slot and the codes
/// left, never a code or a hash.
///
/// ```
/// use twostep::backup::Redemption;
/// assert_eq!(Redemption::AlreadyUsed { slot: 2 }.to_string(), "backup code already used (slot 2)");
/// assert_eq!(Redemption::Malformed.to_string(), "malformed backup code");
/// ```
impl fmt::Display for Redemption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Redeemed {
                slot, remaining, ..
            } => {
                write!(f, "backup code redeemed (slot {slot}, {remaining} left)")
            }
            Self::AlreadyUsed { slot } => write!(f, "backup code already used (slot {slot})"),
            Self::Invalid => f.write_str("invalid backup code"),
            Self::Malformed => f.write_str("malformed backup code"),
        }
    }
}

impl CodeSet {
    /// The longest storage string accepted, in bytes (the longest one written
    /// is about 1,010 bytes).
    pub const MAX_STORAGE_LEN: usize = 1024;
    /// The longest redeem input considered, in bytes; longer input is
    /// [`Redemption::Malformed`].
    pub const MAX_INPUT_LEN: usize = 256;

    /// Redeems a code typed by the user.
    ///
    /// The input is normalised (see [`CodeSet`]); malformed input
    /// returns [`Redemption::Malformed`] without hashing. Otherwise the
    /// code is hashed once under the set's recorded parameters and compared
    /// with every slot in constant time, with no early exit. The set is not
    /// changed: on success the result carries the next one.
    ///
    /// # Errors
    ///
    /// [`ConfigError::PepperMismatch`] if the set was hashed with a pepper
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
    ///   [`Redemption::Malformed`] (as the guard counts a malformed TOTP
    ///   code; the free attempts absorb typos), [`Redemption::Invalid`],
    ///   and [`Redemption::AlreadyUsed`] (also worth a warning to the user:
    ///   someone may have the old code).
    /// - On [`Redemption::Redeemed`] the user has proved who they are: store
    ///   [`GuardState::reset_failures`](crate::guard::State::reset_failures), which
    ///   also releases a hard lock, as the guard's docs prescribe.
    /// - Persist the guard state (on every counted attempt) and the new set
    ///   with compare-and-swap, together, before letting the user in.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::{Guard, Totp, UnixTime};
    /// use twostep::guard::State as GuardState;
    /// use twostep::backup::{CodeSet, Policy, Redemption};
    /// let (guard, policy) = (Guard::new(Totp::new()), Policy::DEFAULT);
    /// let (codes, set) = CodeSet::generate(&policy, &mut rng)?;
    /// let now = UnixTime::from_secs(1_800_000_000);
    ///
    /// // One backup-code login: whether the user is in, and the guard state
    /// // and set to store (with compare-and-swap on the old ones).
    /// let attempt = |input: &str, state: &GuardState, set: &CodeSet| {
    ///     // The backup-code gate: the back-off applies, the hard lock does not.
    ///     if guard.recovery_blocked(now, state).is_some() {
    ///         let capped = guard.cap_back_off(now, state); // store it if it differs
    ///         return Ok::<_, twostep::Error>((false, capped, set.clone())); // unseen, not counted
    ///     }
    ///     Ok(match set.redeem(input, &policy)? {
    ///         Redemption::Redeemed { set: next, .. } => (true, state.reset_failures(), next),
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
    /// let backing_off: GuardState = "g1.-.0.4.1800000060".parse()?;
    /// assert_eq!(attempt(&typed, &backing_off, &set)?.1, backing_off); // refused unseen
    /// let locked: GuardState = "g1.-.0.10.-".parse()?; // a backup code is the way out
    /// let (fresh, _) = CodeSet::generate(&policy, &mut rng)?;
    /// let (ok, state, _) = attempt(&fresh.get(1).map(|c| c.to_string()).unwrap_or_default(), &locked, &set)?;
    /// assert!(!ok && state.failures() == 11); // a wrong one: counted, and the maximum back-off
    /// # Ok(()) }
    /// ```
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::backup::{CodeSet, Policy, Redemption};
    /// let policy = Policy::DEFAULT;
    /// let (codes, set) = CodeSet::generate(&policy, &mut rng)?;
    /// let typed = format!("  {:#}\n", codes.get(4).unwrap()).to_lowercase();
    /// match set.redeem(&typed, &policy)? {
    ///     Redemption::Redeemed { slot, remaining, set } => {
    ///         assert_eq!((slot, remaining, set.generation()), (4, 9, 2));
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn redeem(&self, input: &str, policy: &Policy) -> Result<Redemption, ConfigError> {
        if self.peppered != policy.has_pepper() {
            return Err(ConfigError::PepperMismatch {
                set_has_pepper: self.peppered,
            });
        }
        if input.len() > Self::MAX_INPUT_LEN {
            return Ok(Redemption::Malformed);
        }
        let Some(symbols) = crockford::normalise(input, usize::from(self.length)) else {
            return Ok(Redemption::Malformed);
        };
        let Some(d) = digest(
            self.version,
            self.scheme,
            &self.salt,
            policy.pepper(),
            symbols.values(),
        ) else {
            return Ok(Redemption::Invalid);
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
            return Ok(Redemption::Invalid);
        }
        let slot = usize::from(index);
        if bool::from(used) {
            return Ok(Redemption::AlreadyUsed { slot });
        }
        let mut next = self.clone();
        match next.slots.get_mut(slot) {
            Some(s) => s.used = true,
            None => return Ok(Redemption::Invalid),
        }
        next.generation = next.generation.saturating_add(1);
        Ok(Redemption::Redeemed {
            slot,
            remaining: next.remaining(),
            set: next,
        })
    }

    /// Unused codes left.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (_, set) = twostep::backup::CodeSet::generate(&twostep::backup::Policy::DEFAULT, &mut rng)?;
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
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let policy = twostep::backup::Policy::DEFAULT.with_count(4)?;
    /// let (_, set) = twostep::backup::CodeSet::generate(&policy, &mut rng)?;
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
    /// use twostep::backup::{CodeSet, Policy, Redemption};
    /// let policy = Policy::DEFAULT.with_count(1)?;
    /// let (codes, set) = CodeSet::generate(&policy, &mut rng)?;
    /// assert!(!set.is_exhausted());
    /// let Redemption::Redeemed { set, .. } = set.redeem(&codes.to_string(), &policy)? else {
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
    /// [`Policy::renewal_threshold`] codes remain.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::backup::{CodeSet, Policy};
    /// let policy = Policy::DEFAULT.with_count(3)?;
    /// let (_, set) = CodeSet::generate(&policy, &mut rng)?;
    /// assert!(set.needs_renewal(&policy)); // 3 left, threshold 3
    /// assert!(!set.needs_renewal(&policy.with_renewal_threshold(2)?));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn needs_renewal(&self, policy: &Policy) -> bool {
        self.remaining() <= policy.renewal_threshold()
    }

    /// Whether `policy` would generate this set differently in a way that
    /// matters: another code length or pepper presence, a PBKDF2 cost
    /// lower than the policy's (after raising
    /// [`Policy::with_iterations`]), or an older storage format (version 1,
    /// whose key took a pepper and the same pepper followed by zero bytes
    /// as one). The set still redeems under its recorded parameters; offer
    /// the user a renewal when convenient.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::backup::{CodeSet, Policy};
    /// let policy = Policy::DEFAULT.with_length(16)?.with_iterations(1_000)?;
    /// let (_, set) = CodeSet::generate(&policy, &mut rng)?;
    /// assert!(!set.is_outdated(&policy));
    /// assert!(set.is_outdated(&policy.with_iterations(2_000)?));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn is_outdated(&self, policy: &Policy) -> bool {
        let weaker = match (self.scheme, policy.scheme()) {
            (
                Scheme::Pbkdf2Sha256 { iterations: have },
                Scheme::Pbkdf2Sha256 { iterations: want },
            ) => have < want,
            (have, want) => have != want,
        };
        weaker
            || self.version != Version::CURRENT
            || self.length != policy.length
            || self.peppered != policy.has_pepper()
    }

    /// Whether slot `index` (0-based) was used, or `None` past the end.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (_, set) = twostep::backup::CodeSet::generate(&twostep::backup::Policy::DEFAULT, &mut rng)?;
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
    /// use twostep::backup::{CodeSet, Policy, Redemption};
    /// let policy = Policy::DEFAULT;
    /// let (codes, set) = CodeSet::generate(&policy, &mut rng)?;
    /// let Redemption::Redeemed { set, .. } = set.redeem(&codes.get(6).unwrap().to_string(), &policy)? else {
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
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (_, set) = twostep::backup::CodeSet::generate(&twostep::backup::Policy::DEFAULT, &mut rng)?;
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
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (_, set) = twostep::backup::CodeSet::generate(&twostep::backup::Policy::DEFAULT, &mut rng)?;
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
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::backup::{CodeSet, Policy};
    /// let (_, set) = CodeSet::generate(&Policy::DEFAULT, &mut rng)?;
    /// assert_eq!(set.kdf_iterations(), None);
    /// let short = Policy::DEFAULT.with_length(12)?.with_iterations(1_000)?;
    /// let (_, set) = CodeSet::generate(&short, &mut rng)?;
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

impl PartialEq for CodeSet {
    /// Whether two sets are the same stored state. The salt and the digests
    /// are compared in constant time, every slot whatever the others hold;
    /// the public parts (format, parameters, generation, which slots are
    /// used) are compared directly.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// use twostep::backup::{CodeSet, Policy};
    /// let (_, set) = CodeSet::generate(&Policy::DEFAULT, &mut rng)?;
    /// let stored: CodeSet = set.to_string().parse()?;
    /// assert!(stored == set);
    /// let (_, other) = CodeSet::generate(&Policy::DEFAULT, &mut rng)?;
    /// assert!(other != set);
    /// # Ok(()) }
    /// ```
    fn eq(&self, other: &Self) -> bool {
        let public = self.version == other.version
            && self.scheme == other.scheme
            && self.length == other.length
            && self.peppered == other.peppered
            && self.generation == other.generation
            && self.slots.len() == other.slots.len()
            && self
                .slots
                .iter()
                .zip(&other.slots)
                .all(|(a, b)| a.used == b.used);
        let secret = self
            .slots
            .iter()
            .zip(&other.slots)
            .fold(self.salt.ct_eq(&other.salt), |same, (a, b)| {
                same & a.digest.ct_eq(&b.digest)
            });
        public & bool::from(secret)
    }
}

impl Eq for CodeSet {}

impl fmt::Debug for CodeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Used<'a>(&'a CodeSet);
        impl fmt::Debug for Used<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0.used_slots()).finish()
            }
        }
        f.debug_struct("CodeSet")
            .field("kdf_iterations", &self.kdf_iterations())
            .field("code_length", &self.length)
            .field("pepper", &self.peppered)
            .field("generation", &self.generation)
            .field("slots", &self.slots.len())
            .field("used", &Used(self))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::backup::Policy;
    use crate::test_counter::{self, BACKUP_DIGEST};
    use rand_core::SeedableRng;
    use std::string::ToString;

    fn rng() -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(4)
    }

    #[test]
    fn one_evaluation_per_attempt_whatever_the_set_size() {
        let mut rng = rng();
        for (length, iterations) in [(24, 1_000), (10, 1_000)] {
            for count in [1, 2, 10, 20] {
                let policy = Policy::DEFAULT
                    .with_count(count)
                    .unwrap()
                    .with_length(length)
                    .unwrap()
                    .with_iterations(iterations)
                    .unwrap();
                let (codes, set) = CodeSet::generate(&policy, &mut rng).unwrap();
                let last = codes.get(count - 1).unwrap().to_string();
                let first = codes.get(0).unwrap().to_string();
                let wrong = "0".repeat(length);
                let next = match set.redeem(&last, &policy).unwrap() {
                    Redemption::Redeemed { set, .. } => set,
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
                        Redemption::Malformed
                    );
                    assert_eq!(test_counter::count(&BACKUP_DIGEST), before);
                }
            }
        }
    }

    #[test]
    fn pepper_mismatch_computes_nothing() {
        let mut rng = rng();
        let peppered = Policy::DEFAULT.with_pepper(&[1; 16]).unwrap();
        let (codes, set) = CodeSet::generate(&peppered, &mut rng).unwrap();
        let before = test_counter::count(&BACKUP_DIGEST);
        let typed = codes.get(0).unwrap().to_string();
        assert_eq!(
            set.redeem(&typed, &Policy::DEFAULT),
            Err(ConfigError::PepperMismatch {
                set_has_pepper: true
            })
        );
        assert_eq!(test_counter::count(&BACKUP_DIGEST), before);
    }
}
