//! Concurrency proof for delivered codes against a real database: the
//! delivered-code state in one SQLite text column, every change written with
//! compare-and-swap (`UPDATE … WHERE id = :id AND delivered_state = :old`),
//! raced by `THREADS` threads with one connection each (WAL, busy timeout, a
//! file in the temporary directory), released together by a barrier.
//!
//! Two races: the same right code typed at once (exactly one is accepted),
//! and "resend" pressed at once, over simulated hours (the cooldown and both
//! send caps hold: no more messages are issued than the policy allows).
#![expect(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::cast_sign_loss,
    reason = "test code: unwraps and indexes, panics on a broken invariant, computes on known values"
)]

use std::path::Path;
use std::sync::Barrier;
use std::thread;
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rusqlite::{Connection, named_params};
use twostep::UnixTime;
use twostep::delivered::{
    self, Binding, Channel, IssueError, Key, MessageId, Outcome, Policy, Purpose, Reason, State,
};

const THREADS: usize = 8;
/// Rounds of the verify race, one fresh user each.
const ROUNDS: usize = 100;
/// Lost races before a request gives up, as in `examples/sqlite_store.rs`.
const MAX_TRIES: usize = 16;
/// 2026-11-27T12:00:00Z.
const START: u64 = 1_795_780_800;
const KEY: &[u8; 32] = b"load me from the secrets store!!";

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[path = "support/temp_db.rs"]
mod temp_db;

use temp_db::TempDb;

/// One connection to the users table, opened as `examples/sqlite_store.rs`
/// opens it: WAL (readers never wait for the writer), a busy timeout (a
/// writer waits for the write lock instead of failing), SQLite's default
/// `synchronous = FULL`.
struct Store {
    conn: Connection,
}

impl Store {
    fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if mode != "wal" {
            return Err(format!("journal_mode is {mode}, not wal").into());
        }
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS users (
                 id              INTEGER PRIMARY KEY,
                 delivered_state TEXT NOT NULL
             ) STRICT;",
        )?;
        Ok(Self { conn })
    }

    fn insert(&self, state: &State) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO users (delivered_state) VALUES (?1)",
            [state.to_string()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The stored text and the state it parses to.
    fn load(&self, id: i64) -> Result<(String, State)> {
        let sql = "SELECT delivered_state FROM users WHERE id = ?1";
        let text: String = self
            .conn
            .prepare_cached(sql)?
            .query_row([id], |r| r.get(0))?;
        let state = text.parse()?;
        Ok((text, state))
    }

    /// The compare-and-swap: `false` (0 rows) if another request changed
    /// the state since `old` was read.
    fn swap(&self, id: i64, old: &str, new: &State) -> Result<bool> {
        let sql = "UPDATE users SET delivered_state = :new \
                   WHERE id = :id AND delivered_state = :old";
        let params = named_params! { ":new": new.to_string(), ":id": id, ":old": old };
        Ok(self.conn.prepare_cached(sql)?.execute(params)? == 1)
    }

    /// The code endpoint: verify, store the new state (failures too), then
    /// answer; on a conflict, read again and decide again.
    fn verify(
        &self,
        id: i64,
        binding: &Binding<'_>,
        typed: &str,
        now: UnixTime,
    ) -> Result<Outcome> {
        let key = Key::from_bytes(KEY)?;
        for _ in 0..MAX_TRIES {
            let (old, state) = self.load(id)?;
            let (outcome, next) =
                delivered::verify(&Policy::DEFAULT, &key, binding, typed, now, &state);
            if next == state || self.swap(id, &old, &next)? {
                return Ok(outcome);
            }
        }
        Err("too many concurrent attempts; try again".into())
    }

    /// The bug the condition prevents: read, decide, then write without
    /// `AND delivered_state = :old`, so a concurrent write is overwritten.
    fn verify_without_condition(
        &self,
        id: i64,
        binding: &Binding<'_>,
        typed: &str,
        now: UnixTime,
    ) -> Result<Outcome> {
        let key = Key::from_bytes(KEY)?;
        let (_, state) = self.load(id)?;
        let (outcome, next) =
            delivered::verify(&Policy::DEFAULT, &key, binding, typed, now, &state);
        let sql = "UPDATE users SET delivered_state = ?1 WHERE id = ?2";
        self.conn.execute(sql, (next.to_string(), id))?;
        Ok(outcome)
    }

    /// The "resend" button: issue, store, and only then send. Returns the
    /// id of the message to send, or the refusal.
    fn resend(
        &self,
        id: i64,
        binding: &Binding<'_>,
        now: UnixTime,
        rng: &mut ChaCha20Rng,
    ) -> Result<std::result::Result<MessageId, IssueError>> {
        let key = Key::from_bytes(KEY)?;
        for _ in 0..MAX_TRIES {
            let (old, state) = self.load(id)?;
            let issued = delivered::issue(
                &Policy::DEFAULT,
                &key,
                binding,
                Reason::UserResend,
                Channel::Sms,
                now,
                rng,
                &state,
            );
            match issued {
                Err(e) => return Ok(Err(e)),
                Ok((message, next)) => {
                    if self.swap(id, &old, &next)? {
                        return Ok(Ok(message.id()));
                    }
                }
            }
        }
        Err("too many concurrent attempts; try again".into())
    }
}

