//! Mutation proof for `ruckus.crud`: the family runs against deliberately broken RUCKUS One
//! servers (an axum proxy in front of the in-process mock that breaks one behaviour) and must
//! fail the right property, with a shrunk sequence that names the broken step.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

mod common;
use common::{
    failure, failure_detail, family, forward, response, ruckus_mock, run_behind_proxy_on,
};

/// What a broken RUCKUS One server does differently.
#[derive(Clone, Copy, Debug)]
enum Mutation {
    /// The delegation check is skipped: a delegation whose `delegation_type` is not the tech
    /// partner's kind is accepted (and made with the partner's kind).
    SkipDelegationCheck,
    /// Activities never finish: every activity reads `INPROGRESS` however far the clock moves
    /// (the changes themselves still happen).
    ActivitiesNeverFinish,
    /// Tenant queries over-count: `totalCount` is one more than the tenants that match.
    WrongTotalCount,
    /// A 429 says nothing about when to retry (no `Retry-After`).
    NoRetryAfter,
    /// `x-rks-tenantid` naming a tenant the MSP does not manage reads as an empty tenant
    /// instead of 403.
    HeaderLeak,
}

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    mutation: Mutation,
}

/// The kind (`MSP_EC`, `MSP_INTEGRATOR`, `MSP_INSTALLER`) of every tenant the mock holds, read
/// from its admin state (which takes no call from any tenant's bucket).
async fn kinds(p: &Proxy) -> Vec<(String, String)> {
    let (_, _, state) = forward(
        &p.http,
        &p.upstream,
        Method::GET,
        "/__admin/state",
        &HeaderMap::new(),
        Bytes::new(),
    )
    .await;
    let world: Value = serde_json::from_slice(&state).unwrap();
    let mut out = Vec::new();
    for m in world["ruckus"]["msps"].as_array().into_iter().flatten() {
        for t in m["tenants"].as_array().into_iter().flatten() {
            let id = t["id"].as_str().unwrap_or_default().replace('-', "");
            let kind = t["kind"].as_str().unwrap_or("MSP_EC").to_string();
            out.push((id, kind));
        }
    }
    out
}

/// Rewrites `v[key]` to the kind of tenant `id`, when the mock knows it as a tech partner.
fn retype(v: &mut Value, key: &str, id: &str, known: &[(String, String)]) {
    if let Some((_, k)) = known.iter().find(|(t, k)| t == id && k != "MSP_EC") {
        v[key] = json!(k);
    }
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
    if let Mutation::SkipDelegationCheck = p.mutation {
        if method == Method::PUT
            && let Some(partner) = path
                .strip_prefix("/tenants/")
                .and_then(|r| r.strip_suffix("/tenantDelegations"))
        {
            let known = kinds(&p).await;
            let mut v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            retype(&mut v, "delegation_type", partner, &known);
            body = Bytes::from(v.to_string());
        }
        if method == Method::POST && path == "/tenants" {
            let known = kinds(&p).await;
            let mut v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            for t in v["data"].as_array_mut().into_iter().flatten() {
                for d in t["delegations"].as_array_mut().into_iter().flatten() {
                    let id = d["delegation_id"].as_str().unwrap_or_default().to_string();
                    retype(d, "delegation_type", &id, &known);
                }
            }
            body = Bytes::from(v.to_string());
        }
    }
    let (status, resp_headers, mut bytes) = forward(
        &p.http,
        &p.upstream,
        method.clone(),
        &path_q,
        &headers,
        body,
    )
    .await;
    if let Mutation::ActivitiesNeverFinish = p.mutation
        && method == Method::GET
        && path.starts_with("/activities/")
        && status == StatusCode::OK
    {
        let mut v: Value = serde_json::from_slice(&bytes).unwrap();
        let stall = |a: &mut Value| {
            if let Some(o) = a.as_object_mut()
                && matches!(
                    o.get("status").and_then(Value::as_str),
                    Some("SUCCESS" | "FAIL")
                )
            {
                o.insert("status".into(), json!("INPROGRESS"));
                o.remove("endDatetime");
                o.remove("error");
                o.remove("suggestion");
                o.insert("severity".into(), json!("Info"));
            }
        };
        stall(&mut v);
        for s in v["steps"].as_array_mut().into_iter().flatten() {
            stall(s);
        }
        bytes = Bytes::from(v.to_string());
    }
    if let Mutation::WrongTotalCount = p.mutation
        && method == Method::POST
        && (path == "/tenants/query" || path == "/mspecs/query")
        && status == StatusCode::OK
    {
        let mut v: Value = serde_json::from_slice(&bytes).unwrap();
        let n = v["totalCount"].as_u64().unwrap_or(0);
        v["totalCount"] = json!(n + 1);
        bytes = Bytes::from(v.to_string());
    }
    let mut resp_headers = resp_headers;
    if let Mutation::NoRetryAfter = p.mutation
        && status == StatusCode::TOO_MANY_REQUESTS
    {
        resp_headers.remove("retry-after");
    }
    if let Mutation::HeaderLeak = p.mutation
        && method == Method::GET
        && path == "/venues"
        && status == StatusCode::FORBIDDEN
    {
        return common::json_response(StatusCode::OK, json!([]));
    }
    response(status, resp_headers, bytes)
}

