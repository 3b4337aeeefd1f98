//! How RUCKUS One shows its section: MSP Services bodies in snake_case (`MspEcAccountView`,
//! `MspView`, ...), query rows in camelCase (`MspEcDto`, `MspInventoryDeviceDto`,
//! `DelegationData`, `VenueDto`, `ActivityDto`), Tenant Management's `Tenant` and `AdminView`.
//! Each row type lists its members (`*_FIELDS`), which the query engine checks names against.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::state::ruckus::{
    ActivityView, Admin, Branding, RuckusDevice, RuckusMsp, RuckusTenant, TenantKind, Venue,
};

/// Timestamps: RFC 3339 with milliseconds.
pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn opt_time(t: Option<DateTime<Utc>>) -> Value {
    t.map(time).map(Value::String).unwrap_or(Value::Null)
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        _ => Map::new(),
    }
}

/// An id as RUCKUS writes tenant and admin ids (32 lowercase hex).
pub(crate) fn hex(id: Uuid) -> String {
    id.simple().to_string()
}

/// `MspEcAccountView` (`GET /tenants/{id}`).
pub(crate) fn account_view(m: &RuckusMsp, t: &RuckusTenant) -> Value {
    let a = &t.account;
    Value::Object(object(json!({
        "msp_label": m.branding.as_ref().map(|b| b.msp_label.clone()),
        "name": t.name,
        "street_address": a.street_address,
        "city": a.city,
        "state": a.state,
        "country": a.country,
        "postal_code": a.postal_code,
        "phone_number": a.phone_number,
        "fax_number": a.fax_number,
        "mapping_url": a.mapping_url,
        "service_effective_date": t.service_effective_date,
        "service_expiration_date": t.service_expiration_date,
        "is_active": if t.active { "true" } else { "false" },
        "tenant_id": hex(t.id),
        "parent_tenant_id": hex(m.tenant_id),
        "tenant_type": t.kind.as_str(),
        "account_id": t.account_id,
        "tier": t.tier,
        "privacyFeatures": [],
    })))
}

/// The members of an `MspEcDto` row.
pub(crate) const EC_FIELDS: &[&str] = &[
    "id",
    "name",
    "tenantType",
    "status",
    "accountType",
    "accountTier",
    "streetAddress",
    "city",
    "state",
    "country",
    "postalCode",
    "creationDate",
    "lastUpdTime",
    "mspTenantId",
    "mspName",
    "mspLabel",
    "mspecId",
    "mspecName",
    "mspAdminCount",
    "mspAdmins",
    "mspEcAdminCount",
    "integrator",
    "installer",
    "integrators",
    "installers",
    "integratorCount",
    "installerCount",
    "customerCount",
    "assignedMspEcList",
    "delegatedTo",
    "delegationExpiryDate",
    "wifiLicenses",
    "switchLicenses",
];

/// An `MspEcDto` row for tenant `t` of `m` at `now`.
pub(crate) fn ec_row(m: &RuckusMsp, t: &RuckusTenant, now: DateTime<Utc>) -> Map<String, Value> {
    let live = |k: TenantKind| -> Vec<String> {
        t.delegations
            .iter()
            .filter(|d| d.kind == k && d.live(now))
            .map(|d| hex(d.partner))
            .collect()
    };
    let integrators = live(TenantKind::Integrator);
    let installers = live(TenantKind::Installer);
    let assigned: Vec<String> = if t.kind.is_partner() {
        m.tenants
            .iter()
            .filter(|c| {
                c.delegations
                    .iter()
                    .any(|d| d.partner == t.id && d.live(now))
            })
            .map(|c| hex(c.id))
            .collect()
    } else {
        vec![]
    };
    let expiry = t
        .delegations
        .iter()
        .filter(|d| d.live(now))
        .filter_map(|d| d.expires)
        .min()
        .map(|e| e.timestamp_millis());
    let wifi = t.devices.iter().filter(|d| d.kind != "SWITCH").count();
    let admins: Vec<String> = t.msp_admins.iter().map(|r| hex(r.admin)).collect();
    object(json!({
        "id": hex(t.id),
        "name": t.name,
        "tenantType": t.kind.as_str(),
        "status": if t.active { "Active" } else { "Inactive" },
        "accountType": "PAID",
        "accountTier": t.tier,
        "streetAddress": t.account.street_address,
        "city": t.account.city,
        "state": t.account.state,
        "country": t.account.country,
        "postalCode": t.account.postal_code,
        "creationDate": opt_time(t.created),
        "lastUpdTime": opt_time(t.updated),
        "mspTenantId": hex(m.tenant_id),
        "mspName": m.name,
        "mspLabel": m.branding.as_ref().map(|b| b.msp_label.clone()),
        "mspecId": hex(t.id),
        "mspecName": t.name,
        "mspAdminCount": admins.len(),
        "mspAdmins": admins,
        "mspEcAdminCount": t.admins.len(),
        "integrator": integrators.first(),
        "installer": installers.first(),
        "integratorCount": integrators.len(),
        "installerCount": installers.len(),
        "integrators": integrators,
        "installers": installers,
        "customerCount": assigned.len(),
        "assignedMspEcList": assigned,
        "delegatedTo": t.delegations.iter().find(|d| d.live(now)).map(|d| hex(d.partner)),
        "delegationExpiryDate": expiry,
        "wifiLicenses": wifi,
        "switchLicenses": t.devices.len() - wifi,
    }))
}

