//! GreenLake platform routes: the vendor `/workspaces/v1` contract ([`workspaces`]) and the
//! document's `/workspace-management/v1` view ([`management`]), both over the one store.

pub mod audit;
pub mod devices;
pub mod management;
pub mod platform;
pub mod validate;
pub mod workspaces;

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
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

/// Timestamps as the vendor writes them: RFC 3339, milliseconds, `Z`.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