/// Runs `ruckus.crud` against the RUCKUS mock behind a proxy applying `mutation`.
fn run_broken(mutation: Mutation) -> msp_conformance::FamilyOutcome {
    run_behind_proxy_on(
        &format!("{mutation:?}"),
        family("ruckus.crud"),
        ruckus_mock(),
        |mock| {
            let proxy = Arc::new(Proxy {
                upstream: mock.uri().to_string(),
                http: reqwest::Client::new(),
                mutation,
            });
            axum::Router::new().fallback(handle).with_state(proxy)
        },
    )
}

#[test]
fn ruckus_a_skipped_delegation_check_fails_domain_delegation_at_the_delegation() {
    let outcome = run_broken(Mutation::SkipDelegationCheck);
    let (property, step, steps) = failure(&outcome);
    let detail = failure_detail(&outcome);
    assert_eq!(property, "domain.delegation", "{detail}");
    // The broken step is a delegation of the wrong type: a tenantDelegations PUT, or a create
    // delegated to a partner, with the type that is not the partner's.
    let wrong_type = (step.starts_with("Delegate") && step.contains("right_type: false"))
        || (step.starts_with("Create") && step.contains("false))"));
    assert!(wrong_type, "broken step: {step}");
    assert!(
        detail.contains("expected status 400, got 202"),
        "the wrong type was accepted: {detail}"
    );
    assert!(steps.len() <= 3, "shrunk to a short sequence: {steps:#?}");
}

#[test]
fn ruckus_activities_that_never_finish_fail_activity_terminal() {
    let outcome = run_broken(Mutation::ActivitiesNeverFinish);
    let (property, _, steps) = failure(&outcome);
    let detail = failure_detail(&outcome);
    assert_eq!(property, "activity.terminal", "{detail}");
    assert!(
        detail.contains("is still INPROGRESS") && detail.contains("it must end within"),
        "{detail}"
    );
    // One accepted write is enough: its activity never ends.
    let writes = ["Create", "Rename", "Delete", "Delegate"];
    assert!(
        steps
            .iter()
            .any(|s| writes.iter().any(|w| s.starts_with(w))),
        "{steps:#?}"
    );
    assert!(steps.len() <= 3, "shrunk to a short sequence: {steps:#?}");
}

#[test]
fn ruckus_a_wrong_total_count_fails_query_totals() {
    let outcome = run_broken(Mutation::WrongTotalCount);
    let (property, _, steps) = failure(&outcome);
    let detail = failure_detail(&outcome);
    assert_eq!(property, "query.totals", "{detail}");
    assert!(detail.starts_with("totalCount is Some("), "{detail}");
    // Every case fails at the latest in the end-of-case listing: the minimal one has no step.
    assert_eq!(steps.len(), 1, "shrinks to the start alone: {steps:#?}");
}

#[test]
fn ruckus_a_429_without_retry_after_fails_rate_limit_at_the_burst() {
    let outcome = run_broken(Mutation::NoRetryAfter);
    let (property, step, steps) = failure(&outcome);
    let detail = failure_detail(&outcome);
    assert_eq!(property, "rate.limit", "{detail}");
    assert_eq!(step, "Burst");
    assert!(detail.contains("Retry-After"), "{detail}");
    assert_eq!(steps.len(), 2, "shrinks to one step: {steps:#?}");
}

#[test]
fn ruckus_a_header_naming_a_foreign_tenant_honoured_fails_isolation() {
    let outcome = run_broken(Mutation::HeaderLeak);
    let (property, step, steps) = failure(&outcome);
    let detail = failure_detail(&outcome);
    assert_eq!(property, "isolation", "{detail}");
    assert!(step.starts_with("Header"), "broken step: {step}");
    assert!(detail.contains("expected status 403, got 200"), "{detail}");
    assert_eq!(steps.len(), 2, "shrinks to one step: {steps:#?}");
}
