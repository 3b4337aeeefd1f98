//! Reading spec-validated RUCKUS bodies into the section's inputs. Types, required members,
//! lengths and patterns are the spec's, checked by the extractor; what is left here is turning
//! ids into ids (a 400 naming the member when one is not) and the enums into their types.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::error::Error;
use crate::state::ruckus::{
    Account, AdminAssociation, AdminOp, AdminRole, Branding, DelegationRequest, FirmwareSchedule,
    NewTenant, TenantKind, TenantUpdate,
};

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

fn list<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn strings(v: &Value, k: &str) -> Vec<String> {
    list(v, k)
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// A tenant or admin id: 32 hex characters (or a dashed UUID); 400 naming `field` otherwise.
pub fn id(raw: &str, field: &str) -> Result<Uuid, Error> {
    Uuid::try_parse(raw.trim()).map_err(|_| {
        Error::bad_request(format!("{raw:?} is not a tenant id (32 hex characters)"))
            .with_field(field)
    })
}

fn id_at(v: &Value, k: &str, field: &str) -> Result<Uuid, Error> {
    match v.get(k).and_then(Value::as_str) {
        Some(raw) => id(raw, field),
        None => Err(Error::bad_request(format!("{k} is required")).with_field(field)),
    }
}

fn kind(raw: Option<String>, field: &str) -> Result<Option<TenantKind>, Error> {
    raw.map(|r| {
        TenantKind::parse(&r).ok_or_else(|| {
            Error::bad_request(format!(
                "{r:?} is not one of MSP_EC, MSP_INTEGRATOR, MSP_INSTALLER"
            ))
            .with_field(field)
        })
    })
    .transpose()
}

fn days(v: &Value, field: &str) -> Result<Option<u32>, Error> {
    match v.get("number_of_days") {
        None | Some(Value::Null) => Ok(None),
        Some(d) => {
            let raw = match d {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            raw.trim()
                .parse::<u32>()
                .map(|n| (n > 0).then_some(n))
                .map_err(|_| {
                    Error::bad_request(format!(
                        "number_of_days must be a number of days, got {raw:?}"
                    ))
                    .with_field(field)
                })
        }
    }
}

fn account(v: &Value) -> Account {
    Account {
        street_address: s(v, "street_address"),
        city: s(v, "city"),
        state: s(v, "state"),
        country: s(v, "country"),
        postal_code: s(v, "postal_code"),
        phone_number: s(v, "phone_number"),
        fax_number: s(v, "fax_number"),
        mapping_url: s(v, "mapping_url"),
    }
}

/// `MspAdminRole` items of `v[k]`, fields named under `prefix`.
fn roles(v: &Value, k: &str, prefix: &str) -> Result<Vec<AdminRole>, Error> {
    list(v, k)
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(AdminRole {
                admin: id_at(r, "msp_admin_id", &format!("{prefix}[{i}].msp_admin_id"))?,
                role: s(r, "msp_admin_role").unwrap_or_default(),
            })
        })
        .collect()
}

/// `AddTenantRequestHolder` → the batch.
pub fn new_tenants(body: &Value) -> Result<Vec<NewTenant>, Error> {
    list(body, "data")
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let at = format!("data[{i}]");
            let mut partners = Vec::new();
            for (j, d) in list(e, "delegations").iter().enumerate() {
                let f = format!("{at}.delegations[{j}]");
                let k = kind(s(d, "delegation_type"), &format!("{f}.delegation_type"))?
                    .unwrap_or(TenantKind::Integrator);
                partners.push((
                    id_at(d, "delegation_id", &format!("{f}.delegation_id"))?,
                    k,
                    days(d, &format!("{f}.number_of_days"))?,
                ));
            }
            let admin = s(e, "admin_email").map(|email| {
                (
                    email,
                    s(e, "admin_firstname").unwrap_or_default(),
                    s(e, "admin_lastname").unwrap_or_default(),
                    s(e, "admin_role"),
                )
            });
            Ok(NewTenant {
                name: s(e, "name").unwrap_or_default(),
                kind: kind(s(e, "tenant_type"), &format!("{at}.tenant_type"))?.unwrap_or_default(),
                account_id: s(e, "account_id"),
                account: account(e),
                service_effective_date: s(e, "service_effective_date"),
                service_expiration_date: s(e, "service_expiration_date"),
                tier: s(e, "tier"),
                admin,
                partners,
                msp_admins: roles(e, "admin_delegations", &format!("{at}.admin_delegations"))?,
                privilege_group_ids: strings(e, "privilege_group_ids"),
            })
        })
        .collect()
}

