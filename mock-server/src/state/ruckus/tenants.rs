//! Customers and tech partners: create (batch), update, tag, delete (all asynchronous), and the
//! synchronous calls on one customer: its administrators, invitations, activation and RUCKUS
//! support access.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::activities::Change;
use super::model::{ADMIN_ROLES, Account, Admin, AdminRole, Invitation, RuckusTenant, TenantKind};
use super::{Principal, Res, RuckusError, RuckusWorld};

/// Most tenants one `POST /tenants` may create.
pub const MAX_BATCH: usize = 100;

/// One tenant to create (an element of `POST /tenants`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewTenant {
    /// Name (unique per MSP, checked when the activity runs).
    pub name: String,
    /// Customer or tech partner.
    pub kind: TenantKind,
    /// The MSP's reference.
    pub account_id: Option<String>,
    /// Address and contact.
    pub account: Account,
    /// Service start.
    pub service_effective_date: Option<String>,
    /// Service end.
    pub service_expiration_date: Option<String>,
    /// Tier.
    pub tier: Option<String>,
    /// The first administrator: e-mail, first name, last name, role.
    pub admin: Option<(String, String, String, Option<String>)>,
    /// Tech partners to delegate it to: id, the kind asked for, days.
    pub partners: Vec<(Uuid, TenantKind, Option<u32>)>,
    /// MSP administrators to delegate it to.
    pub msp_admins: Vec<AdminRole>,
    /// Privilege groups of that delegation.
    pub privilege_group_ids: Vec<String>,
}

/// The new account details of `PUT /tenants/{id}`; `None` keeps the current value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TenantUpdate {
    /// Name.
    pub name: String,
    /// Address and contact (replaced whole).
    pub account: Account,
    /// Service start.
    pub service_effective_date: String,
    /// Service end.
    pub service_expiration_date: String,
    /// Tier.
    pub tier: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
}

impl TenantUpdate {
    /// Writes the update into `t`.
    pub(super) fn apply_to(&self, t: &mut RuckusTenant) {
        t.name = self.name.clone();
        t.account = self.account.clone();
        t.service_effective_date = self.service_effective_date.clone();
        t.service_expiration_date = self.service_expiration_date.clone();
        if let Some(tier) = &self.tier {
            t.tier = Some(tier.clone());
        }
        if let Some(tags) = &self.tags {
            t.tags = tags.clone();
        }
    }
}

/// The comparable form of a service date (`2026-01-01 00:00:00Z`, `T` or space, optional
/// milliseconds).
fn date_key(s: &str) -> String {
    s.chars()
        .take(19)
        .map(|c| if c == 'T' { ' ' } else { c })
        .collect()
}

fn check_dates(prefix: &str, from: Option<&str>, to: Option<&str>) -> Res<()> {
    if let (Some(f), Some(t)) = (from, to)
        && date_key(t) <= date_key(f)
    {
        return Err(RuckusError::invalid(
            format!("{prefix}service_expiration_date"),
            format!("service_expiration_date ({t}) must be after service_effective_date ({f})"),
        ));
    }
    Ok(())
}

/// Checks a role name.
pub(super) fn check_role(field: String, role: &str) -> Res<()> {
    if ADMIN_ROLES.contains(&role) {
        Ok(())
    } else {
        Err(RuckusError::invalid(
            field,
            format!("role {role:?} is not one of {}", ADMIN_ROLES.join(", ")),
        ))
    }
}

