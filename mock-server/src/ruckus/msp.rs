//! MSP Services handlers (openapi/ruckus-msp.yaml): customers and tech partners, delegations,
//! customer administrators, invitations, activation, support access, branding and firmware
//! schedules. Asynchronous writes answer 202 `{requestId, tenantId}`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use super::render::{self, hex};
use super::{Body, Caller, Error, Query, validate};
use crate::AppState;
use crate::extract::JsonBody;
use crate::state::ruckus::{RuckusError, RuckusWorld, TenantKind};

type Res = Result<Response, Error>;

fn tid(raw: &str) -> Result<Uuid, Error> {
    validate::id(raw, "tenantId")
}

fn accepted(request: Uuid, tenant: Uuid) -> Response {
    (
        StatusCode::ACCEPTED,
        Json(json!({"requestId": request.to_string(), "tenantId": hex(tenant)})),
    )
        .into_response()
}

/// `POST /tenants`.
pub async fn create_tenants(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body, ..): Body,
) -> Res {
    let batch = validate::new_tenants(&body)?;
    let now = state.clock.now();
    let out = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.create_tenants(&caller.principal, batch, now))?;
    let data: Vec<Value> = out
        .into_iter()
        .map(|(req, t)| json!({"requestId": req.to_string(), "tenantId": hex(t)}))
        .collect();
    Ok((StatusCode::ACCEPTED, Json(json!({ "data": data }))).into_response())
}

/// `GET /tenants/{tenantId}`.
pub async fn get_tenant(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Res {
    let id = tid(&raw)?;
    let now = state.clock.now();
    let p = caller.principal;
    let v = state.store.with_mut(|r: &mut RuckusWorld| {
        r.settle(now);
        let ec = r.managed(&p, id)?;
        Ok::<_, RuckusError>(render::account_view(r.msp(&p)?, ec))
    })?;
    Ok(Json(v).into_response())
}

/// `PUT /tenants/{tenantId}`.
pub async fn update_tenant(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
    JsonBody(body, ..): Body,
) -> Res {
    let id = tid(&raw)?;
    let u = validate::tenant_update(&body);
    let now = state.clock.now();
    let req = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.update_tenant(&caller.principal, id, u, now))?;
    Ok(accepted(req, id))
}

/// `PATCH /tenants/{tenantId}`.
pub async fn patch_tenant(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
    JsonBody(body, ..): Body,
) -> Res {
    let id = tid(&raw)?;
    let tags = validate::tags(&body);
    let now = state.clock.now();
    let req = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.tag_tenant(&caller.principal, id, tags, now))?;
    Ok(accepted(req, id))
}

/// `DELETE /tenants/{tenantId}`.
pub async fn delete_tenant(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Res {
    let id = tid(&raw)?;
    let now = state.clock.now();
    let req = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.delete_tenant(&caller.principal, id, now))?;
    Ok(accepted(req, id))
}

/// `GET /tenants/{tenantId}/tenantDelegations`.
pub async fn get_partner_delegations(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
    q: Query,
) -> Res {
    let id = tid(&raw)?;
    let kind = match q.get("delegationType") {
        None | Some("") => None,
        Some(k) => Some(
            TenantKind::parse(k)
                .filter(|k| k.is_partner())
                .ok_or_else(|| {
                    Error::bad_request(format!(
                        "delegationType must be MSP_INTEGRATOR or MSP_INSTALLER, got {k:?}"
                    ))
                    .with_field("delegationType")
                })?,
        ),
    };
    let now = state.clock.now();
    let (ids, k, expiry) = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.partner_customers(&caller.principal, id, kind, now))?;
    let mut v = json!({
        "mspec_list": ids.into_iter().map(hex).collect::<Vec<_>>(),
        "delegation_type": k.as_str(),
        "delegated_to": hex(id),
    });
    if let Some(e) = expiry {
        v["expiry_date"] = json!(render::time(e));
    }
    Ok(Json(v).into_response())
}

