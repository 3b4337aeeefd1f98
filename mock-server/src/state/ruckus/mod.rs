//! RUCKUS One state and rules: MSPs with their Application Token, the tenants they manage (end
//! customers and tech partners), administrators, delegations, venues, branding, firmware
//! schedules, the asynchronous activities every write runs as, and the per-tenant call bucket.
//!
//! The section lives in [`World::ruckus`](super::World), so it shares the store's one lock, its
//! reset and its export/import. Every operation takes `now` from the mock clock and checks and
//! applies its rule in one call under the store's write lock, so concurrent writers cannot break
//! a rule (two creates of one name: the second activity fails).
//!
//! **Activities.** An asynchronous write checks what it can at once (a refusal is a
//! [`RuckusError`], nothing changes) and schedules a [`Job`] on the [`Deferred`] engine: the
//! activity is `PENDING` for `settings.pending_secs`, `INPROGRESS` for `settings.running_secs`,
//! then the change is applied and the activity ends `SUCCESS`, or `FAIL` with the reason when a
//! rule only visible then refuses it (a name another tenant took meanwhile, a tenant deleted
//! meanwhile). Every call settles the due activities first, so advancing the mock clock is all a
//! test needs. Activities and the call buckets are runtime only (`#[serde(skip)]`).
//!
//! **Scope.** A [`Principal`] is the MSP of the token and the tenant the call acts in
//! (`x-rks-tenantid`): the MSP itself or one tenant it manages, never another MSP's.
//!
//! The rules are one `impl RuckusWorld` block per topic: `tenants.rs` (customers, their
//! administrators, invitations, activation, support access), `partners.rs` (tech-partner and
//! MSP-administrator delegations, branding, firmware schedules) and `activities.rs` (the jobs
//! and their outcomes); the data types are in `model.rs`.

mod activities;
mod model;
mod partners;
mod tenants;

pub use activities::{ActivityView, Job};
pub use model::*;
pub use partners::{AdminAssociation, AdminOp, DelegationRequest};
pub use tenants::{NewTenant, TenantUpdate};

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::deferred::{Deferred, Retention};

/// The RUCKUS One section of the world: settings and the MSPs.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuckusWorld {
    /// Timing and bounds of the RUCKUS emulation.
    #[serde(default)]
    pub settings: RuckusSettings,
    /// The MSPs.
    #[serde(default)]
    pub msps: Vec<RuckusMsp>,
    /// Activities by request id (runtime only).
    #[serde(skip)]
    activities: Deferred<Job, Result<(), String>>,
    /// Call buckets by tenant (runtime only).
    #[serde(skip)]
    buckets: HashMap<Uuid, Bucket>,
}

/// Timing and bounds of the RUCKUS emulation (fixture `ruckus.settings`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RuckusSettings {
    /// Seconds an activity stays `PENDING`.
    pub pending_secs: u64,
    /// Seconds an activity then stays `INPROGRESS` before it ends.
    pub running_secs: u64,
    /// Lifetime of an access token, seconds.
    pub token_ttl_secs: u64,
    /// Calls per minute per tenant (the token bucket's size and refill rate).
    pub calls_per_minute: u32,
    /// Seconds an ended activity stays readable.
    pub activity_retention_secs: u64,
    /// Most ended activities kept.
    pub max_activities: usize,
    /// Seconds after its 202 an activity still answers 404 (RUCKUS: "may 404 for a moment").
    pub activity_visible_after_secs: u64,
}

impl Default for RuckusSettings {
    fn default() -> Self {
        Self {
            pending_secs: 1,
            running_secs: 2,
            token_ttl_secs: 3600,
            calls_per_minute: 2000,
            activity_retention_secs: 86_400,
            max_activities: 10_000,
            activity_visible_after_secs: 0,
        }
    }
}

/// A tenant's call bucket: tokens left and when it was last refilled.
#[derive(Clone, Debug, PartialEq)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
}

