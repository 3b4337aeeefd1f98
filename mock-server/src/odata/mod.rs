//! The one OData engine of the mock: the `filter` subset and the `sort` keys of every list
//! (GreenLake tenants and workspaces, devices, audit logs, Central's device inventory).
//!
//! A list's owner declares what it exposes: a [`Fields`] table (wire name → key and [`Kind`],
//! the operators the list accepts, the spec operation whose `filter` parameter bounds the
//! length) and a [`Row`] impl that answers a key with a borrowed [`Prop`]. [`parse`] checks a
//! filter against the table once per request, typing each literal for its field, and
//! [`Filter::matches`] evaluates it per row without allocating: comparisons, `in`, `not`,
//! parentheses and the `contains`/`startswith`/`endswith` functions. [`sort`] parses the two
//! `sort` syntaxes the specs use, [`select`] the `select` projections.
//!
//! Hand-written because no maintained Rust crate parses OData filters; the subset is small and a
//! recursive-descent parser gives precise error messages.

mod filter;
pub mod select;
pub mod sort;

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use filter::{Filter, parse};

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `eq`.
    Eq,
    /// `ne`.
    Ne,
    /// `gt`.
    Gt,
    /// `ge`.
    Ge,
    /// `lt`.
    Lt,
    /// `le`.
    Le,
}

impl Op {
    /// Every operator of the subset, as GreenLake lists accept them.
    pub const ALL: &'static [Op] = &[Op::Eq, Op::Ne, Op::Gt, Op::Ge, Op::Lt, Op::Le];
    /// Equality only (Central's device inventory).
    pub const EQUALITY: &'static [Op] = &[Op::Eq, Op::Ne];

    /// The operator spelled `word` (lowercase, as in OData).
    pub fn from_word(word: &str) -> Option<Op> {
        Some(match word {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            _ => return None,
        })
    }

    /// The operator's spelling.
    pub fn word(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
        }
    }
}

/// How a field's literals are written and compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A single-quoted string, compared case-sensitively.
    Text,
    /// A date-time (RFC 3339, or ISO 8601 without an offset meaning UTC), quoted or bare,
    /// compared in time order.
    Time,
    /// A uuid, dashed or not, quoted or bare.
    Uuid,
    /// A bare `true` or `false`.
    Bool,
}

/// One filterable field of a list: its wire name, the key its rows answer, its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field<K> {
    /// The name a filter writes (case-sensitive).
    pub name: &'static str,
    /// What [`Row::prop`] is asked for.
    pub key: K,
    /// How its literals are typed.
    pub kind: Kind,
}

impl<K> Field<K> {
    /// A text field.
    pub const fn text(name: &'static str, key: K) -> Self {
        Field {
            name,
            key,
            kind: Kind::Text,
        }
    }

    /// A date-time field.
    pub const fn time(name: &'static str, key: K) -> Self {
        Field {
            name,
            key,
            kind: Kind::Time,
        }
    }

    /// A uuid field.
    pub const fn uuid(name: &'static str, key: K) -> Self {
        Field {
            name,
            key,
            kind: Kind::Uuid,
        }
    }

    /// A boolean field.
    pub const fn boolean(name: &'static str, key: K) -> Self {
        Field {
            name,
            key,
            kind: Kind::Bool,
        }
    }
}

/// How an open table answers any name: its kind, and the key a name maps to.
type OpenField<K> = (Kind, fn(&str) -> K);

/// The filter grammar of one list, declared (as a `static`) by the list's owner.
#[derive(Debug)]
pub struct Fields<K: 'static> {
    spec: &'static str,
    operation: &'static str,
    ops: &'static [Op],
    fields: &'static [Field<K>],
    open: Option<OpenField<K>>,
    max_len: OnceLock<Option<usize>>,
}

impl<K: 'static> Fields<K> {
    /// The table of the list served by `operation` (an `operationId`) of the spec `spec`,
    /// accepting `ops` over `fields`.
    pub const fn new(
        spec: &'static str,
        operation: &'static str,
        ops: &'static [Op],
        fields: &'static [Field<K>],
    ) -> Self {
        Fields {
            spec,
            operation,
            ops,
            fields,
            open: None,
            max_len: OnceLock::new(),
        }
    }

    /// An open table (e.g. tags, whose names are the user's): every name a filter writes is a
    /// field of `kind`, answered by the key `key(name)`.
    pub const fn open(
        spec: &'static str,
        operation: &'static str,
        ops: &'static [Op],
        kind: Kind,
        key: fn(&str) -> K,
    ) -> Self {
        Fields {
            spec,
            operation,
            ops,
            fields: &[],
            open: Some((kind, key)),
            max_len: OnceLock::new(),
        }
    }

    /// The key and kind of the field a filter writes as `name`, if the list has it.
    pub fn field(&self, name: &str) -> Option<(K, Kind)>
    where
        K: Clone,
    {
        match self.fields.iter().find(|f| f.name == name) {
            Some(f) => Some((f.key.clone(), f.kind)),
            None => self.open.map(|(kind, key)| (key(name), kind)),
        }
    }

    /// The filterable names, comma-separated, as error messages list them.
    pub fn known(&self) -> String {
        if self.open.is_some() {
            return "any name".to_owned();
        }
        self.fields
            .iter()
            .map(|f| f.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The fields, in the order error messages list them.
    pub fn fields(&self) -> &'static [Field<K>] {
        self.fields
    }

    /// The operators the list accepts.
    pub fn ops(&self) -> &'static [Op] {
        self.ops
    }

    /// The longest filter accepted, in characters: the `maxLength` of the operation's `filter`
    /// query parameter in its spec, read once. `None` when the spec declares no bound (a unit
    /// test keeps every list's spec declaring one).
    pub fn max_len(&self) -> Option<usize> {
        *self
            .max_len
            .get_or_init(|| filter_max_len(self.spec, self.operation))
    }
}

