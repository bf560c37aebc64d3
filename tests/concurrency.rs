//! Concurrency proof against a real database: the account layer's
//! compare-and-swap driver over the `Store` of `examples/sqlite_store.rs`,
//! raced by `THREADS` threads with one SQLite connection each (WAL, busy
//! timeout, a file in the temporary directory), released together by a
//! barrier, for `ROUNDS` rounds with a fresh user per round. Invariants are
//! checked for every round. A negative control shows that the same harness
//! catches a double spend when the condition is dropped from the `UPDATE`.
#![cfg(feature = "account")]
#![expect(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "test code: unwraps, panics on a broken invariant, computes on known values"
)]

#[allow(
    dead_code,
    unreachable_pub,
    reason = "the example's binary parts (main, run) are unused here"
)]
#[path = "../examples/sqlite_store.rs"]
mod store;

use std::sync::Barrier;
use std::thread;

use rand_core::SeedableRng;
use store::Users;
use twostep::account::{self, Account, Config, LoginOutcome, Method, Refusal, User};
use twostep::backup::{CodeSet, Policy};
use twostep::delivered::{Binding, Purpose};
use twostep::guard::{State as GuardState, Throttle};
use twostep::otp::KeyedTotp;
use twostep::{Guard, Totp, UnixTime};

const THREADS: usize = 8;
const ROUNDS: usize = 200;
/// 2026-11-27T12:00:05Z: every attempt happens at this instant.
const NOW: u64 = 1_795_780_805;

#[path = "support/temp_db.rs"]
mod temp_db;

use temp_db::TempDb;

/// A connection as the example opens it (WAL, busy timeout, and SQLite's
/// default `synchronous = FULL`). The fsync at each commit is what makes the
/// threads overlap on a machine with few cores: a writer waiting for the disk
/// lets the others read the row it has not yet replaced. Without it (`NORMAL`)
/// the negative control doubles a code in only about 3% of rounds here.
fn open(db: &TempDb) -> Users {
    Users::open(&db.0).unwrap()
}

/// A throttle that never backs off and locks at `lock` failures, so the
/// failure arithmetic below is exact.
fn guard_locking_at(lock: u32) -> Guard {
    let throttle = Throttle::DEFAULT
        .with_lock_after(lock)
        .unwrap()
        .with_free_attempts(lock)
        .unwrap();
    Guard::new(Totp::new()).with_throttle(throttle)
}

/// The session every login of the tests belongs to.
const SESSION: [u8; 32] = [0x42; 32];

/// One login through the driver, as a route makes it.
fn login(
    users: &mut Users,
    config: &Config,
    id: i64,
    input: &str,
    now: UnixTime,
) -> Result<LoginOutcome, String> {
    let uid = store::user_id(id);
    let user = User::new(&uid).unwrap();
    let attempt = Binding::new(Purpose::Login, &SESSION).unwrap();
    account::run(users, &id, |r| {
        account::login(config, &user, &attempt, input, now, r)
    })
    .map_err(|e| e.to_string())
}

/// One round's fresh user, enrolled with its first code a minute before `NOW`.
struct Person {
    id: i64,
    app: KeyedTotp,
    /// The code the app shows at `NOW`: valid and never used.
    code: String,
    /// The plaintext backup codes, in slot order.
    backup: Vec<String>,
}

/// Fields drop in order: the connection closes before the file is removed.
struct Fixture {
    main: Users,
    config: Config,
    guard: Guard,
    people: Vec<Person>,
    db: TempDb,
}

/// The database, one connection for setup and checks, and `ROUNDS` users
/// (enrolled through the driver in one transaction).
fn fixture(test: &str, guard: Guard) -> Fixture {
    let db = TempDb::new("concurrency", test);
    let mut main = open(&db);
    let config = store::config(guard).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(10);
    let start = at(NOW - 60);
    main.conn.execute_batch("BEGIN").unwrap();
    let people = (0..ROUNDS)
        .map(|round| {
            let id = main.insert(&format!("user{round}")).unwrap();
            let uid = store::user_id(id);
            let user = User::new(&uid).unwrap();
            let uri = account::run(&mut main, &id, |r| {
                account::begin_totp(&config, &user, "Example", "ana", start, &mut rng, r)
            })
            .unwrap();
            let app = guard.totp().key(uri.secret());
            let first = app.generate(start).unwrap().to_string();
            let confirmed = account::run(&mut main, &id, |r| {
                account::confirm_totp(&config, &user, &first, start, r)
            })
            .unwrap();
            assert!(confirmed.is_confirmed());
            let codes = account::run(&mut main, &id, |r| {
                account::regenerate_backup_codes(&config, &mut rng, r)
            })
            .unwrap();
            let code = app.generate(at(NOW)).unwrap().to_string();
            let backup = codes.iter().map(|c| c.to_string()).collect();
            Person {
                id,
                app,
                code,
                backup,
            }
        })
        .collect();
    main.conn.execute_batch("COMMIT").unwrap();
    Fixture {
        main,
        config,
        guard,
        people,
        db,
    }
}

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

