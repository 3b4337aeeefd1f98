//! Activities: the jobs asynchronous writes schedule on the [`Deferred`] engine, how each is
//! applied when due (and why it may fail then), and how activities read.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{AdminRole, Branding, FirmwareSchedule, RuckusMsp, RuckusTenant};
use super::partners::{AdminAssociation, AdminOp};
use super::tenants::TenantUpdate;
use super::{Principal, Res, RuckusError, RuckusWorld};
use crate::state::deferred;
use crate::state::deferred::{Phase, after};

/// A change an activity applies when it is due.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Adds a tenant (its name must still be free), delegated to tech partners
    /// `(partner, days)`.
    CreateTenant(Box<RuckusTenant>, Vec<(Uuid, Option<u32>)>),
    /// Replaces a tenant's account details.
    UpdateTenant(Uuid, Box<TenantUpdate>),
    /// Replaces a tenant's tags.
    SetTags(Uuid, Vec<String>),
    /// Deletes a tenant and every delegation to it.
    DeleteTenant(Uuid),
    /// Replaces the customers delegated to a tech partner.
    SetPartnerCustomers {
        /// The tech partner.
        partner: Uuid,
        /// The customers.
        customers: Vec<Uuid>,
        /// Days the delegations last, if limited.
        days: Option<u32>,
    },
    /// Adds delegations `(partner, customer, days)`.
    AddDelegations(Vec<(Uuid, Uuid, Option<u32>)>),
    /// Changes the MSP administrators of customers.
    SetMspAdmins(Vec<AdminAssociation>),
    /// Creates (`true`) or replaces the MSP's branding.
    Branding(bool, Box<Branding>),
    /// Sets the firmware schedule of customers.
    Firmware(Vec<Uuid>, Box<FirmwareSchedule>),
}

/// One activity's job: who asked, where it acts, and the change.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// The MSP.
    pub msp: Uuid,
    /// The tenant the write acted in (whose activity it is).
    pub scope: Uuid,
    /// The tenant the 202 names (`tenantId`).
    pub tenant: Uuid,
    /// The activity's use case (`CreateMspEc`...).
    pub use_case: &'static str,
    /// The change.
    pub change: Change,
}

/// An activity as the API shows it, at one time.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityView {
    /// The activity (= request) id.
    pub id: Uuid,
    /// The tenant it belongs to.
    pub scope: Uuid,
    /// The use case.
    pub use_case: &'static str,
    /// `PENDING`, `INPROGRESS`, `SUCCESS` or `FAIL`.
    pub status: &'static str,
    /// Why it failed.
    pub error: Option<String>,
    /// When it was accepted.
    pub start: DateTime<Utc>,
    /// When it ended.
    pub end: Option<DateTime<Utc>>,
}

impl RuckusWorld {
    /// Schedules `change` as an activity of `p` (use case `use_case`, 202 naming `tenant`):
    /// `PENDING` now, `INPROGRESS` after `pending_secs`, due `running_secs` later. Answers the
    /// request id.
    pub(super) fn schedule(
        &mut self,
        p: &Principal,
        tenant: Uuid,
        use_case: &'static str,
        change: Change,
        now: DateTime<Utc>,
    ) -> Uuid {
        let id = Uuid::new_v4();
        let starts = after(now, self.settings.pending_secs);
        let due = after(starts, self.settings.running_secs);
        let job = Job {
            msp: p.msp,
            scope: p.acting,
            tenant,
            use_case,
            change,
        };
        self.activities.schedule(id, job, now, due).starts_at = starts;
        id
    }

    /// Applies every activity due at `now`, in due order.
    pub fn settle(&mut self, now: DateTime<Utc>) {
        let Self {
            activities, msps, ..
        } = self;
        activities.settle(now, |_, job, at| {
            let others_labels: Vec<String> = msps
                .iter()
                .filter(|m| m.tenant_id != job.msp)
                .filter_map(|m| {
                    m.branding
                        .as_ref()
                        .map(|b| b.msp_label.to_ascii_lowercase())
                })
                .collect();
            match msps.iter_mut().find(|m| m.tenant_id == job.msp) {
                Some(m) => apply(m, &job.change, &others_labels, at),
                None => Err("the MSP no longer exists".to_owned()),
            }
        });
    }

