//! `GET /audit-log/v1/logs` (openapi/glp-platform.yaml): the audit trail of the token's
//! workspace, newest first, paged by `offset`/`limit`.
//!
//! The trail is derived, not stored: one `Device Management` entry per device the workspace
//! holds (from the fixture world), plus one entry per successful GreenLake write in the request
//! journal (token issuance and exchange, tenant creates, updates and deletes, workspace
//! changes). An MSP token sees the writes its API client made and those naming its own tenants;
//! a tenant token sees the writes naming that tenant (e.g. its token exchange, its update) and
//! its devices. Entry ids are stable hashes of the entry, so paging sees each entry once.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::devices::{parse_filter, visible_devices};
use super::rfc3339;
use crate::AppState;
use crate::admin::journal::Entry;
use crate::error::{ApiError, Vendor};
use crate::extract::QueryParams;
use crate::odata::{Field, Fields, Op, Prop, Row};
use crate::sso::bearer::Caller;
use crate::sso::tokens::{Claims, TokenKind};
use crate::state::World;

type Error = ApiError<Vendor>;

/// The audit-log routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/audit-log/v1/logs", get(list_logs))
}

/// One derived audit entry.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Stable id.
    pub id: Uuid,
    /// Category.
    pub category: &'static str,
    /// Description.
    pub description: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (API client id or e-mail).
    pub user: String,
    /// Workspace it happened in, and its name.
    pub workspace: (Uuid, String),
}

fn stable_id(parts: &[&str]) -> Uuid {
    let mut a = DefaultHasher::new();
    let mut b = DefaultHasher::new();
    "audit-a".hash(&mut a);
    "audit-b".hash(&mut b);
    for p in parts {
        p.hash(&mut a);
        p.hash(&mut b);
    }
    Uuid::from_u64_pair(a.finish(), b.finish())
}

/// Workspace ids named in `path` (dashed or 32-hex form) that the world knows.
fn named_workspaces(path: &str, names: &HashMap<Uuid, (String, Uuid)>) -> Vec<Uuid> {
    path.split('/')
        .filter_map(|seg| Uuid::try_parse(seg).ok())
        .filter(|id| names.contains_key(id))
        .collect()
}

/// `(category, description)` of a journaled write.
fn describe(e: &Entry, target: Option<(&Uuid, &str)>) -> (&'static str, String) {
    let who = e.client.as_deref().unwrap_or("an unidentified client");
    let target_name = target.map(|(id, name)| format!("{name} ({id})"));
    let p = e.path.as_str();
    if p.starts_with("/authorization/") || p.starts_with("/as/") {
        let what = match &target_name {
            Some(t) if e.method == "POST" && target.is_some() => {
                format!("Access token for workspace {t} issued to {who}")
            }
            _ => format!("Access token issued to API client {who}"),
        };
        return ("Authentication", what);
    }
    if p.contains("/msp-tenants") {
        let verb = match e.method.as_str() {
            "POST" => "created",
            "DELETE" => "deleted",
            _ => "updated",
        };
        let what = match &target_name {
            Some(t) => format!("Tenant workspace {t} {verb} by API client {who}"),
            None => format!("Tenant workspace {verb} by API client {who}"),
        };
        return ("Customer Management", what);
    }
    if p.starts_with("/workspaces/") || p.starts_with("/workspace-management/") {
        return (
            "Workspace Management",
            format!("{} {} by API client {who}", e.method, e.path),
        );
    }
    (
        "API",
        format!("{} {} by API client {who}", e.method, e.path),
    )
}

