//! The mock's one clock: every token expiry, rate-limit window and timestamp reads it.
//!
//! A [`Clock`] is either *real* (wall time plus an offset, so time keeps flowing after an
//! advance) or *manual* (frozen at a start instant; it moves only when advanced). Tests and the
//! admin API (`POST /__admin/clock/advance`) move it forward instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};

/// A cheaply clonable handle to the shared mock clock.
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// `None` for a real clock; the frozen base instant (ms since the epoch) for a manual one.
    manual_base_ms: Option<i64>,
    /// Milliseconds added by [`Clock::advance`].
    offset_ms: AtomicI64,
}

impl Default for Clock {
    fn default() -> Self {
        Self::real()
    }
}

impl Clock {
    /// A clock that follows wall time (plus whatever has been added with [`Clock::advance`]).
    pub fn real() -> Self {
        Self {
            inner: Arc::new(Inner {
                manual_base_ms: None,
                offset_ms: AtomicI64::new(0),
            }),
        }
    }

    /// A frozen clock starting at `start`; it moves only through [`Clock::advance`].
    pub fn manual(start: DateTime<Utc>) -> Self {
        Self {
            inner: Arc::new(Inner {
                manual_base_ms: Some(start.timestamp_millis()),
                offset_ms: AtomicI64::new(0),
            }),
        }
    }

    /// Whether this is a manual (frozen) clock.
    pub fn is_manual(&self) -> bool {
        self.inner.manual_base_ms.is_some()
    }

    /// The current mock time.
    pub fn now(&self) -> DateTime<Utc> {
        let ms = self.now_millis();
        Utc.timestamp_millis_opt(ms)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The current mock time in milliseconds since the Unix epoch.
    pub fn now_millis(&self) -> i64 {
        // The only place in the mock that reads wall time.
        let base = match self.inner.manual_base_ms {
            Some(base) => base,
            None => Utc::now().timestamp_millis(),
        };
        base.saturating_add(self.inner.offset_ms.load(Ordering::Relaxed))
    }

    /// The current mock time in whole seconds since the Unix epoch (JWT `iat`/`exp` unit).
    pub fn now_unix(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }

    /// Moves the clock forward by `seconds` (negative values are ignored: time never runs back).
    pub fn advance(&self, seconds: f64) {
        if !seconds.is_finite() || seconds <= 0.0 {
            return;
        }
        let ms = (seconds * 1000.0).min(i64::MAX as f64 / 4.0) as i64;
        self.inner.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Total time added through [`Clock::advance`], in seconds.
    pub fn offset_secs(&self) -> f64 {
        self.inner.offset_ms.load(Ordering::Relaxed) as f64 / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let c = Clock::manual(start);
        assert_eq!(c.now(), start);
        c.advance(90.5);
        assert_eq!(c.now_millis(), start.timestamp_millis() + 90_500);
        c.advance(-10.0);
        assert_eq!(c.offset_secs(), 90.5);
    }

    #[test]
    fn real_clock_adds_offset_to_wall_time() {
        let c = Clock::real();
        let before = c.now_unix();
        c.advance(3600.0);
        assert!(c.now_unix() >= before + 3600);
    }
}
