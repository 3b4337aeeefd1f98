//! Typed clients for the MSP platforms msp-harness covers, and the runtime that drives them.
//!
//! - [`generated`]: one progenitor client per spec in `openapi/` (never edited by hand).
//! - [`hooks`]: the per-client [`hooks::Context`] every generated client carries: how a request is
//!   authorised and retried.
//! - [`auth`]: [`Credentials`], [`MspSession`] (PyCentral's `MSPBase`), [`TenantSession`].
//! - [`retry`]: the 429 / transient / 401 retry policy.
//! - [`paging`]: paged listings as `Stream`s.
//! - [`nsa`]: the Ivanti nSA portal session (DSID login) and its hand-written calls.
//! - [`apis`]: the generated clients as sessions hand them out ([`apis::Glp`], Central, nSA) and
//!   typed listings over them.
//! - [`error`]: the runtime's typed [`Error`].

pub mod apis;
pub mod auth;
pub mod error;
pub mod generated;
pub mod hooks;
pub mod nsa;
pub mod paging;
pub mod retry;

pub use auth::{
    Credentials, ManualClock, MspSession, Secret, SessionOptions, SystemClock, TenantRef,
    TenantSession, TimeSource,
};
pub use error::{Error, Result};
pub use nsa::{DeleteReportsOutcome, NsaCredentials, NsaSession};
pub use retry::RetryPolicy;
