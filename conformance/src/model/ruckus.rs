//! Reference model of a RUCKUS One MSP: its tenants (end customers and tech partners) with
//! their tech-partner delegations, the rules a write is checked against when it is sent, the
//! change its activity applies when it runs (and why it fails then), and what a tenant query
//! answers.
//!
//! Writes are asynchronous: the model keeps the changes applied so far ([`Tenants`]) and the
//! accepted activities not yet known to have run ([`RuckusModel::in_flight`]), in the order the
//! server runs them (acceptance order: every activity takes the same time). The server's state
//! is always the applied tenants plus some prefix of the in-flight changes.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// The kind of a managed tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An end customer (`MSP_EC`).
    Customer,
    /// A tech partner that integrates (`MSP_INTEGRATOR`).
    Integrator,
    /// A tech partner that installs (`MSP_INSTALLER`).
    Installer,
}

impl Kind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Customer => "MSP_EC",
            Kind::Integrator => "MSP_INTEGRATOR",
            Kind::Installer => "MSP_INSTALLER",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "MSP_EC" => Some(Kind::Customer),
            "MSP_INTEGRATOR" => Some(Kind::Integrator),
            "MSP_INSTALLER" => Some(Kind::Installer),
            _ => None,
        }
    }

    /// Whether this is a tech partner.
    pub fn is_partner(self) -> bool {
        self != Kind::Customer
    }

    /// The other tech-partner kind (a customer stays a customer).
    pub fn other_partner(self) -> Kind {
        match self {
            Kind::Integrator => Kind::Installer,
            Kind::Installer => Kind::Integrator,
            Kind::Customer => Kind::Customer,
        }
    }
}

/// One tenant of the MSP as the model knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantModel {
    /// Tenant id (32 lowercase hex).
    pub id: String,
    /// Name (unique per MSP, case-insensitively).
    pub name: String,
    /// Customer or tech partner.
    pub kind: Kind,
    /// For a customer: its integrator, if delegated to one.
    pub integrator: Option<String>,
    /// For a customer: its installer, if delegated to one.
    pub installer: Option<String>,
}

impl TenantModel {
    /// A new tenant with no delegations.
    pub fn new(id: &str, name: &str, kind: Kind) -> TenantModel {
        TenantModel {
            id: id.to_string(),
            name: name.to_string(),
            kind,
            integrator: None,
            installer: None,
        }
    }

    fn partner_slot(&mut self, kind: Kind) -> Option<&mut Option<String>> {
        match kind {
            Kind::Integrator => Some(&mut self.integrator),
            Kind::Installer => Some(&mut self.installer),
            Kind::Customer => None,
        }
    }

    /// Reads a tenant off an `MspEcDto` row (`None` without an id, name or known type).
    pub fn from_row(row: &Value) -> Option<TenantModel> {
        let first = |k: &str| {
            row.get(k)
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Some(TenantModel {
            id: row.get("id")?.as_str()?.to_string(),
            name: row.get("name")?.as_str()?.to_string(),
            kind: Kind::parse(row.get("tenantType")?.as_str()?)?,
            integrator: first("integrators"),
            installer: first("installers"),
        })
    }
}

/// What an accepted activity changes when it runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// `CreateMspEc`: adds the tenant (its name must still be free; its tech partner, if any,
    /// must still exist).
    Create(TenantModel),
    /// `UpdateMspEc`: renames the tenant (it must still exist; the name must be free).
    Rename {
        /// The tenant.
        id: String,
        /// Its new name.
        name: String,
    },
    /// `DeleteMspEc`: removes the tenant and every delegation to it.
    Delete(String),
    /// Replaces the customers delegated to a tech partner (partner and customers must still
    /// exist); a customer has one tech partner of each kind.
    SetPartner {
        /// The tech partner.
        partner: String,
        /// Its customers.
        customers: Vec<String>,
    },
}

/// The MSP's tenants after some changes, in creation order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tenants(pub Vec<TenantModel>);

/// How a tenant query sorts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortField {
    /// No `sortField`: the server's default, by name ascending.
    Default,
    /// `sortField: name`.
    Name,
    /// `sortField: tenantType`.
    TenantType,
}

