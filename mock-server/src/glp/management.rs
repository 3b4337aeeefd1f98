//! The document view `/workspace-management/v1/` (glp-workspace-management.yaml): snake_case
//! bodies, `{"error": {code, message, details}}` errors, over the same store as the vendor view.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::validate::{self, SNAKE};
use super::{JsonBytes, Rfc3339, parse_id, rfc3339, serialising};
use crate::AppState;
use crate::error::{ApiError, Doc};
use crate::extract::{JsonBody, QueryParams};
use crate::odata::{self, Field, Fields, Op};
use crate::sso::bearer::Caller;
use crate::sso::tokens::TokenKind;
use crate::state::row::{Filter, WorkspaceKey, WorkspaceRow};
use crate::state::{Address, Msp, Rendered, Tenant, TenantInput, Workspace};

type Error = ApiError<Doc>;
type Auth = Caller<Doc>;
type Query = QueryParams<Doc>;
type Body = JsonBody<Doc>;

const BAD: StatusCode = StatusCode::BAD_REQUEST;

/// The `/workspace-management/v1` routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/workspace-management/v1/workspaces", get(list_workspaces))
        .route(
            "/workspace-management/v1/workspaces/{workspace_id}",
            get(get_workspace_details)
                .put(update_workspace)
                .delete(delete_workspace),
        )
        .route(
            "/workspace-management/v1/workspaces/{workspace_id}/contact",
            get(get_workspace_contact_details),
        )
        .route(
            "/workspace-management/v1/msp-tenants",
            get(list_tenants).post(create_tenant),
        )
        .route(
            "/workspace-management/v1/msp-tenants/{tenant_id}",
            get(get_tenant).put(update_tenant).delete(delete_tenant),
        )
}

fn address_json(a: &Address) -> Value {
    serde_json::to_value(a).unwrap_or(Value::Null)
}

/// A tenant as the document view shows it (`Workspace`, snake_case), borrowed from the store.
#[derive(Debug, Serialize)]
struct TenantDoc<'a> {
    workspace_id: Uuid,
    workspace_name: &'a str,
    workspace_type: &'static str,
    msp_workspace_id: Uuid,
    inventory_ownership: &'static str,
    created_at: Option<Rfc3339>,
    updated_at: Option<Rfc3339>,
    device_count: usize,
    user_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a Address>,
}

impl<'a> TenantDoc<'a> {
    fn of(t: &'a Tenant, msp: Uuid) -> Self {
        Self {
            workspace_id: t.id,
            workspace_name: &t.name,
            workspace_type: "MSP_TENANT",
            msp_workspace_id: msp,
            inventory_ownership: t.inventory_ownership.as_str(),
            created_at: t.created_at.map(Rfc3339),
            updated_at: t.updated_at.map(Rfc3339),
            device_count: t.devices.len(),
            user_count: 0,
            description: t.description.as_deref(),
            email: t.email.as_deref(),
            phone_number: t.phone_number.as_deref(),
            created_by: t.created_by.as_deref(),
            address: t.address.as_ref(),
        }
    }
}

/// A page of the document view's lists.
#[derive(Debug, Serialize)]
struct DocPage<T> {
    items: Vec<T>,
    offset: usize,
    count: usize,
    total: usize,
}

/// Bytes per serialised list item, to size the output buffer once.
const ITEM_BYTES: usize = 512;

fn tenant_json(t: &Tenant, msp: Uuid) -> Value {
    serde_json::to_value(TenantDoc::of(t, msp)).unwrap_or(Value::Null)
}

fn msp_json(m: &Msp, tenant_count: usize) -> Value {
    let created = m.created_at.map(rfc3339);
    let mut v = json!({
        "workspace_id": m.workspace_id,
        "workspace_name": m.name,
        "workspace_type": "MSP",
        "email": m.email,
        "created_at": created,
        "updated_at": created,
        "created_by": m.email,
        "device_count": 0,
        "user_count": 0,
        "tenant_count": tenant_count,
    });
    if let Some(p) = &m.phone_number {
        v["phone_number"] = json!(p);
    }
    v
}

