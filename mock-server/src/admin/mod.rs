//! The `/__admin` API: health, demo credentials, reset, clock, faults, request journal and
//! whole-world state export/import. When an admin token is configured every admin route needs
//! `Authorization: Bearer <admin token>`.
//!
//! Errors here use a plain `{"error": "..."}` body: this API is the mock's own, not a vendor's.
//!
//! | route | effect |
//! |---|---|
//! | `GET /health` | `{"status":"ok"}` once the server answers |
//! | `GET /credentials` | `{"msps":[{"name","workspace_id","client_id","client_secret","tenants":[{"id","name"}]}]}` |
//! | `POST /reset` | back to the fixture: world, rate windows, faults, token cache (clock and journal kept) |
//! | `GET /clock` | `{"now","unix","offset_secs","manual"}` |
//! | `POST /clock/advance` | body `{"seconds": N}` (0 ≤ N ≤ 10 years); answers the new clock |
//! | `POST /faults` | body `{"method"?, "path", "status"?, "times"?, "delay_ms"?, "retry_after"?}`: requests matching `method` (any when absent) and `path` (exact, or a prefix when it ends in `*`) wait `delay_ms`, then answer `status` in the error shape of the API at that path (with `Retry-After` when given), for `times` requests (forever when absent); 201 echoes the rule |
//! | `GET /faults`, `DELETE /faults` | list / remove every rule |
//! | `GET /requests?path=&method=` | the journal (newest last, bounded by `settings.journal_capacity`): `{"capacity","count","requests":[{"method","path","query","status","time","client"}]}`; `path` matches a substring, `method` exactly; admin calls are not journaled |
//! | `DELETE /requests` | empties the journal |
//! | `GET /state`, `PUT /state` | export / import the whole world (the fixture's `msps:` and `nsa:` sections as JSON); an import that breaks an invariant answers 400 and changes nothing |

pub mod faults;
pub mod journal;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::AppState;
use crate::state::World;
use faults::Fault;

/// Largest admin request body (`PUT /__admin/state` carries the whole world).
pub const MAX_ADMIN_BODY_BYTES: usize = 64 * 1024 * 1024;

/// An admin error: `{"error": message}`.
#[derive(Debug)]
pub struct AdminError(StatusCode, String);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

impl From<JsonRejection> for AdminError {
    fn from(r: JsonRejection) -> Self {
        let status = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        AdminError(status, r.body_text())
    }
}

/// The admin routes (nested under `/__admin`).
pub fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let admin = Router::new()
        .route("/health", get(health))
        .route("/credentials", get(credentials))
        .route("/reset", post(reset))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/requests", get(requests).delete(clear_requests))
        .route("/state", get(export_state).put(import_state));
    let admin = crate::vendor::VENDORS
        .iter()
        .fold(admin, |admin, v| match v.admin_router {
            Some(router) => admin.nest(&format!("/{}", v.name), router()),
            None => admin,
        });
    admin
        // A whole exported world can be far larger than an API body.
        .layer(DefaultBodyLimit::max(MAX_ADMIN_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state, require_admin_token))
}

async fn require_admin_token(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(expected) = &state.admin_token {
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if presented != Some(expected.expose()) {
            let mut resp = AdminError(
                StatusCode::UNAUTHORIZED,
                "the admin API needs Authorization: Bearer <admin token>".into(),
            )
            .into_response();
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"msp-mock-admin\""),
            );
            return resp;
        }
    }
    next.run(req).await
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// One MSP's demo credentials, as `GET /__admin/credentials` lists them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MspCredentials {
    /// MSP name.
    pub name: String,
    /// MSP workspace id.
    pub workspace_id: uuid::Uuid,
    /// API client id.
    pub client_id: String,
    /// API client secret.
    pub client_secret: String,
    /// The MSP's tenants.
    pub tenants: Vec<TenantRef>,
}

impl std::fmt::Debug for CredentialsDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsDoc")
            .field("msps", &self.msps.len())
            .finish()
    }
}

/// A tenant's id and name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TenantRef {
    /// Tenant workspace id.
    pub id: uuid::Uuid,
    /// Tenant name.
    pub name: String,
}

/// The `GET /__admin/credentials` document: one key per vendor of the vendor table.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct CredentialsDoc {
    /// Every GreenLake MSP with its credential and tenants.
    #[serde(default)]
    pub msps: Vec<MspCredentials>,
    /// Every nSA MSP portal login (no session; see `POST /__admin/nsa/sessions`).
    #[serde(default)]
    pub nsa: Vec<crate::nsa::admin::NsaCredentials>,
    /// The sections of vendors without a typed field here, by vendor key.
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, serde_json::Value>,
}

