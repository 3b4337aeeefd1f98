//! Delegations (customers to tech partners, MSP administrators to customers), the MSP's
//! branding and firmware upgrade schedules. Every write here checks its rules at once and then
//! runs as an activity.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::activities::Change;
use super::model::{AdminRole, Branding, FirmwareSchedule, RuckusMsp, TenantKind};
use super::tenants::check_role;
use super::{Principal, Res, RuckusError, RuckusWorld};

/// How an association of `PATCH /adminDelegations` changes a customer's MSP administrators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminOp {
    /// Replace them (no `operation`, or `SET`).
    Set,
    /// Add (or re-role) the listed ones (`ADD`).
    Add,
    /// Remove the listed ones (`REMOVE`, `DELETE`).
    Remove,
}

impl AdminOp {
    /// Parses `operation` (case-insensitive).
    pub fn parse(s: Option<&str>) -> Option<Self> {
        match s.map(str::to_ascii_uppercase).as_deref() {
            None | Some("SET") | Some("REPLACE") | Some("UPDATE") => Some(Self::Set),
            Some("ADD") | Some("ASSIGN") => Some(Self::Add),
            Some("REMOVE") | Some("DELETE") | Some("UNASSIGN") => Some(Self::Remove),
            _ => None,
        }
    }
}

/// The MSP administrators of one customer to set.
#[derive(Clone, Debug, PartialEq)]
pub struct AdminAssociation {
    /// The customer.
    pub customer: Uuid,
    /// How.
    pub op: AdminOp,
    /// The administrators and their roles there.
    pub roles: Vec<AdminRole>,
    /// The privilege groups, when given.
    pub privilege_groups: Option<Vec<String>>,
}

/// One delegation of `PATCH /tenantDelegations`: the tech partner (required, but named in the
/// refusal when missing), the kind asked for, the customer and the days it lasts.
pub type DelegationRequest = (Option<Uuid>, TenantKind, Uuid, Option<u32>);

/// The week days a recurring firmware schedule may name.
pub const DAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Most customers one firmware schedule may name.
pub const MAX_FIRMWARE_CUSTOMERS: usize = 100;

fn customer_of(m: &RuckusMsp, id: Uuid, field: String) -> Res<()> {
    match m.tenants.iter().find(|t| t.id == id) {
        Some(t) if t.kind == TenantKind::Customer => Ok(()),
        Some(t) => Err(RuckusError::invalid(
            field,
            format!(
                "{} is a tech partner ({}); only customers (MSP_EC) can be delegated",
                id.simple(),
                t.kind.as_str()
            ),
        )),
        None => Err(RuckusError::invalid(
            field,
            format!("{} is not a customer of this MSP", id.simple()),
        )),
    }
}

fn partner_of(m: &RuckusMsp, id: Uuid, kind: TenantKind, field: &str, kind_field: &str) -> Res<()> {
    match m.tenants.iter().find(|t| t.id == id) {
        Some(t) if t.kind == kind => Ok(()),
        Some(t) if t.kind.is_partner() => Err(RuckusError::invalid(
            kind_field,
            format!(
                "tech partner {} is a {}, not a {}",
                id.simple(),
                t.kind.as_str(),
                kind.as_str()
            ),
        )),
        _ => Err(RuckusError::invalid(
            field,
            format!("{} is not a tech partner of this MSP", id.simple()),
        )),
    }
}

fn check_msp_admins(m: &RuckusMsp, roles: &[AdminRole], prefix: &str) -> Res<()> {
    let mut seen = HashSet::new();
    for (i, r) in roles.iter().enumerate() {
        let field = format!("{prefix}[{i}].msp_admin_id");
        if !m.admins.iter().any(|a| a.id == r.admin) {
            return Err(RuckusError::invalid(
                field,
                format!("{} is not an administrator of this MSP", r.admin.simple()),
            ));
        }
        if !seen.insert(r.admin) {
            return Err(RuckusError::invalid(
                field,
                format!("administrator {} is listed twice", r.admin.simple()),
            ));
        }
        check_role(format!("{prefix}[{i}].msp_admin_role"), &r.role)?;
    }
    Ok(())
}

