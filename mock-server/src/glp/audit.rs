//! `GET /audit-log/v1/logs` (openapi/glp-platform.yaml): the audit trail of the token's
//! workspace, newest first, paged by `offset`/`limit`.
//!
//! The trail is GreenLake domain state ([`crate::state::glp::GlpWorld::audit_for`]): the writes
//! append to it (token issuance and exchange, tenant creates, updates and deletes, workspace
//! changes), so clearing or wrapping the request journal does not erase it. Devices add one
//! `Device Management` entry each. An MSP token sees the writes its API client made and those
//! about its own workspaces; a tenant token the writes about that tenant, and its devices.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::devices::parse_filter;
use super::platform::{ALL_OPS, Prop, Row};
use super::render;
use crate::AppState;
use crate::error::{ApiError, GlpStandard};
use crate::extract::QueryParams;
use crate::sso::bearer::Caller;
use crate::state::GlpWorld;
use crate::state::glp::AuditEntry;

type Error = ApiError<GlpStandard>;

/// The audit-log routes.
pub fn router() -> Router<Arc<AppState>> {
    use crate::routes::{Routes, get};

    Routes::new()
        .route("/audit-log/v1/logs", get(list_logs))
        .into_router()
}

/// Filterable audit properties (openapi/glp-platform.yaml).
const AUDIT_PROPS: &[&str] = &[
    "id",
    "category",
    "description",
    "createdAt",
    "user/username",
    "workspace/id",
    "hasDetails",
];

fn audit_row(e: &AuditEntry) -> Row {
    Row::from([
        ("id", Prop::Str(e.id.to_string())),
        ("category", Prop::Str(e.category.to_owned())),
        ("description", Prop::Str(e.description.clone())),
        ("createdAt", Prop::Time(e.at)),
        ("user/username", Prop::Str(e.user.clone())),
        ("workspace/id", Prop::Str(e.workspace.0.to_string())),
        ("hasDetails", Prop::Bool(false)),
    ])
}

/// `GET /audit-log/v1/logs`.
async fn list_logs(
    State(state): State<Arc<AppState>>,
    caller: Caller<GlpStandard>,
    q: QueryParams<GlpStandard>,
) -> Result<Json<Value>, Error> {
    let offset = q.bounded("offset", 0, 0, usize::MAX, StatusCode::BAD_REQUEST)?;
    let limit = q.bounded("limit", 50, 1, 2000, StatusCode::BAD_REQUEST)?;
    let filter = match q.get("filter") {
        Some(f) => Some(parse_filter(f, AUDIT_PROPS, ALL_OPS)?),
        None => None,
    };
    let mut entries = state
        .store
        .with(|g: &GlpWorld| g.audit_for(&caller.principal));
    if let Some(f) = &filter {
        entries.retain(|e| f.matches(&audit_row(e)));
    }
    let items: Vec<Value> = entries
        .iter()
        .skip(offset)
        .take(limit)
        .map(render::audit_entry)
        .collect();
    Ok(Json(json!({
        "items": items,
        "count": items.len(),
        "offset": offset,
        "total": entries.len(),
    })))
}
