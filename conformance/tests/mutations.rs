//! Mutation proof: the suite runs against deliberately broken servers (an axum proxy in front
//! of the in-process mock that breaks one behaviour) and must fail the right property, with a
//! shrunk sequence that names the broken step.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use msp_conformance::Family;
use serde_json::{Value, json};

mod common;
use common::{failure, family, forward, json_response, response, run_behind_proxy};

/// What a broken server does differently.
#[derive(Clone, Copy, Debug)]
enum Mutation {
    /// The cap set through the admin API is dropped: the server never refuses at the cap.
    IgnoreCap,
    /// Another MSP's tenants are readable by id.
    LeakOtherMsp,
    /// Workspace records carry a `workspaceType` outside the spec's enum.
    FieldOutsideSchema,
    /// Tenant updates answer 200 but change nothing.
    LoseUpdate,
    /// A bad filter crashes the server (500 instead of 422).
    CrashOnBadFilter,
    /// Tokens claim to live 30 s instead of the documented 15 minutes, so a correct client
    /// fetches again within one documented lifetime.
    ShortTokens,
    /// Fault injection is off by one: a 429 rule asked for `times: n` throttles n + 1 calls,
    /// so the client needs one attempt more than the injected 429s justify (or runs out).
    ExtraThrottle,
}

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    mutation: Mutation,
    /// Tenant ids of the second MSP (what `LeakOtherMsp` leaks).
    foreign: Vec<String>,
}

