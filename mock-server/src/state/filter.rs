//! The OData 4.0 `$filter` subset GreenLake's workspace APIs accept.
//!
//! Grammar (operators and keywords are lowercase, as in OData):
//! ```text
//! expr       := and_expr ( "or" and_expr )*
//! and_expr   := primary ( "and" primary )*
//! primary    := "(" expr ")" | field op literal
//! op         := eq | ne | gt | ge | lt | le
//! literal    := 'single-quoted, '' escapes a quote' | bare-word (dates, numbers, null)
//! ```
//! Hand-written because no maintained Rust crate parses OData filters; the subset is small and a
//! recursive-descent parser gives precise error messages. Input length and nesting depth are
//! bounded so hostile input cannot exhaust the stack.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use super::model::Tenant;

/// The filterable view of one workspace (a tenant, or an MSP in the workspace list).
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    /// Workspace id, hyphenated lowercase.
    pub id: String,
    /// Workspace name.
    pub name: &'a str,
    /// `MSP` or `MSP_TENANT`.
    pub workspace_type: &'static str,
    /// Creation time.
    pub created_at: Option<DateTime<Utc>>,
    /// Update time.
    pub updated_at: Option<DateTime<Utc>>,
    /// Creator.
    pub created_by: Option<&'a str>,
    /// Inventory ownership (tenants only).
    pub inventory_ownership: Option<&'static str>,
}

impl<'a> Row<'a> {
    /// The row of a tenant.
    pub fn of_tenant(t: &'a Tenant) -> Self {
        Row {
            id: t.id.hyphenated().to_string(),
            name: &t.name,
            workspace_type: "MSP_TENANT",
            created_at: t.created_at,
            updated_at: t.updated_at,
            created_by: t.created_by.as_deref(),
            inventory_ownership: Some(t.inventory_ownership.as_str()),
        }
    }
}

/// Longest filter accepted, in bytes.
pub const MAX_FILTER_LEN: usize = 4096;
/// Deepest parenthesis nesting accepted.
pub const MAX_DEPTH: usize = 32;

/// A filterable tenant field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Workspace id.
    Id,
    /// Creation time.
    CreatedAt,
    /// Update time.
    UpdatedAt,
    /// Workspace name.
    WorkspaceName,
    /// Creator e-mail.
    CreatedBy,
    /// Inventory ownership.
    InventoryOwnership,
    /// Workspace type (`MSP`, `MSP_TENANT`), workspace lists only.
    WorkspaceType,
}

/// Field names of the vendor (`/workspaces/v1`) API.
pub const CAMEL_FIELDS: &[(&str, Field)] = &[
    ("id", Field::Id),
    ("createdAt", Field::CreatedAt),
    ("updatedAt", Field::UpdatedAt),
    ("workspaceName", Field::WorkspaceName),
    ("createdBy", Field::CreatedBy),
    ("inventoryOwnership", Field::InventoryOwnership),
];

/// Tenant field names of the `/workspace-management/v1` view.
pub const SNAKE_FIELDS: &[(&str, Field)] = &[
    ("workspace_id", Field::Id),
    ("workspace_name", Field::WorkspaceName),
    ("created_at", Field::CreatedAt),
    ("updated_at", Field::UpdatedAt),
    ("created_by", Field::CreatedBy),
    ("inventory_ownership", Field::InventoryOwnership),
];

/// Workspace-list field names of the `/workspace-management/v1` view.
pub const SNAKE_WORKSPACE_FIELDS: &[(&str, Field)] = &[
    ("workspace_id", Field::Id),
    ("workspace_name", Field::WorkspaceName),
    ("workspace_type", Field::WorkspaceType),
    ("created_at", Field::CreatedAt),
    ("updated_at", Field::UpdatedAt),
    ("created_by", Field::CreatedBy),
];

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Greater than.
    Gt,
    /// Greater or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less or equal.
    Le,
}

/// A comparison literal, already typed for its field.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string (names, e-mails, ids, enum values).
    Str(String),
    /// A date-time.
    Time(DateTime<Utc>),
    /// `null`.
    Null,
}

/// A parsed filter expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    /// Both sides hold.
    And(Box<Filter>, Box<Filter>),
    /// Either side holds.
    Or(Box<Filter>, Box<Filter>),
    /// `field op literal`.
    Cmp(Field, Op, Value),
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Quoted(String),
    Word(String),
}