/// The members of an `MspInventoryDeviceDto` row.
pub(crate) const DEVICE_FIELDS: &[&str] = &[
    "id",
    "serialNumber",
    "name",
    "model",
    "deviceType",
    "deviceStatus",
    "connectionStatus",
    "apMac",
    "switchMac",
    "fwVersion",
    "customerName",
    "tenantId",
    "venueId",
    "venueName",
];

/// An inventory row for device `d` of customer `t`.
pub(crate) fn device_row(t: &RuckusTenant, d: &RuckusDevice) -> Map<String, Value> {
    let switch = d.kind == "SWITCH";
    let venue = d.venue.and_then(|v| t.venues.iter().find(|x| x.id == v));
    let online = d.status == "ONLINE";
    object(json!({
        "id": d.serial_number,
        "serialNumber": d.serial_number,
        "name": d.name,
        "model": d.model,
        "deviceType": if switch { "DVCNWTYPE_SWITCH" } else { "DVCNWTYPE_WIFI" },
        "deviceStatus": if online { "2_00_Operational" } else { "3_04_Disconnected" },
        "connectionStatus": if online { "Connected" } else { "Disconnected" },
        "apMac": (!switch).then(|| d.mac.clone()),
        "switchMac": switch.then(|| d.mac.clone()),
        "fwVersion": d.firmware,
        "customerName": t.name,
        "tenantId": hex(t.id),
        "venueId": venue.map(|v| hex(v.id)),
        "venueName": venue.map(|v| v.name.clone()),
    }))
}

/// The members of a `DelegationData` row.
pub(crate) const DELEGATION_FIELDS: &[&str] = &[
    "id",
    "tenantId",
    "tenantName",
    "delegatedToId",
    "delegatedToName",
    "delegationType",
    "type",
    "status",
    "crtTime",
    "lastUpdTime",
    "earlyExpirationDate",
];

/// The delegation rows of `m` at `now`: customers to tech partners and to RUCKUS support.
pub(crate) fn delegation_rows(m: &RuckusMsp, now: DateTime<Utc>) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for t in &m.tenants {
        for d in t.delegations.iter().filter(|d| d.live(now)) {
            let partner = m.tenants.iter().find(|p| p.id == d.partner);
            out.push(object(json!({
                "id": hex(d.id),
                "tenantId": hex(t.id),
                "tenantName": t.name,
                "delegatedToId": hex(d.partner),
                "delegatedToName": partner.map(|p| p.name.clone()),
                "delegationType": d.kind.as_str(),
                "type": d.kind.as_str(),
                "status": "ACCEPTED",
                "crtTime": opt_time(d.created),
                "lastUpdTime": opt_time(d.created),
                "earlyExpirationDate": opt_time(d.expires),
            })));
        }
        if let Some(since) = t.support_since {
            out.push(object(json!({
                "id": hex(support_id(t.id)),
                "tenantId": hex(t.id),
                "tenantName": t.name,
                "delegatedToId": "support",
                "delegatedToName": "RUCKUS Support",
                "delegationType": "SUPPORT_EC",
                "type": "SUPPORT_EC",
                "status": "ACCEPTED",
                "crtTime": time(since),
                "lastUpdTime": time(since),
            })));
        }
    }
    out
}

/// The id of a customer's support delegation (stable: derived from the customer's).
fn support_id(tenant: Uuid) -> Uuid {
    Uuid::from_u128(tenant.as_u128() ^ 0x5u128)
}