async fn handle(State(p): State<Arc<Proxy>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let path_q = req
        .uri()
        .path_and_query()
        .map(|x| x.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let headers = req.headers().clone();
    let mut body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap();
    match p.mutation {
        Mutation::IgnoreCap if method == Method::PUT && path == "/__admin/state" => {
            let mut world: Value = serde_json::from_slice(&body).unwrap();
            for m in world["msps"].as_array_mut().unwrap() {
                m.as_object_mut().unwrap().remove("tenant_cap");
            }
            body = Bytes::from(world.to_string());
        }
        Mutation::ExtraThrottle if method == Method::POST && path == "/__admin/faults" => {
            let mut rule: Value = serde_json::from_slice(&body).unwrap();
            if let Some(n) = rule["times"].as_u64() {
                rule["times"] = json!(n + 1);
            }
            body = Bytes::from(rule.to_string());
        }
        Mutation::LoseUpdate
            if method == Method::PUT && path.starts_with("/workspaces/v1/msp-tenants/") =>
        {
            return json_response(StatusCode::OK, json!({"message": "Tenant updated."}));
        }
        Mutation::LeakOtherMsp if method == Method::GET => {
            if let Some(id) = path.strip_prefix("/workspaces/v1/workspaces/")
                && p.foreign.iter().any(|f| f == id)
            {
                return json_response(
                    StatusCode::OK,
                    json!({"id": id, "type": "workspace", "workspaceName": "Umbrella Labs",
                           "workspaceType": "MSP_TENANT"}),
                );
            }
        }
        _ => {}
    }
    let (status, headers, bytes) = forward(
        &p.http,
        &p.upstream,
        method.clone(),
        &path_q,
        &headers,
        body,
    )
    .await;
    let mut bytes = bytes;
    if let Mutation::FieldOutsideSchema = p.mutation
        && method == Method::GET
        && status == StatusCode::OK
        && path.starts_with("/workspaces/v1/workspaces/")
        && !path.ends_with("/contact")
    {
        let mut v: Value = serde_json::from_slice(&bytes).unwrap();
        if v["workspaceType"] == "MSP_TENANT" {
            v["workspaceType"] = json!("MSP_SUBTENANT");
        }
        bytes = Bytes::from(v.to_string());
    }
    if let Mutation::CrashOnBadFilter = p.mutation
        && status == StatusCode::UNPROCESSABLE_ENTITY
        && path == "/workspaces/v1/msp-tenants"
        && path_q.contains("filter=")
    {
        let body = json!({"debugId": "x", "httpStatusCode": 500,
            "errorCode": "HPE_GL_ERROR_INTERNAL_SERVER_ERROR", "message": "filter crashed"});
        return json_response(StatusCode::INTERNAL_SERVER_ERROR, body);
    }
    if let Mutation::ShortTokens = p.mutation
        && method == Method::POST
        && status == StatusCode::OK
        && path.ends_with("/token")
    {
        let mut v: Value = serde_json::from_slice(&bytes).unwrap();
        v["expires_in"] = json!(30);
        bytes = Bytes::from(v.to_string());
    }
    response(status, headers, bytes)
}

/// Runs `family` against the mock behind a proxy applying `mutation`.
fn run_broken(mutation: Mutation, family: Family) -> msp_conformance::FamilyOutcome {
    run_behind_proxy(&format!("{mutation:?}"), family, |mock| {
        let foreign = mock.credentials().msps[1]
            .tenants
            .iter()
            .map(|t| t.id.to_string())
            .collect();
        let proxy = Arc::new(Proxy {
            upstream: mock.uri().to_string(),
            http: reqwest::Client::new(),
            mutation,
            foreign,
        });
        axum::Router::new().fallback(handle).with_state(proxy)
    })
}

#[test]
fn ignoring_the_cap_fails_domain_cap_at_a_create() {
    let (property, step, steps) = failure(&run_broken(Mutation::IgnoreCap, family("glp.crud")));
    assert_eq!(property, "domain.cap");
    assert!(step.starts_with("Create"), "broken step: {step}");
    // Shrunk: the start line plus cap changes and the creates that cross the cap.
    assert!(
        steps[1..]
            .iter()
            .all(|s| s.starts_with("Create") || s.starts_with("SetCap")),
        "{steps:#?}"
    );
}

#[test]
fn leaking_another_msps_tenant_fails_isolation() {
    let (property, step, steps) = failure(&run_broken(Mutation::LeakOtherMsp, family("glp.crud")));
    assert_eq!(property, "isolation");
    assert!(
        step.contains("Witness") || step.contains("CrossMsp"),
        "broken step: {step}"
    );
    assert_eq!(steps.len(), 2, "shrinks to one step: {steps:#?}");
}

#[test]
fn a_field_outside_the_schema_fails_spec_body() {
    let (property, step, _) = failure(&run_broken(
        Mutation::FieldOutsideSchema,
        family("glp.crud"),
    ));
    assert_eq!(property, "spec.body");
    assert!(
        step.starts_with("Get") || step.starts_with("Create") || step.starts_with("TenantRead"),
        "broken step: {step}"
    );
}

#[test]
fn a_lost_update_fails_model_equality_naming_the_update() {
    let (property, _, steps) = failure(&run_broken(Mutation::LoseUpdate, family("glp.crud")));
    assert_eq!(property, "model.equality");
    assert!(steps.iter().any(|s| s.starts_with("Update")), "{steps:#?}");
    assert!(steps.len() <= 4, "shrunk to a short sequence: {steps:#?}");
}

#[test]
fn a_crash_on_bad_input_fails_input_malformed() {
    let (property, step, steps) = failure(&run_broken(
        Mutation::CrashOnBadFilter,
        family("glp.malformed"),
    ));
    assert_eq!(property, "input.malformed");
    assert!(step.contains("BadFilter"), "broken step: {step}");
    assert_eq!(steps.len(), 2, "shrinks to one step: {steps:#?}");
}

#[test]
fn short_lived_tokens_fail_exchange_once() {
    let (property, step, steps) = failure(&run_broken(Mutation::ShortTokens, family("glp.tokens")));
    assert_eq!(property, "auth.exchange_once");
    assert_eq!(step, "end-of-case checks");
    assert!(steps.iter().any(|s| s.starts_with("Advance")), "{steps:#?}");
}

#[test]
fn an_extra_injected_429_fails_the_retry_budget() {
    let (property, step, steps) = failure(&run_broken(
        Mutation::ExtraThrottle,
        family("glp.rate_limits"),
    ));
    assert_eq!(property, "retry.budget");
    // Shrunk to one throttled call, which is the step it names.
    assert!(
        step.contains("throttle: ") && !step.contains("throttle: 0"),
        "broken step: {step}"
    );
    assert_eq!(steps.len(), 2, "shrinks to one step: {steps:#?}");
}
