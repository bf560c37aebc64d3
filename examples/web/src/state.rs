//! What every handler shares: settings, database, clock and twostep's keys.

use std::sync::Arc;

use twostep::delivered;
use zeroize::Zeroizing;

use crate::account_shim as account;
use crate::clock::Clock;
use crate::config::{Config, Error};
use crate::db::{Db, UserId};

/// The application, cheap to clone into each handler.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub db: Db,
    pub clock: Clock,
    pub twostep: Arc<account::Config>,
    pub csrf_key: Arc<Zeroizing<[u8; 32]>>,
}

/// The name shown in authenticator apps and in the text messages.
pub const ISSUER: &str = "twostep demo";
/// The domain bound into SMS texts (WebOTP, `@domain #code`).
pub const DOMAIN: &str = "localhost";

impl App {
    /// Derives every key from the master key and builds the twostep config.
    pub fn new(config: Config, db: Db) -> Result<Self, Error> {
        let delivered_key =
            delivered::Key::from_bytes(&config.keys.derive("twostep-web delivered v1")[..])?;
        let twostep = account::Config {
            guard: twostep::Guard::default(),
            backup: twostep::backup::Policy::DEFAULT,
            delivered: delivered::Policy::DEFAULT,
            delivered_key,
        };
        let csrf_key = Arc::new(config.keys.derive("twostep-web csrf v1"));
        Ok(Self {
            clock: Clock::with_offset(config.clock_offset),
            config: Arc::new(config),
            db,
            twostep: Arc::new(twostep),
            csrf_key,
        })
    }
}

/// Lost races before a request gives up.
const MAX_TRIES: usize = 16;

impl App {
    /// The user's twostep record (a new one if none is stored).
    pub async fn account(&self, user: UserId) -> Result<account::Account, Error> {
        match self.db.record(user).await? {
            Some(text) => text.parse(),
            None => Ok(account::Account::default()),
        }
    }

    /// Runs `op` on the user's record and stores the record it returns by
    /// compare-and-swap, deciding again on a lost race (bounded). The outer
    /// error is the store's, the inner one the operation's.
    pub async fn update<T, E>(
        &self,
        user: UserId,
        mut op: impl FnMut(&account::Account) -> Result<(T, account::Account), E>,
    ) -> Result<Result<T, E>, Error> {
        for _ in 0..MAX_TRIES {
            let old = self.db.record(user).await?;
            let current = match &old {
                Some(text) => text.parse()?,
                None => account::Account::default(),
            };
            let (value, next) = match op(&current) {
                Ok(done) => done,
                Err(e) => return Ok(Err(e)),
            };
            if next == current && old.is_some() {
                return Ok(Ok(value));
            }
            if self
                .db
                .swap_record(user, old.as_deref(), &next.to_string())
                .await?
            {
                return Ok(Ok(value));
            }
        }
        Err("too many concurrent changes to one record: try again".into())
    }
}
