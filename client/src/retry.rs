//! Retry policy for 429s, transient failures and one re-authentication after a 401.
//!
//! PyCentral sleeps a fixed second on 429 (ignoring the server's headers) and shares one counter
//! between 401 and 429 retries. Here:
//! - a 429 waits for `Retry-After` (seconds or HTTP date) or `ratelimit-reset` when present,
//!   otherwise exponential backoff with full jitter;
//! - connect errors and 502/503/504 (and timeouts) are retried for idempotent methods only;
//!   POST and PATCH are retried only when the server cannot have processed them (429, or a
//!   connect error before anything was sent);
//! - 401 triggers one credential renewal and one retry, on its own budget;
//! - every budget is bounded: rate-limit retries, transient retries, and total time spent waiting.
//!
//! No crate does this mix (header-driven waits + per-cause budgets + progenitor's
//! `reqwest::Request` in, `reqwest::Response` out), so it is written here; it is small.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::{Method, Request, Response, StatusCode};
use tracing::{Instrument, debug, info_span, warn};

use crate::auth::TimeSource;
use crate::hooks::Authorizer;

/// How a client retries. [`RetryPolicy::default`] is what sessions use;
/// [`RetryPolicy::none`] sends every request once.
///
/// ```
/// use std::time::Duration;
/// use msp_client::{RetryPolicy, SessionOptions};
///
/// // Wait longer for rate limits, give up sooner on flaky upstreams.
/// let retry = RetryPolicy {
///     max_rate_limit_retries: 8,
///     max_transient_retries: 1,
///     max_total_wait: Duration::from_secs(120),
///     ..RetryPolicy::default()
/// };
/// let options = SessionOptions::default().with_retry(retry);
/// # let _ = options;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most retries after 429 responses, per request.
    pub max_rate_limit_retries: u32,
    /// Most retries after transient failures (connect errors, timeouts, 502/503/504), per request.
    pub max_transient_retries: u32,
    /// Whether a 401 renews the credential and retries once.
    pub reauth_on_401: bool,
    /// First backoff step when the server gives no hint; doubles each retry.
    pub base_delay: Duration,
    /// Longest single wait. A server hint above this ends the retries.
    pub max_delay: Duration,
    /// Most time spent waiting between attempts of one request.
    pub max_total_wait: Duration,
    /// Timeout applied to each attempt that has none of its own.
    pub request_timeout: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_rate_limit_retries: 4,
            max_transient_retries: 3,
            reauth_on_401: true,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            max_total_wait: Duration::from_secs(60),
            request_timeout: Some(Duration::from_secs(30)),
        }
    }
}

impl RetryPolicy {
    /// Never retry (a 401 is still renewed once if `reauth_on_401` is set afterwards).
    ///
    /// ```
    /// use msp_client::RetryPolicy;
    ///
    /// let once = RetryPolicy::none();
    /// assert_eq!((once.max_rate_limit_retries, once.max_transient_retries), (0, 0));
    /// let reauth_only = RetryPolicy { reauth_on_401: true, ..RetryPolicy::none() };
    /// # let _ = reauth_only;
    /// ```
    pub fn none() -> Self {
        Self {
            max_rate_limit_retries: 0,
            max_transient_retries: 0,
            reauth_on_401: false,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            max_total_wait: Duration::ZERO,
            request_timeout: None,
        }
    }

    /// Backoff before retry number `retry` (0-based), with full jitter: uniform in
    /// `[0, min(max_delay, base_delay * 2^retry)]`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use msp_client::RetryPolicy;
    ///
    /// let policy = RetryPolicy::default(); // base 200 ms
    /// assert!(policy.backoff(2) <= Duration::from_millis(800));
    /// ```
    pub fn backoff(&self, retry: u32) -> Duration {
        let cap = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(30)))
            .min(self.max_delay);
        let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        if cap_ms == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(rand::rng().random_range(0..=cap_ms))
    }
}

/// Whether a method may be repeated without changing the outcome (RFC 9110 §9.2.2).
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// The wait a response asks for: `Retry-After` (delta seconds or HTTP date), else
/// `ratelimit-reset` / `x-ratelimit-reset` (delta seconds; a value that looks like a Unix
/// time is read as one).
pub fn server_delay(response: &Response, now: SystemTime) -> Option<Duration> {
    let headers = response.headers();
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(v) = text("retry-after") {
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(date) = chrono::DateTime::parse_from_rfc2822(v) {
            let at = SystemTime::from(date.with_timezone(&chrono::Utc));
            return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
        }
    }
    for name in ["ratelimit-reset", "x-ratelimit-reset"] {
        let Some(secs) = text(name).and_then(|v| v.parse::<f64>().ok()) else {
            continue;
        };
        if !secs.is_finite() || secs < 0.0 {
            continue;
        }
        if secs > 1_000_000_000.0 {
            let at = SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs);
            return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
        }
        return Some(Duration::from_secs_f64(secs));
    }
    None
}

/// What to do after one attempt.
enum Next {
    Done,
    Reauth,
    RateLimited(Option<Duration>),
    Transient(Option<Duration>),
}