impl RuckusWorld {
    /// `POST /tenants`: checks the whole batch (tech partners and MSP administrators named must
    /// be the MSP's, dates in order), then schedules one `CreateMspEc` activity per tenant.
    /// Answers `(request id, tenant id)` per element, in order. Name uniqueness is checked when
    /// each activity runs, so a duplicate fails its activity.
    pub fn create_tenants(
        &mut self,
        p: &Principal,
        batch: Vec<NewTenant>,
        now: DateTime<Utc>,
    ) -> Res<Vec<(Uuid, Uuid)>> {
        self.settle(now);
        Self::require_msp_level(p)?;
        if batch.is_empty() || batch.len() > MAX_BATCH {
            return Err(RuckusError::invalid(
                "data",
                format!(
                    "data must hold 1 to {MAX_BATCH} tenants, got {}",
                    batch.len()
                ),
            ));
        }
        let m = self.msp(p)?;
        for (i, n) in batch.iter().enumerate() {
            let at = format!("data[{i}].");
            check_dates(
                &at,
                n.service_effective_date.as_deref(),
                n.service_expiration_date.as_deref(),
            )?;
            if n.kind.is_partner() && !n.partners.is_empty() {
                return Err(RuckusError::invalid(
                    format!("{at}delegations"),
                    "a tech partner cannot be delegated to another tech partner",
                ));
            }
            for (j, (partner, kind, _)) in n.partners.iter().enumerate() {
                let field = format!("{at}delegations[{j}].delegation_id");
                let Some(t) = m.tenants.iter().find(|t| t.id == *partner) else {
                    return Err(RuckusError::invalid(
                        field,
                        format!("{} is not a tech partner of this MSP", partner.simple()),
                    ));
                };
                if t.kind != *kind {
                    return Err(RuckusError::invalid(
                        format!("{at}delegations[{j}].delegation_type"),
                        format!(
                            "tenant {} is a {}, not a {}",
                            partner.simple(),
                            t.kind.as_str(),
                            kind.as_str()
                        ),
                    ));
                }
            }
            for (j, r) in n.msp_admins.iter().enumerate() {
                if !m.admins.iter().any(|a| a.id == r.admin) {
                    return Err(RuckusError::invalid(
                        format!("{at}admin_delegations[{j}].msp_admin_id"),
                        format!("{} is not an administrator of this MSP", r.admin.simple()),
                    ));
                }
                check_role(
                    format!("{at}admin_delegations[{j}].msp_admin_role"),
                    &r.role,
                )?;
            }
            if let Some((_, _, _, Some(role))) = &n.admin {
                check_role(format!("{at}admin_role"), role)?;
            }
        }
        let mut out = Vec::with_capacity(batch.len());
        for n in batch {
            let id = Uuid::new_v4();
            let admins = n
                .admin
                .map(|(email, first, last, role)| Admin {
                    id: Uuid::new_v4(),
                    email,
                    user_name: None,
                    first_name: first,
                    last_name: last,
                    role: role.unwrap_or_else(|| "PRIME_ADMIN".to_owned()),
                    delegate_to_all_ecs: false,
                })
                .into_iter()
                .collect();
            let t = RuckusTenant {
                id,
                name: n.name,
                kind: n.kind,
                account_id: n.account_id,
                account: n.account,
                service_effective_date: n
                    .service_effective_date
                    .unwrap_or_else(|| now.format("%Y-%m-%d %H:%M:%SZ").to_string()),
                service_expiration_date: n.service_expiration_date.unwrap_or_else(|| {
                    (now + chrono::Duration::days(365))
                        .format("%Y-%m-%d %H:%M:%SZ")
                        .to_string()
                }),
                tier: n.tier,
                tags: vec![],
                active: true,
                support_since: None,
                admins,
                invitations: vec![],
                delegations: vec![],
                msp_admins: n.msp_admins,
                privilege_group_ids: n.privilege_group_ids,
                firmware: None,
                venues: vec![],
                devices: vec![],
                created: None,
                updated: None,
            };
            let partners = n.partners.iter().map(|(p, _, d)| (*p, *d)).collect();
            let req = self.schedule(
                p,
                id,
                "CreateMspEc",
                Change::CreateTenant(Box::new(t), partners),
                now,
            );
            out.push((req, id));
        }
        Ok(out)
    }

    /// `PUT /tenants/{id}`: checks the dates, schedules `UpdateMspEc` (the name must still be
    /// free when it runs).
    pub fn update_tenant(
        &mut self,
        p: &Principal,
        id: Uuid,
        u: TenantUpdate,
        now: DateTime<Utc>,
    ) -> Res<Uuid> {
        self.settle(now);
        self.managed(p, id)?;
        check_dates(
            "",
            Some(&u.service_effective_date),
            Some(&u.service_expiration_date),
        )?;
        Ok(self.schedule(
            p,
            id,
            "UpdateMspEc",
            Change::UpdateTenant(id, Box::new(u)),
            now,
        ))
    }

