//! RFC 4226 HOTP: [`Hotp`], its prepared form [`KeyedHotp`], and [`HotpMatch`].

use core::fmt;

use super::VerifyError;
use super::code::Code;
use super::engine::Engine;
use super::params::{Algorithm, Digits, LookAhead};
use super::scan::scan;
use crate::secret::Secret;

/// HOTP parameters (RFC 4226): the hash and the digit count.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Hotp, Secret};
/// use twostep::otp::LookAhead;
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let hotp = Hotp::default();
/// assert_eq!(hotp.generate(&secret, 0).to_string(), "755224"); // RFC 4226 Appendix D
/// let m = hotp.verify(&secret, "969429", 0, LookAhead::new(5)?)?;
/// assert_eq!(m.counter(), 3);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Hotp {
    algorithm: Algorithm,
    digits: Digits,
}

impl Hotp {
    /// SHA-1 and 6 digits, the RFC 4226 defaults.
    ///
    /// ```
    /// assert_eq!(twostep::Hotp::new(), twostep::Hotp::default());
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            algorithm: Algorithm::Sha1,
            digits: Digits::DEFAULT,
        }
    }

    /// The same parameters with another hash.
    ///
    /// ```
    /// use twostep::Hotp;
    /// use twostep::otp::Algorithm;
    /// assert_eq!(Hotp::new().with_algorithm(Algorithm::Sha256).algorithm(), Algorithm::Sha256);
    /// ```
    #[must_use]
    pub const fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The same parameters with another digit count.
    ///
    /// ```
    /// use twostep::Hotp;
    /// use twostep::otp::Digits;
    /// assert_eq!(Hotp::new().with_digits(Digits::EIGHT).digits(), Digits::EIGHT);
    /// ```
    #[must_use]
    pub const fn with_digits(mut self, digits: Digits) -> Self {
        self.digits = digits;
        self
    }

    /// The hash.
    ///
    /// ```
    /// assert_eq!(twostep::Hotp::new().algorithm(), twostep::otp::Algorithm::Sha1);
    /// ```
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The digit count.
    ///
    /// ```
    /// assert_eq!(twostep::Hotp::new().digits().get(), 6);
    /// ```
    #[must_use]
    pub const fn digits(&self) -> Digits {
        self.digits
    }

    /// Prepares the keyed HMAC state once, for many evaluations.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// let secret = twostep::Secret::from_bytes(b"12345678901234567890")?;
    /// let key = twostep::Hotp::new().key(&secret);
    /// assert_eq!(key.generate(1).to_string(), "287082");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn key(&self, secret: &Secret) -> KeyedHotp {
        KeyedHotp {
            hotp: *self,
            engine: Engine::new(self.algorithm, secret.expose_secret()),
        }
    }

    /// The code for `counter`.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// let secret = twostep::Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(twostep::Hotp::new().generate(&secret, 9).to_string(), "520489");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn generate(&self, secret: &Secret, counter: u64) -> Code {
        self.key(secret).generate(counter)
    }

    /// Verifies typed `input` against `counter` and up to `look_ahead` counters
    /// after it (never before). See [`KeyedHotp::verify`].
    ///
    /// # Errors
    ///
    /// [`VerifyError::Malformed`] or [`VerifyError::Invalid`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Hotp, Secret};
    /// use twostep::otp::LookAhead;
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// assert!(Hotp::new().verify(&secret, "755224", 1, LookAhead::new(5)?).is_err());
    /// # Ok(()) }
    /// ```
    pub fn verify(
        &self,
        secret: &Secret,
        input: &str,
        counter: u64,
        look_ahead: LookAhead,
    ) -> Result<HotpMatch, VerifyError> {
        let code = Code::parse(input, self.digits)?;
        self.key(secret).verify_code(&code, counter, look_ahead)
    }
}

/// An HOTP key with its HMAC state prepared: two compressions per counter.
/// The state is wiped on drop (best effort) and not shown by `Debug`.
#[derive(Clone)]
pub struct KeyedHotp {
    hotp: Hotp,
    engine: Engine,
}