/// Runs `ticks` rounds: `THREADS` threads, each with its own connection,
/// wait at a barrier, then all call `attempt(thread, store, tick)` at once.
/// Returns each tick's results in thread order. Nothing in a worker panics
/// (errors are values), so a failure cannot leave the others waiting.
fn race<R: Send>(
    db: &TempDb,
    ticks: usize,
    attempt: impl Fn(usize, &Store, usize) -> R + Sync,
) -> Vec<Vec<R>> {
    let workers: Vec<Store> = (0..THREADS).map(|_| Store::open(&db.0).unwrap()).collect();
    let barrier = Barrier::new(THREADS);
    let (barrier, attempt) = (&barrier, &attempt);
    let per_thread: Vec<Vec<R>> = thread::scope(|s| {
        let handles: Vec<_> = workers
            .into_iter()
            .enumerate()
            .map(|(t, store)| {
                s.spawn(move || {
                    (0..ticks)
                        .map(|tick| {
                            barrier.wait();
                            attempt(t, &store, tick)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut columns: Vec<_> = per_thread.into_iter().map(Vec::into_iter).collect();
    (0..ticks)
        .map(|_| columns.iter_mut().map(|c| c.next().unwrap()).collect())
        .collect()
}

/// The login session hash of round `round`.
fn session(round: usize) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&(round as u64).to_be_bytes());
    s
}

/// `ROUNDS` users, each with a code sent at `START` for its own login
/// session: (id, the code as typed).
fn users_with_a_code(main: &Store, sessions: &[[u8; 32]]) -> Vec<(i64, String)> {
    let key = Key::from_bytes(KEY).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(16);
    sessions
        .iter()
        .map(|s| {
            let binding = Binding::new(Purpose::Login, s).unwrap();
            let (message, state) = delivered::issue(
                &Policy::DEFAULT,
                &key,
                &binding,
                Reason::LoginStarted,
                Channel::Sms,
                UnixTime::from_secs(START),
                &mut rng,
                &State::new(),
            )
            .unwrap();
            (main.insert(&state).unwrap(), message.code().to_string())
        })
        .collect()
}

#[test]
fn same_sms_code_typed_at_once_is_accepted_exactly_once() {
    let db = TempDb::new("concurrency-delivered", "verify");
    let main = Store::open(&db.0).unwrap();
    let sessions: Vec<[u8; 32]> = (0..ROUNDS).map(session).collect();
    let users = users_with_a_code(&main, &sessions);
    let now = UnixTime::from_secs(START + 40);
    let rounds = race(&db, ROUNDS, |_, store, round| {
        let (id, code) = &users[round];
        let binding = Binding::new(Purpose::Login, &sessions[round]).unwrap();
        store
            .verify(*id, &binding, code, now)
            .map_err(|e| e.to_string())
    });
    for (round, results) in rounds.iter().enumerate() {
        let accepted = results
            .iter()
            .filter(|r| matches!(r, Ok(Outcome::Accepted)))
            .count();
        let used = results
            .iter()
            .filter(|r| matches!(r, Ok(Outcome::Used)))
            .count();
        assert_eq!(
            (accepted, used),
            (1, THREADS - 1),
            "round {round}: {results:?}"
        );
        // One check was counted (the accepted one) and the code is spent.
        let (_, state) = main.load(users[round].0).unwrap();
        assert_eq!(state.checks(), 1, "round {round}");
        assert_eq!(state.code_expires_at(), None, "round {round}: not used");
    }
}

#[test]
fn negative_control_without_the_condition_a_code_is_accepted_twice() {
    let db = TempDb::new("concurrency-delivered", "control");
    let main = Store::open(&db.0).unwrap();
    let sessions: Vec<[u8; 32]> = (0..ROUNDS).map(session).collect();
    let users = users_with_a_code(&main, &sessions);
    let now = UnixTime::from_secs(START + 40);
    let rounds = race(&db, ROUNDS, |_, store, round| {
        let (id, code) = &users[round];
        let binding = Binding::new(Purpose::Login, &sessions[round]).unwrap();
        store
            .verify_without_condition(*id, &binding, code, now)
            .map_err(|e| e.to_string())
    });
    assert!(rounds.iter().flatten().all(std::result::Result::is_ok));
    let accepted = |r: &Vec<std::result::Result<Outcome, String>>| {
        r.iter()
            .filter(|o| matches!(o, Ok(Outcome::Accepted)))
            .count()
    };
    assert!(rounds.iter().all(|r| accepted(r) >= 1));
    let doubled = rounds.iter().filter(|r| accepted(r) > 1).count();
    eprintln!("negative control: {doubled} of {ROUNDS} rounds accepted one code more than once");
    assert!(
        doubled > 0,
        "the harness never raced: the test above would prove nothing"
    );
}

/// The simulated clock of the resend race: a press every 20 s for three
/// hours, then the next day from 20 minutes before the first send's 24 hours
/// are up to an hour after, so the daily cap both binds and reopens.
fn resend_times() -> Vec<u64> {
    let first_day = (0..540).map(|i| START + 20 * i);
    let next_day = (0..240).map(|i| START + 86_400 - 1_200 + 20 * i);
    first_day.chain(next_day).collect()
}

/// At most `sends` of `times` (sorted) in any window of `window` seconds:
/// for each send, the sends in the window that ends with it.
fn most_in_a_window(times: &[u64], window: u64) -> usize {
    times
        .iter()
        .enumerate()
        .map(|(i, &t)| times[..=i].iter().filter(|&&s| s + window > t).count())
        .max()
        .unwrap_or(0)
}

#[test]
fn resend_pressed_at_once_never_passes_the_cooldown_or_the_caps() {
    let db = TempDb::new("concurrency-delivered", "resend");
    let main = Store::open(&db.0).unwrap();
    let key = Key::from_bytes(KEY).unwrap();
    let attempt = session(0);
    let binding = Binding::new(Purpose::Login, &attempt).unwrap();
    let policy = Policy::DEFAULT;
    // The login that started it all, sent a minute before the first press.
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (first, state) = delivered::issue(
        &policy,
        &key,
        &binding,
        Reason::LoginStarted,
        Channel::Sms,
        UnixTime::from_secs(START - 60),
        &mut rng,
        &State::new(),
    )
    .unwrap();
    let id = main.insert(&state).unwrap();
    let times = resend_times();
    let rounds = race(&db, times.len(), |t, store, tick| {
        let mut rng = ChaCha20Rng::seed_from_u64((tick * THREADS + t) as u64);
        let now = UnixTime::from_secs(times[tick]);
        store
            .resend(id, &binding, now, &mut rng)
            .map_err(|e| e.to_string())
    });

    // Every message actually issued (stored, so sent), with its time.
    let mut sent = vec![START - 60];
    let mut ids = vec![first.id().get()];
    for (tick, results) in rounds.iter().enumerate() {
        assert!(
            results.iter().all(std::result::Result::is_ok),
            "tick {tick}: {results:?}"
        );
        let issued: Vec<u32> = results
            .iter()
            .filter_map(|r| r.as_ref().ok()?.as_ref().ok().map(|m| m.get()))
            .collect();
        assert!(issued.len() <= 1, "tick {tick}: sent {issued:?} at once");
        if let Some(&m) = issued.first() {
            sent.push(times[tick]);
            ids.push(m);
        }
    }
    // Each issued message is a distinct, stored send.
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "message ids {ids:?}");
    let (_, stored) = main.load(id).unwrap();
    assert_eq!(stored.latest().unwrap().id().get(), *ids.last().unwrap());
    assert_eq!(
        stored.latest().unwrap().at().as_secs(),
        *sent.last().unwrap()
    );

    let cooldown = policy.cooldown().whole_seconds() as u64;
    assert!(
        sent.windows(2).all(|w| w[1] - w[0] >= cooldown),
        "cooldown broken: {sent:?}"
    );
    for cap in [policy.short_cap(), policy.long_cap()] {
        let window = cap.window().whole_seconds() as u64;
        let most = most_in_a_window(&sent, window);
        // Never more than the cap; and the presses came often enough that
        // the cap was reached, so it was the cap that held them back.
        assert_eq!(
            most,
            cap.sends() as usize,
            "{} per {window} s: {sent:?}",
            cap.sends()
        );
    }
    // The daily cap reopened on the next day: sends happened there too.
    assert!(sent.iter().any(|&t| t >= START + 86_400 - 1_200));

    // The same presses one at a time send exactly as many messages: the
    // race lost no send that the policy allowed.
    let mut state = state;
    let mut alone = vec![START - 60];
    for &t in &times {
        let now = UnixTime::from_secs(t);
        if let Ok((_, next)) = delivered::issue(
            &policy,
            &key,
            &binding,
            Reason::UserResend,
            Channel::Sms,
            now,
            &mut rng,
            &state,
        ) {
            alone.push(t);
            state = next;
        }
    }
    assert_eq!(sent, alone);
}
