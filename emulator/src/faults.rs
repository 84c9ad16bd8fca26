//! Fault injection: per route pattern, scripted or seeded-random 429 / 5xx / 401 answers,
//! dropped connections and added latency.
//!
//! A plan is JSON (the `--faults FILE` format) or built in Rust for [`crate::EmulatorHandle::set_faults`]:
//! ```json
//! {"seed": 42,
//!  "rules": [{"route": "*/execute", "method": "POST",
//!             "script": [429, "drop", "ok"],
//!             "rate_429": 0.1, "rate_503": 0.05, "rate_drop": 0.01,
//!             "latency_ms": 20, "latency_jitter_ms": 10, "retry_after": 0.5}]}
//! ```
//! `route` is a case-insensitive glob over the request path (`*` = any characters); the first
//! rule that matches a request applies. Its `script` answers the first matching requests in
//! order; after that each request draws one number from the plan's seeded generator against the
//! cumulative rates. Requests to `/_emulator/…` are never faulted.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::Value;

/// One scripted answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Value")]
pub enum Fault {
    /// Let the request through (`"ok"`).
    Pass,
    /// Answer with this status (`429`, `500`, `502`, `503`, `504`, `401`, …) and a Spark body.
    Status(u16),
    /// Close the connection without a complete response (`"drop"`).
    Drop,
}

impl TryFrom<Value> for Fault {
    type Error = String;
    fn try_from(value: Value) -> Result<Fault, String> {
        match &value {
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| (100..600).contains(n))
                .map(Fault::Status)
                .ok_or_else(|| format!("invalid status {value}")),
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "ok" | "pass" => Ok(Fault::Pass),
                "drop" => Ok(Fault::Drop),
                other => other
                    .parse::<u16>()
                    .ok()
                    .filter(|n| (100..600).contains(n))
                    .map(Fault::Status)
                    .ok_or_else(|| format!("unknown fault {s:?}")),
            },
            _ => Err(format!("unknown fault {value}")),
        }
    }
}

/// Faults for requests matching one route pattern.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FaultRule {
    /// Case-insensitive glob over the path, `*` matching any characters (`"*"` = all).
    pub route: String,
    /// Only this HTTP method, if set.
    pub method: Option<String>,
    /// Answers for the first matching requests, in order.
    pub script: Vec<Fault>,
    /// Probability of a 429 (with `Retry-After` / `x-retry-after`).
    pub rate_429: f64,
    /// Probability of a 500.
    pub rate_500: f64,
    /// Probability of a 502.
    pub rate_502: f64,
    /// Probability of a 503.
    pub rate_503: f64,
    /// Probability of a 504.
    pub rate_504: f64,
    /// Probability of a dropped connection.
    pub rate_drop: f64,
    /// Added latency for every matching request, in milliseconds.
    pub latency_ms: u64,
    /// Extra random latency, uniform in `0..=latency_jitter_ms`.
    pub latency_jitter_ms: u64,
    /// Seconds sent in `Retry-After` / `x-retry-after` with a 429 (default 1).
    pub retry_after: Option<f64>,
}

/// A complete fault plan.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FaultPlan {
    /// Seed of the random generator (same seed + same request order = same faults).
    pub seed: u64,
    /// Rules, first match wins.
    pub rules: Vec<FaultRule>,
}

impl FaultPlan {
    /// Parse the JSON form.
    pub fn from_json(text: &str) -> Result<FaultPlan, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// A plan with one rule.
    pub fn single(seed: u64, rule: FaultRule) -> FaultPlan {
        FaultPlan {
            seed,
            rules: vec![rule],
        }
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// Sleep this long first.
    pub latency: Option<Duration>,
    /// Then answer with this fault (`None` / `Pass` = handle normally).
    pub fault: Option<Fault>,
    /// Retry-after seconds for a 429.
    pub retry_after: f64,
}

struct Active {
    plan: Arc<FaultPlan>,
    rng: StdRng,
    script_pos: Vec<usize>,
}

/// The live plan and its random state.
pub struct FaultState {
    active: Mutex<Option<Active>>,
    enabled: RwLock<bool>,
}

impl FaultState {
    /// State for an optional initial plan.
    pub fn new(plan: Option<FaultPlan>) -> FaultState {
        let state = FaultState {
            active: Mutex::new(None),
            enabled: RwLock::new(false),
        };
        state.set(plan);
        state
    }

    /// Replace the plan, restarting the seeded sequence and scripts.
    pub fn set(&self, plan: Option<FaultPlan>) {
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        *active = plan.map(|plan| Active {
            rng: StdRng::seed_from_u64(plan.seed),
            script_pos: vec![0; plan.rules.len()],
            plan: Arc::new(plan),
        });
        *self.enabled.write().unwrap_or_else(|e| e.into_inner()) = active.is_some();
    }

    /// Decide the fate of a request.
    pub fn decide(&self, method: &str, path: &str) -> Option<Decision> {
        if !*self.enabled.read().unwrap_or_else(|e| e.into_inner())
            || path.starts_with("/_emulator")
        {
            return None;
        }
        let mut guard = self.active.lock().unwrap_or_else(|e| e.into_inner());
        let active = guard.as_mut()?;
        let plan = active.plan.clone();
        let (index, rule) = plan.rules.iter().enumerate().find(|(_, r)| {
            r.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && glob(&r.route.to_ascii_lowercase(), &path.to_ascii_lowercase())
        })?;
        let latency = if rule.latency_ms > 0 || rule.latency_jitter_ms > 0 {
            let jitter = if rule.latency_jitter_ms > 0 {
                active.rng.random_range(0..=rule.latency_jitter_ms)
            } else {
                0
            };
            Some(Duration::from_millis(
                rule.latency_ms.saturating_add(jitter),
            ))
        } else {
            None
        };
        let pos = active.script_pos.get(index).copied().unwrap_or(usize::MAX);
        let fault = if let Some(f) = rule.script.get(pos) {
            if let Some(p) = active.script_pos.get_mut(index) {
                *p += 1;
            }
            Some(*f)
        } else {
            let draw: f64 = active.rng.random();
            let mut acc = 0.0;
            let mut chosen = None;
            for (rate, fault) in [
                (rule.rate_429, Fault::Status(429)),
                (rule.rate_500, Fault::Status(500)),
                (rule.rate_502, Fault::Status(502)),
                (rule.rate_503, Fault::Status(503)),
                (rule.rate_504, Fault::Status(504)),
                (rule.rate_drop, Fault::Drop),
            ] {
                acc += rate.max(0.0);
                if draw < acc {
                    chosen = Some(fault);
                    break;
                }
            }
            chosen
        };
        Some(Decision {
            latency,
            fault,
            retry_after: rule.retry_after.unwrap_or(1.0),
        })
    }
}

/// Glob match with `*` only (both lower-cased by the caller).
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_matches() {
        assert!(glob("*/execute", "/t/api/v3/folders/f/services/s/execute"));
        assert!(glob("*", "/anything"));
        assert!(glob("/t/*/batch/*", "/t/api/v4/batch/123"));
        assert!(!glob("*/execute", "/t/api/v4/batch"));
        assert!(glob("/health", "/health"));
    }
}
