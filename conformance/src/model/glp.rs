//! Reference model of the GreenLake MSP-tenant state: what the server should hold and answer.
//!
//! The model starts from what the server lists at the start of a case (so it works against any
//! server, not only the mock's fixture) and then predicts every answer: which statuses an
//! operation may return, which tenants a filtered page holds and in what order. Values only the
//! server can know (ids, timestamps, whether a pre-existing tenant holds devices, the cap when
//! the admin API cannot set it) are learned at their first observation and must stay
//! consistent afterwards.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

/// Countries the vendor view refuses with 451 (export restrictions).
pub const RESTRICTED_COUNTRIES: &[&str] = &["CU", "IR", "KP", "SY"];

/// One tenant as the model knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantModel {
    /// Workspace id.
    pub id: Uuid,
    /// `workspaceName`.
    pub name: String,
    /// `inventoryOwnership` wire value.
    pub ownership: String,
    /// Update counter, when known (learned for pre-existing tenants).
    pub generation: Option<u64>,
    /// `createdAt` (learned).
    pub created_at: Option<DateTime<Utc>>,
    /// `updatedAt` (learned; forgotten by an update).
    pub updated_at: Option<DateTime<Utc>>,
    /// `createdBy` (learned).
    pub created_by: Option<String>,
    /// Address country: `None` = unknown, `Some(None)` = no address.
    pub country: Option<Option<String>>,
    /// Whether the tenant holds devices (a delete answers 409): unknown for pre-existing ones.
    pub has_devices: Option<bool>,
    /// Position in creation order (ties of `createdAt` break by id, per the spec).
    pub seq: u64,
}

/// One MSP workspace's tenants.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MspModel {
    /// MSP workspace id.
    pub workspace_id: Uuid,
    /// Its tenants (any order; [`MspModel::ordered`] sorts them).
    pub tenants: Vec<TenantModel>,
    /// The tenant cap when known.
    pub cap: Option<usize>,
    /// Ids of tenants deleted during the case.
    pub gone: Vec<Uuid>,
    next_seq: u64,
}

/// Whether two tenant names collide (the spec: unique per MSP, case-insensitively).
pub fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

impl MspModel {
    /// An empty model of `workspace_id`.
    pub fn new(workspace_id: Uuid) -> MspModel {
        MspModel {
            workspace_id,
            ..Default::default()
        }
    }

    /// Adds a tenant observed in a listing (start of a case).
    pub fn learn_listed(&mut self, item: &Value) -> Result<(), String> {
        let id = item_id(item)?;
        let mut t = TenantModel {
            id,
            name: str_field(item, "workspaceName").unwrap_or_default(),
            ownership: str_field(item, "inventoryOwnership")
                .unwrap_or_else(|| "MSP_OWNED_INVENTORY".into()),
            generation: None,
            created_at: None,
            updated_at: None,
            created_by: None,
            country: None,
            has_devices: None,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        observe_tenant(&mut t, item)?;
        self.tenants.push(t);
        Ok(())
    }

    /// Records a tenant the server just created.
    pub fn add_created(&mut self, id: Uuid, name: &str, ownership: &str, country: Option<String>) {
        self.tenants.push(TenantModel {
            id,
            name: name.to_string(),
            ownership: ownership.to_string(),
            generation: Some(0),
            created_at: None,
            updated_at: None,
            created_by: None,
            country: Some(country),
            has_devices: Some(false),
            seq: self.next_seq,
        });
        self.next_seq += 1;
    }

    /// The live tenant with this id.
    pub fn get(&self, id: Uuid) -> Option<&TenantModel> {
        self.tenants.iter().find(|t| t.id == id)
    }

    /// The live tenant with this id, mutable.
    pub fn get_mut(&mut self, id: Uuid) -> Option<&mut TenantModel> {
        self.tenants.iter_mut().find(|t| t.id == id)
    }

    /// Removes a tenant.
    pub fn remove(&mut self, id: Uuid) {
        self.tenants.retain(|t| t.id != id);
        self.gone.push(id);
    }

    /// Whether another tenant (not `except`) already has a colliding name.
    pub fn name_taken(&self, name: &str, except: Option<Uuid>) -> bool {
        self.tenants
            .iter()
            .any(|t| Some(t.id) != except && same_name(&t.name, name))
    }

    /// The tenants in list order: creation time, ties by id.
    pub fn ordered(&self) -> Vec<&TenantModel> {
        let mut v: Vec<&TenantModel> = self.tenants.iter().collect();
        v.sort_by(|a, b| match (a.created_at, b.created_at) {
            (Some(x), Some(y)) => x
                .cmp(&y)
                .then_with(|| a.id.to_string().cmp(&b.id.to_string())),
            _ => a.seq.cmp(&b.seq),
        });
        v
    }

    /// The tenants matching `filter`, in list order.
    pub fn matching(&self, filter: Option<&FilterSpec>) -> Vec<&TenantModel> {
        self.ordered()
            .into_iter()
            .filter(|t| filter.is_none_or(|f| f.eval(t)))
            .collect()
    }
}

/// The id of a listed item.
pub fn item_id(item: &Value) -> Result<Uuid, String> {
    item.get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| format!("item has no uuid `id`: {item}"))
}

