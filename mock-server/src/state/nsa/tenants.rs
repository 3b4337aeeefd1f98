//! nSA tenants: the page with MSP-wide figures, create (cap, sub-domain uniqueness,
//! provisioning), update, block/unblock and delete.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Category, NewTenant, NsaError, NsaMsp, NsaTenant, NsaWorld, Res, Subscription, TenantList,
    TenantStatus,
};
use crate::state::deferred::after;

impl NsaWorld {
    /// The status of `t` as the portal shows it: `initializing` while its provisioning is
    /// pending (settle first), then `blocked` or `active`.
    pub fn tenant_status(&self, t: &NsaTenant) -> TenantStatus {
        t.status(self.provisioning.is_pending(t.id))
    }

    /// Ends the provisioning of every tenant whose `ready_at` has come.
    pub(super) fn settle_provisioning(&mut self, now: DateTime<Utc>) {
        // Nothing to apply: the tenant turns active because its entry is no longer pending.
        self.provisioning.settle(now, |_, _, _| ());
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
        let m = self
            .msps
            .iter()
            .find(|m| m.username == username)
            .ok_or(NsaError::AccountGone)?;
        let mut stats = (0, 0, 0);
        let mut users = (0u64, 0u64);
        for t in &m.tenants {
            match self.tenant_status(t) {
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
            .map(|t| (t.clone(), self.tenant_status(t)))
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
    /// It stays `initializing` for `provisioning_secs`.
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
            return Err(NsaError::SubDomainTaken(input.sub_domain));
        }
        let provisioning = self.settings.provisioning_secs;
        let m = self.msp_mut(username)?;
        if m.tenants.len() >= m.tenant_cap_limit {
            return Err(NsaError::CapReached {
                count: m.tenants.len(),
                cap: m.tenant_cap_limit,
            });
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
        if let Some(ready_at) = t.ready_at {
            self.provisioning.schedule(t.id, (), now, ready_at);
        }
        Ok(t)
    }

    fn tenant_index(m: &NsaMsp, id: Uuid) -> Res<usize> {
        m.tenants
            .iter()
            .position(|t| t.id == id)
            .ok_or(NsaError::TenantNotFound(id))
    }

    /// Replaces a tenant's name and subscriptions; answers it with its status.
    pub fn update_tenant(
        &mut self,
        username: &str,
        id: Uuid,
        name: String,
        subscriptions: Vec<Subscription>,
        now: DateTime<Utc>,
    ) -> Res<(NsaTenant, TenantStatus)> {
        self.settle_provisioning(now);
        let m = self.msp_mut(username)?;
        let i = Self::tenant_index(m, id)?;
        let subscriptions = named(m, subscriptions);
        let t = &mut m.tenants[i];
        t.name = name;
        t.subscriptions = subscriptions;
        let t = t.clone();
        let status = self.tenant_status(&t);
        Ok((t, status))
    }

    /// Blocks (`true`) or unblocks a tenant; refused while it is initializing.
    pub fn set_blocked(
        &mut self,
        username: &str,
        id: Uuid,
        blocked: bool,
        now: DateTime<Utc>,
    ) -> Res<(NsaTenant, TenantStatus)> {
        self.settle_provisioning(now);
        let initializing = self.provisioning.is_pending(id);
        let m = self.msp_mut(username)?;
        let i = Self::tenant_index(m, id)?;
        if initializing {
            return Err(NsaError::TenantInitializing(id));
        }
        let t = &mut m.tenants[i];
        t.blocked = blocked;
        let t = t.clone();
        let status = self.tenant_status(&t);
        Ok((t, status))
    }

    /// Deletes a tenant (and forgets its provisioning).
    pub fn delete_tenant(&mut self, username: &str, id: Uuid) -> Res<()> {
        let m = self.msp_mut(username)?;
        let i = Self::tenant_index(m, id)?;
        m.tenants.remove(i);
        self.provisioning.cancel(id);
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::super::tests::{input, world};
    use super::*;
    use crate::state::Loadable;

    #[test]
    fn cap_and_sub_domain_rules() {
        let now = Utc::now();
        let mut w = world();
        w.create_tenant("u", input("a"), now).unwrap();
        let e = w.create_tenant("u", input("b"), now).unwrap_err();
        assert_eq!(e, NsaError::CapReached { count: 1, cap: 1 });
        let id = w.request_cap("u", 2, None, now).unwrap();
        w.decide_cap_request(id, true, now).unwrap();
        assert_eq!(
            w.create_tenant("u", input("a"), now).unwrap_err(),
            NsaError::SubDomainTaken("a".into())
        );
        w.create_tenant("u", input("b"), now).unwrap();
        assert_eq!(w.msps[0].tenants.len(), 2);
    }

    #[test]
    fn provisioning_ends_exactly_at_ready_at() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut w = world();
        let t = w.create_tenant("u", input("a"), t0).unwrap();
        assert_eq!(w.tenant_status(&t), TenantStatus::Initializing);
        let e = w.set_blocked("u", t.id, true, t0 + Duration::seconds(59));
        assert_eq!(e, Err(NsaError::TenantInitializing(t.id)));
        let (t, status) = w
            .set_blocked("u", t.id, true, t0 + Duration::seconds(60))
            .unwrap();
        assert_eq!(status, TenantStatus::Blocked);
        assert_eq!(
            t.ready_at,
            Some(t0 + Duration::seconds(60)),
            "kept for export"
        );
    }

    #[test]
    fn a_loaded_world_schedules_provisioning_from_ready_at() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut w = world();
        let t = w.create_tenant("u", input("a"), t0).unwrap();
        // What an export/import round trip keeps: the data, not the runtime tables.
        let mut loaded = NsaWorld {
            settings: w.settings.clone(),
            msps: w.msps.clone(),
            ..Default::default()
        };
        loaded.fill_defaults(t0);
        loaded.settle(t0 + Duration::seconds(59));
        assert_eq!(loaded.tenant_status(&t), TenantStatus::Initializing);
        loaded.settle(t0 + Duration::seconds(60));
        assert_eq!(loaded.tenant_status(&t), TenantStatus::Active);
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
        w.settle(now + Duration::days(365));
        assert_eq!(w.tenant_status(&t), TenantStatus::Initializing);
    }
}
