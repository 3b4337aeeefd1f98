//! `GET /devices/v1/devices` (openapi/glp-platform.yaml): the device inventory of the workspace
//! the bearer token belongs to, paged by `offset`/`limit` and sorted by `sort`.
//!
//! An MSP token sees the MSP's own inventory: the devices of its tenants whose inventory the MSP
//! owns (`MSP_OWNED_INVENTORY`), each with `tenantWorkspaceId` naming the tenant it is
//! allocated to. A tenant token sees that tenant's devices only (`tenantWorkspaceId: null`).
//! `GET /devices/v1/devices/{id}` answers one device of that same view, 404 for any other id.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::render;
pub(crate) use super::render::device_type;
use crate::AppState;
use crate::error::{ApiError, GlpStandard};
use crate::extract::QueryParams;
use crate::odata::select::{Select, Selectable};
use crate::odata::{self, Field, Fields, Filter, Kind, Op, Prop, Row};
use crate::sso::bearer::Caller;
use crate::state::GlpWorld;
use crate::state::glp::{DeviceView, Principal};

type Error = ApiError<GlpStandard>;

/// The device routes.
pub fn router() -> Router<Arc<AppState>> {
    use crate::routes::{Routes, get};

    Routes::new()
        .route("/devices/v1/devices", get(list_devices))
        .route("/devices/v1/devices/{id}", get(get_device))
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
    const KEYS: &[&str] = &[
        "serialNumber",
        "macAddress",
        "model",
        "deviceType",
        "createdAt",
        "updatedAt",
    ];
    odata::sort::parse_keys(raw, KEYS)
        .map_err(|e| Error::bad_request(e.to_string()).with_field("sort"))
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
    let offset = q.count("offset", 0, StatusCode::BAD_REQUEST)?;
    let limit = q.count("limit", 2000, StatusCode::BAD_REQUEST)?;
    let keys = match q.get("sort") {
        Some(s) => parse_sort(s)?,
        None => vec![],
    };
    let filter = match q.get("filter") {
        Some(f) => Some(parse_filter(f, &DEVICE_FIELDS)?),
        None => None,
    };
    let tags = match q.get("filter-tags") {
        Some(f) => Some(odata::parse(f, &TAG_FIELDS).map_err(|e| {
            Error::bad_request(format!("filter-tags: {e}")).with_field("filter-tags")
        })?),
        None => None,
    };
    let select = parse_select(&DEVICE_SELECT, q.get("select"))?;
    // Devices are borrowed under the read lock, and only the page is ordered and rendered: the
    // first `offset + limit` are selected in linear time, then sorted.
    let (total, items) = state.store.with(|g: &GlpWorld| {
        let mut devices = g.devices_visible_to(&caller.principal);
        if let Some(f) = &filter {
            devices.retain(|d| f.matches(d));
        }
        if let Some(f) = &tags {
            devices.retain(|d| f.matches(&Tags(d)));
        }
        let total = devices.len();
        let end = offset.saturating_add(limit).min(total);
        if end > 0 && end < total {
            devices.select_nth_unstable_by(end - 1, |a, b| compare(a, b, &keys));
            devices.truncate(end);
        }
        devices.sort_unstable_by(|a, b| compare(a, b, &keys));
        let items: Vec<Value> = devices
            .iter()
            .skip(offset)
            .map(|d| selected(render::device(d), select.as_ref()))
            .collect();
        (total, items)
    });
    Ok(Json(json!({
        "items": items,
        "count": items.len(),
        "offset": offset,
        "total": total,
    })))
}

/// `GET /devices/v1/devices/{id}`: 404 when the token's workspace holds no device `id`
/// (whether or not another workspace does, so ids cannot be probed).
async fn get_device(
    State(state): State<Arc<AppState>>,
    caller: Caller<GlpStandard>,
    Path(raw): Path<String>,
    q: QueryParams<GlpStandard>,
) -> Result<Json<Value>, Error> {
    let id = super::parse_id::<GlpStandard>(&raw, "id", StatusCode::BAD_REQUEST)?;
    let select = parse_select(&DEVICE_SELECT, q.get("select"))?;
    state
        .store
        .with(|g: &GlpWorld| {
            g.devices_visible_to(&caller.principal)
                .iter()
                .find(|d| d.device.id == id)
                .map(|d| selected(render::device(d), select.as_ref()))
        })
        .map(Json)
        .ok_or_else(|| Error::not_found(format!("device {id} not found")))
}

