//! Concurrency proof for delivered codes against a real database: the
//! account record in one SQLite text column (`examples/sqlite_store.rs`),
//! every change written by the account layer's compare-and-swap driver,
//! raced by `THREADS` threads with one connection each (WAL, busy timeout, a
//! file in the temporary directory), released together by a barrier.
//!
//! Two races: the same right code typed at once (exactly one is accepted),
//! and "resend" pressed at once, over simulated hours (the cooldown and both
//! send caps hold: no more messages are issued than the policy allows).
#![cfg(feature = "account")]
#![expect(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::cast_sign_loss,
    reason = "test code: unwraps and indexes, panics on a broken invariant, computes on known values"
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

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use store::Users;
use twostep::account::{
    self, Account, AccountError, Config, LoginOutcome, Method, Phone, Refusal, RunError, User,
};
use twostep::delivered::{
    self, Binding, Channel, Hint, IssueError, MessageId, Policy, Purpose, Reason,
};
use twostep::guard::Throttle;
use twostep::{Guard, Totp, UnixTime};

const THREADS: usize = 8;
/// Rounds of the verify race, one fresh user each.
const ROUNDS: usize = 100;
/// 2026-11-27T12:00:00Z.
const START: u64 = 1_795_780_800;

#[path = "support/temp_db.rs"]
mod temp_db;

use temp_db::TempDb;

/// The configuration: a throttle that never backs off (so the refusals of
/// the losers are exact), the default delivered-code policy.
fn config() -> Config {
    let throttle = Throttle::DEFAULT
        .with_lock_after(100)
        .unwrap()
        .with_free_attempts(100)
        .unwrap();
    store::config(Guard::new(Totp::new()).with_throttle(throttle)).unwrap()
}

/// The login: one driver call.
fn login(
    users: &mut Users,
    config: &Config,
    id: i64,
    session: &[u8],
    typed: &str,
    now: UnixTime,
) -> Result<LoginOutcome, String> {
    let uid = store::user_id(id);
    let user = User::new(&uid).unwrap();
    let attempt = Binding::new(Purpose::Login, session).unwrap();
    account::run(users, &id, |r| {
        account::login(config, &user, &attempt, typed, now, r)
    })
    .map_err(|e| e.to_string())
}

/// "Send me a new code": one driver call; a refusal by the cooldown or a
/// cap is the operation's error.
fn resend(
    users: &mut Users,
    config: &Config,
    id: i64,
    session: &[u8],
    now: UnixTime,
    rng: &mut ChaCha20Rng,
) -> Result<Result<MessageId, IssueError>, String> {
    let attempt = Binding::new(Purpose::Login, session).unwrap();
    match account::run(users, &id, |r| {
        account::send_code(config, &attempt, Reason::UserResend, now, rng, r)
    }) {
        Ok(message) => Ok(Ok(message.id())),
        Err(RunError::Operation(AccountError::Issue(e))) => Ok(Err(e)),
        Err(e) => Err(e.to_string()),
    }
}

fn without_condition(
    users: &Users,
    config: &Config,
    id: i64,
    session: &[u8],
    typed: &str,
    now: UnixTime,
) -> store::Result<LoginOutcome> {
    let uid = store::user_id(id);
    let user = User::new(&uid)?;
    let attempt = Binding::new(Purpose::Login, session)?;
    let old: Account = users.record(id)?.ok_or("no record")?.parse()?;
    let (outcome, next) = account::login(config, &user, &attempt, typed, now, &old)?;
    users.conn.execute(
        "UPDATE users SET account = ?1 WHERE id = ?2",
        (next.to_string(), id),
    )?;
    Ok(outcome)
}

/// A user with a confirmed phone (its confirmation code sent two minutes
/// before `at`), and a login code sent for `session` at `at`: the record's
/// id and the code.
fn user_with_a_code(
    main: &mut Users,
    config: &Config,
    name: &str,
    session: &[u8],
    at: u64,
    rng: &mut ChaCha20Rng,
) -> (i64, String) {
    let id = main.insert(name).unwrap();
    let phone = Phone::new(Channel::Sms, Hint::new("**42").unwrap()).unwrap();
    let confirm = Binding::new(Purpose::ConfirmPhone, b"settings").unwrap();
    let before = UnixTime::from_secs(at - 120);
    let message = account::run(main, &id, |r| {
        let r = account::begin_phone(phone, r);
        account::send_code(config, &confirm, Reason::PhoneChange, before, rng, &r)
    })
    .unwrap();
    let typed = message.code().to_string();
    let confirmed = account::run(main, &id, |r| {
        account::confirm_phone(config, &confirm, &typed, before, r)
    })
    .unwrap();
    assert!(confirmed.is_confirmed());
    let attempt = Binding::new(Purpose::Login, session).unwrap();
    let message = account::run(main, &id, |r| {
        account::send_code(
            config,
            &attempt,
            Reason::LoginStarted,
            UnixTime::from_secs(at),
            rng,
            r,
        )
    })
    .unwrap();
    (id, message.code().to_string())
}

fn stored(users: &Users, id: i64) -> Account {
    users.record(id).unwrap().unwrap().parse().unwrap()
}

