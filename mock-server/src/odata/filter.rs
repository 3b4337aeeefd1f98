//! The `filter` subset: tokenizer, recursive-descent parser and evaluator.
//!
//! Grammar (operators, functions and keywords are lowercase, as in OData):
//! ```text
//! expr       := and_expr ( "or" and_expr )*
//! and_expr   := unary ( "and" unary )*
//! unary      := "not" unary | primary
//! primary    := "(" expr ")"
//!             | func "(" field "," 'text' ")"               (text fields)
//!             | field "in" "(" literal ( "," literal )* ")"
//!             | field op literal
//! func       := contains | startswith | endswith
//! op         := eq | ne | gt | ge | lt | le                  (each list accepts a subset)
//! literal    := 'single-quoted, '' escapes a quote' | bare-word (dates, uuids, booleans, null)
//! ```
//! A field is a name of the list's table; nested properties are written with `/`
//! (`user/username`). Input length (from the spec) and nesting depth are bounded so hostile
//! input cannot exhaust the stack; every syntax error names its position.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Fields, Kind, Op, Prop, Row};

/// Deepest nesting of parentheses and `not` accepted.
pub const MAX_DEPTH: usize = 32;

/// Most values an `in (...)` list takes.
pub const MAX_IN_VALUES: usize = 256;

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

/// A string function of the subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `contains(field, 'text')`.
    Contains,
    /// `startswith(field, 'text')`.
    StartsWith,
    /// `endswith(field, 'text')`.
    EndsWith,
}

impl Func {
    /// Every function, as error messages list them.
    pub const ALL: &'static [Func] = &[Func::Contains, Func::StartsWith, Func::EndsWith];

    /// The function spelled `word`.
    pub fn from_word(word: &str) -> Option<Func> {
        Func::ALL.iter().copied().find(|f| f.word() == word)
    }

    /// The function's spelling.
    pub fn word(self) -> &'static str {
        match self {
            Func::Contains => "contains",
            Func::StartsWith => "startswith",
            Func::EndsWith => "endswith",
        }
    }

    fn holds(self, text: &str, needle: &str) -> bool {
        match self {
            Func::Contains => text.contains(needle),
            Func::StartsWith => text.starts_with(needle),
            Func::EndsWith => text.ends_with(needle),
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
    /// A word followed by `(` that is no function of the subset.
    #[error("unknown function '{name}' at {pos}; use contains, startswith or endswith")]
    UnknownFunction {
        /// The word written.
        name: String,
        /// Where.
        pos: Pos,
    },
    /// A string function applied to a field that is not text.
    #[error("{func}() at {pos} needs a text field; '{field}' is not text")]
    FunctionNeedsText {
        /// The function.
        func: &'static str,
        /// The field.
        field: String,
        /// Where the function is.
        pos: Pos,
    },
    /// A token other than the one the grammar needs.
    #[error("expected {what} at {pos}")]
    Expected {
        /// What was expected (`','`, `'('`, a field name...).
        what: &'static str,
        /// Where.
        pos: Pos,
    },
    /// An `in` list with more values than [`MAX_IN_VALUES`].
    #[error("the 'in' list at {pos} has more than {max} values")]
    TooManyValues {
        /// Where the list starts.
        pos: Pos,
        /// The bound.
        max: usize,
    },
    /// A field not followed by an operator.
    #[error("expected an operator after '{field}' at {pos}")]
    MissingOperator {
        /// The field.
        field: String,
        /// Where.
        pos: Pos,
    },
    /// An operator not followed by a literal.
    #[error("expected a value for '{field}' at {pos}")]
    MissingValue {
        /// The field.
        field: String,
        /// Where.
        pos: Pos,
    },
    /// A bare word where a text field needs a quoted string.
    #[error("the value for '{field}' at {pos} must be a quoted string, e.g. {field} eq 'text'")]
    NotText {
        /// The field.
        field: String,
        /// Where the value is.
        pos: Pos,
    },
    /// A literal of a date-time field that is no date-time.
    #[error("'{value}' at {pos} is not a date-time for '{field}'; write e.g. 2024-01-31T12:00:00Z")]
    NotTime {
        /// The literal.
        value: String,
        /// The field.
        field: String,
        /// Where the value is.
        pos: Pos,
    },
    /// A literal of an id field that is no uuid.
    #[error("'{value}' at {pos} is not an id (uuid) for '{field}'")]
    NotUuid {
        /// The literal.
        value: String,
        /// The field.
        field: String,
        /// Where the value is.
        pos: Pos,
    },
    /// A literal of a boolean field that is not a bare `true` or `false`.
    #[error("'{value}' at {pos} is not a boolean for '{field}'; write true or false, unquoted")]
    NotBool {
        /// The literal.
        value: String,
        /// The field.
        field: String,
        /// Where the value is.
        pos: Pos,
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
    /// The input ends after `and`, `or`, `not` or `(`.
    #[error("filter ends where a comparison was expected (at end of filter)")]
    EndsEarly,
    /// Parentheses and `not` nested deeper than [`MAX_DEPTH`].
    #[error("parentheses or 'not' nested deeper than {max} at {pos}")]
    TooDeep {
        /// The bound.
        max: usize,
        /// Where the nesting went too deep.
        pos: Pos,
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
    /// The inner filter does not hold.
    Not(Box<Filter<K>>),
    /// `field op literal`.
    Cmp(K, Op, Value),
    /// `field in (literal, ...)`: equal to one of the values.
    In(K, Vec<Value>),
    /// `func(field, 'text')` on a text field.
    Func(Func, K, String),
}

#[derive(Clone, Debug, PartialEq)]
enum Tok<'s> {
    Open,
    Close,
    Comma,
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
            ',' => out.push((pos, Tok::Comma)),
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

/// A field a filter names: as written, its key and kind.
struct Named<'s, K> {
    name: &'s str,
    key: K,
    kind: Kind,
}

struct Parser<'s, 't, K: 'static> {
    toks: &'t [(usize, Tok<'s>)],
    at: usize,
    table: &'t Fields<K>,
    depth: usize,
}

