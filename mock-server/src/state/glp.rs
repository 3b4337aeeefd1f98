//! GreenLake's state section: MSP workspaces, their tenants and devices, the audit trail, and
//! every rule about them (caps, name uniqueness, who may see which workspace, MSP-owned
//! inventory, the `msp-workspace-id` ownership check, list order).
//!
//! Pure and lock-free: [`super::Store`] runs these methods under its lock. Errors are
//! [`GlpError`], which names what went wrong in domain terms; each API view maps it to its own
//! wire shape.

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{Address, Device, InventoryOwnership, Msp, Secret, Tenant};
use super::ring;
use super::row::Filter;

/// Audit events kept per world; the oldest are dropped beyond this. As many as the request
/// journal keeps by default, which bounded the trail when it was derived from the journal.
pub const AUDIT_CAPACITY: usize = 10_000;

/// How many of the newest audit events a new one looks at for strings to share.
const AUDIT_LOOK_BACK: usize = 8;

/// A rule violation or missing resource, independent of any API's error shape.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GlpError {
    /// No workspace with that id exists.
    #[error("workspace {0} does not exist")]
    NotFound(Uuid),
    /// The workspace exists but is not a tenant of the calling MSP.
    #[error("workspace {tenant} is not a tenant of MSP workspace {msp}")]
    NotManaged {
        /// The tenant asked for.
        tenant: Uuid,
        /// The calling MSP.
        msp: Uuid,
    },
    /// The caller may not see that workspace (or it does not exist: the two look the same).
    #[error("workspace {0} not found")]
    Hidden(Uuid),
    /// Another tenant of the MSP already has that name.
    #[error("a tenant named {0:?} already exists in this MSP workspace")]
    NameTaken(String),
    /// The MSP already has as many tenants as its cap allows.
    #[error(
        "tenant limit reached: this MSP workspace already has {cap} tenants, the maximum allowed"
    )]
    CapReached {
        /// The cap in force.
        cap: usize,
    },
    /// The tenant still has devices.
    #[error("tenant {tenant} still has {count} device(s); remove them before deleting the tenant")]
    HasDevices {
        /// The tenant.
        tenant: Uuid,
        /// How many devices remain.
        count: usize,
    },
    /// The MSP workspace still has tenants.
    #[error("MSP workspace {msp} still has {count} tenant(s); delete them first")]
    HasTenants {
        /// The MSP.
        msp: Uuid,
        /// How many tenants remain.
        count: usize,
    },
    /// A workspace that is not a tenant (e.g. the MSP itself) was addressed as one.
    #[error("workspace {0} is an MSP workspace, not a tenant")]
    NotATenant(Uuid),
    /// A tenant token was used where only the MSP's token may act.
    #[error("a tenant access token cannot manage MSP tenants; use the MSP's token")]
    NeedsMspToken,
    /// `msp-workspace-id` names an MSP other than the caller's.
    #[error("msp-workspace-id is not the caller's MSP workspace")]
    ForeignMsp,
}

/// Whether a token acts as the MSP or inside one of its tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acting {
    /// The MSP's own token.
    Msp,
    /// A tenant token (exchanged from the MSP's).
    Tenant,
}

/// Who is calling a GreenLake route: the domain view of a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// MSP token or tenant token.
    pub acting: Acting,
    /// The workspace the token acts on (the MSP, or the tenant).
    pub workspace: Uuid,
    /// The MSP the token belongs to (the workspace itself for an MSP token).
    pub msp: Uuid,
    /// The API client id behind the token.
    pub client_id: String,
}

impl Principal {
    /// The MSP workspace of an MSP token; [`GlpError::NeedsMspToken`] for a tenant token.
    pub fn require_msp(&self) -> Result<Uuid, GlpError> {
        match self.acting {
            Acting::Msp => Ok(self.workspace),
            Acting::Tenant => Err(GlpError::NeedsMspToken),
        }
    }

    /// Checks a `msp-workspace-id` parameter: it must be the caller's own MSP workspace.
    pub fn require_own_msp(&self, asked: Uuid) -> Result<Uuid, GlpError> {
        let msp = self.require_msp()?;
        if asked == msp {
            Ok(msp)
        } else {
            Err(GlpError::ForeignMsp)
        }
    }
}

/// The validated fields of a tenant (or MSP workspace) create or update request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantInput {
    /// `workspaceName`.
    pub name: String,
    /// `description`.
    pub description: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `phoneNumber`.
    pub phone_number: Option<String>,
    /// `inventoryOwnership` (create default: MSP owned; update: unchanged when absent).
    pub inventory_ownership: Option<InventoryOwnership>,
    /// `address`.
    pub address: Option<Address>,
}

/// One page of a filtered list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// Offset of the first item.
    pub offset: usize,
    /// Number of matches in total.
    pub total: usize,
    /// The items of this page.
    pub items: Vec<T>,
}