fn race<R: Send>(
    db: &TempDb,
    ticks: usize,
    attempt: impl Fn(usize, &mut Users, usize) -> R + Sync,
) -> Vec<Vec<R>> {
    let workers: Vec<Users> = (0..THREADS).map(|_| Users::open(&db.0).unwrap()).collect();
    let barrier = Barrier::new(THREADS);
    let (barrier, attempt) = (&barrier, &attempt);
    let per_thread: Vec<Vec<R>> = thread::scope(|s| {
        let handles: Vec<_> = workers
            .into_iter()
            .enumerate()
            .map(|(t, mut users)| {
                s.spawn(move || {
                    (0..ticks)
                        .map(|tick| {
                            barrier.wait();
                            attempt(t, &mut users, tick)
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
fn users_with_a_code(
    main: &mut Users,
    config: &Config,
    sessions: &[[u8; 32]],
) -> Vec<(i64, String)> {
    let mut rng = ChaCha20Rng::seed_from_u64(16);
    main.conn.execute_batch("BEGIN").unwrap();
    let users = sessions
        .iter()
        .enumerate()
        .map(|(n, s)| user_with_a_code(main, config, &format!("user{n}"), s, START, &mut rng))
        .collect();
    main.conn.execute_batch("COMMIT").unwrap();
    users
}

#[test]
fn same_sms_code_typed_at_once_is_accepted_exactly_once() {
    let db = TempDb::new("concurrency-delivered", "verify");
    let mut main = Users::open(&db.0).unwrap();
    let config = config();
    let sessions: Vec<[u8; 32]> = (0..ROUNDS).map(session).collect();
    let users = users_with_a_code(&mut main, &config, &sessions);
    let now = UnixTime::from_secs(START + 40);
    let rounds = race(&db, ROUNDS, |_, store, round| {
        let (id, code) = &users[round];
        login(store, &config, *id, &sessions[round], code, now)
    });
    for (round, results) in rounds.iter().enumerate() {
        let accepted = results
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    Ok(LoginOutcome::Accepted {
                        method: Method::Delivered,
                        ..
                    })
                )
            })
            .count();
        let used = results
            .iter()
            .filter(|r| {
                **r == Ok(LoginOutcome::Refused {
                    reason: Refusal::Used,
                })
            })
            .count();
        assert_eq!(
            (accepted, used),
            (1, THREADS - 1),
            "round {round}: {results:?}"
        );
        let account = stored(&main, users[round].0);
        assert_eq!(account.delivered().checks(), 1, "round {round}");
        assert_eq!(
            account.delivered().code_expires_at(),
            None,
            "round {round}: not used"
        );
        // The winner cleared the failures first; every loser was counted.
        assert_eq!(
            account.guard().failures() as usize,
            THREADS - 1,
            "round {round}"
        );
    }
}

#[test]
fn negative_control_without_the_condition_a_code_is_accepted_twice() {
    let db = TempDb::new("concurrency-delivered", "control");
    let mut main = Users::open(&db.0).unwrap();
    let config = config();
    let sessions: Vec<[u8; 32]> = (0..ROUNDS).map(session).collect();
    let users = users_with_a_code(&mut main, &config, &sessions);
    let now = UnixTime::from_secs(START + 40);
    let rounds = race(&db, ROUNDS, |_, store, round| {
        let (id, code) = &users[round];
        without_condition(store, &config, *id, &sessions[round], code, now)
            .map_err(|e| e.to_string())
    });
    assert!(rounds.iter().flatten().all(std::result::Result::is_ok));
    let accepted = |r: &Vec<std::result::Result<LoginOutcome, String>>| {
        r.iter()
            .filter(|o| matches!(o, Ok(o) if o.is_accepted()))
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
    let mut main = Users::open(&db.0).unwrap();
    let config = config();
    let key = config.delivered_key();
    let attempt = session(0);
    let binding = Binding::new(Purpose::Login, &attempt).unwrap();
    let policy = Policy::DEFAULT;
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (id, _) = user_with_a_code(&mut main, &config, "ana", &attempt, START - 60, &mut rng);
    let initial = stored(&main, id);
    let first = initial.delivered().latest().unwrap().id();
    let times = resend_times();
    let rounds = race(&db, times.len(), |t, store, tick| {
        let mut rng = ChaCha20Rng::seed_from_u64((tick * THREADS + t) as u64);
        resend(
            store,
            &config,
            id,
            &attempt,
            UnixTime::from_secs(times[tick]),
            &mut rng,
        )
    });

    let mut sent = vec![START - 60];
    let mut ids = vec![first.get()];
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
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "message ids {ids:?}");
    let stored = stored(&main, id);
    let latest = stored.delivered().latest().unwrap();
    assert_eq!(latest.id().get(), *ids.last().unwrap());
    assert_eq!(latest.at().as_secs(), *sent.last().unwrap());

    let cooldown = policy.cooldown().whole_seconds() as u64;
    assert!(
        sent.windows(2).all(|w| w[1] - w[0] >= cooldown),
        "cooldown broken: {sent:?}"
    );
    // The phone confirmation two minutes before the first login code also
    // counts toward the caps, as in the record.
    let mut all = vec![START - 180];
    all.extend(&sent);
    for cap in [policy.short_cap(), policy.long_cap()] {
        let window = cap.window().whole_seconds() as u64;
        let most = most_in_a_window(&all, window);
        assert_eq!(
            most,
            cap.sends() as usize,
            "{} per {window} s: {all:?}",
            cap.sends()
        );
    }
    assert!(sent.iter().any(|&t| t >= START + 86_400 - 1_200));

    // The same presses one at a time, on the delivered state alone, send at
    // the same instants: the race changed nothing.
    let mut state = initial.delivered().clone();
    let mut alone = vec![START - 60];
    for &t in &times {
        let now = UnixTime::from_secs(t);
        if let Ok((_, next)) = delivered::issue(
            &policy,
            key,
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
