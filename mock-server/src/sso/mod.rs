//! GreenLake SSO: the two token endpoints (client_credentials and RFC 8693 token exchange),
//! the JWKS and the OpenID discovery document.
//!
//! - `POST /authorization/v2/oauth2/{workspaceId}/token`: workspace-scoped issuer (15 min).
//! - `POST /as/token.oauth2`: legacy issuer (2 h); its exchange names the tenant by `resource`.
//! - `GET /.well-known/jwks.json`, `GET /.well-known/openid-configuration`.

pub mod bearer;
pub mod tokens;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bytes::Bytes;
use serde_json::json;
use uuid::Uuid;

use crate::AppState;
use crate::admin::journal::JournalClient;
use crate::limits::{Quota, RouteClass};
use crate::state::{GlpWorld, Secret};
use crate::vendor::Vendor;
use tokens::{Claims, Grant, TokenKind, VerifyError};

/// RFC 8693 grant type.
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// RFC 8693 access-token type identifier.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// An RFC 6749 §5.2 error: `{error, error_description}`.
#[derive(Debug, Clone)]
pub struct OAuthError {
    /// HTTP status.
    pub status: StatusCode,
    /// The `error` code.
    pub error: &'static str,
    /// Human-readable `error_description`.
    pub description: String,
    /// `Retry-After` seconds, for a refusal under load.
    pub retry_after: Option<u64>,
    /// The `WWW-Authenticate` challenge an `invalid_client` answer carries (GreenLake's Basic
    /// realm unless [`OAuthError::without_challenge`]).
    pub challenge: Option<&'static str>,
}

impl OAuthError {
    /// An error with `status`, `error` code and description.
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            retry_after: None,
            challenge: Some("Basic realm=\"greenlake\""),
        }
    }

    /// The same error without a `WWW-Authenticate` challenge (endpoints that take form
    /// credentials only, such as RUCKUS One's).
    pub fn without_challenge(mut self) -> Self {
        self.challenge = None;
        self
    }

    /// 400 `invalid_request`.
    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", d)
    }

    /// 401 `invalid_client`.
    pub fn invalid_client(d: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", d)
    }

    /// 400 `invalid_grant`.
    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", d)
    }

    /// 400 `invalid_target`.
    pub fn invalid_target(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_target", d)
    }

    /// The conventional error for a status (used by fault injection).
    pub fn for_status(status: StatusCode, d: &str) -> Self {
        let error = match status.as_u16() {
            401 => "invalid_client",
            429 | 503 => "temporarily_unavailable",
            s if s >= 500 => "server_error",
            _ => "invalid_request",
        };
        Self::new(status, error, d)
    }
}

/// The token-endpoint quota for the client a request presents (Basic or form `client_id`);
/// 429 `temporarily_unavailable` with the rate-limit headers when used up.
fn token_quota_exceeded(state: &AppState, headers: &HeaderMap, form: &Form) -> Option<Response> {
    let key = presented_client(headers)
        .or_else(|| form.get("client_id").map(str::to_owned))
        .unwrap_or_else(|| "<no client>".to_owned());
    match state.limits.check(&key, RouteClass::Token) {
        Ok(_) => None,
        Err(q) => {
            let mut resp = OAuthError::new(
                Quota::status(),
                "temporarily_unavailable",
                q.message("too many token requests", ""),
            )
            .into_response();
            resp.headers_mut().extend(q.headers(true));
            Some(resp)
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            Json(json!({"error": self.error, "error_description": self.description})),
        )
            .into_response();
        let h = resp.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.error == "invalid_client"
            && let Some(challenge) = self.challenge
        {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            h.insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// The token service in the vendor table: OAuth-shaped errors under its token paths.
pub const VENDOR: Vendor = Vendor {
    name: "sso",
    prefixes: &["/authorization/", "/as/"],
    router,
    admin_router: None,
    error: |_, status, message| OAuthError::for_status(status, message).into_response(),
    credentials: None,
    banner: None,
};

/// The token, JWKS and discovery routes.
pub fn router() -> Router<Arc<AppState>> {
    use crate::routes::{Routes, get, post};

    Routes::new()
        .route(
            "/authorization/v2/oauth2/{workspace_id}/token",
            post(workspace_token),
        )
        .route("/as/token.oauth2", post(legacy_token))
        .route("/.well-known/jwks.json", get(jwks))
        .route(
            "/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .into_router()
}

/// The form of a token request, with repeated fields refused.
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: Result<Bytes, BytesRejection>) -> Result<Self, OAuthError> {
        let body = body.map_err(|rej| {
            if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
                OAuthError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "invalid_request",
                    "request body is larger than the mock's limit",
                )
            } else {
                OAuthError::invalid_request(format!("request body could not be read: {rej}"))
            }
        })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|e| {
            OAuthError::invalid_request(format!(
                "body must be application/x-www-form-urlencoded: {e}"
            ))
        })?;
        for (i, (k, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(k2, _)| k2 == k) {
                return Err(OAuthError::invalid_request(format!(
                    "parameter {k} is sent more than once"
                )));
            }
        }
        Ok(Form(pairs))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
    }
}

