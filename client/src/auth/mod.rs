//! Authentication: credentials, the refreshing token cache, MSP and tenant sessions.

mod clock;
mod credentials;
mod secret;
mod session;
pub(crate) mod token;

pub use clock::{ManualClock, SystemClock, TimeSource};
pub(crate) use credentials::normalise_base_url;
pub use credentials::{CENTRAL_CLUSTERS, Credentials, DEFAULT_GLP_BASE_URL, cluster_base_url};
pub use secret::Secret;
pub use session::{
    MspSession, SessionOptions, TenantRef, TenantSession, normalise_workspace_id,
    workspace_name_filter,
};
