//! The msp-harness OpenAPI specs: embedded, parsed, and turned into JSON Schema validators.
//!
//! The specs in `openapi/` are the project's source of truth. This crate embeds them at build time
//! (so a binary can serve them), parses them with [`openapiv3`], and converts their OpenAPI 3.0
//! schemas to JSON Schema so the mock, `cargo xtask lint` and the conformance suite validate bodies
//! against exactly what the specs say.
//!
//! ```
//! let spec = msp_spec::Spec::load("glp-workspaces").expect("embedded spec parses");
//! assert_eq!(spec.doc().openapi, "3.0.3");
//! ```

mod schema;

pub use schema::{Rule, SchemaError, Validator, Violation, to_json_schema};

use std::sync::Arc;

/// One embedded spec file.
#[derive(Debug, Clone, Copy)]
pub struct SpecFile {
    /// File stem, e.g. `glp-workspaces` (served at `/openapi/glp-workspaces.yaml`).
    pub name: &'static str,
    /// Rust module name of the generated client, e.g. `glp_workspaces`.
    pub module: &'static str,
    /// The YAML text.
    pub source: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/specs.rs"));

/// The YAML source of the spec named `name` (file stem, with or without `.yaml`).
pub fn spec_source(name: &str) -> Option<&'static str> {
    let stem = name.strip_suffix(".yaml").unwrap_or(name);
    SPECS.iter().find(|s| s.name == stem).map(|s| s.source)
}

/// Errors loading or using a spec.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// No embedded spec has that name.
    #[error("no spec named {0:?} (known: {1})")]
    Unknown(String, String),
    /// The YAML did not parse as an OpenAPI document.
    #[error("{name}: not a valid OpenAPI 3.0 document: {message}")]
    Parse {
        /// Spec name.
        name: String,
        /// Parser message.
        message: String,
    },
    /// A schema could not be compiled.
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

/// A parsed spec: the typed [`openapiv3::OpenAPI`] document plus its raw JSON form (for schemas).
#[derive(Clone)]
pub struct Spec {
    name: String,
    doc: Arc<openapiv3::OpenAPI>,
    json: Arc<serde_json::Value>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Spec {
    /// Load an embedded spec by name.
    pub fn load(name: &str) -> Result<Spec, SpecError> {
        let source = spec_source(name).ok_or_else(|| {
            let known: Vec<&str> = SPECS.iter().map(|s| s.name).collect();
            SpecError::Unknown(name.to_string(), known.join(", "))
        })?;
        Spec::parse(name, source)
    }

    /// Parse a spec from YAML (or JSON) text; `name` is used in messages.
    pub fn parse(name: &str, source: &str) -> Result<Spec, SpecError> {
        let err = |message: String| SpecError::Parse {
            name: name.to_string(),
            message,
        };
        let json: serde_json::Value =
            serde_norway::from_str(source).map_err(|e| err(e.to_string()))?;
        let doc: openapiv3::OpenAPI =
            serde_json::from_value(json.clone()).map_err(|e| err(e.to_string()))?;
        Ok(Spec {
            name: name.to_string(),
            doc: Arc::new(doc),
            json: Arc::new(json),
        })
    }

    /// The spec's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The typed document.
    pub fn doc(&self) -> &openapiv3::OpenAPI {
        &self.doc
    }

    /// The raw document as JSON.
    pub fn json(&self) -> &serde_json::Value {
        &self.json
    }

    /// The name of the API's one error schema, from `info.x-error-schema`.
    pub fn error_schema_name(&self) -> Option<&str> {
        self.doc
            .info
            .extensions
            .get("x-error-schema")
            .and_then(|v| v.as_str())
    }

    /// A validator for an OpenAPI schema object given as JSON (inline or `{"$ref": ...}`),
    /// resolving `#/components/...` references against this spec.
    pub fn validator(&self, schema: &serde_json::Value) -> Result<schema::Validator, SpecError> {
        Ok(schema::Validator::new(schema, &self.json)?)
    }

    /// A validator for `components/schemas/<name>`.
    pub fn component_validator(&self, name: &str) -> Result<schema::Validator, SpecError> {
        let reference = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
        self.validator(&reference)
    }

    /// Every operation: `(path, method in lowercase, operation)`.
    pub fn operations(&self) -> Vec<(&str, &'static str, &openapiv3::Operation)> {
        let mut out = Vec::new();
        for (path, item) in &self.doc.paths.paths {
            let Some(item) = item.as_item() else { continue };
            for (method, op) in item.iter() {
                out.push((path.as_str(), method_static(method), op));
            }
        }
        out
    }

    /// The JSON schema (raw, OpenAPI form) of the response `status` of the operation
    /// `operation_id`, with content type `application/json`, following `components/responses`
    /// references. `None` when the operation has no such response or it has no JSON body.
    pub fn response_schema(&self, operation_id: &str, status: u16) -> Option<serde_json::Value> {
        let (path, method, _) = self
            .operations()
            .into_iter()
            .find(|(_, _, op)| op.operation_id.as_deref() == Some(operation_id))?;
        let responses = self.json.pointer(&format!(
            "/paths/{}/{}/responses",
            escape_pointer(path),
            method
        ))?;
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get(format!("{}XX", status / 100)))
            .or_else(|| responses.get("default"))?;
        let response = self.resolve(response)?;
        response
            .pointer("/content/application~1json/schema")
            .cloned()
    }

