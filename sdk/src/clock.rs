//! Time, injected: the SDK never calls `Instant::now` or `tokio::time::sleep` directly.
//!
//! Retry back-off and token expiry go through a [`Clock`], so tests can swap in
//! [`ManualClock`], which advances instantly and records every sleep.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A boxed future returned by [`Clock::sleep`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A source of monotonic time and of sleeps.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current monotonic instant.
    fn now(&self) -> Instant;
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> Sleep;
}

/// The real clock: `std::time::Instant` and `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A test clock: time moves only through [`ManualClock::advance`] or a sleep,
/// which returns at once after recording its duration.
///
/// ```no_run
/// use std::{sync::Arc, time::Duration};
/// use cspark::clock::{Clock, ManualClock};
///
/// # async fn demo() {
/// let clock = Arc::new(ManualClock::new());
/// clock.sleep(Duration::from_millis(100)).await;
/// assert_eq!(clock.sleeps(), vec![Duration::from_millis(100)]);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    start: Instant,
    state: Arc<Mutex<ManualState>>,
}

#[derive(Debug, Default)]
struct ManualState {
    elapsed: Duration,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    /// A clock standing at "now".
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            state: Arc::new(Mutex::new(ManualState::default())),
        }
    }

    /// Moves time forward without recording a sleep.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut state) = self.state.lock() {
            state.elapsed += by;
        }
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state
            .lock()
            .map(|s| s.sleeps.clone())
            .unwrap_or_default()
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        let elapsed = self.state.lock().map(|s| s.elapsed).unwrap_or_default();
        self.start + elapsed
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        if let Ok(mut state) = self.state.lock() {
            state.elapsed += duration;
            state.sleeps.push(duration);
        }
        Box::pin(std::future::ready(()))
    }
}
