//! The broken-server harness of the mutation tests: a proxy in front of the in-process mock
//! that breaks one behaviour, the family run against it, and the failure it must end in.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use msp_conformance::{Family, FamilyOutcome, SuiteConfig, Target, Verdict};
use msp_mock_server::{Clock, Fixture, MockServer, MockServerBuilder, RateLimits};
use serde_json::Value;

/// The family with this report name (panics when there is none).
pub fn family(name: &str) -> Family {
    Family::named(name).unwrap_or_else(|| panic!("no family named {name:?}"))
}

/// A JSON answer the proxy makes up.
pub fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// An answer from its parts (as [`forward`] returns them).
pub fn response(status: StatusCode, headers: HeaderMap, body: Bytes) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    *resp.headers_mut() = headers;
    resp
}

/// Sends one request on to `upstream` with the caller's headers; the status, the headers
/// (without the framing ones, which the proxy's own server sets) and the body.
pub async fn forward(
    http: &reqwest::Client,
    upstream: &str,
    method: Method,
    path_q: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> (StatusCode, HeaderMap, Bytes) {
    let mut req = http
        .request(method, format!("{upstream}{path_q}"))
        .body(body);
    for (k, v) in headers {
        if k != "host" && k != "content-length" {
            req = req.header(k, v);
        }
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let mut h = resp.headers().clone();
    h.remove("content-length");
    h.remove("transfer-encoding");
    (status, h, resp.bytes().await.unwrap())
}

/// The call bucket (calls a minute per tenant) of the RUCKUS One mock the suite's tests run
/// `ruckus.crud` on: small enough that a burst step drains it cheaply, large enough for a case's
/// own traffic.
pub const RUCKUS_BUCKET: u32 = 150;

/// A mock of the default world's RUCKUS One MSPs only, with a [`RUCKUS_BUCKET`] bucket and a
/// manual clock (activities move only when the suite advances it).
pub fn ruckus_mock() -> MockServerBuilder {
    let world = serde_json::to_value(&Fixture::default_world().world).unwrap();
    let mut ruckus = world["ruckus"].clone();
    ruckus["settings"] = serde_json::json!({ "calls_per_minute": RUCKUS_BUCKET });
    let yaml = serde_json::json!({ "ruckus": ruckus }).to_string();
    MockServer::builder()
        .fixture(Fixture::from_yaml(&yaml).unwrap())
        .clock(Clock::manual(chrono::Utc::now()))
}

/// The default mock with quotas out of the way.
pub fn quiet_mock() -> MockServerBuilder {
    MockServer::builder().rate_limits(RateLimits {
        per_client: 1_000_000,
        per_workspace: 1_000_000,
        tenant_create: 1_000_000,
        ..RateLimits::default()
    })
}

/// Runs `family` (128 cases, seed 7) against a fresh mock, with quotas out of the way, behind
/// the proxy `proxy` builds for it; `label` names the mutation in the printed summary.
pub fn run_behind_proxy(
    label: &str,
    family: Family,
    proxy: impl FnOnce(&MockServer) -> axum::Router,
) -> FamilyOutcome {
    run_behind_proxy_on(label, family, quiet_mock(), proxy)
}

/// [`run_behind_proxy`] on the mock `builder` starts.
pub fn run_behind_proxy_on(
    label: &str,
    family: Family,
    builder: MockServerBuilder,
    proxy: impl FnOnce(&MockServer) -> axum::Router,
) -> FamilyOutcome {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mock = rt.block_on(builder.start());
    let app = proxy(&mock);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, app).await });
    let target = rt.block_on(Target::mock(&uri)).unwrap();
    let config = SuiteConfig {
        cases: 128,
        seed: Some(7),
        ..SuiteConfig::default()
    };
    let outcome = family.run(&target, &config, rt.handle());
    eprintln!(
        "{label}:\n{}",
        msp_conformance::report::summary(std::slice::from_ref(&outcome))
    );
    drop(mock);
    outcome
}

/// The failing case's detail (what was wrong).
pub fn failure_detail(outcome: &FamilyOutcome) -> String {
    match &outcome.verdict {
        Verdict::Failed {
            case: Some(case), ..
        } => case.failure.detail.clone(),
        other => panic!("expected a failure with a shrunk case, got {other:?}"),
    }
}

/// The failing case, its property, and the text of the step it names.
pub fn failure(outcome: &FamilyOutcome) -> (&'static str, String, Vec<String>) {
    let Verdict::Failed {
        case: Some(case), ..
    } = &outcome.verdict
    else {
        panic!(
            "expected a failure with a shrunk case, got {:?}",
            outcome.verdict
        );
    };
    let step = case
        .failure
        .step
        .map(|i| case.steps[i].clone())
        .unwrap_or_else(|| "end-of-case checks".into());
    (case.failure.property, step, case.steps.clone())
}
