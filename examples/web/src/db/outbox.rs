//! The development SMS provider: the `outbox` table. Every message the
//! service "sends" lands here; the outbox page marks it delivered, failed
//! or delayed, standing in for a real provider's status callbacks.

use std::fmt;
use std::str::FromStr;

use sqlx::Row;
use sqlx::any::AnyRow;
use twostep::UnixTime;
use twostep::delivered::Channel;

use super::users::UserId;
use super::{Db, DbError, Result, secs, time};

/// Messages the outbox page lists, newest first.
pub const OUTBOX_LIMIT: i64 = 200;

/// Where a message stands at the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Accepted by the provider, no report yet.
    Sent,
    /// The carrier reported it delivered to the phone.
    Delivered,
    /// The carrier gave up on it.
    Failed,
    /// The carrier is still trying (the phone is off, out of coverage).
    Delayed,
}

impl OutboxStatus {
    /// Every status, in the order the outbox page offers them.
    pub const ALL: [Self; 4] = [Self::Sent, Self::Delivered, Self::Failed, Self::Delayed];

    /// The stored name (`sent`, `delivered`, `failed`, `delayed`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Delayed => "delayed",
        }
    }
}

impl fmt::Display for OutboxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown status name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownStatus;

impl fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown outbox status")
    }
}

impl std::error::Error for UnknownStatus {}

impl FromStr for OutboxStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

/// The stored name of a channel.
fn channel_name(channel: Channel) -> Option<&'static str> {
    match channel {
        Channel::Sms => Some("sms"),
        Channel::Voice => Some("voice"),
        Channel::Email => Some("email"),
        _ => None,
    }
}

fn channel_of(name: &str) -> Option<Channel> {
    [Channel::Sms, Channel::Voice, Channel::Email]
        .into_iter()
        .find(|c| channel_name(*c) == Some(name))
}

/// One message in the outbox.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// The outbox's number for it.
    pub id: i64,
    /// The user it was sent for.
    pub user: UserId,
    /// How it travels.
    pub channel: Channel,
    /// The phone number (or address) it went to.
    pub to: String,
    /// The text, code included: what the provider would hand the carrier.
    pub body: String,
    /// Where it stands.
    pub status: OutboxStatus,
    /// When it was sent.
    pub at: UnixTime,
    /// When its status last changed, if it has.
    pub status_at: Option<UnixTime>,
}

impl OutboxMessage {
    /// The provider's id for the message, as a real provider returns it from
    /// its send call: what the delivery log records (`delivered::record_sent`)
    /// and a status callback names.
    pub fn provider_id(&self) -> String {
        format!("dev-{}", self.id)
    }
}

/// The body is left out: it carries a code.
impl fmt::Debug for OutboxMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxMessage")
            .field("id", &self.id)
            .field("user", &self.user)
            .field("channel", &self.channel)
            .field("status", &self.status)
            .field("at", &self.at)
            .field("status_at", &self.status_at)
            .finish_non_exhaustive()
    }
}

const TABLE: &str = "outbox";

fn message(row: &AnyRow) -> Result<OutboxMessage> {
    let corrupt = || DbError::Corrupt { table: TABLE };
    let channel: String = row.try_get("channel")?;
    let status: String = row.try_get("status")?;
    let status_at: Option<i64> = row.try_get("status_at")?;
    Ok(OutboxMessage {
        id: row.try_get("id")?,
        user: UserId::new(row.try_get("user_id")?),
        channel: channel_of(&channel).ok_or_else(corrupt)?,
        to: row.try_get("destination")?,
        body: row.try_get("body")?,
        status: status.parse().map_err(|_| corrupt())?,
        at: time(row.try_get("created_at")?, TABLE)?,
        status_at: status_at.map(|t| time(t, TABLE)).transpose()?,
    })
}

impl Db {
    /// "Sends" a message: stores it with status `sent` and returns it (its
    /// [`OutboxMessage::provider_id`] goes into the delivery log).
    ///
    /// # Errors
    ///
    /// [`DbError::OutOfRange`] for a channel this outbox does not know.
    pub async fn push_outbox(
        &self,
        user: UserId,
        channel: Channel,
        to: &str,
        body: &str,
        now: UnixTime,
    ) -> Result<OutboxMessage> {
        let name = channel_name(channel).ok_or(DbError::OutOfRange)?;
        let row = sqlx::query(
            "INSERT INTO outbox (user_id, channel, destination, body, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id, user_id, channel, destination, body, status, created_at, status_at",
        )
        .bind(user.get())
        .bind(name)
        .bind(to)
        .bind(body)
        .bind(OutboxStatus::Sent.as_str())
        .bind(secs(now)?)
        .fetch_one(&self.pool)
        .await?;
        message(&row)
    }

    /// The latest [`OUTBOX_LIMIT`] messages, newest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxMessage>> {
        let rows = sqlx::query(
            "SELECT id, user_id, channel, destination, body, status, created_at, status_at \
             FROM outbox ORDER BY id DESC LIMIT $1",
        )
        .bind(OUTBOX_LIMIT)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message).collect()
    }

    /// One message, if it exists.
    pub async fn outbox_message(&self, id: i64) -> Result<Option<OutboxMessage>> {
        let row = sqlx::query(
            "SELECT id, user_id, channel, destination, body, status, created_at, status_at \
             FROM outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(message).transpose()
    }

    /// Sets a message's status at `now` (the provider's callback) and
    /// returns the message, or `None` if there is no such message.
    pub async fn set_outbox_status(
        &self,
        id: i64,
        status: OutboxStatus,
        now: UnixTime,
    ) -> Result<Option<OutboxMessage>> {
        let row = sqlx::query(
            "UPDATE outbox SET status = $1, status_at = $2 WHERE id = $3 \
             RETURNING id, user_id, channel, destination, body, status, created_at, status_at",
        )
        .bind(status.as_str())
        .bind(secs(now)?)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(message).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_channels_round_trip_through_their_names() {
        for status in OutboxStatus::ALL {
            assert_eq!(status.as_str().parse(), Ok(status));
            assert_eq!(status.to_string(), status.as_str());
        }
        assert_eq!("Sent".parse::<OutboxStatus>(), Err(UnknownStatus));
        for channel in [Channel::Sms, Channel::Voice, Channel::Email] {
            assert_eq!(channel_name(channel).and_then(channel_of), Some(channel));
        }
        assert_eq!(channel_of("fax"), None);
    }
}
