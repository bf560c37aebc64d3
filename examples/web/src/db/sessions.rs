//! Signed-in browsers: the `sessions` table. The cookie holds a random
//! token; the table holds its SHA-256 only.

use std::fmt;

use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use twostep::UnixTime;

use super::users::UserId;
use super::{Db, DbError, Result, secs, time};

/// Random bytes in a session token.
const TOKEN_BYTES: usize = 32;

/// A session's cookie value: 32 random bytes as 64 lowercase hex digits.
/// Redacted in `Debug`, no `Display`: it signs its holder in.
pub struct SessionToken(String);

impl SessionToken {
    /// A fresh token from the operating system's generator.
    pub(super) fn generate() -> Result<Self> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(|_| DbError::Random)?;
        Ok(Self(hex(&bytes)))
    }

    /// The text to put in the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the token: what the table stores, and what a delivered
    /// code is bound to (`delivered::Binding::new(Purpose::Login, &hash)`).
    pub fn hash(&self) -> [u8; 32] {
        token_hash(&self.0)
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

/// One row of `sessions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Who is signed in.
    pub user: UserId,
    /// The SHA-256 of the session's token (see [`SessionToken::hash`]).
    pub token_hash: [u8; 32],
    /// When the password was checked.
    pub created_at: UnixTime,
    /// The last request seen ([`Db::touch_session`]).
    pub last_active: UnixTime,
    /// When the second factor was last checked; `None` while the second
    /// step of sign-in is still to come.
    pub verified_at: Option<UnixTime>,
}

fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored key of a cookie value, or `None` if it cannot be a token (so
/// a malformed cookie costs no query).
fn key_of(token: &str) -> Option<String> {
    let well_formed = token.len() == 2 * TOKEN_BYTES
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    well_formed.then(|| hex(&token_hash(token)))
}

fn session(row: &AnyRow, token_hash: [u8; 32]) -> Result<Session> {
    const TABLE: &str = "sessions";
    let verified_at: Option<i64> = row.try_get("verified_at")?;
    Ok(Session {
        user: UserId::new(row.try_get("user_id")?),
        token_hash,
        created_at: time(row.try_get("created_at")?, TABLE)?,
        last_active: time(row.try_get("last_active")?, TABLE)?,
        verified_at: verified_at.map(|t| time(t, TABLE)).transpose()?,
    })
}

impl Db {
    /// Starts a session for `user` whose password was just checked, and
    /// returns its token for the cookie. `verified_at` is `Some(now)` when
    /// the second factor was checked too (or no second step is needed).
    pub async fn create_session(
        &self,
        user: UserId,
        verified_at: Option<UnixTime>,
        now: UnixTime,
    ) -> Result<SessionToken> {
        let token = SessionToken::generate()?;
        let verified_at = verified_at.map(secs).transpose()?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_active, verified_at) \
             VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(hex(&token.hash()))
        .bind(user.get())
        .bind(secs(now)?)
        .bind(verified_at)
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// The session a cookie value names, if any.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let Some(key) = key_of(token) else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT user_id, created_at, last_active, verified_at FROM sessions \
             WHERE token_hash = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| session(&r, token_hash(token))).transpose()
    }

    /// Records a request at `now`; `false` if there is no such session.
    pub async fn touch_session(&self, token: &str, now: UnixTime) -> Result<bool> {
        self.set_time(
            "UPDATE sessions SET last_active = $1 WHERE token_hash = $2",
            token,
            now,
        )
        .await
    }

    /// Records a second factor checked at `now` (the second step of sign-in,
    /// or a re-verification); `false` if there is no such session.
    pub async fn set_session_verified(&self, token: &str, now: UnixTime) -> Result<bool> {
        self.set_time(
            "UPDATE sessions SET verified_at = $1, last_active = $1 WHERE token_hash = $2",
            token,
            now,
        )
        .await
    }

    async fn set_time(&self, sql: &'static str, token: &str, now: UnixTime) -> Result<bool> {
        let Some(key) = key_of(token) else {
            return Ok(false);
        };
        let done = sqlx::query(sql)
            .bind(secs(now)?)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends one session (sign out); `false` if there was none.
    pub async fn delete_session(&self, token: &str) -> Result<bool> {
        let Some(key) = key_of(token) else {
            return Ok(false);
        };
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends every session of `user` (sign out everywhere, a password change,
    /// a reset by support); returns how many there were.
    pub async fn delete_sessions_of(&self, user: UserId) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.get())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_64_hex_digits_and_only_those_are_looked_up() {
        let a = SessionToken::generate().unwrap();
        let b = SessionToken::generate().unwrap();
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 64);
        assert!(key_of(a.as_str()).is_some());
        assert_eq!(format!("{a:?}"), "SessionToken(..)");
        for bad in [
            "",
            "00",
            &a.as_str().to_uppercase(),
            &format!("{}0", a.as_str()),
        ] {
            assert_eq!(key_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_stored_key_is_the_sha256_of_the_token() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            hex(&token_hash("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
