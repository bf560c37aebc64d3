//! twostep's per-user record: the `twostep` table, one text column per
//! user, changed only by compare-and-swap.

use std::future::Future;

use twostep::account::{Account, AsyncStore};

use super::users::UserId;
use super::{Db, DbError, Result};

impl Db {
    /// `user`'s twostep record, [`Account::new`] before the first write:
    /// what the account and support pages show. Changes go through
    /// `twostep::account::run_async`.
    ///
    /// # Errors
    ///
    /// [`DbError::Corrupt`] when the stored text is not a record.
    pub async fn account(&self, user: UserId) -> Result<Account> {
        match self.record(user).await? {
            Some(text) => text
                .parse()
                .map_err(|_| DbError::Corrupt { table: "twostep" }),
            None => Ok(Account::new()),
        }
    }

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

/// The store twostep's driver runs on: `twostep::account::run_async(&mut
/// db, &user, |record| …)` loads the record, runs the operation, and
/// stores the result with [`Db::swap_record`], retrying a lost race.
impl AsyncStore for Db {
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