impl<'s, 't, K: Clone + 'static> Parser<'s, 't, K> {
    fn peek(&self) -> Option<&'t Tok<'s>> {
        self.toks.get(self.at).map(|(_, t)| t)
    }

    fn peek_at(&self, ahead: usize) -> Option<&'t Tok<'s>> {
        self.toks.get(self.at + ahead).map(|(_, t)| t)
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

    /// Consumes `tok`, or fails naming `what` at the current position.
    fn expect(&mut self, tok: &Tok<'_>, what: &'static str) -> Result<(), FilterError> {
        let pos = self.pos();
        match self.next() {
            Some(t) if t == tok => Ok(()),
            None if *tok == Tok::Close => Err(FilterError::MissingClose { pos }),
            _ => Err(FilterError::Expected { what, pos }),
        }
    }

    fn deeper(&mut self, pos: Pos) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::TooDeep {
                max: MAX_DEPTH,
                pos,
            });
        }
        Ok(())
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
        let mut left = self.unary()?;
        while self.is_word("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter<K>, FilterError> {
        // `not` is the keyword unless an operator follows it (a field named `not`).
        let compared = matches!(
            self.peek_at(1),
            Some(Tok::Word(w)) if *w == "in" || Op::from_word(w).is_some()
        );
        if self.is_word("not") && !compared {
            let pos = self.pos();
            self.at += 1;
            self.deeper(pos)?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Filter::Not(Box::new(inner)));
        }
        self.primary()
    }

    /// The field named by the current token, consumed.
    fn field(&mut self) -> Result<Named<'s, K>, FilterError> {
        let pos = self.pos();
        match self.next() {
            Some(Tok::Word(name)) => {
                let name: &'s str = name;
                self.table
                    .field(name)
                    .map(|(key, kind)| Named { name, key, kind })
                    .ok_or_else(|| FilterError::UnknownField {
                        name: name.to_owned(),
                        pos,
                        known: self.table.known(),
                    })
            }
            Some(Tok::Quoted(_)) => Err(FilterError::ExpectedField { pos }),
            None => Err(FilterError::EndsEarly),
            Some(_) => Err(FilterError::Expected {
                what: "a field name",
                pos,
            }),
        }
    }

    fn primary(&mut self) -> Result<Filter<K>, FilterError> {
        let pos = self.pos();
        match self.peek() {
            Some(Tok::Open) => {
                self.at += 1;
                self.deeper(pos)?;
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
            Some(Tok::Word(name)) if matches!(self.peek_at(1), Some(Tok::Open)) => {
                let name: &str = name;
                let func = Func::from_word(name).ok_or_else(|| FilterError::UnknownFunction {
                    name: name.to_owned(),
                    pos,
                })?;
                self.at += 2;
                let field = self.field()?;
                if field.kind != Kind::Text {
                    return Err(FilterError::FunctionNeedsText {
                        func: func.word(),
                        field: field.name.to_owned(),
                        pos,
                    });
                }
                self.expect(&Tok::Comma, "',' and a quoted string")?;
                let lit_pos = self.pos();
                let needle = match self.next() {
                    Some(Tok::Quoted(s)) => s.to_string(),
                    Some(Tok::Word(_)) => {
                        return Err(FilterError::NotText {
                            field: field.name.to_owned(),
                            pos: lit_pos,
                        });
                    }
                    _ => {
                        return Err(FilterError::MissingValue {
                            field: field.name.to_owned(),
                            pos: lit_pos,
                        });
                    }
                };
                self.expect(&Tok::Close, "')'")?;
                Ok(Filter::Func(func, field.key, needle))
            }
            Some(Tok::Word(_)) => {
                let field = self.field()?;
                if self.is_word("in") {
                    return self.in_list(field);
                }
                let op = self.operator(&field)?;
                let lit_pos = self.pos();
                let value = match self.next() {
                    Some(tok) => typed(&field, tok, lit_pos)?,
                    None => {
                        return Err(FilterError::MissingValue {
                            field: field.name.to_owned(),
                            pos: lit_pos,
                        });
                    }
                };
                Ok(Filter::Cmp(field.key, op, value))
            }
            Some(Tok::Quoted(_)) => Err(FilterError::ExpectedField { pos }),
            Some(Tok::Close) => Err(FilterError::UnexpectedClose { pos }),
            Some(Tok::Comma) => Err(FilterError::Expected {
                what: "a comparison",
                pos,
            }),
            None => Err(FilterError::EndsEarly),
        }
    }

    /// `field in (v1, v2, ...)`, after the field.
    fn in_list(&mut self, field: Named<'s, K>) -> Result<Filter<K>, FilterError> {
        self.at += 1; // `in`
        let list_pos = self.pos();
        self.expect(&Tok::Open, "'(' and a list of values")?;
        let mut values = Vec::new();
        loop {
            let lit_pos = self.pos();
            match self.next() {
                Some(tok @ (Tok::Quoted(_) | Tok::Word(_))) => {
                    values.push(typed(&field, tok, lit_pos)?)
                }
                _ => {
                    return Err(FilterError::MissingValue {
                        field: field.name.to_owned(),
                        pos: lit_pos,
                    });
                }
            }
            if values.len() > MAX_IN_VALUES {
                return Err(FilterError::TooManyValues {
                    pos: list_pos,
                    max: MAX_IN_VALUES,
                });
            }
            let pos = self.pos();
            match self.next() {
                Some(Tok::Comma) => {}
                Some(Tok::Close) => return Ok(Filter::In(field.key, values)),
                None => return Err(FilterError::MissingClose { pos }),
                Some(_) => {
                    return Err(FilterError::Expected {
                        what: "',' or ')'",
                        pos,
                    });
                }
            }
        }
    }

    fn operator(&mut self, field: &Named<'s, K>) -> Result<Op, FilterError> {
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
                field: field.name.to_owned(),
                pos,
            }),
        }
    }
}

