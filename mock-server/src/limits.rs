//! Rate limiting (429) per API client and per route class, on fixed windows of the mock clock.
//!
//! Hand-written rather than `governor`: governor's GCRA spreads a quota evenly (10/minute
//! becomes one call every 6 s after the burst) and reports no window reset, while GreenLake
//! documents quotas *per minute* and answers `ratelimit-limit`, `ratelimit-remaining` and
//! `ratelimit-reset` (seconds until the window resets). A fixed window keyed on the mock clock
//! gives exactly those numbers, and `POST /__admin/clock/advance` ends a window without sleeping.

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use parking_lot::Mutex;

use crate::clock::Clock;
use crate::error::{ApiError, Flavor};
use crate::fixture::RateLimits;

/// How the mock applies its rate limits: as configured, relaxed by a factor, or not at all
/// (the `--rate-limits` flag of `msp-mock` and [`crate::MockServerBuilder::rate_limit_mode`]).
///
/// ```
/// use msp_mock_server::RateLimitMode;
///
/// assert_eq!("off".parse::<RateLimitMode>(), Ok(RateLimitMode::Off));
/// assert_eq!("x100".parse::<RateLimitMode>(), Ok(RateLimitMode::Scaled(100)));
/// assert_eq!("fixture".parse::<RateLimitMode>(), Ok(RateLimitMode::AsConfigured));
/// assert!("x0".parse::<RateLimitMode>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RateLimitMode {
    /// The fixture's quotas (GreenLake's documented numbers unless the fixture sets others).
    #[default]
    AsConfigured,
    /// Every quota multiplied by the factor (at least 1), the window unchanged.
    Scaled(u32),
    /// No quota: no request is ever answered 429 and nothing is counted.
    Off,
}

impl RateLimitMode {
    /// `limits` as this mode applies them.
    ///
    /// ```
    /// use msp_mock_server::{RateLimitMode, RateLimits};
    ///
    /// let l = RateLimitMode::Scaled(10).apply(RateLimits::default());
    /// assert_eq!(l.tenant_create, 100);
    /// assert!(RateLimitMode::Off.apply(RateLimits::default()).is_unlimited());
    /// ```
    pub fn apply(self, limits: RateLimits) -> RateLimits {
        match self {
            Self::AsConfigured => limits,
            Self::Scaled(factor) => limits.scaled(factor.max(1)),
            Self::Off => RateLimits {
                window_secs: limits.window_secs,
                ..RateLimits::unlimited()
            },
        }
    }
}

impl std::str::FromStr for RateLimitMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match s.to_ascii_lowercase().as_str() {
            "fixture" | "default" | "on" => return Ok(Self::AsConfigured),
            "off" | "none" => return Ok(Self::Off),
            _ => {}
        }
        let factor = s.strip_prefix(['x', 'X']).ok_or_else(|| {
            format!("'{s}' is not a rate-limit mode: use fixture, off or xN (e.g. x100)")
        })?;
        match factor.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(Self::Scaled(n)),
            _ => Err(format!(
                "'{s}': the factor after 'x' must be a whole number from 1 to {}",
                u32::MAX
            )),
        }
    }
}

/// A kind of request counted in its own window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteClass {
    /// Any API call (quota per API client; an MSP's tenant tokens share its client's quota).
    Client,
    /// Any API call made with a tenant token (quota per tenant workspace).
    Workspace,
    /// Tenant creation (quota per MSP).
    TenantCreate,
    /// Token endpoint requests (quota per presented client id).
    Token,
}

/// The quota state after a counted request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed per window.
    pub limit: u32,
    /// Requests left in this window.
    pub remaining: u32,
    /// Seconds until the window resets (at least 1).
    pub reset_secs: u64,
}

impl Quota {
    /// The `ratelimit-*` headers, plus `Retry-After` when `limited`.
    pub fn headers(&self, limited: bool) -> HeaderMap {
        let mut h = HeaderMap::new();
        let mut put = |name: &'static str, v: u64| {
            if let Ok(v) = HeaderValue::from_str(&v.to_string()) {
                h.insert(HeaderName::from_static(name), v);
            }
        };
        put("ratelimit-limit", self.limit.into());
        put("ratelimit-remaining", self.remaining.into());
        put("ratelimit-reset", self.reset_secs);
        if limited {
            put("retry-after", self.reset_secs);
        }
        h
    }

    /// The status of a refused request.
    pub fn status() -> StatusCode {
        StatusCode::TOO_MANY_REQUESTS
    }

    /// What a refused request is told: `what`, the quota (`unit` after the number) and when
    /// to retry.
    pub fn message(&self, what: &str, unit: &str) -> String {
        format!(
            "{what} ({}{unit} per window); retry in {} seconds",
            self.limit, self.reset_secs
        )
    }

    /// The one 429 renderer of the API routes: a 429 in flavour `F` with the rate-limit
    /// headers (token endpoints use [`Quota::message`] and [`Quota::headers`] in their OAuth
    /// shape).
    pub fn into_error<F: Flavor>(self) -> ApiError<F> {
        let mut e = ApiError::new(
            Self::status(),
            self.message("rate limit exceeded", " requests"),
        );
        e.headers.extend(self.headers(true));
        e
    }
}

