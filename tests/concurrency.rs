//! Concurrency proof against a real database: the compare-and-swap of
//! `examples/sqlite_store.rs`, raced by `THREADS` threads with one SQLite
//! connection each (WAL, busy timeout, a file in the temporary directory),
//! released together by a barrier, for `ROUNDS` rounds with a fresh user per
//! round. Invariants are checked for every round. A negative control shows
//! that the same harness catches a double spend when the condition is
//! dropped from the `UPDATE`.
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
use store::{Recovery, Users};
use twostep::backup::{CodeSet, Policy};
use twostep::guard::{Outcome, State as GuardState, Throttle};
use twostep::otp::KeyedTotp;
use twostep::{Guard, Secret, Totp, UnixTime};

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
fn open(db: &TempDb, guard: Guard) -> Users {
    Users::open(&db.0, guard, Policy::DEFAULT).unwrap()
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

/// One round's fresh user, enrolled with its first code a minute before `NOW`.
struct Account {
    id: i64,
    secret: Secret,
    phone: KeyedTotp,
    /// The code the phone shows at `NOW`: valid and never used.
    code: String,
    /// The plaintext backup codes, in slot order.
    backup: Vec<String>,
}

/// Fields drop in order: the connection closes before the file is removed.
struct Fixture {
    main: Users,
    accounts: Vec<Account>,
    db: TempDb,
}

/// The database, one connection for setup and checks, and `ROUNDS` users
/// (inserted in one transaction).
fn fixture(test: &str, guard: Guard) -> Fixture {
    let db = TempDb::new("concurrency", test);
    let main = open(&db, guard);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(10);
    main.conn.execute_batch("BEGIN").unwrap();
    let accounts = (0..ROUNDS)
        .map(|round| {
            let secret = Secret::generate(&mut rng);
            let phone = guard.totp().key(&secret);
            let first = phone.generate(at(NOW - 60)).unwrap().to_string();
            let (confirmed, state) = guard
                .check(&secret, &first, at(NOW - 60), &GuardState::new())
                .unwrap();
            assert!(confirmed.is_accepted());
            let (codes, set) = CodeSet::generate(&main.policy, &mut rng).unwrap();
            let id = main
                .enrol(&format!("user{round}"), &secret, &state, &set)
                .unwrap();
            let code = phone.generate(at(NOW)).unwrap().to_string();
            let backup = codes.iter().map(|c| c.to_string()).collect();
            Account {
                id,
                secret,
                phone,
                code,
                backup,
            }
        })
        .collect();
    main.conn.execute_batch("COMMIT").unwrap();
    Fixture { main, accounts, db }
}

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

/// Runs every round: `THREADS` threads, each with its own connection, wait
/// at a barrier, then all call `attempt(thread, connection, account)` at
/// once. Returns each round's results in thread order. Nothing in a worker
/// panics (errors are values), so a failure cannot leave the others waiting
/// at the barrier.
fn race<R: Send>(
    fx: &Fixture,
    attempt: impl Fn(usize, &Users, &Account) -> R + Sync,
) -> Vec<Vec<R>> {
    let guard = fx.main.guard;
    let workers: Vec<Users> = (0..THREADS).map(|_| open(&fx.db, guard)).collect();
    let barrier = Barrier::new(THREADS);
    let (barrier, attempt, accounts) = (&barrier, &attempt, &fx.accounts);
    let per_thread: Vec<Vec<R>> = thread::scope(|s| {
        let handles: Vec<_> = workers
            .into_iter()
            .enumerate()
            .map(|(t, users)| {
                s.spawn(move || {
                    let mut results = Vec::with_capacity(accounts.len());
                    for account in accounts {
                        barrier.wait();
                        results.push(attempt(t, &users, account));
                    }
                    results
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut columns: Vec<_> = per_thread.into_iter().map(Vec::into_iter).collect();
    (0..accounts.len())
        .map(|_| columns.iter_mut().map(|c| c.next().unwrap()).collect())
        .collect()
}

fn stored_state(users: &Users, id: i64) -> GuardState {
    users.load(id).unwrap().1.parse().unwrap()
}

fn stored_set(users: &Users, id: i64) -> CodeSet {
    users.load(id).unwrap().2.unwrap().parse().unwrap()
}

#[test]
fn same_totp_code_logs_in_exactly_once() {
    let fx = fixture("totp", guard_locking_at(100));
    let rounds = race(&fx, |_, users, account| {
        users
            .login(account.id, &account.code, at(NOW))
            .map_err(|e| e.to_string())
    });
    let main = &fx.main;
    for (round, (account, results)) in fx.accounts.iter().zip(&rounds).enumerate() {
        let accepted: Vec<_> = results
            .iter()
            .filter_map(|r| match r {
                Ok(Outcome::Accepted(m)) => Some(m.step()),
                _ => None,
            })
            .collect();
        let replayed = results
            .iter()
            .filter(|r| matches!(r, Ok(Outcome::Replayed)))
            .count();
        assert_eq!(accepted.len(), 1, "round {round}: {results:?}");
        assert_eq!(replayed, THREADS - 1, "round {round}: {results:?}");
        let state = stored_state(main, account.id);
        assert_eq!(
            state.last_step(),
            accepted.first().copied(),
            "round {round}"
        );
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
    let rounds = race(&fx, |_, users, account| {
        users
            .login(account.id, &account.code, at(NOW))
            .map_err(|e| e.to_string())
    });
    for (round, (account, results)) in fx.accounts.iter().zip(&rounds).enumerate() {
        let accepted = results
            .iter()
            .filter(|r| matches!(r, Ok(Outcome::Accepted(_))))
            .count();
        let replayed = results
            .iter()
            .filter(|r| matches!(r, Ok(Outcome::Replayed)))
            .count();
        assert_eq!(
            (accepted, replayed),
            (1, THREADS - 1),
            "round {round}: {results:?}"
        );
        let state = stored_state(&fx.main, account.id);
        assert_eq!(
            fx.main.guard.blocked(at(NOW), &state),
            None,
            "round {round}"
        );
    }
}

#[test]
fn same_backup_code_redeems_exactly_once() {
    let fx = fixture("backup-same", guard_locking_at(100));
    let rounds = race(&fx, |_, users, account| {
        users
            .redeem_backup(account.id, &account.backup[0], at(NOW))
            .map_err(|e| e.to_string())
    });
    let count = Policy::DEFAULT.count();
    let main = &fx.main;
    for (round, (account, results)) in fx.accounts.iter().zip(&rounds).enumerate() {
        let redeemed = results
            .iter()
            .filter(|r| matches!(r, Ok(Recovery::Redeemed { .. })))
            .count();
        let used = results
            .iter()
            .filter(|r| matches!(r, Ok(Recovery::AlreadyUsed)))
            .count();
        assert_eq!(
            (redeemed, used),
            (1, THREADS - 1),
            "round {round}: {results:?}"
        );
        assert!(results.contains(&Ok(Recovery::Redeemed {
            slot: 0,
            remaining: count - 1
        })));
        let set = stored_set(main, account.id);
        assert_eq!(set.used_slots().collect::<Vec<_>>(), [0], "round {round}");
        assert_eq!(
            (set.remaining(), set.generation()),
            (count - 1, 2),
            "round {round}"
        );
        // The redemption cleared the failures before any refusal could be
        // counted (a refusal needs the spent set), and no refusal was lost.
        assert_eq!(
            stored_state(main, account.id).failures(),
            (THREADS - 1) as u32
        );
    }
}

#[test]
fn distinct_backup_codes_are_each_spent_exactly_once() {
    // Threads 0..6 hold distinct codes; threads 6 and 7 repeat codes 0 and 1.
    const DISTINCT: usize = 6;
    let fx = fixture("backup-mix", guard_locking_at(100));
    let rounds = race(&fx, |t, users, account| {
        let code = &account.backup[t % DISTINCT];
        users
            .redeem_backup(account.id, code, at(NOW))
            .map_err(|e| e.to_string())
    });
    let count = Policy::DEFAULT.count();
    let main = &fx.main;
    for (round, (account, results)) in fx.accounts.iter().zip(&rounds).enumerate() {
        let mut slots = Vec::new();
        let mut remaining = Vec::new();
        for (t, r) in results.iter().enumerate() {
            match r {
                Ok(Recovery::Redeemed {
                    slot,
                    remaining: left,
                }) => {
                    assert_eq!(
                        *slot,
                        t % DISTINCT,
                        "round {round}: the wrong slot was spent"
                    );
                    slots.push(*slot);
                    remaining.push(*left);
                }
                Ok(Recovery::AlreadyUsed) => {}
                other => panic!("round {round}, thread {t}: {other:?}"),
            }
        }
        slots.sort_unstable();
        remaining.sort_unstable();
        assert_eq!(
            slots,
            (0..DISTINCT).collect::<Vec<_>>(),
            "round {round}: {results:?}"
        );
        // Each redemption saw its own count: the sets were applied one by one.
        assert_eq!(
            remaining,
            (count - DISTINCT..count).collect::<Vec<_>>(),
            "round {round}"
        );
        let set = stored_set(main, account.id);
        assert_eq!(set.used_slots().collect::<Vec<_>>(), slots, "round {round}");
        assert_eq!(set.remaining(), count - DISTINCT, "round {round}");
        assert_eq!(set.generation(), 1 + DISTINCT as u64, "round {round}");
    }
}

/// `n` six-digit codes that match no step within ±2 of `NOW` for this phone.
fn wrong_codes(phone: &KeyedTotp, salt: u64, n: usize) -> Vec<String> {
    let step = Totp::new().step_at(at(NOW)).unwrap();
    let near: Vec<u64> = (step - 2..=step + 2)
        .map(|s| phone.code_at_step(s).value())
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
    // Even threads guess TOTP codes, odd threads guess backup codes; the
    // throttle neither backs off nor locks, so every attempt is evaluated
    // and must be counted.
    const ATTEMPTS: usize = 2;
    let fx = fixture("brute", guard_locking_at(100));
    let rounds = race(&fx, |t, users, account| {
        let salt = (account.id as u64) * 64 + t as u64;
        (0..ATTEMPTS)
            .map(|k| {
                if t % 2 == 0 {
                    let guess = &wrong_codes(&account.phone, salt, ATTEMPTS)[k];
                    users
                        .login(account.id, guess, at(NOW))
                        .map(|o| o == Outcome::Invalid)
                } else {
                    let guess = format!("{salt:020}{k:04}"); // 24 symbols, in no set
                    let r = users.redeem_backup(account.id, &guess, at(NOW));
                    r.map(|o| o == Recovery::Invalid)
                }
                .map_err(|e| e.to_string())
            })
            .collect::<Vec<_>>()
    });
    let main = &fx.main;
    for (round, (account, results)) in fx.accounts.iter().zip(&rounds).enumerate() {
        let all: Vec<_> = results.iter().flatten().collect();
        assert!(
            all.iter().all(|r| **r == Ok(true)),
            "round {round}: {results:?}"
        );
        let state = stored_state(main, account.id);
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
    let rounds = race(&fx, |t, users, account| {
        let salt = (account.id as u64) * 64 + t as u64;
        wrong_codes(&account.phone, salt, ATTEMPTS)
            .iter()
            .map(|guess| {
                users
                    .login(account.id, guess, at(NOW))
                    .map_err(|e| e.to_string())
            })
            .collect::<Vec<_>>()
    });
    let main = &fx.main;
    for (round, (account, results)) in fx.accounts.iter().zip(&rounds).enumerate() {
        let all: Vec<_> = results.iter().flatten().collect();
        let invalid = all.iter().filter(|r| ***r == Ok(Outcome::Invalid)).count();
        let locked = all.iter().filter(|r| ***r == Ok(Outcome::Locked)).count();
        assert_eq!(
            (invalid, locked),
            (LOCK as usize, THREADS * ATTEMPTS - LOCK as usize),
            "round {round}: {all:?}"
        );
        let state = stored_state(main, account.id);
        assert_eq!(state.failures(), LOCK, "round {round}");
        // Locked: even the right code is refused unseen, and nothing is written.
        assert_eq!(
            main.login(account.id, &account.code, at(NOW)).unwrap(),
            Outcome::Locked
        );
        assert_eq!(stored_state(main, account.id), state);
        // A backup code is the way out, once the maximum back-off that the
        // locking failure started has passed: refused unseen before it.
        assert_eq!(
            main.redeem_backup(account.id, &account.backup[3], at(NOW))
                .unwrap(),
            Recovery::Throttled
        );
        assert_eq!(stored_state(main, account.id), state);
        let later = NOW + main.guard.throttle().max_delay().whole_seconds() as u64;
        let recovery = main
            .redeem_backup(account.id, &account.backup[3], at(later))
            .unwrap();
        assert!(
            matches!(recovery, Recovery::Redeemed { slot: 3, .. }),
            "round {round}"
        );
        assert_eq!(stored_state(main, account.id).failures(), 0);
        let code = account.phone.generate(at(later)).unwrap().to_string();
        assert!(
            main.login(account.id, &code, at(later))
                .unwrap()
                .is_accepted()
        );
    }
}

/// The bug the condition prevents: read, decide, then write without
/// `AND guard_state = :old`, so a concurrent write is silently overwritten.
fn login_without_condition(
    users: &Users,
    account: &Account,
    input: &str,
) -> store::Result<Outcome> {
    let (_, old, _) = users.load(account.id)?;
    let state: GuardState = old.parse()?;
    let (outcome, next) = users.guard.check(&account.secret, input, at(NOW), &state)?;
    let sql = "UPDATE users SET guard_state = ?1 WHERE id = ?2";
    users.conn.execute(sql, (next.to_string(), account.id))?;
    Ok(outcome)
}

#[test]
fn negative_control_without_the_condition_a_code_is_spent_twice() {
    let fx = fixture("control", guard_locking_at(100));
    let rounds = race(&fx, |_, users, account| {
        login_without_condition(users, account, &account.code).map_err(|e| e.to_string())
    });
    let accepted = |r: &Vec<Result<Outcome, String>>| {
        r.iter()
            .filter(|o| matches!(o, Ok(Outcome::Accepted(_))))
            .count()
    };
    assert!(rounds.iter().flatten().all(Result::is_ok), "{rounds:?}");
    assert!(rounds.iter().all(|r| accepted(r) >= 1));
    let doubled = rounds.iter().filter(|r| accepted(r) > 1).count();
    eprintln!("negative control: {doubled} of {ROUNDS} rounds let one code in more than once");
    assert!(
        doubled > 0,
        "the harness never raced: the tests above would prove nothing"
    );
}
