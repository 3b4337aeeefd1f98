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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the instance (`""` for the root), e.g. `/items/0/id`.
    pub instance_path: String,
    /// What is wrong, in words.
    pub message: String,
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
        let components = document
            .get("components")
            .map(to_json_schema)
            .unwrap_or_else(|| json!({}));
        let root = json!({
            "allOf": [to_json_schema(schema)],
            "components": components,
        });
        let inner = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
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
    fn formats_are_checked() {
        let v = Validator::new(&json!({"$ref": "#/components/schemas/Page"}), &doc()).unwrap();
        assert!(v.is_valid(&json!({"total": 1, "id": "0b9f5a0e-8a9c-4c47-9d3c-1f0a6b6f3e21"})));
        assert!(!v.is_valid(&json!({"total": 1, "id": "not-a-uuid"})));
    }
}