fn tokenize(input: &str) -> Result<Vec<(usize, Tok)>, String> {
    let mut out = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(pos, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push((pos, Tok::LParen));
            }
            ')' => {
                chars.next();
                out.push((pos, Tok::RParen));
            }
            '\'' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\'')) => {
                            if matches!(chars.peek(), Some((_, '\''))) {
                                chars.next();
                                s.push('\'');
                            } else {
                                break;
                            }
                        }
                        Some((_, ch)) => s.push(ch),
                        None => {
                            return Err(format!(
                                "unterminated string literal starting at position {pos}"
                            ));
                        }
                    }
                }
                out.push((pos, Tok::Quoted(s)));
            }
            c if c.is_alphanumeric() || "_-:.+".contains(c) => {
                let mut s = String::new();
                while let Some(&(_, ch)) = chars.peek() {
                    if ch.is_alphanumeric() || "_-:.+".contains(ch) {
                        s.push(ch);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push((pos, Tok::Word(s)));
            }
            other => {
                return Err(format!("unexpected character {other:?} at position {pos}"));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(usize, Tok)>,
    at: usize,
    fields: &'a [(&'a str, Field)],
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(_, t)| t)
    }

    fn pos(&self) -> String {
        match self.toks.get(self.at) {
            Some((p, _)) => format!("position {p}"),
            None => "end of filter".to_owned(),
        }
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).map(|(_, t)| t.clone());
        self.at += 1;
        t
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn expr(&mut self) -> Result<Filter, String> {
        let mut left = self.and_expr()?;
        while self.is_word("or") {
            self.next();
            let right = self.and_expr()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Filter, String> {
        let mut left = self.primary()?;
        while self.is_word("and") {
            self.next();
            let right = self.primary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Filter, String> {
        let pos = self.pos();
        match self.next() {
            Some(Tok::LParen) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(format!("parentheses nested deeper than {MAX_DEPTH}"));
                }
                let inner = self.expr()?;
                let close = self.pos();
                match self.next() {
                    Some(Tok::RParen) => {
                        self.depth -= 1;
                        Ok(inner)
                    }
                    _ => Err(format!("expected ')' at {close}")),
                }
            }
            Some(Tok::Word(name)) => {
                let field = self
                    .fields
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, f)| *f)
                    .ok_or_else(|| {
                        let known: Vec<&str> = self.fields.iter().map(|(n, _)| *n).collect();
                        format!(
                            "unknown field '{name}' at {pos}; filterable fields are {}",
                            known.join(", ")
                        )
                    })?;
                let op_pos = self.pos();
                let op = match self.next() {
                    Some(Tok::Word(w)) => match w.as_str() {
                        "eq" => Op::Eq,
                        "ne" => Op::Ne,
                        "gt" => Op::Gt,
                        "ge" => Op::Ge,
                        "lt" => Op::Lt,
                        "le" => Op::Le,
                        _ => {
                            return Err(format!(
                                "unknown operator '{w}' at {op_pos}; use eq, ne, gt, ge, lt or le"
                            ));
                        }
                    },
                    _ => return Err(format!("expected an operator after '{name}' at {op_pos}")),
                };
                let lit_pos = self.pos();
                let value = match self.next() {
                    Some(Tok::Quoted(s)) => typed(field, &name, s, false)?,
                    Some(Tok::Word(w)) => typed(field, &name, w, true)?,
                    _ => return Err(format!("expected a value for '{name}' at {lit_pos}")),
                };
                Ok(Filter::Cmp(field, op, value))
            }
            Some(Tok::Quoted(_)) => Err(format!("expected a field name at {pos}, found a string")),
            Some(Tok::RParen) => Err(format!("unexpected ')' at {pos}")),
            None => Err("filter ends where a comparison was expected".to_owned()),
        }
    }
}

fn typed(field: Field, name: &str, raw: String, bare: bool) -> Result<Value, String> {
    if bare && raw == "null" {
        return Ok(Value::Null);
    }
    match field {
        Field::CreatedAt | Field::UpdatedAt => DateTime::parse_from_rfc3339(&raw)
            .or_else(|_| {
                // ISO 8601 without an offset means UTC.
                chrono::NaiveDateTime::parse_from_str(&raw, "%Y-%m-%dT%H:%M:%S%.f")
                    .map(|n| n.and_utc().fixed_offset())
            })
            .map(|d| Value::Time(d.with_timezone(&Utc)))
            .map_err(|_| {
                format!("'{raw}' is not a date-time for '{name}'; write e.g. 2024-01-31T12:00:00Z")
            }),
        Field::Id => match uuid::Uuid::parse_str(&raw) {
            Ok(u) => Ok(Value::Str(u.hyphenated().to_string())),
            Err(_) => Err(format!("'{raw}' is not a workspace id (uuid) for '{name}'")),
        },
        _ if bare => Err(format!(
            "the value for '{name}' must be a quoted string, e.g. {name} eq 'text'"
        )),
        _ => Ok(Value::Str(raw)),
    }
}

