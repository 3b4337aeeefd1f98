//! Request validation from the specs: the JSON body and the query parameters of every spec
//! operation are checked against the schemas `msp-spec` compiles, so the mock enforces exactly
//! the constraints the specs declare. Violations become errors in the API's own shape that name
//! the field and the rule.
//!
//! The validators are compiled once, at first use, into one table keyed by route template and
//! method; the extractors in [`crate::extract`] find the operation being served from axum's
//! [`MatchedPath`], so no handler names its operation. A failure answers 422 when the
//! operation documents 422 (the vendor `/workspaces/v1` API), else 400.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use axum::extract::MatchedPath;
use axum::http::{Method, StatusCode};
use msp_spec::{Rule, Spec, Validator, Violation};
use serde_json::{Number, Value};

use crate::error::{ApiError, Flavor};

/// Specs whose error messages begin with the field (`user.email must be ...`), as the nSA portal
/// words them; the GreenLake flavours add the field to the message themselves.
const FIELD_FIRST_SPECS: &[&str] = &["nsa-msp"];

/// Longest pattern quoted in a message; longer ones (closed lists) are not spelled out.
const QUOTED_PATTERN_MAX: usize = 80;

/// Every spec operation, its validators compiled at its first request.
static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::build);

/// Every operation by route template (parameter names blanked). Each compiles its validators
/// on its first request, and a spec is parsed again and kept only once one of its operations
/// is asked for: compiling every validator up front cost every server about 12 MB, and keeping
/// every parsed spec about 5 MB more, whether or not it ever saw those operations.
struct Registry {
    specs: Vec<LazySpec>,
    operations: HashMap<String, Vec<(Method, Pending)>>,
    /// Specs that did not load (logged; a test keeps this empty).
    #[cfg_attr(not(test), allow(dead_code))]
    errors: Vec<String>,
}

/// A spec's `paths`, method keys only.
#[derive(serde::Deserialize)]
struct PathIndex {
    paths: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, serde::de::IgnoredAny>,
    >,
}

/// The keys of an OpenAPI path item that are operations.
const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// An embedded spec, parsed on first use.
struct LazySpec {
    name: &'static str,
    loaded: OnceLock<Option<Spec>>,
}

impl LazySpec {
    fn get(&'static self) -> Option<&'static Spec> {
        self.loaded
            .get_or_init(|| {
                Spec::load(self.name)
                    .map_err(|e| tracing::error!("request validation disabled: {e}"))
                    .ok()
            })
            .as_ref()
    }
}

/// An operation whose validators are compiled on first use.
struct Pending {
    spec: usize,
    path: String,
    method: &'static str,
    compiled: OnceLock<Option<Operation>>,
}

impl Pending {
    /// The compiled operation; `None` (logged once) when its schemas do not compile, which
    /// turns validation off for it rather than failing requests.
    fn get(&'static self, specs: &'static [LazySpec]) -> Option<&'static Operation> {
        self.compiled
            .get_or_init(|| {
                let spec = specs.get(self.spec)?.get()?;
                Operation::compile(spec, &self.path, self.method)
                    .map_err(|e| {
                        tracing::error!(
                            "request validation disabled: {}: {} {}: {e}",
                            spec.name(),
                            self.method,
                            self.path
                        );
                    })
                    .ok()
            })
            .as_ref()
    }
}

/// The request validators of one spec operation.
#[derive(Debug)]
pub struct Operation {
    id: String,
    body: Option<Validator>,
    query: Vec<Param>,
    status: StatusCode,
    field_first: bool,
}

/// One declared query parameter.
#[derive(Debug)]
struct Param {
    name: String,
    required: bool,
    kind: Kind,
    validator: ParamValidator,
    /// The schema's whole rule, when it is simple enough to check natively.
    fast: Option<Fast>,
}

/// A parameter's validator, compiled when first needed: with its operation for a schema the
/// native rule cannot check, at the first value the native rule refuses otherwise (its message
/// comes from the validator). Reads that only see valid numbers and short strings then never
/// build a JSON Schema validator, which costs about 3 MB of resident memory for the first one.
struct ParamValidator {
    spec: &'static Spec,
    schema: Value,
    compiled: OnceLock<Result<Validator, String>>,
}

