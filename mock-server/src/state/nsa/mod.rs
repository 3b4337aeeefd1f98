//! Ivanti nSA MSP portal state and rules: admin sessions (DSID), tenants with their provisioning
//! delay, the tenant cap and cap-increase requests, usage reports with expiring download tokens,
//! and the report schedule.
//!
//! The whole section lives in [`World::nsa`](super::World) so it shares the store's one lock,
//! its reset, and its export/import. Every operation here takes `now` from the mock clock and
//! checks and applies its rule in one call, which the caller runs under the store's write lock,
//! so concurrent requests cannot break the cap or sub-domain uniqueness. Sessions and download
//! tokens are runtime-only (`#[serde(skip)]`): exporting the state never writes a DSID.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::Secret;

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
    /// Live admin sessions by DSID (runtime only).
    #[serde(skip)]
    pub sessions: Sessions,
    /// Live report download tokens (runtime only).
    #[serde(skip)]
    pub downloads: Downloads,
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

/// The sign-in page name `GET /login/msp` puts in `DSSIGNIN`.
pub const SIGNIN_URL_NAME: &str = "url_msp";
/// The realm the mock's sign-in page shows (any non-empty realm is accepted unless an MSP sets
/// its own).
pub const DEFAULT_REALM: &str = "MSP Admin Users";

/// An MSP's portal account, its tenants and its reports.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NsaMsp {
    /// Admin user name for the form login (unique).
    pub username: String,
    /// Admin password (never printed by `Debug`).
    pub password: Secret,
    /// When set, the login `realm` must equal it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// MSP display name.
    #[serde(default)]
    pub name: String,
    /// Most tenants the MSP may own.
    #[serde(default = "default_cap")]
    pub tenant_cap_limit: usize,
    /// The MSP's subscriptions (tenants' entitlements draw on them); used for display names.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// Tenants, oldest first.
    #[serde(default)]
    pub tenants: Vec<NsaTenant>,
    /// Generated usage reports, oldest first.
    #[serde(default)]
    pub reports: Vec<UsageReport>,
    /// The report schedule, once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Cap-increase requests, oldest first.
    #[serde(default)]
    pub cap_requests: Vec<CapRequest>,
}

fn default_cap() -> usize {
    10
}

/// A tenant's first admin user.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TenantUser {
    /// User name.
    pub username: String,
    /// Login e-mail.
    pub email: String,
}

/// A subscription entitlement.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// Subscription id.
    pub id: Uuid,
    /// `ZTA` or `PCS`.
    pub category: Category,
    /// Users entitled.
    #[serde(default)]
    pub total_users: u64,
    /// Display name (derived from the MSP's subscription or the category when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// Product family of a subscription.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Category {
    /// nZTA.
    #[serde(rename = "ZTA")]
    Zta,
    /// Ivanti Connect Secure.
    #[serde(rename = "PCS")]
    Pcs,
}

impl Category {
    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ZTA" => Some(Self::Zta),
            "PCS" => Some(Self::Pcs),
            _ => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zta => "ZTA",
            Self::Pcs => "PCS",
        }
    }

    /// The portal's display category.
    pub fn display_category(self) -> &'static str {
        match self {
            Self::Zta => "Zero Trust Access",
            Self::Pcs => "Connect Secure",
        }
    }

    /// Display name used when the MSP has no subscription with the id.
    pub fn default_display_name(self) -> &'static str {
        match self {
            Self::Zta => "nZTA",
            Self::Pcs => "Ivanti Connect Secure",
        }
    }
}

/// A tenant of an nSA MSP.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NsaTenant {
    /// Tenant id.
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    /// Portal sub-domain, unique across all tenants.
    pub sub_domain: String,
    /// First admin user.
    pub user: TenantUser,
    /// Tenant name.
    pub name: String,
    /// Creation time (filled at load time when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// Provisioning ends at this time; `None` means already provisioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_at: Option<DateTime<Utc>>,
    /// Blocked by the MSP.
    #[serde(default)]
    pub blocked: bool,
    /// Entitlements.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

