//! The vendor contract `/workspaces/v1/` (glp-workspaces.yaml): read a workspace and its
//! contact, list/create/update/delete MSP tenants. camelCase bodies, GreenLake error shape.
//!
//! Each handler extracts, calls the GreenLake section, and renders ([`super::render`]).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::render::{self, ResourceUri, TenantQuery, View};
use super::validate::{self, CAMEL, RESTRICTED_COUNTRIES};
use super::{JsonBytes, parse_id};
use crate::AppState;
use crate::error::{ApiError, GlpStandard};
use crate::extract::{JsonBody, QueryParams};
use crate::odata::{self, Field, Fields, Op};
use crate::sso::bearer::Caller;
use crate::state::GlpWorld;
use crate::state::glp::TenantInput;
use crate::state::row::WorkspaceKey;

type Error = ApiError<GlpStandard>;
type Auth = Caller<GlpStandard>;
type Query = QueryParams<GlpStandard>;
type Body = JsonBody<GlpStandard>;

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

/// The `/workspaces/v1` routes.
pub fn router() -> Router<Arc<AppState>> {
    use crate::routes::{Routes, get, put};

    Routes::new()
        .route(
            "/workspaces/v1/workspaces/{workspace_id}",
            get(get_workspace),
        )
        .route(
            "/workspaces/v1/workspaces/{workspace_id}/contact",
            get(get_workspace_contact),
        )
        .route(
            "/workspaces/v1/msp-tenants",
            get(list_msp_tenants).post(create_msp_tenant),
        )
        .route(
            "/workspaces/v1/msp-tenants/{tenant_id}",
            put(update_msp_tenant).delete(delete_msp_tenant),
        )
        .into_router()
}

/// `GET /workspaces/v1/workspaces/{workspaceId}`.
async fn get_workspace(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let id = parse_id(&raw, "workspaceId", UNPROCESSABLE)?;
    state
        .store
        .with(|g: &GlpWorld| {
            render::workspace(View::Vendor, g, g.workspace_for(&auth.principal, id)?)
        })
        .map(Json)
}

/// `GET /workspaces/v1/workspaces/{workspaceId}/contact`.
async fn get_workspace_contact(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let id = parse_id(&raw, "workspaceId", UNPROCESSABLE)?;
    let contact = state.store.with(|g: &GlpWorld| {
        g.workspace_for(&auth.principal, id)
            .map(|w| render::contact(View::Vendor, w))
    })?;
    Ok(Json(contact))
}

/// The filter fields of `GET /workspaces/v1/msp-tenants` (glp-workspaces.yaml `Filter`).
pub static CAMEL_FIELDS: Fields<WorkspaceKey> = Fields::new(
    "glp-workspaces",
    "list_msp_tenants",
    Op::ALL,
    &[
        Field::uuid("id", WorkspaceKey::Id),
        Field::time("createdAt", WorkspaceKey::CreatedAt),
        Field::time("updatedAt", WorkspaceKey::UpdatedAt),
        Field::text("workspaceName", WorkspaceKey::WorkspaceName),
        Field::text("createdBy", WorkspaceKey::CreatedBy),
        Field::text("inventoryOwnership", WorkspaceKey::InventoryOwnership),
    ],
);

/// `GET /workspaces/v1/msp-tenants`.
async fn list_msp_tenants(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    query: Query,
) -> Result<JsonBytes, Error> {
    let msp = auth.principal.require_msp()?;
    let offset = query.count("offset", 0, UNPROCESSABLE)?;
    let limit = query.count("limit", 300, UNPROCESSABLE)?;
    let filter = match query.get("filter") {
        None => None,
        Some(f) => Some(
            odata::parse(f, &CAMEL_FIELDS)
                .map_err(|e| Error::unprocessable(e.to_string()).with_field("filter"))?,
        ),
    };
    let q = TenantQuery {
        filter: filter.as_ref(),
        order: None,
        offset,
        limit,
    };
    render::tenant_page(&state.store, &state.glp_items, View::Vendor, msp, &q)
}

/// Validates a tenant body: 422 naming the field, 451 for restricted countries.
fn tenant_body(body: &Value) -> Result<TenantInput, Error> {
    let input = validate::tenant_input(body, &CAMEL, true)
        .map_err(|e| Error::unprocessable(e.issue).with_field(e.field))?;
    if let Some(a) = &input.address
        && RESTRICTED_COUNTRIES.contains(&a.country_code.as_str())
    {
        return Err(Error::new(
            StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS,
            format!(
                "workspaces cannot be created in {} (export restrictions)",
                a.country_code
            ),
        )
        .with_field("address.countryCode"));
    }
    Ok(input)
}

/// `POST /workspaces/v1/msp-tenants`.
async fn create_msp_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    JsonBody(body, ..): Body,
) -> Result<Response, Error> {
    auth.principal.require_msp()?;
    auth.count_tenant_create(&state)?;
    let input = tenant_body(&body)?;
    let now = state.clock.now();
    let tenant = state
        .store
        .with_mut(|g: &mut GlpWorld| g.create_tenant(&auth.principal, input, now))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, ResourceUri(tenant.id).to_string())],
        Json(json!({ "message": format!("Tenant {} created.", tenant.name) })),
    )
        .into_response())
}

/// `PUT /workspaces/v1/msp-tenants/{tenantId}`.
async fn update_msp_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
    JsonBody(body, ..): Body,
) -> Result<Json<Value>, Error> {
    auth.principal.require_msp()?;
    let id = parse_id(&raw, "tenantId", UNPROCESSABLE)?;
    let input = tenant_body(&body)?;
    let now = state.clock.now();
    let t = state
        .store
        .with_mut(|g: &mut GlpWorld| g.update_tenant(&auth.principal, id, input, now))?;
    Ok(Json(
        json!({ "message": format!("Tenant {} updated.", t.id) }),
    ))
}

/// `DELETE /workspaces/v1/msp-tenants/{tenantId}`.
async fn delete_msp_tenant(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<StatusCode, Error> {
    auth.principal.require_msp()?;
    let id = parse_id(&raw, "tenantId", StatusCode::BAD_REQUEST)?;
    let now = state.clock.now();
    state
        .store
        .with_mut(|g: &mut GlpWorld| g.delete_tenant(&auth.principal, id, now))?;
    Ok(StatusCode::NO_CONTENT)
}
