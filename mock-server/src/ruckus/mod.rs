//! RUCKUS One routes (openapi/ruckus-*.yaml): the token endpoint, MSP Services (customers and
//! tech partners, delegations, administrators, activation, support access, branding, firmware
//! schedules), the MSP queries, activities, Tenant Management's `/tenants/self` and `/admins`,
//! and venues.
//!
//! Handlers extract and validate (bodies and query parameters against the spec, through
//! [`JsonBody`] and [`QueryParams`]), call the rules in [`crate::state::ruckus`] under the
//! store's one lock, and answer in RUCKUS's shapes (`render.rs`; queries through the one engine
//! in `query.rs`). Every error is a `RestErrorResponse` (`error.rs`), except the token
//! endpoint's OAuth errors (`token.rs`).
//!
//! **Auth.** [`Caller`] reads `Authorization: Bearer <jwt>` (a token of
//! `POST /oauth2/token/{tenantId}`), verifies it on the mock clock, takes one call from the
//! bucket of the token's tenant (2,000 calls a minute, 429 with `Retry-After` when empty; calls
//! made inside a customer count against the MSP, as RUCKUS does not say otherwise) and resolves
//! `x-rks-tenantid` into the section's [`Principal`]: 403 for a tenant the MSP does not manage.

pub mod admin;
mod error;
mod msp;
mod query;
mod render;
mod token;
mod validate;
mod views;

pub use error::{Error, Ruckus};

use std::marker::PhantomData;
use std::sync::Arc;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::AppState;
use crate::admin::journal::JournalClient;
use crate::extract::{JsonBody, QueryParams};
use crate::state::ruckus::{Principal, RuckusWorld};

type Body = JsonBody<Ruckus>;
type Query = QueryParams<Ruckus>;

/// The `scope` of every RUCKUS token, which tells it from GreenLake's.
pub const TOKEN_SCOPE: &str = "ruckus";

/// The header that names the tenant a call acts in.
pub const TENANT_HEADER: &str = "x-rks-tenantid";

/// Every RUCKUS One route.
pub fn router() -> Router<Arc<AppState>> {
    use crate::routes::{Routes, get, patch, post, put};

    Routes::new()
        .route("/oauth2/token/{tenant_id}", post(token::token))
        .route("/tenants", post(msp::create_tenants))
        .route(
            "/tenants/{tenant_id}",
            get(msp::get_tenant)
                .put(msp::update_tenant)
                .patch(msp::patch_tenant)
                .delete(msp::delete_tenant),
        )
        .route(
            "/tenants/{tenant_id}/tenantDelegations",
            get(msp::get_partner_delegations).put(msp::put_partner_delegations),
        )
        .route("/tenantDelegations", patch(msp::patch_delegations))
        .route("/tenants/{tenant_id}/admins", get(msp::list_ec_admins))
        .route(
            "/tenants/{tenant_id}/admins/{admin_id}",
            get(msp::get_ec_admin)
                .put(msp::put_ec_admin)
                .delete(msp::delete_ec_admin),
        )
        .route(
            "/tenants/{tenant_id}/adminDelegations",
            get(msp::get_admin_delegations).put(msp::put_admin_delegations),
        )
        .route("/adminDelegations", patch(msp::patch_admin_delegations))
        .route("/tenants/{tenant_id}/invitations", put(msp::invite))
        .route(
            "/tenantActivations/{tenant_id}",
            put(msp::reactivate).delete(msp::deactivate),
        )
        .route(
            "/tenantActivations/supportStatus/{tenant_id}",
            get(msp::support_status)
                .put(msp::enable_support)
                .delete(msp::disable_support),
        )
        .route(
            "/brandings",
            get(msp::get_branding)
                .post(msp::create_branding)
                .put(msp::update_branding),
        )
        .route("/firmwareUpgradeSchedules", post(msp::schedule_firmware))
        .route("/tenants/query", post(views::query_tenants))
        .route("/mspecs/query", post(views::query_tenants))
        .route("/tenants/inventories/query", post(views::query_inventory))
        .route("/delegations/query", post(views::query_delegations))
        .route("/activities/{activity_id}", get(views::get_activity))
        .route("/activities/query", post(views::query_activities))
        .route("/tenants/self", get(views::tenant_self))
        .route("/admins", get(views::list_admins))
        .route("/venues", get(views::list_venues))
        .route("/venues/query", post(views::query_venues))
        .into_router()
}

