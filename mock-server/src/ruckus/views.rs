//! The read side: the MSP queries (openapi/ruckus-msp-queries.yaml), activities
//! (ruckus-activities.yaml), `/tenants/self` and `/admins` (ruckus-tenant.yaml) and venues
//! (ruckus-venues.yaml). Every query goes through the one engine in [`super::query`].

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::query::{self, Query as Q};
use super::render::{self, hex};
use super::{Body, Caller, Error, Query};
use crate::AppState;
use crate::extract::JsonBody;
use crate::state::ruckus::{RuckusError, RuckusWorld, TenantKind};

type Res = Result<Response, Error>;

/// Rows of `p`'s MSP built by `rows`, at the MSP level only.
fn msp_rows(
    state: &AppState,
    caller: &Caller,
    rows: impl FnOnce(
        &crate::state::ruckus::RuckusMsp,
        chrono::DateTime<chrono::Utc>,
    ) -> Vec<Map<String, Value>>,
) -> Result<Vec<Map<String, Value>>, Error> {
    let now = state.clock.now();
    let p = caller.principal;
    Ok(state.store.with_mut(|r: &mut RuckusWorld| {
        RuckusWorld::require_msp_level(&p)?;
        r.settle(now);
        Ok::<_, RuckusError>(rows(r.msp(&p)?, now))
    })?)
}

/// `POST /tenants/query` and `POST /mspecs/query`.
pub async fn query_tenants(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body, ..): Body,
) -> Res {
    let q = Q::parse(&body)?;
    q.check(render::EC_FIELDS)?;
    let rows = msp_rows(&state, &caller, |m, now| {
        m.tenants
            .iter()
            .map(|t| render::ec_row(m, t, now))
            .collect()
    })?;
    let page = query::run(rows, &q, render::EC_FIELDS, Some(("name", false)))?;
    Ok(Json(query::envelope(&q, page)).into_response())
}

/// `POST /tenants/inventories/query`.
pub async fn query_inventory(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body, ..): Body,
) -> Res {
    let q = Q::parse(&body)?;
    q.check(render::DEVICE_FIELDS)?;
    let rows = msp_rows(&state, &caller, |m, _| {
        m.tenants
            .iter()
            .flat_map(|t| t.devices.iter().map(move |d| render::device_row(t, d)))
            .collect()
    })?;
    let page = query::run(
        rows,
        &q,
        render::DEVICE_FIELDS,
        Some(("serialNumber", false)),
    )?;
    let more = page.more;
    let mut out = query::envelope(&q, page);
    if more {
        let mut next = body.clone();
        next["page"] = json!(q.page + 1);
        out["subsequentQueries"] = json!([{
            "fields": q.fields,
            "url": format!("{}/tenants/inventories/query", state.tokens.issuer()),
            "httpMethod": "POST",
            "payload": next,
        }]);
    }
    Ok(Json(out).into_response())
}

/// `POST /delegations/query`.
pub async fn query_delegations(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    params: Query,
    JsonBody(body, ..): Body,
) -> Res {
    let q = Q::parse(&body)?;
    q.check(render::DELEGATION_FIELDS)?;
    let entitlements = flag(&params, "inclEntitlements");
    let mut rows = msp_rows(&state, &caller, render::delegation_rows)?;
    if entitlements {
        // The mock keeps no licences, so every delegation has none.
        for r in &mut rows {
            r.insert("entitlements".into(), json!([]));
        }
    }
    let page = query::run(
        rows,
        &q,
        render::DELEGATION_FIELDS,
        Some(("tenantName", false)),
    )?;
    Ok(Json(query::envelope(&q, page)).into_response())
}

/// `GET /activities/{activityId}`.
pub async fn get_activity(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Res {
    let id = uuid::Uuid::try_parse(raw.trim()).map_err(|_| {
        Error::bad_request(format!("{raw:?} is not an activity id (a UUID)"))
            .with_field("activityId")
    })?;
    let now = state.clock.now();
    let a = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.activity(&caller.principal, id, now))?;
    Ok(Json(Value::Object(render::activity(&a))).into_response())
}

