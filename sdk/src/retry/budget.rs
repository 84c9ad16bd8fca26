//! A client-wide retry budget: a token bucket shared by every call of one client.
//!
//! Per-call `max_retries` bounds one call; it does nothing against an outage, where every
//! call retries and a struggling server receives three times its normal load. The bucket,
//! after the standard retry mode of aws-sdk-rust, bounds retries across calls: a retry
//! withdraws [`RetryBudget::retry_cost`] tokens ([`RetryBudget::timeout_retry_cost`] after a
//! timeout), a call that succeeds at once deposits [`RetryBudget::success_reward`], and a
//! call that succeeds after retrying gives back what its last retry cost. When the bucket
//! cannot pay for a retry, the call fails at once with the error it has.
//!
//! With the defaults (100 tokens, 5 per retry, 10 per timeout retry, 1 per success) a fresh
//! client pays for 20 retries before it has seen a success; against a server that answers
//! 429 or 503 to everything, N calls make at most N + 20 attempts (300 calls: 320, i.e.
//! 1.07 attempts per call; 1,000 calls: 1,020). Once the server recovers, 100 successes
//! fill the bucket again. Retries of a call that end in success cost nothing, so a server
//! that fails now and then is retried as before.

use std::sync::atomic::{AtomicU32, Ordering};

/// Size and prices of the client-wide retry budget (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryBudget {
    /// Tokens in a full bucket (a new client starts full). 0 disables every retry.
    pub capacity: u32,
    /// Tokens one retry after an error status or a broken connection withdraws.
    pub retry_cost: u32,
    /// Tokens one retry after a timeout withdraws.
    pub timeout_retry_cost: u32,
    /// Tokens a call that succeeds at its first attempt deposits.
    pub success_reward: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self {
            capacity: 100,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_reward: 1,
        }
    }
}

impl RetryBudget {
    /// A budget that never runs out: only `max_retries` bounds retries (the behaviour of
    /// versions without a budget).
    pub fn unlimited() -> Self {
        Self {
            capacity: u32::MAX,
            retry_cost: 0,
            timeout_retry_cost: 0,
            success_reward: 0,
        }
    }

    /// A budget of `capacity` tokens with the default prices.
    pub fn with_capacity(capacity: u32) -> Self {
        Self {
            capacity,
            ..Self::default()
        }
    }
}

/// The bucket itself, shared by all calls of a client.
#[derive(Debug)]
pub(crate) struct RetryTokens {
    budget: RetryBudget,
    available: AtomicU32,
}

impl RetryTokens {
    pub(crate) fn new(budget: RetryBudget) -> Self {
        Self {
            budget,
            available: AtomicU32::new(budget.capacity),
        }
    }

    /// Takes the price of one retry; `None` when the bucket cannot pay it (no retry).
    pub(crate) fn withdraw(&self, after_timeout: bool) -> Option<u32> {
        let cost = if after_timeout {
            self.budget.timeout_retry_cost
        } else {
            self.budget.retry_cost
        };
        if self.budget.capacity == 0 {
            return None;
        }
        self.available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(cost)
            })
            .ok()
            .map(|_| cost)
    }

    /// Records a success: `last_retry_cost` is what the call's last retry withdrew (0 for a
    /// call that succeeded at once, which earns the reward instead).
    pub(crate) fn on_success(&self, last_retry_cost: Option<u32>) {
        let amount = last_retry_cost.unwrap_or(self.budget.success_reward);
        if amount == 0 {
            return;
        }
        let capacity = self.budget.capacity;
        // The closure always returns Some, so this cannot fail.
        let _ = self
            .available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                Some(left.saturating_add(amount).min(capacity))
            });
    }

    /// Tokens left.
    #[cfg(test)]
    pub(crate) fn available(&self) -> u32 {
        self.available.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_drain_the_bucket_and_successes_refill_it() {
        let tokens = RetryTokens::new(RetryBudget::default());
        let mut paid = 0;
        while tokens.withdraw(false).is_some() {
            paid += 1;
            assert!(paid <= 100, "the bucket never runs dry");
        }
        assert_eq!(paid, 20);
        assert_eq!(tokens.available(), 0);
        assert_eq!(tokens.withdraw(true), None);
        for _ in 0..5 {
            tokens.on_success(None);
        }
        assert_eq!(tokens.withdraw(false), Some(5));
        assert_eq!(tokens.available(), 0);
        tokens.on_success(Some(5));
        assert_eq!(tokens.available(), 5);
        for _ in 0..500 {
            tokens.on_success(None);
        }
        assert_eq!(tokens.available(), 100, "capped at the capacity");
        assert_eq!(tokens.withdraw(true), Some(10));
    }

    #[test]
    fn unlimited_and_empty_budgets() {
        let unlimited = RetryTokens::new(RetryBudget::unlimited());
        for _ in 0..10_000 {
            assert_eq!(unlimited.withdraw(false), Some(0));
        }
        let none = RetryTokens::new(RetryBudget::with_capacity(0));
        assert_eq!(none.withdraw(false), None);
        none.on_success(None);
        assert_eq!(none.withdraw(false), None);
    }
}