fn check_slot(field: &str, slot: &str) -> Res<()> {
    let ok = slot
        .split_once('-')
        .and_then(|(a, b)| {
            let t = |s: &str| chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
            Some((t(a)?, t(b)?))
        })
        .is_some_and(|(a, b)| a < b || b == chrono::NaiveTime::MIN);
    if ok {
        Ok(())
    } else {
        Err(RuckusError::invalid(
            field,
            format!("time slot {slot:?} must be HH:MM-HH:MM with the start before the end"),
        ))
    }
}

impl RuckusWorld {
    /// `GET /tenants/{partner}/tenantDelegations`: the customers delegated to tech partner
    /// `partner` at `now` (none when `kind` names another kind), its kind, and the earliest
    /// expiry among them.
    pub fn partner_customers(
        &mut self,
        p: &Principal,
        partner: Uuid,
        kind: Option<TenantKind>,
        now: DateTime<Utc>,
    ) -> Res<(Vec<Uuid>, TenantKind, Option<DateTime<Utc>>)> {
        self.settle(now);
        let t = self.managed(p, partner)?;
        if !t.kind.is_partner() {
            return Err(RuckusError::TenantNotFound(partner));
        }
        let pk = t.kind;
        if kind.is_some_and(|k| k != pk) {
            return Ok((vec![], pk, None));
        }
        let m = self.msp(p)?;
        let mut ids = Vec::new();
        let mut expiry: Option<DateTime<Utc>> = None;
        for c in &m.tenants {
            for d in c
                .delegations
                .iter()
                .filter(|d| d.partner == partner && d.live(now))
            {
                ids.push(c.id);
                if let Some(e) = d.expires {
                    expiry = Some(expiry.map_or(e, |x| x.min(e)));
                }
            }
        }
        Ok((ids, pk, expiry))
    }

    /// `PUT /tenants/{partner}/tenantDelegations`: replaces the customers delegated to tech
    /// partner `partner` (every customer with `all`). `kind` must be the partner's; each
    /// customer must be one of the MSP's customers, listed once.
    #[allow(clippy::too_many_arguments)]
    pub fn set_partner_customers(
        &mut self,
        p: &Principal,
        partner: Uuid,
        kind: TenantKind,
        customers: Vec<Uuid>,
        all: bool,
        days: Option<u32>,
        now: DateTime<Utc>,
    ) -> Res<Uuid> {
        self.settle(now);
        let t = self.managed(p, partner)?;
        if !t.kind.is_partner() {
            return Err(RuckusError::TenantNotFound(partner));
        }
        if t.kind != kind {
            return Err(RuckusError::invalid(
                "delegation_type",
                format!(
                    "tenant {} is a {}, not a {}",
                    partner.simple(),
                    t.kind.as_str(),
                    kind.as_str()
                ),
            ));
        }
        let m = self.msp(p)?;
        let customers = if all {
            m.tenants
                .iter()
                .filter(|t| t.kind == TenantKind::Customer)
                .map(|t| t.id)
                .collect()
        } else {
            let mut seen = HashSet::new();
            for (i, c) in customers.iter().enumerate() {
                customer_of(m, *c, format!("mspec_list[{i}]"))?;
                if !seen.insert(*c) {
                    return Err(RuckusError::invalid(
                        format!("mspec_list[{i}]"),
                        format!("customer {} is listed twice", c.simple()),
                    ));
                }
            }
            customers
        };
        Ok(self.schedule(
            p,
            partner,
            "assign MspEc List To delegate",
            Change::SetPartnerCustomers {
                partner,
                customers,
                days,
            },
            now,
        ))
    }