/// Client credentials presented with a request.
struct ClientAuth {
    client_id: String,
    secret: Secret,
}

/// Reads HTTP Basic or form credentials (RFC 6749 §2.3.1). Basic plus a form `client_secret`
/// is two authentications and refused; Basic plus a matching form `client_id` (which
/// requests-oauthlib adds) is accepted.
fn client_auth(headers: &HeaderMap, form: &Form) -> Result<Option<ClientAuth>, OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => Some(parse_basic(v).ok_or_else(|| {
            OAuthError::invalid_client("the Authorization header is not valid HTTP Basic")
        })?),
    };
    match (basic, form.get("client_id"), form.get("client_secret")) {
        (Some(_), _, Some(_)) => Err(OAuthError::invalid_request(
            "the client authenticated twice: use HTTP Basic or client_id/client_secret, not both",
        )),
        (Some(b), Some(id), None) if id != b.client_id => Err(OAuthError::invalid_request(
            "client_id in the body differs from the HTTP Basic client",
        )),
        (Some(b), _, None) => Ok(Some(b)),
        (None, Some(id), Some(secret)) => Ok(Some(ClientAuth {
            client_id: id.to_owned(),
            secret: Secret(secret.to_owned()),
        })),
        (None, Some(_), None) => Err(OAuthError::invalid_client("client_secret is required")),
        (None, None, Some(_)) => Err(OAuthError::invalid_request("client_id is required")),
        (None, None, None) => Ok(None),
    }
}

/// Decodes `Basic base64(id:secret)`. RFC 6749 §2.3.1 asks clients to form-urlencode both parts
/// first, but PyCentral and `requests`' `HTTPBasicAuth` send them raw, so they are taken as-is.
fn parse_basic(v: &HeaderValue) -> Option<ClientAuth> {
    let v = v.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some(ClientAuth {
        client_id: id.to_owned(),
        secret: Secret(secret.to_owned()),
    })
}

/// The client id a request authenticates as, for the journal (no verification).
pub fn presented_client(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(parse_basic)
        .map(|c| c.client_id)
}

/// Checks a presented credential; returns its MSP workspace.
fn authenticate(state: &AppState, auth: &ClientAuth) -> Result<Uuid, OAuthError> {
    let record = state.store.with(|g: &GlpWorld| g.client(&auth.client_id));
    match record {
        Some(r) if constant_time_eq(r.client_secret.expose(), auth.secret.expose()) => {
            Ok(r.workspace_id)
        }
        _ => Err(OAuthError::invalid_client(
            "client authentication failed: unknown client_id or wrong client_secret",
        )),
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn token_response(token: String, claims: &Claims, extra: serde_json::Value) -> Response {
    let mut body = json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": claims.exp - claims.iat,
    });
    if let Some(scope) = &claims.scope {
        body["scope"] = json!(scope);
    }
    if let (Some(obj), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        obj.extend(extra.clone());
    }
    let mut resp = Json(body).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Signs a token for `grant` and records its issuance in the GreenLake audit trail.
fn mint(state: &AppState, grant: Grant) -> Result<(String, Claims), OAuthError> {
    let (client, workspace) = (grant.client_id.clone(), grant.workspace_id);
    let minted = state.tokens.mint(grant).map_err(|e| {
        tracing::error!(error = %e, "token signing failed");
        OAuthError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "token signing failed",
        )
    })?;
    let now = state.clock.now();
    state
        .store
        .with_mut(|g: &mut GlpWorld| g.record_token(&client, workspace, now));
    Ok(minted)
}

