//! The document view `/workspace-management/v1/` (glp-workspace-management.yaml): snake_case
//! bodies, `{"error": {code, message, details}}` errors, over the same GreenLake section as the
//! vendor view.
//!
//! Each handler extracts, calls the GreenLake section, and renders ([`super::render`]).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::render::{self, TenantQuery, View};
use super::validate::{self, SNAKE};
use super::{JsonBytes, parse_id};
use crate::AppState;
use crate::error::{ApiError, GlpDoc};
use crate::extract::{JsonBody, QueryParams};
use crate::odata::{self, Field, Fields, Op};
use crate::sso::bearer::Caller;
use crate::state::GlpWorld;
use crate::state::glp::{Order, SortField, TenantInput, WorkspaceRef};
use crate::state::row::{Filter, WorkspaceKey, WorkspaceRow};

type Error = ApiError<GlpDoc>;
type Auth = Caller<GlpDoc>;
type Query = QueryParams<GlpDoc>;
type Body = JsonBody<GlpDoc>;

const BAD: StatusCode = StatusCode::BAD_REQUEST;

/// The `/workspace-management/v1` routes.
pub fn router() -> Router<Arc<AppState>> {
    use crate::routes::{Routes, get};

    Routes::new()
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
        .into_router()
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
fn parse_sort(q: &Query) -> Result<Option<Order>, Error> {
    let Some(raw) = q.get("sort") else {
        return Ok(None);
    };
    let keys = &["name", "created_at", "updated_at", "device_count"];
    let (field, desc) = odata::sort::parse_field_direction(raw, keys)
        .map_err(|e| Error::bad_request(e.to_string()).with_field("sort"))?;
    let field = match field {
        "name" => SortField::Name,
        "created_at" => SortField::CreatedAt,
        "updated_at" => SortField::UpdatedAt,
        _ => SortField::DeviceCount,
    };
    Ok(Some(Order { field, desc }))
}

/// What the workspace-list filter sees of a workspace.
fn row<'a>(w: &WorkspaceRef<'a>) -> WorkspaceRow<'a> {
    match *w {
        WorkspaceRef::Msp(m) => WorkspaceRow {
            id: m.workspace_id,
            name: &m.name,
            workspace_type: "MSP",
            created_at: m.created_at,
            updated_at: m.created_at,
            created_by: Some(&m.email),
            inventory_ownership: None,
        },
        WorkspaceRef::Tenant(t, _) => WorkspaceRow::of_tenant(t),
    }
}

/// `GET /workspace-management/v1/workspaces`.
async fn list_workspaces(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    query: Query,
) -> Result<JsonBytes, Error> {
    let limit = query.count("limit", 50, BAD)?;
    let offset = query.count("offset", 0, BAD)?;
    let filter = parse_filter(&query, &SNAKE_WORKSPACE_FIELDS)?;
    let sort = parse_sort(&query)?;
    state.store.with(|g: &GlpWorld| {
        let mut rows: Vec<WorkspaceRef<'_>> = g
            .workspaces_visible_to(&auth.principal)
            .filter(|w| filter.as_ref().is_none_or(|f| f.matches(&row(w))))
            .collect();
        if let Some(order) = sort {
            rows.sort_by(|a, b| order.compare(a, b));
        }
        render::workspace_page(g, &rows, offset, limit)
    })
}

/// `GET /workspace-management/v1/workspaces/{workspace_id}`.
async fn get_workspace_details(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let id = parse_id(&raw, "workspace_id", BAD)?;
    state
        .store
        .with(|g: &GlpWorld| render::workspace(View::Doc, g, g.workspace_for(&auth.principal, id)?))
        .map(Json)
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
    // Visibility first, so an invisible workspace is a 404 whatever the body says.
    state
        .store
        .with(|g: &GlpWorld| g.workspace_for(&auth.principal, id).map(|_| ()))?;
    let input = body_input(&body, false)?;
    let now = state.clock.now();
    state
        .store
        .with_mut(|g: &mut GlpWorld| {
            g.update_workspace(&auth.principal, id, input, now)?;
            render::workspace(View::Doc, g, g.workspace_for(&auth.principal, id)?)
        })
        .map(Json)
}

