//! Ivanti nSA MSP portal routes: the DSID form login, tenants, the tenant-cap request, usage
//! reports (with expiring CSV download URLs) and the report schedule, plus the admin routes that
//! start sessions and decide cap requests (`/__admin/nsa/...`).
//!
//! Handlers extract and validate, call the rules in [`crate::state::nsa`] under the store's one
//! lock, and answer in the portal's shapes. Every error has the spec's `NsaError` body
//! (`{code, message, field?}`); `error.rs` maps each domain refusal
//! ([`crate::state::nsa::NsaError`]) to its wire `code` and status.

pub mod admin;
mod error;
mod render;
mod validate;

pub use error::{Error, Nsa};

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::admin::journal::JournalClient;
use crate::extract::{JsonBody, QueryParams};
use crate::limits::RouteClass;
use crate::sso::bearer::too_many;
use crate::state::nsa::{NsaWorld, SIGNIN_URL_NAME};
use render::{report_json, schedule_json, tenant_json};

type Body = JsonBody<Nsa>;
type Query = QueryParams<Nsa>;

/// Every nSA route (portal login, API, report downloads).
pub fn router() -> Router<Arc<AppState>> {
    use crate::routes::{Routes, get, post, put};

    Routes::new()
        .route("/login/msp", get(login_page))
        .route("/dana-na/auth/{dssignin}/login.cgi", post(login))
        .route("/api/msp/tenants", post(create_tenant).get(list_tenants))
        .route(
            "/api/msp/tenants/requests/tenant-cap-limit",
            post(request_cap),
        )
        .route(
            "/api/msp/tenants/{tenant_id}",
            put(update_tenant).delete(delete_tenant),
        )
        .route("/api/msp/tenants/{tenant_id}/block", post(block_tenant))
        .route("/api/msp/tenants/{tenant_id}/unblock", post(unblock_tenant))
        .route(
            "/api/msp/reports/usage",
            post(generate_report)
                .get(list_reports)
                .delete(delete_reports),
        )
        .route(
            "/api/msp/reports/usage/{report_id}/download-url",
            get(download_url),
        )
        .route(
            "/api/msp/reports/usage/schedule",
            post(set_schedule).get(get_schedule),
        )
        .route("/reports/usage/{file}", get(download))
        .into_router()
}

/// Whether cookies get the `secure` attribute (only when the mock serves HTTPS, so plain-HTTP
/// clients with a cookie jar still send them back).
fn secure(state: &AppState) -> bool {
    state.tokens.issuer().starts_with("https://")
}

fn cookie(state: &AppState, name: &str, value: &str) -> String {
    let secure = if secure(state) { "; secure" } else { "" };
    format!("{name}={value}; path=/{secure}; HttpOnly")
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn request_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// The MSP admin behind a live `DSID` portal session; extracting it marks the session used and
/// counts the call against the MSP's rate limit.
#[derive(Debug, Clone)]
pub struct PortalSession {
    /// The MSP's username.
    pub username: String,
}

impl FromRequestParts<Arc<AppState>> for PortalSession {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let dsid = request_cookie(&parts.headers, "DSID");
        let now = state.clock.now();
        let username = state
            .store
            .with_mut(|n: &mut NsaWorld| n.touch(dsid.as_deref(), now))
            .map_err(Error::from)?;
        if let Some(slot) = parts.extensions.get::<JournalClient>() {
            slot.set(&format!("nsa:{username}"));
        }
        state
            .limits
            .check(&format!("nsa:{username}"), RouteClass::Client)
            .map_err(too_many::<Nsa>)?;
        Ok(PortalSession { username })
    }
}

/// `GET /login/msp`: the sign-in page; sets `DSSIGNIN`.
async fn login_page(State(state): State<Arc<AppState>>) -> Response {
    let html = format!(
        "<!DOCTYPE html><html><body><form method=\"post\" \
         action=\"/dana-na/auth/{SIGNIN_URL_NAME}/login.cgi\">\
         <input name=\"username\"><input name=\"password\" type=\"password\">\
         <input name=\"realm\" type=\"hidden\" value=\"{}\"></form></body></html>",
        crate::state::nsa::DEFAULT_REALM
    );
    (
        [
            (
                header::SET_COOKIE,
                cookie(&state, "DSSIGNIN", SIGNIN_URL_NAME),
            ),
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        ],
        html,
    )
        .into_response()
}