/// The `maxLength` of the `filter` query parameter of `operation` in the embedded spec `spec`.
fn filter_max_len(spec: &str, operation: &str) -> Option<usize> {
    let spec = msp_spec::Spec::load(spec).ok()?;
    let (path, method, _) = spec
        .operations()
        .into_iter()
        .find(|(_, _, op)| op.operation_id.as_deref() == Some(operation))?;
    let item = spec
        .json()
        .pointer(&format!("/paths/{}", msp_spec::escape_pointer(path)))?;
    let declared =
        |v: Option<&serde_json::Value>| v.and_then(|p| p.as_array()).cloned().unwrap_or_default();
    let mut params = declared(item.get(method).and_then(|op| op.get("parameters")));
    params.extend(declared(item.get("parameters")));
    let param = params
        .iter()
        .filter_map(|p| spec.resolve(p))
        .find(|p| p["name"] == "filter" && p["in"] == "query")?;
    let schema = spec.resolve(param.get("schema")?)?;
    usize::try_from(schema.get("maxLength")?.as_u64()?).ok()
}

/// A property value of a row, borrowed from the row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Prop<'a> {
    /// Text.
    Str(&'a str),
    /// A date-time.
    Time(DateTime<Utc>),
    /// A uuid.
    Uuid(Uuid),
    /// A boolean.
    Bool(bool),
    /// Absent or null.
    Null,
}

impl<'a> Prop<'a> {
    /// Text, or [`Prop::Null`] when empty.
    pub fn non_empty(s: &'a str) -> Self {
        if s.is_empty() {
            Prop::Null
        } else {
            Prop::Str(s)
        }
    }

    /// A date-time, or [`Prop::Null`] when absent.
    pub fn time(t: Option<DateTime<Utc>>) -> Self {
        t.map_or(Prop::Null, Prop::Time)
    }

    /// Text, or [`Prop::Null`] when absent.
    pub fn opt_str(s: Option<&'a str>) -> Self {
        s.map_or(Prop::Null, Prop::Str)
    }
}

/// Something a filter of key type `K` can be evaluated on.
pub trait Row<K> {
    /// The value of `key` (a key of the list's [`Fields`]).
    fn prop(&self, key: K) -> Prop<'_>;
}

impl<K, R: Row<K> + ?Sized> Row<K> for &R {
    fn prop(&self, key: K) -> Prop<'_> {
        (**self).prop(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list reads its filter bound from its spec, and every spec says 2048.
    #[test]
    fn every_list_takes_its_filter_bound_from_the_spec() {
        let bounds = [
            (
                "vendor tenants",
                crate::glp::workspaces::CAMEL_FIELDS.max_len(),
            ),
            (
                "doc tenants",
                crate::glp::management::SNAKE_FIELDS.max_len(),
            ),
            (
                "doc workspaces",
                crate::glp::management::SNAKE_WORKSPACE_FIELDS.max_len(),
            ),
            ("devices", crate::glp::devices::DEVICE_FIELDS.max_len()),
            ("audit logs", crate::glp::audit::AUDIT_FIELDS.max_len()),
            ("inventory", crate::central::INVENTORY_FIELDS.max_len()),
        ];
        for (list, bound) in bounds {
            assert_eq!(bound, Some(2048), "{list}");
        }
    }

    #[test]
    fn an_unknown_operation_has_no_bound() {
        assert_eq!(filter_max_len("glp-workspaces", "no_such_operation"), None);
        assert_eq!(filter_max_len("no-such-spec", "list_msp_tenants"), None);
        // An operation without a filter parameter.
        assert_eq!(filter_max_len("glp-workspaces", "delete_msp_tenant"), None);
    }

    #[test]
    fn operators_round_trip() {
        for op in Op::ALL {
            assert_eq!(Op::from_word(op.word()), Some(*op));
        }
        assert_eq!(Op::from_word("EQ"), None);
    }
}