/// The filter fields of `GET /msp-tenants` (glp-workspace-management.yaml `Filter`).
pub static SNAKE_FIELDS: Fields<WorkspaceKey> = Fields::new(
    "glp-workspace-management",
    "list_tenants",
    Op::ALL,
    &[
        Field::uuid("workspace_id", WorkspaceKey::Id),
        Field::text("workspace_name", WorkspaceKey::WorkspaceName),
        Field::time("created_at", WorkspaceKey::CreatedAt),
        Field::time("updated_at", WorkspaceKey::UpdatedAt),
        Field::text("created_by", WorkspaceKey::CreatedBy),
        Field::text("inventory_ownership", WorkspaceKey::InventoryOwnership),
    ],
);

/// The filter fields of `GET /workspaces` (glp-workspace-management.yaml `Filter`).
pub static SNAKE_WORKSPACE_FIELDS: Fields<WorkspaceKey> = Fields::new(
    "glp-workspace-management",
    "list_workspaces",
    Op::ALL,
    &[
        Field::uuid("workspace_id", WorkspaceKey::Id),
        Field::text("workspace_name", WorkspaceKey::WorkspaceName),
        Field::text("workspace_type", WorkspaceKey::WorkspaceType),
        Field::time("created_at", WorkspaceKey::CreatedAt),
        Field::time("updated_at", WorkspaceKey::UpdatedAt),
        Field::text("created_by", WorkspaceKey::CreatedBy),
    ],
);

fn parse_filter(q: &Query, fields: &Fields<WorkspaceKey>) -> Result<Option<Filter>, Error> {
    match q.get("filter") {
        None => Ok(None),
        Some(f) => odata::parse(f, fields)
            .map(Some)
            .map_err(|e| Error::bad_request(e.to_string()).with_field("filter")),
    }
}

/// The sort order `field:asc|desc`; `None` keeps creation order.
fn parse_sort(q: &Query) -> Result<Option<(String, bool)>, Error> {
    let Some(raw) = q.get("sort") else {
        return Ok(None);
    };
    let keys = &["name", "created_at", "updated_at", "device_count"];
    let (field, desc) = odata::sort::parse_field_direction(raw, keys)
        .map_err(|e| Error::bad_request(e.to_string()).with_field("sort"))?;
    Ok(Some((field.to_owned(), desc)))
}

/// A row of `GET /workspaces`: what filters and sorts see, and where its body comes from.
struct Item<'a> {
    row: WorkspaceRow<'a>,
    devices: usize,
    source: Source<'a>,
}

enum Source<'a> {
    Msp(&'a Msp),
    Tenant(&'a Tenant, Uuid),
}

/// `GET /workspace-management/v1/workspaces`.
async fn list_workspaces(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    query: Query,
) -> Result<JsonBytes, Error> {
    let limit = query.bounded("limit", 50, 1, 1000, BAD)?;
    let offset = query.bounded("offset", 0, 0, usize::MAX, BAD)?;
    let filter = parse_filter(&query, &SNAKE_WORKSPACE_FIELDS)?;
    let sort = parse_sort(&query)?;
    let claims = auth.claims.clone();
    // Rows borrow from the world under the read lock; only the page is turned into JSON.
    state.store.read(|world| {
        let mut items: Vec<Item<'_>> = Vec::new();
        for m in &world.msps {
            let msp_visible =
                claims.token_kind == TokenKind::Msp && m.workspace_id == claims.workspace_id;
            if msp_visible {
                items.push(Item {
                    row: WorkspaceRow {
                        id: m.workspace_id,
                        name: &m.name,
                        workspace_type: "MSP",
                        created_at: m.created_at,
                        updated_at: m.created_at,
                        created_by: Some(&m.email),
                        inventory_ownership: None,
                    },
                    devices: 0,
                    source: Source::Msp(m),
                });
            }
            for t in &m.tenants {
                if msp_visible || t.id == claims.workspace_id {
                    items.push(Item {
                        row: WorkspaceRow::of_tenant(t),
                        devices: t.devices.len(),
                        source: Source::Tenant(t, m.workspace_id),
                    });
                }
            }
        }
        items.retain(|i| filter.as_ref().is_none_or(|f| f.matches(&i.row)));
        if let Some((field, desc)) = sort {
            items.sort_by(|a, b| {
                let o = match field.as_str() {
                    "name" => a.row.name.cmp(b.row.name),
                    "created_at" => a.row.created_at.cmp(&b.row.created_at),
                    "updated_at" => a.row.updated_at.cmp(&b.row.updated_at),
                    _ => a.devices.cmp(&b.devices),
                };
                let o = if desc { o.reverse() } else { o };
                if o == Ordering::Equal {
                    a.row.id.cmp(&b.row.id)
                } else {
                    o
                }
            });
        }
        let total = items.len();
        let page: Vec<Value> = items
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|i| match i.source {
                Source::Msp(m) => msp_json(m, m.tenants.len()),
                Source::Tenant(t, msp) => tenant_json(t, msp),
            })
            .collect();
        JsonBytes::of(
            &DocPage {
                offset,
                count: page.len(),
                total,
                items: page,
            },
            64 + limit.min(total) * ITEM_BYTES,
        )
    })
}