/// A workspace borrowed from the section: an MSP or one of its tenants.
#[derive(Debug, Clone, Copy)]
pub enum WorkspaceRef<'a> {
    /// An MSP workspace.
    Msp(&'a Msp),
    /// A tenant, with the id of its MSP.
    Tenant(&'a Tenant, Uuid),
}

impl WorkspaceRef<'_> {
    /// The workspace id.
    pub fn id(&self) -> Uuid {
        match self {
            Self::Msp(m) => m.workspace_id,
            Self::Tenant(t, _) => t.id,
        }
    }

    fn name(&self) -> &str {
        match self {
            Self::Msp(m) => &m.name,
            Self::Tenant(t, _) => &t.name,
        }
    }

    fn created_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Msp(m) => m.created_at,
            Self::Tenant(t, _) => t.created_at,
        }
    }

    fn updated_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Msp(m) => m.created_at,
            Self::Tenant(t, _) => t.updated_at,
        }
    }

    fn device_count(&self) -> usize {
        match self {
            Self::Msp(_) => 0,
            Self::Tenant(t, _) => t.devices.len(),
        }
    }
}

/// What a workspace list may be ordered by (`sort=field:asc|desc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    /// `name`.
    Name,
    /// `created_at`.
    CreatedAt,
    /// `updated_at`.
    UpdatedAt,
    /// `device_count`.
    DeviceCount,
}

/// A workspace list order: one field, ascending or descending, ties broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    /// The field.
    pub field: SortField,
    /// Descending when true.
    pub desc: bool,
}

impl Order {
    /// The one ordering rule of every workspace list (tenants and the workspace list alike).
    pub fn compare(&self, a: &WorkspaceRef<'_>, b: &WorkspaceRef<'_>) -> Ordering {
        let o = match self.field {
            SortField::Name => a.name().cmp(b.name()),
            SortField::CreatedAt => a.created_at().cmp(&b.created_at()),
            SortField::UpdatedAt => a.updated_at().cmp(&b.updated_at()),
            SortField::DeviceCount => a.device_count().cmp(&b.device_count()),
        };
        let o = if self.desc { o.reverse() } else { o };
        o.then_with(|| a.id().cmp(&b.id()))
    }
}

/// What the token endpoint needs to know about a client credential.
#[derive(Debug, Clone)]
pub struct ClientRecord {
    /// The MSP workspace the credential belongs to.
    pub workspace_id: Uuid,
    /// The secret to compare with.
    pub client_secret: Secret,
}

/// A device as one caller sees it, borrowed from the section.
#[derive(Debug, Clone, Copy)]
pub struct DeviceView<'a> {
    /// The device.
    pub device: &'a Device,
    /// The tenant workspace holding it (its `created_at` is when the device joined).
    pub tenant: &'a Tenant,
    /// Whether an MSP token sees it, as allocated to that tenant.
    pub allocated: bool,
}

/// What an audited write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// An access token was issued (client credentials or exchange).
    TokenIssued,
    /// A tenant was created.
    TenantCreated,
    /// A tenant was updated.
    TenantUpdated,
    /// A tenant was deleted.
    TenantDeleted,
    /// An MSP workspace's details were updated.
    WorkspaceUpdated,
    /// An MSP workspace was deleted.
    WorkspaceDeleted,
}

/// One audited write, appended by the mutation that made it (112 bytes; the trail holds up to
/// [`AUDIT_CAPACITY`], and its strings are shared with the events just before it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Entry id.
    pub id: Uuid,
    /// When it happened (mock clock).
    pub at: DateTime<Utc>,
    /// What happened.
    pub action: AuditAction,
    /// The API client that did it.
    pub client_id: Arc<str>,
    /// The MSP that client belongs to.
    pub actor_msp: Option<Uuid>,
    /// The workspace it happened to, with its name then, and the MSP owning it.
    pub subject: Option<AuditSubject>,
}

/// The workspace an audit event is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditSubject {
    /// Workspace id.
    pub id: Uuid,
    /// Its name when the event happened.
    pub name: Arc<str>,
    /// The MSP owning it (itself for an MSP workspace).
    pub msp: Uuid,
}

/// An audit-log entry as one caller sees it.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Stable id.
    pub id: Uuid,
    /// Category (`Authentication`, `Customer Management`, ...).
    pub category: &'static str,
    /// Description.
    pub description: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (API client id, or `system`).
    pub user: String,
    /// The workspace it happened in, and its name.
    pub workspace: (Uuid, String),
    /// The audited write it shows; `None` for device entries, which have no detail
    /// (`hasDetails` false, and the detail answers 404).
    pub event: Option<AuditEvent>,
}

impl AuditEntry {
    /// Whether `GET /audit-log/v1/logs/{id}/detail` has anything to show.
    pub fn has_details(&self) -> bool {
        self.event.is_some()
    }

    /// What the detail lists, name to value (empty without [`AuditEntry::event`]). Built
    /// here, not by [`GlpWorld::audit_for`], so listing the trail pays nothing for it.
    pub fn details(&self) -> Vec<(&'static str, String)> {
        self.event.as_ref().map(details).unwrap_or_default()
    }
}