impl SortField {
    /// The `sortField` sent, if any.
    pub fn wire(self) -> Option<&'static str> {
        match self {
            SortField::Default => None,
            SortField::Name => Some("name"),
            SortField::TenantType => Some("tenantType"),
        }
    }
}

/// A tenant query, as the family sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuerySpec {
    /// `filters: {tenantType: [kind]}`, if any.
    pub kind: Option<Kind>,
    /// `sortField`.
    pub sort: SortField,
    /// `sortOrder: DESC` (ignored without a sort field).
    pub desc: bool,
    /// `page` (1-based).
    pub page: usize,
    /// `pageSize`.
    pub page_size: usize,
}

/// A write's answer as the rules predict it: the status and the property it checks.
pub type Verdict = (u16, &'static str);

impl Tenants {
    /// The tenant with this id.
    pub fn get(&self, id: &str) -> Option<&TenantModel> {
        self.0.iter().find(|t| t.id == id)
    }

    fn get_mut(&mut self, id: &str) -> Result<&mut TenantModel, String> {
        self.0
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| format!("tenant {id} no longer exists"))
    }

    fn name_taken(&self, name: &str, except: Option<&str>) -> bool {
        let lower = name.to_lowercase();
        self.0
            .iter()
            .any(|t| Some(t.id.as_str()) != except && t.name.to_lowercase() == lower)
    }

    /// The customers delegated to tech partner `id`.
    pub fn customers_of(&self, id: &str) -> Vec<&TenantModel> {
        self.0
            .iter()
            .filter(|t| t.integrator.as_deref() == Some(id) || t.installer.as_deref() == Some(id))
            .collect()
    }

    /// Applies one activity's change as the server does when it runs; `Err` is the reason the
    /// activity fails (and then nothing changed).
    pub fn apply(&mut self, change: &Change) -> Result<(), String> {
        match change {
            Change::Create(t) => {
                if self.name_taken(&t.name, None) {
                    return Err(format!("a tenant named {:?} already exists", t.name));
                }
                for p in [&t.integrator, &t.installer].into_iter().flatten() {
                    if !self.get(p).is_some_and(|x| x.kind.is_partner()) {
                        return Err(format!("tech partner {p} no longer exists"));
                    }
                }
                self.0.push(t.clone());
                Ok(())
            }
            Change::Rename { id, name } => {
                if self.name_taken(name, Some(id)) {
                    return Err(format!("a tenant named {name:?} already exists"));
                }
                self.get_mut(id)?.name = name.clone();
                Ok(())
            }
            Change::Delete(id) => {
                self.get_mut(id)?;
                self.0.retain(|t| t.id != *id);
                for t in &mut self.0 {
                    for slot in [&mut t.integrator, &mut t.installer] {
                        if slot.as_deref() == Some(id.as_str()) {
                            *slot = None;
                        }
                    }
                }
                Ok(())
            }
            Change::SetPartner { partner, customers } => {
                let kind = self.get_mut(partner)?.kind;
                for c in customers {
                    self.get_mut(c)?;
                }
                for t in &mut self.0 {
                    let listed = customers.contains(&t.id);
                    if let Some(slot) = t.partner_slot(kind) {
                        if listed {
                            *slot = Some(partner.clone());
                        } else if slot.as_deref() == Some(partner.as_str()) {
                            *slot = None;
                        }
                    }
                }
                Ok(())
            }
        }
    }

    /// `POST /tenants` of one tenant of `kind`, delegated to `partner` as `asked` when given:
    /// a tech partner cannot be delegated, and the delegation type must be the partner's kind.
    pub fn create_verdict(&self, kind: Kind, partner: Option<(&str, Kind)>) -> Verdict {
        let Some((p, asked)) = partner else {
            return (202, "model.equality");
        };
        if kind.is_partner() {
            return (400, "domain.delegation");
        }
        match self.get(p) {
            Some(t) if t.kind == asked => (202, "domain.delegation"),
            _ => (400, "domain.delegation"),
        }
    }

    /// `PUT /tenants/{id}`.
    pub fn update_verdict(&self, id: &str) -> Verdict {
        if self.get(id).is_some() {
            (202, "model.equality")
        } else {
            (404, "model.equality")
        }
    }

    /// `DELETE /tenants/{id}`: a tech partner that still has customers cannot go.
    pub fn delete_verdict(&self, id: &str) -> Verdict {
        match self.get(id) {
            None => (404, "model.equality"),
            Some(t) if t.kind.is_partner() && !self.customers_of(id).is_empty() => {
                (400, "domain.delegation")
            }
            Some(_) => (202, "model.equality"),
        }
    }

    /// `PUT /tenants/{partner}/tenantDelegations` as `asked` for `customers`: the partner must
    /// be a tech partner (else 404), of the kind asked (else 400), and every customer one of the
    /// MSP's customers (else 400).
    pub fn delegate_verdict(&self, partner: &str, asked: Kind, customers: &[String]) -> Verdict {
        match self.get(partner) {
            None => (404, "model.equality"),
            Some(t) if !t.kind.is_partner() => (404, "domain.delegation"),
            Some(t) if t.kind != asked => (400, "domain.delegation"),
            Some(_) => {
                let all_customers = customers
                    .iter()
                    .all(|c| self.get(c).is_some_and(|t| t.kind == Kind::Customer));
                if all_customers {
                    (202, "domain.delegation")
                } else {
                    (400, "domain.delegation")
                }
            }
        }
    }

    /// A call acting in tenant `id` through `x-rks-tenantid`: only a managed tenant (or the MSP
    /// itself) may be named.
    pub fn header_verdict(&self, id: &str, msp: &str) -> Verdict {
        if id == msp || self.get(id).is_some() {
            (200, "isolation")
        } else {
            (403, "isolation")
        }
    }

    /// The tenants a query keeps, in its order: `totalCount` is their number, a page is
    /// `page_size` of them from `(page - 1) * page_size`.
    pub fn query(&self, q: &QuerySpec) -> Vec<&TenantModel> {
        let mut kept: Vec<&TenantModel> = self
            .0
            .iter()
            .filter(|t| q.kind.is_none_or(|k| t.kind == k))
            .collect();
        let key = |t: &TenantModel| match q.sort {
            SortField::Default | SortField::Name => t.name.to_lowercase(),
            SortField::TenantType => t.kind.as_str().to_lowercase(),
        };
        let desc = q.desc && q.sort != SortField::Default;
        kept.sort_by(|a, b| {
            let o = key(a).cmp(&key(b));
            let o = if desc { o.reverse() } else { o };
            o.then_with(|| a.id.cmp(&b.id))
        });
        kept
    }
}

