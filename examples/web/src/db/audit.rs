//! What happened to an account, for the support desk: the `audit` table.
//! Events name what happened and who did it ("signed in with a backup
//! code", "support reset the lock"), never a code, a password or a secret.

use sqlx::Row;
use sqlx::any::AnyRow;
use twostep::UnixTime;

use super::users::UserId;
use super::{Db, Result, secs, time};

/// Entries the support desk shows for one user, newest first.
pub const AUDIT_LIMIT: i64 = 200;

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// When.
    pub at: UnixTime,
    /// Who: `user`, `support`, `system`, or a name.
    pub actor: String,
    /// What, in words for the support desk.
    pub event: String,
}

fn entry(row: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        at: time(row.try_get("at")?, "audit")?,
        actor: row.try_get("actor")?,
        event: row.try_get("event")?,
    })
}

impl Db {
    /// Appends an event to `user`'s log.
    pub async fn audit(&self, user: UserId, actor: &str, event: &str, now: UnixTime) -> Result<()> {
        sqlx::query("INSERT INTO audit (user_id, at, actor, event) VALUES ($1, $2, $3, $4)")
            .bind(user.get())
            .bind(secs(now)?)
            .bind(actor)
            .bind(event)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The latest [`AUDIT_LIMIT`] events of `user`, newest first.
    pub async fn audit_log(&self, user: UserId) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor, event FROM audit WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user.get())
        .bind(AUDIT_LIMIT)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry).collect()
    }
}