static NEXT_VERSION: AtomicU64 = AtomicU64::new(1);

/// A version no tenant has had yet (process-wide, so caches keyed on it never see a stale
/// entry, whichever world or server the tenant belongs to).
pub(crate) fn next_version() -> u64 {
    NEXT_VERSION.fetch_add(1, AtomicOrdering::Relaxed)
}

/// Tenant names are unique per MSP, compared case-insensitively (Unicode lowercase, as
/// `str::to_lowercase` would, but without allocating: this runs for every tenant of the MSP
/// on every create and update, under the write lock).
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b)
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

/// The GreenLake section of the world.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GlpWorld {
    /// The MSP workspaces, in fixture order, each with its tenants.
    pub msps: Vec<Msp>,
    /// Audited writes, oldest first (at most [`AUDIT_CAPACITY`]; the oldest go first).
    pub audit: VecDeque<AuditEvent>,
    /// The cap for MSPs without their own `tenant_cap` (a server setting, not state).
    pub(crate) default_cap: usize,
}

impl GlpWorld {
    /// The credential record of `client_id`, if any.
    pub fn client(&self, client_id: &str) -> Option<ClientRecord> {
        self.msps
            .iter()
            .find(|m| m.client_id == client_id)
            .map(|m| ClientRecord {
                workspace_id: m.workspace_id,
                client_secret: m.client_secret.clone(),
            })
    }

    /// Whether an MSP workspace with that id exists.
    pub fn msp_exists(&self, msp: Uuid) -> bool {
        self.msps.iter().any(|m| m.workspace_id == msp)
    }

    /// The MSP owning tenant `tenant`, if the tenant exists.
    pub fn owner_of(&self, tenant: Uuid) -> Option<Uuid> {
        self.msps.iter().find_map(|m| {
            m.tenants
                .iter()
                .any(|t| t.id == tenant)
                .then_some(m.workspace_id)
        })
    }

    /// Whether the workspace a principal acts on still exists (under the MSP it names).
    pub fn principal_exists(&self, p: &Principal) -> bool {
        match p.acting {
            Acting::Msp => self.msp_exists(p.workspace),
            Acting::Tenant => self.owner_of(p.workspace) == Some(p.msp),
        }
    }

    /// The tenant cap in force for `msp`.
    pub fn cap_of(&self, msp: &Msp) -> usize {
        msp.tenant_cap.unwrap_or(self.default_cap)
    }

    fn find_msp(&self, msp: Uuid) -> Result<&Msp, GlpError> {
        self.msps
            .iter()
            .find(|m| m.workspace_id == msp)
            .ok_or(GlpError::NotFound(msp))
    }

