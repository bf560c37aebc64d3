//! Storing twostep's account records in SQLite: one text column per user,
//! written by the account layer's compare-and-swap driver.
//!
//! Run it with `cargo run --example sqlite_store`. The clock, the keys and
//! the random generator are fixed, so the output is the same on every run.
//! The database is a file in the temporary directory, removed at the end.
//! The schema is `examples/sqlite_store.sql`; `tests/concurrency.rs` and
//! `tests/concurrency_delivered.rs` race this file's `Users` from many
//! threads.
//!
//! The whole store is [`Store`] for one table: `load` reads the column,
//! `swap` is
//!
//! ```text
//! UPDATE users SET account = :new WHERE id = :id AND account IS :old
//!   1 row:  stored; the driver returns, and the route acts on the outcome
//!   0 rows: another request changed the record first; the driver reads it
//!           again and runs the operation again
//! ```
//!
//! Every route is then one call: `account::run(&mut users, &id, |r|
//! account::login(&config, &user, &attempt, input, now, r))`. Failures are
//! stored like successes (the throttle counts them), and the guard state,
//! the backup set and the delivered-code state change together, in one
//! statement.

use std::path::Path;
use std::time::Duration;

use rand_core::SeedableRng;
use rusqlite::{Connection, OptionalExtension, named_params};
use twostep::account::device::{self, DeviceKey};
use twostep::account::seal::{KeyId, Keyring, SealKey};
use twostep::account::{self, Config, LoginOutcome, RunError, Store, User};
use twostep::delivered::{self, Binding, Purpose};
use twostep::{Guard, Totp, UnixTime};

/// Errors from the database, a stored value that does not parse, or contention.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The `users` table through one connection (one per thread or request).
#[derive(Debug)]
pub struct Users {
    /// The connection.
    pub conn: Connection,
}

impl Users {
    /// Opens `path` with WAL (readers never wait for the writer) and a busy
    /// timeout (a writer waits for the write lock instead of failing).
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if mode != "wal" {
            return Err(format!("journal_mode is {mode}, not wal").into());
        }
        conn.execute_batch(include_str!("sqlite_store.sql"))?;
        Ok(Self { conn })
    }

    /// A new user without two-step verification (`account` is NULL).
    pub fn insert(&self, name: &str) -> Result<i64> {
        self.conn
            .execute("INSERT INTO users (name) VALUES (?1)", [name])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The stored record's text, as `load` reads it.
    pub fn record(&self, id: i64) -> Result<Option<String>> {
        Ok(self.load(&id)?)
    }
}

impl Store for Users {
    type Id = i64;
    type Error = rusqlite::Error;

    fn load(&mut self, id: &i64) -> rusqlite::Result<Option<String>> {
        Users::load(self, id)
    }

    fn swap(&mut self, id: &i64, old: Option<&str>, new: &str) -> rusqlite::Result<bool> {
        // `IS` compares NULL too: a first record is stored only over none.
        let sql = "UPDATE users SET account = :new WHERE id = :id AND account IS :old";
        let params = named_params! { ":new": new, ":id": id, ":old": old };
        Ok(self.conn.prepare_cached(sql)?.execute(params)? == 1)
    }
}

impl Users {
    fn load(&self, id: &i64) -> rusqlite::Result<Option<String>> {
        let sql = "SELECT account FROM users WHERE id = ?1";
        let row: Option<Option<String>> = self
            .conn
            .prepare_cached(sql)?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(row.flatten())
    }
}

/// The server's configuration. The keys come from a secrets store in
/// production, never from the database; fixed here for stable output.
pub fn config(guard: Guard) -> Result<Config> {
    let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[0x11; 32]));
    let delivered_key = delivered::Key::from_bytes(&[0x22; 32])?;
    let device_keys = device::Keyring::new(1, DeviceKey::from_bytes(&[0x33; 32])?);
    // Add `.with_backup_policy(Policy::DEFAULT.with_pepper(..)?)` here.
    Ok(Config::new(keyring, delivered_key, device_keys).with_guard(guard)?)
}

