//! Typed clients for the MSP platforms msp-harness covers, and the runtime that drives them.
//!
//! - [`generated`]: one progenitor client per spec in `openapi/` (never edited by hand).
//! - [`hooks`]: the per-client [`hooks::Context`] every generated client carries: how a request is
//!   authorised and retried.
//! - [`auth`]: [`Credentials`], [`MspSession`] (PyCentral's `MSPBase`), [`TenantSession`].
//! - [`retry`]: the 429 / transient / 401 retry policy.
//! - [`paging`]: paged listings as `Stream`s.
//! - [`nsa`]: the Ivanti nSA portal session (DSID login) and its hand-written calls.
//! - [`ruckus`]: the RUCKUS One MSP session, customers through `x-rks-tenantid`, activities.
//! - [`apis`]: the generated clients as sessions hand them out ([`apis::Glp`], Central, nSA) and
//!   typed listings over them.
//! - [`error`]: the runtime's typed [`Error`].
//!
//! # Quick start
//! ```no_run
//! use futures::TryStreamExt;
//! use msp_client::{Credentials, MspSession, TenantRef};
//!
//! # async fn demo() -> msp_client::Result<()> {
//! // PyCentral's unified YAML/JSON, or Credentials::from_env() (MSP_CLIENT_ID, ...).
//! let creds = Credentials::from_file("account.yaml")?;
//! let msp = MspSession::connect(creds).await?;
//!
//! // MSP-level calls through the generated clients, already authorised and retried.
//! let first_page = msp.glp().workspaces.list_msp_tenants().send().await;
//!
//! // Tenant-scoped calls: one cached, single-flight token exchange per tenant.
//! let tenant = msp.tenant(TenantRef::Name("Acme Retail".into())).await?;
//! let devices: Vec<_> = tenant.glp_devices().try_collect().await?;
//! let inventory: Vec<_> = tenant.central_devices()?.try_collect().await?;
//! # let _ = (first_page, devices, inventory);
//! # Ok(())
//! # }
//! ```

pub mod apis;
pub mod auth;
pub mod error;
pub mod generated;
pub mod hooks;
pub mod nsa;
pub mod paging;
pub mod retry;
pub mod ruckus;

pub use auth::{
    Credentials, ManualClock, MspSession, Secret, SessionOptions, SystemClock, TenantRef,
    TenantSession, TimeSource,
};
pub use error::{Error, Result};
pub use nsa::{DeleteReportsOutcome, NsaCredentials, NsaSession};
pub use retry::RetryPolicy;