    fn find_workspace(&self, id: Uuid) -> Option<WorkspaceRef<'_>> {
        for m in &self.msps {
            if m.workspace_id == id {
                return Some(WorkspaceRef::Msp(m));
            }
            if let Some(t) = m.tenants.iter().find(|t| t.id == id) {
                return Some(WorkspaceRef::Tenant(t, m.workspace_id));
            }
        }
        None
    }

    /// The one visibility rule: a token sees its own workspace, and an MSP token also sees
    /// its tenants.
    pub fn may_see(&self, p: &Principal, id: Uuid) -> bool {
        p.workspace == id || p.acting == Acting::Msp && self.owner_of(id) == Some(p.workspace)
    }

    /// Workspace `id` if `p` may see it; [`GlpError::Hidden`] otherwise (so the ids of other
    /// MSPs' workspaces cannot be probed).
    pub fn workspace_for(&self, p: &Principal, id: Uuid) -> Result<WorkspaceRef<'_>, GlpError> {
        if self.may_see(p, id)
            && let Some(w) = self.find_workspace(id)
        {
            return Ok(w);
        }
        Err(GlpError::Hidden(id))
    }

    /// The tenants of MSP `msp`, in creation order (none for an unknown MSP).
    pub fn tenants(&self, msp: Uuid) -> &[Tenant] {
        self.find_msp(msp).map_or(&[], |m| &m.tenants)
    }

    /// MSP `msp`'s tenants by name, ignoring case (ties by id): the order Central lists them in.
    pub fn tenants_by_name(&self, msp: Uuid) -> Vec<&Tenant> {
        let mut out: Vec<&Tenant> = self.tenants(msp).iter().collect();
        out.sort_by_cached_key(|t| (t.name.to_lowercase(), t.id));
        out
    }

    /// How many tenants MSP `msp` has (0 for an unknown MSP).
    pub fn tenant_count(&self, msp: Uuid) -> usize {
        self.find_msp(msp).map_or(0, |m| m.tenants.len())
    }

    /// Every workspace `p` sees, in store order: an MSP token its MSP and the MSP's tenants,
    /// a tenant token its tenant.
    pub fn workspaces_visible_to<'a>(
        &'a self,
        p: &'a Principal,
    ) -> impl Iterator<Item = WorkspaceRef<'a>> + 'a {
        self.msps.iter().flat_map(move |m| {
            let msp_visible = p.acting == Acting::Msp && m.workspace_id == p.workspace;
            msp_visible
                .then_some(WorkspaceRef::Msp(m))
                .into_iter()
                .chain(
                    m.tenants
                        .iter()
                        .filter(move |t| msp_visible || t.id == p.workspace)
                        .map(move |t| WorkspaceRef::Tenant(t, m.workspace_id)),
                )
        })
    }

    /// A page of `msp`'s tenants matching `filter`, in creation order or in `order`, borrowed.
    ///
    /// Without a filter or order the page is a slice of the tenant list, so its cost is the
    /// page's, not the MSP's tenant count; with a filter every tenant is tested once; with an
    /// order every match is sorted.
    pub fn tenant_page(
        &self,
        msp: Uuid,
        filter: Option<&Filter>,
        order: Option<Order>,
        offset: usize,
        limit: usize,
    ) -> Result<Page<&Tenant>, GlpError> {
        let m = self.find_msp(msp)?;
        if let Some(order) = order {
            let mut all: Vec<&Tenant> = m
                .tenants
                .iter()
                .filter(|t| filter.is_none_or(|f| f.matches(t)))
                .collect();
            all.sort_by(|a, b| {
                order.compare(&WorkspaceRef::Tenant(a, msp), &WorkspaceRef::Tenant(b, msp))
            });
            let total = all.len();
            let items = all.into_iter().skip(offset).take(limit).collect();
            return Ok(Page {
                offset,
                total,
                items,
            });
        }
        Ok(match filter {
            None => {
                let start = offset.min(m.tenants.len());
                let end = start.saturating_add(limit).min(m.tenants.len());
                Page {
                    offset,
                    total: m.tenants.len(),
                    items: m.tenants[start..end].iter().collect(),
                }
            }
            Some(filter) => {
                let mut total = 0;
                let mut items = Vec::with_capacity(limit.min(1024));
                for t in m.tenants.iter().filter(|t| filter.matches(t)) {
                    if total >= offset && items.len() < limit {
                        items.push(t);
                    }
                    total += 1;
                }
                Page {
                    offset,
                    total,
                    items,
                }
            }
        })
    }

    /// Tenant `tenant` of `msp`.
    pub fn tenant(&self, msp: Uuid, tenant: Uuid) -> Result<&Tenant, GlpError> {
        let (mi, ti) = self.locate(msp, tenant)?;
        Ok(&self.msps[mi].tenants[ti])
    }

    /// The devices `p`'s workspace holds, in store order: an MSP token sees the MSP-owned
    /// inventory of its tenants (each device allocated to its tenant), a tenant token that
    /// tenant's devices.
    pub fn devices_visible_to<'a>(&'a self, p: &Principal) -> Vec<DeviceView<'a>> {
        let sees = |m: &Msp, t: &Tenant| match p.acting {
            Acting::Tenant => t.id == p.workspace,
            Acting::Msp => {
                m.workspace_id == p.workspace
                    && t.inventory_ownership == InventoryOwnership::MspOwnedInventory
            }
        };
        let tenants = || {
            self.msps
                .iter()
                .flat_map(move |m| m.tenants.iter().filter(move |t| sees(m, t)))
        };
        // Sized once: a million-device world would otherwise grow it through ~20 reallocations.
        let mut out = Vec::with_capacity(tenants().map(|t| t.devices.len()).sum());
        for t in tenants() {
            out.extend(t.devices.iter().map(|device| DeviceView {
                device,
                tenant: t,
                allocated: p.acting == Acting::Msp,
            }));
        }
        out
    }

    /// The audit trail `p` sees, newest first: one `Device Management` entry per device its
    /// workspace holds, plus the audited writes that concern it. An MSP token sees the writes
    /// its API client made and those about its own workspaces; a tenant token the writes about
    /// its tenant.
    pub fn audit_for(&self, p: &Principal) -> Vec<AuditEntry> {
        let me = p.workspace;
        let my_name = self
            .find_workspace(me)
            .map(|w| w.name().to_owned())
            .unwrap_or_default();
        let mut out = Vec::new();
        let mut devices = self.devices_visible_to(p);
        devices.sort_unstable_by(|a, b| {
            (a.device.serial_number.as_str(), a.device.id, a.tenant.id).cmp(&(
                b.device.serial_number.as_str(),
                b.device.id,
                b.tenant.id,
            ))
        });
        for v in devices {
            out.push(AuditEntry {
                id: stable_id(&["device", &v.device.id.to_string(), &me.to_string()]),
                category: "Device Management",
                description: format!(
                    "Device {} ({}) added to workspace {}",
                    v.device.serial_number, v.device.model, v.tenant.name
                ),
                at: v.tenant.created_at.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
                user: "system".into(),
                workspace: (v.tenant.id, v.tenant.name.clone()),
                event: None,
            });
        }
        for e in &self.audit {
            let visible = match p.acting {
                Acting::Msp => {
                    e.actor_msp == Some(me) || e.subject.as_ref().is_some_and(|s| s.msp == me)
                }
                Acting::Tenant => e.subject.as_ref().is_some_and(|s| s.id == me),
            };
            if !visible {
                continue;
            }
            let (category, description) = describe(e);
            let workspace = match (&e.subject, p.acting) {
                (Some(s), Acting::Msp) if s.id != me => (s.id, s.name.to_string()),
                _ => (me, my_name.clone()),
            };
            out.push(AuditEntry {
                id: e.id,
                category,
                description,
                at: e.at,
                user: e.client_id.to_string(),
                workspace,
                event: Some(e.clone()),
            });
        }
        // Newest first; equal times keep the later write first.
        out.reverse();
        out.sort_by_key(|e| std::cmp::Reverse(e.at));
        out
    }

    fn subject(&self, id: Uuid) -> Option<AuditSubject> {
        self.find_workspace(id).map(|w| AuditSubject {
            id,
            name: self.subject_name(w.name()),
            msp: match w {
                WorkspaceRef::Msp(m) => m.workspace_id,
                WorkspaceRef::Tenant(_, msp) => msp,
            },
        })
    }

    fn audit(
        &mut self,
        action: AuditAction,
        client_id: &str,
        subject: Option<AuditSubject>,
        now: DateTime<Utc>,
    ) {
        let actor_msp = self.client(client_id).map(|c| c.workspace_id);
        let client_id = ring::shared(&self.audit, AUDIT_LOOK_BACK, client_id, |e| {
            Some(&e.client_id)
        });
        let event = AuditEvent {
            id: Uuid::new_v4(),
            at: now,
            action,
            client_id,
            actor_msp,
            subject,
        };
        ring::push_bounded(&mut self.audit, AUDIT_CAPACITY, event);
    }

    /// `name` shared with a recent event's subject: a write loop's events name the same
    /// workspaces, so the trail keeps few copies of each name.
    fn subject_name(&self, name: &str) -> Arc<str> {
        ring::shared(&self.audit, AUDIT_LOOK_BACK, name, |e| {
            e.subject.as_ref().map(|s| &s.name)
        })
    }

    /// Records that `client_id` was issued an access token for `workspace`.
    pub fn record_token(&mut self, client_id: &str, workspace: Uuid, now: DateTime<Utc>) {
        let subject = self.subject(workspace);
        self.audit(AuditAction::TokenIssued, client_id, subject, now);
    }

    /// Creates a tenant of `p`'s MSP: refused when the name is taken or the cap is reached.
    pub fn create_tenant(
        &mut self,
        p: &Principal,
        input: TenantInput,
        now: DateTime<Utc>,
    ) -> Result<Tenant, GlpError> {
        let msp = p.require_msp()?;
        let default_cap = self.default_cap;
        let m = self
            .msps
            .iter_mut()
            .find(|m| m.workspace_id == msp)
            .ok_or(GlpError::NotFound(msp))?;
        if m.tenants.iter().any(|t| same_name(&t.name, &input.name)) {
            return Err(GlpError::NameTaken(input.name));
        }
        let cap = m.tenant_cap.unwrap_or(default_cap);
        if m.tenants.len() >= cap {
            return Err(GlpError::CapReached { cap });
        }
        let tenant = Tenant {
            id: Uuid::new_v4(),
            name: input.name,
            description: input.description,
            email: input.email,
            phone_number: input.phone_number,
            inventory_ownership: input.inventory_ownership.unwrap_or_default(),
            address: input.address,
            created_at: Some(now),
            updated_at: Some(now),
            created_by: Some(m.email.clone()),
            generation: 0,
            devices: Arc::default(),
            version: next_version(),
        };
        // Keep the spec's list order (creation time, ties by id) without re-sorting: the clock
        // may stand still between creates, and an imported world may hold later timestamps.
        let key = (tenant.created_at, tenant.id);
        let at = m.tenants.partition_point(|t| (t.created_at, t.id) <= key);
        m.tenants.insert(at, tenant.clone());
        tracing::info!(msp = %msp, tenant = %tenant.id, name = %tenant.name, "tenant created");
        let subject = tenant_subject(self, &tenant, msp);
        self.audit(AuditAction::TenantCreated, &p.client_id, Some(subject), now);
        Ok(tenant)
    }

    /// Replaces the editable fields of tenant `tenant` of `p`'s MSP.
    pub fn update_tenant(
        &mut self,
        p: &Principal,
        tenant: Uuid,
        input: TenantInput,
        now: DateTime<Utc>,
    ) -> Result<Tenant, GlpError> {
        let msp = p.require_msp()?;
        let (mi, ti) = self.locate(msp, tenant)?;
        let m = &mut self.msps[mi];
        if m.tenants
            .iter()
            .any(|t| t.id != tenant && same_name(&t.name, &input.name))
        {
            return Err(GlpError::NameTaken(input.name));
        }
        let t = &mut m.tenants[ti];
        t.name = input.name;
        t.description = input.description;
        t.email = input.email;
        t.phone_number = input.phone_number;
        if let Some(o) = input.inventory_ownership {
            t.inventory_ownership = o;
        }
        if input.address.is_some() {
            t.address = input.address;
        }
        t.updated_at = Some(now);
        t.generation += 1;
        t.version = next_version();
        let updated = t.clone();
        let subject = tenant_subject(self, &updated, msp);
        self.audit(AuditAction::TenantUpdated, &p.client_id, Some(subject), now);
        Ok(updated)
    }

    /// Replaces the editable details of MSP workspace `msp` (name, contact).
    fn update_msp(
        &mut self,
        p: &Principal,
        msp: Uuid,
        input: TenantInput,
        now: DateTime<Utc>,
    ) -> Result<(), GlpError> {
        let m = self
            .msps
            .iter_mut()
            .find(|m| m.workspace_id == msp)
            .ok_or(GlpError::NotFound(msp))?;
        m.name = input.name;
        if let Some(email) = input.email {
            m.email = email;
        }
        m.phone_number = input.phone_number;
        m.address = input.address;
        let subject = self.subject(msp);
        self.audit(AuditAction::WorkspaceUpdated, &p.client_id, subject, now);
        Ok(())
    }

    /// Updates workspace `id` as `p` (the document view's `PUT /workspaces/{id}`): the MSP's
    /// own details, or one of its tenants.
    pub fn update_workspace(
        &mut self,
        p: &Principal,
        id: Uuid,
        input: TenantInput,
        now: DateTime<Utc>,
    ) -> Result<(), GlpError> {
        match self.workspace_for(p, id)? {
            WorkspaceRef::Msp(_) => self.update_msp(p, id, input, now)?,
            WorkspaceRef::Tenant(_, msp) => {
                let owner = Principal {
                    acting: Acting::Msp,
                    workspace: msp,
                    msp,
                    client_id: p.client_id.clone(),
                };
                self.update_tenant(&owner, id, input, now)?;
            }
        }
        Ok(())
    }

    /// Deletes workspace `id` as `p` (the document view's `DELETE /workspaces/{id}`): an MSP
    /// workspace (refused while it has tenants) or one of its tenants.
    pub fn delete_workspace(
        &mut self,
        p: &Principal,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), GlpError> {
        match self.workspace_for(p, id)? {
            WorkspaceRef::Msp(_) => self.delete_msp(p, id, now),
            WorkspaceRef::Tenant(_, msp) => self.remove_tenant(p, msp, id, now),
        }
    }

    fn delete_msp(&mut self, p: &Principal, msp: Uuid, now: DateTime<Utc>) -> Result<(), GlpError> {
        let i = self
            .msps
            .iter()
            .position(|m| m.workspace_id == msp)
            .ok_or(GlpError::NotFound(msp))?;
        let count = self.msps[i].tenants.len();
        if count > 0 {
            return Err(GlpError::HasTenants { msp, count });
        }
        let subject = self.subject(msp);
        self.audit(AuditAction::WorkspaceDeleted, &p.client_id, subject, now);
        self.msps.remove(i);
        Ok(())
    }

    /// Deletes tenant `tenant` of `p`'s MSP: refused while it has devices.
    pub fn delete_tenant(
        &mut self,
        p: &Principal,
        tenant: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), GlpError> {
        let msp = p.require_msp()?;
        self.remove_tenant(p, msp, tenant, now)
    }

    fn remove_tenant(
        &mut self,
        p: &Principal,
        msp: Uuid,
        tenant: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), GlpError> {
        let (mi, ti) = self.locate(msp, tenant)?;
        let count = self.msps[mi].tenants[ti].devices.len();
        if count > 0 {
            return Err(GlpError::HasDevices { tenant, count });
        }
        let subject = tenant_subject(self, &self.msps[mi].tenants[ti], msp);
        self.audit(AuditAction::TenantDeleted, &p.client_id, Some(subject), now);
        self.msps[mi].tenants.remove(ti);
        tracing::info!(msp = %msp, tenant = %tenant, "tenant deleted");
        Ok(())
    }

    /// Indexes of (MSP, tenant), distinguishing "no such workspace" from "not yours".
    fn locate(&self, msp: Uuid, tenant: Uuid) -> Result<(usize, usize), GlpError> {
        let mut found_elsewhere = false;
        for (mi, m) in self.msps.iter().enumerate() {
            if m.workspace_id == tenant {
                return Err(GlpError::NotATenant(tenant));
            }
            if let Some(ti) = m.tenants.iter().position(|t| t.id == tenant) {
                if m.workspace_id == msp {
                    return Ok((mi, ti));
                }
                found_elsewhere = true;
            }
        }
        if found_elsewhere {
            Err(GlpError::NotManaged { tenant, msp })
        } else {
            Err(GlpError::NotFound(tenant))
        }
    }

    /// Fills in timestamps missing from a fixture or an imported state with `now`.
    pub fn fill_defaults(&mut self, now: DateTime<Utc>) {
        for msp in &mut self.msps {
            msp.created_at.get_or_insert(now);
            for t in &mut msp.tenants {
                let created = *t.created_at.get_or_insert(now);
                t.updated_at.get_or_insert(created);
            }
            // Lists are in the spec's order: creation time, ties broken by id.
            msp.tenants.sort_by_key(|t| (t.created_at, t.id));
        }
    }

    /// Checks the invariants a fixture or an imported state must satisfy: unique MSP workspace
    /// ids and client ids, globally unique tenant ids, tenant names unique per MSP.
    pub fn check(&self) -> Result<(), String> {
        check_msps(&self.msps)
    }
}

