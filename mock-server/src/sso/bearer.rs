//! Bearer-token authentication for API routes, as an axum extractor.
//!
//! [`Caller<F>`] reads `Authorization: Bearer <jwt>`, verifies it (signature, `kid`, `alg`,
//! audience, expiry on the mock clock; verified claims are cached until expiry), checks that the
//! workspace still exists, counts the call against the caller's rate limit, and rejects with 401
//! (`WWW-Authenticate: Bearer ...`) or 429 in the error shape `F` of the API being called.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use uuid::Uuid;

use super::tokens::{Claims, TokenKind};
use crate::AppState;
use crate::admin::journal::JournalClient;
use crate::error::{ApiError, Flavor};
use crate::limits::{Quota, RouteClass};

/// The authenticated caller of an API route.
#[derive(Debug, Clone)]
pub struct Caller<F> {
    /// The verified token claims.
    pub claims: Arc<Claims>,
    _flavor: PhantomData<F>,
}

impl<F: Flavor> Caller<F> {
    /// The MSP workspace of an MSP token, or 403 for a tenant token.
    pub fn require_msp(&self) -> Result<Uuid, ApiError<F>> {
        match self.claims.token_kind {
            TokenKind::Msp => Ok(self.claims.workspace_id),
            TokenKind::Tenant => Err(ApiError::forbidden(
                "a tenant access token cannot manage MSP tenants; use the MSP's token",
            )),
        }
    }

    /// Whether the caller may read workspace `id`: its own, or (MSP token) one of its tenants.
    pub fn may_see(&self, state: &AppState, id: Uuid) -> bool {
        if self.claims.workspace_id == id {
            return true;
        }
        self.claims.token_kind == TokenKind::Msp
            && state.store.owner_of(id) == Some(self.claims.workspace_id)
    }

    /// Counts a tenant creation against the per-MSP creation quota (429 when used up).
    pub fn count_tenant_create(&self, state: &AppState) -> Result<Quota, ApiError<F>> {
        let key = self.claims.msp_id().to_string();
        state
            .limits
            .check(&key, RouteClass::TenantCreate)
            .map_err(too_many)
    }
}

/// A 429 in flavour `F` with the rate-limit headers.
pub fn too_many<F: Flavor>(q: Quota) -> ApiError<F> {
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "rate limit exceeded ({} requests per window); retry in {} seconds",
            q.limit, q.reset_secs
        ),
    );
    e.headers.extend(q.headers(true));
    e
}

fn unauthorized<F: Flavor>(message: &str, challenge: &str) -> ApiError<F> {
    ApiError::new(StatusCode::UNAUTHORIZED, message)
        .with_header(header::WWW_AUTHENTICATE, challenge)
}

impl<F: Flavor> FromRequestParts<Arc<AppState>> for Caller<F> {
    type Rejection = ApiError<F>;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(unauthorized(
                "an access token is required: send Authorization: Bearer <token>",
                "Bearer realm=\"greenlake\"",
            ));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                unauthorized(
                    "the Authorization header must be Bearer <token>",
                    "Bearer realm=\"greenlake\", error=\"invalid_request\"",
                )
            })?;
        let claims = state.tokens.verify(token).map_err(|e| {
            let msg = e.to_string();
            let challenge = format!(
                "Bearer realm=\"greenlake\", error=\"invalid_token\", error_description=\"{msg}\""
            );
            unauthorized(&msg, &challenge)
        })?;
        if let Some(slot) = parts.extensions.get::<JournalClient>() {
            slot.set(&claims.client_id);
        }
        let exists = match claims.token_kind {
            TokenKind::Msp => state.store.msp_exists(claims.workspace_id),
            TokenKind::Tenant => state.store.owner_of(claims.workspace_id) == claims.msp_id,
        };
        if !exists {
            return Err(unauthorized(
                "the workspace of this access token no longer exists",
                "Bearer realm=\"greenlake\", error=\"invalid_token\"",
            ));
        }
        // Every call counts against the API client's quota (an MSP's tenant tokens carry its
        // client id, so they share it); tenant-token calls also count per workspace.
        state
            .limits
            .check(&claims.client_id, RouteClass::Client)
            .map_err(too_many)?;
        if claims.token_kind == TokenKind::Tenant {
            state
                .limits
                .check(&claims.workspace_id.to_string(), RouteClass::Workspace)
                .map_err(too_many)?;
        }
        Ok(Caller {
            claims,
            _flavor: PhantomData,
        })
    }
}