/// client_credentials for the workspace `path_ws` (or the client's own, on the legacy path).
fn client_credentials(
    state: &AppState,
    headers: &HeaderMap,
    form: &Form,
    path_ws: Option<Uuid>,
    ttl_secs: u64,
    journal: &JournalClient,
) -> Result<Response, OAuthError> {
    let auth = client_auth(headers, form)?.ok_or_else(|| {
        OAuthError::invalid_client(
            "client authentication is required: HTTP Basic or client_id/client_secret",
        )
    })?;
    journal.set(&auth.client_id);
    let ws = authenticate(state, &auth)?;
    if let Some(p) = path_ws
        && p != ws
    {
        return Err(OAuthError::invalid_client(format!(
            "client {} does not belong to workspace {}",
            auth.client_id,
            p.simple()
        )));
    }
    let (token, claims) = mint(
        state,
        Grant {
            client_id: auth.client_id,
            workspace_id: ws,
            msp_id: None,
            kind: TokenKind::Msp,
            scope: form.get("scope").map(str::to_owned),
            ttl_secs,
        },
    )?;
    Ok(token_response(token, &claims, json!({})))
}

/// RFC 8693 exchange of an MSP token for a token of `tenant`.
fn exchange(
    state: &AppState,
    headers: &HeaderMap,
    form: &Form,
    tenant: Uuid,
    tenant_error: fn(String) -> OAuthError,
    journal: &JournalClient,
) -> Result<(String, Claims), OAuthError> {
    if let Some(auth) = client_auth(headers, form)? {
        journal.set(&auth.client_id);
        authenticate(state, &auth)?;
    }
    let subject = form.require("subject_token")?;
    let subject_type = form.require("subject_token_type")?;
    if subject_type != ACCESS_TOKEN_TYPE {
        return Err(OAuthError::invalid_request(format!(
            "subject_token_type must be {ACCESS_TOKEN_TYPE}"
        )));
    }
    if let Some(t) = form.get("requested_token_type")
        && t != ACCESS_TOKEN_TYPE
    {
        return Err(OAuthError::invalid_request(format!(
            "requested_token_type must be {ACCESS_TOKEN_TYPE}"
        )));
    }
    let claims = state.tokens.verify(subject).map_err(|e| match e {
        VerifyError::Expired => OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "token_expired",
            "the subject token has expired; get a new MSP token and exchange again",
        ),
        other => OAuthError::invalid_grant(format!("subject_token: {other}")),
    })?;
    journal.set(&claims.client_id);
    if claims.token_kind != TokenKind::Msp {
        return Err(OAuthError::invalid_grant(
            "subject_token must be an MSP access token, not a tenant token",
        ));
    }
    let msp = claims.workspace_id;
    if state.store.with(|g: &GlpWorld| g.owner_of(tenant)) != Some(msp) {
        return Err(tenant_error(format!(
            "workspace {} is not a tenant of MSP workspace {}",
            tenant.simple(),
            msp.simple()
        )));
    }
    mint(
        state,
        Grant {
            client_id: claims.client_id.clone(),
            workspace_id: tenant,
            msp_id: Some(msp),
            kind: TokenKind::Tenant,
            scope: form.get("scope").map(str::to_owned),
            ttl_secs: state.settings.exchange_ttl_secs,
        },
    )
}

fn grant_type(form: &Form) -> Result<&str, OAuthError> {
    let g = form.require("grant_type")?;
    if g == "client_credentials" || g == TOKEN_EXCHANGE {
        Ok(g)
    } else {
        Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!(
                "grant_type {g:?} is not supported; use client_credentials or {TOKEN_EXCHANGE}"
            ),
        ))
    }
}

