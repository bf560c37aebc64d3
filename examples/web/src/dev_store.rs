//! In-memory stand-in for the storage layer (`db.rs`), same interface.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use twostep::UnixTime;

use crate::account_shim::Account;

pub type UserId = i64;
pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub user: UserId,
    pub verified_at: Option<UnixTime>,
    pub created_at: UnixTime,
    pub last_active: UnixTime,
}

#[derive(Clone, Debug)]
pub struct OutboxMessage {
    pub id: i64,
    pub user: UserId,
    pub to: String,
    pub body: String,
    pub provider_id: String,
    pub status: String,
    pub at: UnixTime,
}

#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub at: UnixTime,
    pub actor: String,
    pub event: String,
}

#[derive(Default, Debug)]
struct Inner {
    users: Vec<User>,
    sessions: HashMap<String, Session>,
    accounts: HashMap<UserId, Account>,
    phones: HashMap<UserId, String>,
    outbox: Vec<OutboxMessage>,
    audit: Vec<(UserId, AuditEntry)>,
}

#[derive(Clone, Debug, Default)]
pub struct Db {
    inner: Arc<Mutex<Inner>>,
}

impl Db {
    pub async fn connect(_url: &str) -> Result<Self> {
        Ok(Self::default())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub async fn create_user(&self, email: &str, password_hash: &str) -> Result<UserId> {
        let mut db = self.lock();
        if db.users.iter().any(|u| u.email == email) {
            return Err("email taken".into());
        }
        let id = i64::try_from(db.users.len())? + 1;
        db.users.push(User {
            id,
            email: email.into(),
            password_hash: password_hash.into(),
        });
        Ok(id)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(self.lock().users.iter().find(|u| u.email == email).cloned())
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        Ok(self.lock().users.iter().find(|u| u.id == id).cloned())
    }

    pub async fn create_session(
        &self,
        id: &str,
        user: UserId,
        verified_at: Option<UnixTime>,
        now: UnixTime,
    ) -> Result<()> {
        let s = Session {
            user,
            verified_at,
            created_at: now,
            last_active: now,
        };
        self.lock().sessions.insert(id.into(), s);
        Ok(())
    }

    pub async fn session(&self, id: &str) -> Result<Option<Session>> {
        Ok(self.lock().sessions.get(id).cloned())
    }

    pub async fn touch_session(&self, id: &str, now: UnixTime) -> Result<()> {
        if let Some(s) = self.lock().sessions.get_mut(id) {
            s.last_active = now;
        }
        Ok(())
    }

    pub async fn delete_session(&self, id: &str) -> Result<()> {
        self.lock().sessions.remove(id);
        Ok(())
    }

    pub async fn delete_sessions_of(&self, user: UserId) -> Result<()> {
        self.lock().sessions.retain(|_, s| s.user != user);
        Ok(())
    }

    pub async fn account(&self, user: UserId) -> Result<Account> {
        Ok(self.lock().accounts.get(&user).cloned().unwrap_or_default())
    }

    /// Runs `op` on the user's record and stores what it returns (the
    /// stand-in for the compare-and-swap driver).
    pub async fn update_account<T, E>(
        &self,
        user: UserId,
        op: impl FnOnce(&Account) -> std::result::Result<(T, Account), E>,
    ) -> Result<std::result::Result<T, E>> {
        let mut db = self.lock();
        let old = db.accounts.get(&user).cloned().unwrap_or_default();
        Ok(op(&old).map(|(t, new)| {
            db.accounts.insert(user, new);
            t
        }))
    }

    pub async fn set_phone(&self, user: UserId, number: Option<&str>) -> Result<()> {
        let mut db = self.lock();
        match number {
            Some(n) => db.phones.insert(user, n.into()),
            None => db.phones.remove(&user),
        };
        Ok(())
    }

    pub async fn phone(&self, user: UserId) -> Result<Option<String>> {
        Ok(self.lock().phones.get(&user).cloned())
    }

    pub async fn push_outbox(
        &self,
        user: UserId,
        to: &str,
        body: &str,
        provider_id: &str,
        now: UnixTime,
    ) -> Result<i64> {
        let mut db = self.lock();
        let id = i64::try_from(db.outbox.len())? + 1;
        db.outbox.push(OutboxMessage {
            id,
            user,
            to: to.into(),
            body: body.into(),
            provider_id: provider_id.into(),
            status: "sent".into(),
            at: now,
        });
        Ok(id)
    }

    pub async fn outbox(&self) -> Result<Vec<OutboxMessage>> {
        Ok(self.lock().outbox.iter().rev().cloned().collect())
    }

    pub async fn outbox_message(&self, id: i64) -> Result<Option<OutboxMessage>> {
        Ok(self.lock().outbox.iter().find(|m| m.id == id).cloned())
    }

    pub async fn set_outbox_status(&self, id: i64, status: &str) -> Result<()> {
        if let Some(m) = self.lock().outbox.iter_mut().find(|m| m.id == id) {
            m.status = status.into();
        }
        Ok(())
    }

    pub async fn audit(&self, user: UserId, actor: &str, event: &str, now: UnixTime) -> Result<()> {
        self.lock().audit.push((
            user,
            AuditEntry {
                at: now,
                actor: actor.into(),
                event: event.into(),
            },
        ));
        Ok(())
    }

    pub async fn audit_log(&self, user: UserId) -> Result<Vec<AuditEntry>> {
        Ok(self
            .lock()
            .audit
            .iter()
            .filter(|(u, _)| *u == user)
            .map(|(_, e)| e.clone())
            .rev()
            .collect())
    }
}