fn visible(state: &AppState, auth: &Auth, id: Uuid) -> Result<Workspace, Error> {
    if auth.may_see(state, id)
        && let Some(w) = state.store.workspace(id)
    {
        return Ok(w);
    }
    Err(Error::not_found(format!("workspace {id} not found")))
}

fn workspace_json(state: &AppState, w: &Workspace) -> Value {
    match w {
        Workspace::Msp(m) => {
            let count = state.store.read(|w| {
                w.msps
                    .iter()
                    .find(|x| x.workspace_id == m.workspace_id)
                    .map_or(0, |x| x.tenants.len())
            });
            msp_json(m, count)
        }
        Workspace::Tenant { tenant, msp } => tenant_json(tenant, *msp),
    }
}

/// `GET /workspace-management/v1/workspaces/{workspace_id}`.
async fn get_workspace_details(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let id = parse_id(&raw, "workspace_id", BAD)?;
    let w = visible(&state, &auth, id)?;
    Ok(Json(workspace_json(&state, &w)))
}

fn body_input(body: &Value, with_ownership: bool) -> Result<TenantInput, Error> {
    validate::tenant_input(body, &SNAKE, with_ownership)
        .map_err(|e| Error::bad_request(e.issue).with_field(e.field))
}

/// `PUT /workspace-management/v1/workspaces/{workspace_id}`.
async fn update_workspace(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
    JsonBody(body, ..): Body,
) -> Result<Json<Value>, Error> {
    let id = parse_id(&raw, "workspace_id", BAD)?;
    let w = visible(&state, &auth, id)?;
    let input = body_input(&body, false)?;
    let updated = match w {
        Workspace::Msp(_) => Workspace::Msp(Box::new(state.store.update_msp(id, input)?)),
        Workspace::Tenant { msp, .. } => Workspace::Tenant {
            tenant: Box::new(
                state
                    .store
                    .update_tenant(msp, id, input, state.clock.now())?,
            ),
            msp,
        },
    };
    Ok(Json(workspace_json(&state, &updated)))
}

