//! The service's sign-in raced on real databases: `THREADS` requests at
//! once with the same code, each through its own pooled connection and
//! twostep's compare-and-swap driver (`account::run_async` over
//! [`Db`]'s `AsyncStore`), released together by a barrier, for `ROUNDS`
//! rounds with a fresh user each. One TOTP code, one backup code, one SMS
//! code: exactly one request wins, every round, and no refusal is lost.
//!
//! SQLite always (a file in the temporary directory); PostgreSQL when
//! `TWOSTEP_TEST_POSTGRES_URL` names a server (`bash scripts/postgres.sh
//! start` prints one), and under `CI=true` a missing server fails instead of
//! skipping. A negative control shows the harness catches a double spend
//! when the write does not check the old record.

use std::sync::Arc;

use rand_core::UnwrapErr;
use sqlx::AnyPool;
use tokio::sync::Barrier;
use twostep::account::device::{self, DeviceKey};
use twostep::account::seal::{KeyId, Keyring, SealKey};
use twostep::account::{self, AsyncStore, Config, LoginOutcome, Method, Phone, Refusal, User};
use twostep::backup::Policy;
use twostep::delivered::{self, Binding, Channel, Hint, Purpose, Reason};
use twostep::guard::Throttle;
use twostep::{Guard, Totp, UnixTime};
use twostep_web::db::{Db, DbError, UserId};

const THREADS: usize = 8;
const ROUNDS: usize = 30;
/// 2026-11-27T12:00:05Z: every attempt happens at this instant.
const NOW: u64 = 1_795_780_805;

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

/// The server's configuration: fixed keys, and a throttle that never backs
/// off and locks only at 100 failures, so the losers' refusals are exact.
fn config() -> Config {
    let throttle = Throttle::DEFAULT
        .with_lock_after(100)
        .unwrap()
        .with_free_attempts(100)
        .unwrap();
    let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[0x11; 32]));
    let delivered_key = delivered::Key::from_bytes(&[0x22; 32]).unwrap();
    let device_keys = device::Keyring::new(1, DeviceKey::from_bytes(&[0x33; 32]).unwrap());
    Config::new(keyring, delivered_key, device_keys)
        .with_guard(Guard::new(Totp::new()).with_throttle(throttle))
        .unwrap()
}

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

/// The login session of round `round`: what its SMS code is bound to.
fn session(round: usize) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&(round as u64).to_be_bytes());
    s
}

/// One round's user and the codes its requests type.
#[derive(Clone)]
struct Person {
    id: UserId,
    /// The code the authenticator app shows at `NOW`, valid and unused
    /// (its first code confirmed the enrolment a minute before); empty
    /// for a user without the app.
    totp: String,
    /// The first backup code.
    backup: String,
    /// The SMS code sent for this round's session 40 s before `NOW`.
    sms: String,
}

/// Runs `op` on `id`'s record through the driver, as a route does.
async fn run<T, E: std::fmt::Display>(
    db: &Db,
    id: UserId,
    op: impl FnMut(&account::Account) -> Result<(T, account::Account), E> + Send,
) -> T {
    let mut store = db.clone();
    match account::run_async(&mut store, &id, op).await {
        Ok(value) => value,
        Err(e) => panic!("setup: {e}"),
    }
}

/// `ROUNDS` fresh users (addresses no earlier run used), each enrolled with
/// a phone, backup codes and (`with_app`) an authenticator app, through the
/// driver.
async fn people(db: &Db, config: &Config, test: &str, with_app: bool) -> Vec<Person> {
    let run_id = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let mut rng = UnwrapErr(getrandom::SysRng);
    let mut people = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let email = format!("{test}-{round}-{run_id}@example.org");
        let id = db.create_user(&email, "unused").await.unwrap();
        people.push(enrol(db, config, id, round, with_app, &mut rng).await);
    }
    people
}

async fn enrol(
    db: &Db,
    config: &Config,
    id: UserId,
    round: usize,
    with_app: bool,
    rng: &mut UnwrapErr<getrandom::SysRng>,
) -> Person {
    let uid = id.to_bytes();
    let user = User::new(&uid).unwrap();
    // The phone first, its confirmation code two minutes before `NOW`.
    let phone = Phone::new(Channel::Sms, Hint::new("**42").unwrap()).unwrap();
    let confirm = Binding::new(Purpose::ConfirmPhone, b"settings").unwrap();
    let added = at(NOW - 120);
    let message = run(db, id, |r| {
        let r = account::begin_phone(phone, r);
        account::send_code(config, &confirm, Reason::PhoneChange, added, rng, &r)
    })
    .await;
    let typed = message.code().to_string();
    let confirmed = run(db, id, |r| {
        account::confirm_phone(config, &confirm, &typed, added, r)
    })
    .await;
    assert!(confirmed.is_confirmed());
    // Then the app, confirmed with its first code a minute before, and
    // backup codes.
    let mut totp = None;
    if with_app {
        let start = at(NOW - 60);
        let uri = run(db, id, |r| {
            account::begin_totp(config, &user, "Example", "ana", start, rng, r)
        })
        .await;
        let app = config.guard().totp().key(uri.secret());
        let first = app.generate(start).unwrap().to_string();
        let confirmed = run(db, id, |r| {
            account::confirm_totp(config, &user, &first, start, r)
        })
        .await;
        assert!(confirmed.is_confirmed());
        totp = Some(app.generate(at(NOW)).unwrap().to_string());
    }
    let codes = run(db, id, |r| account::regenerate_backup_codes(config, rng, r)).await;
    // Last, the sign-in that texts a code, 40 s before `NOW`.
    let login = session(round);
    let attempt = Binding::new(Purpose::Login, &login).unwrap();
    let sent = at(NOW - 40);
    let message = run(db, id, |r| {
        account::send_code(config, &attempt, Reason::LoginStarted, sent, rng, r)
    })
    .await;
    Person {
        id,
        totp: totp.unwrap_or_default(),
        backup: codes.iter().next().unwrap().to_string(),
        sms: message.code().to_string(),
    }
}

