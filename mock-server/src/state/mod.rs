//! The domain store and its invariants: tenant caps, name uniqueness per MSP, ownership and the
//! "no delete while devices remain" rule.
//!
//! Every API view (the vendor `/workspaces/v1` routes, the `/workspace-management/v1` routes, the
//! admin API) goes through [`Store`], so they all share one state and one set of rules. Each
//! rule is checked and applied under a single `parking_lot` lock, never held across `.await`,
//! so concurrent requests cannot break a cap or uniqueness.

pub mod model;
pub mod nsa;
pub mod row;

/// The path the benches import the tenant filter by (see [`crate::odata`]).
#[doc(hidden)]
pub mod filter {
    pub use crate::odata::parse;
    /// The vendor list's filter fields, as [`parse`] takes them.
    pub static CAMEL_FIELDS: &crate::odata::Fields<super::row::WorkspaceKey> =
        &crate::glp::workspaces::CAMEL_FIELDS;
}

use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::RwLock;
use uuid::Uuid;

pub use model::{Address, Device, InventoryOwnership, Msp, Rendered, Secret, Tenant, World};

use row::Filter;

/// A rule violation or missing resource, independent of any API's error shape.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
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
}

/// The validated fields of a tenant create or update request.
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

/// One page of a filtered tenant list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// Offset of the first item.
    pub offset: usize,
    /// Number of matches in total.
    pub total: usize,
    /// The items of this page.
    pub items: Vec<T>,
}

/// What kind of workspace an id names.
#[derive(Debug, Clone)]
pub enum Workspace {
    /// An MSP workspace (a copy without its tenants).
    Msp(Box<Msp>),
    /// A tenant, with the id of its MSP.
    Tenant {
        /// The tenant.
        tenant: Box<Tenant>,
        /// Its MSP.
        msp: Uuid,
    },
}

/// What the token endpoint needs to know about a client credential.
#[derive(Debug, Clone)]
pub struct ClientRecord {
    /// The MSP workspace the credential belongs to.
    pub workspace_id: Uuid,
    /// The secret to compare with.
    pub client_secret: Secret,
}

/// The shared world, behind one lock.
#[derive(Debug)]
pub struct Store {
    world: RwLock<World>,
    /// The snapshot [`Store::reset`] returns to. It shares every tenant's device list with the
    /// live world (`Arc`), so keeping it costs the tenants' own fields, not their devices.
    initial: RwLock<World>,
    default_cap: usize,
}

impl Store {
    /// A store holding `world`; [`Store::reset`] returns to it. `default_cap` applies to MSPs
    /// without their own `tenant_cap`.
    pub fn new(world: World, default_cap: usize) -> Self {
        Self {
            initial: RwLock::new(world.clone()),
            world: RwLock::new(world),
            default_cap,
        }
    }

    /// Back to the world the store was created with.
    pub fn reset(&self) {
        let initial = self.initial.read().clone();
        *self.world.write() = initial;
    }

    /// A copy of the whole world.
    pub fn export(&self) -> World {
        self.world.read().clone()
    }

    /// Replaces the whole world after checking its invariants.
    pub fn import(&self, mut world: World, now: DateTime<Utc>) -> Result<(), String> {
        world.check()?;
        world.fill_defaults(now);
        *self.world.write() = world;
        Ok(())
    }