/// Parses a filter, naming the problem in the error when it is not valid.
pub fn parse(input: &str, fields: &[(&str, Field)]) -> Result<Filter, String> {
    if input.len() > MAX_FILTER_LEN {
        return Err(format!("filter longer than {MAX_FILTER_LEN} characters"));
    }
    let toks = tokenize(input)?;
    if toks.is_empty() {
        return Err("filter is empty".to_owned());
    }
    let mut p = Parser {
        toks,
        at: 0,
        fields,
        depth: 0,
    };
    let f = p.expr()?;
    if p.at < p.toks.len() {
        let pos = p.pos();
        return Err(format!(
            "unexpected text at {pos}; join comparisons with 'and' or 'or'"
        ));
    }
    Ok(f)
}

fn cmp_holds(ord: Option<Ordering>, op: Op) -> bool {
    match (ord, op) {
        (None, Op::Ne) => true,
        (None, _) => false,
        (Some(o), Op::Eq) => o == Ordering::Equal,
        (Some(o), Op::Ne) => o != Ordering::Equal,
        (Some(o), Op::Gt) => o == Ordering::Greater,
        (Some(o), Op::Ge) => o != Ordering::Less,
        (Some(o), Op::Lt) => o == Ordering::Less,
        (Some(o), Op::Le) => o != Ordering::Greater,
    }
}

impl Filter {
    /// Whether `tenant` satisfies the filter.
    pub fn matches(&self, tenant: &Tenant) -> bool {
        self.matches_row(&Row::of_tenant(tenant))
    }