/// [`GlpWorld::check`], on the MSP list.
fn check_msps(msps: &[Msp]) -> Result<(), String> {
    let mut ids = std::collections::HashSet::new();
    let mut clients = std::collections::HashSet::new();
    for msp in msps {
        if !ids.insert(msp.workspace_id) {
            return Err(format!("workspace id {} appears twice", msp.workspace_id));
        }
        if !clients.insert(msp.client_id.as_str()) {
            return Err(format!("client_id {} appears twice", msp.client_id));
        }
        if msp.client_id.is_empty() || msp.client_secret.expose().is_empty() {
            return Err(format!(
                "MSP {} needs a client_id and client_secret",
                msp.name
            ));
        }
    }
    for msp in msps {
        let mut names = std::collections::HashSet::new();
        for t in &msp.tenants {
            if !ids.insert(t.id) {
                return Err(format!("workspace id {} appears twice", t.id));
            }
            // The rule of `same_name`, hashed: equal Unicode lowercase forms.
            if !names.insert(t.name.to_lowercase()) {
                return Err(format!(
                    "tenant name {:?} appears twice in MSP {}",
                    t.name, msp.name
                ));
            }
        }
    }
    Ok(())
}

/// The audit subject of tenant `t` of MSP `msp` (no lookup: the mutation holds the tenant).
fn tenant_subject(w: &GlpWorld, t: &Tenant, msp: Uuid) -> AuditSubject {
    AuditSubject {
        id: t.id,
        name: w.subject_name(&t.name),
        msp,
    }
}