/// One second step of a sign-in, as the route makes it: `login` through the
/// driver, on any store.
async fn login<S: AsyncStore<Id = UserId, Error = DbError>>(
    store: &mut S,
    config: &Config,
    id: UserId,
    round: usize,
    input: &str,
) -> Result<LoginOutcome, String> {
    let uid = id.to_bytes();
    let user = User::new(&uid).unwrap();
    let login = session(round);
    let attempt = Binding::new(Purpose::Login, &login).unwrap();
    account::run_async(store, &id, |r| {
        account::login(config, &user, &attempt, input, at(NOW), r)
    })
    .await
    .map_err(|e| e.to_string())
}

/// Runs every round: `THREADS` tasks, each with its own clone of the pool,
/// wait at a barrier, then all call `attempt(thread, db, round)` at once.
/// Returns each round's results in thread order. Nothing in a task panics
/// (errors are values), so a failure cannot leave the others waiting.
async fn race<R, F, Fut>(db: &Db, attempt: F) -> Vec<Vec<R>>
where
    R: Send + 'static,
    F: Fn(usize, Db, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send,
{
    let barrier = Arc::new(Barrier::new(THREADS));
    let attempt = Arc::new(attempt);
    let tasks: Vec<_> = (0..THREADS)
        .map(|t| {
            let (barrier, attempt, db) = (barrier.clone(), attempt.clone(), db.clone());
            tokio::spawn(async move {
                let mut results = Vec::with_capacity(ROUNDS);
                for round in 0..ROUNDS {
                    barrier.wait().await;
                    results.push(attempt(t, db.clone(), round).await);
                }
                results
            })
        })
        .collect();
    let mut columns = Vec::with_capacity(THREADS);
    for task in tasks {
        columns.push(task.await.unwrap().into_iter());
    }
    (0..ROUNDS)
        .map(|_| columns.iter_mut().map(|c| c.next().unwrap()).collect())
        .collect()
}

/// Which code a race types.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Totp,
    Backup,
    /// An SMS code, for a user with a phone and backup codes only.
    Sms,
    /// An SMS code, for a user who has the authenticator app too: a 6-digit
    /// input is checked as both.
    SmsBesideApp,
}

impl Kind {
    fn code(self, person: &Person) -> &str {
        match self {
            Self::Totp => &person.totp,
            Self::Backup => &person.backup,
            Self::Sms | Self::SmsBesideApp => &person.sms,
        }
    }

    fn method(self) -> Method {
        match self {
            Self::Totp => Method::Totp,
            Self::Backup => Method::BackupCode,
            Self::Sms | Self::SmsBesideApp => Method::Delivered,
        }
    }

    /// What the losers hear: a TOTP code typed again is a replay; a spent
    /// backup or SMS code is used. `None`: any refusal, for a spent SMS code
    /// that is also a wrong TOTP code (which of the two it names is the
    /// library's choice, not the store's).
    fn refusal(self) -> Option<Refusal> {
        match self {
            Self::Totp => Some(Refusal::Replayed),
            Self::Backup | Self::Sms => Some(Refusal::Used),
            Self::SmsBesideApp => None,
        }
    }

    /// Failures the losers leave: a replay is a right code and counts none.
    fn failures(self) -> u32 {
        match self {
            Self::Totp => 0,
            Self::Backup | Self::Sms | Self::SmsBesideApp => (THREADS - 1) as u32,
        }
    }
}

