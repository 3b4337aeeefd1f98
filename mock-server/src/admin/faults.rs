//! Fault injection: `POST /__admin/faults` makes matching requests fail (or slow down) in the
//! error shape of the API they call.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::error_for_path;

/// A fault rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// HTTP method to match (any when absent).
    #[serde(default)]
    pub method: Option<String>,
    /// Path to match: exact, or a prefix when it ends with `*`.
    pub path: String,
    /// Status to answer (400-599); when absent the request is only delayed.
    #[serde(default)]
    pub status: Option<u16>,
    /// How many requests it applies to (forever when absent).
    #[serde(default)]
    pub times: Option<u32>,
    /// Delay before answering, milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    /// `Retry-After` seconds to send with the injected status.
    #[serde(default)]
    pub retry_after: Option<u64>,
}

/// Longest accepted delay (keeps load loops bounded in time).
pub const MAX_DELAY_MS: u64 = 60_000;

impl Fault {
    /// Checks the rule's values.
    pub fn validate(&self) -> Result<(), String> {
        if !self.path.starts_with('/') {
            return Err("path must start with '/'".into());
        }
        if let Some(s) = self.status
            && !(400..=599).contains(&s)
        {
            return Err(format!("status must be 400-599, got {s}"));
        }
        if self.times == Some(0) {
            return Err("times must be at least 1 (omit it for no limit)".into());
        }
        if self.delay_ms > MAX_DELAY_MS {
            return Err(format!("delay_ms must be at most {MAX_DELAY_MS}"));
        }
        if self.status.is_none() && self.delay_ms == 0 {
            return Err("give a status, a delay_ms, or both".into());
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        };
        method_ok && path_ok
    }
}

/// The active fault rules.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<Fault>>,
}

impl Faults {
    /// Adds a rule (already validated).
    pub fn add(&self, f: Fault) {
        self.rules.lock().push(f);
    }

    /// The active rules.
    pub fn list(&self) -> Vec<Fault> {
        self.rules.lock().clone()
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules.lock().clear();
    }

    /// The first rule matching, with its countdown applied.
    pub fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut rules = self.rules.lock();
        let i = rules.iter().position(|f| f.matches(method, path))?;
        let hit = rules[i].clone();
        if let Some(t) = rules[i].times.as_mut() {
            *t -= 1;
            if *t == 0 {
                rules.remove(i);
            }
        }
        Some(hit)
    }
}

/// Middleware applying fault rules to non-admin requests.
pub async fn inject(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/__admin") {
        return next.run(req).await;
    }
    let Some(fault) = state.faults.take(req.method().as_str(), &path) else {
        return next.run(req).await;
    };
    if fault.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    let Some(status) = fault.status.and_then(|s| StatusCode::from_u16(s).ok()) else {
        return next.run(req).await;
    };
    let mut headers = HeaderMap::new();
    if let Some(ra) = fault.retry_after
        && let Ok(v) = HeaderValue::from_str(&ra.to_string())
    {
        headers.insert(header::RETRY_AFTER, v);
    }
    let message = format!("injected fault: {status}");
    error_for_path(&path, status, &message, headers)
}
