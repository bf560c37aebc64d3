//! What every handler shares: settings, database, clock and twostep's keys.

use std::sync::Arc;

use twostep::delivered;
use zeroize::Zeroizing;

use crate::account_shim as account;
use crate::clock::Clock;
use crate::config::{Config, Error};
use crate::db::Db;

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
