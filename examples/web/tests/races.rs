//! The service's compare-and-swap raced on real databases: `THREADS`
//! requests at once, each through its own pooled connection, released
//! together by a barrier, for `ROUNDS` rounds with a fresh user each; the
//! invariant is checked for every round. SQLite always (a file in the
//! temporary directory); PostgreSQL when `TWOSTEP_TEST_POSTGRES_URL` names a
//! server (`bash scripts/postgres.sh start` prints one), and under `CI=true`
//! a missing server fails instead of skipping. A negative control shows the
//! harness catches a double spend when the write does not check the old
//! record.

use std::sync::Arc;

use sqlx::AnyPool;
use tokio::sync::Barrier;
use twostep_web::db::{Db, DbError, RecordStore, UserId};

const THREADS: usize = 8;
const ROUNDS: usize = 40;
/// Lost races before a request gives up, as twostep's driver bounds them.
const MAX_TRIES: usize = 16;
/// The record odd rounds start from.
const SEED: &str = "seed";

/// A SQLite file in the temp directory, removed (with its WAL files) before
/// use and on drop.
struct TempSqlite(std::path::PathBuf);

impl TempSqlite {
    fn new(test: &str) -> Self {
        let name = format!("twostep-web-races-{}-{test}.db", std::process::id());
        let db = Self(std::env::temp_dir().join(name));
        db.remove();
        db
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut file = self.0.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

impl Drop for TempSqlite {
    fn drop(&mut self) {
        self.remove();
    }
}

/// The database a race runs on; the file (for SQLite) outlives the pool.
struct Target {
    db: Db,
    url: String,
    _file: Option<TempSqlite>,
}

async fn sqlite(test: &str) -> Target {
    let file = TempSqlite::new(test);
    let url = format!("sqlite://{}?mode=rwc", file.0.display());
    let db = Db::connect(&url).await.unwrap();
    Target {
        db,
        url,
        _file: Some(file),
    }
}

/// The PostgreSQL server named by `TWOSTEP_TEST_POSTGRES_URL`; `None` (the
/// test is skipped) only outside CI.
async fn postgres() -> Option<Target> {
    let url = match std::env::var("TWOSTEP_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but TWOSTEP_TEST_POSTGRES_URL is not set (bash scripts/postgres.sh start)"
            );
            eprintln!("TWOSTEP_TEST_POSTGRES_URL not set: the PostgreSQL race is skipped");
            return None;
        }
    };
    let db = Db::connect(&url).await.unwrap();
    Some(Target {
        db,
        url,
        _file: None,
    })
}

/// `ROUNDS` fresh users, with addresses no earlier run used. Odd rounds'
/// users have a stored record (`seed`), even rounds' none yet: the race
/// runs on both statements, the `UPDATE` and the first `INSERT`.
async fn users(db: &Db, test: &str) -> Vec<UserId> {
    let run = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let mut ids = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let email = format!("{test}-{round}-{run}@example.org");
        let id = db.create_user(&email, "unused").await.unwrap();
        if round % 2 == 1 {
            assert!(db.swap_record(id, None, SEED).await.unwrap());
        }
        ids.push(id);
    }
    ids
}

/// Runs every round: `THREADS` tasks, each with its own clone of the pool,
/// wait at a barrier, then all call `attempt(thread, db, user)` at once.
/// Returns each round's results in thread order. Nothing in a task panics
/// (errors are values), so a failure cannot leave the others waiting.
async fn race<R, F, Fut>(db: &Db, users: &[UserId], attempt: F) -> Vec<Vec<R>>
where
    R: Send + 'static,
    F: Fn(usize, Db, UserId) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send,
{
    let barrier = Arc::new(Barrier::new(THREADS));
    let attempt = Arc::new(attempt);
    let users = Arc::new(users.to_vec());
    let tasks: Vec<_> = (0..THREADS)
        .map(|t| {
            let (barrier, attempt, users, db) =
                (barrier.clone(), attempt.clone(), users.clone(), db.clone());
            tokio::spawn(async move {
                let mut results = Vec::with_capacity(users.len());
                for user in users.iter() {
                    barrier.wait().await;
                    results.push(attempt(t, db.clone(), *user).await);
                }
                results
            })
        })
        .collect();
    let mut columns = Vec::with_capacity(THREADS);
    for task in tasks {
        columns.push(task.await.unwrap().into_iter());
    }
    (0..users.len())
        .map(|_| columns.iter_mut().map(|c| c.next().unwrap()).collect())
        .collect()
}

