//! Storing twostep's state in SQLite: enrolment, login and backup-code
//! recovery, every change written with compare-and-swap (CAS).
//!
//! Run it with `cargo run --example sqlite_store`. The clock and the random
//! generator are fixed, so the output is the same on every run. The database
//! is a file in the temporary directory, removed at the end. The schema is
//! `examples/sqlite_store.sql`; `tests/concurrency.rs` races this file's
//! `Users` methods from many threads.
//!
//! ```text
//! old = SELECT x FROM users WHERE id = :id       -- for every stored value x
//! (outcome, new) = a twostep transition from old
//! UPDATE users SET x = :new WHERE id = :id AND x = :old
//!   1 row:  stored; now act on the outcome
//!   0 rows: another request changed x first; read it again, decide again
//! ```
//!
//! Two mistakes this prevents: storing the state only on success (the
//! throttle then never counts a failure), and writing without `AND x = :old`
//! (two concurrent requests both spend one code).

use std::path::Path;
use std::time::Duration;

use rand_core::SeedableRng;
use rusqlite::{Connection, named_params};
use twostep::backup::{CodeSet, Policy, Redemption};
use twostep::guard::{Outcome, State as GuardState};
use twostep::{Guard, Secret, Totp, UnixTime};

/// Errors from the database, a stored value that does not parse, or contention.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Lost races before a request gives up and answers "try again". Every lost
/// race means another request's write landed, so the loop always progresses;
/// the bound only caps what one request can cost during a flood.
pub const MAX_TRIES: usize = 16;

/// PLACEHOLDER, NOT ENCRYPTION: this tag marks where a real application seals
/// the secret with an AEAD (AES-256-GCM, XChaCha20-Poly1305) under a key held
/// in a KMS, with the user id as associated data. Here it is in the clear.
const PLAINTEXT_TAG: &str = "plaintext:";

/// What the backup-code endpoint answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// Spent now, and the guard's failures cleared: let the user in.
    Redeemed {
        /// The code's slot (0-based).
        slot: usize,
        /// Codes left.
        remaining: usize,
    },
    /// Spent before, perhaps by a concurrent request. Counted as a failure.
    AlreadyUsed,
    /// Not one of the user's codes, or not a code at all. Counted.
    Invalid,
    /// The guard's back-off is in force: refused unseen, nothing counted.
    /// After the hard lock each failed backup code starts the maximum
    /// back-off, so a locked user can still recover, slowly enough.
    Throttled,
}

/// The `users` table through one connection (one per thread or request).
#[derive(Debug)]
pub struct Users {
    /// The connection.
    pub conn: Connection,
    /// The login policy.
    pub guard: Guard,
    /// The backup-code policy.
    pub policy: Policy,
}

