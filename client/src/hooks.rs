//! The context every generated client carries, and the progenitor hooks that use it.
//!
//! Each generated `Client` is built with [`Context`] as its inner type (progenitor's
//! `with_inner_type`). This module implements `progenitor_client::ClientHooks<Context>` for every
//! generated client (that impl takes precedence over the generated default by auto-ref
//! specialisation), so that:
//! - `pre` stamps the request with the context's credential (bearer token or session cookie),
//!   fetching or refreshing it first when needed;
//! - `exec` sends it through [`crate::retry`]: 429 / transient retries and one re-authorisation
//!   after a 401.
//!
//! [`Context::default`] is a plain client: no credential, each request sent once.

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::auth::{SystemClock, TimeSource};
use crate::error::Result;
use crate::retry::{self, RetryPolicy};

/// Something that puts a credential on requests and can renew it after a 401.
///
/// The runtime's implementations are the MSP and tenant bearer tokens and the nSA `DSID`
/// cookie; implement it to plug another scheme into the generated clients.
pub trait Authorizer: Send + Sync + fmt::Debug {
    /// Adds the current credential to `request`, fetching or refreshing it when needed.
    fn authorize<'a>(&'a self, request: &'a mut reqwest::Request) -> BoxFuture<'a, Result<()>>;

    /// Renews the credential that `rejected` carried, after the server answered 401 to it.
    ///
    /// When the credential was already renewed by a concurrent request, this does nothing.
    fn renew<'a>(&'a self, rejected: &'a reqwest::Request) -> BoxFuture<'a, Result<()>>;
}

/// Per-client runtime context handed to every generated client.
///
/// `Context::default()` gives a plain client: no authorisation, no retries.
#[derive(Clone, Default)]
pub struct Context {
    auth: Option<Arc<dyn Authorizer>>,
    retry: Option<RetryPolicy>,
    clock: Option<Arc<dyn TimeSource>>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("auth", &self.auth)
            .field("retry", &self.retry)
            .field("clock", &self.clock)
            .finish()
    }
}

impl Context {
    /// Adds a credential source.
    pub fn with_authorizer(mut self, auth: Arc<dyn Authorizer>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Sets the retry policy (the default context sends each request once).
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets the time source used for retry waits.
    pub fn with_clock(mut self, clock: Arc<dyn TimeSource>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The credential source, if any.
    pub fn authorizer(&self) -> Option<&Arc<dyn Authorizer>> {
        self.auth.as_ref()
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry.clone().unwrap_or_else(RetryPolicy::none)
    }

    /// Stamps `request` with this context's credential (no-op without an authoriser).
    pub async fn authorize(&self, request: &mut reqwest::Request) -> Result<()> {
        match &self.auth {
            Some(auth) => auth.authorize(request).await,
            None => Ok(()),
        }
    }

    /// Sends an already-authorised `request` with `http` under this context's retry policy,
    /// renewing the credential once on a 401. `call` names the call in logs.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        call: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let policy = self.retry_policy();
        let clock: &dyn TimeSource = match &self.clock {
            Some(c) => c.as_ref(),
            None => &SystemClock,
        };
        retry::execute(
            http,
            request,
            &policy,
            clock,
            self.auth.as_deref(),
            call,
            false,
        )
        .await
    }

    /// [`Context::authorize`] then [`Context::execute`]: what a generated call does, for
    /// hand-written calls.
    pub async fn send(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        call: &str,
    ) -> Result<reqwest::Response> {
        self.authorize(&mut request).await?;
        self.execute(http, request, call)
            .await
            .map_err(|source| crate::Error::Transport {
                call: call.to_string(),
                source,
            })
    }
}

/// Implements `ClientHooks<Context>` for generated clients: credential in `pre`,
/// retries and re-authorisation in `exec`.
macro_rules! runtime_hooks {
    ($($client:path),* $(,)?) => {$(
        impl progenitor_client::ClientHooks<$crate::hooks::Context> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                use progenitor_client::ClientInfo;
                self.inner().authorize(request).await.map_err(|e| {
                    progenitor_client::Error::Custom(format!("{}: {e}", info.operation_id))
                })
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                use progenitor_client::ClientInfo;
                self.inner().execute(self.client(), request, info.operation_id).await
            }
        }
    )*};
}

runtime_hooks!(
    crate::generated::central::Client,
    crate::generated::glp_platform::Client,
    crate::generated::glp_sso::Client,
    crate::generated::glp_workspace_management::Client,
    crate::generated::glp_workspaces::Client,
    crate::generated::nsa_msp::Client,
    crate::generated::ruckus_activities::Client,
    crate::generated::ruckus_msp::Client,
    crate::generated::ruckus_msp_queries::Client,
    crate::generated::ruckus_tenant::Client,
    crate::generated::ruckus_token::Client,
    crate::generated::ruckus_venues::Client,
);