#[derive(Debug)]
struct Window {
    start_ms: i64,
    count: u32,
}

/// Most windows kept before ended ones are swept.
const MAX_WINDOWS: usize = 100_000;

/// Fixed-window counters keyed by (client or workspace, route class).
#[derive(Debug)]
pub struct RateLimiter {
    clock: Clock,
    config: RateLimits,
    windows: Mutex<HashMap<(String, RouteClass), Window>>,
}

impl RateLimiter {
    /// A limiter with `config`'s quotas, reading `clock`.
    pub fn new(clock: Clock, config: RateLimits) -> Self {
        Self {
            clock,
            config,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// The quota of a class.
    pub fn limit_of(&self, class: RouteClass) -> u32 {
        match class {
            RouteClass::Client => self.config.per_client,
            RouteClass::Workspace => self.config.per_workspace,
            RouteClass::TenantCreate => self.config.tenant_create,
            RouteClass::Token => self.config.token_requests,
        }
    }

    /// Counts one request of `class` for `key`: `Ok` with the quota left, or `Err` with the
    /// quota when the window is used up (the refused request is not counted).
    pub fn check(&self, key: &str, class: RouteClass) -> Result<Quota, Quota> {
        let limit = self.limit_of(class);
        if limit == u32::MAX {
            // Unlimited: nothing to count, and no shared lock on the request path.
            return Ok(Quota {
                limit,
                remaining: limit,
                reset_secs: self.config.window_secs.max(1),
            });
        }
        let window_ms = i64::try_from(self.config.window_secs.max(1))
            .unwrap_or(60)
            .saturating_mul(1000);
        let now = self.clock.now_millis();
        let mut windows = self.windows.lock();
        if windows.len() >= MAX_WINDOWS {
            windows.retain(|_, w| now - w.start_ms < window_ms);
        }
        let w = windows.entry((key.to_owned(), class)).or_insert(Window {
            start_ms: now,
            count: 0,
        });
        if now - w.start_ms >= window_ms {
            w.start_ms = now;
            w.count = 0;
        }
        let left_ms = (w.start_ms + window_ms - now).max(0);
        let reset_secs = u64::try_from((left_ms + 999) / 1000).unwrap_or(1).max(1);
        if w.count >= limit {
            return Err(Quota {
                limit,
                remaining: 0,
                reset_secs,
            });
        }
        w.count += 1;
        Ok(Quota {
            limit,
            remaining: limit - w.count,
            reset_secs,
        })
    }

    /// Forgets every window.
    pub fn clear(&self) {
        self.windows.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_fills_then_resets_when_clock_advances() {
        let clock = Clock::manual(chrono::Utc::now());
        let l = RateLimiter::new(
            clock.clone(),
            RateLimits {
                window_secs: 60,
                per_client: 2,
                per_workspace: 1,
                tenant_create: 1,
                token_requests: 1,
            },
        );
        assert_eq!(l.check("a", RouteClass::Client).unwrap().remaining, 1);
        assert_eq!(l.check("a", RouteClass::Client).unwrap().remaining, 0);
        let q = l.check("a", RouteClass::Client).unwrap_err();
        assert_eq!((q.limit, q.remaining, q.reset_secs), (2, 0, 60));
        // Other keys and classes have their own windows.
        assert!(l.check("b", RouteClass::Client).is_ok());
        assert!(l.check("a", RouteClass::TenantCreate).is_ok());
        clock.advance(30.0);
        assert_eq!(l.check("a", RouteClass::Client).unwrap_err().reset_secs, 30);
        clock.advance(30.0);
        assert!(l.check("a", RouteClass::Client).is_ok());
    }

    #[test]
    fn an_unlimited_class_never_refuses_and_keeps_no_window() {
        let clock = Clock::manual(chrono::Utc::now());
        let l = RateLimiter::new(
            clock,
            RateLimitMode::Off.apply(RateLimits {
                per_client: 1,
                ..RateLimits::default()
            }),
        );
        for _ in 0..1000 {
            assert!(l.check("a", RouteClass::Client).is_ok());
        }
        assert!(l.windows.lock().is_empty());
    }

    #[test]
    fn modes_parse_and_bad_ones_say_why() {
        assert_eq!("OFF".parse(), Ok(RateLimitMode::Off));
        assert_eq!("X5".parse(), Ok(RateLimitMode::Scaled(5)));
        let e = "fast".parse::<RateLimitMode>().unwrap_err();
        assert!(e.contains("fixture, off or xN"), "{e}");
        let e = "x-1".parse::<RateLimitMode>().unwrap_err();
        assert!(e.contains("whole number"), "{e}");
        assert_eq!(
            RateLimitMode::Scaled(0)
                .apply(RateLimits::default())
                .per_client,
            RateLimits::default().per_client
        );
    }
}