/// A tenant's status as the portal shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantStatus {
    /// Usable.
    Active,
    /// Blocked by the MSP.
    Blocked,
    /// Still being provisioned.
    Initializing,
}

impl TenantStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Blocked => "blocked",
            Self::Initializing => "initializing",
        }
    }
}

impl NsaTenant {
    /// The status at `now`: `initializing` until `ready_at`, then `blocked` or `active`.
    pub fn status(&self, now: DateTime<Utc>) -> TenantStatus {
        if self.ready_at.is_some_and(|r| now < r) {
            TenantStatus::Initializing
        } else if self.blocked {
            TenantStatus::Blocked
        } else {
            TenantStatus::Active
        }
    }

    /// Users entitled in `category`.
    pub fn users(&self, category: Category) -> u64 {
        self.subscriptions
            .iter()
            .filter(|s| s.category == category)
            .map(|s| s.total_users)
            .sum()
    }
}

/// A generated usage report with its CSV snapshot.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UsageReport {
    /// Report id.
    pub id: Uuid,
    /// CSV file name.
    pub file_name: String,
    /// Generation time.
    pub created: DateTime<Utc>,
    /// The CSV text, as of generation.
    pub csv: String,
}

/// The usage-report schedule.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// `daily`, `weekly` or `monthly`.
    pub frequency: String,
    /// Day of week (weekly, 0 = Monday) or of month (monthly, 1–28); ignored for daily.
    pub start_day: u32,
    /// Scheduled generation switched off.
    pub disabled: bool,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            frequency: "daily".into(),
            start_day: 1,
            disabled: false,
        }
    }
}

/// A request to raise the tenant cap.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CapRequest {
    /// Request id.
    pub id: Uuid,
    /// The cap asked for.
    pub requested_limit: usize,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it was filed.
    pub created: DateTime<Utc>,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// When it was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<DateTime<Utc>>,
}

/// One admin session.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// Username of the MSP.
    pub username: String,
    /// Login time.
    pub created: DateTime<Utc>,
    /// Last request time.
    pub last_seen: DateTime<Utc>,
}

/// Live sessions by DSID; `Debug` shows only the count, never a DSID.
#[derive(Clone, Default, PartialEq)]
pub struct Sessions(pub HashMap<String, Session>);

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sessions({} live)", self.0.len())
    }
}

/// A download token's target.
#[derive(Clone, Debug, PartialEq)]
pub struct Download {
    /// MSP username.
    pub username: String,
    /// Report id.
    pub report: Uuid,
    /// When the URL stops working.
    pub expires: DateTime<Utc>,
}

/// Live download tokens; `Debug` shows only the count.
#[derive(Clone, Default, PartialEq)]
pub struct Downloads(pub HashMap<String, Download>);

impl fmt::Debug for Downloads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Downloads({} live)", self.0.len())
    }
}

/// What kind of failure an nSA rule reports (the route maps it to a status).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailKind {
    /// A request field breaks a rule (400).
    Invalid,
    /// No session, or wrong credentials (401).
    Unauthorized,
    /// Unknown tenant, report or request (404).
    NotFound,
    /// The rule conflicts with current state (409).
    Conflict,
}

/// An nSA rule violation: kind, the vendor-style `code`, a message and the field at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NsaFailure {
    /// Kind.
    pub kind: FailKind,
    /// Machine-readable code (`sub_domain_taken`, `tenant_cap_reached`...).
    pub code: &'static str,
    /// Message naming the field or rule.
    pub message: String,
    /// The field at fault.
    pub field: Option<&'static str>,
}

impl NsaFailure {
    fn new(kind: FailKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            field: None,
        }
    }

    fn field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }
}

type Res<T> = Result<T, NsaFailure>;