impl std::fmt::Debug for ParamValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParamValidator")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl ParamValidator {
    /// The compiled validator, or why the schema did not compile.
    fn get(&self) -> Result<&Validator, &str> {
        self.compiled
            .get_or_init(|| {
                self.spec.validator(&self.schema).map_err(|e| {
                    let e = e.to_string();
                    tracing::error!("query validation disabled: {}: {e}", self.spec.name());
                    e
                })
            })
            .as_ref()
            .map_err(String::as_str)
    }
}

/// A parameter schema checked without building a JSON value or running the validator (the
/// common list parameters, on every read): the validator still words every refusal.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fast {
    /// `type: integer` with optional `minimum`/`maximum` (inclusive).
    Integer { min: Option<i64>, max: Option<i64> },
    /// `type: string` with optional `minLength`/`maxLength` (in characters).
    String {
        min_len: Option<usize>,
        max_len: Option<usize>,
    },
}

impl Fast {
    /// The native rule of `schema`, if every keyword it has is one this checks (or only
    /// documents).
    fn of(schema: &Value) -> Option<Fast> {
        const DOCS: &[&str] = &["description", "example", "examples", "default", "title"];
        let obj = schema.as_object()?;
        let only = |allowed: &[&str]| {
            obj.keys()
                .all(|k| allowed.contains(&k.as_str()) || DOCS.contains(&k.as_str()))
        };
        match obj.get("type")?.as_str()? {
            "integer" if only(&["type", "minimum", "maximum"]) => Some(Fast::Integer {
                min: obj.get("minimum").and_then(Value::as_i64),
                max: obj.get("maximum").and_then(Value::as_i64),
            })
            .filter(|_| {
                // Bounds that are not whole i64s are left to the validator.
                ["minimum", "maximum"]
                    .iter()
                    .all(|k| obj.get(*k).is_none_or(|v| v.as_i64().is_some()))
            }),
            "string" if only(&["type", "minLength", "maxLength"]) => Some(Fast::String {
                min_len: obj
                    .get("minLength")
                    .and_then(Value::as_u64)
                    .and_then(|n| usize::try_from(n).ok()),
                max_len: obj
                    .get("maxLength")
                    .and_then(Value::as_u64)
                    .and_then(|n| usize::try_from(n).ok()),
            })
            .filter(|_| {
                ["minLength", "maxLength"]
                    .iter()
                    .all(|k| obj.get(*k).is_none_or(|v| v.as_u64().is_some()))
            }),
            _ => None,
        }
    }

    /// Whether `raw` certainly satisfies the rule (`false`: let the validator decide and word
    /// the refusal).
    fn accepts(self, raw: &str) -> bool {
        match self {
            Fast::Integer { min, max } => raw
                .trim()
                .parse::<i64>()
                .is_ok_and(|n| min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m)),
            Fast::String { min_len, max_len } => {
                let n = raw.chars().count();
                min_len.is_none_or(|m| n >= m) && max_len.is_none_or(|m| n <= m)
            }
        }
    }
}

/// How a raw query value is read before validation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    /// Every occurrence (and comma-separated values) gathered into one array of `item`s.
    Array(Scalar),
}

/// The item kind of an array parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scalar {
    String,
    Integer,
    Number,
    Boolean,
}