/// What spending a one-time code answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spent {
    /// Spent now.
    Accepted,
    /// Spent before, perhaps by a concurrent request.
    AlreadyUsed,
}

/// Spends `code` in the user's record (a list of spent codes) under
/// compare-and-swap, re-reading and deciding again on every lost race.
async fn spend<S: RecordStore<Id = UserId, Error = DbError>>(
    store: &mut S,
    user: UserId,
    code: &str,
) -> Result<Spent, String> {
    for _ in 0..MAX_TRIES {
        let old = store.load(&user).await.map_err(|e| e.to_string())?;
        let spent = old.as_deref().unwrap_or_default();
        if spent.split(',').any(|c| c == code) {
            return Ok(Spent::AlreadyUsed);
        }
        let new = if spent.is_empty() {
            code.to_owned()
        } else {
            format!("{spent},{code}")
        };
        if store
            .swap(&user, old.as_deref(), &new)
            .await
            .map_err(|e| e.to_string())?
        {
            return Ok(Spent::Accepted);
        }
    }
    Err("too many concurrent attempts".into())
}

/// The bug the condition prevents: the write replaces whatever is stored,
/// not what the decision was made on (`UPDATE … WHERE user_id = $id`,
/// without `AND record = $old`), through a pool of its own.
struct Unconditional {
    db: Db,
    raw: AnyPool,
}

impl RecordStore for Unconditional {
    type Id = UserId;
    type Error = DbError;

    async fn load(&mut self, id: &UserId) -> Result<Option<String>, DbError> {
        self.db.record(*id).await
    }

    async fn swap(&mut self, id: &UserId, _old: Option<&str>, new: &str) -> Result<bool, DbError> {
        let done = sqlx::query("UPDATE twostep SET record = $1 WHERE user_id = $2")
            .bind(new)
            .bind(id.get())
            .execute(&self.raw)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

async fn one_code_is_spent_exactly_once(target: Target, test: &str) {
    let db = &target.db;
    let users = users(db, test).await;
    let rounds = race(db, &users, |_, mut db, user| async move {
        spend(&mut db, user, "123456").await
    })
    .await;
    for (round, (user, results)) in users.iter().zip(&rounds).enumerate() {
        let accepted = results
            .iter()
            .filter(|r| **r == Ok(Spent::Accepted))
            .count();
        let used = results
            .iter()
            .filter(|r| **r == Ok(Spent::AlreadyUsed))
            .count();
        assert_eq!(
            (accepted, used),
            (1, THREADS - 1),
            "round {round}: {results:?}"
        );
        let stored = db.record(*user).await.unwrap();
        let expected = if round % 2 == 1 {
            "seed,123456"
        } else {
            "123456"
        };
        assert_eq!(stored.as_deref(), Some(expected), "round {round}");
    }
}

async fn without_the_condition_a_code_is_spent_twice(target: Target, test: &str) {
    let db = &target.db;
    let raw = AnyPool::connect(&target.url).await.unwrap();
    let users = users(db, test).await;
    // Every round on a stored record: the unconditional UPDATE needs a row.
    for user in users.iter().step_by(2) {
        assert!(db.swap_record(*user, None, SEED).await.unwrap());
    }
    let rounds = race(db, &users, move |_, db, user| {
        let raw = raw.clone();
        async move { spend(&mut Unconditional { db, raw }, user, "123456").await }
    })
    .await;
    assert!(rounds.iter().flatten().all(Result::is_ok), "{rounds:?}");
    let doubled = rounds
        .iter()
        .filter(|r| r.iter().filter(|s| **s == Ok(Spent::Accepted)).count() > 1)
        .count();
    eprintln!(
        "{test}: without the condition, {doubled} of {ROUNDS} rounds spent one code more than once"
    );
    assert!(
        doubled > 0,
        "the harness never raced: the races above would prove nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_one_code_is_spent_exactly_once() {
    one_code_is_spent_exactly_once(sqlite("once").await, "sqlite-once").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_negative_control() {
    without_the_condition_a_code_is_spent_twice(sqlite("control").await, "sqlite-control").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_one_code_is_spent_exactly_once() {
    if let Some(target) = postgres().await {
        one_code_is_spent_exactly_once(target, "postgres-once").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_negative_control() {
    if let Some(target) = postgres().await {
        without_the_condition_a_code_is_spent_twice(target, "postgres-control").await;
    }
}
