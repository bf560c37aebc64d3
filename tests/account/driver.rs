//! The compare-and-swap driver: no write when nothing changed, a retry on
//! every lost race with the operation run again on the new record, bounded
//! tries, errors passed through; the async driver on a tiny executor.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use twostep::account::{self, Account, AccountError, AsyncStore, MAX_TRIES, RunError, Store};

/// A store in memory that counts calls and can lose races on purpose: each
/// of the first `interfere` swaps finds the record changed by "another
/// request" (which bumps the epoch) and fails.
#[derive(Default)]
struct Memory {
    rows: HashMap<u32, String>,
    loads: usize,
    swaps: usize,
    interfere: usize,
}

impl Memory {
    fn load_now(&mut self, id: u32) -> Option<String> {
        self.loads += 1;
        self.rows.get(&id).cloned()
    }

    fn swap_now(&mut self, id: u32, old: Option<&str>, new: &str) -> bool {
        self.swaps += 1;
        if self.interfere > 0 {
            self.interfere -= 1;
            let current: Account = self
                .rows
                .get(&id)
                .map_or(Account::new(), |t| t.parse().unwrap());
            self.rows
                .insert(id, account::sign_out_everywhere(&current).to_string());
            return false;
        }
        if self.rows.get(&id).map(String::as_str) != old {
            return false;
        }
        self.rows.insert(id, new.to_owned());
        true
    }
}

impl Store for Memory {
    type Id = u32;
    type Error = std::convert::Infallible;
    fn load(&mut self, id: &u32) -> Result<Option<String>, Self::Error> {
        Ok(self.load_now(*id))
    }
    fn swap(&mut self, id: &u32, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
        Ok(self.swap_now(*id, old, new))
    }
}

impl AsyncStore for Memory {
    type Id = u32;
    type Error = std::convert::Infallible;
    async fn load(&mut self, id: &u32) -> Result<Option<String>, Self::Error> {
        Yield(false).await; // a real client suspends here
        Ok(self.load_now(*id))
    }
    async fn swap(&mut self, id: &u32, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
        Yield(false).await;
        Ok(self.swap_now(*id, old, new))
    }
}

/// A future that is pending once, waking itself.
struct Yield(bool);

impl Future for Yield {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// The smallest executor: polls until ready (the futures here wake
/// themselves). A test dependency on `pollster` or `futures` would do the
/// same; twenty lines keep the dev-dependencies as they are.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn bump(r: &Account) -> Result<(u64, Account), AccountError> {
    let next = account::sign_out_everywhere(r);
    Ok((next.device_epoch(), next))
}

#[test]
fn an_unchanged_record_is_not_written() {
    let mut store = Memory::default();
    let left = account::run(&mut store, &1, |r| {
        Ok::<_, AccountError>((r.devices().count(), r.clone()))
    })
    .unwrap();
    assert_eq!((left, store.loads, store.swaps), (0, 1, 0));
    assert!(store.rows.is_empty(), "no row for a user without a record");
}

#[test]
fn a_lost_race_runs_the_operation_again_on_the_new_record() {
    let mut store = Memory {
        interfere: 3,
        ..Memory::default()
    };
    let runs = Cell::new(0);
    let epoch = account::run(&mut store, &1, |r| {
        runs.set(runs.get() + 1);
        bump(r)
    })
    .unwrap();
    // Three interfering bumps, then ours on top of them.
    assert_eq!((epoch, runs.get(), store.swaps), (4, 4, 4));
    let stored: Account = store.rows[&1].parse().unwrap();
    assert_eq!(stored.device_epoch(), 4);
}

#[test]
fn contention_is_bounded() {
    let mut store = Memory {
        interfere: usize::MAX,
        ..Memory::default()
    };
    let r = account::run(&mut store, &1, bump);
    assert!(matches!(r, Err(RunError::Contention { tries: MAX_TRIES })));
    assert_eq!(store.swaps, MAX_TRIES);
}

#[test]
fn operation_and_record_errors_write_nothing() {
    let mut store = Memory::default();
    let r = account::run(&mut store, &1, |_| {
        Err::<((), Account), _>(AccountError::NoPhone)
    });
    assert!(matches!(r, Err(RunError::Operation(AccountError::NoPhone))));
    store.rows.insert(2, "not a record".into());
    let r = account::run(&mut store, &2, bump);
    assert!(matches!(r, Err(RunError::Record(_))), "{r:?}");
    assert_eq!(store.swaps, 0);
}

#[test]
fn the_async_driver_retries_like_the_sync_one() {
    let mut store = Memory {
        interfere: 2,
        ..Memory::default()
    };
    let epoch = block_on(account::run_async(&mut store, &1, bump)).unwrap();
    assert_eq!((epoch, store.swaps), (3, 3));
    let mut store = Memory {
        interfere: usize::MAX,
        ..Memory::default()
    };
    let r = block_on(account::run_async(&mut store, &1, bump));
    assert!(matches!(r, Err(RunError::Contention { tries: MAX_TRIES })));
    let mut store = Memory::default();
    let n = block_on(account::run_async(&mut store, &1, |r| {
        Ok::<_, AccountError>((r.devices().count(), r.clone()))
    }))
    .unwrap();
    assert_eq!((n, store.swaps), (0, 0));
}

/// The async driver's future is `Send` for a `Send` store: it can run on a
/// multi-threaded executor.
#[test]
fn the_async_future_is_send() {
    fn is_send<T: Send>(_: &T) {}
    let mut store = Memory::default();
    let future = account::run_async(&mut store, &1, bump);
    is_send(&future);
    drop(future);
}