fn is_32_hex(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `POST /authorization/v2/oauth2/{workspaceId}/token`.
async fn workspace_token(
    State(state): State<Arc<AppState>>,
    Path(workspace_id): Path<String>,
    journal: JournalClient,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, OAuthError> {
    let form = Form::parse(body)?;
    if let Some(limited) = token_quota_exceeded(&state, &headers, &form) {
        return Ok(limited);
    }
    match grant_type(&form)? {
        "client_credentials" => {
            let ws = Uuid::try_parse(&workspace_id).map_err(|_| {
                OAuthError::invalid_request(format!(
                    "workspace id {workspace_id:?} is not a uuid (with or without dashes)"
                ))
            })?;
            client_credentials(
                &state,
                &headers,
                &form,
                Some(ws),
                state.settings.token_ttl_secs,
                &journal,
            )
        }
        _ => {
            if !is_32_hex(&workspace_id) {
                return Err(OAuthError::invalid_request(format!(
                    "token exchange needs the tenant workspace id as 32 hex characters without \
                     dashes, got {workspace_id:?}"
                )));
            }
            let tenant = Uuid::try_parse(&workspace_id)
                .map_err(|_| OAuthError::invalid_request("tenant workspace id is not valid hex"))?;
            let (token, claims) = exchange(
                &state,
                &headers,
                &form,
                tenant,
                OAuthError::invalid_grant,
                &journal,
            )?;
            Ok(token_response(
                token,
                &claims,
                json!({"issued_token_type": ACCESS_TOKEN_TYPE}),
            ))
        }
    }
}

/// `POST /as/token.oauth2`.
async fn legacy_token(
    State(state): State<Arc<AppState>>,
    journal: JournalClient,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, OAuthError> {
    let form = Form::parse(body)?;
    if let Some(limited) = token_quota_exceeded(&state, &headers, &form) {
        return Ok(limited);
    }
    match grant_type(&form)? {
        "client_credentials" => client_credentials(
            &state,
            &headers,
            &form,
            None,
            state.settings.legacy_token_ttl_secs,
            &journal,
        ),
        _ => {
            let resource = form.get("resource").ok_or_else(|| {
                OAuthError::invalid_target(
                    "resource is required: <base>/workspace-management/v1/msp-tenants/{tenantId}",
                )
            })?;
            let tenant = tenant_from_resource(resource, form.get("audience"))?;
            let (token, claims) = exchange(
                &state,
                &headers,
                &form,
                tenant,
                OAuthError::invalid_target,
                &journal,
            )?;
            Ok(token_response(
                token,
                &claims,
                json!({"issued_token_type": ACCESS_TOKEN_TYPE, "resource": resource}),
            ))
        }
    }
}

/// Parses `<base>/workspace-management/v1/msp-tenants/{tenantId}`; `audience`, when sent,
/// must share the scheme and host of `resource`.
fn tenant_from_resource(resource: &str, audience: Option<&str>) -> Result<Uuid, OAuthError> {
    const MARK: &str = "/workspace-management/v1/msp-tenants/";
    let bad = || {
        OAuthError::invalid_target(format!(
            "resource {resource:?} is not <base>{MARK}{{tenantId}}"
        ))
    };
    let (base, id) = resource.split_once(MARK).ok_or_else(bad)?;
    let id = id.trim_end_matches('/');
    let tenant = Uuid::try_parse(id).map_err(|_| bad())?;
    if let Some(aud) = audience {
        let origin = |s: &str| {
            let s = s.trim_end_matches('/');
            s.split_once("://").map(|(scheme, rest)| {
                (
                    scheme.to_ascii_lowercase(),
                    rest.split('/').next().unwrap_or("").to_ascii_lowercase(),
                )
            })
        };
        if origin(aud).is_none() || origin(aud) != origin(base) {
            return Err(OAuthError::invalid_target(format!(
                "audience {aud:?} does not match the scheme and host of resource"
            )));
        }
    }
    Ok(tenant)
}

/// `GET /.well-known/jwks.json`.
async fn jwks(State(state): State<Arc<AppState>>) -> Response {
    Json(state.tokens.signer().jwks()).into_response()
}

/// `GET /.well-known/openid-configuration`.
async fn openid_configuration(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let base = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"))
        .unwrap_or_else(|| state.tokens.issuer().to_owned());
    Json(json!({
        "issuer": state.tokens.issuer(),
        "token_endpoint": format!("{base}/as/token.oauth2"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "grant_types_supported": ["client_credentials", TOKEN_EXCHANGE],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["hpe-tenant"],
        "claims_supported": ["iss", "aud", "sub", "client_id", "iat", "exp", "jti",
            "workspace_id", "msp_id", "token_kind", "scope"],
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_form_parses_with_and_without_dashes() {
        let id = Uuid::new_v4();
        let r = format!("http://h:1/workspace-management/v1/msp-tenants/{id}");
        assert_eq!(tenant_from_resource(&r, Some("http://h:1")).unwrap(), id);
        let r = format!(
            "http://h:1/workspace-management/v1/msp-tenants/{}",
            id.simple()
        );
        assert_eq!(tenant_from_resource(&r, None).unwrap(), id);
        assert_eq!(
            tenant_from_resource(&r, Some("http://other"))
                .unwrap_err()
                .error,
            "invalid_target"
        );
        assert!(tenant_from_resource("http://h/nothing", None).is_err());
    }

    #[test]
    fn basic_auth_decodes() {
        let v = HeaderValue::from_static("Basic ZGVtbzpzM2NyZXQ="); // demo:s3cret
        let c = parse_basic(&v).unwrap();
        assert_eq!(c.client_id, "demo");
        assert_eq!(c.secret.expose(), "s3cret");
        assert!(parse_basic(&HeaderValue::from_static("Bearer x")).is_none());
    }
}
