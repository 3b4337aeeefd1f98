//! Bearer-token authentication for API routes, as an axum extractor.
//!
//! [`Caller<F>`] yields the caller's domain [`Principal`]. It reads `Authorization: Bearer <jwt>`, verifies it (signature, `kid`, `alg`,
//! audience, expiry on the mock clock; verified claims are cached until expiry), checks that the
//! workspace still exists, counts the call against the caller's rate limit, and rejects with 401
//! (`WWW-Authenticate: Bearer ...`) or 429 in the error shape `F` of the API being called.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};

use super::tokens::{Claims, TokenKind};
use crate::AppState;
use crate::admin::journal::JournalClient;
use crate::error::{ApiError, Flavor};
use crate::limits::{Quota, RouteClass};
use crate::state::GlpWorld;
use crate::state::glp::{Acting, Principal};

/// The authenticated caller of a GreenLake API route.
#[derive(Debug, Clone)]
pub struct Caller<F> {
    /// Who is calling, in the GreenLake section's terms.
    pub principal: Principal,
    _flavor: PhantomData<F>,
}

impl<F: Flavor> Caller<F> {
    /// Counts a tenant creation against the per-MSP creation quota (429 when used up).
    pub fn count_tenant_create(&self, state: &AppState) -> Result<Quota, ApiError<F>> {
        let key = self.principal.msp.to_string();
        state
            .limits
            .check(&key, RouteClass::TenantCreate)
            .map_err(Quota::into_error)
    }
}

/// The GreenLake principal a verified token stands for.
pub fn principal_of(claims: &Claims) -> Principal {
    Principal {
        acting: match claims.token_kind {
            TokenKind::Msp => Acting::Msp,
            TokenKind::Tenant => Acting::Tenant,
        },
        workspace: claims.workspace_id,
        msp: claims.msp_id(),
        client_id: claims.client_id.clone(),
    }
}

/// A 429 in flavour `F` with the rate-limit headers (see [`Quota::into_error`]).
pub fn too_many<F: Flavor>(q: Quota) -> ApiError<F> {
    q.into_error()
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
        let principal = principal_of(&claims);
        if !state
            .store
            .with(|g: &GlpWorld| g.principal_exists(&principal))
        {
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
            .map_err(Quota::into_error)?;
        if principal.acting == Acting::Tenant {
            state
                .limits
                .check(&claims.workspace_id.to_string(), RouteClass::Workspace)
                .map_err(Quota::into_error)?;
        }
        Ok(Caller {
            principal,
            _flavor: PhantomData,
        })
    }
}