    /// Reads the world under the lock (keep `f` short; it must not block).
    pub fn read<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        f(&self.world.read())
    }

    /// Mutates the world under the lock (keep `f` short; it must not block). For sections other
    /// modules own (e.g. nSA state); use [`Store::write_nsa`] when only nSA state changes.
    ///
    /// `f` may change any tenant, so every tenant's rendered list items are dropped after it.
    pub fn write<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let mut w = self.world.write();
        let r = f(&mut w);
        for t in w.msps.iter_mut().flat_map(|m| m.tenants.iter_mut()) {
            t.rendered = Rendered::default();
        }
        r
    }

    /// Mutates the nSA part of the world under the lock (keep `f` short; it must not block).
    pub fn write_nsa<R>(&self, f: impl FnOnce(&mut nsa::NsaWorld) -> R) -> R {
        f(&mut self.world.write().nsa)
    }

    /// The credential record of `client_id`, if any.
    pub fn client(&self, client_id: &str) -> Option<ClientRecord> {
        self.world
            .read()
            .msps
            .iter()
            .find(|m| m.client_id == client_id)
            .map(|m| ClientRecord {
                workspace_id: m.workspace_id,
                client_secret: m.client_secret.clone(),
            })
    }

    /// Whether an MSP workspace with that id exists.
    pub fn msp_exists(&self, msp: Uuid) -> bool {
        self.world.read().msps.iter().any(|m| m.workspace_id == msp)
    }

    /// The MSP owning tenant `tenant`, if the tenant exists.
    pub fn owner_of(&self, tenant: Uuid) -> Option<Uuid> {
        self.world.read().msps.iter().find_map(|m| {
            m.tenants
                .iter()
                .any(|t| t.id == tenant)
                .then_some(m.workspace_id)
        })
    }

    /// The workspace with that id, MSP or tenant.
    pub fn workspace(&self, id: Uuid) -> Option<Workspace> {
        let w = self.world.read();
        for m in &w.msps {
            if m.workspace_id == id {
                let mut copy = m.clone();
                copy.tenants.clear();
                return Some(Workspace::Msp(Box::new(copy)));
            }
            if let Some(t) = m.tenants.iter().find(|t| t.id == id) {
                return Some(Workspace::Tenant {
                    tenant: Box::new(t.clone()),
                    msp: m.workspace_id,
                });
            }
        }
        None
    }

    /// The tenant cap in force for `msp`.
    pub fn cap_of(&self, msp: &Msp) -> usize {
        msp.tenant_cap.unwrap_or(self.default_cap)
    }

    /// Calls `f` with a page of `msp`'s tenants matching `filter`, in creation order, borrowed
    /// under the read lock (keep `f` short: serialise the page, do not block).
    ///
    /// Without a filter the page is a slice of the tenant list, so its cost is the page's, not
    /// the MSP's tenant count; with one, every tenant is tested once to count the matches.
    pub fn tenant_page<R>(
        &self,
        msp: Uuid,
        filter: Option<&Filter>,
        offset: usize,
        limit: usize,
        f: impl FnOnce(Page<&Tenant>) -> R,
    ) -> Result<R, StoreError> {
        let w = self.world.read();
        let m = find_msp(&w, msp)?;
        let page = match filter {
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
        };
        Ok(f(page))
    }

    /// Every tenant of `msp` matching `filter`, borrowed under the read lock, for views that
    /// order the matches themselves before paging (keep `f` short).
    pub fn matching_tenants<R>(
        &self,
        msp: Uuid,
        filter: Option<&Filter>,
        f: impl FnOnce(Vec<&Tenant>) -> R,
    ) -> Result<R, StoreError> {
        let w = self.world.read();
        let m = find_msp(&w, msp)?;
        let all = m
            .tenants
            .iter()
            .filter(|t| filter.is_none_or(|f| f.matches(t)))
            .collect();
        Ok(f(all))
    }

    /// A copy of a page of `msp`'s tenants matching `filter` (see [`Store::tenant_page`], which
    /// borrows instead of copying).
    pub fn list_tenants(
        &self,
        msp: Uuid,
        filter: Option<&Filter>,
        offset: usize,
        limit: usize,
    ) -> Result<Page<Tenant>, StoreError> {
        self.tenant_page(msp, filter, offset, limit, |p| Page {
            offset: p.offset,
            total: p.total,
            items: p.items.into_iter().cloned().collect(),
        })
    }

    /// Tenant `tenant` of `msp`.
    pub fn tenant(&self, msp: Uuid, tenant: Uuid) -> Result<Tenant, StoreError> {
        let w = self.world.read();
        let (mi, ti) = locate(&w, msp, tenant)?;
        Ok(w.msps[mi].tenants[ti].clone())
    }

    /// Creates a tenant of `msp`: refused when the name is taken or the cap is reached.
    pub fn create_tenant(
        &self,
        msp: Uuid,
        input: TenantInput,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError> {
        let mut w = self.world.write();
        let default_cap = self.default_cap;
        let m = w
            .msps
            .iter_mut()
            .find(|m| m.workspace_id == msp)
            .ok_or(StoreError::NotFound(msp))?;
        if m.tenants.iter().any(|t| same_name(&t.name, &input.name)) {
            return Err(StoreError::NameTaken(input.name));
        }
        let cap = m.tenant_cap.unwrap_or(default_cap);
        if m.tenants.len() >= cap {
            return Err(StoreError::CapReached { cap });
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
            rendered: Rendered::default(),
        };
        // Keep the spec's list order (creation time, ties by id) without re-sorting: the clock
        // may stand still between creates, and an imported world may hold later timestamps.
        let key = (tenant.created_at, tenant.id);
        let at = m.tenants.partition_point(|t| (t.created_at, t.id) <= key);
        m.tenants.insert(at, tenant.clone());
        tracing::info!(msp = %msp, tenant = %tenant.id, name = %tenant.name, "tenant created");
        Ok(tenant)
    }

    /// Replaces the editable fields of tenant `tenant` of `msp`.
    pub fn update_tenant(
        &self,
        msp: Uuid,
        tenant: Uuid,
        input: TenantInput,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError> {
        let mut w = self.world.write();
        let (mi, ti) = locate(&w, msp, tenant)?;
        let m = &mut w.msps[mi];
        if m.tenants
            .iter()
            .any(|t| t.id != tenant && same_name(&t.name, &input.name))
        {
            return Err(StoreError::NameTaken(input.name));
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
        t.rendered = Rendered::default();
        Ok(t.clone())
    }

    /// Replaces the editable details of MSP workspace `msp` (name, contact).
    pub fn update_msp(&self, msp: Uuid, input: TenantInput) -> Result<Msp, StoreError> {
        let mut w = self.world.write();
        let m = w
            .msps
            .iter_mut()
            .find(|m| m.workspace_id == msp)
            .ok_or(StoreError::NotFound(msp))?;
        m.name = input.name;
        if let Some(email) = input.email {
            m.email = email;
        }
        m.phone_number = input.phone_number;
        m.address = input.address;
        let mut copy = m.clone();
        copy.tenants.clear();
        Ok(copy)
    }

    /// Deletes MSP workspace `msp` (and its API credential): refused while it has tenants.
    pub fn delete_msp(&self, msp: Uuid) -> Result<(), StoreError> {
        let mut w = self.world.write();
        let i = w
            .msps
            .iter()
            .position(|m| m.workspace_id == msp)
            .ok_or(StoreError::NotFound(msp))?;
        let count = w.msps[i].tenants.len();
        if count > 0 {
            return Err(StoreError::HasTenants { msp, count });
        }
        w.msps.remove(i);
        Ok(())
    }

    /// Deletes tenant `tenant` of `msp`: refused while it has devices.
    pub fn delete_tenant(&self, msp: Uuid, tenant: Uuid) -> Result<(), StoreError> {
        let mut w = self.world.write();
        let (mi, ti) = locate(&w, msp, tenant)?;
        let count = w.msps[mi].tenants[ti].devices.len();
        if count > 0 {
            return Err(StoreError::HasDevices { tenant, count });
        }
        w.msps[mi].tenants.remove(ti);
        tracing::info!(msp = %msp, tenant = %tenant, "tenant deleted");
        Ok(())
    }
}

/// Tenant names are unique per MSP, compared case-insensitively (Unicode lowercase, as
/// `str::to_lowercase` would, but without allocating: this runs for every tenant of the MSP
/// on every create and update, under the write lock).
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b)
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

fn find_msp(w: &World, msp: Uuid) -> Result<&Msp, StoreError> {
    w.msps
        .iter()
        .find(|m| m.workspace_id == msp)
        .ok_or(StoreError::NotFound(msp))
}

/// Indexes of (MSP, tenant), distinguishing "no such workspace" from "not yours".
fn locate(w: &World, msp: Uuid, tenant: Uuid) -> Result<(usize, usize), StoreError> {
    let mut found_elsewhere = false;
    for (mi, m) in w.msps.iter().enumerate() {
        if m.workspace_id == tenant {
            return Err(StoreError::NotATenant(tenant));
        }
        if let Some(ti) = m.tenants.iter().position(|t| t.id == tenant) {
            if m.workspace_id == msp {
                return Ok((mi, ti));
            }
            found_elsewhere = true;
        }
    }
    if found_elsewhere {
        Err(StoreError::NotManaged { tenant, msp })
    } else {
        Err(StoreError::NotFound(tenant))
    }
}

#[cfg(test)]
mod same_name_tests {
    use super::same_name;

    #[test]
    fn case_insensitive_including_non_ascii() {
        assert!(same_name("Acme Retail", "ACME retail"));
        assert!(same_name("Émile Café", "émile CAFÉ"));
        assert!(!same_name("Acme", "Acme Retail"));
        assert!(!same_name("Acme", "Acmé"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> (World, Uuid) {
        let msp = Uuid::new_v4();
        let w = World {
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
            nsa: Default::default(),
        };
        (w, msp)
    }

    fn input(name: &str) -> TenantInput {
        TenantInput {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn cap_and_uniqueness_are_enforced() {
        let (w, msp) = world();
        let s = Store::new(w, 1000);
        let now = Utc::now();
        s.create_tenant(msp, input("a"), now).unwrap();
        assert_eq!(
            s.create_tenant(msp, input("a"), now),
            Err(StoreError::NameTaken("a".into()))
        );
        s.create_tenant(msp, input("b"), now).unwrap();
        assert_eq!(
            s.create_tenant(msp, input("c"), now),
            Err(StoreError::CapReached { cap: 2 })
        );
        assert_eq!(s.export().msps[0].tenants.len(), 2);
    }

    #[test]
    fn delete_refused_with_devices_and_reset_restores() {
        let (w, msp) = world();
        let s = Store::new(w, 1000);
        let t = s.create_tenant(msp, input("a"), Utc::now()).unwrap();
        s.write(|w| {
            Arc::make_mut(&mut w.msps[0].tenants[0].devices).push(Device {
                id: Uuid::new_v4(),
                serial_number: "SN1".into(),
                mac_address: String::new(),
                model: String::new(),
                name: String::new(),
                status: "ONLINE".into(),
            })
        });
        assert!(matches!(
            s.delete_tenant(msp, t.id),
            Err(StoreError::HasDevices { count: 1, .. })
        ));
        s.reset();
        assert!(s.export().msps[0].tenants.is_empty());
        assert_eq!(s.delete_tenant(msp, t.id), Err(StoreError::NotFound(t.id)));
    }
}
