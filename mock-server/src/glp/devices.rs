//! `GET /devices/v1/devices` (openapi/glp-platform.yaml): the device inventory of the workspace
//! the bearer token belongs to, paged by `offset`/`limit` and sorted by `sort`.
//!
//! An MSP token sees the MSP's own inventory: the devices of its tenants whose inventory the MSP
//! owns (`MSP_OWNED_INVENTORY`), each with `tenantWorkspaceId` naming the tenant it is
//! allocated to. A tenant token sees that tenant's devices only (`tenantWorkspaceId: null`).

use std::cmp::Ordering;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::platform::{self, ALL_OPS, Filter, Prop, Row};
use super::render;
pub(crate) use super::render::device_type;
use crate::AppState;
use crate::error::{ApiError, GlpStandard};
use crate::extract::QueryParams;
use crate::sso::bearer::Caller;
use crate::state::GlpWorld;
use crate::state::glp::{DeviceView, Principal};

type Error = ApiError<GlpStandard>;

/// The device routes.
pub fn router() -> Router<Arc<AppState>> {
    use crate::routes::{Routes, get};

    Routes::new()
        .route("/devices/v1/devices", get(list_devices))
        .into_router()
}

/// The devices `p`'s workspace holds, in serial-number order (ties by device id).
pub(crate) fn visible_devices<'a>(g: &'a GlpWorld, p: &Principal) -> Vec<DeviceView<'a>> {
    let mut out = g.devices_visible_to(p);
    out.sort_unstable_by(|a, b| compare(a, b, &[]));
    out
}

/// A parsed `sort` key.
type SortKey = (&'static str, bool);

fn parse_sort(raw: &str) -> Result<Vec<SortKey>, Error> {
    const KEYS: [&str; 6] = [
        "serialNumber",
        "macAddress",
        "model",
        "deviceType",
        "createdAt",
        "updatedAt",
    ];
    let mut keys = Vec::new();
    for part in raw.split(',') {
        let mut words = part.split_whitespace();
        let Some(name) = words.next() else {
            return Err(Error::bad_request("sort has an empty key").with_field("sort"));
        };
        let key = KEYS.iter().find(|k| **k == name).ok_or_else(|| {
            Error::bad_request(format!(
                "sort: unsupported property {name:?}; sortable: {}",
                KEYS.join(", ")
            ))
            .with_field("sort")
        })?;
        let desc = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(Error::bad_request(format!(
                    "sort: direction must be asc or desc, got {other:?}"
                ))
                .with_field("sort"));
            }
        };
        if words.next().is_some() {
            return Err(
                Error::bad_request(format!("sort: cannot parse {part:?}")).with_field("sort")
            );
        }
        keys.push((*key, desc));
    }
    Ok(keys)
}

fn compare(a: &DeviceView, b: &DeviceView, keys: &[SortKey]) -> Ordering {
    for (key, desc) in keys {
        let o = match *key {
            "macAddress" => a.device.mac_address.cmp(&b.device.mac_address),
            "model" => a.device.model.cmp(&b.device.model),
            "deviceType" => device_type(&a.device.model).cmp(device_type(&b.device.model)),
            "createdAt" | "updatedAt" => a.tenant.created_at.cmp(&b.tenant.created_at),
            _ => a.device.serial_number.cmp(&b.device.serial_number),
        };
        let o = if *desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    // A total order, so pages never overlap or skip, whatever the fixture's serials.
    a.device
        .serial_number
        .cmp(&b.device.serial_number)
        .then(a.device.id.cmp(&b.device.id))
        .then(a.tenant.id.cmp(&b.tenant.id))
}

/// `GET /devices/v1/devices`.
async fn list_devices(
    State(state): State<Arc<AppState>>,
    caller: Caller<GlpStandard>,
    q: QueryParams<GlpStandard>,
) -> Result<Json<Value>, Error> {
    let offset = q.bounded("offset", 0, 0, usize::MAX, StatusCode::BAD_REQUEST)?;
    let limit = q.bounded("limit", 2000, 1, 2000, StatusCode::BAD_REQUEST)?;
    let keys = match q.get("sort") {
        Some(s) => parse_sort(s)?,
        None => vec![],
    };
    let filter = match q.get("filter") {
        Some(f) => Some(parse_filter(f, DEVICE_PROPS, ALL_OPS)?),
        None => None,
    };
    // Devices are borrowed under the read lock, and only the page is ordered and rendered: the
    // first `offset + limit` are selected in linear time, then sorted.
    let (total, items) = state.store.with(|g: &GlpWorld| {
        let mut devices = g.devices_visible_to(&caller.principal);
        if let Some(f) = &filter {
            devices.retain(|d| f.matches(&device_row(d)));
        }
        let total = devices.len();
        let end = offset.saturating_add(limit).min(total);
        if end > 0 && end < total {
            devices.select_nth_unstable_by(end - 1, |a, b| compare(a, b, &keys));
            devices.truncate(end);
        }
        devices.sort_unstable_by(|a, b| compare(a, b, &keys));
        let items: Vec<Value> = devices.iter().skip(offset).map(render::device).collect();
        (total, items)
    });
    Ok(Json(json!({
        "items": items,
        "count": items.len(),
        "offset": offset,
        "total": total,
    })))
}

/// Parses a `filter` parameter, answering 400 naming the problem.
pub(crate) fn parse_filter(
    f: &str,
    props: &[&'static str],
    ops: &[&'static str],
) -> Result<Filter, Error> {
    platform::parse(f, props, ops)
        .map_err(|e| Error::bad_request(format!("filter: {e}")).with_field("filter"))
}

/// Filterable device properties (openapi/glp-platform.yaml).
const DEVICE_PROPS: &[&str] = &[
    "id",
    "serialNumber",
    "macAddress",
    "partNumber",
    "model",
    "deviceType",
    "region",
    "tenantWorkspaceId",
    "archived",
    "createdAt",
    "updatedAt",
];

fn device_row(v: &DeviceView) -> Row {
    let d = &v.device;
    let s = |x: &str| {
        if x.is_empty() {
            Prop::Null
        } else {
            Prop::Str(x.to_owned())
        }
    };
    let at = v.tenant.created_at.map_or(Prop::Null, Prop::Time);
    Row::from([
        ("id", Prop::Str(d.id.to_string())),
        ("serialNumber", s(&d.serial_number)),
        ("macAddress", s(&d.mac_address)),
        ("partNumber", Prop::Null),
        ("model", s(&d.model)),
        ("deviceType", Prop::Str(device_type(&d.model).to_owned())),
        ("region", Prop::Null),
        (
            "tenantWorkspaceId",
            if v.allocated {
                Prop::Str(v.tenant.id.to_string())
            } else {
                Prop::Null
            },
        ),
        ("archived", Prop::Bool(false)),
        ("createdAt", at.clone()),
        ("updatedAt", at),
    ])
}