/// The trail the token's workspace sees, newest first.
pub fn trail(world: &World, journal: &[Entry], claims: &Claims) -> Vec<AuditEntry> {
    // Every workspace id → (name, owning MSP).
    let mut names: HashMap<Uuid, (String, Uuid)> = HashMap::new();
    let mut clients: HashMap<&str, Uuid> = HashMap::new();
    for m in &world.msps {
        names.insert(m.workspace_id, (m.name.clone(), m.workspace_id));
        clients.insert(m.client_id.as_str(), m.workspace_id);
        for t in &m.tenants {
            names.insert(t.id, (t.name.clone(), m.workspace_id));
        }
    }
    let me = claims.workspace_id;
    let my_msp = claims.msp_id();
    let my_name = names.get(&me).map(|n| n.0.clone()).unwrap_or_default();
    let mut out = Vec::new();

    for v in visible_devices(world, claims) {
        let at = v.tenant.created_at.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let tenant_name = names.get(&v.tenant.id).map(|n| n.0.as_str()).unwrap_or("");
        out.push(AuditEntry {
            id: stable_id(&["device", &v.device.id.to_string(), &me.to_string()]),
            category: "Device Management",
            description: format!(
                "Device {} ({}) added to workspace {tenant_name}",
                v.device.serial_number, v.device.model
            ),
            at,
            user: "system".into(),
            workspace: (v.tenant.id, tenant_name.to_owned()),
        });
    }

    let mut seen: HashMap<String, usize> = HashMap::new();
    for e in journal {
        let write = matches!(e.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE");
        let gl = !(e.path.starts_with("/__admin")
            || e.path.starts_with("/api/msp")
            || e.path.starts_with("/dana-na")
            || e.path.starts_with("/login/")
            || e.path.starts_with("/reports/"));
        if !write || !gl || !(200..300).contains(&e.status) {
            continue;
        }
        let named = named_workspaces(&e.path, &names);
        let by_client = e.client.as_deref().and_then(|c| clients.get(c)).copied();
        let visible = match claims.token_kind {
            TokenKind::Msp => {
                by_client == Some(me)
                    || named
                        .iter()
                        .any(|id| names.get(id).is_some_and(|n| n.1 == me))
            }
            TokenKind::Tenant => named.contains(&me),
        };
        if !visible {
            continue;
        }
        let target = named
            .iter()
            .find(|id| **id != my_msp || named.len() == 1)
            .and_then(|id| names.get_key_value(id))
            .map(|(id, n)| (id, n.0.as_str()));
        let (category, description) = describe(e, target);
        let key = format!(
            "{}|{}|{}|{}|{}",
            e.time.timestamp_millis(),
            e.method,
            e.path,
            e.status,
            e.client.as_deref().unwrap_or("")
        );
        let n = seen.entry(key.clone()).or_insert(0);
        *n += 1;
        let workspace = match claims.token_kind {
            TokenKind::Tenant => (me, my_name.clone()),
            TokenKind::Msp => target
                .filter(|(id, _)| **id != me)
                .map(|(id, name)| (*id, name.to_owned()))
                .unwrap_or_else(|| (me, my_name.clone())),
        };
        out.push(AuditEntry {
            id: stable_id(&["journal", &key, &n.to_string(), &me.to_string()]),
            category,
            description,
            at: e.time,
            user: e.client.clone().unwrap_or_else(|| "unknown".into()),
            workspace,
        });
    }
    // Newest first; equal times keep the later write first.
    out.reverse();
    out.sort_by_key(|e| std::cmp::Reverse(e.at));
    out
}

fn entry_json(e: &AuditEntry) -> Value {
    json!({
        "id": e.id,
        "type": "audit-log/logs",
        "category": e.category,
        "description": e.description,
        "createdAt": rfc3339(e.at),
        "updatedAt": rfc3339(e.at),
        "user": {"username": e.user},
        "workspace": {"id": e.workspace.0, "workspaceName": e.workspace.1},
        "hasDetails": false,
    })
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
    caller: Caller<Vendor>,
    q: QueryParams<Vendor>,
) -> Result<Json<Value>, Error> {
    let offset = q.bounded("offset", 0, 0, usize::MAX, StatusCode::BAD_REQUEST)?;
    let limit = q.bounded("limit", 50, 1, 2000, StatusCode::BAD_REQUEST)?;
    let filter = match q.get("filter") {
        Some(f) => Some(parse_filter(f, &AUDIT_FIELDS)?),
        None => None,
    };
    let journal = state.journal.query(None, None);
    let mut entries = state.store.read(|w| trail(w, &journal, &caller.claims));
    if let Some(f) = &filter {
        entries.retain(|e| f.matches(e));
    }
    let items: Vec<Value> = entries
        .iter()
        .skip(offset)
        .take(limit)
        .map(entry_json)
        .collect();
    Ok(Json(json!({
        "items": items,
        "count": items.len(),
        "offset": offset,
        "total": entries.len(),
    })))
}
