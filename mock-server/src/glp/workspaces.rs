//! The vendor contract `/workspaces/v1/` (glp-workspaces.yaml): read a workspace and its
//! contact, list/create/update/delete MSP tenants. camelCase bodies, GreenLake error shape.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use uuid::Uuid;

use super::validate::{self, CAMEL, RESTRICTED_COUNTRIES};
use super::{JsonBytes, Rfc3339, parse_id, rfc3339, serialising};
use crate::AppState;
use crate::error::{ApiError, Vendor};
use crate::extract::{JsonBody, QueryParams};
use crate::odata::{self, Field, Fields, Op};
use crate::sso::bearer::Caller;
use crate::state::row::{Filter, WorkspaceKey};
use crate::state::{Address, Rendered, Store, Tenant, TenantInput, Workspace};

type Error = ApiError<Vendor>;
type Auth = Caller<Vendor>;
type Query = QueryParams<Vendor>;
type Body = JsonBody<Vendor>;

/// The `/workspaces/v1` routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
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
}

fn resource_uri(id: Uuid) -> String {
    ResourceUri(id).to_string()
}

/// `/workspaces/v1/workspaces/{id}`, written straight into the output.
#[derive(Debug, Clone, Copy)]
struct ResourceUri(Uuid);

impl ResourceUri {
    const PREFIX: &'static str = "/workspaces/v1/workspaces/";

    /// The path written into `buf` (prefix + hyphenated uuid: no allocation).
    fn write<'b>(&self, buf: &'b mut [u8; 62]) -> &'b str {
        let (prefix, id) = buf.split_at_mut(Self::PREFIX.len());
        prefix.copy_from_slice(Self::PREFIX.as_bytes());
        self.0.hyphenated().encode_lower(id);
        // Both halves are ASCII; the fallback is unreachable but keeps this panic-free.
        std::str::from_utf8(buf).unwrap_or(Self::PREFIX)
    }
}

impl std::fmt::Display for ResourceUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.write(&mut [0; 62]))
    }
}

impl Serialize for ResourceUri {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.write(&mut [0; 62]))
    }
}

/// A tenant as `/workspaces/v1` shows it (`MspTenant`), borrowed from the store.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TenantView<'a> {
    id: Uuid,
    #[serde(rename = "type")]
    kind: &'static str,
    workspace_name: &'a str,
    generation: u64,
    resource_uri: ResourceUri,
    #[serde(skip_serializing_if = "Option::is_none")]
    inventory_ownership: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workspace_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<Rfc3339>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<Rfc3339>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by: Option<&'a str>,
}

impl<'a> TenantView<'a> {
    /// The list item.
    fn of(t: &'a Tenant) -> Self {
        Self {
            id: t.id,
            kind: "workspace",
            workspace_name: &t.name,
            generation: t.generation,
            resource_uri: ResourceUri(t.id),
            inventory_ownership: Some(t.inventory_ownership.as_str()),
            workspace_type: None,
            created_at: t.created_at.map(Rfc3339),
            updated_at: t.updated_at.map(Rfc3339),
            created_by: t.created_by.as_deref(),
        }
    }
}

/// A page of `GET /workspaces/v1/msp-tenants`.
#[derive(Debug, Serialize)]
struct TenantPage<'a> {
    offset: usize,
    count: usize,
    total: usize,
    items: Vec<&'a RawValue>,
}

/// Bytes per serialised list item, to size the output buffer once.
const ITEM_BYTES: usize = 384;

fn address_json(a: &Address) -> Value {
    let mut v = json!({ "countryCode": a.country_code });
    for (k, f) in [
        ("streetAddress", &a.street_address),
        ("streetAddressComplement", &a.street_address_complement),
        ("city", &a.city),
        ("stateOrRegion", &a.state_or_region),
        ("zip", &a.zip),
    ] {
        if let Some(s) = f {
            v[k] = json!(s);
        }
    }
    v
}

/// The workspace `id` if the caller may see it, else 404 (ids of others cannot be probed).
fn visible_workspace(state: &AppState, auth: &Auth, id: Uuid) -> Result<Workspace, Error> {
    if auth.may_see(state, id)
        && let Some(w) = state.store.workspace(id)
    {
        return Ok(w);
    }
    Err(Error::not_found(format!("workspace {id} not found")))
}

