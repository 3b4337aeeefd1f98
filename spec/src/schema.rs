//! OpenAPI 3.0 schema → JSON Schema conversion and validation.
//!
//! OpenAPI 3.0 schemas are a dialect of JSON Schema draft 4 (boolean `exclusiveMinimum`, and
//! `nullable` instead of type arrays). We rewrite both into JSON Schema 2020-12 terms (so formats
//! such as `uuid`, `email` and `date-time` are checked), carry the document's `components` along
//! so `#/components/...` references resolve, and compile with the `jsonschema` crate.

use serde_json::{Map, Value, json};

/// A schema that could not be compiled.
#[derive(Debug, thiserror::Error)]
#[error("invalid schema: {0}")]
pub struct SchemaError(pub String);

/// One way an instance breaks its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// JSON pointer into the instance (`""` for the root), e.g. `/items/0/id`.
    pub instance_path: String,
    /// What is wrong, in words.
    pub message: String,
    /// The keyword broken, with its bound, so callers can word their own message.
    pub rule: Rule,
    /// The offending value (for `required`, the object missing the property).
    pub instance: Value,
}

/// The schema keyword a [`Violation`] breaks, with the bound it sets.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Rule {
    /// `required`: the object lacks `property`.
    Required {
        /// The missing property.
        property: String,
    },
    /// `type`: the value is not of type `expected` (`string`, `integer`, ...; `null` left out).
    Type {
        /// Expected JSON type name(s), joined with ` or `.
        expected: String,
    },
    /// `enum`: the value is none of `options`.
    Enum {
        /// The allowed values.
        options: Vec<Value>,
    },
    /// `format` (`email`, `uuid`, `date-time`, ...).
    Format {
        /// The format name.
        format: String,
    },
    /// `pattern`.
    Pattern {
        /// The ECMA-262 regular expression.
        pattern: String,
    },
    /// `minLength` (characters).
    MinLength(u64),
    /// `maxLength` (characters).
    MaxLength(u64),
    /// `minimum`.
    Minimum(Value),
    /// `maximum`.
    Maximum(Value),
    /// `exclusiveMinimum`.
    ExclusiveMinimum(Value),
    /// `exclusiveMaximum`.
    ExclusiveMaximum(Value),
    /// `minItems`.
    MinItems(u64),
    /// `maxItems`.
    MaxItems(u64),
    /// Any other keyword, by name.
    Other(String),
}

impl Rule {
    fn of(kind: &jsonschema::error::ValidationErrorKind) -> Rule {
        use jsonschema::error::{TypeKind, ValidationErrorKind as K};
        match kind {
            K::Required { property } => Rule::Required {
                property: property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_string),
            },
            K::Type { kind } => {
                let names: Vec<&str> = match kind {
                    TypeKind::Single(t) => vec![t.as_str()],
                    TypeKind::Multiple(set) => set
                        .iter()
                        .map(|t| t.as_str())
                        .filter(|t| *t != "null")
                        .collect(),
                };
                Rule::Type {
                    expected: names.join(" or "),
                }
            }
            K::Enum { options } => Rule::Enum {
                options: options.as_array().cloned().unwrap_or_default(),
            },
            K::Format { format } => Rule::Format {
                format: format.clone(),
            },
            K::Pattern { pattern } => Rule::Pattern {
                pattern: pattern.clone(),
            },
            K::MinLength { limit } => Rule::MinLength(*limit),
            K::MaxLength { limit } => Rule::MaxLength(*limit),
            K::Minimum { limit } => Rule::Minimum(limit.clone()),
            K::Maximum { limit } => Rule::Maximum(limit.clone()),
            K::ExclusiveMinimum { limit } => Rule::ExclusiveMinimum(limit.clone()),
            K::ExclusiveMaximum { limit } => Rule::ExclusiveMaximum(limit.clone()),
            K::MinItems { limit } => Rule::MinItems(*limit),
            K::MaxItems { limit } => Rule::MaxItems(*limit),
            other => Rule::Other(other.keyword().to_string()),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.instance_path.is_empty() {
            "(root)"
        } else {
            &self.instance_path
        };
        write!(f, "{path}: {}", self.message)
    }
}

