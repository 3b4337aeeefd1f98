//! How Aruba Central shows the mock's GreenLake state: tenant rows, inventory rows and Central's
//! page envelope, written straight from the store's borrowed tenants and devices.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{ApiError, GlpStandard};
use crate::state::Tenant;
use crate::state::glp::DeviceView;

/// Central's page envelope: the asked page of the items, with the exact `total` and the next
/// 1-based page number (`null` on the last page).
#[derive(Serialize)]
struct Page<T> {
    items: Vec<T>,
    count: usize,
    total: usize,
    next: Option<usize>,
}

impl<T: Serialize> Page<T> {
    /// Page `next` (1-based) of `limit` items out of `rows`.
    fn of(rows: impl ExactSizeIterator<Item = T>, limit: usize, next: usize) -> Self {
        let total = rows.len();
        let start = next.saturating_sub(1).saturating_mul(limit);
        let items: Vec<T> = rows.skip(start).take(limit).collect();
        Page {
            count: items.len(),
            total,
            next: (start.saturating_add(limit) < total).then(|| next.saturating_add(1)),
            items,
        }
    }

    fn into_response(self) -> Response {
        match serde_json::to_vec(&self) {
            Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(e) => ApiError::<GlpStandard>::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("rendering a page: {e}"),
            )
            .into_response(),
        }
    }
}

/// A `list-tenants` row (`TenantSummary` in openapi/central.yaml).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TenantRow<'a> {
    tenant_id: Uuid,
    tenant_name: &'a str,
    total_sites: u32,
    degraded_sites: u32,
    device_health_status: Health,
    alerts: Alerts,
    device_ownership: &'static str,
    last_updated_time: i64,
}

#[derive(Serialize)]
struct Health {
    total: usize,
    good: usize,
    fair: usize,
    poor: usize,
}

#[derive(Serialize)]
struct Alerts {
    total: u32,
    critical: u32,
    major: u32,
    minor: u32,
}

/// Page `next` of the `list-tenants` rows for `tenants` (already in Central's order), as seen
/// at `now_ms`.
pub(super) fn tenant_page(tenants: &[&Tenant], limit: usize, next: usize, now_ms: i64) -> Response {
    let rows = tenants.iter().map(|t| {
        let total = t.devices.len();
        let good = t.devices.iter().filter(|d| d.status == "ONLINE").count();
        TenantRow {
            tenant_id: t.id,
            tenant_name: &t.name,
            total_sites: 0,
            degraded_sites: 0,
            device_health_status: Health {
                total,
                good,
                fair: 0,
                poor: total - good,
            },
            alerts: Alerts {
                total: 0,
                critical: 0,
                major: 0,
                minor: 0,
            },
            device_ownership: t.inventory_ownership.as_str(),
            last_updated_time: now_ms,
        }
    });
    Page::of(rows, limit, next).into_response()
}

/// A `device-inventory` row (`InventoryDevice` in openapi/central.yaml).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InventoryRow<'a> {
    serial_number: &'a str,
    device_name: &'a str,
    device_type: &'static str,
    model: &'a str,
    is_provisioned: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mac_address: Option<&'a str>,
}

/// Page `next` of the `device-inventory` rows for `devices`, in their order.
pub(super) fn inventory_page(devices: &[DeviceView<'_>], limit: usize, next: usize) -> Response {
    let rows = devices.iter().map(|v| {
        let d = v.device;
        InventoryRow {
            serial_number: &d.serial_number,
            device_name: if d.name.is_empty() {
                &d.serial_number
            } else {
                &d.name
            },
            device_type: super::central_type(&d.model),
            model: &d.model,
            is_provisioned: true,
            // Central knows two states; a fixture's other words are not shown.
            status: matches!(d.status.as_str(), "ONLINE" | "OFFLINE").then_some(d.status.as_str()),
            mac_address: (!d.mac_address.is_empty()).then_some(d.mac_address.as_str()),
        }
    });
    Page::of(rows, limit, next).into_response()
}