    /// `PATCH /tenants/{id}`: schedules the new tags.
    pub fn tag_tenant(
        &mut self,
        p: &Principal,
        id: Uuid,
        tags: Vec<String>,
        now: DateTime<Utc>,
    ) -> Res<Uuid> {
        self.settle(now);
        self.managed(p, id)?;
        let mut seen = std::collections::HashSet::new();
        if let Some((i, _)) = tags.iter().enumerate().find(|(_, t)| !seen.insert(*t)) {
            return Err(RuckusError::invalid(
                format!("tags[{i}]"),
                "tags must not repeat",
            ));
        }
        Ok(self.schedule(p, id, "UpdateMspEc", Change::SetTags(id, tags), now))
    }

    /// `DELETE /tenants/{id}`: schedules `DeleteMspEc`. A tech partner that still has
    /// customers delegated cannot be deleted.
    pub fn delete_tenant(&mut self, p: &Principal, id: Uuid, now: DateTime<Utc>) -> Res<Uuid> {
        self.settle(now);
        let t = self.managed(p, id)?;
        if t.kind.is_partner() {
            let m = self.msp(p)?;
            let n = m
                .tenants
                .iter()
                .filter(|c| c.delegations.iter().any(|d| d.partner == id && d.live(now)))
                .count();
            if n > 0 {
                return Err(RuckusError::invalid(
                    "tenantId",
                    format!(
                        "tech partner {} still has {n} customers delegated; remove them first \
                         (PUT /tenants/{}/tenantDelegations)",
                        id.simple(),
                        id.simple()
                    ),
                ));
            }
        }
        Ok(self.schedule(p, id, "DeleteMspEc", Change::DeleteTenant(id), now))
    }

    /// `PUT /tenants/{id}/admins/{adminId}`: replaces the administrator's details, or adds the
    /// administrator with that id; the e-mail must be unique among the tenant's administrators.
    #[allow(clippy::too_many_arguments)]
    pub fn put_admin(
        &mut self,
        p: &Principal,
        id: Uuid,
        admin: Uuid,
        email: String,
        user_name: String,
        first_name: String,
        last_name: String,
        now: DateTime<Utc>,
    ) -> Res<()> {
        self.settle(now);
        let t = self.managed_mut(p, id)?;
        if t.admins
            .iter()
            .any(|a| a.id != admin && a.email.eq_ignore_ascii_case(&email))
        {
            return Err(RuckusError::invalid(
                "email",
                format!("another administrator of this tenant has e-mail {email}"),
            ));
        }
        match t.admins.iter_mut().find(|a| a.id == admin) {
            Some(a) => {
                a.email = email;
                a.user_name = Some(user_name);
                a.first_name = first_name;
                a.last_name = last_name;
            }
            None => t.admins.push(Admin {
                id: admin,
                email,
                user_name: Some(user_name),
                first_name,
                last_name,
                role: "ADMIN".to_owned(),
                delegate_to_all_ecs: false,
            }),
        }
        t.updated = Some(now);
        Ok(())
    }

    /// `DELETE /tenants/{id}/admins/{adminId}`: revokes the administrator; a tenant keeps at
    /// least one.
    pub fn delete_admin(
        &mut self,
        p: &Principal,
        id: Uuid,
        admin: Uuid,
        now: DateTime<Utc>,
    ) -> Res<()> {
        self.settle(now);
        let t = self.managed_mut(p, id)?;
        if !t.admins.iter().any(|a| a.id == admin) {
            return Err(RuckusError::AdminNotFound(id, admin));
        }
        if t.admins.len() == 1 {
            return Err(RuckusError::invalid(
                "adminId",
                "this is the tenant's last administrator; add another before revoking it",
            ));
        }
        t.admins.retain(|a| a.id != admin);
        t.updated = Some(now);
        Ok(())
    }