/// `POST /activities/query`.
pub async fn query_activities(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body, ..): Body,
) -> Res {
    let q = Q::parse(&body)?;
    q.check(render::ACTIVITY_FIELDS)?;
    let now = state.clock.now();
    let list = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.activities(&caller.principal, now));
    let rows = list.iter().map(render::activity).collect();
    let page = query::run(
        rows,
        &q,
        render::ACTIVITY_FIELDS,
        Some(("startDatetime", true)),
    )?;
    Ok(Json(query::envelope(&q, page)).into_response())
}

fn flag(q: &Query, name: &str) -> bool {
    q.get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// `GET /tenants/self`.
pub async fn tenant_self(State(state): State<Arc<AppState>>, caller: Caller, q: Query) -> Res {
    let deep = flag(&q, "deep");
    let now = state.clock.now();
    let p = caller.principal;
    let v = state.store.with_mut(|r: &mut RuckusWorld| {
        r.settle(now);
        let m = r.msp(&p)?;
        if p.at_msp() {
            return Ok::<_, RuckusError>(render::msp_self(m, deep));
        }
        let t = r.managed(&p, p.acting)?;
        Ok(render::tenant_self(m, t, deep, now))
    })?;
    Ok(Json(v).into_response())
}

/// `GET /admins`.
pub async fn list_admins(State(state): State<Arc<AppState>>, caller: Caller, q: Query) -> Res {
    let external = flag(&q, "withExternalId");
    let now = state.clock.now();
    let p = caller.principal;
    let v = state.store.with_mut(|r: &mut RuckusWorld| {
        r.settle(now);
        let m = r.msp(&p)?;
        if p.at_msp() {
            return Ok::<_, RuckusError>(
                m.admins
                    .iter()
                    .map(|a| {
                        let delegated = m
                            .tenants
                            .iter()
                            .filter(|t| {
                                t.kind == TenantKind::Customer
                                    && (a.delegate_to_all_ecs
                                        || t.msp_admins.iter().any(|r| r.admin == a.id))
                            })
                            .map(|t| hex(t.id))
                            .collect();
                        render::admin_view(a, delegated, external)
                    })
                    .collect::<Vec<_>>(),
            );
        }
        let t = r.managed(&p, p.acting)?;
        Ok(t.admins
            .iter()
            .map(|a| render::admin_view(a, vec![], external))
            .collect())
    })?;
    Ok(Json(v).into_response())
}

/// The venues of the tenant `caller` acts in (and its devices), rendered by `f`.
fn with_venues<T>(
    state: &AppState,
    caller: &Caller,
    f: impl FnOnce(&[crate::state::ruckus::Venue], &[crate::state::ruckus::RuckusDevice]) -> T,
) -> Result<T, Error> {
    let now = state.clock.now();
    let p = caller.principal;
    Ok(state.store.with_mut(|r: &mut RuckusWorld| {
        r.settle(now);
        if p.at_msp() {
            return Ok::<_, RuckusError>(f(&r.msp(&p)?.venues, &[]));
        }
        let t = r.managed(&p, p.acting)?;
        Ok(f(&t.venues, &t.devices))
    })?)
}

/// `GET /venues`.
pub async fn list_venues(State(state): State<Arc<AppState>>, caller: Caller) -> Res {
    let mut list = with_venues(&state, &caller, |vs, _| {
        vs.iter()
            .map(|v| (v.name.to_lowercase(), render::venue(v)))
            .collect::<Vec<_>>()
    })?;
    list.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Json(list.into_iter().map(|(_, v)| v).collect::<Vec<_>>()).into_response())
}

/// `POST /venues/query`.
pub async fn query_venues(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body, ..): Body,
) -> Res {
    let q = Q::parse(&body)?;
    q.check(render::VENUE_FIELDS)?;
    let rows = with_venues(&state, &caller, |vs, ds| {
        vs.iter().map(|v| render::venue_row(v, ds)).collect()
    })?;
    let page = query::run(rows, &q, render::VENUE_FIELDS, Some(("name", false)))?;
    Ok(Json(query::envelope(&q, page)).into_response())
}