/// One accepted activity.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityModel {
    /// Its id (the 202's `requestId`).
    pub id: String,
    /// When the server accepted it (server clock).
    pub accepted: DateTime<Utc>,
    /// What it changes.
    pub change: Change,
}

impl ActivityModel {
    /// The activity's use case, for messages.
    pub fn change_name(&self) -> &'static str {
        match self.change {
            Change::Create(_) => "CreateMspEc",
            Change::Rename { .. } => "UpdateMspEc",
            Change::Delete(_) => "DeleteMspEc",
            Change::SetPartner { .. } => "assign MspEc List To delegate",
        }
    }
}

/// The MSP under test.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuckusModel {
    /// The MSP's tenant id.
    pub msp: String,
    /// Tenants with every change known to have run applied.
    pub applied: Tenants,
    /// Accepted activities not yet known to have run, in run order.
    pub in_flight: Vec<ActivityModel>,
    /// Activities known to have run, with their outcome.
    pub done: Vec<(ActivityModel, Result<(), String>)>,
    /// Ids of tenants that were deleted during the case.
    pub gone: Vec<String>,
}

impl RuckusModel {
    /// The tenants once the first `k` in-flight activities ran, and each one's outcome.
    pub fn after(&self, k: usize) -> (Tenants, Vec<Result<(), String>>) {
        let mut t = self.applied.clone();
        let outcomes = self
            .in_flight
            .iter()
            .take(k)
            .map(|a| t.apply(&a.change))
            .collect();
        (t, outcomes)
    }