/// `GET /tenantActivations/supportStatus/{id}`: `[SupportDelegation]`, empty without access.
pub(crate) fn support_json(m: &RuckusMsp, t: &RuckusTenant) -> Value {
    match t.support_since {
        None => json!([]),
        Some(since) => json!([{
            "id": hex(support_id(t.id)),
            "type": "SUPPORT_EC",
            "status": "ACCEPTED",
            "createdDate": time(since),
            "updatedDate": time(since),
            "delegatedBy": hex(m.tenant_id),
            "delegatedTo": "support",
            "delegatedToName": "RUCKUS Support",
        }]),
    }
}

/// `MspEcAdministrator` (`GET /tenants/{id}/admins`).
pub(crate) fn ec_admin(a: &Admin) -> Value {
    json!({
        "id": hex(a.id),
        "name": a.first_name,
        "lastName": a.last_name,
        "email": a.email,
        "role": a.role,
        "delegateToAllECs": a.delegate_to_all_ecs,
        "detailLevel": "debug",
    })
}

/// `MspEcAdminView` (`GET /tenants/{id}/admins/{adminId}`).
pub(crate) fn ec_admin_view(a: &Admin) -> Value {
    json!({
        "email": a.email,
        "user_name": a.user_name(),
        "full_name": format!("{} {}", a.first_name, a.last_name).trim(),
        "first_name": a.first_name,
        "last_name": a.last_name,
    })
}

/// `AdminView` (`GET /admins`): `delegated` lists, for an MSP administrator, the customers
/// delegated to them.
pub(crate) fn admin_view(a: &Admin, delegated: Vec<String>, external: bool) -> Value {
    let mut v = json!({
        "id": hex(a.id),
        "email": a.email,
        "name": a.first_name,
        "lastName": a.last_name,
        "role": a.role,
        "delegateToAllECs": a.delegate_to_all_ecs,
        "delegatedECs": delegated,
        "detailLevel": "debug",
    });
    if external {
        v["externalId"] = json!(hex(a.id));
    }
    v
}

fn tenant_admin(a: &Admin) -> Value {
    json!({
        "id": hex(a.id),
        "username": a.user_name(),
        "firstName": a.first_name,
        "lastName": a.last_name,
        "detailLevel": "debug",
        "dateFormat": "mm/dd/yyyy",
        "adminRoles": [{"id": hex(a.id), "role": a.role}],
    })
}

/// `Tenant` (`GET /tenants/self`) for the MSP itself.
pub(crate) fn msp_self(m: &RuckusMsp, deep: bool) -> Value {
    let mut v = json!({
        "id": hex(m.tenant_id),
        "name": m.name,
        "tenantType": "MSP",
        "status": "active",
        "externalId": hex(m.tenant_id),
        "isActivated": true,
        "createdDate": opt_time(m.created),
        "updatedDate": opt_time(m.created),
    });
    if deep {
        v["admins"] = m.admins.iter().map(tenant_admin).collect();
        v["delegationsTo"] = json!([]);
        v["account"] = json!({"id": hex(m.tenant_id)});
        v["msp"] = Value::Object(object(json!({
            "mspLabel": m.branding.as_ref().map(|b| b.msp_label.clone()),
            "email": m.email,
        })));
    }
    Value::Object(object(v))
}

/// `Tenant` (`GET /tenants/self`) for a tenant of `m`.
pub(crate) fn tenant_self(
    m: &RuckusMsp,
    t: &RuckusTenant,
    deep: bool,
    now: DateTime<Utc>,
) -> Value {
    let mut v = json!({
        "id": hex(t.id),
        "name": t.name,
        "tenantType": t.kind.as_str(),
        "status": if t.active { "active" } else { "suspended" },
        "externalId": t.account_id.clone().unwrap_or_else(|| hex(t.id)),
        "parentId": hex(m.tenant_id),
        "isActivated": t.active,
        "accountTier": t.tier,
        "createdDate": opt_time(t.created),
        "updatedDate": opt_time(t.updated),
        "MspEcServiceDates": {"parentMspId": hex(m.tenant_id)},
    });
    if deep {
        let a = &t.account;
        v["admins"] = t.admins.iter().map(tenant_admin).collect();
        v["delegationsTo"] = t
            .delegations
            .iter()
            .filter(|d| d.live(now))
            .map(|d| {
                json!({
                    "id": hex(d.id),
                    "type": d.kind.as_str(),
                    "status": "ACCEPTED",
                    "delegatedBy": hex(m.tenant_id),
                    "delegatedTo": hex(d.partner),
                    "isValid": true,
                    "createdDate": opt_time(d.created),
                })
            })
            .collect();
        v["account"] = Value::Object(object(json!({
            "id": t.account_id.clone().unwrap_or_else(|| hex(t.id)),
            "streetAddress": a.street_address,
            "city": a.city,
            "state": a.state,
            "country": a.country,
            "postalCode": a.postal_code,
            "phoneNumber": a.phone_number,
            "faxNumber": a.fax_number,
            "mappingURL": a.mapping_url,
        })));
        v["msp"] = Value::Object(object(json!({
            "mspLabel": m.branding.as_ref().map(|b| b.msp_label.clone()),
            "email": m.email,
        })));
    }
    Value::Object(object(v))
}