/// Validated fields of a tenant create.
#[derive(Clone, Debug, PartialEq)]
pub struct NewTenant {
    /// Sub-domain (already a valid DNS label).
    pub sub_domain: String,
    /// First admin.
    pub user: TenantUser,
    /// Name.
    pub name: String,
    /// Entitlements.
    pub subscriptions: Vec<Subscription>,
}

/// What `GET /api/msp/tenants` computes.
#[derive(Clone, Debug)]
pub struct TenantList {
    /// Tenants across all pages.
    pub total: usize,
    /// This page, each with its status.
    pub tenants: Vec<(NsaTenant, TenantStatus)>,
    /// Users entitled per category over all tenants (ZTA, PCS).
    pub users: (u64, u64),
    /// Tenant count per status (active, blocked, initializing).
    pub stats: (usize, usize, usize),
    /// The cap.
    pub cap: usize,
}

/// The outcome of a delete of several reports.
#[derive(Clone, Debug, PartialEq)]
pub struct DeleteOutcome {
    /// How many were named.
    pub asked: usize,
    /// Those not deleted: the id as sent and the file name (empty for unknown ids).
    pub failed: Vec<(String, String)>,
}

fn new_secret() -> String {
    // Two v4 uuids: 244 random bits from the OS generator.
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// `t` plus `n` seconds; a sum past chrono's range means "never" (the latest representable time).
fn after(t: DateTime<Utc>, n: u64) -> DateTime<Utc> {
    let secs = i64::try_from(n).unwrap_or(i64::MAX).min(i64::MAX / 1000);
    Duration::try_seconds(secs)
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl NsaWorld {
    /// Fills missing creation times with `now`.
    pub fn fill_defaults(&mut self, now: DateTime<Utc>) {
        for m in &mut self.msps {
            for t in &mut m.tenants {
                t.created.get_or_insert(now);
            }
        }
    }

    /// Checks fixture/import invariants: unique usernames, unique sub-domains and tenant ids.
    pub fn check(&self) -> Result<(), String> {
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
    pub fn is_empty(&self) -> bool {
        self.msps.is_empty() && self.settings == NsaSettings::default()
    }

    fn msp_mut(&mut self, username: &str) -> Res<&mut NsaMsp> {
        self.msps
            .iter_mut()
            .find(|m| m.username == username)
            .ok_or_else(|| {
                NsaFailure::new(
                    FailKind::Unauthorized,
                    "session_expired",
                    "the MSP account of this session no longer exists; sign in again",
                )
            })
    }

    /// Checks a form login and starts a session; answers the new DSID.
    pub fn login(
        &mut self,
        username: &str,
        password: &str,
        realm: &str,
        now: DateTime<Utc>,
    ) -> Res<String> {
        let bad = || {
            NsaFailure::new(
                FailKind::Unauthorized,
                "invalid_credentials",
                "invalid username, password or realm",
            )
        };
        let m = self
            .msps
            .iter()
            .find(|m| m.username == username)
            .ok_or_else(bad)?;
        if m.password.expose() != password || m.realm.as_deref().is_some_and(|r| r != realm) {
            return Err(bad());
        }
        Ok(self.start_session(username, now))
    }

    /// Starts a session for `username` without checking a password (admin credentials).
    pub fn start_session(&mut self, username: &str, now: DateTime<Utc>) -> String {
        self.sweep_sessions(now);
        let max = self.settings.max_sessions.max(1);
        while self.sessions.0.len() >= max {
            let oldest = self
                .sessions
                .0
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => {
                    self.sessions.0.remove(&k);
                }
                None => break,
            }
        }
        let dsid = new_secret();
        self.sessions.0.insert(
            dsid.clone(),
            Session {
                username: username.to_owned(),
                created: now,
                last_seen: now,
            },
        );
        dsid
    }

    fn session_alive(&self, s: &Session, now: DateTime<Utc>) -> bool {
        now < after(s.last_seen, self.settings.session_idle_secs)
            && now < after(s.created, self.settings.session_max_secs)
    }

    fn sweep_sessions(&mut self, now: DateTime<Utc>) {
        let idle = self.settings.session_idle_secs;
        let max = self.settings.session_max_secs;
        self.sessions
            .0
            .retain(|_, s| now < after(s.last_seen, idle) && now < after(s.created, max));
    }

    /// Checks `dsid` and marks the session used; answers the MSP username.
    pub fn touch(&mut self, dsid: Option<&str>, now: DateTime<Utc>) -> Res<String> {
        let Some(dsid) = dsid.filter(|d| !d.is_empty()) else {
            return Err(NsaFailure::new(
                FailKind::Unauthorized,
                "unauthorized",
                "no admin session: send the DSID cookie from the form login",
            ));
        };
        let expired = || {
            NsaFailure::new(
                FailKind::Unauthorized,
                "session_expired",
                "the admin session has expired or is unknown; sign in again",
            )
        };
        let alive = match self.sessions.0.get(dsid) {
            Some(s) => self.session_alive(s, now),
            None => return Err(expired()),
        };
        if !alive {
            self.sessions.0.remove(dsid);
            return Err(expired());
        }
        let s = self.sessions.0.get_mut(dsid).ok_or_else(expired)?;
        s.last_seen = now;
        let user = s.username.clone();
        if !self.msps.iter().any(|m| m.username == user) {
            self.sessions.0.remove(dsid);
            return Err(expired());
        }
        Ok(user)
    }

    /// Approves cap requests whose auto-approval delay has passed.
    pub fn settle(&mut self, now: DateTime<Utc>) {
        let Some(delay) = self.settings.cap_request_auto_approve_secs else {
            return;
        };
        for m in &mut self.msps {
            for i in 0..m.cap_requests.len() {
                let r = &m.cap_requests[i];
                let when = after(r.created, delay);
                if r.status == "pending" && now >= when {
                    approve(m, i, when);
                }
            }
        }
    }

    /// A page of `username`'s tenants with the MSP-wide figures.
    pub fn list_tenants(
        &mut self,
        username: &str,
        start: usize,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Res<TenantList> {
        self.settle(now);
        let m = self.msp_mut(username)?;
        let mut stats = (0, 0, 0);
        let mut users = (0u64, 0u64);
        for t in &m.tenants {
            match t.status(now) {
                TenantStatus::Active => stats.0 += 1,
                TenantStatus::Blocked => stats.1 += 1,
                TenantStatus::Initializing => stats.2 += 1,
            }
            users.0 += t.users(Category::Zta);
            users.1 += t.users(Category::Pcs);
        }
        let tenants = m
            .tenants
            .iter()
            .skip(start)
            .take(limit)
            .map(|t| (t.clone(), t.status(now)))
            .collect();
        Ok(TenantList {
            total: m.tenants.len(),
            tenants,
            users,
            stats,
            cap: m.tenant_cap_limit,
        })
    }

    /// Creates a tenant: refused at the cap or when the sub-domain is taken (nothing changes).
    pub fn create_tenant(
        &mut self,
        username: &str,
        input: NewTenant,
        now: DateTime<Utc>,
    ) -> Res<NsaTenant> {
        self.settle(now);
        if self
            .msps
            .iter()
            .flat_map(|m| &m.tenants)
            .any(|t| t.sub_domain == input.sub_domain)
        {
            return Err(NsaFailure::new(
                FailKind::Conflict,
                "sub_domain_taken",
                format!("sub_domain '{}' is already in use", input.sub_domain),
            )
            .field("sub_domain"));
        }
        let provisioning = self.settings.provisioning_secs;
        let m = self.msp_mut(username)?;
        if m.tenants.len() >= m.tenant_cap_limit {
            return Err(NsaFailure::new(
                FailKind::Conflict,
                "tenant_cap_reached",
                format!(
                    "the MSP already has {} of {} tenants allowed by tenant_cap_limit; \
                     ask for more with POST /api/msp/tenants/requests/tenant-cap-limit",
                    m.tenants.len(),
                    m.tenant_cap_limit
                ),
            ));
        }
        let subscriptions = named(m, input.subscriptions);
        let t = NsaTenant {
            id: Uuid::new_v4(),
            sub_domain: input.sub_domain,
            user: input.user,
            name: input.name,
            created: Some(now),
            ready_at: (provisioning > 0).then(|| after(now, provisioning)),
            blocked: false,
            subscriptions,
        };
        m.tenants.push(t.clone());
        Ok(t)
    }

    fn tenant_index(m: &NsaMsp, id: Uuid) -> Res<usize> {
        m.tenants.iter().position(|t| t.id == id).ok_or_else(|| {
            NsaFailure::new(
                FailKind::NotFound,
                "not_found",
                format!("no tenant with id {id}"),
            )
            .field("tenant_id")
        })
    }

    /// Replaces a tenant's name and subscriptions.
    pub fn update_tenant(
        &mut self,
        username: &str,
        id: Uuid,
        name: String,
        subscriptions: Vec<Subscription>,
    ) -> Res<NsaTenant> {
        let m = self.msp_mut(username)?;
        let i = Self::tenant_index(m, id)?;
        let subscriptions = named(m, subscriptions);
        let t = &mut m.tenants[i];
        t.name = name;
        t.subscriptions = subscriptions;
        Ok(t.clone())
    }

    /// Blocks (`true`) or unblocks a tenant; refused while it is initializing.
    pub fn set_blocked(
        &mut self,
        username: &str,
        id: Uuid,
        blocked: bool,
        now: DateTime<Utc>,
    ) -> Res<NsaTenant> {
        let m = self.msp_mut(username)?;
        let i = Self::tenant_index(m, id)?;
        let t = &mut m.tenants[i];
        if t.status(now) == TenantStatus::Initializing {
            return Err(NsaFailure::new(
                FailKind::Conflict,
                "tenant_initializing",
                format!("tenant {id} is still initializing; try again once it is active"),
            ));
        }
        t.blocked = blocked;
        Ok(t.clone())
    }

    /// Deletes a tenant.
    pub fn delete_tenant(&mut self, username: &str, id: Uuid) -> Res<()> {
        let m = self.msp_mut(username)?;
        let i = Self::tenant_index(m, id)?;
        m.tenants.remove(i);
        Ok(())
    }

    /// Files a cap-increase request; answers its id.
    pub fn request_cap(
        &mut self,
        username: &str,
        requested_limit: usize,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Res<Uuid> {
        self.settle(now);
        let m = self.msp_mut(username)?;
        if requested_limit <= m.tenant_cap_limit {
            return Err(NsaFailure::new(
                FailKind::Invalid,
                "invalid_field",
                format!(
                    "requested_limit must be greater than the current tenant_cap_limit ({}), got {}",
                    m.tenant_cap_limit, requested_limit
                ),
            )
            .field("requested_limit"));
        }
        let id = Uuid::new_v4();
        m.cap_requests.push(CapRequest {
            id,
            requested_limit,
            reason,
            created: now,
            status: "pending".into(),
            decided: None,
        });
        Ok(id)
    }

    /// Every cap request with its MSP username (admin listing).
    pub fn cap_requests(&mut self, now: DateTime<Utc>) -> Vec<(String, CapRequest)> {
        self.settle(now);
        self.msps
            .iter()
            .flat_map(|m| {
                m.cap_requests
                    .iter()
                    .map(|r| (m.username.clone(), r.clone()))
            })
            .collect()
    }

    /// Approves (or rejects) a pending cap request; approval raises the MSP's cap.
    pub fn decide_cap_request(
        &mut self,
        id: Uuid,
        approve_it: bool,
        now: DateTime<Utc>,
    ) -> Res<(String, CapRequest, usize)> {
        self.settle(now);
        for m in &mut self.msps {
            if let Some(i) = m.cap_requests.iter().position(|r| r.id == id) {
                if m.cap_requests[i].status != "pending" {
                    return Err(NsaFailure::new(
                        FailKind::Conflict,
                        "conflict",
                        format!("cap request {id} is already {}", m.cap_requests[i].status),
                    ));
                }
                if approve_it {
                    approve(m, i, now);
                } else {
                    m.cap_requests[i].status = "rejected".into();
                    m.cap_requests[i].decided = Some(now);
                }
                return Ok((
                    m.username.clone(),
                    m.cap_requests[i].clone(),
                    m.tenant_cap_limit,
                ));
            }
        }
        Err(NsaFailure::new(
            FailKind::NotFound,
            "not_found",
            format!("no cap request with id {id}"),
        ))
    }

    /// Generates a usage report (a CSV snapshot of per-tenant entitlements).
    pub fn generate_report(&mut self, username: &str, now: DateTime<Utc>) -> Res<UsageReport> {
        let max = self.settings.max_reports.max(1);
        let m = self.msp_mut(username)?;
        let mut csv = String::from("tenant_id,tenant_name,sub_domain,status,zta_users,pcs_users\n");
        for t in &m.tenants {
            csv.push_str(&format!(
                "{},{},{},{},{},{}\n",
                t.id,
                csv_field(&t.name),
                t.sub_domain,
                t.status(now).as_str(),
                t.users(Category::Zta),
                t.users(Category::Pcs)
            ));
        }
        let r = UsageReport {
            id: Uuid::new_v4(),
            file_name: format!("usage_report_{}.csv", now.format("%Y-%m-%dT%H-%M-%S%.3fZ")),
            created: now,
            csv,
        };
        while m.reports.len() >= max {
            m.reports.remove(0);
        }
        m.reports.push(r.clone());
        Ok(r)
    }

    /// A page of reports, newest first, and the total.
    pub fn list_reports(
        &mut self,
        username: &str,
        start: usize,
        limit: usize,
    ) -> Res<(usize, Vec<UsageReport>)> {
        let m = self.msp_mut(username)?;
        let items = m
            .reports
            .iter()
            .rev()
            .skip(start)
            .take(limit)
            .cloned()
            .collect();
        Ok((m.reports.len(), items))
    }

    /// Deletes the named reports; the unknown ones come back in `failed`.
    pub fn delete_reports(&mut self, username: &str, ids: &[String]) -> Res<DeleteOutcome> {
        let m = self.msp_mut(username)?;
        let mut failed = Vec::new();
        for raw in ids {
            let pos = Uuid::try_parse(raw)
                .ok()
                .and_then(|id| m.reports.iter().position(|r| r.id == id));
            match pos {
                Some(i) => {
                    m.reports.remove(i);
                }
                None => failed.push((raw.clone(), String::new())),
            }
        }
        Ok(DeleteOutcome {
            asked: ids.len(),
            failed,
        })
    }

    /// Mints a download token for a report; answers (token, file name).
    pub fn download_token(
        &mut self,
        username: &str,
        report: Uuid,
        now: DateTime<Utc>,
    ) -> Res<(String, String)> {
        let ttl = self.settings.download_url_ttl_secs;
        let m = self.msp_mut(username)?;
        let r = m.reports.iter().find(|r| r.id == report).ok_or_else(|| {
            NsaFailure::new(
                FailKind::NotFound,
                "not_found",
                format!("no usage report with id {report}"),
            )
            .field("report_id")
        })?;
        let file = r.file_name.clone();
        self.downloads.0.retain(|_, d| now < d.expires);
        let token = new_secret();
        self.downloads.0.insert(
            token.clone(),
            Download {
                username: username.to_owned(),
                report,
                expires: after(now, ttl),
            },
        );
        Ok((token, file))
    }

    /// The CSV a download token points at, while it has not expired and the report exists.
    pub fn download(&self, report: Uuid, token: &str, now: DateTime<Utc>) -> Res<UsageReport> {
        let gone = || {
            NsaFailure::new(
                FailKind::NotFound,
                "not_found",
                "this download URL has expired or is not valid; ask for a new one",
            )
        };
        let d = self.downloads.0.get(token).ok_or_else(gone)?;
        if d.report != report || now >= d.expires {
            return Err(gone());
        }
        self.msps
            .iter()
            .find(|m| m.username == d.username)
            .and_then(|m| m.reports.iter().find(|r| r.id == report))
            .cloned()
            .ok_or_else(gone)
    }

    /// The stored schedule (the documented default until one is set).
    pub fn schedule(&mut self, username: &str) -> Res<Schedule> {
        Ok(self.msp_mut(username)?.schedule.clone().unwrap_or_default())
    }

    /// Stores the schedule.
    pub fn set_schedule(&mut self, username: &str, s: Schedule) -> Res<Schedule> {
        let m = self.msp_mut(username)?;
        m.schedule = Some(s.clone());
        Ok(s)
    }
}

fn approve(m: &mut NsaMsp, i: usize, when: DateTime<Utc>) {
    let r = &mut m.cap_requests[i];
    r.status = "approved".into();
    r.decided = Some(when);
    m.tenant_cap_limit = m.tenant_cap_limit.max(r.requested_limit);
}

/// Fills display names from the MSP's subscriptions (or the category).
fn named(m: &NsaMsp, subs: Vec<Subscription>) -> Vec<Subscription> {
    subs.into_iter()
        .map(|mut s| {
            let known = m
                .subscriptions
                .iter()
                .find(|k| k.id == s.id)
                .and_then(|k| k.display_name.clone());
            s.display_name =
                Some(known.unwrap_or_else(|| s.category.default_display_name().to_owned()));
            s
        })
        .collect()
}

/// Quotes a CSV field when it holds a separator, quote or line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn world() -> NsaWorld {
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

    fn input(sub: &str) -> NewTenant {
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
    fn sessions_idle_out_and_end() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut w = world();
        assert!(w.login("u", "x", "r", t0).is_err());
        let d = w.login("u", "p", "r", t0).unwrap();
        assert!(w.touch(Some(&d), t0 + Duration::seconds(599)).is_ok());
        // Kept busy, it still ends at 60 minutes.
        let mut t = t0;
        for _ in 0..11 {
            t += Duration::seconds(300);
            assert!(w.touch(Some(&d), t).is_ok());
        }
        assert!(w.touch(Some(&d), t0 + Duration::seconds(3600)).is_err());
        let d2 = w.login("u", "p", "r", t0).unwrap();
        assert!(w.touch(Some(&d2), t0 + Duration::seconds(600)).is_err());
        assert!(w.touch(Some(&d2), t0).is_err(), "a dead session stays dead");
    }

    #[test]
    fn cap_and_sub_domain_rules() {
        let now = Utc::now();
        let mut w = world();
        w.create_tenant("u", input("a"), now).unwrap();
        let e = w.create_tenant("u", input("b"), now).unwrap_err();
        assert_eq!(e.code, "tenant_cap_reached");
        let id = w.request_cap("u", 2, None, now).unwrap();
        w.decide_cap_request(id, true, now).unwrap();
        assert_eq!(
            w.create_tenant("u", input("a"), now).unwrap_err().code,
            "sub_domain_taken"
        );
        w.create_tenant("u", input("b"), now).unwrap();
        assert_eq!(w.msps[0].tenants.len(), 2);
    }

    #[test]
    fn huge_durations_mean_never_instead_of_overflowing() {
        let mut w = world();
        w.settings.session_idle_secs = u64::MAX;
        w.settings.session_max_secs = u64::MAX;
        w.settings.provisioning_secs = u64::MAX;
        let now = Utc::now();
        let d = w.login("u", "p", "r", now).unwrap();
        assert!(w.touch(Some(&d), now + Duration::days(365 * 100)).is_ok());
        let t = w.create_tenant("u", input("x"), now).unwrap();
        assert_eq!(
            t.status(now + Duration::days(365)),
            TenantStatus::Initializing
        );
    }

    #[test]
    fn csv_quotes_awkward_names() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