/// `PUT /tenants/{tenantId}/tenantDelegations`.
pub async fn put_partner_delegations(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
    JsonBody(body, ..): Body,
) -> Res {
    let id = tid(&raw)?;
    let (kind, customers, all, days) = validate::partner_assignment(&body)?;
    let now = state.clock.now();
    let req = state.store.with_mut(|r: &mut RuckusWorld| {
        r.set_partner_customers(&caller.principal, id, kind, customers, all, days, now)
    })?;
    Ok(accepted(req, id))
}

/// `PATCH /tenantDelegations`.
pub async fn patch_delegations(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body, ..): Body,
) -> Res {
    let list = validate::delegations(&body)?;
    let now = state.clock.now();
    let p = caller.principal;
    let req = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.add_delegations(&p, list, now))?;
    Ok(accepted(req, p.msp))
}

/// `GET /tenants/{tenantId}/admins`.
pub async fn list_ec_admins(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Res {
    let id = tid(&raw)?;
    let now = state.clock.now();
    let p = caller.principal;
    let v = state.store.with_mut(|r: &mut RuckusWorld| {
        r.settle(now);
        let t = r.managed(&p, id)?;
        Ok::<_, RuckusError>(t.admins.iter().map(render::ec_admin).collect::<Vec<_>>())
    })?;
    Ok(Json(v).into_response())
}

/// `GET /tenants/{tenantId}/admins/{adminId}`.
pub async fn get_ec_admin(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path((raw, raw_admin)): Path<(String, String)>,
) -> Res {
    let id = tid(&raw)?;
    let admin = validate::id(&raw_admin, "adminId")?;
    let now = state.clock.now();
    let p = caller.principal;
    let v = state.store.with_mut(|r: &mut RuckusWorld| {
        r.settle(now);
        let t = r.managed(&p, id)?;
        t.admins
            .iter()
            .find(|a| a.id == admin)
            .map(render::ec_admin_view)
            .ok_or(RuckusError::AdminNotFound(id, admin))
    })?;
    Ok(Json(v).into_response())
}

/// `PUT /tenants/{tenantId}/admins/{adminId}`.
pub async fn put_ec_admin(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path((raw, raw_admin)): Path<(String, String)>,
    JsonBody(body, ..): Body,
) -> Res {
    let id = tid(&raw)?;
    let admin = validate::id(&raw_admin, "adminId")?;
    let get = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let now = state.clock.now();
    state.store.with_mut(|r: &mut RuckusWorld| {
        r.put_admin(
            &caller.principal,
            id,
            admin,
            get("email"),
            get("user_name"),
            get("first_name"),
            get("last_name"),
            now,
        )
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /tenants/{tenantId}/admins/{adminId}`.
pub async fn delete_ec_admin(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path((raw, raw_admin)): Path<(String, String)>,
) -> Res {
    let id = tid(&raw)?;
    let admin = validate::id(&raw_admin, "adminId")?;
    let now = state.clock.now();
    state
        .store
        .with_mut(|r: &mut RuckusWorld| r.delete_admin(&caller.principal, id, admin, now))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /tenants/{tenantId}/adminDelegations`.
pub async fn get_admin_delegations(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Res {
    let id = tid(&raw)?;
    let now = state.clock.now();
    let roles = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.admin_delegations(&caller.principal, id, now))?;
    let v: Vec<Value> = roles
        .iter()
        .map(|r| json!({"msp_admin_id": hex(r.admin), "msp_admin_role": r.role}))
        .collect();
    Ok(Json(v).into_response())
}

/// `PUT /tenants/{tenantId}/adminDelegations`.
pub async fn put_admin_delegations(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
    JsonBody(body, ..): Body,
) -> Res {
    let id = tid(&raw)?;
    let (roles, groups) = validate::admin_assignment(&body)?;
    let now = state.clock.now();
    let req = state.store.with_mut(|r: &mut RuckusWorld| {
        r.set_admin_delegations(&caller.principal, id, roles, groups, now)
    })?;
    Ok(accepted(req, id))
}

/// `PATCH /adminDelegations`.
pub async fn patch_admin_delegations(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body, ..): Body,
) -> Res {
    let list = validate::associations(&body)?;
    let now = state.clock.now();
    let p = caller.principal;
    let req = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.patch_admin_delegations(&p, list, now))?;
    Ok(accepted(req, p.msp))
}

/// `PUT /tenants/{tenantId}/invitations`.
pub async fn invite(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
    JsonBody(body, ..): Body,
) -> Res {
    let id = tid(&raw)?;
    let email = body
        .get("admin_email")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let resend = body.get("resend").and_then(Value::as_bool).unwrap_or(false);
    let now = state.clock.now();
    state
        .store
        .with_mut(|r: &mut RuckusWorld| r.invite(&caller.principal, id, &email, resend, now))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn set_active(state: &AppState, caller: &Caller, raw: &str, active: bool) -> Res {
    let id = tid(raw)?;
    let now = state.clock.now();
    let p = caller.principal;
    let v = state.store.with_mut(|r: &mut RuckusWorld| {
        let t = r.set_active(&p, id, active, now)?;
        let m = r.view(&p, now)?;
        Ok::<_, RuckusError>(render::account_view(m, &t))
    })?;
    Ok(Json(json!([v])).into_response())
}

/// `PUT /tenantActivations/{tenantId}`.
pub async fn reactivate(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Res {
    set_active(&state, &caller, &raw, true).await
}

/// `DELETE /tenantActivations/{tenantId}`.
pub async fn deactivate(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Res {
    set_active(&state, &caller, &raw, false).await
}

/// `GET /tenantActivations/supportStatus/{tenantId}`.
pub async fn support_status(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Res {
    let id = tid(&raw)?;
    let now = state.clock.now();
    let p = caller.principal;
    let v = state.store.with_mut(|r: &mut RuckusWorld| {
        r.settle(now);
        let t = r.managed(&p, id)?;
        Ok::<_, RuckusError>(render::support_json(r.msp(&p)?, t))
    })?;
    Ok(Json(v).into_response())
}

async fn set_support(state: &AppState, caller: &Caller, raw: &str, on: bool) -> Res {
    let id = tid(raw)?;
    let now = state.clock.now();
    state
        .store
        .with_mut(|r: &mut RuckusWorld| r.set_support(&caller.principal, id, on, now))?;
    Ok(Json(json!("SUCCESS")).into_response())
}

/// `PUT /tenantActivations/supportStatus/{tenantId}`.
pub async fn enable_support(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Res {
    set_support(&state, &caller, &raw, true).await
}

/// `DELETE /tenantActivations/supportStatus/{tenantId}`.
pub async fn disable_support(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Res {
    set_support(&state, &caller, &raw, false).await
}

/// `GET /brandings`.
pub async fn get_branding(State(state): State<Arc<AppState>>, caller: Caller) -> Res {
    let now = state.clock.now();
    let p = caller.principal;
    let v = state.store.with_mut(|r: &mut RuckusWorld| {
        let b = r.branding(&p, now)?;
        let m = r.view(&p, now)?;
        Ok::<_, RuckusError>(render::branding(m, &b))
    })?;
    Ok(Json(v).into_response())
}

async fn set_branding(state: &AppState, caller: &Caller, body: &Value, create: bool) -> Res {
    let b = validate::branding(body);
    let now = state.clock.now();
    let p = caller.principal;
    let req = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.set_branding(&p, create, b, now))?;
    Ok(accepted(req, p.msp))
}

/// `POST /brandings`.
pub async fn create_branding(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body, ..): Body,
) -> Res {
    set_branding(&state, &caller, &body, true).await
}

/// `PUT /brandings`.
pub async fn update_branding(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body, ..): Body,
) -> Res {
    set_branding(&state, &caller, &body, false).await
}

/// `POST /firmwareUpgradeSchedules`.
pub async fn schedule_firmware(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body, ..): Body,
) -> Res {
    let (customers, schedule) = validate::firmware(&body)?;
    let now = state.clock.now();
    let p = caller.principal;
    let req = state
        .store
        .with_mut(|r: &mut RuckusWorld| r.schedule_firmware(&p, customers, schedule, now))?;
    Ok(accepted(req, p.msp))
}