    /// `PATCH /tenantDelegations`: adds delegations `(partner, kind, customer, days)`, each
    /// partner a tech partner of that kind and each customer one of the MSP's customers.
    pub fn add_delegations(
        &mut self,
        p: &Principal,
        list: Vec<DelegationRequest>,
        now: DateTime<Utc>,
    ) -> Res<Uuid> {
        self.settle(now);
        Self::require_msp_level(p)?;
        if list.is_empty() {
            return Err(RuckusError::invalid(
                "AssignDelegatedRequest",
                "name at least one delegation",
            ));
        }
        let m = self.msp(p)?;
        let mut out = Vec::with_capacity(list.len());
        for (i, (partner, kind, customer, days)) in list.into_iter().enumerate() {
            let at = format!("AssignDelegatedRequest[{i}]");
            let Some(partner) = partner else {
                return Err(RuckusError::invalid(
                    format!("{at}.delegation_id"),
                    "delegation_id (the tech partner's tenant id) is required",
                ));
            };
            partner_of(
                m,
                partner,
                kind,
                &format!("{at}.delegation_id"),
                &format!("{at}.delegation_type"),
            )?;
            customer_of(m, customer, format!("{at}.mspec_id"))?;
            out.push((partner, customer, days));
        }
        let msp = p.msp;
        Ok(self.schedule(
            p,
            msp,
            "assign MspEc List To delegate",
            Change::AddDelegations(out),
            now,
        ))
    }