impl KeyedHotp {
    /// The parameters.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// let key = twostep::Hotp::new().key(&twostep::Secret::from_bytes(&[1; 20])?);
    /// assert_eq!(key.hotp(), twostep::Hotp::new());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn hotp(&self) -> Hotp {
        self.hotp
    }

    /// The code for `counter`. No allocation.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// let key = twostep::Hotp::new().key(&twostep::Secret::from_bytes(b"12345678901234567890")?);
    /// assert_eq!(key.generate(2).to_string(), "359152");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn generate(&self, counter: u64) -> Code {
        self.engine.code(self.hotp.digits, counter)
    }

    /// Verifies typed `input` against `counter ..= counter + look_ahead`
    /// (RFC 4226 §7.4), evaluating every counter in constant time. Counters
    /// beyond `u64::MAX` do not exist and are not evaluated.
    ///
    /// On success, store [`HotpMatch::next_counter`]: the matched counter and
    /// every one before it must never be accepted again.
    ///
    /// # Errors
    ///
    /// [`VerifyError::Malformed`] (no HMAC computed) or [`VerifyError::Invalid`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Hotp, Secret};
    /// use twostep::otp::LookAhead;
    /// let key = Hotp::new().key(&Secret::from_bytes(b"12345678901234567890")?);
    /// let m = key.verify("254676", 0, LookAhead::new(10)?)?; // counter 5
    /// assert_eq!((m.counter(), m.next_counter()), (5, Some(6)));
    /// # Ok(()) }
    /// ```
    pub fn verify(
        &self,
        input: &str,
        counter: u64,
        look_ahead: LookAhead,
    ) -> Result<HotpMatch, VerifyError> {
        let code = Code::parse(input, self.hotp.digits)?;
        self.verify_code(&code, counter, look_ahead)
    }

    /// As [`KeyedHotp::verify`], for an already parsed [`Code`].
    ///
    /// # Errors
    ///
    /// [`VerifyError::Invalid`] if no counter matches (or the code has another digit count).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Code, Hotp, Secret};
    /// use twostep::otp::{Digits, LookAhead};
    /// let key = Hotp::new().key(&Secret::from_bytes(b"12345678901234567890")?);
    /// let code = Code::parse("755224", Digits::SIX)?;
    /// assert_eq!(key.verify_code(&code, 0, LookAhead::NONE)?.counter(), 0);
    /// # Ok(()) }
    /// ```
    pub fn verify_code(
        &self,
        code: &Code,
        counter: u64,
        look_ahead: LookAhead,
    ) -> Result<HotpMatch, VerifyError> {
        let last = counter.saturating_add(u64::from(look_ahead.get()));
        scan(&self.engine, self.hotp.digits, code, counter..=last, |_| {
            true
        })
        .fresh()
        .map(|counter| HotpMatch { counter })
        .ok_or(VerifyError::Invalid)
    }
}

impl fmt::Debug for KeyedHotp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedHotp")
            .field("hotp", &self.hotp)
            .finish_non_exhaustive()
    }
}

/// A successful HOTP verification: which counter matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use = "store next_counter(), or the code can be replayed"]
pub struct HotpMatch {
    counter: u64,
}

impl HotpMatch {
    /// The counter whose code matched.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Hotp, Secret};
    /// use twostep::otp::LookAhead;
    /// let s = Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(Hotp::new().verify(&s, "287082", 0, LookAhead::new(3)?)?.counter(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn counter(&self) -> u64 {
        self.counter
    }

    /// The counter to expect next time (`counter + 1`), or `None` when the
    /// counter space is exhausted and the credential must be re-issued.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Hotp, Secret};
    /// use twostep::otp::LookAhead;
    /// let s = Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(Hotp::new().verify(&s, "287082", 0, LookAhead::new(3)?)?.next_counter(), Some(2));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn next_counter(&self) -> Option<u64> {
        self.counter.checked_add(1)
    }
}