impl Users {
    /// Opens `path` with WAL (readers never wait for the writer) and a busy
    /// timeout (a writer waits for the write lock instead of failing).
    pub fn open(path: &Path, guard: Guard, policy: Policy) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if mode != "wal" {
            return Err(format!("journal_mode is {mode}, not wal").into());
        }
        conn.execute_batch(include_str!("sqlite_store.sql"))?;
        Ok(Self {
            conn,
            guard,
            policy,
        })
    }

    /// Stores a confirmed enrolment. `state` comes from the check that
    /// confirmed the secret, so that code cannot be used again to log in.
    pub fn enrol(
        &self,
        name: &str,
        secret: &Secret,
        state: &GuardState,
        set: &CodeSet,
    ) -> Result<i64> {
        let secret_enc = format!("{PLAINTEXT_TAG}{}", secret.to_base32().as_str());
        self.conn.execute(
            "INSERT INTO users (name, secret_enc, guard_state, backup_set) VALUES (?1, ?2, ?3, ?4)",
            (name, secret_enc, state.to_string(), set.to_string()),
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// One user's row: `(secret_enc, guard_state, backup_set)`.
    pub fn load(&self, id: i64) -> Result<(String, String, Option<String>)> {
        let sql = "SELECT secret_enc, guard_state, backup_set FROM users WHERE id = ?1";
        let mut select = self.conn.prepare_cached(sql)?;
        Ok(select.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
    }

    /// The CAS on `guard_state`: `false` (0 rows) if another request changed
    /// it since `old` was read.
    pub fn swap_guard(&self, id: i64, old: &str, new: &str) -> Result<bool> {
        let sql = "UPDATE users SET guard_state = :new WHERE id = :id AND guard_state = :old";
        let params = named_params! { ":new": new, ":id": id, ":old": old };
        Ok(self.conn.prepare_cached(sql)?.execute(params)? == 1)
    }

    /// The login endpoint: checks a TOTP code and stores the new guard state,
    /// failures included, before answering. Act only on `Outcome::Accepted`.
    pub fn login(&self, id: i64, input: &str, now: UnixTime) -> Result<Outcome> {
        let secret_enc = self.load(id)?.0;
        let text = secret_enc
            .strip_prefix(PLAINTEXT_TAG)
            .ok_or("unknown secret format")?;
        let secret = Secret::from_base32_strict(text)?;
        let key = self.guard.key(&secret);
        for _ in 0..MAX_TRIES {
            let (_, old, _) = self.load(id)?;
            let state: GuardState = old.parse()?;
            let (outcome, next) = self.guard.check(&key, input, now, &state)?;
            // Throttled and locked attempts change nothing: nothing to write.
            // Every other outcome is stored before it is acted on, failures
            // too: a failure that is not stored is never counted.
            if next == state || self.swap_guard(id, &old, &next.to_string())? {
                return Ok(outcome);
            }
            // 0 rows: another request changed the state after we read it (it
            // may have accepted this very code). Decide again against it.
        }
        Err("too many concurrent attempts; try again".into())
    }

    /// The backup-code endpoint. Backup codes share the guard's failure count.
    pub fn redeem_backup(&self, id: i64, input: &str, now: UnixTime) -> Result<Recovery> {
        for _ in 0..MAX_TRIES {
            let (_, old_guard, old_set) = self.load(id)?;
            let state: GuardState = old_guard.parse()?;
            // The gate for backup codes: the back-off applies (each failure at
            // or after the lock starts the maximum one), the lock does not:
            // a backup code (unguessable) is the way out of it.
            if self.guard.recovery_blocked(now, &state).is_some() {
                // Refused unseen. Store the state only if a deadline left by
                // a server clock that stepped back was capped.
                let capped = self.guard.cap_back_off(now, &state);
                if capped == state || self.swap_guard(id, &old_guard, &capped.to_string())? {
                    return Ok(Recovery::Throttled);
                }
                continue;
            }
            let result = match &old_set {
                Some(text) => text.parse::<CodeSet>()?.redeem(input, &self.policy)?,
                None => Redemption::Invalid,
            };
            if let Redemption::Redeemed {
                slot,
                remaining,
                set,
            } = result
            {
                // Spend the code and end the run of failures in one statement,
                // conditional on both columns: both happen, or neither.
                let sql = "UPDATE users SET backup_set = :new_set, guard_state = :new_guard \
                           WHERE id = :id AND backup_set = :old_set AND guard_state = :old_guard";
                let params = named_params! {
                    ":new_set": set.to_string(), ":new_guard": state.reset_failures().to_string(),
                    ":id": id, ":old_set": old_set, ":old_guard": old_guard,
                };
                if self.conn.prepare_cached(sql)?.execute(params)? == 1 {
                    return Ok(Recovery::Redeemed { slot, remaining });
                }
            } else {
                // A refusal counts like a wrong TOTP code, with the same CAS.
                let next = self.guard.record_failure(now, &state);
                if self.swap_guard(id, &old_guard, &next.to_string())? {
                    let used = matches!(result, Redemption::AlreadyUsed { .. });
                    return Ok(if used {
                        Recovery::AlreadyUsed
                    } else {
                        Recovery::Invalid
                    });
                }
            }
            // 0 rows: the row changed under us; read it again, decide again.
        }
        Err("too many concurrent attempts; try again".into())
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
    // Add `.with_pepper(..)` from configuration to the backup policy.
    let users = Users::open(path, Guard::new(Totp::default()), Policy::DEFAULT)?;
    // Fixed seed and clock for reproducible output. In production: an
    // OS-seeded CSPRNG, and `UnixTime::try_from(SystemTime::now())`.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let at = |secs| UnixTime::from_secs(1_795_780_805_u64.saturating_add(secs)); // 2026-11-27T12:00:05Z

    // Enrolment: the user scans the secret (examples/enroll.rs) and types the
    // first code. Keep the state of the confirming check across retries and
    // store it with the secret once accepted.
    let secret = Secret::generate(&mut rng);
    let phone = users.guard.key(&secret); // the authenticator app's copy
    let first = phone.generate(at(0))?.to_string();
    let (confirmed, state) = users
        .guard
        .check(&secret, &first, at(0), &GuardState::new())?;
    if !confirmed.is_accepted() {
        return Err("enrolment not confirmed".into());
    }
    let (codes, set) = CodeSet::generate(&users.policy, &mut rng)?; // show `codes` once
    let id = users.enrol("ana", &secret, &state, &set)?;
    println!(
        "enrolled user {id}: guard_state {state}, {} backup codes",
        set.remaining()
    );

    // Logins: the confirming code is spent, the next one works, failures are stored.
    println!(
        "login {first} 10 s later: {:?}",
        users.login(id, &first, at(10))?
    );
    let next = phone.generate(at(30))?.to_string();
    println!("login {next}: {:?}", users.login(id, &next, at(31))?);
    let before_guesses = users.load(id)?.1;
    for guess in ["111111", "222222"] {
        println!("login {guess}: {:?}", users.login(id, guess, at(40))?);
    }
    println!("stored guard_state: {}", users.load(id)?.1);

    // Recovery: a wrong backup code counts as a failure; a right one is spent
    // once and clears the failures; using it again is refused and counted.
    let code = codes
        .get(0)
        .map(|c| c.to_string())
        .ok_or("no backup code")?;
    drop(codes); // wipes the plaintext
    let wrong = "0000-0000-0000-0000-0000-0000";
    println!(
        "backup {wrong}: {:?}",
        users.redeem_backup(id, wrong, at(50))?
    );
    println!("stored guard_state: {}", users.load(id)?.1);
    for attempt in ["backup code #1", "backup code #1 again"] {
        println!("{attempt}: {:?}", users.redeem_backup(id, &code, at(60))?);
    }
    let (_, guard_state, backup_set) = users.load(id)?;
    let set: CodeSet = backup_set.ok_or("no backup set")?.parse()?;
    println!(
        "stored guard_state: {guard_state}; backup set generation {}, {} left",
        set.generation(),
        set.remaining()
    );

    // A request that read the row before the guesses cannot overwrite it.
    let stored = users.swap_guard(id, &before_guesses, &GuardState::new().to_string())?;
    println!("stale write over {before_guesses}: stored = {stored}");
    Ok(())
}