/// A route template with its parameter names blanked: `/a/{id}/b` → `/a/{}/b`, so the mock's
/// and the spec's spellings of a parameter need not agree. Borrowed when there is none.
fn template_key(path: &str) -> Cow<'_, str> {
    if !path.contains('{') {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

impl Registry {
    fn build() -> Registry {
        let mut operations: HashMap<String, Vec<(Method, Pending)>> = HashMap::new();
        let mut errors = Vec::new();
        let mut specs = Vec::new();
        for file in msp_spec::SPECS {
            // Only the paths' keys are read here (no document tree is built); the spec is
            // parsed in full when one of its operations is first asked for.
            let index: PathIndex = match serde_norway::from_str(file.source) {
                Ok(index) => index,
                Err(e) => {
                    errors.push(format!("{}: {e}", file.name));
                    continue;
                }
            };
            for (path, item) in index.paths {
                for method in item.into_keys() {
                    let Some(method) = HTTP_METHODS.iter().copied().find(|m| *m == method) else {
                        continue;
                    };
                    let Ok(m) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
                        continue;
                    };
                    operations
                        .entry(template_key(&path).into_owned())
                        .or_default()
                        .push((
                            m,
                            Pending {
                                spec: specs.len(),
                                path: path.clone(),
                                method,
                                compiled: OnceLock::new(),
                            },
                        ));
                }
            }
            // Only the index is kept; the spec is parsed again when one of its operations is
            // first asked for.
            specs.push(LazySpec {
                name: file.name,
                loaded: OnceLock::new(),
            });
        }
        for e in &errors {
            tracing::error!("request validation disabled: {e}");
        }
        Registry {
            specs,
            operations,
            errors,
        }
    }

    fn find(&'static self, method: &Method, template: &str) -> Option<&'static Operation> {
        self.operations
            .get(template_key(template).as_ref())?
            .iter()
            .find(|(m, _)| m == method)?
            .1
            .get(&self.specs)
    }
}

/// The operation served at route template `matched` for `method`, if a spec declares it.
pub fn operation(method: &Method, matched: Option<&MatchedPath>) -> Option<&'static Operation> {
    REGISTRY.find(method, matched?.as_str())
}

/// Specs that failed to load, and operations whose schemas failed to compile (each disables
/// validation for what it covers); compiles every operation and every parameter validator.
#[cfg(test)]
fn compile_errors() -> Vec<String> {
    let mut errors = REGISTRY.errors.clone();
    for (template, ops) in &REGISTRY.operations {
        for (method, pending) in ops {
            match pending.get(&REGISTRY.specs) {
                None => errors.push(format!("{method} {template}")),
                Some(op) => {
                    for p in &op.query {
                        if let Err(e) = p.validator.get() {
                            errors.push(format!("{method} {template} ?{}: {e}", p.name));
                        }
                    }
                }
            }
        }
    }
    errors
}

impl Operation {
    fn compile(
        spec: &'static Spec,
        path: &str,
        method: &str,
    ) -> Result<Operation, msp_spec::SpecError> {
        let op_json = spec.json().pointer(&format!(
            "/paths/{}/{method}",
            msp_spec::escape_pointer(path)
        ));
        let declares = |status: &str| {
            op_json
                .and_then(|op| op.pointer(&format!("/responses/{status}")))
                .is_some()
        };
        let status = if declares("422") {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::BAD_REQUEST
        };
        let body = match spec.request_body_schema(path, method) {
            Some(schema) => Some(spec.validator(&schema)?),
            None => None,
        };
        let mut query = Vec::new();
        for p in spec.query_parameters(path, method) {
            let kind = kind_of(spec, &p.schema);
            let fast = spec.resolve(&p.schema).and_then(Fast::of);
            let compiled = OnceLock::new();
            if fast.is_none() {
                // Compiled now, so a schema that does not compile is reported with its
                // operation rather than at some later request.
                let _ = compiled.set(Ok(spec.validator(&p.schema)?));
            }
            let validator = ParamValidator {
                spec,
                schema: p.schema,
                compiled,
            };
            query.push(Param {
                fast,
                validator,
                name: p.name,
                required: p.required,
                kind,
            });
        }
        Ok(Operation {
            id: op_json
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            body,
            query,
            status,
            field_first: FIELD_FIRST_SPECS.contains(&spec.name()),
        })
    }

    /// Checks a JSON body against the operation's request-body schema.
    pub fn check_body<F: Flavor>(&self, body: &Value) -> Result<(), ApiError<F>> {
        let Some(validator) = &self.body else {
            return Ok(());
        };
        if validator.is_valid(body) {
            return Ok(());
        }
        match validator.violations(body).into_iter().next() {
            Some(v) => Err(self.violation(&v)),
            None => Ok(()),
        }
    }

