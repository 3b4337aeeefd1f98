//! Aruba Central routes PyCentral's MSP guide calls (openapi/central.yaml):
//! `GET /network-msp/v1/list-tenants` (MSP token) and
//! `GET /network-monitoring/v1/device-inventory` (tenant token), both paged by `limit` and a
//! 1-based page number `next`, with an exact `total`.
//!
//! Central tenants are the MSP's GreenLake tenant workspaces (`tenantId` is the workspace id);
//! a tenant's inventory is its GreenLake devices. Errors use the GreenLake-style body
//! `{httpStatusCode, errorCode, message, debugId}` (the [`GlpStandard`] flavour). Rows and
//! pages are rendered in `render.rs`.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::error::{ApiError, GlpStandard};
use crate::extract::QueryParams;
use crate::glp::devices::{device_type, parse_filter, visible_devices};
use crate::odata::{Field, Fields, Op, Prop, Row};
use crate::sso::bearer::Caller;
use crate::state::GlpWorld;
use crate::state::glp::Acting;
use crate::state::glp::DeviceView;
use crate::vendor::Vendor;

mod render;

type Error = ApiError<GlpStandard>;
type Query = QueryParams<GlpStandard>;

/// Aruba Central in the vendor table: its routes, in GreenLake's gateway error shape. Its
/// tenants and credentials are GreenLake's, so it adds no credentials or banner of its own.
pub const VENDOR: Vendor = Vendor {
    name: "central",
    prefixes: &["/network-msp/", "/network-monitoring/"],
    router,
    admin_router: None,
    error: |_, status, message| {
        axum::response::IntoResponse::into_response(Error::new(status, message))
    },
    credentials: None,
    banner: None,
};

/// The Central routes.
pub fn router() -> Router<Arc<AppState>> {
    use crate::routes::{Routes, get};

    Routes::new()
        .route("/network-msp/v1/list-tenants", get(list_tenants))
        .route(
            "/network-monitoring/v1/device-inventory",
            get(device_inventory),
        )
        .into_router()
}

/// `(limit, next)` with the given `next` default (`None`: required).
fn paging(q: &Query, next_default: Option<usize>) -> Result<(usize, usize), Error> {
    let limit = q.count("limit", 100, StatusCode::BAD_REQUEST)?;
    if q.get("next").is_none() && next_default.is_none() {
        return Err(Error::bad_request(
            "next is required: the 1-based page number to return (next=1 for the first page)",
        )
        .with_field("next"));
    }
    let next = q.count("next", next_default.unwrap_or(1), StatusCode::BAD_REQUEST)?;
    Ok((limit, next))
}

/// `GET /network-msp/v1/list-tenants`: MSP token only; tenants by name.
async fn list_tenants(
    State(state): State<Arc<AppState>>,
    caller: Caller<GlpStandard>,
    q: Query,
) -> Result<Response, Error> {
    if caller.principal.acting != Acting::Msp {
        return Err(Error::forbidden(
            "list-tenants requires an MSP token; this token belongs to a tenant workspace",
        ));
    }
    let (limit, next) = paging(&q, None)?;
    let now_ms = state.clock.now_millis().max(0);
    Ok(state.store.with(|g: &GlpWorld| {
        let tenants = g.tenants_by_name(caller.principal.workspace);
        render::tenant_page(&tenants, limit, next, now_ms)
    }))
}

/// Filterable inventory properties (openapi/central.yaml).
pub(crate) static INVENTORY_FIELDS: Fields<InventoryKey> = Fields::new(
    "central",
    "list_device_inventory",
    Op::EQUALITY,
    &[
        Field::text("serialNumber", InventoryKey::SerialNumber),
        Field::text("deviceName", InventoryKey::DeviceName),
        Field::text("deviceType", InventoryKey::DeviceType),
        Field::text("model", InventoryKey::Model),
        Field::text("status", InventoryKey::Status),
        Field::text("siteId", InventoryKey::SiteId),
    ],
);

/// A filterable device-inventory property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InventoryKey {
    /// `serialNumber`.
    SerialNumber,
    /// `deviceName` (the serial number when the device has no name).
    DeviceName,
    /// `deviceType`, in Central's names.
    DeviceType,
    /// `model`.
    Model,
    /// `status`.
    Status,
    /// `siteId` (the mock's devices have no sites).
    SiteId,
}

impl Row<InventoryKey> for DeviceView<'_> {
    fn prop(&self, key: InventoryKey) -> Prop<'_> {
        let d = self.device;
        match key {
            InventoryKey::SerialNumber => Prop::Str(&d.serial_number),
            InventoryKey::DeviceName if d.name.is_empty() => Prop::Str(&d.serial_number),
            InventoryKey::DeviceName => Prop::Str(&d.name),
            InventoryKey::DeviceType => Prop::Str(central_type(&d.model)),
            InventoryKey::Model => Prop::Str(&d.model),
            InventoryKey::Status => Prop::Str(&d.status),
            InventoryKey::SiteId => Prop::Null,
        }
    }
}

/// Central's device family names.
fn central_type(model: &str) -> &'static str {
    match device_type(model) {
        "AP" => "ACCESS_POINT",
        "SWITCH" => "SWITCH",
        "GATEWAY" => "GATEWAY",
        _ => "UNKNOWN",
    }
}

/// `GET /network-monitoring/v1/device-inventory`: tenant token only; devices by serial.
async fn device_inventory(
    State(state): State<Arc<AppState>>,
    caller: Caller<GlpStandard>,
    q: Query,
) -> Result<Response, Error> {
    if caller.principal.acting != Acting::Tenant {
        return Err(Error::forbidden(
            "device-inventory requires a tenant token (exchange the MSP token into the tenant \
             workspace); this token belongs to the MSP workspace",
        ));
    }
    let (limit, next) = paging(&q, Some(1))?;
    let assigned = match q.get("site-assigned") {
        None => None,
        Some("ASSIGNED") => Some(true),
        Some("UNASSIGNED") => Some(false),
        Some(other) => {
            return Err(Error::bad_request(format!(
                "site-assigned must be ASSIGNED or UNASSIGNED, got {other:?}"
            ))
            .with_field("site-assigned"));
        }
    };
    let filter = match q.get("filter") {
        Some(f) => Some(parse_filter(f, &INVENTORY_FIELDS)?),
        None => None,
    };
    Ok(state.store.with(|g: &GlpWorld| {
        let mut devices = visible_devices(g, &caller.principal);
        if let Some(f) = &filter {
            devices.retain(|v| f.matches(v));
        }
        // The mock's devices have no sites: every device is unassigned.
        if assigned == Some(true) {
            devices.clear();
        }
        render::inventory_page(&devices, limit, next)
    }))
}