    /// `GET /tenants/{id}/adminDelegations`: the MSP administrators delegated to a customer.
    pub fn admin_delegations(
        &mut self,
        p: &Principal,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Res<Vec<AdminRole>> {
        self.settle(now);
        Ok(self.managed(p, id)?.msp_admins.clone())
    }

    /// `PUT /tenants/{id}/adminDelegations`: replaces them; each must be an administrator of
    /// the MSP, listed once, with a known role.
    pub fn set_admin_delegations(
        &mut self,
        p: &Principal,
        id: Uuid,
        roles: Vec<AdminRole>,
        groups: Vec<String>,
        now: DateTime<Utc>,
    ) -> Res<Uuid> {
        self.settle(now);
        self.managed(p, id)?;
        check_msp_admins(self.msp(p)?, &roles, "mspec_list")?;
        let a = AdminAssociation {
            customer: id,
            op: AdminOp::Set,
            roles,
            privilege_groups: Some(groups),
        };
        Ok(self.schedule(
            p,
            id,
            "Update MSP Admin list",
            Change::SetMspAdmins(vec![a]),
            now,
        ))
    }

    /// `PATCH /adminDelegations`: changes the MSP administrators of several customers.
    pub fn patch_admin_delegations(
        &mut self,
        p: &Principal,
        list: Vec<AdminAssociation>,
        now: DateTime<Utc>,
    ) -> Res<Uuid> {
        self.settle(now);
        Self::require_msp_level(p)?;
        let m = self.msp(p)?;
        let mut seen = HashSet::new();
        for (i, a) in list.iter().enumerate() {
            let at = format!("associations[{i}]");
            if !m.tenants.iter().any(|t| t.id == a.customer) {
                return Err(RuckusError::invalid(
                    format!("{at}.mspEcId"),
                    format!("{} is not a tenant of this MSP", a.customer.simple()),
                ));
            }
            if !seen.insert(a.customer) {
                return Err(RuckusError::invalid(
                    format!("{at}.mspEcId"),
                    format!("customer {} is listed twice", a.customer.simple()),
                ));
            }
            check_msp_admins(m, &a.roles, &format!("{at}.mspAdminRoles"))?;
        }
        let msp = p.msp;
        Ok(self.schedule(
            p,
            msp,
            "MspAdminAssociation",
            Change::SetMspAdmins(list),
            now,
        ))
    }

    /// `GET /brandings`.
    pub fn branding(&mut self, p: &Principal, now: DateTime<Utc>) -> Res<Branding> {
        self.settle(now);
        Self::require_msp_level(p)?;
        self.msp(p)?
            .branding
            .clone()
            .ok_or(RuckusError::BrandingNotFound)
    }

    /// `POST /brandings` (`create`) or `PUT /brandings`: the label must not be another MSP's;
    /// a create needs no branding yet, an update one.
    pub fn set_branding(
        &mut self,
        p: &Principal,
        create: bool,
        b: Branding,
        now: DateTime<Utc>,
    ) -> Res<Uuid> {
        self.settle(now);
        Self::require_msp_level(p)?;
        let has = self.msp(p)?.branding.is_some();
        if create && has {
            return Err(RuckusError::invalid(
                "msp_label",
                "the MSP already has a branding; change it with PUT /brandings",
            ));
        }
        if !create && !has {
            return Err(RuckusError::BrandingNotFound);
        }
        let taken = self.msps.iter().any(|m| {
            m.tenant_id != p.msp
                && m.branding
                    .as_ref()
                    .is_some_and(|o| o.msp_label.eq_ignore_ascii_case(&b.msp_label))
        });
        if taken {
            return Err(RuckusError::invalid(
                "msp_label",
                format!("msp_label {:?} is already used by another MSP", b.msp_label),
            ));
        }
        let msp = p.msp;
        Ok(self.schedule(
            p,
            msp,
            "UpdateMspBranding",
            Change::Branding(create, Box::new(b)),
            now,
        ))
    }

    /// `POST /firmwareUpgradeSchedules`: exactly one of a recurring or a one-time schedule,
    /// valid days and slots, a date not in the past, 1 to 100 of the MSP's customers.
    pub fn schedule_firmware(
        &mut self,
        p: &Principal,
        customers: Vec<Uuid>,
        s: FirmwareSchedule,
        now: DateTime<Utc>,
    ) -> Res<Uuid> {
        self.settle(now);
        Self::require_msp_level(p)?;
        let recurring = !s.days.is_empty() || !s.time_slots.is_empty();
        let once = s.date.is_some() || s.time_slot.is_some();
        if recurring == once {
            return Err(RuckusError::invalid(
                "data.autoSchedule",
                "send exactly one of data.autoSchedule and data.manualSchedule",
            ));
        }
        for (i, d) in s.days.iter().enumerate() {
            if !DAYS.iter().any(|x| x.eq_ignore_ascii_case(d)) {
                return Err(RuckusError::invalid(
                    format!("data.autoSchedule.days[{i}]"),
                    format!("{d:?} is not a week day ({})", DAYS.join(", ")),
                ));
            }
        }
        if recurring && (s.days.is_empty() || s.time_slots.is_empty()) {
            return Err(RuckusError::invalid(
                "data.autoSchedule",
                "a recurring schedule needs days and timeSlots",
            ));
        }
        for (i, t) in s.time_slots.iter().enumerate() {
            check_slot(&format!("data.autoSchedule.timeSlots[{i}]"), t)?;
        }
        if once {
            let Some(slot) = &s.time_slot else {
                return Err(RuckusError::invalid(
                    "data.manualSchedule.timeSlot",
                    "a one-time schedule needs a timeSlot",
                ));
            };
            check_slot("data.manualSchedule.timeSlot", slot)?;
            if let Some(date) = &s.date {
                let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                    RuckusError::invalid(
                        "data.manualSchedule.date",
                        format!("{date:?} is not a date"),
                    )
                })?;
                if day < now.date_naive() {
                    return Err(RuckusError::invalid(
                        "data.manualSchedule.date",
                        format!("{date} is in the past"),
                    ));
                }
            }
        }
        if customers.is_empty() || customers.len() > MAX_FIRMWARE_CUSTOMERS {
            return Err(RuckusError::invalid(
                "data.mspEcList",
                format!(
                    "name 1 to {MAX_FIRMWARE_CUSTOMERS} customers, got {}",
                    customers.len()
                ),
            ));
        }
        let m = self.msp(p)?;
        for (i, c) in customers.iter().enumerate() {
            customer_of(m, *c, format!("data.mspEcList[{i}]"))?;
        }
        let msp = p.msp;
        Ok(self.schedule(
            p,
            msp,
            "AP_FIRMWARE_UPGRADE",
            Change::Firmware(customers, Box::new(s)),
            now,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{t0, world};
    use super::super::{NewTenant, RuckusWorld};
    use super::*;
    use chrono::Duration;

    fn msp() -> Principal {
        Principal {
            msp: Uuid::from_u128(1),
            acting: Uuid::from_u128(1),
        }
    }

    /// The world with customer `C` and integrators `I1`, `I2` created; their ids.
    fn setup() -> (RuckusWorld, Uuid, Uuid, Uuid) {
        let mut w = world();
        let n = |name: &str, kind| NewTenant {
            name: name.into(),
            kind,
            ..Default::default()
        };
        let ids = w
            .create_tenants(
                &msp(),
                vec![
                    n("C", TenantKind::Customer),
                    n("I1", TenantKind::Integrator),
                    n("I2", TenantKind::Integrator),
                ],
                t0(),
            )
            .unwrap_or_default();
        w.settle(t0() + Duration::seconds(10));
        (w, ids[0].1, ids[1].1, ids[2].1)
    }

    #[test]
    fn a_customer_has_one_partner_of_a_kind_and_bad_delegations_change_nothing() {
        let (mut w, c, i1, i2) = setup();
        let now = t0() + Duration::seconds(10);
        let p = msp();
        assert!(
            w.add_delegations(
                &p,
                vec![(Some(i1), TenantKind::Integrator, c, Some(1))],
                now
            )
            .is_ok()
        );
        w.settle(now + Duration::seconds(3));
        let later = now + Duration::seconds(3);
        assert_eq!(
            w.partner_customers(&p, i1, None, later).map(|r| r.0),
            Ok(vec![c])
        );
        assert!(
            w.add_delegations(&p, vec![(Some(i2), TenantKind::Integrator, c, None)], later)
                .is_ok()
        );
        let after = later + Duration::seconds(3);
        assert_eq!(
            w.partner_customers(&p, i1, None, after).map(|r| r.0),
            Ok(vec![])
        );
        assert_eq!(
            w.partner_customers(&p, i2, None, after).map(|r| r.0),
            Ok(vec![c])
        );
        // The wrong kind, a customer as partner, a partner as customer: refused, nothing
        // scheduled.
        let before = w.activities(&p, after).len();
        for list in [
            vec![(Some(i2), TenantKind::Installer, c, None)],
            vec![(Some(c), TenantKind::Integrator, c, None)],
            vec![(Some(i1), TenantKind::Integrator, i2, None)],
            vec![(None, TenantKind::Integrator, c, None)],
        ] {
            assert!(matches!(
                w.add_delegations(&p, list, after),
                Err(RuckusError::Invalid { .. })
            ));
        }
        assert_eq!(w.activities(&p, after).len(), before);
    }

    #[test]
    fn a_firmware_schedule_is_one_of_two_kinds() {
        let (mut w, c, _, _) = setup();
        let now = t0() + Duration::seconds(10);
        let s = |days: Vec<&str>, date: Option<&str>| FirmwareSchedule {
            operation: "AP_FIRMWARE_UPGRADE".into(),
            days: days.into_iter().map(str::to_owned).collect(),
            time_slots: vec!["00:00-02:00".into()],
            date: date.map(str::to_owned),
            time_slot: date.map(|_| "02:00-04:00".to_owned()),
        };
        let field = |r: Res<Uuid>| match r {
            Err(RuckusError::Invalid { field, .. }) => field,
            other => format!("{other:?}"),
        };
        assert_eq!(
            field(w.schedule_firmware(&msp(), vec![c], s(vec!["Monday"], Some("2026-02-01")), now)),
            "data.autoSchedule"
        );
        assert_eq!(
            field(w.schedule_firmware(&msp(), vec![c], s(vec!["Someday"], None), now)),
            "data.autoSchedule.days[0]"
        );
        let mut past = s(vec![], Some("2025-12-31"));
        past.time_slots.clear();
        assert_eq!(
            field(w.schedule_firmware(&msp(), vec![c], past, now)),
            "data.manualSchedule.date"
        );
        assert!(
            w.schedule_firmware(&msp(), vec![c], s(vec!["Monday"], None), now)
                .is_ok()
        );
        w.settle(now + Duration::seconds(3));
        let t = w.managed(&msp(), c).map(|t| t.firmware.clone());
        assert_eq!(
            t.ok().flatten().map(|f| f.days),
            Some(vec!["Monday".to_owned()])
        );
    }
}