/// The credentials of every vendor in the current world (no side effects).
pub fn credentials_of(state: &AppState) -> CredentialsDoc {
    let doc: serde_json::Map<String, serde_json::Value> = crate::vendor::VENDORS
        .iter()
        .filter_map(|v| v.credentials)
        .map(|(key, section)| (key.to_owned(), section(state)))
        .collect();
    // Every section is serialised from the types deserialised here, so this cannot fail; an
    // empty document is the panic-free fallback.
    serde_json::from_value(serde_json::Value::Object(doc)).unwrap_or_else(|e| {
        tracing::error!(error = %e, "credentials document does not parse");
        CredentialsDoc {
            msps: Vec::new(),
            nsa: Vec::new(),
            other: Default::default(),
        }
    })
}

async fn credentials(State(state): State<Arc<AppState>>) -> Json<CredentialsDoc> {
    Json(credentials_of(&state))
}

/// Back to the fixture: world, rate windows, faults and token cache (the clock and the journal
/// are kept).
pub fn reset_all(state: &AppState) {
    state.store.reset();
    state.limits.clear();
    state.faults.clear();
    state.tokens.clear_cache();
}

async fn reset(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    reset_all(&state);
    Json(json!({"status": "reset"}))
}

fn clock_doc(state: &AppState) -> serde_json::Value {
    json!({
        "now": state.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "unix": state.clock.now_unix(),
        "offset_secs": state.clock.offset_secs(),
        "manual": state.clock.is_manual(),
    })
}

async fn clock(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(clock_doc(&state))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: f64,
}

async fn advance(
    State(state): State<Arc<AppState>>,
    body: Result<Json<Advance>, JsonRejection>,
) -> Result<Json<serde_json::Value>, AdminError> {
    let Json(a) = body?;
    if !a.seconds.is_finite() || a.seconds < 0.0 || a.seconds > 10.0 * 365.0 * 86_400.0 {
        return Err(AdminError(
            StatusCode::BAD_REQUEST,
            "seconds must be a number between 0 and 315360000".into(),
        ));
    }
    state.clock.advance(a.seconds);
    Ok(Json(clock_doc(&state)))
}

async fn list_faults(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({"faults": state.faults.list()}))
}

async fn add_fault(
    State(state): State<Arc<AppState>>,
    body: Result<Json<Fault>, JsonRejection>,
) -> Result<Response, AdminError> {
    let Json(f) = body?;
    f.validate()
        .map_err(|e| AdminError(StatusCode::BAD_REQUEST, e))?;
    state.faults.add(f.clone());
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

async fn clear_faults(State(state): State<Arc<AppState>>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct RequestFilter {
    path: Option<String>,
    method: Option<String>,
}

async fn requests(
    State(state): State<Arc<AppState>>,
    q: Result<Query<RequestFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, AdminError> {
    let Query(q) = q.map_err(|e| AdminError(StatusCode::BAD_REQUEST, e.body_text()))?;
    let entries = state.journal.query(q.path.as_deref(), q.method.as_deref());
    Ok(Json(json!({
        "capacity": state.journal.capacity(),
        "count": entries.len(),
        "requests": entries,
    })))
}

async fn clear_requests(State(state): State<Arc<AppState>>) -> StatusCode {
    state.journal.clear();
    StatusCode::NO_CONTENT
}

async fn export_state(State(state): State<Arc<AppState>>) -> Json<World> {
    Json(state.store.export())
}

async fn import_state(
    State(state): State<Arc<AppState>>,
    body: Result<Json<World>, JsonRejection>,
) -> Result<Json<serde_json::Value>, AdminError> {
    let Json(world) = body?;
    state
        .store
        .import(world, state.clock.now())
        .map_err(|e| AdminError(StatusCode::BAD_REQUEST, e))?;
    state.tokens.clear_cache();
    Ok(Json(json!({"status": "imported"})))
}

/// `GET /openapi/{name}.yaml`: the embedded specs.
pub async fn openapi_spec(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    match file.strip_suffix(".yaml").and_then(msp_spec::spec_source) {
        Some(src) => (
            [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
            src,
        )
            .into_response(),
        None => {
            let known: Vec<String> = msp_spec::SPECS
                .iter()
                .map(|s| format!("{}.yaml", s.name))
                .collect();
            AdminError(
                StatusCode::NOT_FOUND,
                format!("no spec {file:?}; known: {}", known.join(", ")),
            )
            .into_response()
        }
    }
}