    /// Whether `row` satisfies the filter.
    pub fn matches_row(&self, row: &Row<'_>) -> bool {
        match self {
            Filter::And(a, b) => a.matches_row(row) && b.matches_row(row),
            Filter::Or(a, b) => a.matches_row(row) || b.matches_row(row),
            Filter::Cmp(field, op, value) => {
                let ord = match (field, value) {
                    (Field::CreatedAt, Value::Time(t)) => row.created_at.map(|v| v.cmp(t)),
                    (Field::UpdatedAt, Value::Time(t)) => row.updated_at.map(|v| v.cmp(t)),
                    (Field::Id, Value::Str(s)) => Some(row.id.as_str().cmp(s.as_str())),
                    (Field::WorkspaceName, Value::Str(s)) => Some(row.name.cmp(s.as_str())),
                    (Field::WorkspaceType, Value::Str(s)) => {
                        Some(row.workspace_type.cmp(s.as_str()))
                    }
                    (Field::CreatedBy, Value::Str(s)) => row.created_by.map(|v| v.cmp(s.as_str())),
                    (Field::InventoryOwnership, Value::Str(s)) => {
                        row.inventory_ownership.map(|v| v.cmp(s.as_str()))
                    }
                    (f, Value::Null) => {
                        let present = match f {
                            Field::CreatedAt => row.created_at.is_some(),
                            Field::UpdatedAt => row.updated_at.is_some(),
                            Field::CreatedBy => row.created_by.is_some(),
                            Field::InventoryOwnership => row.inventory_ownership.is_some(),
                            _ => true,
                        };
                        // `x eq null` holds when x is absent; `x ne null` when present.
                        return match op {
                            Op::Eq => !present,
                            Op::Ne => present,
                            _ => false,
                        };
                    }
                    _ => None,
                };
                cmp_holds(ord, *op)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::model::InventoryOwnership;
    use chrono::TimeZone;

    fn tenant(name: &str, day: u32) -> Tenant {
        let at = Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap();
        Tenant {
            id: uuid::Uuid::new_v4(),
            name: name.to_owned(),
            description: None,
            email: None,
            phone_number: None,
            inventory_ownership: InventoryOwnership::MspOwnedInventory,
            address: None,
            created_at: Some(at),
            updated_at: Some(at),
            created_by: Some("ops@msp.example.com".into()),
            generation: 0,
            devices: Default::default(),
            version: 0,
        }
    }

    fn p(s: &str) -> Result<Filter, String> {
        parse(s, CAMEL_FIELDS)
    }

    #[test]
    fn every_operator_compares() {
        let t = tenant("Bravo", 10);
        assert!(p("workspaceName eq 'Bravo'").unwrap().matches(&t));
        assert!(!p("workspaceName ne 'Bravo'").unwrap().matches(&t));
        assert!(p("workspaceName gt 'Alpha'").unwrap().matches(&t));
        assert!(p("workspaceName ge 'Bravo'").unwrap().matches(&t));
        assert!(p("workspaceName lt 'Charlie'").unwrap().matches(&t));
        assert!(p("workspaceName le 'Bravo'").unwrap().matches(&t));
        assert!(!p("workspaceName lt 'Bravo'").unwrap().matches(&t));
        assert!(p("createdAt gt 2026-01-09T00:00:00Z").unwrap().matches(&t));
        assert!(
            !p("createdAt gt '2026-01-10T00:00:00Z'")
                .unwrap()
                .matches(&t)
        );
    }

    #[test]
    fn and_binds_tighter_than_or_and_parentheses_override() {
        let t = tenant("Bravo", 10);
        // false and false or true  => (false and false) or true => true
        let f = p("workspaceName eq 'x' and workspaceName eq 'y' or workspaceName eq 'Bravo'");
        assert!(f.unwrap().matches(&t));
        // false and (false or true) => false
        let f = p("workspaceName eq 'x' and (workspaceName eq 'y' or workspaceName eq 'Bravo')");
        assert!(!f.unwrap().matches(&t));
    }

    #[test]
    fn doubled_quote_escapes() {
        let t = tenant("O'Brien Ltd", 1);
        assert!(p("workspaceName eq 'O''Brien Ltd'").unwrap().matches(&t));
    }

    #[test]
    fn id_matches_with_or_without_dashes() {
        let t = tenant("A", 1);
        let simple = t.id.simple().to_string();
        assert!(p(&format!("id eq '{simple}'")).unwrap().matches(&t));
        assert!(p(&format!("id eq {}", t.id)).unwrap().matches(&t));
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(
            p("colour eq 'red'")
                .unwrap_err()
                .contains("unknown field 'colour'")
        );
        assert!(
            p("workspaceName like 'x'")
                .unwrap_err()
                .contains("unknown operator 'like'")
        );
        assert!(
            p("workspaceName eq 'x")
                .unwrap_err()
                .contains("unterminated")
        );
        assert!(
            p("(workspaceName eq 'x'")
                .unwrap_err()
                .contains("expected ')'")
        );
        assert!(
            p("workspaceName eq 'x' 'y'")
                .unwrap_err()
                .contains("unexpected text")
        );
        assert!(
            p("workspaceName eq x")
                .unwrap_err()
                .contains("quoted string")
        );
        assert!(
            p("createdAt gt 'yesterday'")
                .unwrap_err()
                .contains("date-time")
        );
        assert!(p("").unwrap_err().contains("empty"));
        assert!(
            p("workspaceName eq")
                .unwrap_err()
                .contains("expected a value")
        );
        assert!(p("workspaceName eq 'a' and").is_err());
        assert!(
            p("workspaceName ; drop")
                .unwrap_err()
                .contains("unexpected character")
        );
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = format!("{}workspaceName eq 'a'{}", "(".repeat(100), ")".repeat(100));
        assert!(p(&deep).unwrap_err().contains("nested deeper"));
        let long = "a".repeat(MAX_FILTER_LEN + 1);
        assert!(p(&long).unwrap_err().contains("longer than"));
    }

    #[test]
    fn snake_view_uses_snake_names() {
        let t = tenant("Bravo", 10);
        assert!(
            parse("workspace_name eq 'Bravo'", SNAKE_FIELDS)
                .unwrap()
                .matches(&t)
        );
        assert!(parse("workspaceName eq 'Bravo'", SNAKE_FIELDS).is_err());
    }

    #[test]
    fn null_checks_presence() {
        let mut t = tenant("A", 1);
        assert!(p("createdBy ne null").unwrap().matches(&t));
        t.created_by = None;
        assert!(p("createdBy eq null").unwrap().matches(&t));
    }
}
