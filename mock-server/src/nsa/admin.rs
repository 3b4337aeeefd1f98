//! nSA parts of the admin API: the portal credentials listed by `GET /__admin/credentials`,
//! `POST /__admin/nsa/sessions`, which signs an MSP in without the form and answers its DSID, and
//! `/__admin/nsa/cap-requests[/{id}/approve|reject]`, which play Ivanti's side of a tenant-cap
//! increase.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::error::admin_status;
use crate::AppState;
use crate::state::nsa::{DEFAULT_REALM, NsaWorld, SIGNIN_URL_NAME};

/// One nSA MSP's portal login, as `GET /__admin/credentials` lists it under `"nsa"`.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct NsaCredentials {
    /// MSP name.
    pub name: String,
    /// Admin user name for the form login.
    pub username: String,
    /// Admin password.
    pub password: String,
    /// Realm to post (any non-empty realm works unless the fixture fixes one).
    pub realm: String,
    /// The sign-in URL name (`DSSIGNIN`).
    pub dssignin: String,
    /// The tenant cap in force.
    pub tenant_cap_limit: usize,
}

impl std::fmt::Debug for NsaCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NsaCredentials")
            .field("name", &self.name)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// The nSA logins of the current world. Reading them changes nothing (no session starts; use
/// the form login or `POST /__admin/nsa/sessions` for a DSID).
pub fn credentials_of(state: &AppState) -> Vec<NsaCredentials> {
    state.store.with(|n: &NsaWorld| {
        n.msps
            .iter()
            .map(|m| NsaCredentials {
                name: m.name.clone(),
                username: m.username.clone(),
                password: m.password.expose().to_owned(),
                realm: m.realm.clone().unwrap_or_else(|| DEFAULT_REALM.to_owned()),
                dssignin: SIGNIN_URL_NAME.to_owned(),
                tenant_cap_limit: m.tenant_cap_limit,
            })
            .collect()
    })
}

/// The `/__admin/nsa` routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sessions", post(start_session))
        .route("/cap-requests", get(list_cap_requests))
        .route("/cap-requests/{id}/approve", post(approve))
        .route("/cap-requests/{id}/reject", post(reject))
}

/// The body of `POST /__admin/nsa/sessions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionRequest {
    /// The MSP admin to sign in.
    username: String,
}

/// `POST /__admin/nsa/sessions {"username"}`: starts a portal session for that MSP as the form
/// login would (no password; at `max_sessions` the oldest session ends) and answers
/// `{"username", "dsid"}`; 404 for an unknown username.
async fn start_session(
    State(state): State<Arc<AppState>>,
    body: Result<Json<SessionRequest>, JsonRejection>,
) -> Response {
    let req = match body {
        Ok(Json(req)) => req,
        Err(r) => {
            // As every admin route answers a bad body: 413 when too large, otherwise 400.
            let status = match r.status() {
                StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            return (status, Json(json!({"error": r.body_text()}))).into_response();
        }
    };
    let now = state.clock.now();
    let dsid = state.store.with_mut(|n: &mut NsaWorld| {
        n.msps
            .iter()
            .any(|m| m.username == req.username)
            .then(|| n.start_session(&req.username, now))
    });
    match dsid {
        Some(dsid) => Json(json!({"username": req.username, "dsid": dsid})).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("no nSA MSP with username {:?}", req.username)})),
        )
            .into_response(),
    }
}

async fn list_cap_requests(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let now = state.clock.now();
    let list = state.store.with_mut(|n: &mut NsaWorld| n.cap_requests(now));
    Json(json!({
        "cap_requests": list.iter().map(|(user, r)| {
            let mut v = json!(r);
            v["username"] = json!(user);
            v
        }).collect::<Vec<_>>()
    }))
}

fn decide(state: &AppState, raw: &str, approve_it: bool) -> Response {
    let Ok(id) = Uuid::try_parse(raw) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": format!("{raw:?} is not a uuid")})),
        )
            .into_response();
    };
    let now = state.clock.now();
    match state
        .store
        .with_mut(|n: &mut NsaWorld| n.decide_cap_request(id, approve_it, now))
    {
        Ok((user, r, cap)) => {
            let mut v = json!(r);
            v["username"] = json!(user);
            v["tenant_cap_limit"] = json!(cap);
            Json(v).into_response()
        }
        Err(e) => (admin_status(&e), Json(json!({"error": e.to_string()}))).into_response(),
    }
}

async fn approve(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    decide(&state, &id, true)
}

async fn reject(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    decide(&state, &id, false)
}
