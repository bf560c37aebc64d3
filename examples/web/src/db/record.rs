//! twostep's per-user record: the `twostep` table, one text column per
//! user, changed only by compare-and-swap.

use std::future::Future;

use super::users::UserId;
use super::{Db, DbError, Result};

/// The store a compare-and-swap driver runs on: read a record's text, and
/// replace it only if it is still `old` (`None`: there was no record yet).
/// The same shape as twostep's `account::AsyncStore`.
pub trait RecordStore {
    /// What names a record.
    type Id: ?Sized;
    /// What the store fails with.
    type Error;

    /// The record's text, `None` if there is none.
    fn load(
        &mut self,
        id: &Self::Id,
    ) -> impl Future<Output = std::result::Result<Option<String>, Self::Error>> + Send;

    /// Stores `new` if the record is still `old`; `false` if another write
    /// came first.
    fn swap(
        &mut self,
        id: &Self::Id,
        old: Option<&str>,
        new: &str,
    ) -> impl Future<Output = std::result::Result<bool, Self::Error>> + Send;
}

impl Db {
    /// The text of `user`'s twostep record, `None` before the first write.
    pub async fn record(&self, user: UserId) -> Result<Option<String>> {
        let text = sqlx::query_scalar("SELECT record FROM twostep WHERE user_id = $1")
            .bind(user.get())
            .fetch_optional(&self.pool)
            .await?;
        Ok(text)
    }

    /// The compare-and-swap: stores `new` as `user`'s record if it is still
    /// `old` (`None`: if there is no record yet). `false` (0 rows) when
    /// another request changed it first: read it again and decide again.
    pub async fn swap_record(&self, user: UserId, old: Option<&str>, new: &str) -> Result<bool> {
        let done = match old {
            Some(old) => {
                sqlx::query("UPDATE twostep SET record = $1 WHERE user_id = $2 AND record = $3")
                    .bind(new)
                    .bind(user.get())
                    .bind(old)
                    .execute(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(
                    "INSERT INTO twostep (user_id, record) VALUES ($1, $2) \
                     ON CONFLICT (user_id) DO NOTHING",
                )
                .bind(user.get())
                .bind(new)
                .execute(&self.pool)
                .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }
}

impl RecordStore for Db {
    type Id = UserId;
    type Error = DbError;

    fn load(&mut self, id: &UserId) -> impl Future<Output = Result<Option<String>>> + Send {
        self.record(*id)
    }

    fn swap(
        &mut self,
        id: &UserId,
        old: Option<&str>,
        new: &str,
    ) -> impl Future<Output = Result<bool>> + Send {
        self.swap_record(*id, old, new)
    }
}
