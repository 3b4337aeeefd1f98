//! The `filter` subset: tokenizer, recursive-descent parser and evaluator.
//!
//! Grammar (operators and keywords are lowercase, as in OData):
//! ```text
//! expr       := and_expr ( "or" and_expr )*
//! and_expr   := primary ( "and" primary )*
//! primary    := "(" expr ")" | field op literal
//! op         := eq | ne | gt | ge | lt | le          (each list accepts a subset)
//! literal    := 'single-quoted, '' escapes a quote' | bare-word (dates, uuids, booleans, null)
//! ```
//! Input length (from the spec) and nesting depth are bounded so hostile input cannot exhaust
//! the stack.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Field, Fields, Kind, Op, Prop, Row};

/// Deepest parenthesis nesting accepted.
pub const MAX_DEPTH: usize = 32;

/// Where in a filter a problem is: a byte offset, or the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pos {
    /// Byte offset of the token.
    At(usize),
    /// After the last token.
    End,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pos::At(p) => write!(f, "position {p}"),
            Pos::End => f.write_str("end of filter"),
        }
    }
}

/// Why a filter was refused; the message names the position, field or operator.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// Longer than the spec's `maxLength`.
    #[error("filter is longer than {max} characters")]
    TooLong {
        /// The bound.
        max: usize,
    },
    /// Nothing but whitespace.
    #[error("filter is empty")]
    Empty,
    /// A character no token starts with.
    #[error("unexpected character {ch:?} at {pos}")]
    UnexpectedChar {
        /// The character.
        ch: char,
        /// Where.
        pos: Pos,
    },
    /// A quote that is never closed.
    #[error("unterminated string literal starting at {pos}")]
    Unterminated {
        /// Where the literal starts.
        pos: Pos,
    },
    /// A name the list does not filter on.
    #[error("unknown field '{name}' at {pos}; filterable fields are {known}")]
    UnknownField {
        /// The name written.
        name: String,
        /// Where.
        pos: Pos,
        /// The list's fields, comma-separated.
        known: String,
    },
    /// A word that is no operator.
    #[error("unknown operator '{op}' at {pos}; use {allowed}")]
    UnknownOperator {
        /// The word written.
        op: String,
        /// Where.
        pos: Pos,
        /// The list's operators (`eq, ne or gt`).
        allowed: String,
    },
    /// An operator of the subset that this list does not accept.
    #[error("operator '{op}' at {pos} is not supported by this list; use {allowed}")]
    UnsupportedOperator {
        /// The operator.
        op: &'static str,
        /// Where.
        pos: Pos,
        /// The list's operators.
        allowed: String,
    },
    /// A field not followed by an operator.
    #[error("expected an operator after '{field}' at {pos}")]
    MissingOperator {
        /// The field.
        field: &'static str,
        /// Where.
        pos: Pos,
    },
    /// An operator not followed by a literal.
    #[error("expected a value for '{field}' at {pos}")]
    MissingValue {
        /// The field.
        field: &'static str,
        /// Where.
        pos: Pos,
    },
    /// A bare word where a text field needs a quoted string.
    #[error("the value for '{field}' must be a quoted string, e.g. {field} eq 'text'")]
    NotText {
        /// The field.
        field: &'static str,
    },
    /// A literal of a date-time field that is no date-time.
    #[error("'{value}' is not a date-time for '{field}'; write e.g. 2024-01-31T12:00:00Z")]
    NotTime {
        /// The literal.
        value: String,
        /// The field.
        field: &'static str,
    },
    /// A literal of an id field that is no uuid.
    #[error("'{value}' is not an id (uuid) for '{field}'")]
    NotUuid {
        /// The literal.
        value: String,
        /// The field.
        field: &'static str,
    },
    /// A literal of a boolean field that is not a bare `true` or `false`.
    #[error("'{value}' is not a boolean for '{field}'; write true or false, unquoted")]
    NotBool {
        /// The literal.
        value: String,
        /// The field.
        field: &'static str,
    },
    /// A string where a field name belongs.
    #[error("expected a field name at {pos}, found a string")]
    ExpectedField {
        /// Where.
        pos: Pos,
    },
    /// A `)` with no `(`.
    #[error("unexpected ')' at {pos}")]
    UnexpectedClose {
        /// Where.
        pos: Pos,
    },
    /// A `(` never closed.
    #[error("expected ')' at {pos}")]
    MissingClose {
        /// Where the `)` was expected.
        pos: Pos,
    },
    /// Tokens after a complete expression.
    #[error("unexpected text at {pos}; join comparisons with 'and' or 'or'")]
    TrailingText {
        /// Where.
        pos: Pos,
    },
    /// The input ends after `and`, `or` or `(`.
    #[error("filter ends where a comparison was expected")]
    EndsEarly,
    /// Parentheses nested deeper than [`MAX_DEPTH`].
    #[error("parentheses nested deeper than {max}")]
    TooDeep {
        /// The bound.
        max: usize,
    },
}