    /// Activity `id` of the tenant `p` acts in, at `now` (settled first).
    pub fn activity(&mut self, p: &Principal, id: Uuid, now: DateTime<Utc>) -> Res<ActivityView> {
        self.settle(now);
        let hidden = self.settings.activity_visible_after_secs;
        self.activities
            .get(id)
            .filter(|e| e.job.msp == p.msp && e.job.scope == p.acting)
            .filter(|e| now >= after(e.created, hidden))
            .map(|e| view(e, now))
            .ok_or(RuckusError::ActivityNotFound(id))
    }

    /// Every activity of the tenant `p` acts in, at `now` (settled first), newest first.
    pub fn activities(&mut self, p: &Principal, now: DateTime<Utc>) -> Vec<ActivityView> {
        self.settle(now);
        let mut out: Vec<ActivityView> = self
            .activities
            .iter()
            .filter(|e| e.job.msp == p.msp && e.job.scope == p.acting)
            .map(|e| view(e, now))
            .collect();
        out.sort_by(|a, b| b.start.cmp(&a.start).then(a.id.cmp(&b.id)));
        out
    }
}

fn view(e: &deferred::Entry<Job, Result<(), String>>, now: DateTime<Utc>) -> ActivityView {
    let (status, error) = match (e.phase(now), e.outcome()) {
        (Phase::Queued, _) => ("PENDING", None),
        (Phase::Ended, Some(Err(reason))) => ("FAIL", Some(reason.clone())),
        (Phase::Ended, _) => ("SUCCESS", None),
        (Phase::Running, _) => ("INPROGRESS", None),
    };
    ActivityView {
        id: e.id,
        scope: e.job.scope,
        use_case: e.job.use_case,
        status,
        error,
        start: e.created,
        end: e.ended_at(),
    }
}

fn name_taken(m: &RuckusMsp, name: &str, except: Option<Uuid>) -> bool {
    m.tenants
        .iter()
        .any(|t| Some(t.id) != except && t.name.eq_ignore_ascii_case(name))
}

fn tenant_mut(m: &mut RuckusMsp, id: Uuid) -> Result<&mut RuckusTenant, String> {
    m.tenants
        .iter_mut()
        .find(|t| t.id == id)
        .ok_or_else(|| format!("tenant {} no longer exists", id.simple()))
}

