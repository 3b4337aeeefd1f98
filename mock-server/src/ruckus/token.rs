//! `POST /oauth2/token/{tenantId}`: client credentials (form body) for an RS256 JWT of one hour
//! on the mock clock, signed by the mock's one [`crate::sso::tokens::TokenService`] (so the
//! JWKS verifies it). Errors are RFC 6749 §5.2 bodies `{error, error_description}`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::json;
use uuid::Uuid;

use super::TOKEN_SCOPE;
use crate::AppState;
use crate::admin::journal::JournalClient;
use crate::limits::Quota;
use crate::sso::OAuthError as OAuth;
use crate::sso::tokens::{Grant, TokenKind};
use crate::state::ruckus::{RuckusError, RuckusWorld};

/// An OAuth error of the RUCKUS token endpoint: GreenLake's RFC 6749 body, without the Basic
/// challenge (RUCKUS takes form credentials only).
fn oauth(status: StatusCode, error: &'static str, description: impl Into<String>) -> OAuth {
    OAuth::new(status, error, description).without_challenge()
}

/// The conventional OAuth error for a status (fallbacks and injected faults).
pub fn error_for_status(status: StatusCode, description: &str) -> OAuth {
    OAuth::for_status(status, description).without_challenge()
}

/// The form members, each at most once.
fn form(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, OAuth> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
        if !ct.starts_with("application/x-www-form-urlencoded") {
            return Err(OAuth::invalid_request(
                "the body must be application/x-www-form-urlencoded \
                 (grant_type=client_credentials&client_id=...&client_secret=...)",
            ));
        }
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|e| OAuth::invalid_request(format!("the form body does not decode: {e}")))?;
    for (i, (k, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(o, _)| o == k) {
            return Err(OAuth::invalid_request(format!("{k} is repeated")));
        }
    }
    Ok(pairs)
}

fn member<'a>(pairs: &'a [(String, String)], name: &str) -> Result<&'a str, OAuth> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| OAuth::invalid_request(format!("{name} is required")))
}

/// `POST /oauth2/token/{tenantId}`.
pub async fn token(
    State(state): State<Arc<AppState>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    journal: JournalClient,
    body: Bytes,
) -> Response {
    match issue(&state, &raw, &headers, &journal, &body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn issue(
    state: &AppState,
    raw: &str,
    headers: &HeaderMap,
    journal: &JournalClient,
    body: &[u8],
) -> Result<Response, OAuth> {
    let pairs = form(headers, body)?;
    let grant = member(&pairs, "grant_type")?;
    if grant != "client_credentials" {
        return Err(oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("grant_type must be client_credentials, got {grant:?}"),
        ));
    }
    let client_id = member(&pairs, "client_id")?;
    let secret = member(&pairs, "client_secret")?;
    journal.set(client_id);
    let bad = || {
        oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            RuckusError::BadCredentials.to_string(),
        )
    };
    let tenant = Uuid::try_parse(raw.trim()).map_err(|_| bad())?;
    let now = state.clock.now();
    let (ttl, limited) = state.store.with_mut(|r: &mut RuckusWorld| {
        // Only known tenants have a bucket, so unknown ids cannot grow the table.
        let known = r.msps.iter().any(|m| m.tenant_id == tenant);
        let limited = if known {
            r.take_call(tenant, now).err()
        } else {
            None
        };
        let ttl = r
            .authenticate(tenant, client_id, secret)
            .map(|_| r.settings.token_ttl_secs);
        (ttl, limited)
    });
    if let Some(RuckusError::RateLimited { limit, retry_after }) = limited {
        let q = Quota {
            limit,
            remaining: 0,
            reset_secs: retry_after,
        };
        let mut e = oauth(
            Quota::status(),
            "temporarily_unavailable",
            q.message("too many calls for this tenant", " calls"),
        );
        e.retry_after = Some(retry_after);
        return Err(e);
    }
    let ttl = ttl.map_err(|_| bad())?;
    let (token, claims) = state
        .tokens
        .mint_with(
            Grant {
                client_id: client_id.to_owned(),
                workspace_id: tenant,
                msp_id: None,
                kind: TokenKind::Msp,
                scope: Some(TOKEN_SCOPE.to_owned()),
                ttl_secs: ttl,
            },
            Some((tenant.simple().to_string(), "MSP".to_owned())),
        )
        .map_err(|e| {
            tracing::error!(error = %e, "token signing failed");
            oauth(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "token signing failed",
            )
        })?;
    let mut resp = Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": claims.exp - claims.iat,
        "scope": TOKEN_SCOPE,
    }))
    .into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