/// The literal `tok` (at `pos`) typed for `field`.
fn typed<K>(field: &Named<'_, K>, tok: &Tok<'_>, pos: Pos) -> Result<Value, FilterError> {
    let (raw, bare): (&str, bool) = match tok {
        Tok::Quoted(s) => (s.as_ref(), false),
        Tok::Word(w) => (*w, true),
        Tok::Open | Tok::Close | Tok::Comma => {
            return Err(FilterError::MissingValue {
                field: field.name.to_owned(),
                pos,
            });
        }
    };
    if bare && raw == "null" {
        return Ok(Value::Null);
    }
    let name = || field.name.to_owned();
    match field.kind {
        Kind::Time => parse_time(raw)
            .map(Value::Time)
            .ok_or_else(|| FilterError::NotTime {
                value: raw.to_owned(),
                field: name(),
                pos,
            }),
        Kind::Uuid => Uuid::parse_str(raw)
            .map(Value::Uuid)
            .map_err(|_| FilterError::NotUuid {
                value: raw.to_owned(),
                field: name(),
                pos,
            }),
        Kind::Bool => match (bare, raw) {
            (true, "true") => Ok(Value::Bool(true)),
            (true, "false") => Ok(Value::Bool(false)),
            _ => Err(FilterError::NotBool {
                value: raw.to_owned(),
                field: name(),
                pos,
            }),
        },
        Kind::Text if bare => Err(FilterError::NotText { field: name(), pos }),
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
pub fn parse<K: Clone + 'static>(input: &str, table: &Fields<K>) -> Result<Filter<K>, FilterError> {
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
        return Err(match p.peek() {
            Some(Tok::Close) => FilterError::UnexpectedClose { pos: p.pos() },
            _ => FilterError::TrailingText { pos: p.pos() },
        });
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

/// How `prop` compares with `value` (`None` when they cannot be compared).
fn order(prop: Prop<'_>, value: &Value) -> Option<Ordering> {
    match (prop, value) {
        (Prop::Str(a), Value::Str(b)) => Some(a.cmp(b.as_str())),
        (Prop::Time(a), Value::Time(b)) => Some(a.cmp(b)),
        (Prop::Uuid(a), Value::Uuid(b)) => Some(a.cmp(b)),
        (Prop::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn compare(prop: Prop<'_>, op: Op, value: &Value) -> bool {
    if let Value::Null = value {
        let present = prop != Prop::Null;
        return match op {
            Op::Eq => !present,
            Op::Ne => present,
            _ => false,
        };
    }
    holds(order(prop, value), op)
}

impl<K: Clone> Filter<K> {
    /// Whether `row` satisfies the filter.
    ///
    /// `x eq null` holds when `x` is absent, `x ne null` when it is present, and the ordering
    /// operators never hold against `null`. A comparison with an absent value holds for `ne`
    /// only; `x in (...)` holds when `x eq` one of the values does; a string function never
    /// holds on an absent value. Text compares case-sensitively, as in OData.
    pub fn matches<R: Row<K> + ?Sized>(&self, row: &R) -> bool {
        match self {
            Filter::And(a, b) => a.matches(row) && b.matches(row),
            Filter::Or(a, b) => a.matches(row) || b.matches(row),
            Filter::Not(a) => !a.matches(row),
            Filter::Cmp(key, op, value) => compare(row.prop(key.clone()), *op, value),
            Filter::In(key, values) => {
                let prop = row.prop(key.clone());
                values.iter().any(|v| compare(prop, Op::Eq, v))
            }
            Filter::Func(func, key, needle) => match row.prop(key.clone()) {
                Prop::Str(text) => func.holds(text, needle),
                _ => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::Field;
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

    #[test]
    fn string_functions_match_text() {
        let r = row("Bravo Retail");
        assert!(t("contains(name, 'avo R')", &r));
        assert!(
            !t("contains(name, 'bravo')", &r),
            "case-sensitive, as in OData"
        );
        assert!(t("startswith(name, 'Bra')", &r));
        assert!(!t("startswith(name, 'Retail')", &r));
        assert!(t("endswith(name,'Retail')", &r));
        assert!(t("contains(name, '')", &r));
        // Nested names, and an absent value matches no function.
        assert!(!t("contains(user/username, 'x')", &r));
        let mut r2 = row("A");
        r2.user = Some("ops@example.com");
        assert!(t("endswith(user/username, '@example.com')", &r2));
        assert!(t("contains(name, 'O''B')", &row("O'Brien")));
    }

    #[test]
    fn in_not_and_parentheses_combine() {
        let r = row("Bravo");
        assert!(t("name in ('Alpha', 'Bravo')", &r));
        assert!(!t("name in ('Alpha')", &r));
        assert!(t("not name in ('Alpha')", &r));
        assert!(t("not (name eq 'x' or archived eq true)", &r));
        assert!(!t("not contains(name, 'rav')", &r));
        assert!(t("not not contains(name, 'rav')", &r));
        assert!(t(
            "(startswith(name, 'B') and not endswith(name, 'x')) or name eq 'z'",
            &r
        ));
        // `not` binds tighter than `and`.
        assert!(!t("not name eq 'Bravo' and archived eq false", &r));
        assert!(t(&format!("id in ('{}', {})", Uuid::nil(), r.id), &r));
        assert!(t("createdAt in (2026-01-10T00:00:00Z)", &r));
        assert!(t("user/username in (null, 'x')", &r));
    }

    #[test]
    fn function_and_in_errors_name_the_position() {
        let e = |s: &str| p(s).unwrap_err().to_string();
        assert_eq!(
            e("like(name, 'x')"),
            "unknown function 'like' at position 0; use contains, startswith or endswith"
        );
        assert_eq!(
            e("name eq 'a' and contains(archived, 'x')"),
            "contains() at position 16 needs a text field; 'archived' is not text"
        );
        assert_eq!(
            e("contains(colour, 'x')"),
            "unknown field 'colour' at position 9; filterable fields are name, archived, \
             createdAt, id, user/username"
        );
        assert_eq!(
            e("contains(name 'x')"),
            "expected ',' and a quoted string at position 14"
        );
        assert_eq!(
            e("contains(name, x)"),
            "the value for 'name' at position 15 must be a quoted string, e.g. name eq 'text'"
        );
        assert_eq!(e("contains(name, 'x'"), "expected ')' at end of filter");
        assert_eq!(e("contains(name, 'x' 'y')"), "expected ')' at position 19");
        assert_eq!(
            e("name in 'a'"),
            "expected '(' and a list of values at position 8"
        );
        assert_eq!(e("name in ('a' 'b')"), "expected ',' or ')' at position 13");
        assert_eq!(
            e("name in ('a',)"),
            "expected a value for 'name' at position 13"
        );
        assert_eq!(e("name in ('a'"), "expected ')' at end of filter");
        assert_eq!(
            e("id in ('x')"),
            "'x' at position 7 is not an id (uuid) for 'id'"
        );
        assert!(e("not").contains("ends where a comparison"));
        assert_eq!(e("name eq 'a')"), "unexpected ')' at position 11");
        assert_eq!(e(", name eq 'a'"), "expected a comparison at position 0");
        let many = format!("name in ({})", vec!["'a'"; MAX_IN_VALUES + 1].join(","));
        assert!(e(&many).contains("more than 256 values"));
        let nots = format!("{}name eq 'a'", "not ".repeat(MAX_DEPTH + 1));
        assert!(e(&nots).contains("nested deeper than 32"));
    }

    #[test]
    fn an_open_table_takes_any_name() {
        #[derive(Clone, Debug, PartialEq)]
        struct Tag(String);
        static TAGS: Fields<Tag> = Fields::open(
            "glp-platform",
            "list_devices",
            Op::ALL,
            Kind::Text,
            |name| Tag(name.to_owned()),
        );
        struct Tagged;
        impl Row<Tag> for Tagged {
            fn prop(&self, key: Tag) -> Prop<'_> {
                match key.0.as_str() {
                    "city" => Prop::Str("London"),
                    _ => Prop::Null,
                }
            }
        }
        let f = parse("city eq 'London' and not contains(floor, '2')", &TAGS).unwrap();
        assert!(f.matches(&Tagged));
        assert!(!parse("city in ('Paris')", &TAGS).unwrap().matches(&Tagged));
        assert!(
            parse("not city eq 'Paris'", &TAGS)
                .unwrap()
                .matches(&Tagged)
        );
        let e = parse("city eq 3", &TAGS).unwrap_err().to_string();
        assert!(e.contains("quoted string"), "{e}");
    }
}