/// `DELETE /workspace-management/v1/workspaces/{workspace_id}`.
async fn delete_workspace(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<StatusCode, Error> {
    let id = parse_id(&raw, "workspace_id", BAD)?;
    match visible(&state, &auth, id)? {
        Workspace::Msp(_) => state.store.delete_msp(id)?,
        Workspace::Tenant { msp, .. } => state.store.delete_tenant(msp, id)?,
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /workspace-management/v1/workspaces/{workspace_id}/contact`.
async fn get_workspace_contact_details(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let id = parse_id(&raw, "workspace_id", BAD)?;
    let (email, phone, address) = match visible(&state, &auth, id)? {
        Workspace::Msp(m) => (Some(m.email), m.phone_number, m.address),
        Workspace::Tenant { tenant, .. } => (tenant.email, tenant.phone_number, tenant.address),
    };
    let mut v = json!({ "workspace_id": id });
    if let Some(e) = email {
        v["email"] = json!(e);
    }
    if let Some(p) = phone {
        v["phone_number"] = json!(p);
    }
    if let Some(a) = address {
        v["address"] = address_json(&a);
    }
    Ok(Json(v))
}

/// `GET /workspace-management/v1/msp-tenants?msp-workspace-id=...`.
async fn list_tenants(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    query: Query,
) -> Result<JsonBytes, Error> {
    let msp = auth.require_msp()?;
    let raw = query
        .get("msp-workspace-id")
        .ok_or_else(|| Error::bad_request("is required").with_field("msp-workspace-id"))?;
    let asked = parse_id(raw, "msp-workspace-id", BAD)?;
    if asked != msp {
        return Err(Error::forbidden(
            "msp-workspace-id is not the caller's MSP workspace",
        ));
    }
    let limit = query.bounded("limit", 50, 1, 1000, BAD)?;
    let offset = query.bounded("offset", 0, 0, usize::MAX, BAD)?;
    let filter = parse_filter(&query, &SNAKE_FIELDS)?;
    let sort = parse_sort(&query)?;
    let page = |total: usize, items: Vec<&Tenant>| {
        let items = items
            .into_iter()
            .map(|t| Rendered::item(&t.rendered.doc, || TenantDoc::of(t, msp)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(serialising)?;
        let body = DocPage {
            count: items.len(),
            items,
            offset,
            total,
        };
        JsonBytes::of(&body, 64 + body.count * ITEM_BYTES)
    };
    // Serialised under the store's read lock from borrowed views: no tenant is copied.
    if let Some((field, desc)) = sort {
        // Sorting needs every match; the store keeps creation order.
        state
            .store
            .matching_tenants(msp, filter.as_ref(), |mut items| {
                items.sort_by(|a, b| {
                    let o = match field.as_str() {
                        "name" => a.name.cmp(&b.name),
                        "created_at" => a.created_at.cmp(&b.created_at),
                        "updated_at" => a.updated_at.cmp(&b.updated_at),
                        _ => a.devices.len().cmp(&b.devices.len()),
                    };
                    let o = if desc { o.reverse() } else { o };
                    o.then(a.id.cmp(&b.id))
                });
                let total = items.len();
                page(total, items.into_iter().skip(offset).take(limit).collect())
            })?
    } else {
        state
            .store
            .tenant_page(msp, filter.as_ref(), offset, limit, |p| {
                page(p.total, p.items)
            })?
    }
}

/// `POST /workspace-management/v1/msp-tenants`.
async fn create_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    JsonBody(body, ..): Body,
) -> Result<Response, Error> {
    let msp = auth.require_msp()?;
    auth.count_tenant_create(&state)?;
    let input = body_input(&body, true)?;
    let t = state.store.create_tenant(msp, input, state.clock.now())?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/workspace-management/v1/msp-tenants/{}", t.id),
        )],
        Json(tenant_json(&t, msp)),
    )
        .into_response())
}

/// `GET /workspace-management/v1/msp-tenants/{tenant_id}`.
async fn get_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let msp = auth.require_msp()?;
    let id = parse_id(&raw, "tenant_id", BAD)?;
    let t = state.store.tenant(msp, id)?;
    Ok(Json(tenant_json(&t, msp)))
}

/// `PUT /workspace-management/v1/msp-tenants/{tenant_id}`.
async fn update_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
    JsonBody(body, ..): Body,
) -> Result<Json<Value>, Error> {
    let msp = auth.require_msp()?;
    let id = parse_id(&raw, "tenant_id", BAD)?;
    let input = body_input(&body, true)?;
    let t = state
        .store
        .update_tenant(msp, id, input, state.clock.now())?;
    Ok(Json(tenant_json(&t, msp)))
}

/// `DELETE /workspace-management/v1/msp-tenants/{tenant_id}`.
async fn delete_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<StatusCode, Error> {
    let msp = auth.require_msp()?;
    let id = parse_id(&raw, "tenant_id", BAD)?;
    state.store.delete_tenant(msp, id)?;
    Ok(StatusCode::NO_CONTENT)
}