/// A comparison literal, already typed for its field.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Text.
    Str(String),
    /// A date-time.
    Time(DateTime<Utc>),
    /// A uuid.
    Uuid(Uuid),
    /// A boolean.
    Bool(bool),
    /// `null`.
    Null,
}

/// A parsed filter over the keys `K` of one list.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter<K> {
    /// Both sides hold.
    And(Box<Filter<K>>, Box<Filter<K>>),
    /// Either side holds.
    Or(Box<Filter<K>>, Box<Filter<K>>),
    /// `field op literal`.
    Cmp(K, Op, Value),
}

#[derive(Clone, Debug, PartialEq)]
enum Tok<'s> {
    Open,
    Close,
    Quoted(Cow<'s, str>),
    Word(&'s str),
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || "_-:.+/".contains(c)
}

fn tokenize(input: &str) -> Result<Vec<(usize, Tok<'_>)>, FilterError> {
    let mut out = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => out.push((pos, Tok::Open)),
            ')' => out.push((pos, Tok::Close)),
            '\'' => {
                let start = pos + 1;
                // Copied only when a doubled quote must be unescaped; `seg` is where the
                // not-yet-copied text starts.
                let mut owned: Option<String> = None;
                let mut seg = start;
                loop {
                    match chars.next() {
                        Some((q, '\'')) if matches!(chars.peek(), Some((_, '\''))) => {
                            chars.next();
                            let s = owned.get_or_insert_with(String::new);
                            s.push_str(&input[seg..q]);
                            s.push('\'');
                            seg = q + 2;
                        }
                        Some((q, '\'')) => {
                            let text = match owned.take() {
                                Some(mut s) => {
                                    s.push_str(&input[seg..q]);
                                    Cow::Owned(s)
                                }
                                None => Cow::Borrowed(&input[start..q]),
                            };
                            out.push((pos, Tok::Quoted(text)));
                            break;
                        }
                        Some(_) => {}
                        None => return Err(FilterError::Unterminated { pos: Pos::At(pos) }),
                    }
                }
            }
            c if word_char(c) => {
                let mut end = pos + c.len_utf8();
                while let Some(&(q, ch)) = chars.peek() {
                    if !word_char(ch) {
                        break;
                    }
                    end = q + ch.len_utf8();
                    chars.next();
                }
                out.push((pos, Tok::Word(&input[pos..end])));
            }
            ch => {
                return Err(FilterError::UnexpectedChar {
                    ch,
                    pos: Pos::At(pos),
                });
            }
        }
    }
    Ok(out)
}

struct Parser<'s, 't, K: 'static> {
    toks: &'t [(usize, Tok<'s>)],
    at: usize,
    table: &'t Fields<K>,
    depth: usize,
}