fn classify(result: &reqwest::Result<Response>, idempotent: bool, now: SystemTime) -> Next {
    match result {
        Ok(resp) => match resp.status() {
            StatusCode::UNAUTHORIZED => Next::Reauth,
            StatusCode::TOO_MANY_REQUESTS => Next::RateLimited(server_delay(resp, now)),
            StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
                if idempotent =>
            {
                Next::Transient(server_delay(resp, now))
            }
            _ => Next::Done,
        },
        // A connect error means nothing reached the server: safe for any method.
        Err(e) if e.is_connect() => Next::Transient(None),
        Err(e) if idempotent && (e.is_timeout() || e.is_request()) => Next::Transient(None),
        Err(_) => Next::Done,
    }
}

/// Sends `request` with `http`, applying `policy`, renewing credentials through `auth` once
/// on a 401. Returns the last response (or error) when retries are exhausted or not allowed.
///
/// `safe_to_repeat` marks a request as idempotent whatever its method (token requests: a
/// repeated POST only mints another token).
pub(crate) async fn execute(
    http: &reqwest::Client,
    mut request: Request,
    policy: &RetryPolicy,
    clock: &dyn TimeSource,
    auth: Option<&dyn Authorizer>,
    call: &str,
    safe_to_repeat: bool,
) -> reqwest::Result<Response> {
    if request.timeout().is_none() {
        *request.timeout_mut() = policy.request_timeout;
    }
    let method = request.method().clone();
    let idempotent = safe_to_repeat || is_idempotent(&method);
    let span = info_span!("http", call, %method, path = request.url().path());
    async move {
        let mut rate_limit_retries = 0u32;
        let mut transient_retries = 0u32;
        let mut reauthed = false;
        let mut waited = Duration::ZERO;
        loop {
            let Some(attempt) = request.try_clone() else {
                // Streaming body: it cannot be replayed, so it is sent exactly once.
                return http.execute(request).await;
            };
            let result = http.execute(attempt).await;
            let (delay, reason) = match classify(&result, idempotent, clock.now()) {
                Next::Done => return result,
                Next::Reauth => {
                    let Some(auth) = auth.filter(|_| policy.reauth_on_401 && !reauthed) else {
                        return result;
                    };
                    reauthed = true;
                    debug!("401: renewing the credential and retrying once");
                    if let Err(e) = auth.renew(&request).await {
                        warn!(error = %e, "credential renewal after 401 failed");
                        return result;
                    }
                    if let Err(e) = auth.authorize(&mut request).await {
                        warn!(error = %e, "re-authorising after 401 failed");
                        return result;
                    }
                    drop(result);
                    continue;
                }
                Next::RateLimited(hint) => {
                    if rate_limit_retries >= policy.max_rate_limit_retries {
                        warn!(
                            retries = rate_limit_retries,
                            "429: rate-limit retry budget spent"
                        );
                        return result;
                    }
                    rate_limit_retries += 1;
                    (
                        hint.unwrap_or_else(|| policy.backoff(rate_limit_retries - 1)),
                        "rate limited",
                    )
                }
                Next::Transient(hint) => {
                    if transient_retries >= policy.max_transient_retries {
                        warn!(
                            retries = transient_retries,
                            "transient failure: retry budget spent"
                        );
                        return result;
                    }
                    transient_retries += 1;
                    (
                        hint.unwrap_or_else(|| policy.backoff(transient_retries - 1)),
                        "transient failure",
                    )
                }
            };
            if delay > policy.max_delay || waited + delay > policy.max_total_wait {
                warn!(
                    delay_ms = delay.as_millis() as u64,
                    waited_ms = waited.as_millis() as u64,
                    "not retrying: wait exceeds the policy's bounds"
                );
                return result;
            }
            let status = result.as_ref().ok().map(|r| r.status().as_u16());
            drop(result);
            waited += delay;
            warn!(
                reason,
                status,
                delay_ms = delay.as_millis() as u64,
                rate_limit_retries,
                transient_retries,
                "retrying"
            );
            clock.sleep(delay).await;
        }
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_by_the_exponential_cap_and_max_delay() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..RetryPolicy::default()
        };
        for retry in 0..40 {
            let cap = (100u64 << retry.min(20)).min(1000);
            for _ in 0..20 {
                let d = p.backoff(retry);
                assert!(
                    d <= Duration::from_millis(cap),
                    "retry {retry}: {d:?} > {cap}ms"
                );
            }
        }
        // Full jitter actually varies.
        let samples: std::collections::HashSet<_> = (0..50).map(|_| p.backoff(5)).collect();
        assert!(samples.len() > 5);
        assert_eq!(RetryPolicy::none().backoff(3), Duration::ZERO);
    }

    #[test]
    fn idempotency_follows_rfc_9110() {
        assert!(is_idempotent(&Method::GET));
        assert!(is_idempotent(&Method::PUT));
        assert!(is_idempotent(&Method::DELETE));
        assert!(!is_idempotent(&Method::POST));
        assert!(!is_idempotent(&Method::PATCH));
    }
}