/// The properties `select` may name: the spec's `Device` schema.
static DEVICE_SELECT: Selectable = Selectable::new("glp-platform", "Device");

/// Parses a `select` parameter against `schema`, answering 400 naming the property.
pub(crate) fn parse_select(
    schema: &Selectable,
    raw: Option<&str>,
) -> Result<Option<Select>, Error> {
    raw.map(|s| {
        schema
            .parse(s)
            .map_err(|e| Error::bad_request(e.to_string()).with_field("select"))
    })
    .transpose()
}

/// `item` projected on `select`, or whole.
pub(crate) fn selected(item: Value, select: Option<&Select>) -> Value {
    match select {
        Some(s) => s.project(&item),
        None => item,
    }
}

/// A device's tag name, as `filter-tags` writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagName(String);

/// `filter-tags`: any tag name is a text field (a device without the tag has it null).
static TAG_FIELDS: Fields<TagName> = Fields::open(
    "glp-platform",
    "list_devices",
    Op::ALL,
    Kind::Text,
    |name| TagName(name.to_owned()),
);

/// A device seen through its tags.
struct Tags<'a, 'd>(&'a DeviceView<'d>);

impl Row<TagName> for Tags<'_, '_> {
    fn prop(&self, key: TagName) -> Prop<'_> {
        Prop::opt_str(self.0.device.tags.get(&key.0).map(String::as_str))
    }
}

/// Parses a `filter` parameter for the list `fields`, answering 400 naming the problem.
pub(crate) fn parse_filter<K: Clone + 'static>(
    f: &str,
    fields: &Fields<K>,
) -> Result<Filter<K>, Error> {
    odata::parse(f, fields)
        .map_err(|e| Error::bad_request(format!("filter: {e}")).with_field("filter"))
}

/// A filterable device property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKey {
    /// `id`.
    Id,
    /// `serialNumber`.
    SerialNumber,
    /// `macAddress`.
    MacAddress,
    /// `partNumber` (always null in the mock).
    PartNumber,
    /// `model`.
    Model,
    /// `deviceType`.
    DeviceType,
    /// `region` (always null in the mock).
    Region,
    /// `tenantWorkspaceId`.
    TenantWorkspaceId,
    /// `archived`.
    Archived,
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
}

/// Filterable device properties (openapi/glp-platform.yaml).
pub(crate) static DEVICE_FIELDS: Fields<DeviceKey> = Fields::new(
    "glp-platform",
    "list_devices",
    Op::ALL,
    &[
        Field::uuid("id", DeviceKey::Id),
        Field::text("serialNumber", DeviceKey::SerialNumber),
        Field::text("macAddress", DeviceKey::MacAddress),
        Field::text("partNumber", DeviceKey::PartNumber),
        Field::text("model", DeviceKey::Model),
        Field::text("deviceType", DeviceKey::DeviceType),
        Field::text("region", DeviceKey::Region),
        Field::uuid("tenantWorkspaceId", DeviceKey::TenantWorkspaceId),
        Field::boolean("archived", DeviceKey::Archived),
        Field::time("createdAt", DeviceKey::CreatedAt),
        Field::time("updatedAt", DeviceKey::UpdatedAt),
    ],
);

impl Row<DeviceKey> for DeviceView<'_> {
    fn prop(&self, key: DeviceKey) -> Prop<'_> {
        let d = self.device;
        match key {
            DeviceKey::Id => Prop::Uuid(d.id),
            DeviceKey::SerialNumber => Prop::non_empty(&d.serial_number),
            DeviceKey::MacAddress => Prop::non_empty(&d.mac_address),
            DeviceKey::Model => Prop::non_empty(&d.model),
            DeviceKey::DeviceType => Prop::Str(device_type(&d.model)),
            DeviceKey::PartNumber | DeviceKey::Region => Prop::Null,
            DeviceKey::TenantWorkspaceId if self.allocated => Prop::Uuid(self.tenant.id),
            DeviceKey::TenantWorkspaceId => Prop::Null,
            DeviceKey::Archived => Prop::Bool(false),
            DeviceKey::CreatedAt | DeviceKey::UpdatedAt => Prop::time(self.tenant.created_at),
        }
    }
}