    /// `PUT /tenants/{id}/invitations`: (re)sends the invitation of administrator `email`. A
    /// second send needs `resend`; an inactive customer gets no invitations.
    pub fn invite(
        &mut self,
        p: &Principal,
        id: Uuid,
        email: &str,
        resend: bool,
        now: DateTime<Utc>,
    ) -> Res<u32> {
        self.settle(now);
        let t = self.managed_mut(p, id)?;
        if !t.active {
            return Err(RuckusError::invalid(
                "tenantId",
                "the customer is deactivated; reactivate it (PUT /tenantActivations/{tenantId}) \
                 before inviting",
            ));
        }
        if !t.admins.iter().any(|a| a.email.eq_ignore_ascii_case(email)) {
            return Err(RuckusError::invalid(
                "admin_email",
                format!("{email} is not an administrator of this tenant"),
            ));
        }
        match t
            .invitations
            .iter_mut()
            .find(|i| i.email.eq_ignore_ascii_case(email))
        {
            Some(_) if !resend => Err(RuckusError::invalid(
                "resend",
                format!(
                    "an invitation was already sent to {email}; send resend: true to send it again"
                ),
            )),
            Some(i) => {
                i.count += 1;
                i.sent = now;
                Ok(i.count)
            }
            None => {
                t.invitations.push(Invitation {
                    email: email.to_owned(),
                    sent: now,
                    count: 1,
                });
                Ok(1)
            }
        }
    }

    /// `PUT`/`DELETE /tenantActivations/{id}`: (re)activates or deactivates a customer (idempotent).
    pub fn set_active(
        &mut self,
        p: &Principal,
        id: Uuid,
        active: bool,
        now: DateTime<Utc>,
    ) -> Res<RuckusTenant> {
        self.settle(now);
        let t = self.managed_mut(p, id)?;
        if t.kind.is_partner() {
            return Err(RuckusError::invalid(
                "tenantId",
                "only customers (MSP_EC) are activated and deactivated",
            ));
        }
        if t.active != active {
            t.active = active;
            t.updated = Some(now);
        }
        Ok(t.clone())
    }

    /// `PUT`/`DELETE /tenantActivations/supportStatus/{id}`: grants or revokes RUCKUS support
    /// access (idempotent).
    pub fn set_support(
        &mut self,
        p: &Principal,
        id: Uuid,
        on: bool,
        now: DateTime<Utc>,
    ) -> Res<()> {
        self.settle(now);
        let t = self.managed_mut(p, id)?;
        match (on, t.support_since) {
            (true, None) => t.support_since = Some(now),
            (false, Some(_)) => t.support_since = None,
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{t0, world};
    use super::*;
    use chrono::Duration;

    fn msp() -> Principal {
        Principal {
            msp: Uuid::from_u128(1),
            acting: Uuid::from_u128(1),
        }
    }

    fn new(name: &str) -> NewTenant {
        NewTenant {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_create_runs_pending_inprogress_success_and_a_duplicate_fails() {
        let mut w = world();
        let p = msp();
        let ids = w
            .create_tenants(&p, vec![new("Acme"), new("acme")], t0())
            .unwrap_or_default();
        assert_eq!(ids.len(), 2);
        let status = |w: &mut RuckusWorld, i: usize, s: i64| {
            w.activity(&p, ids[i].0, t0() + Duration::seconds(s))
                .map(|a| (a.status, a.error.is_some()))
        };
        assert_eq!(status(&mut w, 0, 0), Ok(("PENDING", false)));
        assert_eq!(status(&mut w, 0, 1), Ok(("INPROGRESS", false)));
        assert!(w.managed(&p, ids[0].1).is_err());
        assert_eq!(status(&mut w, 0, 3), Ok(("SUCCESS", false)));
        assert_eq!(status(&mut w, 1, 3), Ok(("FAIL", true)));
        assert!(w.managed(&p, ids[0].1).is_ok());
        assert!(w.managed(&p, ids[1].1).is_err());
    }

    #[test]
    fn dates_must_be_in_order() {
        let mut w = world();
        let mut n = new("A");
        n.service_effective_date = Some("2026-02-01 00:00:00Z".into());
        n.service_expiration_date = Some("2026-01-01T00:00:00.000Z".into());
        let e = w.create_tenants(&msp(), vec![new("B"), n], t0());
        assert!(
            matches!(e, Err(RuckusError::Invalid { ref field, .. }) if field == "data[1].service_expiration_date")
        );
        assert!(w.activities(&msp(), t0()).is_empty());
    }
}