    /// Every tenant the case may address: the applied ones and those in-flight creates add.
    pub fn every_tenant(&self) -> Vec<TenantModel> {
        let mut out = self.applied.0.clone();
        for a in &self.in_flight {
            if let Change::Create(t) = &a.change
                && !out.iter().any(|x| x.id == t.id)
            {
                out.push(t.clone());
            }
        }
        out
    }

    /// Records that the first `k` in-flight activities ran.
    pub fn commit(&mut self, k: usize) {
        for a in self.in_flight.drain(..k.min(self.in_flight.len())) {
            let outcome = self.applied.apply(&a.change);
            if let (Ok(()), Change::Delete(id)) = (&outcome, &a.change) {
                self.gone.push(id.clone());
            }
            self.done.push((a, outcome));
        }
    }
}

/// An activity's `status`.
pub fn status_of(v: &Value) -> Option<&str> {
    v.get("status").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> Tenants {
        let mut c = TenantModel::new("c1", "Acme", Kind::Customer);
        c.integrator = Some("i1".into());
        Tenants(vec![
            c,
            TenantModel::new("c2", "beta", Kind::Customer),
            TenantModel::new("i1", "Wired", Kind::Integrator),
            TenantModel::new("n1", "Ladder", Kind::Installer),
        ])
    }

    #[test]
    fn delegation_rules() {
        let w = world();
        assert_eq!(w.delegate_verdict("i1", Kind::Installer, &[]).0, 400);
        assert_eq!(w.delegate_verdict("c1", Kind::Integrator, &[]).0, 404);
        assert_eq!(w.delegate_verdict("zz", Kind::Integrator, &[]).0, 404);
        assert_eq!(
            w.delegate_verdict("i1", Kind::Integrator, &["n1".into()]).0,
            400
        );
        assert_eq!(
            w.delegate_verdict("i1", Kind::Integrator, &["c2".into()]).0,
            202
        );
        assert_eq!(w.delete_verdict("i1").0, 400);
        assert_eq!(w.delete_verdict("n1").0, 202);
        assert_eq!(
            w.create_verdict(Kind::Customer, Some(("n1", Kind::Integrator)))
                .0,
            400
        );
        assert_eq!(
            w.create_verdict(Kind::Integrator, Some(("n1", Kind::Installer)))
                .0,
            400
        );
        assert_eq!(
            w.create_verdict(Kind::Customer, Some(("n1", Kind::Installer)))
                .0,
            202
        );
    }

    #[test]
    fn changes_apply_in_order_and_fail_with_a_reason() {
        let mut w = world();
        let set = Change::SetPartner {
            partner: "i1".into(),
            customers: vec!["c2".into()],
        };
        assert_eq!(w.apply(&set), Ok(()));
        assert_eq!(w.get("c1").and_then(|t| t.integrator.clone()), None);
        assert_eq!(
            w.get("c2").and_then(|t| t.integrator.clone()).as_deref(),
            Some("i1")
        );
        let dup = Change::Create(TenantModel::new("x", "ACME", Kind::Customer));
        assert!(w.apply(&dup).is_err());
        assert!(
            w.apply(&Change::Rename {
                id: "c2".into(),
                name: "acme".into()
            })
            .is_err()
        );
        assert_eq!(w.apply(&Change::Delete("i1".into())), Ok(()));
        assert_eq!(w.get("c2").and_then(|t| t.integrator.clone()), None);
        assert!(w.apply(&Change::Delete("i1".into())).is_err());
    }

    #[test]
    fn queries_sort_by_name_or_type_then_id() {
        let w = world();
        let ids = |q: QuerySpec| w.query(&q).iter().map(|t| t.id.clone()).collect::<Vec<_>>();
        let q = QuerySpec {
            kind: None,
            sort: SortField::Default,
            desc: true,
            page: 1,
            page_size: 10,
        };
        assert_eq!(ids(q), ["c1", "c2", "n1", "i1"]);
        let q = QuerySpec {
            sort: SortField::TenantType,
            desc: true,
            ..q
        };
        assert_eq!(ids(q), ["i1", "n1", "c1", "c2"]);
        let q = QuerySpec {
            kind: Some(Kind::Customer),
            sort: SortField::Name,
            ..q
        };
        assert_eq!(ids(q), ["c2", "c1"]);
    }
}