    /// Checks decoded query pairs against the operation's query parameters. Parameters the
    /// spec does not declare are ignored; of a repeated scalar parameter the last value counts
    /// (the one handlers read). Allocates nothing for a valid numeric parameter.
    pub fn check_query<F: Flavor>(&self, pairs: &[(String, String)]) -> Result<(), ApiError<F>> {
        for p in &self.query {
            let value = match p.kind {
                Kind::Array(item) => {
                    let mut present = false;
                    let mut items = Vec::new();
                    for (_, raw) in pairs.iter().filter(|(k, _)| *k == p.name) {
                        present = true;
                        for part in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                            items.push(
                                scalar(item, part)
                                    .map_err(|issue| self.error(Some(p.name.clone()), issue))?,
                            );
                        }
                    }
                    if !present {
                        if p.required {
                            return Err(self.error(Some(p.name.clone()), "is required".into()));
                        }
                        continue;
                    }
                    Value::Array(items)
                }
                kind => {
                    let Some((_, raw)) = pairs.iter().rev().find(|(k, _)| *k == p.name) else {
                        if p.required {
                            return Err(self.error(Some(p.name.clone()), "is required".into()));
                        }
                        continue;
                    };
                    if p.fast.is_some_and(|f| f.accepts(raw)) {
                        continue;
                    }
                    let item = match kind {
                        Kind::Integer => Scalar::Integer,
                        Kind::Number => Scalar::Number,
                        Kind::Boolean => Scalar::Boolean,
                        _ => Scalar::String,
                    };
                    scalar(item, raw).map_err(|issue| self.error(Some(p.name.clone()), issue))?
                }
            };
            // A schema that did not compile checks nothing (logged once).
            let Ok(validator) = p.validator.get() else {
                continue;
            };
            if !validator.is_valid(&value)
                && let Some(v) = validator.violations(&value).into_iter().next()
            {
                let field = match field_of(&v) {
                    Some(inner) if inner.starts_with('[') => format!("{}{inner}", p.name),
                    _ => p.name.clone(),
                };
                return Err(self.error(Some(field), issue(&v)));
            }
        }
        Ok(())
    }

    fn violation<F: Flavor>(&self, v: &Violation) -> ApiError<F> {
        tracing::debug!(operation = %self.id, violation = %v, "request body refused");
        let issue = issue(v);
        match field_of(v) {
            Some(field) => self.error(Some(field), issue),
            None => self.error(None, format!("request body {issue}")),
        }
    }

    fn error<F: Flavor>(&self, field: Option<String>, issue: String) -> ApiError<F> {
        tracing::debug!(operation = %self.id, ?field, %issue, "request refused");
        match field {
            Some(field) if self.field_first => {
                ApiError::new(self.status, format!("{field} {issue}")).with_field(field)
            }
            Some(field) => ApiError::new(self.status, issue).with_field(field),
            None => ApiError::new(self.status, issue),
        }
    }
}

/// How the raw values of the parameter with `schema` are read.
fn kind_of(spec: &Spec, schema: &Value) -> Kind {
    let scalar_of = |s: &Value| match spec
        .resolve(s)
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
    {
        Some("integer") => Scalar::Integer,
        Some("number") => Scalar::Number,
        Some("boolean") => Scalar::Boolean,
        _ => Scalar::String,
    };
    let Some(resolved) = spec.resolve(schema) else {
        return Kind::String;
    };
    if resolved.get("type").and_then(Value::as_str) == Some("array") {
        return Kind::Array(resolved.get("items").map_or(Scalar::String, scalar_of));
    }
    match scalar_of(resolved) {
        Scalar::Integer => Kind::Integer,
        Scalar::Number => Kind::Number,
        Scalar::Boolean => Kind::Boolean,
        Scalar::String => Kind::String,
    }
}

/// Reads one raw query value as JSON of `kind`; the issue when it is not one.
fn scalar(kind: Scalar, raw: &str) -> Result<Value, String> {
    let t = raw.trim();
    match kind {
        Scalar::String => Ok(Value::String(raw.to_owned())),
        Scalar::Integer => {
            if let Ok(n) = t.parse::<i64>() {
                return Ok(Value::Number(n.into()));
            }
            if let Ok(n) = t.parse::<u64>() {
                return Ok(Value::Number(n.into()));
            }
            // Too large for 64 bits but still an integer: let the bounds name the limit.
            let digits = t.strip_prefix('-').unwrap_or(t);
            if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && let Some(n) = t.parse::<f64>().ok().and_then(Number::from_f64)
            {
                return Ok(Value::Number(n));
            }
            Err(format!("must be an integer, got {raw:?}"))
        }
        Scalar::Number => t
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("must be a number, got {raw:?}")),
        Scalar::Boolean => match t {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("must be true or false, got {raw:?}")),
        },
    }
}

