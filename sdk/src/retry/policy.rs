//! How many times and how long to wait.

use std::time::Duration;

use super::classify::RetryAction;

/// Back-off policy: `min(base · 2^n, max_backoff)` scaled by a jitter in `[0.75, 1.0]`
/// (spread out, yet never much shorter than the step),
/// or the server's own delay when it gave one. At most `max_retries` retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retries).
    pub max_retries: u32,
    /// First back-off step (the client's `retry_interval`).
    pub base: Duration,
    /// Longest back-off step.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            base: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// Delay before retry number `retry` (0-based), or `None` to stop. `jitter` is a
    /// number in `[0, 1)` (random in production, fixed in tests).
    pub fn delay(&self, retry: u32, action: RetryAction, jitter: f64) -> Option<Duration> {
        if retry >= self.max_retries {
            return None;
        }
        match action {
            RetryAction::Retry { after: Some(after) } => Some(after),
            RetryAction::Retry { after: None } => {
                let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
                let step = self
                    .base
                    .checked_mul(factor)
                    .unwrap_or(self.max_backoff)
                    .min(self.max_backoff);
                let jitter = if jitter.is_finite() {
                    jitter.clamp(0.0, 1.0)
                } else {
                    1.0
                };
                Some(step.mul_f64(0.75 + 0.25 * jitter))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_capped_and_bounded() {
        let p = RetryPolicy {
            max_retries: 10,
            base: Duration::from_secs(1),
            max_backoff: Duration::from_secs(5),
        };
        let r = RetryAction::Retry { after: None };
        assert_eq!(p.delay(0, r, 1.0), Some(Duration::from_secs(1)));
        assert_eq!(p.delay(1, r, 1.0), Some(Duration::from_secs(2)));
        assert_eq!(p.delay(2, r, 0.0), Some(Duration::from_secs(3)));
        assert_eq!(p.delay(5, r, 1.0), Some(Duration::from_secs(5)));
        assert_eq!(p.delay(40, r, 1.0), None);
        assert_eq!(
            p.delay(
                0,
                RetryAction::Retry {
                    after: Some(Duration::from_millis(100))
                },
                0.3
            ),
            Some(Duration::from_millis(100))
        );
        assert_eq!(p.delay(0, RetryAction::No, 0.3), None);
        assert_eq!(p.delay(0, r, f64::NAN), Some(Duration::from_secs(1)));
        let none = RetryPolicy {
            max_retries: 0,
            ..p
        };
        assert_eq!(none.delay(0, r, 0.5), None);
    }
}