/// Who is calling: the MSP of the token and the tenant the call acts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The MSP's tenant id (the token's tenant).
    pub msp: Uuid,
    /// The tenant the call acts in: the MSP, or one tenant it manages (`x-rks-tenantid`).
    pub acting: Uuid,
}

impl Principal {
    /// Whether the call acts at the MSP level.
    pub fn at_msp(&self) -> bool {
        self.acting == self.msp
    }
}

/// What a RUCKUS rule refused. The routes map each to its status; `field` names the request
/// member or subject at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuckusError {
    /// Unknown tenant id, client id or wrong secret at the token endpoint.
    #[error(
        "client authentication failed: unknown client_id, wrong client_secret, or a credential of another tenant"
    )]
    BadCredentials,
    /// The token's MSP or client no longer exists (a reset or import removed it).
    #[error("the tenant of this access token no longer exists")]
    TokenTenantGone,
    /// The call may not act in this tenant.
    #[error("{0}")]
    Forbidden(String),
    /// The MSP manages no tenant with this id.
    #[error("no tenant {} is managed by this MSP", .0.simple())]
    TenantNotFound(Uuid),
    /// The tenant has no administrator with this id.
    #[error("tenant {} has no administrator {}", .0.simple(), .1.simple())]
    AdminNotFound(Uuid, Uuid),
    /// No activity with this id in the tenant the call acts in.
    #[error("no activity {0} in this tenant")]
    ActivityNotFound(Uuid),
    /// The MSP has no branding yet.
    #[error("the MSP has no branding yet; create it with POST /brandings")]
    BrandingNotFound,
    /// A request member breaks a rule.
    #[error("{message}")]
    Invalid {
        /// The member at fault (`data[1].name`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The tenant's call bucket is empty.
    #[error(
        "rate limit exceeded: {limit} calls per minute per tenant; retry in {retry_after} seconds"
    )]
    RateLimited {
        /// Calls per minute.
        limit: u32,
        /// Seconds until a call is available.
        retry_after: u64,
    },
}

impl RuckusError {
    /// A 400-class refusal of `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

type Res<T> = Result<T, RuckusError>;

impl super::Loadable for RuckusWorld {
    /// Fills missing creation times with `now` and starts with no activities and full buckets.
    fn fill_defaults(&mut self, now: DateTime<Utc>) {
        self.activities = Deferred::new(self.retention());
        self.buckets.clear();
        for m in &mut self.msps {
            m.created.get_or_insert(now);
            for t in &mut m.tenants {
                let created = *t.created.get_or_insert(now);
                t.updated.get_or_insert(created);
                for d in &mut t.delegations {
                    d.created.get_or_insert(created);
                }
            }
        }
    }

