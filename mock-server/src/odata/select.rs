//! The `select` parameter: which properties of each item a list (or a single resource) answers,
//! comma-separated, nested properties written with `/` (`user/username`).
//!
//! What may be selected is read from the spec: the properties of the item's component schema
//! (following `$ref`s into nested objects), once per schema. An unknown name answers 400
//! naming it and listing the selectable names at that level.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

/// Most paths one `select` takes.
pub const MAX_PATHS: usize = 64;

/// Why a `select` was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// Nothing between two commas or slashes (or an empty parameter).
    #[error("select has an empty property name")]
    Empty,
    /// More paths than [`MAX_PATHS`].
    #[error("select names more than {max} properties")]
    TooMany {
        /// The bound.
        max: usize,
    },
    /// A name the item does not have.
    #[error("select: unknown property '{path}'; selectable here: {known}")]
    Unknown {
        /// The path up to and including the unknown name.
        path: String,
        /// The names selectable at that level, comma-separated.
        known: String,
    },
}

/// The selectable properties of an item, nested.
#[derive(Debug, Default)]
struct Tree(BTreeMap<String, Tree>);

/// The item schema of a list whose `select` the spec declares, read on first use.
#[derive(Debug)]
pub struct Selectable {
    spec: &'static str,
    schema: &'static str,
    tree: OnceLock<Tree>,
}

/// A parsed `select`: the paths to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Select(Vec<Vec<String>>);

/// Deepest nesting followed in a schema (its `$ref`s may be recursive).
const MAX_SCHEMA_DEPTH: usize = 8;

fn tree_of(spec: &msp_spec::Spec, schema: &Value, depth: usize) -> Tree {
    let mut out = Tree::default();
    if depth > MAX_SCHEMA_DEPTH {
        return out;
    }
    let Some(schema) = spec.resolve(schema) else {
        return out;
    };
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            out.0.insert(name.clone(), tree_of(spec, sub, depth + 1));
        }
    }
    out
}

impl Selectable {
    /// The properties of `components/schemas/<schema>` in the embedded spec `spec`.
    pub const fn new(spec: &'static str, schema: &'static str) -> Self {
        Selectable {
            spec,
            schema,
            tree: OnceLock::new(),
        }
    }

    fn tree(&self) -> &Tree {
        self.tree.get_or_init(|| {
            let Ok(spec) = msp_spec::Spec::load(self.spec) else {
                return Tree::default();
            };
            let reference =
                serde_json::json!({ "$ref": format!("#/components/schemas/{}", self.schema) });
            tree_of(&spec, &reference, 0)
        })
    }

    /// Whether the schema has any selectable property.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.tree().0.is_empty()
    }

    /// Parses `raw` (`a,b/c`), every path checked against the schema.
    pub fn parse(&self, raw: &str) -> Result<Select, SelectError> {
        let mut paths = Vec::new();
        for part in raw.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(SelectError::Empty);
            }
            if paths.len() == MAX_PATHS {
                return Err(SelectError::TooMany { max: MAX_PATHS });
            }
            let mut level = self.tree();
            let mut path = Vec::new();
            for name in part.split('/') {
                let name = name.trim();
                if name.is_empty() {
                    return Err(SelectError::Empty);
                }
                path.push(name.to_owned());
                level = level.0.get(name).ok_or_else(|| SelectError::Unknown {
                    path: path.join("/"),
                    known: level.0.keys().cloned().collect::<Vec<_>>().join(", "),
                })?;
            }
            paths.push(path);
        }
        Ok(Select(paths))
    }
}

impl Select {
    /// `item` with only the selected properties (those it has; nested objects keep only the
    /// selected members).
    pub fn project(&self, item: &Value) -> Value {
        let mut out = Map::new();
        for path in &self.0 {
            copy(item, &mut out, path);
        }
        Value::Object(out)
    }
}

fn copy(from: &Value, to: &mut Map<String, Value>, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Some(v) = from.get(first) else {
        return;
    };
    if rest.is_empty() || !v.is_object() {
        to.insert(first.clone(), v.clone());
        return;
    }
    let slot = to
        .entry(first.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(inner) = slot {
        copy(v, inner, rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static AUDIT: Selectable = Selectable::new("glp-platform", "AuditLog");

    #[test]
    fn selects_nested_paths_from_the_spec() {
        let s = AUDIT.parse("id, user/username,workspace/id").unwrap();
        let item = json!({
            "id": "x", "category": "c",
            "user": {"username": "u"},
            "workspace": {"id": "w", "workspaceName": "n"},
        });
        assert_eq!(
            s.project(&item),
            json!({"id": "x", "user": {"username": "u"}, "workspace": {"id": "w"}})
        );
        // A whole object, and a property the item lacks, which is left out.
        let s = AUDIT.parse("workspace,region").unwrap();
        assert_eq!(
            s.project(&item),
            json!({"workspace": {"id": "w", "workspaceName": "n"}})
        );
    }

    #[test]
    fn errors_name_the_property() {
        let e = AUDIT.parse("id,colour").unwrap_err().to_string();
        assert!(e.contains("'colour'") && e.contains("category"), "{e}");
        let e = AUDIT.parse("user/email").unwrap_err().to_string();
        assert!(e.contains("'user/email'") && e.contains("username"), "{e}");
        assert_eq!(AUDIT.parse("id,").unwrap_err(), SelectError::Empty);
        assert_eq!(AUDIT.parse("user/").unwrap_err(), SelectError::Empty);
        let many = vec!["id"; MAX_PATHS + 1].join(",");
        assert!(matches!(
            AUDIT.parse(&many).unwrap_err(),
            SelectError::TooMany { .. }
        ));
    }

    #[test]
    fn an_unknown_schema_selects_nothing() {
        static NONE: Selectable = Selectable::new("glp-platform", "NoSuchSchema");
        assert!(NONE.is_empty());
        assert!(NONE.parse("id").is_err());
        assert!(!AUDIT.is_empty());
    }
}
