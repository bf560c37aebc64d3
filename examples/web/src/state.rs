//! What every handler shares: settings, database, clock and twostep's
//! configuration, and the two calls every route makes on a user's record:
//! read it, or change it through twostep's compare-and-swap driver.

use std::sync::Arc;

use rand_core::UnwrapErr;
use twostep::account::device::{self, DeviceKey};
use twostep::account::seal::{KeyId, Keyring, SealKey};
use twostep::account::{self, Account, RunError};
use twostep::delivered;
use zeroize::Zeroizing;

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
    pub passwords: crate::limit::PasswordLimit,
}

/// The name shown in authenticator apps and in the text messages.
pub const ISSUER: &str = "twostep demo";
/// The domain bound into SMS texts (WebOTP, `@domain #code`).
pub const DOMAIN: &str = "localhost";

/// The operating system's generator, for twostep's `rng` arguments. A
/// failing OS generator is not something a request can recover from.
pub fn os_rng() -> UnwrapErr<getrandom::SysRng> {
    UnwrapErr(getrandom::SysRng)
}

impl App {
    /// Derives every key from the master key and builds twostep's config.
    pub fn new(config: Config, db: Db) -> Result<Self, Error> {
        let keys = &config.keys;
        let seal = SealKey::from_bytes(&keys.derive("twostep-web seal v1"));
        let delivered_key =
            delivered::Key::from_bytes(&keys.derive("twostep-web delivered v1")[..])?;
        let device_key = DeviceKey::from_bytes(&keys.derive("twostep-web device v1")[..])?;
        let twostep = account::Config::new(
            Keyring::new(KeyId::new(1), seal),
            delivered_key,
            device::Keyring::new(1, device_key),
        );
        let csrf_key = Arc::new(config.keys.derive("twostep-web csrf v1"));
        Ok(Self {
            clock: Clock::with_offset(config.clock_offset),
            config: Arc::new(config),
            db,
            twostep: Arc::new(twostep),
            csrf_key,
            passwords: crate::limit::PasswordLimit::default(),
        })
    }

    /// The user's twostep record (a new one if none is stored).
    pub async fn account(&self, user: UserId) -> Result<Account, Error> {
        Ok(self.db.account(user).await?)
    }

    /// Runs `op` on the user's record under twostep's compare-and-swap
    /// driver (bounded retries). The outer error is the store's (or
    /// contention), the inner one the operation's.
    pub async fn update<T, E>(
        &self,
        user: UserId,
        op: impl FnMut(&Account) -> Result<(T, Account), E>,
    ) -> Result<Result<T, E>, Error> {
        match account::run_async(&mut self.db.clone(), &user, op).await {
            Ok(value) => Ok(Ok(value)),
            Err(RunError::Operation(e)) => Ok(Err(e)),
            Err(RunError::Store(e)) => Err(e.into()),
            Err(RunError::Record(e)) => Err(e.into()),
            Err(RunError::Contention { tries }) => {
                Err(format!("the record changed under {tries} tries in a row").into())
            }
            Err(_) => Err("the record store failed".into()),
        }
    }
}
