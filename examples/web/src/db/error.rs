//! What can go wrong in storage.

use std::fmt;

/// A storage failure. Messages name tables and kinds, never stored values.
#[derive(Debug)]
#[non_exhaustive]
pub enum DbError {
    /// The database refused or could not be reached.
    Sql(sqlx::Error),
    /// Another account already has this e-mail address.
    EmailTaken,
    /// The URL names neither `sqlite:` nor `postgres://`.
    Url,
    /// A stored value did not parse: the row was not written by this service.
    Corrupt {
        /// The table it came from.
        table: &'static str,
    },
    /// A time or number outside what the schema stores.
    OutOfRange,
    /// The operating system's random generator failed.
    Random,
}

impl DbError {
    /// Whether this is [`DbError::EmailTaken`] (the sign-up form says so).
    pub const fn is_email_taken(&self) -> bool {
        matches!(self, Self::EmailTaken)
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sql(e) => write!(f, "database: {e}"),
            Self::EmailTaken => f.write_str("an account with this e-mail address exists"),
            Self::Url => f.write_str("the database url names neither sqlite: nor postgres://"),
            Self::Corrupt { table } => write!(f, "a stored value in {table} does not parse"),
            Self::OutOfRange => f.write_str("a value out of the stored range"),
            Self::Random => f.write_str("the system random generator failed"),
        }
    }
}

impl std::error::Error for DbError {}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        Self::Sql(e)
    }
}