/// The authenticated caller of a RUCKUS route.
#[derive(Debug, Clone)]
pub struct Caller<F = Ruckus> {
    /// The MSP and the tenant the call acts in.
    pub principal: Principal,
    _flavor: PhantomData<F>,
}

fn unauthorized(message: &str) -> Error {
    Error::new(StatusCode::UNAUTHORIZED, message)
        .with_field("authorization")
        .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"ruckus\"")
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| {
                unauthorized("an access token is required: send Authorization: Bearer <token>")
            })?
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("the Authorization header must be Bearer <token>"))?;
        let claims = state
            .tokens
            .verify(token)
            .map_err(|e| unauthorized(&e.to_string()))?;
        if claims.scope.as_deref() != Some(TOKEN_SCOPE) {
            return Err(unauthorized(
                "this is not a RUCKUS One access token; get one from POST /oauth2/token/{tenantId}",
            ));
        }
        if let Some(slot) = parts.extensions.get::<JournalClient>() {
            slot.set(&claims.client_id);
        }
        let header = parts
            .headers
            .get(TENANT_HEADER)
            .map(|v| v.to_str().unwrap_or("(not text)").to_owned());
        let now = state.clock.now();
        let msp = claims.workspace_id;
        let principal = state.store.with_mut(|r: &mut RuckusWorld| {
            // The header is judged against the tenants as they are now: an activity due by now
            // (a delete, a create) has run before the check, as it has for the handler.
            r.settle(now);
            let p = r.principal(msp, &claims.client_id, None)?;
            r.take_call(p.msp, now)?;
            r.principal(msp, &claims.client_id, header.as_deref())
        })?;
        Ok(Caller {
            principal,
            _flavor: PhantomData,
        })
    }
}

/// Whether RUCKUS renders errors for `path` in OAuth's shape (the token endpoint).
fn is_token_path(path: &str) -> bool {
    path.starts_with("/oauth2/")
}

/// RUCKUS One in the vendor table.
pub const VENDOR: crate::vendor::Vendor = crate::vendor::Vendor {
    name: "ruckus",
    prefixes: &[
        "/oauth2/",
        "/tenants",
        "/tenantDelegations",
        "/adminDelegations",
        "/tenantActivations/",
        "/brandings",
        "/firmwareUpgradeSchedules",
        "/mspecs/",
        "/delegations/",
        "/activities/",
        "/admins",
        "/venues",
    ],
    router,
    admin_router: None,
    error: |path, status, message| {
        if is_token_path(path) {
            token::error_for_status(status, message).into_response()
        } else {
            Error::new(status, message).into_response()
        }
    },
    credentials: Some(("ruckus", |state| {
        serde_json::to_value(admin::credentials_of(state)).unwrap_or_default()
    })),
    banner: Some(admin::banner),
};

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use crate::vendor::serving;

    #[test]
    fn ruckus_renders_the_errors_of_its_paths() {
        for path in [
            "/oauth2/token/9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4",
            "/tenants",
            "/tenants/query",
            "/tenantDelegations",
            "/tenantActivations/supportStatus/x",
            "/activities/query",
            "/venues",
            "/admins",
        ] {
            assert_eq!(serving(path).name, "ruckus", "{path}");
        }
        assert_eq!(serving("/tenantsx").name, "glp");
        assert_eq!(serving("/api/msp/tenants").name, "nsa");
        let token = (serving("/oauth2/token/x").error)(
            "/oauth2/token/x",
            StatusCode::TOO_MANY_REQUESTS,
            "slow down",
        );
        assert_eq!(token.status(), StatusCode::TOO_MANY_REQUESTS);
        let other = (serving("/venues").error)("/venues", StatusCode::SERVICE_UNAVAILABLE, "down");
        assert_eq!(other.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