/// The id bytes a user's record is bound to: the primary key.
pub fn user_id(id: i64) -> [u8; 8] {
    id.to_be_bytes()
}

/// A driver error as the example's error.
pub fn boxed<E: std::error::Error + Send + Sync + 'static>(
    e: RunError<rusqlite::Error, E>,
) -> Box<dyn std::error::Error + Send + Sync> {
    match e {
        RunError::Store(e) => Box::new(e),
        RunError::Operation(e) => Box::new(e),
        other => other.to_string().into(),
    }
}

fn main() -> Result<()> {
    let path = std::env::temp_dir().join(format!("twostep-sqlite-store-{}.db", std::process::id()));
    let result = run(&path);
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file); // may not exist
    }
    result
}

fn run(path: &Path) -> Result<()> {
    let mut users = Users::open(path)?;
    let config = config(Guard::new(Totp::default()))?;
    // Fixed seed and clock for reproducible output. In production: an
    // OS-seeded CSPRNG, and `UnixTime::try_from(SystemTime::now())`.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let at = |secs| UnixTime::from_secs(1_795_780_805_u64.saturating_add(secs)); // 2026-11-27T12:00:05Z
    let id = users.insert("ana")?;
    let uid = user_id(id);
    let user = User::new(&uid)?;
    let show = |users: &Users, what: &str| -> Result<()> {
        println!(
            "{what}\n  account = {}",
            users.record(id)?.unwrap_or_default()
        );
        Ok(())
    };

    // Enrolment: the URI goes into a QR code (examples/enroll.rs); the first
    // code confirms it and is spent; the backup codes are shown once.
    let uri = account::run(&mut users, &id, |r| {
        account::begin_totp(&config, &user, "Example", "ana", at(0), &mut rng, r)
    })
    .map_err(boxed)?;
    let app = Totp::default().key(uri.secret()); // the authenticator app's copy
    let first = app.generate(at(0))?.to_string();
    let confirmed = account::run(&mut users, &id, |r| {
        account::confirm_totp(&config, &user, &first, at(0), r)
    })
    .map_err(boxed)?;
    let codes = account::run(&mut users, &id, |r| {
        account::regenerate_backup_codes(&config, &mut rng, r)
    })
    .map_err(boxed)?;
    show(
        &users,
        &format!("enrolled ({confirmed}), {} backup codes", codes.len()),
    )?;

    // Logins: one call each. The confirming code is spent, the next works,
    // failures are stored.
    let session = [0x42; 32]; // SHA-256 of the login session id
    let attempt = Binding::new(Purpose::Login, &session)?;
    let login = |users: &mut Users, input: &str, now| -> Result<LoginOutcome> {
        account::run(users, &id, |r| {
            account::login(&config, &user, &attempt, input, now, r)
        })
        .map_err(boxed)
    };
    println!(
        "login {first} 10 s later: {}",
        login(&mut users, &first, at(10))?
    );
    let next = app.generate(at(30))?.to_string();
    println!("login {next}: {}", login(&mut users, &next, at(31))?);
    let before_guesses = users.record(id)?;
    for guess in ["111111", "222222"] {
        println!("login {guess}: {}", login(&mut users, guess, at(40))?);
    }
    show(&users, "after two wrong codes")?;

    // Recovery: a backup code in the same input field; spent once, and it
    // clears the failures; typing it again is refused and counted.
    let code = codes
        .get(0)
        .map(|c| c.to_string())
        .ok_or("no backup code")?;
    drop(codes); // wipes the plaintext
    for what in ["backup code #1", "backup code #1 again"] {
        println!("{what}: {}", login(&mut users, &code, at(60))?);
    }
    show(&users, "after the backup codes")?;

    // A request that read the row before the guesses cannot overwrite it.
    let stale = Store::swap(&mut users, &id, before_guesses.as_deref(), "a1;…")?;
    println!("stale write over the record read before the guesses: stored = {stale}");
    Ok(())
}