fn stable_id(parts: &[&str]) -> Uuid {
    let mut a = DefaultHasher::new();
    let mut b = DefaultHasher::new();
    "audit-a".hash(&mut a);
    "audit-b".hash(&mut b);
    for p in parts {
        p.hash(&mut a);
        p.hash(&mut b);
    }
    Uuid::from_u64_pair(a.finish(), b.finish())
}

/// The detail lines of an audited write: what was done, by which API client, to which
/// workspace.
fn details(e: &AuditEvent) -> Vec<(&'static str, String)> {
    let action = match e.action {
        AuditAction::TokenIssued => "TOKEN_ISSUED",
        AuditAction::TenantCreated => "TENANT_CREATED",
        AuditAction::TenantUpdated => "TENANT_UPDATED",
        AuditAction::TenantDeleted => "TENANT_DELETED",
        AuditAction::WorkspaceUpdated => "WORKSPACE_UPDATED",
        AuditAction::WorkspaceDeleted => "WORKSPACE_DELETED",
    };
    let mut out = vec![
        ("action", action.to_owned()),
        ("apiClient", e.client_id.to_string()),
    ];
    if let Some(s) = &e.subject {
        out.push(("workspaceId", s.id.to_string()));
        out.push(("workspaceName", s.name.to_string()));
        if s.msp != s.id {
            out.push(("mspWorkspaceId", s.msp.to_string()));
        }
    }
    out
}