/// Removes object members whose value is `null` (at any depth): the mock has always read an
/// explicit `null` as "absent", and no request schema gives `null` a meaning of its own.
pub fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// The field a violation is about, in the APIs' naming: `address.city`,
/// `subscriptions[0].category`; for a missing property, the property. `None` for the root.
fn field_of(v: &Violation) -> Option<String> {
    let mut field = String::new();
    let mut push = |token: &str| {
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            field.push('[');
            field.push_str(token);
            field.push(']');
        } else {
            if !field.is_empty() {
                field.push('.');
            }
            field.push_str(&token.replace("~1", "/").replace("~0", "~"));
        }
    };
    for token in v.instance_path.split('/').skip(1) {
        push(token);
    }
    if let Rule::Required { property } = &v.rule {
        push(property);
    }
    (!field.is_empty()).then_some(field)
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn with_article(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {type_name}")
}

fn plain(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// The rule a violation breaks, in words, with the offending value where it helps.
fn issue(v: &Violation) -> String {
    let got = &v.instance;
    let chars = || got.as_str().map_or(0, |s| s.chars().count());
    let items = || got.as_array().map_or(0, Vec::len);
    match &v.rule {
        Rule::Required { .. } => "is required".into(),
        Rule::Type { expected } => {
            let expected: Vec<String> = expected.split(" or ").map(with_article).collect();
            format!("must be {}, got {}", expected.join(" or "), kind_name(got))
        }
        Rule::Enum { options } => {
            let names: Vec<String> = options.iter().map(plain).collect();
            match names.len() {
                2 => format!("must be {} or {}, got {got}", names[0], names[1]),
                0..=12 => format!("must be one of {}, got {got}", names.join(", ")),
                n => format!("{got} is not one of the {n} values the spec allows"),
            }
        }
        Rule::Format { format } => {
            let what = match format.as_str() {
                "email" => "an e-mail address".to_string(),
                "uuid" => "a uuid".to_string(),
                "date-time" => "an RFC 3339 date-time".to_string(),
                "uri" => "a URI".to_string(),
                other => format!("a valid {other}"),
            };
            format!("must be {what}, got {got}")
        }
        Rule::Pattern { pattern } if pattern == "\\S" => {
            "must not be empty or only whitespace".into()
        }
        Rule::Pattern { pattern } if pattern.len() > QUOTED_PATTERN_MAX => {
            format!("{got} is not one of the values the spec allows")
        }
        Rule::Pattern { pattern } => format!("must match {pattern}, got {got}"),
        Rule::MinLength(1) => "must not be empty".into(),
        Rule::MinLength(n) => format!("must be at least {n} characters, got {}", chars()),
        Rule::MaxLength(n) => format!("must be at most {n} characters, got {}", chars()),
        Rule::Minimum(n) => format!("must be at least {n}, got {got}"),
        Rule::Maximum(n) => format!("must be at most {n}, got {got}"),
        Rule::ExclusiveMinimum(n) => format!("must be greater than {n}, got {got}"),
        Rule::ExclusiveMaximum(n) => format!("must be less than {n}, got {got}"),
        Rule::MinItems(n) => format!("must hold at least {n} items, got {}", items()),
        Rule::MaxItems(n) => format!("must hold at most {n} items, got {}", items()),
        _ => v.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{GlpDoc, GlpStandard};
    use crate::nsa::Nsa;
    use serde_json::json;

    fn op(method: Method, path: &str) -> &'static Operation {
        REGISTRY
            .find(&method, path)
            .unwrap_or_else(|| panic!("no operation {method} {path}"))
    }

    /// `(status, field, message)` of a body check in flavour `F`.
    fn body<F: Flavor>(op: &Operation, mut v: Value) -> Option<(u16, String, String)> {
        strip_nulls(&mut v);
        op.check_body::<F>(&v).err().map(|e| {
            (
                e.status.as_u16(),
                e.field.clone().unwrap_or_default(),
                e.message.clone(),
            )
        })
    }

    fn query<F: Flavor>(op: &Operation, q: &[(&str, &str)]) -> Option<(u16, String, String)> {
        let pairs: Vec<(String, String)> = q
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        op.check_query::<F>(&pairs).err().map(|e| {
            (
                e.status.as_u16(),
                e.field.clone().unwrap_or_default(),
                e.message.clone(),
            )
        })
    }

    #[test]
    fn every_spec_compiles() {
        assert!(compile_errors().is_empty(), "{:?}", compile_errors());
        assert!(REGISTRY.operations.len() > 20);
    }

    #[test]
    fn templates_match_whatever_the_parameter_is_called() {
        assert_eq!(template_key("/a/{tenantId}/b/{x}"), "/a/{}/b/{}");
        assert!(matches!(template_key("/a/b"), Cow::Borrowed("/a/b")));
        let m = op(Method::PUT, "/workspaces/v1/msp-tenants/{id}");
        assert_eq!(m.id, "update_msp_tenant");
    }

    #[test]
    fn a_schema_valid_body_is_accepted() {
        let create = op(Method::POST, "/workspaces/v1/msp-tenants");
        let ok = json!({"workspaceName": "A", "email": "a@b.co", "inventoryOwnership": "CUSTOMER_OWNED_INVENTORY",
                        "address": {"countryCode": "US", "city": "X"}, "unknown": 1, "description": null});
        assert_eq!(body::<GlpStandard>(create, ok), None);
        let nsa = op(Method::POST, "/api/msp/tenants");
        let t = json!({"sub_domain": "acme-retail1", "name": "Acme",
                       "user": {"username": "a", "email": "a@b.example"},
                       "subscriptions": [{"id": "6f0b8c2e-4d1a-4e3b-9c7d-2a5f1e8b3c90", "category": "ZTA", "total_users": 5}]});
        assert_eq!(body::<Nsa>(nsa, t), None);
        let schedule = op(Method::POST, "/api/msp/reports/usage/schedule");
        assert_eq!(body::<Nsa>(schedule, json!({})), None);
    }

    /// The GreenLake vendor view: 422, the camelCase field named.
    #[test]
    fn vendor_violations_name_the_field() {
        let create = op(Method::POST, "/workspaces/v1/msp-tenants");
        let f = |v: Value| {
            let (status, field, _) = body::<GlpStandard>(create, v).expect("refused");
            assert_eq!(status, 422);
            field
        };
        assert_eq!(f(json!({})), "workspaceName");
        assert_eq!(f(json!({"workspaceName": null})), "workspaceName");
        assert_eq!(f(json!({"workspaceName": "  "})), "workspaceName");
        assert_eq!(f(json!({"workspaceName": ""})), "workspaceName");
        assert_eq!(f(json!({"workspaceName": 5})), "workspaceName");
        assert_eq!(f(json!({"workspaceName": "a", "email": "nope"})), "email");
        assert_eq!(
            f(json!({"workspaceName": "a", "inventoryOwnership": "X"})),
            "inventoryOwnership"
        );
        assert_eq!(
            f(json!({"workspaceName": "a", "address": {}})),
            "address.countryCode"
        );
        assert_eq!(f(json!({"workspaceName": "a", "address": 3})), "address");
        assert_eq!(
            f(json!({"workspaceName": "a", "address": {"countryCode": "XX"}})),
            "address.countryCode"
        );
        assert_eq!(
            f(
                json!({"workspaceName": "a", "address": {"countryCode": "US", "city": "c".repeat(41)}})
            ),
            "address.city"
        );
        let (_, _, message) = body::<GlpStandard>(
            create,
            json!({"workspaceName": "a", "address": {"countryCode": "US", "city": "c".repeat(41)}}),
        )
        .unwrap();
        assert_eq!(message, "must be at most 40 characters, got 41");
        let (_, _, message) = body::<GlpStandard>(create, json!({"workspaceName": 5})).unwrap();
        assert_eq!(message, "must be a string, got a number");
        let (_, _, message) = body::<GlpStandard>(
            create,
            json!({"workspaceName": "a", "inventoryOwnership": "X"}),
        )
        .unwrap();
        assert_eq!(
            message,
            "must be MSP_OWNED_INVENTORY or CUSTOMER_OWNED_INVENTORY, got \"X\""
        );
    }

    /// The document view: 400, snake_case fields, the same closed country list.
    #[test]
    fn document_violations_name_the_field() {
        let create = op(Method::POST, "/workspace-management/v1/msp-tenants");
        let f = |v: Value| body::<GlpDoc>(create, v).map(|(s, f, _)| (s, f));
        assert_eq!(
            f(
                json!({"workspace_name": "a", "address": {"country_code": "US", "zip": "12345678901"}})
            ),
            Some((400, "address.zip".into()))
        );
        assert_eq!(
            f(json!({"workspace_name": "a", "address": {"country_code": "XX"}})),
            Some((400, "address.country_code".into()))
        );
        assert_eq!(
            f(json!({"workspace_name": " \t"})),
            Some((400, "workspace_name".into()))
        );
        assert_eq!(
            f(json!({"workspace_name": "a", "address": {"country_code": "FR"}})),
            None
        );
        let update = op(
            Method::PUT,
            "/workspace-management/v1/workspaces/{workspace_id}",
        );
        // The update schema has no ownership: an extra member is not checked.
        assert_eq!(
            body::<GlpDoc>(
                update,
                json!({"workspace_name": "a", "inventory_ownership": 7})
            ),
            None
        );
    }

    /// nSA: 400, `subscriptions[0].category` style, messages that begin with the field.
    #[test]
    fn nsa_violations_name_the_field_first() {
        let create = op(Method::POST, "/api/msp/tenants");
        let base = json!({"sub_domain": "ok", "name": "Acme", "created": "2026-10-02T09:30:00Z",
                          "user": {"username": "a", "email": "a@b.example"},
                          "subscriptions": [{"id": "6f0b8c2e-4d1a-4e3b-9c7d-2a5f1e8b3c90", "category": "ZTA", "total_users": 5}]});
        let with = |pointer: &str, v: Value| {
            let mut b = base.clone();
            if let Some(slot) = b.pointer_mut(pointer) {
                *slot = v;
            }
            body::<Nsa>(create, b).unwrap_or_else(|| panic!("{pointer} accepted"))
        };
        for (pointer, value, field, rule) in [
            (
                "/sub_domain",
                json!("Bad_Label"),
                "sub_domain",
                "must match",
            ),
            ("/sub_domain", json!("-x"), "sub_domain", "must match"),
            ("/sub_domain", json!("a".repeat(64)), "sub_domain", "63"),
            ("/user/email", json!("a@b"), "user.email", "e-mail"),
            ("/user/email", json!("a b@c.d"), "user.email", "e-mail"),
            ("/name", json!("   "), "name", "whitespace"),
            ("/name", json!(null), "name", "is required"),
            (
                "/subscriptions/0/category",
                json!("VPN"),
                "subscriptions[0].category",
                "ZTA or PCS",
            ),
            (
                "/subscriptions/0/total_users",
                json!(0),
                "subscriptions[0].total_users",
                "at least 1",
            ),
            (
                "/subscriptions/0/id",
                json!("nope"),
                "subscriptions[0].id",
                "uuid",
            ),
            ("/subscriptions", json!([]), "subscriptions", "at least 1"),
            ("/created", json!("yesterday"), "created", "RFC 3339"),
        ] {
            let (status, f, message) = with(pointer, value);
            assert_eq!((status, f.as_str()), (400, field), "{pointer}: {message}");
            assert!(message.starts_with(field), "{message}");
            assert!(message.contains(rule), "{message}");
        }
        let schedule = op(Method::POST, "/api/msp/reports/usage/schedule");
        for (b, field, rule) in [
            (
                json!({"frequency": "hourly"}),
                "frequency",
                "daily, weekly, monthly",
            ),
            (json!({"start_day": 29}), "start_day", "28"),
            (json!({"disabled": "yes"}), "disabled", "boolean"),
        ] {
            let (_, f, message) = body::<Nsa>(schedule, b).expect("refused");
            assert_eq!(f, field);
            assert!(message.contains(rule), "{message}");
        }
    }

    #[test]
    fn the_native_rule_agrees_with_the_validator() {
        use super::Fast;
        let int = Fast::of(&json!({"type": "integer", "minimum": 1, "maximum": 300})).unwrap();
        assert!(int.accepts("1") && int.accepts(" 300") && int.accepts("20"));
        assert!(!int.accepts("0") && !int.accepts("301") && !int.accepts("x"));
        let s = Fast::of(&json!({"type": "string", "maxLength": 3, "description": "d"})).unwrap();
        assert!(s.accepts("abc") && s.accepts("äöü") && !s.accepts("abcd"));
        // Keywords it does not check leave the parameter to the validator.
        assert_eq!(Fast::of(&json!({"type": "string", "pattern": "^a"})), None);
        assert_eq!(Fast::of(&json!({"type": "integer", "minimum": 0.5})), None);
        // Every list parameter a read takes has the native rule, and it agrees with the
        // validator on each side of its bounds.
        let list = op(Method::GET, "/workspaces/v1/msp-tenants");
        for p in &list.query {
            let fast = p
                .fast
                .unwrap_or_else(|| panic!("{} has no native rule", p.name));
            let probes: &[&str] = match fast {
                Fast::Integer { .. } => &["-1", "0", "1", "20", "300", "301", "2001"],
                Fast::String { .. } => &["", "a", "workspaceName eq 'x'"],
            };
            for raw in probes {
                let by_validator = query::<GlpStandard>(list, &[(p.name.as_str(), raw)]).is_none();
                assert_eq!(fast.accepts(raw), by_validator, "{} = {raw:?}", p.name);
            }
        }
    }

    #[test]
    fn query_parameters_are_checked() {
        let list = op(Method::GET, "/workspaces/v1/msp-tenants");
        assert_eq!(query::<GlpStandard>(list, &[("limit", "20")]), None);
        assert_eq!(
            query::<GlpStandard>(list, &[("unknown", "x"), ("offset", " 3")]),
            None
        );
        for (q, rule) in [
            (("limit", "0"), "at least 1"),
            (("limit", "301"), "at most 300"),
            (("limit", "abc"), "integer"),
            (("limit", "1.5"), "integer"),
            (("limit", "99999999999999999999"), "at most 300"),
            (("offset", "-1"), "at least 0"),
        ] {
            let (status, field, message) = query::<GlpStandard>(list, &[q]).expect("refused");
            assert_eq!((status, field.as_str()), (422, q.0), "{q:?}");
            assert!(message.contains(rule), "{q:?}: {message}");
        }
        // The spec's 2048, not the filter parser's own limit.
        let long = "a".repeat(2049);
        let (_, field, _) = query::<GlpStandard>(list, &[("filter", &long)]).expect("refused");
        assert_eq!(field, "filter");
        // The last of repeated values counts.
        assert_eq!(
            query::<GlpStandard>(list, &[("limit", "0"), ("limit", "5")]),
            None
        );

        let doc = op(Method::GET, "/workspace-management/v1/msp-tenants");
        let (status, field, _) = query::<GlpDoc>(doc, &[]).expect("refused");
        assert_eq!((status, field.as_str()), (400, "msp-workspace-id"));
        let (_, field, _) = query::<GlpDoc>(
            doc,
            &[
                ("msp-workspace-id", "6f0b8c2e-4d1a-4e3b-9c7d-2a5f1e8b3c90"),
                ("sort", "colour:asc"),
            ],
        )
        .expect("refused");
        assert_eq!(field, "sort");

        let delete = op(Method::DELETE, "/api/msp/reports/usage");
        let id = "6f0b8c2e-4d1a-4e3b-9c7d-2a5f1e8b3c90";
        assert_eq!(query::<Nsa>(delete, &[("report_ids", id)]), None);
        assert_eq!(
            query::<Nsa>(delete, &[("report_ids", &format!("{id}, {id}"))]),
            None
        );
        let (status, field, message) = query::<Nsa>(delete, &[]).expect("refused");
        assert_eq!((status, field.as_str()), (400, "report_ids"));
        assert!(message.starts_with("report_ids is required"), "{message}");
        let (_, field, _) = query::<Nsa>(delete, &[("report_ids", "x")]).expect("refused");
        assert_eq!(field, "report_ids[0]");
    }
}
