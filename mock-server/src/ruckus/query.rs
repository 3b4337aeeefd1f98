//! The one RUCKUS query engine, behind every `.../query` route: the `DynamicQueryPayloadDto`
//! (and the activities' `QueryData`) over rendered rows.
//!
//! A row is a JSON object with camelCase members ([`super::render`] builds them; each row type
//! lists its members). The engine applies, in order: `filters` (`{field: [values]}`; a row is
//! kept when every listed field, or one element of a list field, equals one of the values as a
//! string; an empty list is ignored), `searchString` over `searchTargetFields` (default `name`;
//! case-insensitive substring), the sort (`sortField`, `sortOrder`; ties and no `sortField` by
//! the default order, then `id`), then 1-based paging (`page`, `pageSize`) and the `fields`
//! projection (plus `id`; unknown names ignored). `totalCount` is the number of rows kept
//! before paging. A `sortField`, filter or search field the row does not have answers 400
//! naming it, before anything else happens. The body's bounds (`page ≥ 1`, `pageSize`) are the
//! spec's, checked by the extractor.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::error::Error;

/// The default `pageSize` (RUCKUS documents none).
pub const DEFAULT_PAGE_SIZE: usize = 10;

/// A parsed query body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// Members to return.
    pub fields: Vec<String>,
    /// 1-based page.
    pub page: usize,
    /// Rows per page.
    pub page_size: usize,
    /// Sort member.
    pub sort_field: Option<String>,
    /// Descending.
    pub desc: bool,
    /// Search text.
    pub search: Option<String>,
    /// Members searched.
    pub search_fields: Vec<String>,
    /// `field → values`.
    pub filters: Vec<(String, Vec<String>)>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(text).collect())
        .unwrap_or_default()
}

/// A value as filters and searches compare it.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Query {
    /// Reads a query body (already valid against the spec); a member of the wrong shape
    /// answers 400 naming it.
    pub fn parse(body: &Value) -> Result<Self, Error> {
        let count = |name: &str, default: usize| -> Result<usize, Error> {
            match body.get(name) {
                None | Some(Value::Null) => Ok(default),
                Some(v) => v
                    .as_u64()
                    .filter(|n| *n >= 1)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        Error::bad_request(format!("{name} must be an integer of at least 1"))
                            .with_field(name)
                    }),
            }
        };
        let mut filters = Vec::new();
        if let Some(f) = body.get("filters") {
            let Some(obj) = f.as_object() else {
                return Err(
                    Error::bad_request("filters must be an object {field: [values]}")
                        .with_field("filters"),
                );
            };
            for (k, v) in obj {
                let Some(list) = v.as_array() else {
                    return Err(Error::bad_request(format!(
                        "filters.{k} must be an array of values (RUCKUS takes bare arrays, not {{\"in\": [...]}})"
                    ))
                    .with_field(format!("filters.{k}")));
                };
                filters.push((k.clone(), list.iter().map(text).collect()));
            }
        }
        let desc = match body.get("sortOrder").and_then(Value::as_str) {
            None => false,
            Some(s) if s.eq_ignore_ascii_case("ASC") => false,
            Some(s) if s.eq_ignore_ascii_case("DESC") => true,
            Some(s) => {
                return Err(Error::bad_request(format!(
                    "sortOrder must be ASC or DESC, got {s:?}"
                ))
                .with_field("sortOrder"));
            }
        };
        Ok(Self {
            fields: strings(body.get("fields")),
            page: count("page", 1)?,
            page_size: count("pageSize", DEFAULT_PAGE_SIZE)?,
            sort_field: body
                .get("sortField")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            desc,
            search: body
                .get("searchString")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            search_fields: strings(body.get("searchTargetFields")),
            filters,
        })
    }

    /// Checks that every member the query names is one of `known`.
    pub fn check(&self, known: &[&str]) -> Result<(), Error> {
        let unknown = |field: String, name: &str, what: &str| {
            Error::bad_request(format!(
                "{name:?} is not a {what} field of these rows; known fields: {}",
                known.join(", ")
            ))
            .with_field(field)
        };
        if let Some(s) = &self.sort_field
            && !known.contains(&s.as_str())
        {
            return Err(unknown("sortField".into(), s, "sortable"));
        }
        for (k, _) in &self.filters {
            if !known.contains(&k.as_str()) {
                return Err(unknown(format!("filters.{k}"), k, "filterable"));
            }
        }
        for (i, f) in self.search_fields.iter().enumerate() {
            if !known.contains(&f.as_str()) {
                return Err(unknown(format!("searchTargetFields[{i}]"), f, "searchable"));
            }
        }
        Ok(())
    }
}

/// One page of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Rows matching before paging.
    pub total: usize,
    /// The page returned.
    pub page: usize,
    /// Its rows, projected.
    pub rows: Vec<Map<String, Value>>,
    /// Whether more rows follow.
    pub more: bool,
}

fn matches(row: &Map<String, Value>, field: &str, values: &[String]) -> bool {
    match row.get(field) {
        Some(Value::Array(items)) => items.iter().any(|i| values.contains(&text(i))),
        Some(v) => values.contains(&text(v)),
        None => false,
    }
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (None | Some(Value::Null), None | Some(Value::Null)) => Ordering::Equal,
        (None | Some(Value::Null), _) => Ordering::Greater,
        (_, None | Some(Value::Null)) => Ordering::Less,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(x), Some(y)) => text(x).to_lowercase().cmp(&text(y).to_lowercase()),
    }
}