/// `(category, description)` of an audited write.
fn describe(e: &AuditEvent) -> (&'static str, String) {
    let who = &e.client_id;
    let target = e.subject.as_ref().map(|s| format!("{} ({})", s.name, s.id));
    let tenant = |verb: &str| match &target {
        Some(t) => format!("Tenant workspace {t} {verb} by API client {who}"),
        None => format!("Tenant workspace {verb} by API client {who}"),
    };
    let workspace = |verb: &str| match &target {
        Some(t) => format!("Workspace {t} {verb} by API client {who}"),
        None => format!("Workspace {verb} by API client {who}"),
    };
    match e.action {
        AuditAction::TokenIssued => (
            "Authentication",
            match &target {
                Some(t) => format!("Access token for workspace {t} issued to {who}"),
                None => format!("Access token issued to API client {who}"),
            },
        ),
        AuditAction::TenantCreated => ("Customer Management", tenant("created")),
        AuditAction::TenantUpdated => ("Customer Management", tenant("updated")),
        AuditAction::TenantDeleted => ("Customer Management", tenant("deleted")),
        AuditAction::WorkspaceUpdated => ("Workspace Management", workspace("updated")),
        AuditAction::WorkspaceDeleted => ("Workspace Management", workspace("deleted")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> (GlpWorld, Principal) {
        let msp = Uuid::new_v4();
        let w = GlpWorld {
            msps: vec![Msp {
                workspace_id: msp,
                name: "M".into(),
                client_id: "c".into(),
                client_secret: Secret("s".into()),
                email: "a@b.c".into(),
                tenant_cap: Some(2),
                created_at: None,
                address: None,
                phone_number: None,
                tenants: vec![],
            }],
            audit: VecDeque::new(),
            default_cap: 1000,
        };
        let p = Principal {
            acting: Acting::Msp,
            workspace: msp,
            msp,
            client_id: "c".into(),
        };
        (w, p)
    }

    fn input(name: &str) -> TenantInput {
        TenantInput {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn case_insensitive_names_including_non_ascii() {
        assert!(same_name("Acme Retail", "ACME retail"));
        assert!(same_name("Émile Café", "émile CAFÉ"));
        assert!(!same_name("Acme", "Acme Retail"));
        assert!(!same_name("Acme", "Acmé"));
    }

    #[test]
    fn cap_and_uniqueness_are_enforced() {
        let (mut w, p) = world();
        let now = Utc::now();
        w.create_tenant(&p, input("a"), now).unwrap();
        assert_eq!(
            w.create_tenant(&p, input("A"), now),
            Err(GlpError::NameTaken("A".into()))
        );
        w.create_tenant(&p, input("b"), now).unwrap();
        assert_eq!(
            w.create_tenant(&p, input("c"), now),
            Err(GlpError::CapReached { cap: 2 })
        );
        assert_eq!(w.msps[0].tenants.len(), 2);
        // Only the two successful creates are audited.
        assert_eq!(w.audit.len(), 2);
    }

    #[test]
    fn delete_refused_with_devices() {
        let (mut w, p) = world();
        let t = w.create_tenant(&p, input("a"), Utc::now()).unwrap();
        Arc::make_mut(&mut w.msps[0].tenants[0].devices).push(Device {
            id: Uuid::new_v4(),
            serial_number: "SN1".into(),
            mac_address: String::new(),
            model: String::new(),
            name: String::new(),
            status: "ONLINE".into(),
            tags: Default::default(),
        });
        assert!(matches!(
            w.delete_tenant(&p, t.id, Utc::now()),
            Err(GlpError::HasDevices { count: 1, .. })
        ));
    }

    #[test]
    fn the_audit_trail_is_bounded_and_drops_the_oldest() {
        let (mut w, p) = world();
        let t0 = Utc::now();
        for i in 0..AUDIT_CAPACITY + 5 {
            w.record_token("c", p.msp, t0 + chrono::Duration::seconds(i as i64));
        }
        assert_eq!(w.audit.len(), AUDIT_CAPACITY);
        assert_eq!(
            w.audit.capacity(),
            AUDIT_CAPACITY,
            "not the next power of two"
        );
        assert_eq!(
            w.audit.front().map(|e| e.at),
            Some(t0 + chrono::Duration::seconds(5))
        );
        // One client, one workspace: every event shares the same two strings.
        let (first, last) = (&w.audit[0], &w.audit[AUDIT_CAPACITY - 1]);
        assert!(Arc::ptr_eq(&first.client_id, &last.client_id));
        let name = |e: &AuditEvent| e.subject.as_ref().map(|s| Arc::clone(&s.name));
        assert!(Arc::ptr_eq(&name(first).unwrap(), &name(last).unwrap()));
    }

    #[test]
    fn every_update_takes_a_new_version() {
        let (mut w, p) = world();
        let t = w.create_tenant(&p, input("a"), Utc::now()).unwrap();
        let u = w.update_tenant(&p, t.id, input("b"), Utc::now()).unwrap();
        assert_ne!(t.version, u.version);
        assert_eq!(w.msps[0].tenants[0].version, u.version);
    }

    #[test]
    fn tenant_tokens_see_only_their_tenant() {
        let (mut w, p) = world();
        let a = w.create_tenant(&p, input("a"), Utc::now()).unwrap();
        let b = w.create_tenant(&p, input("b"), Utc::now()).unwrap();
        let ta = Principal {
            acting: Acting::Tenant,
            workspace: a.id,
            msp: p.msp,
            client_id: "c".into(),
        };
        assert!(w.may_see(&p, a.id) && w.may_see(&p, b.id));
        assert!(w.may_see(&ta, a.id) && !w.may_see(&ta, b.id) && !w.may_see(&ta, p.msp));
        assert_eq!(w.workspaces_visible_to(&ta).count(), 1);
        assert_eq!(w.workspaces_visible_to(&p).count(), 3);
        assert_eq!(ta.require_msp(), Err(GlpError::NeedsMspToken));
        assert_eq!(p.require_own_msp(Uuid::nil()), Err(GlpError::ForeignMsp));
        // The tenant sees the write about it, not the one about its sibling.
        let trail = w.audit_for(&ta);
        assert_eq!(trail.len(), 1);
        assert!(trail[0].description.contains(&a.id.to_string()));
    }
}
