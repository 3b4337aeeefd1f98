//! The OData filter subset of the platform collections (`/devices/v1/devices`,
//! `/audit-log/v1/logs`) and Central's device inventory, evaluated over property rows.
//!
//! Grammar: `expr := and ("or" and)*`, `and := primary ("and" primary)*`,
//! `primary := "(" expr ")" | property op literal`, `op := eq|ne|gt|ge|lt|le`, literal a
//! single-quoted string (`''` escapes a quote) or a bare `true`, `false`, `null`, number or
//! date-time. Hand-written (like [`crate::state::filter`], which is typed to workspace fields):
//! no maintained crate parses OData filters, and this one works on any property list. Length
//! and nesting are bounded.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{DateTime, Utc};

/// Longest filter accepted (the specs' `maxLength`).
pub const MAX_LEN: usize = 2048;
/// Deepest parenthesis nesting accepted.
const MAX_DEPTH: usize = 32;

/// A property value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Prop {
    /// Text.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// A time.
    Time(DateTime<Utc>),
    /// Absent or null.
    Null,
}

/// A row: property name → value.
pub type Row = HashMap<&'static str, Prop>;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A literal as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// A single-quoted string.
    Str(String),
    /// A bare word (`true`, `null`, a number or date-time).
    Bare(String),
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Both hold.
    And(Box<Filter>, Box<Filter>),
    /// Either holds.
    Or(Box<Filter>, Box<Filter>),
    /// `property op literal`.
    Cmp(&'static str, Op, Lit),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Quoted(String),
    Word(String),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut it = s.chars().peekable();
    while let Some(&c) = it.peek() {
        match c {
            c if c.is_whitespace() => {
                it.next();
            }
            '(' => {
                it.next();
                out.push(Tok::Open);
            }
            ')' => {
                it.next();
                out.push(Tok::Close);
            }
            '\'' => {
                it.next();
                let mut v = String::new();
                loop {
                    match it.next() {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if it.peek() == Some(&'\'') => {
                            it.next();
                            v.push('\'');
                        }
                        Some('\'') => break,
                        Some(ch) => v.push(ch),
                    }
                }
                out.push(Tok::Quoted(v));
            }
            _ => {
                let mut w = String::new();
                while let Some(&ch) = it.peek() {
                    if ch.is_whitespace() || ch == '(' || ch == ')' || ch == '\'' {
                        break;
                    }
                    w.push(ch);
                    it.next();
                }
                out.push(Tok::Word(w));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    at: usize,
    props: &'a [&'static str],
    ops: &'a [&'static str],
    depth: usize,
}

impl Parser<'_> {
    fn word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.at), Some(Tok::Word(x)) if x == w)
    }

    fn expr(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.word("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.primary()?;
        while self.word("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.primary()?));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Filter, String> {
        match self.toks.get(self.at).cloned() {
            Some(Tok::Open) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(format!("parentheses nested deeper than {MAX_DEPTH}"));
                }
                self.at += 1;
                let f = self.expr()?;
                if self.toks.get(self.at) != Some(&Tok::Close) {
                    return Err("missing ')'".into());
                }
                self.at += 1;
                self.depth -= 1;
                Ok(f)
            }
            Some(Tok::Word(name)) => {
                let prop = self
                    .props
                    .iter()
                    .find(|p| **p == name)
                    .copied()
                    .ok_or_else(|| {
                        format!(
                            "unsupported filter property {name:?}; filterable: {}",
                            self.props.join(", ")
                        )
                    })?;
                self.at += 1;
                let op = match self.toks.get(self.at) {
                    Some(Tok::Word(o)) if self.ops.contains(&o.as_str()) => match o.as_str() {
                        "eq" => Op::Eq,
                        "ne" => Op::Ne,
                        "gt" => Op::Gt,
                        "ge" => Op::Ge,
                        "lt" => Op::Lt,
                        _ => Op::Le,
                    },
                    _ => {
                        return Err(format!(
                            "expected an operator ({}) after {name:?}",
                            self.ops.join(", ")
                        ));
                    }
                };
                self.at += 1;
                let lit = match self.toks.get(self.at) {
                    Some(Tok::Quoted(s)) => Lit::Str(s.clone()),
                    Some(Tok::Word(w)) if w != "and" && w != "or" => Lit::Bare(w.clone()),
                    _ => return Err(format!("expected a value after {name:?}")),
                };
                self.at += 1;
                Ok(Filter::Cmp(prop, op, lit))
            }
            _ => Err("expected a comparison such as name eq 'value'".into()),
        }
    }
}