/// The `components` entries of `document` that `schema` reaches through `$ref`s, transitively,
/// in the document's own layout (`{"schemas": {"Name": ...}, ...}`). A validator carries these
/// and nothing more: a query parameter's `integer` schema compiles against an empty object
/// instead of a copy of every component of its spec.
fn reachable_components(schema: &Value, document: &Value) -> Value {
    let mut out = Map::new();
    let mut todo = vec![schema];
    let mut seen = std::collections::HashSet::new();
    while let Some(value) = todo.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    // `#/components/<kind>/<name>[/...]`: the whole `<name>` entry goes along.
                    let mut parts = reference.split('/');
                    if let (Some("#"), Some("components"), Some(kind), Some(name)) =
                        (parts.next(), parts.next(), parts.next(), parts.next())
                        && seen.insert((kind, name))
                        && let Some(target) = document
                            .get("components")
                            .and_then(|c| c.get(kind)?.get(name))
                    {
                        if let Value::Object(entries) = out
                            .entry(kind.to_owned())
                            .or_insert_with(|| Value::Object(Map::new()))
                        {
                            entries.insert(name.to_owned(), target.clone());
                        }
                        todo.push(target);
                    }
                }
                todo.extend(map.values());
            }
            Value::Array(items) => todo.extend(items),
            _ => {}
        }
    }
    Value::Object(out)
}

