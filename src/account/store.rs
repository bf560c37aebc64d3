//! The compare-and-swap driver: [`Store`], [`AsyncStore`], [`run`],
//! [`run_async`].

use alloc::string::{String, ToString};
use core::convert::Infallible;
use core::future::Future;

use super::record::Account;
use super::text::ParseError;

/// Lost races before [`run`] gives up with [`RunError::Contention`]. Every
/// lost race means another request's write landed, so the loop always
/// progresses; the bound only caps what one request costs during a flood.
pub const MAX_TRIES: usize = 16;

/// The application's store of account records: one text column per user,
/// read, and replaced only if unchanged.
///
/// ```
/// use std::collections::HashMap;
/// use twostep::account::Store;
///
/// /// A store in memory (a real one is a table: see `examples/sqlite_store.rs`).
/// struct Memory(HashMap<u64, String>);
///
/// impl Store for Memory {
///     type Id = u64;
///     type Error = std::convert::Infallible;
///     fn load(&mut self, id: &u64) -> Result<Option<String>, Self::Error> {
///         Ok(self.0.get(id).cloned())
///     }
///     fn swap(&mut self, id: &u64, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
///         // UPDATE users SET account = :new WHERE id = :id AND account IS :old
///         let same = self.0.get(id).map(String::as_str) == old;
///         if same {
///             self.0.insert(*id, new.to_owned());
///         }
///         Ok(same)
///     }
/// }
/// # let _ = Memory(HashMap::new());
/// ```
pub trait Store {
    /// The key of a user's row.
    type Id: ?Sized;
    /// The store's error.
    type Error;

    /// The record's text, or `None` if the user has none yet.
    ///
    /// # Errors
    ///
    /// The store's.
    fn load(&mut self, id: &Self::Id) -> Result<Option<String>, Self::Error>;

    /// Replaces the record by `new` if it is still `old` (`None`: if there
    /// is none yet), atomically; `true` if stored. Compare the whole text:
    /// `UPDATE … SET account = :new WHERE id = :id AND account = :old`
    /// (or an `INSERT` that fails on a conflict for `None`).
    ///
    /// # Errors
    ///
    /// The store's.
    fn swap(&mut self, id: &Self::Id, old: Option<&str>, new: &str) -> Result<bool, Self::Error>;
}

/// [`Store`] for an async database client. The futures are `Send`, so
/// [`run_async`] runs on a multi-threaded executor; twostep brings no
/// runtime of its own.
///
/// ```
/// use std::collections::HashMap;
/// use twostep::account::AsyncStore;
///
/// struct Memory(HashMap<u64, String>);
///
/// impl AsyncStore for Memory {
///     type Id = u64;
///     type Error = std::convert::Infallible;
///     async fn load(&mut self, id: &u64) -> Result<Option<String>, Self::Error> {
///         Ok(self.0.get(id).cloned()) // e.g. sqlx::query_scalar(...).fetch_optional(&pool).await
///     }
///     async fn swap(&mut self, id: &u64, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
///         let same = self.0.get(id).map(String::as_str) == old;
///         if same {
///             self.0.insert(*id, new.to_owned());
///         }
///         Ok(same)
///     }
/// }
/// # let _ = Memory(HashMap::new());
/// ```
pub trait AsyncStore: Send {
    /// The key of a user's row.
    type Id: ?Sized + Sync;
    /// The store's error.
    type Error: Send;

    /// As [`Store::load`].
    fn load(
        &mut self,
        id: &Self::Id,
    ) -> impl Future<Output = Result<Option<String>, Self::Error>> + Send;

    /// As [`Store::swap`].
    fn swap(
        &mut self,
        id: &Self::Id,
        old: Option<&str>,
        new: &str,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;
}

/// Why [`run`] or [`run_async`] did not complete. Nothing was stored.
///
/// ```
/// use twostep::account::RunError;
/// let e: RunError<std::io::Error, twostep::account::AccountError> = RunError::Contention { tries: 16 };
/// assert_eq!(e.to_string(), "the record changed under 16 tries in a row");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError<S, E> {
    /// The store failed.
    #[error("account store: {0}")]
    Store(S),
    /// The operation failed (the record is unchanged).
    #[error("{0}")]
    Operation(E),
    /// The stored text is not an account record.
    #[error("stored account record: {0}")]
    Record(ParseError),
    /// Other requests changed the record [`MAX_TRIES`] times in a row.
    #[error("the record changed under {tries} tries in a row")]
    Contention {
        /// The tries made.
        tries: usize,
    },
}

impl<S, E> RunError<S, E> {
    /// Splits the operation's own error from the driver's: `Ok(e)` for
    /// [`RunError::Operation`], else the same error with no operation
    /// type left in it. An application usually answers the operation's
    /// error itself (a wrong input, a cooldown) and treats the rest as a
    /// server failure, which then prints with `Display` whatever `E` is.
    ///
    /// # Errors
    ///
    /// The driver's error ([`RunError::Store`], [`RunError::Record`],
    /// [`RunError::Contention`]) when the operation did not fail.
    ///
    /// ```
    /// use twostep::account::{AccountError, RunError};
    /// struct NoDisplay; // an operation error that does not print itself
    /// let e: RunError<std::io::Error, NoDisplay> = RunError::Contention { tries: 16 };
    /// let server = e.into_operation().err().map(|e| e.to_string());
    /// assert_eq!(server.as_deref(), Some("the record changed under 16 tries in a row"));
    /// let e: RunError<std::io::Error, AccountError> = RunError::Operation(AccountError::NoPhone);
    /// assert!(matches!(e.into_operation(), Ok(AccountError::NoPhone)));
    /// ```
    pub fn into_operation(self) -> Result<E, RunError<S, Infallible>> {
        match self {
            Self::Operation(e) => Ok(e),
            Self::Store(e) => Err(RunError::Store(e)),
            Self::Record(e) => Err(RunError::Record(e)),
            Self::Contention { tries } => Err(RunError::Contention { tries }),
        }
    }
}

