//! A single-flight, expiry-aware cache for one access token.
//!
//! Callers take an async mutex; the first caller that finds no usable token fetches one
//! while holding it, and everyone queued behind it re-checks and reuses that token. So
//! N concurrent calls with an empty or expired cache cause exactly one token request.
//! If that request fails, the callers that were queued behind it get its failure
//! instead of each trying again (so bad credentials cost one token request, not N);
//! later callers try afresh. Deadlines are monotonic instants from the injected [`Clock`].

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::clock::Clock;
use crate::error::{Result, SparkError};
use crate::secret::Secret;

/// Skew cap: a token is refreshed when less than `min(MAX_SKEW, ttl / 2)` remains.
pub(crate) const MAX_SKEW: Duration = Duration::from_secs(60);
/// Lifetime assumed when the token endpoint gives no usable `expires_in`.
pub(crate) const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// Longest lifetime trusted from a token response (guards against absurd `expires_in`).
pub(crate) const MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// A fetched token and its lifetime.
pub(crate) struct FreshToken {
    pub(crate) access_token: Secret,
    pub(crate) ttl: Option<Duration>,
}

struct Cached {
    token: Secret,
    refresh_at: Instant,
    generation: u64,
}

/// The cache.
#[derive(Default)]
pub(crate) struct TokenCache {
    state: Mutex<State>,
    /// Completed fetch attempts (successful or not).
    fetches: AtomicU64,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    generation: u64,
    last_failure: Option<Failure>,
}

/// What waiters learn about a failed fetch (the error itself is not `Clone`).
struct Failure {
    message: String,
    status: Option<u16>,
    request_id: Option<String>,
}

impl TokenCache {
    /// Returns a usable token and its generation, fetching one if needed.
    pub(crate) async fn get<F, Fut>(&self, clock: &dyn Clock, fetch: F) -> Result<(Secret, u64)>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FreshToken>>,
    {
        let seen = self.fetches.load(Ordering::SeqCst);
        let mut state = self.state.lock().await;
        if let Some(c) = &state.cached
            && clock.now() < c.refresh_at
        {
            return Ok((c.token.clone(), c.generation));
        }
        if self.fetches.load(Ordering::SeqCst) != seen
            && let Some(f) = &state.last_failure
        {
            return Err(SparkError::Auth {
                message: format!("{} (shared by concurrent callers)", f.message),
                status: f.status,
                request_id: f.request_id.clone(),
                source: None,
            });
        }
        let result = fetch().await;
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let fresh = match result {
            Ok(fresh) => fresh,
            Err(e) => {
                let message = match &e {
                    SparkError::Auth { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                state.last_failure = Some(Failure {
                    message,
                    status: e.status(),
                    request_id: e.request_id().map(str::to_owned),
                });
                return Err(e);
            }
        };
        state.last_failure = None;
        let ttl = fresh
            .ttl
            .filter(|t| !t.is_zero())
            .unwrap_or(DEFAULT_TTL)
            .min(MAX_TTL);
        let skew = MAX_SKEW.min(ttl / 2);
        state.generation += 1;
        let generation = state.generation;
        state.cached = Some(Cached {
            token: fresh.access_token.clone(),
            refresh_at: clock
                .now()
                .checked_add(ttl - skew)
                .unwrap_or_else(|| clock.now()),
            generation,
        });
        Ok((fresh.access_token, generation))
    }

    /// Drops the cached token if it is still the one of `generation` (a token that
    /// another task already replaced is kept).
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut state = self.state.lock().await;
        if state
            .cached
            .as_ref()
            .is_some_and(|c| c.generation == generation)
        {
            state.cached = None;
        }
    }
}
