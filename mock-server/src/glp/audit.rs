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
use super::render;
use crate::AppState;
use crate::error::{ApiError, GlpStandard};
use crate::extract::QueryParams;
use crate::odata::{Field, Fields, Op, Prop, Row};
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

/// A filterable audit property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditKey {
    /// `id`.
    Id,
    /// `category`.
    Category,
    /// `description`.
    Description,
    /// `createdAt`.
    CreatedAt,
    /// `user/username`.
    Username,
    /// `workspace/id`.
    WorkspaceId,
    /// `hasDetails`.
    HasDetails,
}

/// Filterable audit properties (openapi/glp-platform.yaml).
pub(crate) static AUDIT_FIELDS: Fields<AuditKey> = Fields::new(
    "glp-platform",
    "list_audit_logs",
    Op::ALL,
    &[
        Field::uuid("id", AuditKey::Id),
        Field::text("category", AuditKey::Category),
        Field::text("description", AuditKey::Description),
        Field::time("createdAt", AuditKey::CreatedAt),
        Field::text("user/username", AuditKey::Username),
        Field::uuid("workspace/id", AuditKey::WorkspaceId),
        Field::boolean("hasDetails", AuditKey::HasDetails),
    ],
);

impl Row<AuditKey> for AuditEntry {
    fn prop(&self, key: AuditKey) -> Prop<'_> {
        match key {
            AuditKey::Id => Prop::Uuid(self.id),
            AuditKey::Category => Prop::Str(self.category),
            AuditKey::Description => Prop::Str(&self.description),
            AuditKey::CreatedAt => Prop::Time(self.at),
            AuditKey::Username => Prop::Str(&self.user),
            AuditKey::WorkspaceId => Prop::Uuid(self.workspace.0),
            AuditKey::HasDetails => Prop::Bool(false),
        }
    }
}

/// `GET /audit-log/v1/logs`.
async fn list_logs(
    State(state): State<Arc<AppState>>,
    caller: Caller<GlpStandard>,
    q: QueryParams<GlpStandard>,
) -> Result<Json<Value>, Error> {
    let offset = q.count("offset", 0, StatusCode::BAD_REQUEST)?;
    let limit = q.count("limit", 50, StatusCode::BAD_REQUEST)?;
    let filter = match q.get("filter") {
        Some(f) => Some(parse_filter(f, &AUDIT_FIELDS)?),
        None => None,
    };
    let mut entries = state
        .store
        .with(|g: &GlpWorld| g.audit_for(&caller.principal));
    if let Some(f) = &filter {
        entries.retain(|e| f.matches(e));
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