/// What one try decided: done with a value, or retry.
enum Step<T> {
    Done(T),
    Write { value: T, new: String },
}

/// Parses the loaded text and runs the operation; no write if the record
/// did not change.
fn decide<T, S, E>(
    loaded: Option<&str>,
    op: &mut impl FnMut(&Account) -> Result<(T, Account), E>,
) -> Result<Step<T>, RunError<S, E>> {
    let old = match loaded {
        Some(text) => text.parse().map_err(RunError::Record)?,
        None => Account::new(),
    };
    let (value, new) = op(&old).map_err(RunError::Operation)?;
    if new == old {
        return Ok(Step::Done(value));
    }
    Ok(Step::Write {
        value,
        new: new.to_string(),
    })
}

/// Runs `op` on the record of `id` under compare-and-swap: load, parse (no
/// record yet is [`Account::new`]), run, and store the new record if it
/// changed, only if the stored text is still the loaded one; on a lost race
/// everything again, at most [`MAX_TRIES`] times. Returns `op`'s value once
/// its record is stored: act on an outcome only then.
///
/// `op` may run several times, each time on the latest record; give it no
/// side effects (send the SMS after `run` returns).
///
/// # Errors
///
/// [`RunError::Store`], [`RunError::Operation`] (nothing stored),
/// [`RunError::Record`] for a stored text that does not parse,
/// [`RunError::Contention`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use std::collections::HashMap;
/// # struct Memory(HashMap<u64, String>);
/// # impl twostep::account::Store for Memory {
/// #     type Id = u64;
/// #     type Error = std::convert::Infallible;
/// #     fn load(&mut self, id: &u64) -> Result<Option<String>, Self::Error> { Ok(self.0.get(id).cloned()) }
/// #     fn swap(&mut self, id: &u64, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
/// #         let same = self.0.get(id).map(String::as_str) == old;
/// #         if same { self.0.insert(*id, new.to_owned()); }
/// #         Ok(same)
/// #     }
/// # }
/// use twostep::account::{self, run};
/// let mut store = Memory(HashMap::new());
/// let epoch = run(&mut store, &7, |record| {
///     let next = account::sign_out_everywhere(record);
///     Ok::<_, account::AccountError>((next.device_epoch(), next))
/// })?;
/// assert_eq!(epoch, 1);
/// assert!(store.0[&7].starts_with("a1;"));
/// # Ok(()) }
/// ```
pub fn run<S: Store + ?Sized, T, E>(
    store: &mut S,
    id: &S::Id,
    mut op: impl FnMut(&Account) -> Result<(T, Account), E>,
) -> Result<T, RunError<S::Error, E>> {
    for _ in 0..MAX_TRIES {
        let loaded = store.load(id).map_err(RunError::Store)?;
        match decide(loaded.as_deref(), &mut op)? {
            Step::Done(value) => return Ok(value),
            Step::Write { value, new } => {
                if store
                    .swap(id, loaded.as_deref(), &new)
                    .map_err(RunError::Store)?
                {
                    return Ok(value);
                }
            }
        }
    }
    Err(RunError::Contention { tries: MAX_TRIES })
}

/// [`run`] on an [`AsyncStore`]. `op` is synchronous (it is pure and
/// quick, except a PBKDF2 backup-code profile at about 11 ms per attempt:
/// call that from a blocking task).
///
/// # Errors
///
/// As [`run`].
///
/// ```
/// # use std::collections::HashMap;
/// # struct Memory(HashMap<u64, String>);
/// # impl twostep::account::AsyncStore for Memory {
/// #     type Id = u64;
/// #     type Error = std::convert::Infallible;
/// #     async fn load(&mut self, id: &u64) -> Result<Option<String>, Self::Error> { Ok(self.0.get(id).cloned()) }
/// #     async fn swap(&mut self, id: &u64, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
/// #         let same = self.0.get(id).map(String::as_str) == old;
/// #         if same { self.0.insert(*id, new.to_owned()); }
/// #         Ok(same)
/// #     }
/// # }
/// use twostep::account::{self, run_async};
/// async fn sign_out(store: &mut Memory, id: u64) -> Result<u64, Box<dyn std::error::Error>> {
///     let epoch = run_async(store, &id, |record| {
///         let next = account::sign_out_everywhere(record);
///         Ok::<_, account::AccountError>((next.device_epoch(), next))
///     })
///     .await?;
///     Ok(epoch)
/// }
/// # let _ = sign_out;
/// ```
pub async fn run_async<S: AsyncStore + ?Sized, T, E>(
    store: &mut S,
    id: &S::Id,
    mut op: impl FnMut(&Account) -> Result<(T, Account), E>,
) -> Result<T, RunError<S::Error, E>> {
    for _ in 0..MAX_TRIES {
        let loaded = store.load(id).await.map_err(RunError::Store)?;
        match decide(loaded.as_deref(), &mut op)? {
            Step::Done(value) => return Ok(value),
            Step::Write { value, new } => {
                if store
                    .swap(id, loaded.as_deref(), &new)
                    .await
                    .map_err(RunError::Store)?
                {
                    return Ok(value);
                }
            }
        }
    }
    Err(RunError::Contention { tries: MAX_TRIES })
}
