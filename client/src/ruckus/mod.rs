//! RUCKUS One MSP services: one MSP credential, customers (ECs) through `x-rks-tenantid`,
//! asynchronous writes awaited as activities, and 1-based queries as `Stream`s.
//!
//! - [`RuckusCredentials`]: the MSP's tenant id and API client (from code or `RUCKUS_*`
//!   environment variables), and where the API and token hosts are.
//! - [`RuckusSession`]: the MSP's token (one fetch however many tasks ask, refreshed before it
//!   expires and once after a 401), the generated clients ([`RuckusApis`]) authorised and
//!   retried (429 waits honour `Retry-After`), queries as streams, [`RuckusSession::await_activity`].
//! - [`EcSession`]: the same token acting inside one customer: every call carries
//!   `x-rks-tenantid`.
//! - [`ActivityWait`]: how an activity is polled (bounded backoff, a deadline, tolerance for the
//!   brief 404 right after a 202).
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use msp_client::generated::ruckus_msp_queries::types::DynamicQueryPayloadDto;
//! use msp_client::ruckus::{RuckusCredentials, RuckusSession};
//!
//! # async fn demo() -> msp_client::Result<()> {
//! let msp = RuckusSession::connect(RuckusCredentials::from_env()?).await?;
//! let ecs: Vec<_> = msp.query_ecs(DynamicQueryPayloadDto::default()).try_collect().await?;
//! let acme = msp.ec(ecs[0].id.as_deref().unwrap_or_default())?;
//! let venues = acme.venues().await?;
//! # let _ = venues;
//! # Ok(())
//! # }
//! ```

mod activity;
mod credentials;
mod session;

pub use activity::{ActivityWait, activity_failure_reason};
pub use credentials::{REGIONS, RuckusCredentials, TOKEN_LIFETIME, region_base_url};
pub use session::{EcSession, RuckusApis, RuckusSession, normalise_tenant_id};