/// `DELETE /workspace-management/v1/workspaces/{workspace_id}`.
async fn delete_workspace(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<StatusCode, Error> {
    let id = parse_id(&raw, "workspace_id", BAD)?;
    let now = state.clock.now();
    state
        .store
        .with_mut(|g: &mut GlpWorld| g.delete_workspace(&auth.principal, id, now))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /workspace-management/v1/workspaces/{workspace_id}/contact`.
async fn get_workspace_contact_details(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let id = parse_id(&raw, "workspace_id", BAD)?;
    let contact = state.store.with(|g: &GlpWorld| {
        g.workspace_for(&auth.principal, id)
            .map(|w| render::contact(View::Doc, w))
    })?;
    Ok(Json(contact))
}

/// `GET /workspace-management/v1/msp-tenants?msp-workspace-id=...`.
async fn list_tenants(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    query: Query,
) -> Result<JsonBytes, Error> {
    auth.principal.require_msp()?;
    let raw = query
        .get("msp-workspace-id")
        .ok_or_else(|| Error::bad_request("is required").with_field("msp-workspace-id"))?;
    let asked = parse_id(raw, "msp-workspace-id", BAD)?;
    let msp = auth.principal.require_own_msp(asked)?;
    let limit = query.count("limit", 50, BAD)?;
    let offset = query.count("offset", 0, BAD)?;
    let filter = parse_filter(&query, &SNAKE_FIELDS)?;
    let q = TenantQuery {
        filter: filter.as_ref(),
        order: parse_sort(&query)?,
        offset,
        limit,
    };
    render::tenant_page(&state.store, &state.glp_items, View::Doc, msp, &q)
}

/// `POST /workspace-management/v1/msp-tenants`.
async fn create_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    JsonBody(body, ..): Body,
) -> Result<Response, Error> {
    let msp = auth.principal.require_msp()?;
    auth.count_tenant_create(&state)?;
    let input = body_input(&body, true)?;
    let now = state.clock.now();
    let t = state
        .store
        .with_mut(|g: &mut GlpWorld| g.create_tenant(&auth.principal, input, now))?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/workspace-management/v1/msp-tenants/{}", t.id),
        )],
        Json(render::tenant::<GlpDoc>(View::Doc, &t, msp)?),
    )
        .into_response())
}

/// `GET /workspace-management/v1/msp-tenants/{tenant_id}`.
async fn get_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let msp = auth.principal.require_msp()?;
    let id = parse_id(&raw, "tenant_id", BAD)?;
    state
        .store
        .with(|g: &GlpWorld| render::tenant(View::Doc, g.tenant(msp, id)?, msp))
        .map(Json)
}

/// `PUT /workspace-management/v1/msp-tenants/{tenant_id}`.
async fn update_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
    JsonBody(body, ..): Body,
) -> Result<Json<Value>, Error> {
    let msp = auth.principal.require_msp()?;
    let id = parse_id(&raw, "tenant_id", BAD)?;
    let input = body_input(&body, true)?;
    let now = state.clock.now();
    let t = state
        .store
        .with_mut(|g: &mut GlpWorld| g.update_tenant(&auth.principal, id, input, now))?;
    render::tenant(View::Doc, &t, msp).map(Json)
}

/// `DELETE /workspace-management/v1/msp-tenants/{tenant_id}`.
async fn delete_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<StatusCode, Error> {
    auth.principal.require_msp()?;
    let id = parse_id(&raw, "tenant_id", BAD)?;
    let now = state.clock.now();
    state
        .store
        .with_mut(|g: &mut GlpWorld| g.delete_tenant(&auth.principal, id, now))?;
    Ok(StatusCode::NO_CONTENT)
}
