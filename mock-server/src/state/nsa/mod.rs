//! Ivanti nSA MSP portal state and rules: admin sessions (DSID), tenants with their provisioning
//! delay, the tenant cap and cap-increase requests, usage reports with expiring download tokens,
//! and the report schedule.
//!
//! The whole section lives in [`World::nsa`](super::World) so it shares the store's one lock,
//! its reset, and its export/import. Every operation here takes `now` from the mock clock and
//! checks and applies its rule in one call, which the caller runs under the store's write lock,
//! so concurrent requests cannot break the cap or sub-domain uniqueness. Sessions, download
//! tokens and the deferred work (provisioning ends, automatic cap decisions) are runtime-only
//! (`#[serde(skip)]`): exporting the state never writes a DSID, and loading a world schedules its
//! deferred work again from the tenants' `ready_at` and the pending cap requests.
//!
//! The rules are one `impl NsaWorld` block per topic: `sessions.rs` (login, DSID checks),
//! `tenants.rs`, `caps.rs` (cap requests and their decisions), `reports.rs` (usage reports,
//! downloads, schedule); the data types are in `model.rs`. Failures are [`NsaError`]s, which name what went wrong; the nSA routes
//! map them to the wire's `code` and status.

mod caps;
mod model;
mod reports;
mod sessions;
mod tenants;

pub use model::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::deferred::{Deferred, after};
use super::sessions::{SessionPolicy, SessionTable};

/// The nSA section of the world: settings and the MSP portal accounts.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NsaWorld {
    /// Timing and bounds of the nSA emulation.
    #[serde(default)]
    pub settings: NsaSettings,
    /// The MSP portal accounts.
    #[serde(default)]
    pub msps: Vec<NsaMsp>,
    /// Live admin sessions by DSID, each owned by an MSP username (runtime only).
    #[serde(skip)]
    pub sessions: SessionTable<String>,
    /// Live report download tokens (runtime only).
    #[serde(skip)]
    pub downloads: Downloads,
    /// Tenants still provisioning, by tenant id; a tenant is `initializing` while its entry is
    /// pending (runtime only, rebuilt from `ready_at` on load).
    #[serde(skip)]
    provisioning: Deferred<()>,
    /// Automatic cap-request approvals by request id, each with its MSP username (runtime only,
    /// rebuilt from the pending requests on load).
    #[serde(skip)]
    cap_decisions: Deferred<String>,
}

/// Timing and bounds of the nSA emulation (fixture `nsa.settings`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NsaSettings {
    /// Seconds a new tenant stays `initializing` before it becomes `active`.
    pub provisioning_secs: u64,
    /// An admin session ends after this many seconds without a request.
    pub session_idle_secs: u64,
    /// An admin session ends this many seconds after login, however busy.
    pub session_max_secs: u64,
    /// Lifetime of a report download URL, seconds.
    pub download_url_ttl_secs: u64,
    /// When set, cap-increase requests are approved this many seconds after they are filed;
    /// otherwise they wait for `POST /__admin/nsa/cap-requests/{id}/approve`.
    pub cap_request_auto_approve_secs: Option<u64>,
    /// Reports kept per MSP; generating one more drops the oldest.
    pub max_reports: usize,
    /// Live sessions kept; logging in beyond this ends the oldest session.
    pub max_sessions: usize,
}

impl Default for NsaSettings {
    fn default() -> Self {
        Self {
            provisioning_secs: 60,
            session_idle_secs: 600,
            session_max_secs: 3600,
            download_url_ttl_secs: 300,
            cap_request_auto_approve_secs: None,
            max_reports: 1000,
            max_sessions: 10_000,
        }
    }
}

impl NsaSettings {
    /// The admin-session lifetimes and capacity.
    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            idle_secs: self.session_idle_secs,
            max_secs: self.session_max_secs,
            capacity: self.max_sessions,
        }
    }
}

/// The sign-in page name `GET /login/msp` puts in `DSSIGNIN`.
pub const SIGNIN_URL_NAME: &str = "url_msp";
/// The realm the mock's sign-in page shows (any non-empty realm is accepted unless an MSP sets
/// its own).
pub const DEFAULT_REALM: &str = "MSP Admin Users";