/// `POST /dana-na/auth/{dssignin}/login.cgi`: checks the form, sets `DSID`.
async fn login(
    State(state): State<Arc<AppState>>,
    Path(dssignin): Path<String>,
    body: Bytes,
) -> Result<Response, Error> {
    if dssignin != SIGNIN_URL_NAME {
        return Err(Error::bad_request(format!(
            "unknown sign-in URL {dssignin:?}; use the DSSIGNIN cookie from GET /login/msp \
             ({SIGNIN_URL_NAME})"
        ))
        .with_field("dssignin"));
    }
    let form = validate::login_form(&body)?;
    state
        .limits
        .check(&format!("nsa-login:{}", form.username), RouteClass::Client)
        .map_err(too_many::<Nsa>)?;
    let now = state.clock.now();
    let dsid = state.store.with_mut(|n: &mut NsaWorld| {
        n.login(&form.username, form.password.expose(), &form.realm, now)
    })?;
    tracing::debug!(user = %form.username, "nSA login");
    Ok((
        [
            (header::SET_COOKIE, cookie(&state, "DSID", &dsid)),
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        ],
        "<!DOCTYPE html><html><body>Signed in.</body></html>",
    )
        .into_response())
}

/// `POST /api/msp/tenants`: 202, the tenant starts `initializing`.
async fn create_tenant(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    JsonBody(body, ..): Body,
) -> Result<StatusCode, Error> {
    let input = validate::new_tenant(&body)?;
    let now = state.clock.now();
    state
        .store
        .with_mut(|n: &mut NsaWorld| n.create_tenant(&session.username, input, now))?;
    Ok(StatusCode::ACCEPTED)
}

fn page(q: &Query) -> Result<(usize, usize), Error> {
    let start = q.count("start", 0, StatusCode::BAD_REQUEST)?;
    let limit = q.count("limit", 20, StatusCode::BAD_REQUEST)?;
    Ok((start, limit))
}

/// `GET /api/msp/tenants`.
async fn list_tenants(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    q: Query,
) -> Result<Json<Value>, Error> {
    let (start, limit) = page(&q)?;
    let now = state.clock.now();
    let l = state
        .store
        .with_mut(|n: &mut NsaWorld| n.list_tenants(&session.username, start, limit, now))?;
    Ok(Json(json!({
        "total": l.total,
        "tenants": l.tenants.iter().map(|(t, s)| tenant_json(t, *s, now)).collect::<Vec<_>>(),
        "users": {"ZTA": l.users.0, "PCS": l.users.1},
        "tenant_stats": {"active": l.stats.0, "blocked": l.stats.1, "initializing": l.stats.2},
        "tenant_cap_limit": l.cap,
    })))
}

/// `POST /api/msp/tenants/requests/tenant-cap-limit`.
async fn request_cap(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    JsonBody(body, ..): Body,
) -> Result<Json<Value>, Error> {
    let (limit, reason) = validate::cap_request(&body)?;
    let now = state.clock.now();
    let id = state
        .store
        .with_mut(|n: &mut NsaWorld| n.request_cap(&session.username, limit, reason, now))?;
    Ok(Json(json!({ "id": id })))
}

fn tenant_id(raw: &str) -> Result<Uuid, Error> {
    Uuid::try_parse(raw).map_err(|_| {
        Error::bad_request(format!("tenant_id must be a uuid, got {raw:?}")).with_field("tenant_id")
    })
}

/// `PUT /api/msp/tenants/{tenant_id}`.
async fn update_tenant(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    Path(raw): Path<String>,
    JsonBody(body, ..): Body,
) -> Result<Json<Value>, Error> {
    let id = tenant_id(&raw)?;
    let (name, subs) = validate::tenant_update(&body)?;
    let now = state.clock.now();
    let (t, status) = state
        .store
        .with_mut(|n: &mut NsaWorld| n.update_tenant(&session.username, id, name, subs, now))?;
    Ok(Json(tenant_json(&t, status, now)))
}