/// `Venue` (`GET /venues`).
pub(crate) fn venue(v: &Venue) -> Value {
    Value::Object(object(json!({
        "id": hex(v.id),
        "name": v.name,
        "description": v.description,
        "address": Value::Object(object(json!({
            "addressLine": v.address_line,
            "city": v.city,
            "country": v.country,
            "countryCode": v.country_code,
            "latitude": v.latitude,
            "longitude": v.longitude,
            "timezone": v.timezone,
        }))),
        "tags": v.tags,
        "isTemplate": false,
    })))
}

/// The members of a `VenueDto` row.
pub(crate) const VENUE_FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "addressLine",
    "city",
    "country",
    "countryCode",
    "latitude",
    "longitude",
    "timezone",
    "status",
    "clients",
    "switches",
    "aggregatedApStatus",
];

/// A `VenueDto` row for venue `v` among `devices`.
pub(crate) fn venue_row(v: &Venue, devices: &[RuckusDevice]) -> Map<String, Value> {
    let here: Vec<&RuckusDevice> = devices.iter().filter(|d| d.venue == Some(v.id)).collect();
    let aps: Vec<&&RuckusDevice> = here.iter().filter(|d| d.kind != "SWITCH").collect();
    let online = aps.iter().filter(|d| d.status == "ONLINE").count();
    let mut status = Map::new();
    if online > 0 {
        status.insert("2_00_Operational".into(), json!(online));
    }
    if aps.len() > online {
        status.insert("3_04_Disconnected".into(), json!(aps.len() - online));
    }
    object(json!({
        "id": hex(v.id),
        "name": v.name,
        "description": v.description,
        "addressLine": v.address_line,
        "city": v.city,
        "country": v.country,
        "countryCode": v.country_code,
        "latitude": v.latitude.map(|x| x.to_string()),
        "longitude": v.longitude.map(|x| x.to_string()),
        "timezone": v.timezone,
        "status": if aps.len() > online { "3_RequiresAttention" } else { "1_InSetupPhase" },
        "clients": v.clients,
        "switches": here.len() - aps.len(),
        "aggregatedApStatus": status,
    }))
}

/// The members of an `ActivityDto` row.
pub(crate) const ACTIVITY_FIELDS: &[&str] = &[
    "id",
    "requestId",
    "tenantId",
    "status",
    "useCase",
    "product",
    "error",
    "startDatetime",
    "endDatetime",
];

/// `ActivityDto`.
pub(crate) fn activity(a: &ActivityView) -> Map<String, Value> {
    let step_status = a.status;
    object(json!({
        "id": a.id,
        "requestId": a.id,
        "tenantId": hex(a.scope),
        "status": a.status,
        "useCase": a.use_case,
        "product": "MSP",
        "severity": if a.status == "FAIL" { "Error" } else { "Info" },
        "error": a.error,
        "suggestion": a.error.as_ref().map(|_| "Correct the request and send it again"),
        "startDatetime": time(a.start),
        "endDatetime": opt_time(a.end),
        "descriptionTemplate": a.use_case,
        "steps": [Value::Object(object(json!({
            "id": a.use_case,
            "description": a.use_case,
            "status": step_status,
            "error": a.error,
            "startDatetime": time(a.start),
            "endDatetime": opt_time(a.end),
        })))],
    }))
}

/// `MspView` (`GET /brandings`).
pub(crate) fn branding(m: &RuckusMsp, b: &Branding) -> Value {
    let mut v = Map::new();
    v.extend(b.settings.clone());
    v.insert("msp_label".into(), json!(b.msp_label));
    v.insert("msp_tenant_name".into(), json!(m.name));
    v.insert("msp_external_id".into(), json!(hex(m.tenant_id)));
    v.insert("domain_suffix".into(), json!("ruckus.cloud"));
    Value::Object(v)
}
