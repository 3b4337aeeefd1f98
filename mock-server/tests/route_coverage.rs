//! Drift checks between the specs in `openapi/` and the mock's routes.
//!
//! 1. `every_spec_operation_reaches_its_route`: for every operation of every embedded spec, a
//!    request with its method and its path template filled from the spec's parameter examples
//!    reaches the mock route of that template. A handler's own answer (401 without a token,
//!    400/422 on the empty body, 404 for an unknown id) is fine; what fails is the app's
//!    fallback 404 ("no route for …") or 405 ("… is not allowed on …"), or a different route
//!    matching the path.
//! 2. `every_mock_route_is_in_a_spec`: every route the app registers through
//!    `msp_mock_server::routes::Routes` (so every vendor route and `/openapi/{file}`; `/__admin`
//!    is the mock's own surface and not recorded) is an operation of some spec, or is in
//!    [`ALLOWED`] with the reason. Each recorded route is also probed, so the table cannot list a
//!    route the app does not serve.
//!
//! Both drive `app()` in-process with `tower::ServiceExt::oneshot`. The fallbacks are told
//! apart from handlers by the `routes::Unrouted` response extension they set (never sent on the
//! wire), and the route a request reached by axum's `MatchedPath`, copied to the response by a
//! layer this test adds. Templates compare modulo parameter names (`{workspaceId}` in a spec,
//! `{workspace_id}` in the mock).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use msp_mock_server::bench::{AppState, app};
use msp_mock_server::routes::{self, Route, Unrouted};
use msp_mock_server::{Clock, Fixture};
use msp_spec::{SPECS, Spec, escape_pointer};
use serde_json::Value;
use tower::ServiceExt;

/// Routes no vendor spec describes, with the reason.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "GET",
        "/openapi/{}",
        "serves the spec files themselves (the mock's documentation, not a vendor API)",
    ),
    (
        "GET",
        "/reports/usage/{}",
        "the short-lived CSV link that nsa-msp.yaml's get_usage_report_download_url answers; \
         the spec describes it as response data (on the vendor it is a storage URL), not as an \
         operation",
    ),
];

/// The template a request reached, copied from the request to the response by [`matched`].
#[derive(Debug, Clone)]
struct Reached(String);

async fn matched(req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let mut resp = next.run(req).await;
    if let Some(path) = path {
        resp.extensions_mut().insert(Reached(path));
    }
    resp
}

fn state() -> Arc<AppState> {
    let state = AppState::new(
        &Fixture::default_world(),
        Clock::manual(chrono::Utc::now()),
        "http://mock.test".to_owned(),
        None,
    );
    Arc::new(state.unwrap_or_else(|e| panic!("default world: {e}")))
}

/// `template` with every `{name}` (and `{*name}`) replaced by `{}`.
fn normalise(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_param = false;
    for c in template.chars() {
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
    out
}

fn specs() -> Vec<Spec> {
    SPECS
        .iter()
        .map(|f| Spec::parse(f.name, f.source).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// The path parameters of `path` `method` in `spec`, resolved: path-item level, then operation
/// level (which overrides by name).
fn path_params<'a>(spec: &'a Spec, path: &str, method: &str) -> Vec<&'a Value> {
    let item = format!("/paths/{}", escape_pointer(path));
    let mut out: Vec<&Value> = Vec::new();
    for pointer in [
        format!("{item}/parameters"),
        format!("{item}/{method}/parameters"),
    ] {
        let Some(list) = spec.json().pointer(&pointer).and_then(Value::as_array) else {
            continue;
        };
        for p in list.iter().filter_map(|p| spec.resolve(p)) {
            if p["in"] == "path" {
                out.retain(|q| q["name"] != p["name"]);
                out.push(p);
            }
        }
    }
    out
}

/// `path` with each parameter replaced by its example (parameter, then schema), checked
/// against the parameter's schema.
fn fill(spec: &Spec, path: &str, method: &str, op: &str) -> Result<String, String> {
    let mut uri = path.to_owned();
    for p in path_params(spec, path, method) {
        let name = p["name"].as_str().unwrap_or_default();
        let schema = p.get("schema").cloned().unwrap_or(Value::Null);
        let example = p
            .get("example")
            .or_else(|| spec.resolve(&schema).and_then(|s| s.get("example")))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "{}: {op}: path parameter {name:?} of {path} has no example to fill it with",
                    spec.name()
                )
            })?;
        let valid = spec
            .validator(&schema)
            .map_err(|e| format!("{}: {op}: {name}: {e}", spec.name()))?
            .is_valid(&example);
        let text = match &example {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if !valid {
            return Err(format!(
                "{}: {op}: the example {text:?} of path parameter {name:?} does not match its schema",
                spec.name()
            ));
        }
        uri = uri.replace(&format!("{{{name}}}"), &text);
    }
    if uri.contains('{') {
        return Err(format!(
            "{}: {op}: {path} has a template parameter the spec does not declare",
            spec.name()
        ));
    }
    Ok(uri)
}

/// What a request reached: the fallback that answered, or the route template.
enum Outcome {
    Fallback(Unrouted, u16),
    Route(String),
    Neither(u16),
}