/// Convert an OpenAPI 3.0 schema object (as JSON) to a JSON Schema 2020-12 schema.
pub fn to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                match k.as_str() {
                    // Keywords whose values are plain data, not schemas: copy verbatim.
                    "example" | "examples" | "enum" | "default" | "x-examples" => {
                        out.insert(k.clone(), v.clone());
                    }
                    "nullable" | "discriminator" | "xml" | "externalDocs" | "readOnly"
                    | "writeOnly" | "deprecated" | "exclusiveMinimum" | "exclusiveMaximum" => {}
                    // Properties is a map of name → schema: keep names, convert each schema.
                    "properties" | "patternProperties" => {
                        let converted = match v {
                            Value::Object(props) => Value::Object(
                                props
                                    .iter()
                                    .map(|(n, s)| (n.clone(), to_json_schema(s)))
                                    .collect(),
                            ),
                            other => other.clone(),
                        };
                        out.insert(k.clone(), converted);
                    }
                    _ if k.starts_with("x-") => {}
                    _ => {
                        out.insert(k.clone(), to_json_schema(v));
                    }
                }
            }
            // Draft-4 style `exclusiveMinimum: true` qualifies `minimum`; 2020-12 wants the number.
            for (flag, bound) in [
                ("exclusiveMinimum", "minimum"),
                ("exclusiveMaximum", "maximum"),
            ] {
                if map.get(flag).and_then(Value::as_bool) == Some(true)
                    && let Some(n) = out.remove(bound)
                {
                    out.insert(flag.into(), n);
                }
            }
            if map.get("nullable").and_then(Value::as_bool) == Some(true) {
                if let Some(t) = out.get("type").and_then(Value::as_str).map(str::to_string) {
                    out.insert("type".into(), json!([t, "null"]));
                }
                if let Some(Value::Array(values)) = out.get_mut("enum")
                    && !values.contains(&Value::Null)
                {
                    values.push(Value::Null);
                }
                if out.contains_key("$ref") || out.contains_key("allOf") {
                    let inner = Value::Object(std::mem::take(&mut out));
                    out.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// A compiled validator for one schema of a spec.
pub struct Validator {
    inner: jsonschema::Validator,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validator")
    }
}

impl Validator {
    /// Compile `schema` (OpenAPI form) with `document`'s components available to `$ref`s.
    pub fn new(schema: &Value, document: &Value) -> Result<Self, SchemaError> {
        let components = to_json_schema(&reachable_components(schema, document));
        let root = json!({
            "allOf": [to_json_schema(schema)],
            "components": components,
        });
        let inner = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            // An e-mail domain needs a dot (`a@b` is refused), as the mock has always required.
            .with_email_options(jsonschema::EmailOptions::default().with_minimum_sub_domains(2))
            .build(&root)
            .map_err(|e| SchemaError(e.to_string()))?;
        Ok(Validator { inner })
    }

    /// Every violation of `instance` (empty when valid).
    pub fn violations(&self, instance: &Value) -> Vec<Violation> {
        self.inner
            .iter_errors(instance)
            .map(|e| Violation {
                instance_path: e.instance_path().to_string(),
                message: e.to_string(),
                rule: Rule::of(e.kind()),
                instance: e.instance().clone().into_owned(),
            })
            .collect()
    }

    /// Whether `instance` is valid.
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.inner.is_valid(instance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validator_carries_only_the_components_it_reaches() {
        let document = json!({"components": {"schemas": {
            "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
            "B": {"type": "array", "items": {"$ref": "#/components/schemas/C"}},
            "C": {"type": "string", "maxLength": 3},
            "Loop": {"properties": {"again": {"$ref": "#/components/schemas/Loop"}}},
            "Unused": {"type": "integer"},
        }}});
        let reached = reachable_components(&json!({"$ref": "#/components/schemas/A"}), &document);
        let mut names: Vec<&String> = reached["schemas"].as_object().unwrap().keys().collect();
        names.sort();
        assert_eq!(names, ["A", "B", "C"]);
        let looped = reachable_components(&json!({"$ref": "#/components/schemas/Loop"}), &document);
        assert_eq!(looped["schemas"].as_object().unwrap().len(), 1);
        assert_eq!(
            reachable_components(&json!({"type": "integer"}), &document),
            json!({})
        );
        // The references still resolve: C's bound is enforced through A and B.
        let v = Validator::new(&json!({"$ref": "#/components/schemas/A"}), &document).unwrap();
        assert!(v.is_valid(&json!({"b": ["abc"]})));
        assert!(!v.is_valid(&json!({"b": ["abcd"]})));
    }

    fn doc() -> Value {
        json!({
            "components": {"schemas": {
                "Page": {"type": "object", "required": ["total"], "properties": {
                    "total": {"type": "integer", "minimum": 0},
                    "next": {"type": "integer", "nullable": true},
                    "id": {"type": "string", "format": "uuid"}
                }}
            }}
        })
    }

    #[test]
    fn refs_resolve_and_bounds_apply() {
        let v = Validator::new(&json!({"$ref": "#/components/schemas/Page"}), &doc()).unwrap();
        assert!(v.is_valid(&json!({"total": 3})));
        let bad = v.violations(&json!({"total": -1}));
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].instance_path, "/total");
        assert!(!v.is_valid(&json!({})));
    }

    #[test]
    fn nullable_allows_null_only_where_declared() {
        let v = Validator::new(&json!({"$ref": "#/components/schemas/Page"}), &doc()).unwrap();
        assert!(v.is_valid(&json!({"total": 1, "next": null})));
        let null_total = json!({"total": null});
        assert!(!v.is_valid(&null_total));
    }

    #[test]
    fn exclusive_bounds_follow_openapi_30() {
        let schema = json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true});
        let v = Validator::new(&schema, &json!({})).unwrap();
        assert!(!v.is_valid(&json!(0)));
        assert!(v.is_valid(&json!(1)));
    }

    #[test]
    fn violations_carry_the_rule_and_the_value() {
        let v = Validator::new(&json!({"$ref": "#/components/schemas/Page"}), &doc()).unwrap();
        let bad = v.violations(&json!({"next": "x"}));
        let req = bad.iter().find(|b| b.instance_path.is_empty()).unwrap();
        assert_eq!(
            req.rule,
            Rule::Required {
                property: "total".into()
            }
        );
        assert_eq!(req.instance, json!({"next": "x"}));
        let ty = bad.iter().find(|b| b.instance_path == "/next").unwrap();
        assert_eq!(
            ty.rule,
            Rule::Type {
                expected: "integer".into()
            }
        );
        assert_eq!(ty.instance, json!("x"));
        let max = Validator::new(&json!({"type": "string", "maxLength": 2}), &json!({})).unwrap();
        assert_eq!(max.violations(&json!("abc"))[0].rule, Rule::MaxLength(2));
    }

    #[test]
    fn email_domains_need_a_dot() {
        let v = Validator::new(&json!({"type": "string", "format": "email"}), &json!({})).unwrap();
        assert!(v.is_valid(&json!("a@b.example")));
        for bad in ["a", "a@b", "@b.c", "a b@c.d", "a@.c"] {
            assert!(!v.is_valid(&json!(bad)), "{bad}");
        }
    }

    #[test]
    fn formats_are_checked() {
        let v = Validator::new(&json!({"$ref": "#/components/schemas/Page"}), &doc()).unwrap();
        assert!(v.is_valid(&json!({"total": 1, "id": "0b9f5a0e-8a9c-4c47-9d3c-1f0a6b6f3e21"})));
        assert!(!v.is_valid(&json!({"total": 1, "id": "not-a-uuid"})));
    }
}
