//! The servers of one test process: a session takes an idle one, or starts
//! another while fewer than the capacity run, or waits for one to be given back.

use std::sync::{Condvar, Mutex, MutexGuard};

pub(crate) struct Pool {
    capacity: usize,
    state: Mutex<State>,
    given_back: Condvar,
}

struct State {
    idle: Vec<&'static str>,
    started: usize,
    /// A server that failed to start fails every session after it too,
    /// rather than leaving them waiting for one that never comes.
    failed: Option<String>,
    /// Sessions waiting for a server to be given back (for the tests to see them wait).
    waiting: usize,
}

impl Pool {
    /// A pool that starts at most `capacity` servers (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            state: Mutex::new(State { idle: Vec::new(), started: 0, failed: None, waiting: 0 }),
            given_back: Condvar::new(),
        }
    }

    /// An endpoint no other session holds. `start` runs outside the lock, so
    /// sessions on idle servers go on meanwhile.
    pub(crate) fn take(&self, start: impl FnOnce() -> Result<String, String>) -> Result<&'static str, String> {
        let mut state = self.lock();
        loop {
            if let Some(failed) = &state.failed {
                return Err(failed.clone());
            }
            if let Some(endpoint) = state.idle.pop() {
                return Ok(endpoint);
            }
            if state.started < self.capacity {
                state.started += 1;
                drop(state);
                let started = start();
                let mut state = self.lock();
                return match started {
                    // Each server lives as long as the process: leaking its endpoint is the point.
                    Ok(endpoint) => Ok(Box::leak(endpoint.into_boxed_str())),
                    Err(e) => {
                        state.failed = Some(e.clone());
                        self.given_back.notify_all();
                        Err(e)
                    }
                };
            }
            state.waiting += 1;
            state = self.given_back.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
            state.waiting -= 1;
        }
    }

    pub(crate) fn give_back(&self, endpoint: &'static str) {
        self.lock().idle.push(endpoint);
        self.given_back.notify_one();
    }

    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.lock().waiting
    }

    /// The lock guards only the pool's own bookkeeping, never a test, so a
    /// poisoned lock holds consistent state.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::Pool;

    #[test]
    fn servers_start_only_when_every_running_one_is_held() {
        let pool = Pool::new(2);
        let starts = AtomicUsize::new(0);
        let start = || Ok(format!("http://127.0.0.1:{}", 4000 + starts.fetch_add(1, Ordering::SeqCst)));
        let first = pool.take(start).unwrap();
        pool.give_back(first);
        assert_eq!(pool.take(start).unwrap(), first, "an idle server is reused");
        let second = pool.take(start).unwrap();
        assert_ne!(first, second);
        assert_eq!(starts.load(Ordering::SeqCst), 2);
    }

    /// Blocks until `count` sessions wait on the pool: no sleep that a slow
    /// machine could outlast.
    fn until_waiting(pool: &Pool, count: usize) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while pool.waiting() != count {
            assert!(std::time::Instant::now() < deadline, "{count} session(s) never waited");
            std::thread::yield_now();
        }
    }

    #[test]
    fn a_session_beyond_the_capacity_waits_for_one_given_back() {
        let pool = Arc::new(Pool::new(1));
        let held = pool.take(|| Ok("http://127.0.0.1:4000".into())).unwrap();
        let waiter = {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || pool.take(|| panic!("a second server was started")))
        };
        until_waiting(&pool, 1);
        assert!(!waiter.is_finished(), "it waits while the only server is held");
        pool.give_back(held);
        assert_eq!(waiter.join().unwrap(), Ok(held));
        assert_eq!(pool.waiting(), 0);
    }

    #[test]
    fn a_failed_start_fails_the_waiting_sessions_too() {
        let pool = Arc::new(Pool::new(1));
        let (fail_now, failing) = std::sync::mpsc::channel::<()>();
        let (began, start_began) = std::sync::mpsc::channel::<()>();
        let starting = {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                pool.take(move || {
                    began.send(()).unwrap();
                    failing.recv().unwrap();
                    Err("no python3".into())
                })
            })
        };
        start_began.recv().unwrap();
        let waiter = {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || pool.take(|| panic!("not started again")))
        };
        // The only start is under way, so the second session waits on it.
        until_waiting(&pool, 1);
        fail_now.send(()).unwrap();
        assert_eq!(starting.join().unwrap(), Err("no python3".into()));
        assert_eq!(waiter.join().unwrap(), Err("no python3".into()));
        assert_eq!(pool.take(|| panic!("not started again")), Err("no python3".into()));
    }
}
