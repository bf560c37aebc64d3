//! What [`Guard::check`](super::Guard::check) and
//! [`Guard::resync`](super::Guard::resync) take as the key: a [`Secret`],
//! keyed only after the throttle and the input's shape pass, or a
//! [`Prepared`] key from [`Guard::key`](super::Guard::key), keyed once for
//! several calls. Either way the guard's own TOTP parameters are used.

use core::fmt;
use core::ops::Deref;

use crate::otp::{KeyedTotp, Totp};
use crate::secret::Secret;

/// A secret keyed with a guard's TOTP parameters by
/// [`Guard::key`](super::Guard::key), for several checks in a row.
///
/// It keeps a reference to its secret, so a prepared key used with a guard
/// of other parameters is keyed again for that guard's parameters rather
/// than checked with the wrong ones. It dereferences to the [`KeyedTotp`] it
/// holds (to generate codes, for instance). The keyed state is wiped on drop
/// (best effort) and not shown by `Debug`.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Guard, Secret, Totp, UnixTime};
/// use twostep::guard::State;
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let guard = Guard::new(Totp::new());
/// let key = guard.key(&secret);
/// let now = UnixTime::from_secs(59);
/// let (outcome, state) = guard.check(&key, "287082", now, &State::new())?;
/// assert!(outcome.is_accepted());
/// assert_eq!(key.code_at_step(1).to_string(), "287082");
/// assert_eq!(guard.check(&secret, "287082", now, &state)?, guard.check(&key, "287082", now, &state)?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Prepared<'a> {
    secret: &'a Secret,
    key: KeyedTotp,
}

impl<'a> Prepared<'a> {
    pub(super) fn new(totp: Totp, secret: &'a Secret) -> Self {
        Self {
            secret,
            key: totp.key(secret),
        }
    }
}

impl Deref for Prepared<'_> {
    type Target = KeyedTotp;

    fn deref(&self) -> &KeyedTotp {
        &self.key
    }
}

impl fmt::Debug for Prepared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared")
            .field("totp", &self.key.totp())
            .finish_non_exhaustive()
    }
}

/// A key the guard can check with: a [`Secret`] or a [`Prepared`] key.
/// Sealed: no other type implements it.
pub trait Key: sealed::Sealed {
    /// The keyed state for `totp`: borrowed when prepared with exactly these
    /// parameters, else keyed now.
    #[doc(hidden)]
    fn keyed(&self, totp: Totp, token: sealed::Token) -> sealed::Keyed<'_>;
}

impl Key for Secret {
    fn keyed(&self, totp: Totp, _: sealed::Token) -> sealed::Keyed<'_> {
        sealed::Keyed::Owned(totp.key(self))
    }
}

impl Key for Prepared<'_> {
    fn keyed(&self, totp: Totp, _: sealed::Token) -> sealed::Keyed<'_> {
        if self.key.totp() == totp {
            sealed::Keyed::Borrowed(&self.key)
        } else {
            sealed::Keyed::Owned(totp.key(self.secret))
        }
    }
}

pub(super) mod sealed {
    use core::ops::Deref;

    use crate::otp::KeyedTotp;

    pub trait Sealed {}
    impl Sealed for crate::secret::Secret {}
    impl Sealed for super::Prepared<'_> {}

    /// Proof that the call comes from inside the crate.
    #[derive(Clone, Copy, Debug)]
    pub struct Token(pub(in crate::guard) ());

    /// A keyed state, borrowed or keyed for one call.
    #[derive(Debug)]
    pub enum Keyed<'a> {
        Borrowed(&'a KeyedTotp),
        Owned(KeyedTotp),
    }

    impl Deref for Keyed<'_> {
        type Target = KeyedTotp;

        fn deref(&self) -> &KeyedTotp {
            match self {
                Self::Borrowed(key) => key,
                Self::Owned(key) => key,
            }
        }
    }
}