impl<'s, 't, K: Copy + 'static> Parser<'s, 't, K> {
    fn peek(&self) -> Option<&'t Tok<'s>> {
        self.toks.get(self.at).map(|(_, t)| t)
    }

    fn pos(&self) -> Pos {
        self.toks
            .get(self.at)
            .map_or(Pos::End, |(p, _)| Pos::At(*p))
    }

    fn next(&mut self) -> Option<&'t Tok<'s>> {
        let toks = self.toks;
        let t = toks.get(self.at).map(|(_, t)| t);
        self.at += 1;
        t
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if *x == w)
    }

    fn expr(&mut self) -> Result<Filter<K>, FilterError> {
        let mut left = self.and_expr()?;
        while self.is_word("or") {
            self.at += 1;
            let right = self.and_expr()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Filter<K>, FilterError> {
        let mut left = self.primary()?;
        while self.is_word("and") {
            self.at += 1;
            let right = self.primary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Filter<K>, FilterError> {
        let pos = self.pos();
        match self.next() {
            Some(Tok::Open) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(FilterError::TooDeep { max: MAX_DEPTH });
                }
                let inner = self.expr()?;
                let close = self.pos();
                match self.next() {
                    Some(Tok::Close) => {
                        self.depth -= 1;
                        Ok(inner)
                    }
                    _ => Err(FilterError::MissingClose { pos: close }),
                }
            }
            Some(Tok::Word(name)) => {
                let name: &str = name;
                let table = self.table;
                let field = table
                    .fields()
                    .iter()
                    .find(|f| f.name == name)
                    .ok_or_else(|| FilterError::UnknownField {
                        name: name.to_owned(),
                        pos,
                        known: table
                            .fields()
                            .iter()
                            .map(|f| f.name)
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?;
                let op = self.operator(field)?;
                let lit_pos = self.pos();
                let value = match self.next() {
                    Some(tok) => typed(field, tok)?,
                    None => {
                        return Err(FilterError::MissingValue {
                            field: field.name,
                            pos: lit_pos,
                        });
                    }
                };
                Ok(Filter::Cmp(field.key, op, value))
            }
            Some(Tok::Quoted(_)) => Err(FilterError::ExpectedField { pos }),
            Some(Tok::Close) => Err(FilterError::UnexpectedClose { pos }),
            None => Err(FilterError::EndsEarly),
        }
    }

    fn operator(&mut self, field: &Field<K>) -> Result<Op, FilterError> {
        let pos = self.pos();
        let allowed = self.table.ops();
        let list = || {
            let words: Vec<&str> = allowed.iter().map(|o| o.word()).collect();
            match words.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => words.join(""),
            }
        };
        match self.next() {
            Some(Tok::Word(w)) => match Op::from_word(w) {
                Some(op) if allowed.contains(&op) => Ok(op),
                Some(op) => Err(FilterError::UnsupportedOperator {
                    op: op.word(),
                    pos,
                    allowed: list(),
                }),
                None => Err(FilterError::UnknownOperator {
                    op: (*w).to_owned(),
                    pos,
                    allowed: list(),
                }),
            },
            _ => Err(FilterError::MissingOperator {
                field: field.name,
                pos,
            }),
        }
    }
}

/// The literal `tok` typed for `field`.
fn typed<K>(field: &Field<K>, tok: &Tok<'_>) -> Result<Value, FilterError> {
    let (raw, bare): (&str, bool) = match tok {
        Tok::Quoted(s) => (s.as_ref(), false),
        Tok::Word(w) => (*w, true),
        Tok::Open | Tok::Close => {
            return Err(FilterError::MissingValue {
                field: field.name,
                pos: Pos::End,
            });
        }
    };
    if bare && raw == "null" {
        return Ok(Value::Null);
    }
    let name = field.name;
    match field.kind {
        Kind::Time => parse_time(raw)
            .map(Value::Time)
            .ok_or(FilterError::NotTime {
                value: raw.to_owned(),
                field: name,
            }),
        Kind::Uuid => Uuid::parse_str(raw)
            .map(Value::Uuid)
            .map_err(|_| FilterError::NotUuid {
                value: raw.to_owned(),
                field: name,
            }),
        Kind::Bool => match (bare, raw) {
            (true, "true") => Ok(Value::Bool(true)),
            (true, "false") => Ok(Value::Bool(false)),
            _ => Err(FilterError::NotBool {
                value: raw.to_owned(),
                field: name,
            }),
        },
        Kind::Text if bare => Err(FilterError::NotText { field: name }),
        Kind::Text => Ok(Value::Str(raw.to_owned())),
    }
}

/// RFC 3339, or ISO 8601 without an offset (meaning UTC).
fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc())
        })
        .ok()
}

/// Whether `input` is longer than `max` characters (the unit of JSON Schema's `maxLength`).
fn longer_than(input: &str, max: usize) -> bool {
    input.len() > max && input.chars().nth(max).is_some()
}

/// Parses a filter for the list `table`, naming the problem in the error when it is not valid.
pub fn parse<K: Copy + 'static>(input: &str, table: &Fields<K>) -> Result<Filter<K>, FilterError> {
    if let Some(max) = table.max_len()
        && longer_than(input, max)
    {
        return Err(FilterError::TooLong { max });
    }
    let toks = tokenize(input)?;
    if toks.is_empty() {
        return Err(FilterError::Empty);
    }
    let mut p = Parser {
        toks: &toks,
        at: 0,
        table,
        depth: 0,
    };
    let f = p.expr()?;
    if p.at < toks.len() {
        return Err(FilterError::TrailingText { pos: p.pos() });
    }
    Ok(f)
}