    /// The raw JSON of the operation at `path` (as the spec spells it) and `method` (lowercase).
    fn operation_json(&self, path: &str, method: &str) -> Option<&serde_json::Value> {
        self.json
            .pointer(&format!("/paths/{}/{method}", escape_pointer(path)))
    }

    /// The `application/json` request-body schema (raw, OpenAPI form) of the operation at `path`
    /// and `method` (lowercase), following `components/requestBodies` references. `None` when
    /// the operation takes no JSON body.
    pub fn request_body_schema(&self, path: &str, method: &str) -> Option<serde_json::Value> {
        let body = self.resolve(self.operation_json(path, method)?.get("requestBody")?)?;
        body.pointer("/content/application~1json/schema").cloned()
    }

    /// The query parameters of the operation at `path` and `method` (lowercase): the
    /// operation's own and the path item's, with `components/parameters` references followed.
    pub fn query_parameters(&self, path: &str, method: &str) -> Vec<QueryParameter> {
        let item = self
            .json
            .pointer(&format!("/paths/{}", escape_pointer(path)));
        let lists = [
            self.operation_json(path, method)
                .and_then(|op| op.get("parameters")),
            item.and_then(|i| i.get("parameters")),
        ];
        let mut out: Vec<QueryParameter> = Vec::new();
        for list in lists.into_iter().flatten() {
            for p in list.as_array().into_iter().flatten() {
                let Some(p) = self.resolve(p) else { continue };
                if p.get("in").and_then(|v| v.as_str()) != Some("query") {
                    continue;
                }
                let Some(name) = p.get("name").and_then(|v| v.as_str()) else {
                    continue;
                };
                // An operation's parameter overrides the path item's of the same name.
                if out.iter().any(|q| q.name == name) {
                    continue;
                }
                out.push(QueryParameter {
                    name: name.to_string(),
                    required: p.get("required").and_then(|v| v.as_bool()) == Some(true),
                    schema: p
                        .get("schema")
                        .cloned()
                        .unwrap_or_else(|| serde_json::json!({})),
                });
            }
        }
        out
    }

    /// Follow a `$ref` (if any) within this document.
    pub fn resolve<'a>(&'a self, value: &'a serde_json::Value) -> Option<&'a serde_json::Value> {
        let mut current = value;
        for _ in 0..16 {
            match current.get("$ref").and_then(|r| r.as_str()) {
                Some(r) => current = self.json.pointer(r.strip_prefix('#')?)?,
                None => return Some(current),
            }
        }
        None
    }
}

/// A query parameter an operation declares.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryParameter {
    /// The parameter name.
    pub name: String,
    /// Whether the operation requires it.
    pub required: bool,
    /// Its schema (raw, OpenAPI form; may be a `$ref`).
    pub schema: serde_json::Value,
}

/// Escape a path for use in a JSON pointer (RFC 6901).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn method_static(method: &str) -> &'static str {
    match method {
        "get" => "get",
        "put" => "put",
        "post" => "post",
        "delete" => "delete",
        "options" => "options",
        "head" => "head",
        "patch" => "patch",
        _ => "trace",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_spec_parses() {
        for file in SPECS {
            let spec = Spec::load(file.name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(spec.doc().openapi, "3.0.3", "{}", file.name);
        }
    }

    #[test]
    fn request_schemas_are_found() {
        let spec = Spec::load("glp-workspaces").unwrap();
        let body = spec
            .request_body_schema("/workspaces/v1/msp-tenants", "post")
            .unwrap();
        assert_eq!(body["$ref"], "#/components/schemas/TenantDetails");
        assert!(
            spec.request_body_schema("/workspaces/v1/msp-tenants", "get")
                .is_none()
        );
        let names: Vec<String> = spec
            .query_parameters("/workspaces/v1/msp-tenants", "get")
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["filter", "offset", "limit"]);
        let doc = Spec::load("glp-workspace-management").unwrap();
        let q = doc.query_parameters("/workspace-management/v1/msp-tenants", "get");
        assert!(q.iter().any(|p| p.name == "msp-workspace-id" && p.required));
    }

    #[test]
    fn unknown_spec_is_named() {
        let err = Spec::load("nope").unwrap_err().to_string();
        assert!(err.contains("nope"), "{err}");
    }
}
