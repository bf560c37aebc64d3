//! Why a diagnosis cannot run.

use thiserror::Error;

#[cfg(doc)]
use super::{DiagnoseOptions, MAX_OBSERVATIONS};
use crate::time::TimeError;

/// A diagnosis that cannot run: the caller's input, not the user's, is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum DiagnoseError {
    /// No observation was given.
    #[error("no observations")]
    NoObservations,
    /// More than [`MAX_OBSERVATIONS`] observations.
    #[error("{count} observations exceed the limit of {max}")]
    TooManyObservations {
        /// The number given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A search range that is negative or above [`DiagnoseOptions::MAX_SEARCH_RANGE`].
    #[error("search range of {secs} s is outside 0 to {max} s")]
    SearchRange {
        /// The requested range in seconds.
        secs: i64,
        /// The largest range in seconds.
        max: i64,
    },
    /// A typing delay that is negative or above [`DiagnoseOptions::MAX_TYPING_DELAY`].
    #[error("typing delay of {secs} s is outside 0 to {max} s")]
    TypingDelay {
        /// The requested delay in seconds.
        secs: i64,
        /// The largest delay in seconds.
        max: i64,
    },
    /// An observation time before T0.
    #[error(transparent)]
    Time(#[from] TimeError),
}