/// Runs `q` over `rows`, whose members are `known`; without a `sortField` the rows sort by
/// `default_sort` (`(field, descending)`), then by `id`.
pub fn run(
    rows: Vec<Map<String, Value>>,
    q: &Query,
    known: &[&str],
    default_sort: Option<(&str, bool)>,
) -> Result<Page, Error> {
    q.check(known)?;
    let targets: Vec<&str> = if q.search_fields.is_empty() {
        vec!["name"]
    } else {
        q.search_fields.iter().map(String::as_str).collect()
    };
    let needle = q.search.as_ref().map(|s| s.to_lowercase());
    let mut kept: Vec<Map<String, Value>> = rows
        .into_iter()
        .filter(|r| {
            q.filters
                .iter()
                .all(|(f, vals)| vals.is_empty() || matches(r, f, vals))
        })
        .filter(|r| match &needle {
            None => true,
            Some(n) => targets.iter().any(|f| match r.get(*f) {
                Some(Value::Array(items)) => {
                    items.iter().any(|i| text(i).to_lowercase().contains(n))
                }
                Some(v) => text(v).to_lowercase().contains(n),
                None => false,
            }),
        })
        .collect();
    let (sort, desc) = match &q.sort_field {
        Some(s) => (Some(s.as_str()), q.desc),
        None => match default_sort {
            Some((f, d)) => (Some(f), d),
            None => (None, false),
        },
    };
    kept.sort_by(|a, b| {
        let primary = match sort {
            Some(f) => {
                let o = compare(a.get(f), b.get(f));
                if desc { o.reverse() } else { o }
            }
            None => Ordering::Equal,
        };
        primary.then_with(|| compare(a.get("id"), b.get("id")))
    });
    let total = kept.len();
    let start = q.page.saturating_sub(1).saturating_mul(q.page_size);
    let rows: Vec<Map<String, Value>> = kept
        .into_iter()
        .skip(start)
        .take(q.page_size)
        .map(|r| project(r, &q.fields))
        .collect();
    let more = start.saturating_add(rows.len()) < total;
    Ok(Page {
        total,
        page: q.page,
        rows,
        more,
    })
}

fn project(row: Map<String, Value>, fields: &[String]) -> Map<String, Value> {
    if fields.is_empty() {
        return row;
    }
    row.into_iter()
        .filter(|(k, _)| k == "id" || fields.iter().any(|f| f == k))
        .collect()
}

/// The answer envelope `{fields, totalCount, page, data}`.
pub fn envelope(q: &Query, p: Page) -> Value {
    let mut out = json!({
        "totalCount": p.total,
        "page": p.page,
        "data": p.rows,
    });
    if !q.fields.is_empty() {
        out["fields"] = json!(q.fields);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Map<String, Value>> {
        ["Bravo", "alpha", "Charlie", "delta"]
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let v = json!({"id": format!("{i}"), "name": n, "kind": if i % 2 == 0 { "A" } else { "B" }, "tags": ["x", n]});
                v.as_object().cloned().unwrap_or_default()
            })
            .collect()
    }

    const KNOWN: &[&str] = &["id", "name", "kind", "tags"];

    fn q(body: Value) -> Query {
        Query::parse(&body).unwrap_or_default()
    }

    #[test]
    fn filters_search_sort_page_and_project() {
        let p = run(
            rows(),
            &q(json!({"sortField": "name", "pageSize": 2, "page": 2, "fields": ["name"]})),
            KNOWN,
            None,
        )
        .unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(p.total, 4);
        let names: Vec<&Value> = p.rows.iter().map(|r| &r["name"]).collect();
        assert_eq!(names, [&json!("Charlie"), &json!("delta")]);
        assert!(p.rows.iter().all(|r| r.len() == 2 && r.contains_key("id")));
        assert!(!p.more);
        let p = run(
            rows(),
            &q(json!({"filters": {"kind": ["B"]}, "sortField": "name", "sortOrder": "DESC"})),
            KNOWN,
            None,
        )
        .unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(p.total, 2);
        assert_eq!(p.rows[0]["name"], "delta");
        let p = run(rows(), &q(json!({"searchString": "HAR"})), KNOWN, None)
            .unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(p.total, 1);
        let p = run(
            rows(),
            &q(json!({"filters": {"tags": ["alpha"]}})),
            KNOWN,
            None,
        )
        .unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(p.total, 1);
    }

    #[test]
    fn unknown_members_are_named() {
        let e = run(rows(), &q(json!({"sortField": "nope"})), KNOWN, None).err();
        assert_eq!(
            e.and_then(|e| e.field.clone()).as_deref(),
            Some("sortField")
        );
        let e = run(rows(), &q(json!({"filters": {"nope": []}})), KNOWN, None).err();
        assert_eq!(
            e.and_then(|e| e.field.clone()).as_deref(),
            Some("filters.nope")
        );
        let e = Query::parse(&json!({"filters": {"kind": {"in": ["A"]}}})).err();
        assert_eq!(
            e.and_then(|e| e.field.clone()).as_deref(),
            Some("filters.kind")
        );
    }
}
