//! `cargo xtask lint`: the rules a spec must keep so that progenitor can generate it and the
//! mock, client and conformance suite agree on it.
//!
//! Rules (each finding names the spec, the operation's method and path, and the rule):
//! - `parse`: the file is an OpenAPI 3.0.x document `openapiv3` can read.
//! - `error-schema-declared`: `info.x-error-schema` names an existing `components/schemas` entry.
//! - `operation-id`: every operation has an `operationId`, unique within the spec.
//! - `one-success-type`: all 2xx responses of an operation map to one Rust type (progenitor panics
//!   otherwise), unless the operation is marked `x-msp-codegen: {mode: hand-written}`.
//! - `one-error-type`: all 4xx/5xx responses of an operation map to one Rust type.
//! - `error-schema`: every 4xx/5xx response carries the API's error schema as `application/json`.
//! - `example`: every example (media type, parameter, schema) validates against its schema.
//! - `doc-fence`: a fenced code block in a description names its language (` ```text `):
//!   descriptions become rustdoc, where an unlabelled fence is compiled as a Rust doctest.

use crate::SpecText;
use msp_spec::Spec;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One rule broken at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `openapi/<name>.yaml`.
    pub spec: String,
    /// Where: `GET /workspaces/v1/msp-tenants`, or a JSON pointer for non-operation places.
    pub location: String,
    /// Rule name (see the module docs).
    pub rule: &'static str,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: [{}] {}",
            self.spec, self.location, self.rule, self.message
        )
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Lint one spec.
pub fn lint_spec(spec: &SpecText) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut push = |location: String, rule: &'static str, message: String| {
        findings.push(Finding {
            spec: spec.display_path.clone(),
            location,
            rule,
            message,
        })
    };
    let parsed = match Spec::parse(&spec.name, &spec.text) {
        Ok(p) => p,
        Err(e) => {
            push("(document)".into(), "parse", e.to_string());
            return findings;
        }
    };
    let json = parsed.json();
    let version = parsed.doc().openapi.clone();
    if !version.starts_with("3.0.") {
        push(
            "/openapi".into(),
            "parse",
            format!("version {version:?}: progenitor needs OpenAPI 3.0.x"),
        );
    }

    let error_schema = parsed.error_schema_name().map(str::to_string);
    let error_ref = error_schema
        .as_ref()
        .map(|n| format!("#/components/schemas/{n}"));
    match &error_schema {
        None => push(
            "/info".into(),
            "error-schema-declared",
            "info.x-error-schema is missing: name the API's one error schema".into(),
        ),
        Some(name) => {
            if json
                .pointer(&format!(
                    "/components/schemas/{}",
                    msp_spec::escape_pointer(name)
                ))
                .is_none()
            {
                push(
                    "/info/x-error-schema".into(),
                    "error-schema-declared",
                    format!("components/schemas/{name} does not exist"),
                );
            }
        }
    }

    // Operations.
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let empty = serde_json::Map::new();
    let paths = json
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let location = format!("{} {path}", method.to_uppercase());
            let hand_written = op
                .get("x-msp-codegen")
                .and_then(|n| n.get("mode"))
                .and_then(Value::as_str)
                == Some("hand-written");
            match op.get("operationId").and_then(Value::as_str) {
                None => push(location.clone(), "operation-id", "no operationId".into()),
                Some(id) => {
                    if let Some(first) = ids.insert(id.to_string(), location.clone()) {
                        push(
                            location.clone(),
                            "operation-id",
                            format!("operationId {id:?} is already used by {first}"),
                        );
                    }
                }
            }
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                push(location.clone(), "one-success-type", "no responses".into());
                continue;
            };
            let mut success: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            let mut errors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (status, response) in responses {
                let Some(resolved) = parsed.resolve(response) else {
                    push(
                        location.clone(),
                        "parse",
                        format!("response {status}: unresolvable $ref"),
                    );
                    continue;
                };
                let key = type_key(resolved);
                if status.starts_with('2') {
                    success.entry(key).or_default().insert(status.clone());
                } else if status.starts_with('4') || status.starts_with('5') {
                    if let Some(want) = &error_ref {
                        let schema_ref = resolved
                            .pointer("/content/application~1json/schema/$ref")
                            .and_then(Value::as_str);
                        if schema_ref != Some(want.as_str()) {
                            push(
                                location.clone(),
                                "error-schema",
                                format!(
                                    "response {status} is {} but the API's error schema is {want}",
                                    describe(&key)
                                ),
                            );
                        }
                    }
                    errors.entry(key).or_default().insert(status.clone());
                }
            }
            if success.len() > 1 && !hand_written {
                push(
                    location.clone(),
                    "one-success-type",
                    format!(
                        "success responses map to {} Rust types ({}); progenitor needs one \
                         (or mark the operation x-msp-codegen: {{mode: hand-written}})",
                        success.len(),
                        summarize(&success)
                    ),
                );
            }
            if errors.len() > 1 {
                push(
                    location.clone(),
                    "one-error-type",
                    format!(
                        "error responses map to {} Rust types ({}); progenitor needs one",
                        errors.len(),
                        summarize(&errors)
                    ),
                );
            }
        }
    }

    // Descriptions become rustdoc: an unlabelled ``` fence there is compiled as Rust.
    let mut fences = Vec::new();
    unlabelled_fences(json, String::new(), &mut fences);
    for pointer in fences {
        push(
            pointer,
            "doc-fence",
            "a code fence in this description has no language; write ```text (rustdoc compiles \
             unlabelled fences as Rust doctests)"
                .into(),
        );
    }

    // Examples.
    let mut places = Vec::new();
    collect_examples(json, String::new(), &mut places);
    for (pointer, schema, example) in places {
        match parsed.validator(&schema) {
            Err(e) => push(pointer, "example", format!("schema does not compile: {e}")),
            Ok(v) => {
                for violation in v.violations(&example) {
                    push(
                        pointer.clone(),
                        "example",
                        format!("example does not validate: {violation}"),
                    );
                }
            }
        }
    }
    findings
}