/// `THREADS` requests type the same code of `kind` in every round: one is
/// accepted, the others refused, and the stored record shows one success
/// and every refusal.
async fn one_code_signs_in_exactly_once(target: Target, kind: Kind, test: &str) {
    let config = Arc::new(config());
    let db = &target.db;
    let with_app = !matches!(kind, Kind::Sms);
    let people = Arc::new(people(db, &config, test, with_app).await);
    let (c, p) = (config.clone(), people.clone());
    let rounds = race(db, move |_, mut db, round| {
        let (config, people) = (c.clone(), p.clone());
        async move {
            let person = &people[round];
            login(&mut db, &config, person.id, round, kind.code(person)).await
        }
    })
    .await;
    let count = Policy::DEFAULT.count();
    for (round, (person, results)) in people.iter().zip(&rounds).enumerate() {
        let won: Vec<_> = results
            .iter()
            .filter(|r| matches!(r, Ok(LoginOutcome::Accepted { method, .. }) if *method == kind.method()))
            .collect();
        let refused = results
            .iter()
            .filter(|r| match r {
                Ok(LoginOutcome::Refused { reason }) => kind.refusal().is_none_or(|k| k == *reason),
                _ => false,
            })
            .count();
        assert_eq!(
            (won.len(), refused),
            (1, THREADS - 1),
            "{test} round {round}: {results:?}"
        );
        let stored = db.account(person.id).await.unwrap();
        assert_eq!(
            stored.guard().failures(),
            kind.failures(),
            "{test} round {round}"
        );
        match kind {
            Kind::Totp => {
                let step = config.guard().totp().step_at(at(NOW)).unwrap();
                assert_eq!(
                    stored.guard().last_step(),
                    Some(step),
                    "{test} round {round}"
                );
            }
            Kind::Backup => {
                let set = stored.backup_codes().unwrap();
                assert_eq!(
                    set.used_slots().collect::<Vec<_>>(),
                    [0],
                    "{test} round {round}"
                );
                assert_eq!(set.remaining(), count - 1, "{test} round {round}");
            }
            Kind::Sms | Kind::SmsBesideApp => {
                assert_eq!(stored.delivered().checks(), 1, "{test} round {round}");
                assert_eq!(
                    stored.delivered().code_expires_at(),
                    None,
                    "{test} round {round}"
                );
            }
        }
    }
}

/// The bug the condition prevents: the write replaces whatever is stored,
/// not what the decision was made on (`UPDATE … WHERE user_id = $id`,
/// without `AND record = $old`), through a pool of its own.
struct Unconditional {
    db: Db,
    raw: AnyPool,
}

impl AsyncStore for Unconditional {
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

async fn without_the_condition_a_code_signs_in_twice(target: Target, test: &str) {
    let config = Arc::new(config());
    let db = &target.db;
    let raw = AnyPool::connect(&target.url).await.unwrap();
    let people = Arc::new(people(db, &config, test, true).await);
    let (c, p) = (config.clone(), people.clone());
    let rounds = race(db, move |_, db, round| {
        let (config, people, raw) = (c.clone(), p.clone(), raw.clone());
        async move {
            let person = &people[round];
            let mut store = Unconditional { db, raw };
            login(&mut store, &config, person.id, round, &person.totp).await
        }
    })
    .await;
    assert!(rounds.iter().flatten().all(Result::is_ok), "{rounds:?}");
    let doubled = rounds
        .iter()
        .filter(|r| {
            r.iter()
                .filter(|o| o.as_ref().is_ok_and(LoginOutcome::is_accepted))
                .count()
                > 1
        })
        .count();
    eprintln!(
        "{test}: without the condition, {doubled} of {ROUNDS} rounds let one code in more than once"
    );
    assert!(
        doubled > 0,
        "the harness never raced: the races above would prove nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_one_totp_code_signs_in_once() {
    one_code_signs_in_exactly_once(sqlite("totp").await, Kind::Totp, "sqlite-totp").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_one_backup_code_signs_in_once() {
    one_code_signs_in_exactly_once(sqlite("backup").await, Kind::Backup, "sqlite-backup").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_one_sms_code_signs_in_once() {
    one_code_signs_in_exactly_once(sqlite("sms").await, Kind::Sms, "sqlite-sms").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_one_sms_code_beside_an_app_signs_in_once() {
    let target = sqlite("sms-app").await;
    one_code_signs_in_exactly_once(target, Kind::SmsBesideApp, "sqlite-sms-app").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_negative_control() {
    without_the_condition_a_code_signs_in_twice(sqlite("control").await, "sqlite-control").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_one_totp_code_signs_in_once() {
    if let Some(target) = postgres().await {
        one_code_signs_in_exactly_once(target, Kind::Totp, "postgres-totp").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_one_backup_code_signs_in_once() {
    if let Some(target) = postgres().await {
        one_code_signs_in_exactly_once(target, Kind::Backup, "postgres-backup").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_one_sms_code_signs_in_once() {
    if let Some(target) = postgres().await {
        one_code_signs_in_exactly_once(target, Kind::Sms, "postgres-sms").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_one_sms_code_beside_an_app_signs_in_once() {
    if let Some(target) = postgres().await {
        one_code_signs_in_exactly_once(target, Kind::SmsBesideApp, "postgres-sms-app").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_negative_control() {
    if let Some(target) = postgres().await {
        without_the_condition_a_code_signs_in_twice(target, "postgres-control").await;
    }
}
