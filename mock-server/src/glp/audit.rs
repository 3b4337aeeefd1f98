//! `GET /audit-log/v1/logs` (openapi/glp-platform.yaml): the audit trail of the token's
//! workspace, newest first, paged by `offset`/`limit`; `GET /audit-log/v1/logs/{id}/detail`:
//! the detail of one entry the token sees (audited writes have one, device entries do not).
//!
//! The trail is GreenLake domain state ([`crate::state::glp::GlpWorld::audit_for`]): the writes
//! append to it (token issuance and exchange, tenant creates, updates and deletes, workspace
//! changes), so clearing or wrapping the request journal does not erase it. Devices add one
//! `Device Management` entry each. An MSP token sees the writes its API client made and those
//! about its own workspaces; a tenant token the writes about that tenant, and its devices.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::devices::{parse_filter, parse_select, selected};
use super::render;
use crate::AppState;
use crate::error::{ApiError, GlpStandard};
use crate::extract::QueryParams;
use crate::odata::select::Selectable;
use crate::odata::{self, Field, Fields, Op, Prop, Row};
use crate::sso::bearer::Caller;
use crate::state::GlpWorld;
use crate::state::glp::AuditEntry;

type Error = ApiError<GlpStandard>;

/// The audit-log routes.
pub fn router() -> Router<Arc<AppState>> {
    use crate::routes::{Routes, get};

    Routes::new()
        .route("/audit-log/v1/logs", get(list_logs))
        .route("/audit-log/v1/logs/{id}/detail", get(log_detail))
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
            AuditKey::HasDetails => Prop::Bool(self.has_details()),
        }
    }
}

/// The properties `select` may name: the spec's `AuditLog` schema.
static AUDIT_SELECT: Selectable = Selectable::new("glp-platform", "AuditLog");

/// What `sort` may name (openapi/glp-platform.yaml `list_audit_logs`).
const SORT_KEYS: &[&str] = &["createdAt", "category", "description", "user/username"];

fn compare(a: &AuditEntry, b: &AuditEntry, keys: &[odata::sort::Key]) -> Ordering {
    for (key, desc) in keys {
        let o = match *key {
            "category" => a.category.cmp(b.category),
            "description" => a.description.cmp(&b.description),
            "user/username" => a.user.cmp(&b.user),
            _ => a.at.cmp(&b.at),
        };
        let o = if *desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Whether the free-text `all` (lowercased) occurs in any of the entry's text, ignoring case.
fn mentions(e: &AuditEntry, text: &str) -> bool {
    [
        e.category,
        e.description.as_str(),
        e.user.as_str(),
        e.workspace.1.as_str(),
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(text))
        || e.id.to_string().contains(text)
        || e.workspace.0.to_string().contains(text)
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
    let keys = match q.get("sort") {
        Some(s) => odata::sort::parse_keys(s, SORT_KEYS)
            .map_err(|e| Error::bad_request(e.to_string()).with_field("sort"))?,
        None => vec![],
    };
    let select = parse_select(&AUDIT_SELECT, q.get("select"))?;
    let all = q.get("all").map(str::to_lowercase);
    let mut entries = state
        .store
        .with(|g: &GlpWorld| g.audit_for(&caller.principal));
    if let Some(f) = &filter {
        entries.retain(|e| f.matches(e));
    }
    if let Some(text) = &all {
        entries.retain(|e| mentions(e, text));
    }
    if !keys.is_empty() {
        // Stable: entries equal on every key keep the trail's newest-first order.
        entries.sort_by(|a, b| compare(a, b, &keys));
    }
    let items: Vec<Value> = entries
        .iter()
        .skip(offset)
        .take(limit)
        .map(|e| selected(render::audit_entry(e), select.as_ref()))
        .collect();
    Ok(Json(json!({
        "items": items,
        "count": items.len(),
        "offset": offset,
        "total": entries.len(),
    })))
}

/// `GET /audit-log/v1/logs/{id}/detail`: 404 when the token's workspace has no entry `id`
/// (whether or not another workspace has one) or the entry has no details.
async fn log_detail(
    State(state): State<Arc<AppState>>,
    caller: Caller<GlpStandard>,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let id = super::parse_id::<GlpStandard>(&raw, "id", StatusCode::BAD_REQUEST)?;
    let entry = state
        .store
        .with(|g: &GlpWorld| g.audit_for(&caller.principal))
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| Error::not_found(format!("audit log {id} not found")))?;
    if !entry.has_details() {
        return Err(Error::not_found(format!(
            "audit log {id} has no details (hasDetails is false)"
        )));
    }
    Ok(Json(render::audit_detail(&entry)))
}