/// Every example place lint checks in a spec: `(JSON pointer, schema, example)`.
pub fn examples(spec: &SpecText) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    if let Ok(json) = serde_norway::from_str::<Value>(&spec.text) {
        collect_examples(&json, String::new(), &mut out);
    }
    out
}

/// Pointers to every `description` with an opening code fence that names no language.
fn unlabelled_fences(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{pointer}/{}", msp_spec::escape_pointer(k));
                if k == "description"
                    && let Some(text) = v.as_str()
                {
                    let mut open = false;
                    for line in text.lines() {
                        if let Some(rest) = line.trim_start().strip_prefix("```") {
                            if !open && rest.trim().is_empty() {
                                out.push(here.clone());
                                break;
                            }
                            open = !open;
                        }
                    }
                } else {
                    unlabelled_fences(v, here, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                unlabelled_fences(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// What Rust type a response maps to, as a comparable key.
fn type_key(response: &Value) -> String {
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return "(no body)".into();
    };
    if content.is_empty() {
        return "(no body)".into();
    }
    let mut keys: Vec<String> = content
        .iter()
        .map(|(media, mt)| match mt.get("schema") {
            Some(schema) => match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => format!("{media} {r}"),
                None => format!("{media} inline {}", schema),
            },
            None => format!("{media} (no schema)"),
        })
        .collect();
    keys.sort();
    keys.join(" + ")
}

fn describe(key: &str) -> String {
    if key == "(no body)" {
        "bodiless".into()
    } else {
        key.to_string()
    }
}

fn summarize(map: &BTreeMap<String, BTreeSet<String>>) -> String {
    map.iter()
        .map(|(k, statuses)| {
            let s: Vec<&str> = statuses.iter().map(String::as_str).collect();
            format!("{} → {}", s.join("/"), describe(k))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Find every `(pointer, schema, example)` in the document: media types and parameters with
/// `example`/`examples` beside a `schema`, and schemas carrying an `example` themselves.
fn collect_examples(value: &Value, pointer: String, out: &mut Vec<(String, Value, Value)>) {
    match value {
        Value::Object(map) => {
            if let Some(schema) = map.get("schema") {
                if let Some(example) = map.get("example") {
                    out.push((
                        format!("{pointer}/example"),
                        schema.clone(),
                        example.clone(),
                    ));
                }
                if let Some(Value::Object(examples)) = map.get("examples") {
                    for (name, ex) in examples {
                        if let Some(v) = ex.get("value") {
                            out.push((
                                format!("{pointer}/examples/{name}"),
                                schema.clone(),
                                v.clone(),
                            ));
                        }
                    }
                }
            }
            // A schema object with its own example (not a media type, which has `schema`).
            if !map.contains_key("schema")
                && looks_like_schema(map)
                && let Some(example) = map.get("example")
            {
                let mut schema = map.clone();
                schema.remove("example");
                out.push((
                    format!("{pointer}/example"),
                    Value::Object(schema),
                    example.clone(),
                ));
            }
            for (k, v) in map {
                // Example values, defaults, enums and extensions are data, not schemas or
                // media types: never look for examples inside them.
                if matches!(k.as_str(), "example" | "examples" | "default" | "enum")
                    || k.starts_with("x-")
                {
                    continue;
                }
                collect_examples(v, format!("{pointer}/{}", msp_spec::escape_pointer(k)), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_examples(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn looks_like_schema(map: &serde_json::Map<String, Value>) -> bool {
    [
        "type",
        "properties",
        "$ref",
        "allOf",
        "items",
        "enum",
        "format",
    ]
    .iter()
    .any(|k| map.contains_key(*k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> SpecText {
        SpecText {
            name: "t".into(),
            display_path: "openapi/t.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn schema_examples_inside_properties_are_checked() {
        let s = spec(
            r##"
openapi: 3.0.3
info: {title: t, version: "1", x-error-schema: E}
paths: {}
components:
  schemas:
    E:
      type: object
      properties:
        code: {type: integer, minimum: 1, example: 0}
"##,
        );
        let f = lint_spec(&s);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "example");
        assert!(
            f[0].location
                .contains("/components/schemas/E/properties/code"),
            "{f:?}"
        );
    }
}