fn str_field(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

fn time_field(v: &Value, k: &str) -> Result<Option<DateTime<Utc>>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|e| format!("`{k}` is not a date-time ({s:?}): {e}")),
        Some(other) => Err(format!("`{k}` is not a string: {other}")),
    }
}

/// Compares a tenant representation (a list item or a workspace record) with the model,
/// learning the values the model did not know yet. `Err` says what differs.
pub fn observe_tenant(t: &mut TenantModel, item: &Value) -> Result<(), String> {
    let id = item_id(item)?;
    if id != t.id {
        return Err(format!("expected tenant {}, got {id}", t.id));
    }
    match str_field(item, "workspaceName") {
        Some(n) if n == t.name => {}
        other => {
            return Err(format!(
                "tenant {}: workspaceName is {other:?}, the model says {:?}",
                t.id, t.name
            ));
        }
    }
    if let Some(o) = str_field(item, "inventoryOwnership")
        && o != t.ownership
    {
        return Err(format!(
            "tenant {}: inventoryOwnership is {o:?}, the model says {:?}",
            t.id, t.ownership
        ));
    }
    if let Some(g) = item.get("generation").and_then(Value::as_u64) {
        match t.generation {
            Some(known) if known != g => {
                return Err(format!(
                    "tenant {}: generation is {g}, the model says {known}",
                    t.id
                ));
            }
            _ => t.generation = Some(g),
        }
    }
    let created = time_field(item, "createdAt")?;
    match (t.created_at, created) {
        (Some(a), Some(b)) if a != b => {
            return Err(format!(
                "tenant {}: createdAt changed from {a} to {b}",
                t.id
            ));
        }
        (None, Some(b)) => t.created_at = Some(b),
        _ => {}
    }
    let updated = time_field(item, "updatedAt")?;
    if let (Some(c), Some(u)) = (t.created_at, updated)
        && u < c
    {
        return Err(format!(
            "tenant {}: updatedAt {u} is before createdAt {c}",
            t.id
        ));
    }
    match (t.updated_at, updated) {
        (Some(a), Some(b)) if a != b => {
            return Err(format!(
                "tenant {}: updatedAt changed from {a} to {b} without an update",
                t.id
            ));
        }
        (None, Some(b)) => t.updated_at = Some(b),
        _ => {}
    }
    if let Some(by) = str_field(item, "createdBy") {
        match &t.created_by {
            Some(known) if *known != by => {
                return Err(format!(
                    "tenant {}: createdBy changed from {known:?} to {by:?}",
                    t.id
                ));
            }
            _ => t.created_by = Some(by),
        }
    }
    Ok(())
}

/// A comparison operator of the OData subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
        }
    }

    fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => o == Equal,
            Op::Ne => o != Equal,
            Op::Gt => o == Greater,
            Op::Ge => o != Less,
            Op::Lt => o == Less,
            Op::Le => o != Greater,
        }
    }
}