    /// Checks fixture/import invariants: unique tenant, admin and client ids, unique tenant
    /// names per MSP, unique branding labels, delegations to tech partners of the same MSP and
    /// kind, MSP-administrator delegations to the MSP's administrators.
    fn check(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        let mut clients = HashSet::new();
        let mut labels = HashSet::new();
        for m in &self.msps {
            if m.client_id.is_empty() || m.client_secret.expose().is_empty() {
                return Err("every ruckus MSP needs a client_id and a client_secret".into());
            }
            if !ids.insert(m.tenant_id) {
                return Err(format!(
                    "ruckus tenant id {} appears twice",
                    m.tenant_id.simple()
                ));
            }
            if !clients.insert(m.client_id.as_str()) {
                return Err(format!("ruckus client_id {} appears twice", m.client_id));
            }
            if let Some(b) = &m.branding
                && !labels.insert(b.msp_label.to_ascii_lowercase())
            {
                return Err(format!("ruckus msp_label {} appears twice", b.msp_label));
            }
            let mut admin_ids = HashSet::new();
            for a in &m.admins {
                if !admin_ids.insert(a.id) {
                    return Err(format!("ruckus admin id {} appears twice", a.id.simple()));
                }
            }
            let mut names = HashSet::new();
            for t in &m.tenants {
                if !ids.insert(t.id) {
                    return Err(format!("ruckus tenant id {} appears twice", t.id.simple()));
                }
                if !names.insert(t.name.to_lowercase()) {
                    return Err(format!(
                        "ruckus tenant name {:?} appears twice in MSP {}",
                        t.name, m.name
                    ));
                }
            }
            for t in &m.tenants {
                for d in &t.delegations {
                    let ok = m
                        .tenants
                        .iter()
                        .any(|p| p.id == d.partner && p.kind == d.kind && p.kind.is_partner());
                    if !ok || t.kind.is_partner() {
                        return Err(format!(
                            "ruckus tenant {}: delegation to {} is not to a {} of the same MSP",
                            t.name,
                            d.partner.simple(),
                            d.kind.as_str()
                        ));
                    }
                }
                for r in &t.msp_admins {
                    if !admin_ids.contains(&r.admin) {
                        return Err(format!(
                            "ruckus tenant {}: msp admin {} is not an administrator of {}",
                            t.name,
                            r.admin.simple(),
                            m.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether the section is empty (nothing to serialise).
    fn is_empty(&self) -> bool {
        self.msps.is_empty() && self.settings == RuckusSettings::default()
    }
}

impl RuckusWorld {
    fn retention(&self) -> Retention {
        Retention::for_secs(
            self.settings.activity_retention_secs,
            self.settings.max_activities,
        )
    }

    /// The MSP whose Application Token is `client_id`/`secret` under tenant id `tenant`.
    pub fn authenticate(&self, tenant: Uuid, client_id: &str, secret: &str) -> Res<&RuckusMsp> {
        self.msps
            .iter()
            .find(|m| m.tenant_id == tenant && m.client_id == client_id)
            .filter(|m| constant_time_eq(m.client_secret.expose(), secret))
            .ok_or(RuckusError::BadCredentials)
    }

    /// The principal of a verified token of MSP `msp` (client `client_id`) with the
    /// `x-rks-tenantid` header `header`: the MSP itself when the header is absent or names it,
    /// a tenant it manages, or 403 for any other value.
    pub fn principal(&self, msp: Uuid, client_id: &str, header: Option<&str>) -> Res<Principal> {
        let m = self
            .msps
            .iter()
            .find(|m| m.tenant_id == msp && m.client_id == client_id)
            .ok_or(RuckusError::TokenTenantGone)?;
        let header = header.map(str::trim).filter(|h| !h.is_empty());
        let Some(h) = header else {
            return Ok(Principal { msp, acting: msp });
        };
        let refused = || {
            RuckusError::Forbidden(format!(
                "x-rks-tenantid {h} is not a tenant this MSP manages"
            ))
        };
        let id = Uuid::try_parse(h).map_err(|_| refused())?;
        if id == msp || m.tenants.iter().any(|t| t.id == id) {
            Ok(Principal { msp, acting: id })
        } else {
            Err(refused())
        }
    }

    /// Takes one call from tenant `tenant`'s bucket at `now`: the calls left, or
    /// [`RuckusError::RateLimited`] with the seconds until the next call is available.
    pub fn take_call(&mut self, tenant: Uuid, now: DateTime<Utc>) -> Res<u32> {
        let limit = self.settings.calls_per_minute.max(1);
        let size = f64::from(limit);
        let per_ms = size / 60_000.0;
        let b = self.buckets.entry(tenant).or_insert(Bucket {
            tokens: size,
            at: now,
        });
        let elapsed = (now - b.at).num_milliseconds().max(0) as f64;
        b.tokens = (b.tokens + elapsed * per_ms).min(size);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            return Ok(b.tokens as u32);
        }
        let wait_ms = (1.0 - b.tokens) / per_ms;
        let retry_after = ((wait_ms / 1000.0).ceil() as u64).max(1);
        Err(RuckusError::RateLimited { limit, retry_after })
    }

    /// The MSP of `p`, after settling the activities due at `now` (for reads that render it).
    pub fn view(&mut self, p: &Principal, now: DateTime<Utc>) -> Res<&RuckusMsp> {
        self.settle(now);
        self.msp(p)
    }

    /// The MSP of `p` (call [`RuckusWorld::settle`] first to see the activities due).
    pub fn msp(&self, p: &Principal) -> Res<&RuckusMsp> {
        self.msps
            .iter()
            .find(|m| m.tenant_id == p.msp)
            .ok_or(RuckusError::TokenTenantGone)
    }

    fn msp_mut(&mut self, p: &Principal) -> Res<&mut RuckusMsp> {
        self.msps
            .iter_mut()
            .find(|m| m.tenant_id == p.msp)
            .ok_or(RuckusError::TokenTenantGone)
    }

    /// Refuses a call that must act at the MSP level but names a customer.
    pub fn require_msp_level(p: &Principal) -> Res<()> {
        if p.at_msp() {
            Ok(())
        } else {
            Err(RuckusError::Forbidden(format!(
                "this call acts at the MSP level; send no x-rks-tenantid or the MSP's own id, \
                 not {}",
                p.acting.simple()
            )))
        }
    }

    /// The tenant `id` of `p`'s MSP for a call whose path names it: 403 when the call acts in
    /// another customer, 404 when the MSP does not manage it.
    pub fn managed<'a>(&'a self, p: &Principal, id: Uuid) -> Res<&'a RuckusTenant> {
        path_scope(p, id)?;
        self.msp(p)?
            .tenants
            .iter()
            .find(|t| t.id == id)
            .ok_or(RuckusError::TenantNotFound(id))
    }

    fn managed_mut(&mut self, p: &Principal, id: Uuid) -> Res<&mut RuckusTenant> {
        path_scope(p, id)?;
        self.msp_mut(p)?
            .tenants
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or(RuckusError::TenantNotFound(id))
    }
}

/// A call acting in a customer may only name that customer in its path.
fn path_scope(p: &Principal, id: Uuid) -> Res<()> {
    if p.at_msp() || p.acting == id {
        Ok(())
    } else {
        Err(RuckusError::Forbidden(format!(
            "the call acts in tenant {} (x-rks-tenantid) but its path names tenant {}",
            p.acting.simple(),
            id.simple()
        )))
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::state::Loadable;
    use crate::state::model::Secret;
    use chrono::{Duration, TimeZone};

    pub fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }

    /// One MSP with one customer and one integrator.
    pub fn world() -> RuckusWorld {
        let mut w = RuckusWorld {
            msps: vec![RuckusMsp {
                tenant_id: Uuid::from_u128(1),
                name: "M".into(),
                client_id: "c".into(),
                client_secret: Secret("s".into()),
                email: String::new(),
                created: None,
                admins: vec![],
                tenants: vec![],
                venues: vec![],
                branding: None,
            }],
            ..Default::default()
        };
        w.fill_defaults(t0());
        w
    }

    #[test]
    fn the_bucket_empties_then_refills_at_a_fixed_rate() {
        let mut w = world();
        w.settings.calls_per_minute = 2;
        let t = Uuid::from_u128(1);
        assert_eq!(w.take_call(t, t0()), Ok(1));
        assert_eq!(w.take_call(t, t0()), Ok(0));
        assert_eq!(
            w.take_call(t, t0()),
            Err(RuckusError::RateLimited {
                limit: 2,
                retry_after: 30
            })
        );
        assert!(w.take_call(t, t0() + Duration::seconds(30)).is_ok());
        assert!(w.take_call(Uuid::from_u128(2), t0()).is_ok());
    }

    #[test]
    fn the_header_may_name_only_a_managed_tenant() {
        let w = world();
        let msp = Uuid::from_u128(1);
        assert_eq!(w.principal(msp, "c", None).map(|p| p.at_msp()), Ok(true));
        assert!(matches!(
            w.principal(msp, "c", Some("0123456789abcdef0123456789abcdef")),
            Err(RuckusError::Forbidden(_))
        ));
        assert_eq!(
            w.principal(msp, "other", None),
            Err(RuckusError::TokenTenantGone)
        );
    }
}