/// What an nSA rule refused, in the portal's terms. The `Display` text is the message the
/// portal answers with; the nSA routes choose the wire `code` and status.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NsaError {
    /// The request carries no session cookie.
    #[error("no admin session: send the DSID cookie from the form login")]
    NoSession,
    /// The session is unknown, idled out or past its absolute lifetime.
    #[error("the admin session has expired or is unknown; sign in again")]
    SessionExpired,
    /// The session's MSP account was removed (a state import or reset).
    #[error("the MSP account of this session no longer exists; sign in again")]
    AccountGone,
    /// Wrong username, password or realm at the form login.
    #[error("invalid username, password or realm")]
    InvalidCredentials,
    /// Another tenant (of any MSP) already has this sub-domain.
    #[error("sub_domain '{0}' is already in use")]
    SubDomainTaken(String),
    /// The MSP owns as many tenants as its cap allows.
    #[error(
        "the MSP already has {count} of {cap} tenants allowed by tenant_cap_limit; \
         ask for more with POST /api/msp/tenants/requests/tenant-cap-limit"
    )]
    CapReached {
        /// Tenants owned.
        count: usize,
        /// The cap in force.
        cap: usize,
    },
    /// The MSP has no tenant with this id.
    #[error("no tenant with id {0}")]
    TenantNotFound(Uuid),
    /// The tenant cannot be blocked or unblocked before provisioning ends.
    #[error("tenant {0} is still initializing; try again once it is active")]
    TenantInitializing(Uuid),
    /// A cap request must ask for more than the cap in force.
    #[error(
        "requested_limit must be greater than the current tenant_cap_limit ({current}), got {requested}"
    )]
    CapNotRaised {
        /// The cap in force.
        current: usize,
        /// The cap asked for.
        requested: usize,
    },
    /// The cap request was already approved or rejected.
    #[error("cap request {id} is already {status}")]
    CapRequestDecided {
        /// The request.
        id: Uuid,
        /// Its status (`approved` or `rejected`).
        status: String,
    },
    /// No MSP filed a cap request with this id.
    #[error("no cap request with id {0}")]
    CapRequestNotFound(Uuid),
    /// The MSP has no usage report with this id.
    #[error("no usage report with id {0}")]
    ReportNotFound(Uuid),
    /// The download token is unknown, expired, for another report, or its report is gone.
    #[error("this download URL has expired or is not valid; ask for a new one")]
    DownloadGone,
}

type Res<T> = Result<T, NsaError>;

impl super::Loadable for NsaWorld {
    /// Fills missing creation times with `now`, and schedules the world's deferred work: the end
    /// of provisioning of every tenant with a `ready_at`, and (when the settings approve cap
    /// requests automatically) the approval of every pending cap request.
    fn fill_defaults(&mut self, now: DateTime<Utc>) {
        self.provisioning = Deferred::default();
        self.cap_decisions = Deferred::default();
        let auto = self.settings.cap_request_auto_approve_secs;
        for m in &mut self.msps {
            for t in &mut m.tenants {
                let created = *t.created.get_or_insert(now);
                if let Some(ready_at) = t.ready_at {
                    self.provisioning.schedule(t.id, (), created, ready_at);
                }
            }
            if let Some(delay) = auto {
                for r in m.cap_requests.iter().filter(|r| r.status == "pending") {
                    let due = after(r.created, delay);
                    self.cap_decisions
                        .schedule(r.id, m.username.clone(), r.created, due);
                }
            }
        }
    }

    /// Checks fixture/import invariants: unique usernames, unique sub-domains and tenant ids.
    fn check(&self) -> Result<(), String> {
        let mut users = std::collections::HashSet::new();
        let mut subs = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for m in &self.msps {
            if m.username.is_empty() || m.password.expose().is_empty() {
                return Err("every nsa MSP needs a username and a password".into());
            }
            if !users.insert(m.username.as_str()) {
                return Err(format!("nsa username {} appears twice", m.username));
            }
            for t in &m.tenants {
                if !subs.insert(t.sub_domain.as_str()) {
                    return Err(format!("nsa sub_domain {} appears twice", t.sub_domain));
                }
                if !ids.insert(t.id) {
                    return Err(format!("nsa tenant id {} appears twice", t.id));
                }
            }
        }
        Ok(())
    }

    /// Whether the section is empty (nothing to serialise).
    fn is_empty(&self) -> bool {
        self.msps.is_empty() && self.settings == NsaSettings::default()
    }
}

impl NsaWorld {
    /// Completes the deferred work due at `now`: tenants whose provisioning has ended, and cap
    /// requests whose automatic approval delay has passed.
    pub fn settle(&mut self, now: DateTime<Utc>) {
        self.settle_provisioning(now);
        self.settle_cap_decisions(now);
    }

    fn msp_mut(&mut self, username: &str) -> Res<&mut NsaMsp> {
        self.msps
            .iter_mut()
            .find(|m| m.username == username)
            .ok_or(NsaError::AccountGone)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::state::model::Secret;

    /// One MSP `u`/`p` with a cap of one tenant.
    pub fn world() -> NsaWorld {
        NsaWorld {
            msps: vec![NsaMsp {
                username: "u".into(),
                password: Secret("p".into()),
                realm: None,
                name: "M".into(),
                tenant_cap_limit: 1,
                subscriptions: vec![],
                tenants: vec![],
                reports: vec![],
                schedule: None,
                cap_requests: vec![],
            }],
            ..Default::default()
        }
    }

    /// A valid tenant create with sub-domain and name `sub`.
    pub fn input(sub: &str) -> NewTenant {
        NewTenant {
            sub_domain: sub.into(),
            user: TenantUser {
                username: "a".into(),
                email: "a@b.example".into(),
            },
            name: sub.into(),
            subscriptions: vec![],
        }
    }

    #[test]
    fn error_messages_are_the_portal_texts() {
        assert_eq!(
            NsaError::CapReached { count: 1, cap: 1 }.to_string(),
            "the MSP already has 1 of 1 tenants allowed by tenant_cap_limit; ask for more with \
             POST /api/msp/tenants/requests/tenant-cap-limit"
        );
        assert_eq!(
            NsaError::SubDomainTaken("a".into()).to_string(),
            "sub_domain 'a' is already in use"
        );
    }
}