fn holds(ord: Option<Ordering>, op: Op) -> bool {
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

impl<K: Copy> Filter<K> {
    /// Whether `row` satisfies the filter.
    ///
    /// `x eq null` holds when `x` is absent, `x ne null` when it is present, and the ordering
    /// operators never hold against `null`. A comparison with an absent value holds for `ne`
    /// only.
    pub fn matches<R: Row<K> + ?Sized>(&self, row: &R) -> bool {
        match self {
            Filter::And(a, b) => a.matches(row) && b.matches(row),
            Filter::Or(a, b) => a.matches(row) || b.matches(row),
            Filter::Cmp(key, op, value) => {
                let prop = row.prop(*key);
                if let Value::Null = value {
                    let present = prop != Prop::Null;
                    return match op {
                        Op::Eq => !present,
                        Op::Ne => present,
                        _ => false,
                    };
                }
                let ord = match (prop, value) {
                    (Prop::Str(a), Value::Str(b)) => Some(a.cmp(b.as_str())),
                    (Prop::Time(a), Value::Time(b)) => Some(a.cmp(b)),
                    (Prop::Uuid(a), Value::Uuid(b)) => Some(a.cmp(b)),
                    (Prop::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
                    _ => None,
                };
                holds(ord, *op)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum K {
        Name,
        Archived,
        CreatedAt,
        Id,
        User,
    }

    static ALL: Fields<K> = Fields::new(
        "glp-platform",
        "list_audit_logs",
        Op::ALL,
        &[
            Field::text("name", K::Name),
            Field::boolean("archived", K::Archived),
            Field::time("createdAt", K::CreatedAt),
            Field::uuid("id", K::Id),
            Field::text("user/username", K::User),
        ],
    );
    static EQUALITY: Fields<K> = Fields::new(
        "central",
        "list_device_inventory",
        Op::EQUALITY,
        &[Field::text("name", K::Name)],
    );

    struct R {
        name: &'static str,
        at: DateTime<Utc>,
        id: Uuid,
        user: Option<&'static str>,
    }

    impl Row<K> for R {
        fn prop(&self, key: K) -> Prop<'_> {
            match key {
                K::Name => Prop::Str(self.name),
                K::Archived => Prop::Bool(false),
                K::CreatedAt => Prop::Time(self.at),
                K::Id => Prop::Uuid(self.id),
                K::User => Prop::opt_str(self.user),
            }
        }
    }

    fn row(name: &'static str) -> R {
        R {
            name,
            at: Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap(),
            id: Uuid::from_u128(0x1234_5678_9abc_4def_8000_0000_0000_0001),
            user: None,
        }
    }

    fn p(s: &str) -> Result<Filter<K>, FilterError> {
        parse(s, &ALL)
    }

    fn t(f: &str, r: &R) -> bool {
        p(f).unwrap_or_else(|e| panic!("{f}: {e}")).matches(r)
    }

    #[test]
    fn every_operator_compares() {
        let r = row("Bravo");
        assert!(t("name eq 'Bravo'", &r));
        assert!(!t("name ne 'Bravo'", &r));
        assert!(t("name gt 'Alpha'", &r));
        assert!(t("name ge 'Bravo'", &r));
        assert!(t("name lt 'Charlie'", &r));
        assert!(t("name le 'Bravo'", &r));
        assert!(!t("name lt 'Bravo'", &r));
        assert!(t("createdAt gt 2026-01-09T00:00:00Z", &r));
        assert!(!t("createdAt gt '2026-01-10T00:00:00Z'", &r));
        // Without an offset a date-time is UTC.
        assert!(t("createdAt eq '2026-01-10T00:00:00'", &r));
        assert!(t("createdAt lt 2026-01-10T01:00:00+00:30", &r));
        assert!(t(
            "archived eq false and createdAt ge '2026-01-01T00:00:00Z'",
            &r
        ));
        assert!(t("name ne 'x'", &r));
    }

    #[test]
    fn and_binds_tighter_than_or_and_parentheses_override() {
        let r = row("Bravo");
        // false and false or true  => (false and false) or true => true
        assert!(t("name eq 'x' and name eq 'y' or name eq 'Bravo'", &r));
        // false and (false or true) => false
        assert!(!t("name eq 'x' and (name eq 'y' or name eq 'Bravo')", &r));
        assert!(t(
            "(name eq 'x' or archived eq false) and user/username eq null",
            &r
        ));
    }

    #[test]
    fn doubled_quote_escapes() {
        assert!(t("name eq 'O''Brien Ltd'", &row("O'Brien Ltd")));
        assert!(t("name eq ''''", &row("'")));
        assert!(t("name eq 'a''b''c'", &row("a'b'c")));
        assert!(t("name eq ''", &row("")));
    }

    #[test]
    fn uuids_match_with_or_without_dashes_and_order_like_their_text() {
        let r = row("A");
        let simple = r.id.simple().to_string();
        assert!(t(&format!("id eq '{simple}'"), &r));
        assert!(t(&format!("id eq {}", r.id), &r));
        assert!(t(
            &format!("id eq '{}'", r.id.to_string().to_uppercase()),
            &r
        ));
        let lower = Uuid::from_u128(0x1234_5678_9abc_4def_7fff_ffff_ffff_ffff);
        assert!(t(&format!("id gt '{lower}'"), &r));
        assert!(lower.to_string() < r.id.to_string());
    }

    #[test]
    fn null_checks_presence() {
        let mut r = row("A");
        assert!(t("user/username eq null", &r));
        assert!(!t("user/username ne null", &r));
        assert!(!t("user/username ge null", &r));
        // An absent value equals nothing and differs from everything.
        assert!(!t("user/username eq 'x'", &r));
        assert!(t("user/username ne 'x'", &r));
        r.user = Some("ops");
        assert!(t("user/username ne null", &r));
        assert!(t("user/username eq 'ops'", &r));
    }

    #[test]
    fn errors_name_the_problem() {
        let e = |s: &str| p(s).unwrap_err().to_string();
        assert!(e("colour eq 'red'").contains("unknown field 'colour'"));
        assert!(e("colour eq 'red'").contains("name, archived, createdAt"));
        assert!(e("name like 'x'").contains("unknown operator 'like'"));
        assert!(e("name like 'x'").contains("eq, ne, gt, ge, lt or le"));
        assert!(e("name EQ 'x'").contains("unknown operator 'EQ'"));
        assert!(e("name eq 'x").contains("unterminated"));
        assert!(e("(name eq 'x'").contains("expected ')'"));
        assert!(e("name eq 'x' 'y'").contains("unexpected text"));
        assert!(e("name eq 'a' name eq 'b'").contains("unexpected text at position 12"));
        assert!(e("name eq x").contains("quoted string"));
        assert!(e("createdAt gt 'yesterday'").contains("date-time"));
        assert!(e("id eq 'x'").contains("uuid"));
        assert!(e("archived eq 'false'").contains("boolean"));
        assert!(e("").contains("empty"));
        assert!(e("   ").contains("empty"));
        assert!(e("name eq").contains("expected a value"));
        assert!(e("name").contains("expected an operator after 'name'"));
        assert!(e("name eq 'a' and").contains("ends where a comparison"));
        assert!(e("name ; drop").contains("unexpected character ';' at position 5"));
        assert!(e("'name' eq 'x'").contains("found a string"));
        assert!(e(")").contains("unexpected ')'"));
        let restricted = parse("name gt 'a'", &EQUALITY).unwrap_err().to_string();
        assert!(restricted.contains("operator 'gt'"), "{restricted}");
        assert!(restricted.contains("eq or ne"), "{restricted}");
        assert!(parse("name ne 'a'", &EQUALITY).is_ok());
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = format!("{}name eq 'a'{}", "(".repeat(100), ")".repeat(100));
        assert!(p(&deep).unwrap_err().to_string().contains("nested deeper"));
        assert!(p(&"(".repeat(40)).is_err());
        let max = ALL.max_len().expect("the spec bounds filter");
        let long = "a".repeat(max + 1);
        assert!(p(&long).unwrap_err().to_string().contains("longer than"));
        // The bound counts characters, as the spec's maxLength does.
        let wide = format!("name eq '{}'", "é".repeat(max - 10));
        assert!(wide.len() > max);
        assert!(p(&wide).is_ok());
    }
}
