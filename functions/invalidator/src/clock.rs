//! Time and chance, injected so that retries can be tested without waiting.

use std::future::Future;
use std::time::{Duration, SystemTime};

/// The current time, and waiting.
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

/// A number in [0, 1) spreading retries of concurrent invocations apart.
pub trait Jitter: Send + Sync {
    fn fraction(&self) -> f64;
}

/// The wall clock and tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn fraction(&self) -> f64 {
        fastrand::f64()
    }
}

#[cfg(any(test, feature = "test-util"))]
/// A clock for tests and benchmarks: sleeping moves it forward at once.
#[derive(Debug)]
pub struct ManualClock {
    now: std::sync::Mutex<SystemTime>,
    sleeps: std::sync::Mutex<Vec<Duration>>,
}

#[cfg(any(test, feature = "test-util"))]
impl ManualClock {
    pub fn starting_at(now: SystemTime) -> Self {
        Self { now: std::sync::Mutex::new(now), sleeps: std::sync::Mutex::default() }
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().expect("clock lock").clone()
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().expect("clock lock")
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        *self.now.lock().expect("clock lock") += duration;
        self.sleeps.lock().expect("clock lock").push(duration);
        std::future::ready(())
    }
}

#[cfg(any(test, feature = "test-util"))]
/// Always the same fraction.
#[derive(Debug, Clone, Copy)]
pub struct FixedJitter(pub f64);

#[cfg(any(test, feature = "test-util"))]
impl Jitter for FixedJitter {
    fn fraction(&self) -> f64 {
        self.0
    }
}