/// `GET /workspaces/v1/workspaces/{workspaceId}`.
async fn get_workspace(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Response, Error> {
    let id = parse_id(&raw, "workspaceId", StatusCode::UNPROCESSABLE_ENTITY)?;
    let body = match visible_workspace(&state, &auth, id)? {
        Workspace::Msp(m) => {
            let created = m.created_at.map(rfc3339);
            json!({
                "id": m.workspace_id,
                "type": "workspace",
                "workspaceName": m.name,
                "workspaceType": "MSP",
                "generation": 0,
                "createdAt": created,
                "updatedAt": created,
                "createdBy": m.email,
                "resourceUri": resource_uri(m.workspace_id),
            })
        }
        Workspace::Tenant { tenant, .. } => {
            let view = TenantView {
                inventory_ownership: None,
                workspace_type: Some("MSP_TENANT"),
                ..TenantView::of(&tenant)
            };
            return JsonBytes::of(&view, ITEM_BYTES).map(IntoResponse::into_response);
        }
    };
    Ok(Json(body).into_response())
}

/// `GET /workspaces/v1/workspaces/{workspaceId}/contact`.
async fn get_workspace_contact(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let id = parse_id(&raw, "workspaceId", StatusCode::UNPROCESSABLE_ENTITY)?;
    let (email, phone, address) = match visible_workspace(&state, &auth, id)? {
        Workspace::Msp(m) => (Some(m.email), m.phone_number, m.address),
        Workspace::Tenant { tenant, .. } => (tenant.email, tenant.phone_number, tenant.address),
    };
    let mut v = json!({ "resourceUri": format!("{}/contact", resource_uri(id)) });
    if let Some(e) = email {
        v["email"] = json!(e);
    }
    if let Some(p) = phone {
        v["phoneNumber"] = json!(p);
    }
    if let Some(a) = address {
        v["address"] = address_json(&a);
    }
    Ok(Json(v))
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
    let msp = auth.require_msp()?;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let offset = query.bounded("offset", 0, 0, usize::MAX, unprocessable)?;
    let limit = query.bounded("limit", 300, 1, 300, unprocessable)?;
    let filter = match query.get("filter") {
        None => None,
        Some(f) => Some(
            odata::parse(f, &CAMEL_FIELDS)
                .map_err(|e| Error::unprocessable(e.to_string()).with_field("filter"))?,
        ),
    };
    page_body(&state.store, msp, filter.as_ref(), offset, limit).map(JsonBytes)
}

/// The body of `GET /workspaces/v1/msp-tenants` for one page of `msp`'s tenants: what the
/// handler sends once the caller and the parameters are checked (public for the benches).
///
/// Serialised under the store's read lock from borrowed views, so no tenant is copied; each
/// item is rendered once and reused until its tenant changes ([`Rendered`]).
pub fn page_body(
    store: &Store,
    msp: Uuid,
    filter: Option<&Filter>,
    offset: usize,
    limit: usize,
) -> Result<Vec<u8>, Error> {
    store.tenant_page(msp, filter, offset, limit, |page| {
        let items = page
            .items
            .into_iter()
            .map(|t| Rendered::item(&t.rendered.vendor, || TenantView::of(t)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(serialising)?;
        let body = TenantPage {
            offset: page.offset,
            count: items.len(),
            total: page.total,
            items,
        };
        JsonBytes::of(&body, 64 + body.count * ITEM_BYTES).map(|b| b.0)
    })?
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
    let msp = auth.require_msp()?;
    auth.count_tenant_create(&state)?;
    let input = tenant_body(&body)?;
    let tenant = state.store.create_tenant(msp, input, state.clock.now())?;
    let location = resource_uri(tenant.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
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
    let msp = auth.require_msp()?;
    let id = parse_id(&raw, "tenantId", StatusCode::UNPROCESSABLE_ENTITY)?;
    let input = tenant_body(&body)?;
    let t = state
        .store
        .update_tenant(msp, id, input, state.clock.now())?;
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
    let msp = auth.require_msp()?;
    let id = parse_id(&raw, "tenantId", StatusCode::BAD_REQUEST)?;
    state.store.delete_tenant(msp, id)?;
    Ok(StatusCode::NO_CONTENT)
}