/// One comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Cmp {
    /// `workspaceName op 'literal'` (case-sensitive string order).
    Name(Op, String),
    /// `inventoryOwnership op 'literal'`.
    Ownership(Op, String),
    /// `id op 'uuid'`.
    Id(Op, Uuid),
    /// `createdAt op 'date-time'`.
    CreatedAt(Op, DateTime<Utc>),
}

/// A filter the suite sends (and the model evaluates).
#[derive(Clone, Debug, PartialEq)]
pub enum FilterSpec {
    /// One comparison.
    One(Cmp),
    /// Both.
    And(Cmp, Cmp),
    /// Either.
    Or(Cmp, Cmp),
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Cmp {
    /// The OData text.
    pub fn text(&self) -> String {
        match self {
            Cmp::Name(op, s) => format!("workspaceName {} {}", op.text(), quote(s)),
            Cmp::Ownership(op, s) => format!("inventoryOwnership {} {}", op.text(), quote(s)),
            Cmp::Id(op, id) => format!("id {} {}", op.text(), quote(&id.to_string())),
            Cmp::CreatedAt(op, t) => format!(
                "createdAt {} {}",
                op.text(),
                quote(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            ),
        }
    }

    /// Whether `t` matches (an unknown `createdAt` never matches).
    pub fn eval(&self, t: &TenantModel) -> bool {
        match self {
            Cmp::Name(op, s) => op.holds(t.name.as_str().cmp(s.as_str())),
            Cmp::Ownership(op, s) => op.holds(t.ownership.as_str().cmp(s.as_str())),
            Cmp::Id(op, id) => op.holds(t.id.to_string().cmp(&id.to_string())),
            Cmp::CreatedAt(op, at) => t.created_at.is_some_and(|c| op.holds(c.cmp(at))),
        }
    }
}

impl FilterSpec {
    /// The OData text.
    pub fn text(&self) -> String {
        match self {
            FilterSpec::One(c) => c.text(),
            FilterSpec::And(a, b) => format!("{} and {}", a.text(), b.text()),
            FilterSpec::Or(a, b) => format!("{} or {}", a.text(), b.text()),
        }
    }

    /// Whether `t` matches.
    pub fn eval(&self, t: &TenantModel) -> bool {
        match self {
            FilterSpec::One(c) => c.eval(t),
            FilterSpec::And(a, b) => a.eval(t) && b.eval(t),
            FilterSpec::Or(a, b) => a.eval(t) || b.eval(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str) -> TenantModel {
        TenantModel {
            id: Uuid::new_v4(),
            name: name.into(),
            ownership: "MSP_OWNED_INVENTORY".into(),
            generation: Some(0),
            created_at: None,
            updated_at: None,
            created_by: None,
            country: None,
            has_devices: Some(false),
            seq: 0,
        }
    }

    #[test]
    fn filters_render_and_evaluate() {
        let f = FilterSpec::Or(
            Cmp::Name(Op::Eq, "O'Brien".into()),
            Cmp::Ownership(Op::Ne, "MSP_OWNED_INVENTORY".into()),
        );
        assert_eq!(
            f.text(),
            "workspaceName eq 'O''Brien' or inventoryOwnership ne 'MSP_OWNED_INVENTORY'"
        );
        assert!(f.eval(&t("O'Brien")));
        assert!(!f.eval(&t("Other")));
        assert!(Cmp::Name(Op::Lt, "B".into()).eval(&t("A")));
        assert!(!Cmp::Name(Op::Lt, "B".into()).eval(&t("a")));
    }

    #[test]
    fn names_collide_case_insensitively() {
        let mut m = MspModel::new(Uuid::new_v4());
        m.add_created(Uuid::new_v4(), "Alpha", "MSP_OWNED_INVENTORY", None);
        assert!(m.name_taken("ALPHA", None));
        let id = m.tenants[0].id;
        assert!(!m.name_taken("alpha", Some(id)));
    }
}