/// Runs every round: `THREADS` threads, each with its own connection, wait
/// at a barrier, then all call `attempt(thread, connection, person)` at
/// once. Returns each round's results in thread order. Nothing in a worker
/// panics (errors are values), so a failure cannot leave the others waiting
/// at the barrier.
fn race<R: Send>(
    fx: &Fixture,
    attempt: impl Fn(usize, &mut Users, &Person) -> R + Sync,
) -> Vec<Vec<R>> {
    let workers: Vec<Users> = (0..THREADS).map(|_| open(&fx.db)).collect();
    let barrier = Barrier::new(THREADS);
    let (barrier, attempt, people) = (&barrier, &attempt, &fx.people);
    let per_thread: Vec<Vec<R>> = thread::scope(|s| {
        let handles: Vec<_> = workers
            .into_iter()
            .enumerate()
            .map(|(t, mut users)| {
                s.spawn(move || {
                    let mut results = Vec::with_capacity(people.len());
                    for person in people {
                        barrier.wait();
                        results.push(attempt(t, &mut users, person));
                    }
                    results
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut columns: Vec<_> = per_thread.into_iter().map(Vec::into_iter).collect();
    (0..people.len())
        .map(|_| columns.iter_mut().map(|c| c.next().unwrap()).collect())
        .collect()
}

fn stored(users: &Users, id: i64) -> Account {
    users.record(id).unwrap().unwrap().parse().unwrap()
}

fn stored_state(users: &Users, id: i64) -> GuardState {
    *stored(users, id).guard()
}

fn stored_set(users: &Users, id: i64) -> CodeSet {
    stored(users, id).backup_codes().unwrap().clone()
}

fn accepted(method: Method) -> impl Fn(&&Result<LoginOutcome, String>) -> bool {
    move |r| matches!(r, Ok(LoginOutcome::Accepted { method: m, .. }) if *m == method)
}

fn refused(reason: Refusal) -> Result<LoginOutcome, String> {
    Ok(LoginOutcome::Refused { reason })
}

#[test]
fn same_totp_code_logs_in_exactly_once() {
    let fx = fixture("totp", guard_locking_at(100));
    let rounds = race(&fx, |_, users, p| {
        login(users, &fx.config, p.id, &p.code, at(NOW))
    });
    let step = fx.guard.totp().step_at(at(NOW)).unwrap();
    for (round, (p, results)) in fx.people.iter().zip(&rounds).enumerate() {
        let won = results.iter().filter(accepted(Method::Totp)).count();
        let replayed = results
            .iter()
            .filter(|r| **r == refused(Refusal::Replayed))
            .count();
        assert_eq!(
            (won, replayed),
            (1, THREADS - 1),
            "round {round}: {results:?}"
        );
        let state = stored_state(&fx.main, p.id);
        assert_eq!(state.last_step(), Some(step), "round {round}");
        // A replay is a right code: no failure stored, no back-off started,
        // so the user who just signed in is not throttled.
        assert_eq!(
            (state.failures(), state.blocked_until()),
            (0, None),
            "round {round}"
        );
    }
}

#[test]
fn a_double_submit_under_the_default_throttle_throttles_nobody() {
    let fx = fixture("double-submit", Guard::new(Totp::new()));
    let rounds = race(&fx, |_, users, p| {
        login(users, &fx.config, p.id, &p.code, at(NOW))
    });
    for (round, (p, results)) in fx.people.iter().zip(&rounds).enumerate() {
        let won = results.iter().filter(accepted(Method::Totp)).count();
        let replayed = results
            .iter()
            .filter(|r| **r == refused(Refusal::Replayed))
            .count();
        assert_eq!(
            (won, replayed),
            (1, THREADS - 1),
            "round {round}: {results:?}"
        );
        let state = stored_state(&fx.main, p.id);
        assert_eq!(fx.guard.blocked(at(NOW), &state), None, "round {round}");
    }
}

#[test]
fn same_backup_code_redeems_exactly_once() {
    let fx = fixture("backup-same", guard_locking_at(100));
    let rounds = race(&fx, |_, users, p| {
        login(users, &fx.config, p.id, &p.backup[0], at(NOW))
    });
    let count = Policy::DEFAULT.count();
    for (round, (p, results)) in fx.people.iter().zip(&rounds).enumerate() {
        let won: Vec<_> = results
            .iter()
            .filter(accepted(Method::BackupCode))
            .collect();
        let used = results
            .iter()
            .filter(|r| **r == refused(Refusal::Used))
            .count();
        assert_eq!(
            (won.len(), used),
            (1, THREADS - 1),
            "round {round}: {results:?}"
        );
        assert!(
            matches!(won[0], Ok(LoginOutcome::Accepted { backup_codes_left: Some(left), .. }) if *left == count - 1),
            "round {round}: {won:?}"
        );
        let set = stored_set(&fx.main, p.id);
        assert_eq!(set.used_slots().collect::<Vec<_>>(), [0], "round {round}");
        // Generation 1 from regenerating, one redemption.
        assert_eq!(
            (set.remaining(), set.generation()),
            (count - 1, 2),
            "round {round}"
        );
        // The redemption cleared the failures before any refusal could be
        // counted (a refusal needs the spent set), and no refusal was lost.
        assert_eq!(
            stored_state(&fx.main, p.id).failures(),
            (THREADS - 1) as u32
        );
    }
}

#[test]
fn distinct_backup_codes_are_each_spent_exactly_once() {
    // Threads 0..6 hold distinct codes; threads 6 and 7 repeat codes 0 and 1.
    const DISTINCT: usize = 6;
    let fx = fixture("backup-mix", guard_locking_at(100));
    let rounds = race(&fx, |t, users, p| {
        login(users, &fx.config, p.id, &p.backup[t % DISTINCT], at(NOW))
    });
    let count = Policy::DEFAULT.count();
    for (round, (p, results)) in fx.people.iter().zip(&rounds).enumerate() {
        let mut remaining = Vec::new();
        for (t, r) in results.iter().enumerate() {
            match r {
                Ok(LoginOutcome::Accepted {
                    method: Method::BackupCode,
                    backup_codes_left: Some(left),
                    ..
                }) => {
                    assert!(
                        t < DISTINCT || results[t - DISTINCT] == refused(Refusal::Used),
                        "round {round}"
                    );
                    remaining.push(*left);
                }
                r if *r == refused(Refusal::Used) => {}
                other => panic!("round {round}, thread {t}: {other:?}"),
            }
        }
        remaining.sort_unstable();
        // Each redemption saw its own count: the sets were applied one by one.
        assert_eq!(
            remaining,
            (count - DISTINCT..count).collect::<Vec<_>>(),
            "round {round}: {results:?}"
        );
        let set = stored_set(&fx.main, p.id);
        assert_eq!(
            set.used_slots().collect::<Vec<_>>(),
            (0..DISTINCT).collect::<Vec<_>>(),
            "round {round}"
        );
        assert_eq!(set.remaining(), count - DISTINCT, "round {round}");
        assert_eq!(set.generation(), 1 + DISTINCT as u64, "round {round}");
    }
}

/// `n` six-digit codes that match no step within ±2 of `NOW` for this app.
fn wrong_codes(app: &KeyedTotp, salt: u64, n: usize) -> Vec<String> {
    let step = Totp::new().step_at(at(NOW)).unwrap();
    let near: Vec<u64> = (step - 2..=step + 2)
        .map(|s| app.code_at_step(s).value())
        .collect();
    (0u64..)
        .map(|i| (salt * 7919 + i * 104_729) % 1_000_000)
        .filter(|v| !near.contains(v))
        .take(n)
        .map(|v| format!("{v:06}"))
        .collect()
}

#[test]
fn brute_force_failures_are_never_lost() {
    // Even threads guess TOTP codes, odd threads guess backup codes, in the
    // same input field; the throttle neither backs off nor locks, so every
    // attempt is evaluated and must be counted.
    const ATTEMPTS: usize = 2;
    let fx = fixture("brute", guard_locking_at(100));
    let rounds = race(&fx, |t, users, p| {
        let salt = (p.id as u64) * 64 + t as u64;
        (0..ATTEMPTS)
            .map(|k| {
                let guess = if t % 2 == 0 {
                    wrong_codes(&p.app, salt, ATTEMPTS)[k].clone()
                } else {
                    format!("{salt:020}{k:04}") // 24 symbols, in no set
                };
                login(users, &fx.config, p.id, &guess, at(NOW))
            })
            .collect::<Vec<_>>()
    });
    for (round, (p, results)) in fx.people.iter().zip(&rounds).enumerate() {
        assert!(
            results
                .iter()
                .flatten()
                .all(|r| *r == refused(Refusal::Wrong)),
            "round {round}: {results:?}"
        );
        let state = stored_state(&fx.main, p.id);
        assert_eq!(
            state.failures() as usize,
            THREADS * ATTEMPTS,
            "round {round}: lost update"
        );
    }
}

#[test]
fn lock_holds_under_a_burst_and_a_backup_code_releases_it() {
    // 16 wrong codes against a lock at 12: exactly 12 are evaluated and
    // counted, the other 4 are refused unseen.
    const LOCK: u32 = 12;
    const ATTEMPTS: usize = 2;
    let fx = fixture("lock", guard_locking_at(LOCK));
    let rounds = race(&fx, |t, users, p| {
        let salt = (p.id as u64) * 64 + t as u64;
        wrong_codes(&p.app, salt, ATTEMPTS)
            .iter()
            .map(|guess| login(users, &fx.config, p.id, guess, at(NOW)))
            .collect::<Vec<_>>()
    });
    let mut main = open(&fx.db);
    for (round, (p, results)) in fx.people.iter().zip(&rounds).enumerate() {
        let all: Vec<_> = results.iter().flatten().collect();
        let wrong = all
            .iter()
            .filter(|r| ***r == refused(Refusal::Wrong))
            .count();
        let locked = all
            .iter()
            .filter(|r| ***r == Ok(LoginOutcome::Locked))
            .count();
        assert_eq!(
            (wrong, locked),
            (LOCK as usize, THREADS * ATTEMPTS - LOCK as usize),
            "round {round}: {all:?}"
        );
        let before = main.record(p.id).unwrap();
        assert_eq!(stored_state(&main, p.id).failures(), LOCK, "round {round}");
        // Locked: even the right code is refused unseen, and nothing is written.
        assert_eq!(
            login(&mut main, &fx.config, p.id, &p.code, at(NOW)),
            Ok(LoginOutcome::Locked)
        );
        assert_eq!(main.record(p.id).unwrap(), before);
        // A backup code is the way out, once the maximum back-off that the
        // locking failure started has passed: refused unseen before it.
        let throttled = login(&mut main, &fx.config, p.id, &p.backup[3], at(NOW));
        assert!(
            matches!(throttled, Ok(LoginOutcome::Throttled { .. })),
            "{throttled:?}"
        );
        assert_eq!(main.record(p.id).unwrap(), before);
        let later = NOW + fx.guard.throttle().max_delay().whole_seconds() as u64;
        let recovery = login(&mut main, &fx.config, p.id, &p.backup[3], at(later));
        assert!(
            accepted(Method::BackupCode)(&&recovery),
            "round {round}: {recovery:?}"
        );
        assert_eq!(
            stored_set(&main, p.id).used_slots().collect::<Vec<_>>(),
            [3]
        );
        assert_eq!(stored_state(&main, p.id).failures(), 0);
        let code = p.app.generate(at(later)).unwrap().to_string();
        let again = login(&mut main, &fx.config, p.id, &code, at(later));
        assert!(accepted(Method::Totp)(&&again), "round {round}: {again:?}");
    }
}

/// The bug the condition prevents: read, decide, then write without
/// `AND account = :old`, so a concurrent write is silently overwritten.
fn login_without_condition(
    users: &Users,
    config: &Config,
    p: &Person,
    input: &str,
) -> store::Result<LoginOutcome> {
    let uid = store::user_id(p.id);
    let user = User::new(&uid)?;
    let attempt = Binding::new(Purpose::Login, &SESSION)?;
    let old: Account = users.record(p.id)?.ok_or("no record")?.parse()?;
    let (outcome, next) = account::login(config, &user, &attempt, input, at(NOW), &old)?;
    let sql = "UPDATE users SET account = ?1 WHERE id = ?2";
    users.conn.execute(sql, (next.to_string(), p.id))?;
    Ok(outcome)
}

#[test]
fn negative_control_without_the_condition_a_code_is_spent_twice() {
    let fx = fixture("control", guard_locking_at(100));
    let rounds = race(&fx, |_, users, p| {
        login_without_condition(users, &fx.config, p, &p.code).map_err(|e| e.to_string())
    });
    let won =
        |r: &Vec<Result<LoginOutcome, String>>| r.iter().filter(accepted(Method::Totp)).count();
    assert!(rounds.iter().flatten().all(Result::is_ok), "{rounds:?}");
    assert!(rounds.iter().all(|r| won(r) >= 1));
    let doubled = rounds.iter().filter(|r| won(r) > 1).count();
    eprintln!("negative control: {doubled} of {ROUNDS} rounds let one code in more than once");
    assert!(
        doubled > 0,
        "the harness never raced: the tests above would prove nothing"
    );
}