/// Parses `input` for a collection with properties `props` and operators `ops`.
pub fn parse(input: &str, props: &[&'static str], ops: &[&'static str]) -> Result<Filter, String> {
    if input.len() > MAX_LEN {
        return Err(format!("filter is longer than {MAX_LEN} characters"));
    }
    let toks = tokenize(input)?;
    if toks.is_empty() {
        return Err("filter is empty".into());
    }
    let mut p = Parser {
        toks,
        at: 0,
        props,
        ops,
        depth: 0,
    };
    let f = p.expr()?;
    if p.at < p.toks.len() {
        return Err("unexpected text after a comparison; join comparisons with and / or".into());
    }
    Ok(f)
}

/// The GreenLake comparison operators.
pub const ALL_OPS: &[&str] = &["eq", "ne", "gt", "ge", "lt", "le"];

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
}

impl Filter {
    /// Whether `row` satisfies the filter.
    pub fn matches(&self, row: &Row) -> bool {
        match self {
            Filter::And(a, b) => a.matches(row) && b.matches(row),
            Filter::Or(a, b) => a.matches(row) || b.matches(row),
            Filter::Cmp(prop, op, lit) => {
                let v = row.get(prop).unwrap_or(&Prop::Null);
                let ord = match (v, lit) {
                    (Prop::Null, Lit::Bare(b)) if b == "null" => Some(Ordering::Equal),
                    (_, Lit::Bare(b)) if b == "null" => None,
                    (Prop::Null, _) => None,
                    (Prop::Bool(x), Lit::Bare(b)) => match b.as_str() {
                        "true" => Some(x.cmp(&true)),
                        "false" => Some(x.cmp(&false)),
                        _ => None,
                    },
                    (Prop::Time(t), Lit::Str(s) | Lit::Bare(s)) => {
                        parse_time(s).map(|lt| t.cmp(&lt))
                    }
                    (Prop::Str(x), Lit::Str(s) | Lit::Bare(s)) => Some(x.as_str().cmp(s)),
                    _ => None,
                };
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &[&str] = &["name", "archived", "createdAt", "user/username"];

    fn row() -> Row {
        let mut r = Row::new();
        r.insert("name", Prop::Str("O'Brien".into()));
        r.insert("archived", Prop::Bool(false));
        r.insert(
            "createdAt",
            Prop::Time(parse_time("2026-01-02T00:00:00Z").unwrap()),
        );
        r.insert("user/username", Prop::Null);
        r
    }

    #[test]
    fn evaluates_the_subset() {
        let r = row();
        let t = |f: &str| parse(f, P, ALL_OPS).unwrap().matches(&r);
        assert!(t("name eq 'O''Brien'"));
        assert!(t(
            "archived eq false and createdAt ge '2026-01-01T00:00:00Z'"
        ));
        assert!(!t("createdAt lt 2026-01-01T00:00:00Z"));
        assert!(t(
            "(name eq 'x' or archived eq false) and user/username eq null"
        ));
        assert!(t("name ne 'x'"));
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(
            parse("colour eq 'red'", P, ALL_OPS)
                .unwrap_err()
                .contains("colour")
        );
        assert!(
            parse("name gt 'a'", P, &["eq", "ne"])
                .unwrap_err()
                .contains("operator")
        );
        assert!(parse("name eq 'a", P, ALL_OPS).is_err());
        assert!(parse("name eq 'a' name eq 'b'", P, ALL_OPS).is_err());
        assert!(parse(&"(".repeat(40), P, ALL_OPS).is_err());
        assert!(parse("", P, ALL_OPS).is_err());
    }
}
