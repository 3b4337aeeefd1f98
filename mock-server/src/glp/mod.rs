//! GreenLake platform routes: the vendor `/workspaces/v1` contract ([`workspaces`]) and the
//! document's `/workspace-management/v1` view ([`management`]), both over the one store.

pub mod audit;
pub mod devices;
pub mod management;
pub mod validate;
pub mod workspaces;

use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, Flavor};

/// Every GreenLake platform route.
pub fn router() -> Router<Arc<AppState>> {
    workspaces::router()
        .merge(management::router())
        .merge(devices::router())
        .merge(audit::router())
}

/// A path id that must be a uuid; `status` when it is not.
pub(crate) fn parse_id<F: Flavor>(
    raw: &str,
    name: &str,
    status: StatusCode,
) -> Result<Uuid, ApiError<F>> {
    Uuid::try_parse(raw)
        .map_err(|_| ApiError::new(status, format!("{raw:?} is not a uuid")).with_field(name))
}

/// Timestamps as the vendor writes them: RFC 3339, milliseconds, `Z` (see [`Rfc3339`]).
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    Rfc3339(t).to_string()
}

/// A timestamp as the vendor writes it, serialised straight into the output without building
/// a `String` (list pages hold two per item).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rfc3339(pub DateTime<Utc>);

impl Rfc3339 {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` written into `buf`, or `None` for what only chrono's own
    /// formatter writes right (years outside 0000-9999, leap seconds).
    fn write_fixed(self, buf: &mut [u8; 24]) -> Option<&str> {
        let n = self.0.naive_utc();
        let (date, time) = (n.date(), n.time());
        let nanos = time.nanosecond();
        let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
        if nanos >= 1_000_000_000 {
            return None;
        }
        let mut put = |at: usize, width: usize, mut v: u32| {
            for i in (at..at + width).rev() {
                // `v % 10` is a single decimal digit, so the cast cannot truncate.
                buf[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, 4, year);
        put(5, 2, date.month());
        put(8, 2, date.day());
        put(11, 2, time.hour());
        put(14, 2, time.minute());
        put(17, 2, time.second());
        put(20, 3, nanos / 1_000_000);
        for (at, c) in [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'.'),
            (23, b'Z'),
        ] {
            buf[at] = c;
        }
        std::str::from_utf8(buf).ok()
    }
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.write_fixed(&mut [0; 24]) {
            Some(s) => f.write_str(s),
            None => f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true)),
        }
    }
}

impl Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.write_fixed(&mut [0; 24]) {
            Some(text) => s.serialize_str(text),
            None => s.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true)),
        }
    }
}

/// An `application/json` body serialised once, from borrowed views of the store.
#[derive(Debug)]
pub(crate) struct JsonBytes(pub Vec<u8>);

impl JsonBytes {
    /// Serialises `v` (a 500 in flavour `F` if that fails, which typed views cannot).
    pub(crate) fn of<T: Serialize, F: Flavor>(
        v: &T,
        size_hint: usize,
    ) -> Result<Self, ApiError<F>> {
        let mut buf = Vec::with_capacity(size_hint);
        serde_json::to_writer(&mut buf, v).map_err(serialising)?;
        Ok(Self(buf))
    }
}

/// The 500 for a response body that cannot be serialised (typed views cannot fail; this keeps
/// the path panic-free).
pub(crate) fn serialising<F: Flavor>(e: serde_json::Error) -> ApiError<F> {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("serialising the response: {e}"),
    )
}

impl IntoResponse for JsonBytes {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.0,
        )
            .into_response()
    }
}

#[cfg(test)]
mod rfc3339_tests {
    use super::*;

    fn chrono_rfc3339(t: DateTime<Utc>) -> String {
        t.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    #[test]
    fn display_matches_chrono() {
        let base = DateTime::parse_from_rfc3339("2026-11-22T08:09:07.5+00:00")
            .map(|t| t.with_timezone(&Utc))
            .unwrap();
        // Every millisecond boundary case, sub-millisecond truncation, and far dates.
        for ms in [0i64, 1, 999, 1000, 59_999, 86_399_999, 1_234_567_891_011] {
            for extra_ns in [0i64, 1, 999_999] {
                let t = base
                    + chrono::Duration::milliseconds(ms)
                    + chrono::Duration::nanoseconds(extra_ns);
                assert_eq!(Rfc3339(t).to_string(), chrono_rfc3339(t));
            }
        }
        let epoch = DateTime::<Utc>::from_timestamp(0, 0).unwrap();
        assert_eq!(Rfc3339(epoch).to_string(), "1970-01-01T00:00:00.000Z");
        let far = DateTime::<Utc>::from_timestamp(400_000_000_000, 0).unwrap();
        assert_eq!(Rfc3339(far).to_string(), chrono_rfc3339(far));
        assert_eq!(
            serde_json::to_string(&Rfc3339(epoch)).unwrap(),
            "\"1970-01-01T00:00:00.000Z\""
        );
    }
}