async fn probe(app: &axum::Router, method: Method, uri: &str) -> Outcome {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("request for {uri}: {e}"));
    let resp = app
        .clone()
        .oneshot(req)
        .await
        .unwrap_or_else(|e| match e {});
    let status = resp.status().as_u16();
    if let Some(u) = resp.extensions().get::<Unrouted>() {
        return Outcome::Fallback(*u, status);
    }
    match resp.extensions().get::<Reached>() {
        Some(Reached(t)) => Outcome::Route(t.clone()),
        None => Outcome::Neither(status),
    }
}

fn probed_app() -> axum::Router {
    app(state()).layer(from_fn(matched))
}

#[tokio::test]
async fn every_spec_operation_reaches_its_route() {
    let app = probed_app();
    let mut failures = Vec::new();
    let mut checked = 0;
    for spec in specs() {
        for (path, method, op) in spec.operations() {
            let op_id = op.operation_id.as_deref().unwrap_or("(no operationId)");
            let upper = method.to_ascii_uppercase();
            let what = format!("{}: {op_id}: {upper} {path}", spec.name());
            let uri = match fill(&spec, path, method, op_id) {
                Ok(u) => u,
                Err(e) => {
                    failures.push(e);
                    continue;
                }
            };
            let m = Method::from_bytes(upper.as_bytes())
                .unwrap_or_else(|e| panic!("{what}: method: {e}"));
            checked += 1;
            match probe(&app, m, &uri).await {
                Outcome::Route(t) if normalise(&t) == normalise(path) => {}
                Outcome::Route(t) => failures.push(format!(
                    "{what}: {uri} reached the mock route {t}, not one for {path}"
                )),
                Outcome::Fallback(Unrouted::NoRoute, s) => failures.push(format!(
                    "{what}: the mock has no route for {uri} (fallback {s} \"no route for …\")"
                )),
                Outcome::Fallback(Unrouted::MethodNotAllowed, s) => failures.push(format!(
                    "{what}: the mock routes {uri} but not {upper} (fallback {s} \"… is not allowed on …\")"
                )),
                Outcome::Neither(s) => failures.push(format!(
                    "{what}: {uri} answered {s} from neither a route nor a fallback"
                )),
            }
        }
    }
    assert!(checked > 0, "no spec operations found");
    assert!(
        failures.is_empty(),
        "{} of {checked} spec operations do not reach a mock route:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[tokio::test]
async fn every_mock_route_is_in_a_spec() {
    let state = state();
    let table = routes::table(state.clone());
    let app = app(state).layer(from_fn(matched));

    let mut in_specs: BTreeSet<(String, String)> = BTreeSet::new();
    for spec in specs() {
        for (path, method, _) in spec.operations() {
            in_specs.insert((method.to_ascii_uppercase(), normalise(path)));
        }
    }

    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for Route { method, path } in &table {
        let key = (method.as_str().to_owned(), normalise(path));
        if !seen.insert(key.clone()) {
            failures.push(format!("{method} {path} is registered twice"));
        }
        if path.starts_with("/__admin") {
            continue;
        }
        let allowed = ALLOWED.iter().any(|(m, p, _)| *m == key.0 && *p == key.1);
        if !in_specs.contains(&key) && !allowed {
            failures.push(format!(
                "mock route {method} {path} is in no spec in openapi/ (describe it in the \
                 vendor's spec, or add it to ALLOWED in this test with the reason)"
            ));
        }
        // The table lists only what the app serves: a filled template reaches this route.
        let uri = path.replace("{*", "{").replace(['{', '}'], "");
        match probe(&app, method.clone(), &uri).await {
            Outcome::Route(t) if t == *path => {}
            Outcome::Route(t) => failures.push(format!(
                "recorded route {method} {path}: {uri} reached {t} instead"
            )),
            Outcome::Fallback(u, s) => failures.push(format!(
                "recorded route {method} {path} is not served: {uri} got the fallback {s} ({u:?})"
            )),
            Outcome::Neither(s) => failures.push(format!(
                "recorded route {method} {path}: {uri} answered {s} without a route"
            )),
        }
    }
    for (m, p, why) in ALLOWED {
        if !seen.contains(&(m.to_string(), p.to_string())) {
            failures.push(format!(
                "ALLOWED lists {m} {p} ({why}), which the mock no longer serves"
            ));
        }
        if in_specs.contains(&(m.to_string(), p.to_string())) {
            failures.push(format!(
                "ALLOWED lists {m} {p}, which a spec now describes; drop it from ALLOWED"
            ));
        }
    }
    assert!(!table.is_empty(), "the route table is empty");
    assert!(
        failures.is_empty(),
        "{} drift problem(s) among {} mock routes:\n  {}",
        failures.len(),
        table.len(),
        failures.join("\n  ")
    );
}

#[test]
fn normalise_ignores_parameter_names() {
    assert_eq!(normalise("/a/{workspaceId}/b"), "/a/{}/b");
    assert_eq!(normalise("/a/{workspace_id}/b"), "/a/{}/b");
    assert_eq!(normalise("/r/{*rest}"), "/r/{}");
    assert_eq!(normalise("/plain"), "/plain");
}
