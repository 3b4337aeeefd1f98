//! The runtime's notion of "now" and of sleeping, injectable so tests can move time.
//!
//! Token expiry and retry waits read a [`TimeSource`]; [`SystemClock`] is the real one and
//! [`ManualClock`] is moved by hand in tests. Nothing else in the runtime reads the system time.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;

/// A source of the current time and of sleeps.
pub trait TimeSource: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;

    /// Waits for `duration` (by this source's notion of time).
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The system clock: [`SystemTime::now`] and [`tokio::time::sleep`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl TimeSource for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock that only moves when told to.
///
/// [`ManualClock::sleep`] does not wait: it advances the clock by the requested duration, records
/// it (see [`ManualClock::sleeps`]) and yields once, so retry tests run instantly and can assert
/// the exact waits the runtime chose.
#[derive(Debug)]
pub struct ManualClock {
    state: Mutex<ManualState>,
}

#[derive(Debug)]
struct ManualState {
    now: SystemTime,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    /// A manual clock starting at `start`.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use msp_client::{ManualClock, TimeSource};
    ///
    /// let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    /// assert_eq!(ManualClock::new(start).now(), start);
    /// ```
    pub fn new(start: SystemTime) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(ManualState {
                now: start,
                sleeps: Vec::new(),
            }),
        })
    }

    /// A manual clock starting at 2026-01-01T00:00:00Z.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use msp_client::{ManualClock, TimeSource};
    ///
    /// let new_year = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    /// assert_eq!(ManualClock::starting_2026().now(), new_year);
    /// ```
    pub fn starting_2026() -> Arc<Self> {
        Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600))
    }

    /// Moves the clock forward (e.g. past a token's expiry).
    ///
    /// ```
    /// use std::time::Duration;
    /// use msp_client::{ManualClock, TimeSource};
    ///
    /// let clock = ManualClock::starting_2026();
    /// let t0 = clock.now();
    /// clock.advance(Duration::from_secs(840));
    /// assert_eq!(clock.now(), t0 + Duration::from_secs(840));
    /// assert!(clock.sleeps().is_empty()); // advancing is not sleeping
    /// ```
    pub fn advance(&self, by: Duration) {
        let mut s = self.lock();
        s.now += by;
    }

    /// Every sleep requested so far, in order (the waits the runtime chose).
    ///
    /// ```
    /// use std::time::Duration;
    /// use msp_client::{ManualClock, TimeSource};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let clock = ManualClock::starting_2026();
    /// clock.sleep(Duration::from_secs(7)).await; // returns at once
    /// assert_eq!(clock.sleeps(), vec![Duration::from_secs(7)]);
    /// # }
    /// ```
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        // A poisoned lock only means a test panicked while holding it; the state is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl TimeSource for ManualClock {
    fn now(&self) -> SystemTime {
        self.lock().now
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        {
            let mut s = self.lock();
            s.now += duration;
            s.sleeps.push(duration);
        }
        Box::pin(tokio::task::yield_now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_clock_moves_only_when_told() {
        let c = ManualClock::starting_2026();
        let t0 = c.now();
        assert_eq!(c.now(), t0);
        c.advance(Duration::from_secs(5));
        assert_eq!(c.now(), t0 + Duration::from_secs(5));
        c.sleep(Duration::from_secs(2)).await;
        assert_eq!(c.now(), t0 + Duration::from_secs(7));
        assert_eq!(c.sleeps(), vec![Duration::from_secs(2)]);
    }
}