/// `UpdateMspEcRequest`.
pub fn tenant_update(body: &Value) -> TenantUpdate {
    TenantUpdate {
        name: s(body, "name").unwrap_or_default(),
        account: account(body),
        service_effective_date: s(body, "service_effective_date").unwrap_or_default(),
        service_expiration_date: s(body, "service_expiration_date").unwrap_or_default(),
        tier: s(body, "tier"),
        tags: body.get("tags").map(|_| strings(body, "tags")),
    }
}

/// `PatchMspEcRequest`.
pub fn tags(body: &Value) -> Vec<String> {
    strings(body, "tags")
}

/// `AssignMspEcListRequest`: kind, customers, all, days.
pub fn partner_assignment(
    body: &Value,
) -> Result<(TenantKind, Vec<Uuid>, bool, Option<u32>), Error> {
    let k = kind(s(body, "delegation_type"), "delegation_type")?.unwrap_or(TenantKind::Integrator);
    let customers = list(body, "mspec_list")
        .iter()
        .enumerate()
        .map(|(i, v)| id(v.as_str().unwrap_or_default(), &format!("mspec_list[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let all = body
        .get("isManageAllEcs")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok((k, customers, all, days(body, "number_of_days")?))
}

/// `AssignMspEcToMultipleTechPartners`.
pub fn delegations(body: &Value) -> Result<Vec<DelegationRequest>, Error> {
    list(body, "AssignDelegatedRequest")
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let at = format!("AssignDelegatedRequest[{i}]");
            let partner = match s(d, "delegation_id") {
                Some(raw) => Some(id(&raw, &format!("{at}.delegation_id"))?),
                None => None,
            };
            Ok((
                partner,
                kind(s(d, "delegation_type"), &format!("{at}.delegation_type"))?
                    .unwrap_or(TenantKind::Integrator),
                id_at(d, "mspec_id", &format!("{at}.mspec_id"))?,
                days(d, &format!("{at}.number_of_days"))?,
            ))
        })
        .collect()
}

/// `AssignedMspAdminsRequest`: roles and privilege groups.
pub fn admin_assignment(body: &Value) -> Result<(Vec<AdminRole>, Vec<String>), Error> {
    Ok((
        roles(body, "mspec_list", "mspec_list")?,
        strings(body, "privilege_group_ids"),
    ))
}

/// `MspAdminRequest`.
pub fn associations(body: &Value) -> Result<Vec<AdminAssociation>, Error> {
    list(body, "associations")
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let at = format!("associations[{i}]");
            let op_raw = s(a, "operation");
            let op = AdminOp::parse(op_raw.as_deref()).ok_or_else(|| {
                Error::bad_request(format!(
                    "operation {:?} is not one of SET, ADD, REMOVE",
                    op_raw.unwrap_or_default()
                ))
                .with_field(format!("{at}.operation"))
            })?;
            Ok(AdminAssociation {
                customer: id_at(a, "mspEcId", &format!("{at}.mspEcId"))?,
                op,
                roles: roles(a, "mspAdminRoles", &format!("{at}.mspAdminRoles"))?,
                privilege_groups: a
                    .get("privilege_group_ids")
                    .map(|_| strings(a, "privilege_group_ids")),
            })
        })
        .collect()
}

/// `UpdateMspRequest`.
pub fn branding(body: &Value) -> Branding {
    let mut settings: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
    settings.remove("msp_label");
    Branding {
        msp_label: s(body, "msp_label").unwrap_or_default(),
        settings,
    }
}

/// `FirmwareUpgradeRequest`: the customers and the schedule.
pub fn firmware(body: &Value) -> Result<(Vec<Uuid>, FirmwareSchedule), Error> {
    let data = body.get("data").cloned().unwrap_or(Value::Null);
    let customers = list(&data, "mspEcList")
        .iter()
        .enumerate()
        .map(|(i, v)| {
            id(
                v.as_str().unwrap_or_default(),
                &format!("data.mspEcList[{i}]"),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let auto = data.get("autoSchedule").cloned().unwrap_or(Value::Null);
    let manual = data.get("manualSchedule").cloned().unwrap_or(Value::Null);
    Ok((
        customers,
        FirmwareSchedule {
            operation: s(body, "operation").unwrap_or_default(),
            days: strings(&auto, "days"),
            time_slots: strings(&auto, "timeSlots"),
            date: s(&manual, "date"),
            time_slot: s(&manual, "timeSlot"),
        },
    ))
}