/// Applies one change to MSP `m` at `at`; `Err` is the activity's failure reason (and then
/// nothing changed).
fn apply(
    m: &mut RuckusMsp,
    change: &Change,
    other_labels: &[String],
    at: DateTime<Utc>,
) -> Result<(), String> {
    match change {
        Change::CreateTenant(t, partners) => {
            if name_taken(m, &t.name, None) {
                return Err(format!(
                    "a tenant named {:?} already exists in this MSP; tenant names are unique per MSP",
                    t.name
                ));
            }
            let mut kinds = Vec::new();
            for (partner, _) in partners {
                match m
                    .tenants
                    .iter()
                    .find(|p| p.id == *partner && p.kind.is_partner())
                {
                    Some(p) => kinds.push(p.kind),
                    None => {
                        return Err(format!(
                            "tech partner {} no longer exists",
                            partner.simple()
                        ));
                    }
                }
            }
            let mut t = (**t).clone();
            t.created = Some(at);
            t.updated = Some(at);
            for ((partner, days), kind) in partners.iter().zip(kinds) {
                delegate(&mut t, *partner, kind, *days, at);
            }
            m.tenants.push(t);
            Ok(())
        }
        Change::UpdateTenant(id, u) => {
            if name_taken(m, &u.name, Some(*id)) {
                return Err(format!(
                    "a tenant named {:?} already exists in this MSP; tenant names are unique per MSP",
                    u.name
                ));
            }
            let t = tenant_mut(m, *id)?;
            u.apply_to(t);
            t.updated = Some(at);
            Ok(())
        }
        Change::SetTags(id, tags) => {
            let t = tenant_mut(m, *id)?;
            t.tags = tags.clone();
            t.updated = Some(at);
            Ok(())
        }
        Change::DeleteTenant(id) => {
            tenant_mut(m, *id)?;
            m.tenants.retain(|t| t.id != *id);
            for t in &mut m.tenants {
                t.delegations.retain(|d| d.partner != *id);
            }
            Ok(())
        }
        Change::SetPartnerCustomers {
            partner,
            customers,
            days,
        } => {
            let kind = tenant_mut(m, *partner)?.kind;
            for c in customers {
                tenant_mut(m, *c)?;
            }
            for t in &mut m.tenants {
                t.delegations.retain(|d| d.partner != *partner);
                if customers.contains(&t.id) {
                    delegate(t, *partner, kind, *days, at);
                }
            }
            Ok(())
        }
        Change::AddDelegations(list) => {
            for (partner, customer, _) in list {
                tenant_mut(m, *partner)?;
                tenant_mut(m, *customer)?;
            }
            for (partner, customer, days) in list {
                let kind = tenant_mut(m, *partner)?.kind;
                let t = tenant_mut(m, *customer)?;
                delegate(t, *partner, kind, *days, at);
            }
            Ok(())
        }
        Change::SetMspAdmins(list) => {
            for a in list {
                tenant_mut(m, a.customer)?;
            }
            let known: Vec<Uuid> = m.admins.iter().map(|a| a.id).collect();
            for a in list {
                if let Some(r) = a.roles.iter().find(|r| !known.contains(&r.admin)) {
                    return Err(format!(
                        "MSP administrator {} no longer exists",
                        r.admin.simple()
                    ));
                }
            }
            for a in list {
                let t = tenant_mut(m, a.customer)?;
                set_admins(&mut t.msp_admins, a.op, &a.roles);
                if let Some(g) = &a.privilege_groups {
                    t.privilege_group_ids = g.clone();
                }
                t.updated = Some(at);
            }
            Ok(())
        }
        Change::Branding(create, b) => {
            if *create && m.branding.is_some() {
                return Err("the MSP already has a branding; update it with PUT /brandings".into());
            }
            if !*create && m.branding.is_none() {
                return Err("the MSP has no branding to update".into());
            }
            if other_labels.contains(&b.msp_label.to_ascii_lowercase()) {
                return Err(format!(
                    "msp_label {:?} is already used by another MSP",
                    b.msp_label
                ));
            }
            m.branding = Some((**b).clone());
            Ok(())
        }
        Change::Firmware(customers, s) => {
            for c in customers {
                tenant_mut(m, *c)?;
            }
            for c in customers {
                let t = tenant_mut(m, *c)?;
                t.firmware = Some((**s).clone());
                t.updated = Some(at);
            }
            Ok(())
        }
    }
}

/// Delegates customer `t` to `partner`: a customer has at most one tech partner of each kind,
/// so a delegation to another partner of that kind replaces the old one.
fn delegate(
    t: &mut RuckusTenant,
    partner: Uuid,
    kind: super::TenantKind,
    days: Option<u32>,
    at: DateTime<Utc>,
) {
    t.delegations.retain(|d| d.kind != kind);
    t.delegations.push(super::Delegation {
        id: Uuid::new_v4(),
        partner,
        kind,
        created: Some(at),
        expires: days.map(|d| after(at, u64::from(d) * 86_400)),
    });
    t.updated = Some(at);
}

fn set_admins(current: &mut Vec<AdminRole>, op: AdminOp, roles: &[AdminRole]) {
    match op {
        AdminOp::Set => *current = roles.to_vec(),
        AdminOp::Add => {
            for r in roles {
                current.retain(|c| c.admin != r.admin);
                current.push(r.clone());
            }
        }
        AdminOp::Remove => current.retain(|c| !roles.iter().any(|r| r.admin == c.admin)),
    }
}