/// `DELETE /api/msp/tenants/{tenant_id}` (the mock's path).
async fn delete_tenant(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    Path(raw): Path<String>,
) -> Result<StatusCode, Error> {
    let id = tenant_id(&raw)?;
    state
        .store
        .with_mut(|n: &mut NsaWorld| n.delete_tenant(&session.username, id))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_blocked(
    state: &AppState,
    session: &PortalSession,
    raw: &str,
    blocked: bool,
) -> Result<Json<Value>, Error> {
    let id = tenant_id(raw)?;
    let now = state.clock.now();
    let (t, status) = state
        .store
        .with_mut(|n: &mut NsaWorld| n.set_blocked(&session.username, id, blocked, now))?;
    Ok(Json(tenant_json(&t, status, now)))
}

/// `POST /api/msp/tenants/{tenant_id}/block` (the mock's path).
async fn block_tenant(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    set_blocked(&state, &session, &raw, true).await
}

/// `POST /api/msp/tenants/{tenant_id}/unblock` (the mock's path).
async fn unblock_tenant(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    set_blocked(&state, &session, &raw, false).await
}

/// `POST /api/msp/reports/usage`.
async fn generate_report(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
) -> Result<Json<Value>, Error> {
    let now = state.clock.now();
    let r = state
        .store
        .with_mut(|n: &mut NsaWorld| n.generate_report(&session.username, now))?;
    Ok(Json(report_json(&r)))
}

/// `GET /api/msp/reports/usage`.
async fn list_reports(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    q: Query,
) -> Result<Json<Value>, Error> {
    let (start, limit) = page(&q)?;
    let (total, items) = state
        .store
        .with_mut(|n: &mut NsaWorld| n.list_reports(&session.username, start, limit))?;
    Ok(Json(json!({
        "total": total,
        "items": items.iter().map(report_json).collect::<Vec<_>>(),
    })))
}

/// Most report ids one delete may name.
const MAX_DELETE_IDS: usize = 100;

/// `DELETE /api/msp/reports/usage?report_ids=a,b` or `?report_ids=a&report_ids=b`.
async fn delete_reports(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    q: Query,
) -> Result<Response, Error> {
    let ids: Vec<String> =
        q.0.iter()
            .filter(|(k, _)| k == "report_ids")
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
    if ids.is_empty() {
        return Err(Error::bad_request(
            "report_ids is required: name the reports to delete (report_ids=a,b or \
             report_ids=a&report_ids=b)",
        )
        .with_field("report_ids"));
    }
    if ids.len() > MAX_DELETE_IDS {
        return Err(Error::bad_request(format!(
            "report_ids names {} reports; at most {MAX_DELETE_IDS} per call",
            ids.len()
        ))
        .with_field("report_ids"));
    }
    let out = state
        .store
        .with_mut(|n: &mut NsaWorld| n.delete_reports(&session.username, &ids))?;
    if out.failed.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Json(json!({
        "message": format!("{} of {} reports could not be deleted.", out.failed.len(), out.asked),
        "total": out.failed.len(),
        "error": out.failed.iter()
            .map(|(id, file)| json!({"id": id, "file_name": file}))
            .collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `GET /api/msp/reports/usage/{report_id}/download-url`.
async fn download_url(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    Path(raw): Path<String>,
) -> Result<Json<Value>, Error> {
    let id = Uuid::try_parse(&raw).map_err(|_| {
        Error::bad_request(format!("report_id must be a uuid, got {raw:?}")).with_field("report_id")
    })?;
    let now = state.clock.now();
    let (token, _) = state
        .store
        .with_mut(|n: &mut NsaWorld| n.download_token(&session.username, id, now))?;
    Ok(Json(json!({
        "url": format!("{}/reports/usage/{id}.csv?token={token}", state.tokens.issuer()),
    })))
}

/// `GET /reports/usage/{id}.csv?token=...`: the CSV, while the token lives (no session needed).
async fn download(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    q: Query,
) -> Result<Response, Error> {
    let id = file
        .strip_suffix(".csv")
        .and_then(|s| Uuid::try_parse(s).ok())
        .ok_or_else(|| Error::not_found(format!("no report file {file:?}")))?;
    let token = q.get("token").unwrap_or("");
    let now = state.clock.now();
    let r = state
        .store
        .with(|n: &NsaWorld| n.download(id, token, now))?;
    let disposition = format!("attachment; filename=\"{}\"", r.file_name);
    let mut resp = r.csv.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// `POST /api/msp/reports/usage/schedule`.
async fn set_schedule(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
    JsonBody(body, ..): Body,
) -> Result<Json<Value>, Error> {
    let s = validate::schedule(&body)?;
    let s = state
        .store
        .with_mut(|n: &mut NsaWorld| n.set_schedule(&session.username, s))?;
    Ok(Json(schedule_json(&s)))
}

/// `GET /api/msp/reports/usage/schedule`.
async fn get_schedule(
    State(state): State<Arc<AppState>>,
    session: PortalSession,
) -> Result<Json<Value>, Error> {
    let s = state
        .store
        .with_mut(|n: &mut NsaWorld| n.schedule(&session.username))?;
    Ok(Json(schedule_json(&s)))
}

/// The Ivanti nSA MSP portal in the vendor table.
pub const VENDOR: crate::vendor::Vendor = crate::vendor::Vendor {
    name: "nsa",
    prefixes: &["/api/msp", "/dana-na/", "/login/", "/reports/usage/"],
    router,
    admin_router: Some(admin::router),
    error: |_, status, message| crate::error::ApiError::<Nsa>::new(status, message).into_response(),
    credentials: Some(("nsa", |state| {
        serde_json::to_value(admin::credentials_of(state)).unwrap_or_default()
    })),
    banner: Some(|state, uri| {
        admin::credentials_of(state)
            .into_iter()
            .map(|n| {
                format!(
                    "  nSA MSP {:?}: username={} password={} (form login at {uri}/login/msp)",
                    n.name, n.username, n.password
                )
            })
            .collect()
    }),
};
