//! Spec checks on a response: is its status declared for the operation, and does its body
//! validate against the declared JSON schema (via `msp-spec`'s OpenAPI → JSON Schema validators)?
//! One checker may cover several specs of one vendor (RUCKUS One splits its API over six);
//! operation ids are unique across them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use msp_spec::Spec;
use serde_json::Value;

/// Compiled validators per (operation, status); `None` when the response has no JSON body.
type ValidatorCache = HashMap<(String, u16), Option<Arc<msp_spec::Validator>>>;

/// Spec checks for one API (one or more specs), with compiled validators cached per
/// (operation, status).
#[derive(Clone, Debug)]
pub struct SpecChecker {
    specs: Vec<Spec>,
    cache: Arc<Mutex<ValidatorCache>>,
}

/// What a spec check found wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum SpecViolation {
    /// The status is not among the operation's declared responses.
    Status(String),
    /// The body does not match the declared schema (or is not JSON).
    Body(String),
}

impl SpecChecker {
    /// Checks for the embedded spec `name`.
    pub fn load(name: &str) -> anyhow::Result<SpecChecker> {
        SpecChecker::load_all(&[name])
    }

    /// Checks for the embedded specs `names`, as one API (an operation is looked up in each).
    pub fn load_all(names: &[&str]) -> anyhow::Result<SpecChecker> {
        let specs = names
            .iter()
            .map(|n| Spec::load(n))
            .collect::<Result<Vec<_>, _>>()?;
        anyhow::ensure!(!specs.is_empty(), "a spec checker needs at least one spec");
        Ok(SpecChecker {
            specs,
            cache: Arc::default(),
        })
    }

    /// The (first) spec.
    pub fn spec(&self) -> &Spec {
        &self.specs[0]
    }

    /// The spec that declares `operation_id`.
    fn spec_of(&self, operation_id: &str) -> Option<&Spec> {
        self.specs.iter().find(|s| {
            s.operations()
                .into_iter()
                .any(|(_, _, op)| op.operation_id.as_deref() == Some(operation_id))
        })
    }

    /// The statuses `operation_id` declares (`None` if the operation is unknown); a declared
    /// `default` or `4XX` range is reported as-is.
    pub fn declared(&self, operation_id: &str) -> Option<Vec<String>> {
        let (_, _, op) = self
            .spec_of(operation_id)?
            .operations()
            .into_iter()
            .find(|(_, _, op)| op.operation_id.as_deref() == Some(operation_id))?;
        let mut out: Vec<String> = op
            .responses
            .responses
            .keys()
            .map(|k| k.to_string())
            .collect();
        if op.responses.default.is_some() {
            out.push("default".into());
        }
        Some(out)
    }

    fn status_declared(&self, operation_id: &str, status: u16) -> bool {
        self.declared(operation_id).is_some_and(|d| {
            d.iter().any(|s| {
                s == &status.to_string() || s == &format!("{}XX", status / 100) || s == "default"
            })
        })
    }

    fn validator(
        &self,
        operation_id: &str,
        status: u16,
    ) -> Result<Option<Arc<msp_spec::Validator>>, String> {
        let key = (operation_id.to_string(), status);
        if let Some(v) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(v.clone());
        }
        let spec = self
            .spec_of(operation_id)
            .ok_or_else(|| format!("no spec declares {operation_id}"))?;
        let compiled = match spec.response_schema(operation_id, status) {
            None => None,
            Some(schema) => Some(Arc::new(
                spec.validator(&schema)
                    .map_err(|e| format!("{operation_id} {status}: {e}"))?,
            )),
        };
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, compiled.clone());
        Ok(compiled)
    }

    /// Checks a response of `operation_id`: its status is declared and its body matches the
    /// declared schema (a response without a declared body must be empty). Returns the parsed
    /// JSON body, if any.
    pub fn check(
        &self,
        operation_id: &str,
        status: u16,
        body: &str,
    ) -> Result<Option<Value>, SpecViolation> {
        if !self.status_declared(operation_id, status) {
            return Err(SpecViolation::Status(format!(
                "{operation_id} answered {status}, which the spec does not declare (declared: {})",
                self.declared(operation_id).unwrap_or_default().join(", ")
            )));
        }
        let validator = self
            .validator(operation_id, status)
            .map_err(SpecViolation::Body)?;
        let Some(validator) = validator else {
            if body.trim().is_empty() {
                return Ok(None);
            }
            return Err(SpecViolation::Body(format!(
                "{operation_id} {status} declares no body, got {} bytes",
                body.len()
            )));
        };
        let json: Value = serde_json::from_str(body).map_err(|e| {
            SpecViolation::Body(format!("{operation_id} {status}: body is not JSON: {e}"))
        })?;
        let violations = validator.violations(&json);
        if violations.is_empty() {
            Ok(Some(json))
        } else {
            let list: Vec<String> = violations.iter().take(5).map(|v| v.to_string()).collect();
            Err(SpecViolation::Body(format!(
                "{operation_id} {status}: body breaks the schema: {}",
                list.join("; ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_body_are_checked() {
        let c = SpecChecker::load("glp-workspaces").unwrap();
        assert!(matches!(
            c.check("list_msp_tenants", 418, ""),
            Err(SpecViolation::Status(_))
        ));
        assert!(matches!(
            c.check("list_msp_tenants", 200, r#"{"offset":0}"#),
            Err(SpecViolation::Body(_))
        ));
        let ok = r#"{"offset":0,"count":0,"total":0,"items":[]}"#;
        assert!(c.check("list_msp_tenants", 200, ok).unwrap().is_some());
        assert!(c.check("delete_msp_tenant", 204, "").unwrap().is_none());
        assert!(matches!(
            c.check("delete_msp_tenant", 204, "{}"),
            Err(SpecViolation::Body(_))
        ));
    }

    #[test]
    fn several_specs_answer_as_one() {
        let c = SpecChecker::load_all(&["ruckus-msp", "ruckus-activities"]).unwrap();
        assert!(c.declared("create_tenants").is_some());
        assert!(c.declared("get_activity").is_some());
        assert!(c.declared("list_msp_tenants").is_none());
        assert!(matches!(
            c.check("get_activity", 200, r#"{"status": 7}"#),
            Err(SpecViolation::Body(_))
        ));
        assert!(matches!(
            c.check("create_tenants", 418, ""),
            Err(SpecViolation::Status(_))
        ));
    }
}
