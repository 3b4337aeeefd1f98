//! Mutation proof for `nsa.crud`: the family runs against deliberately broken nSA portals (an
//! axum proxy in front of the in-process mock that breaks one behaviour) and must fail the
//! right property, with a shrunk sequence that names the broken step.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

mod common;
use common::{failure, family, forward, json_response, response, run_behind_proxy};

/// What a broken portal does differently.
#[derive(Clone, Copy, Debug)]
enum Mutation {
    /// The portal accepts creates beyond `tenant_cap_limit` (while still listing its cap).
    IgnoreCap,
    /// Tenant updates answer the updated tenant but store nothing.
    LoseUpdate,
    /// New tenants never finish provisioning: they stay `initializing` however far the clock
    /// moves.
    StuckInitializing,
    /// A report delete that misses some ids answers 204 (as if all went) instead of 200.
    PartialDeleteAs204,
    /// Bad paging on the tenant list crashes the portal (500 instead of 400).
    CrashOnBadPaging,
    /// The portal finds a tenant by id alone, whichever MSP's session asks: a change to another
    /// MSP's tenant is applied instead of answered 404.
    NoOwnershipCheck,
}

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    mutation: Mutation,
    /// Every distinct session cookie seen (what `NoOwnershipCheck` replays with).
    cookies: std::sync::Mutex<Vec<axum::http::HeaderValue>>,
}

/// The fixture cap the broken portal keeps showing while it no longer enforces it.
const SHOWN_CAP: u64 = 5;

async fn handle(State(p): State<Arc<Proxy>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let path_q = req
        .uri()
        .path_and_query()
        .map(|x| x.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap();
    if let Mutation::LoseUpdate = p.mutation
        && method == Method::PUT
        && let Some(id) = path.strip_prefix("/api/msp/tenants/")
    {
        let update: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let valid = update["subscriptions"]
            .as_array()
            .is_some_and(|a| a.iter().all(|s| s["total_users"].as_u64() >= Some(1)));
        let (_, _, list) = forward(
            &p.http,
            &p.upstream,
            Method::GET,
            "/api/msp/tenants?limit=100",
            &headers,
            Bytes::new(),
        )
        .await;
        let list: Value = serde_json::from_slice(&list).unwrap_or(Value::Null);
        let found = list["tenants"]
            .as_array()
            .and_then(|a| a.iter().find(|t| t["id"] == id).cloned());
        if let (true, Some(mut t)) = (valid, found) {
            // Answer as if updated; store nothing.
            t["name"] = update["name"].clone();
            t["subscriptions"] = update["subscriptions"].clone();
            return json_response(StatusCode::OK, t);
        }
    }
    if let Mutation::IgnoreCap = p.mutation
        && method == Method::POST
        && path == "/api/msp/tenants/requests/tenant-cap-limit"
    {
        // Judged against the cap it shows, not the lifted one.
        let r: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if r["requested_limit"].as_u64().is_some_and(|n| n > SHOWN_CAP) {
            return json_response(
                StatusCode::OK,
                json!({"id": "2b7e4c1d-9f3a-4d8e-b6c5-1a0f9e8d7c6b"}),
            );
        }
    }
    if let Some(c) = headers.get("cookie") {
        let mut seen = p.cookies.lock().unwrap();
        if !seen.contains(c) {
            seen.push(c.clone());
        }
    }
    let (status, resp_headers, bytes) = forward(
        &p.http,
        &p.upstream,
        method.clone(),
        &path_q,
        &headers,
        body.clone(),
    )
    .await;
    if let Mutation::NoOwnershipCheck = p.mutation
        && status == StatusCode::NOT_FOUND
        && method != Method::GET
        && path.starts_with("/api/msp/tenants/")
    {
        // Try the request as every other live session: the first that owns the tenant wins
        // (sessions of earlier cases have ended and answer 401; they are skipped).
        let others: Vec<_> = p.cookies.lock().unwrap().clone();
        for cookie in others.iter().filter(|c| headers.get("cookie") != Some(*c)) {
            let mut as_other = headers.clone();
            as_other.insert("cookie", cookie.clone());
            let (st, h, b) = forward(
                &p.http,
                &p.upstream,
                method.clone(),
                &path_q,
                &as_other,
                body.clone(),
            )
            .await;
            if st.is_success() {
                return response(st, h, b);
            }
        }
    }
    let headers = resp_headers;
    let mut bytes = bytes;
    if let Mutation::IgnoreCap = p.mutation {
        if method == Method::POST && path == "/__admin/reset" && status.is_success() {
            // Lift the cap behind the suite's back.
            let (_, _, state) = forward(
                &p.http,
                &p.upstream,
                Method::GET,
                "/__admin/state",
                &HeaderMap::new(),
                Bytes::new(),
            )
            .await;
            let mut world: Value = serde_json::from_slice(&state).unwrap();
            for m in world["nsa"]["msps"].as_array_mut().unwrap() {
                m["tenant_cap_limit"] = json!(1000);
            }
            let mut h = HeaderMap::new();
            h.insert("content-type", "application/json".parse().unwrap());
            let (s, _, b) = forward(
                &p.http,
                &p.upstream,
                Method::PUT,
                "/__admin/state",
                &h,
                Bytes::from(world.to_string()),
            )
            .await;
            assert!(s.is_success(), "PUT state: {s} {b:?}");
        }
        if method == Method::GET && path == "/api/msp/tenants" && status == StatusCode::OK {
            let mut v: Value = serde_json::from_slice(&bytes).unwrap();
            v["tenant_cap_limit"] = json!(SHOWN_CAP);
            bytes = Bytes::from(v.to_string());
        }
    }
    if let Mutation::StuckInitializing = p.mutation
        && path.starts_with("/api/msp/tenants")
        && status == StatusCode::OK
    {
        let mut v: Value = serde_json::from_slice(&bytes).unwrap();
        let fixture = |t: &Value| t["sub_domain"] == "acme-retail" || t["sub_domain"] == "globex";
        let stuck = |t: &mut Value| {
            if !fixture(t) && t["status"] == "active" {
                t["status"] = json!("initializing");
            }
        };
        match v.get_mut("tenants").and_then(Value::as_array_mut) {
            Some(ts) => ts.iter_mut().for_each(stuck),
            None => stuck(&mut v),
        }
        bytes = Bytes::from(v.to_string());
    }
    if let Mutation::PartialDeleteAs204 = p.mutation
        && method == Method::DELETE
        && path == "/api/msp/reports/usage"
        && status == StatusCode::OK
    {
        return StatusCode::NO_CONTENT.into_response();
    }
    if let Mutation::CrashOnBadPaging = p.mutation
        && method == Method::GET
        && path == "/api/msp/tenants"
        && status == StatusCode::BAD_REQUEST
    {
        let body = json!({"code": "internal_error", "message": "paging crashed"});
        return json_response(StatusCode::INTERNAL_SERVER_ERROR, body);
    }
    response(status, headers, bytes)
}

/// Runs `nsa.crud` against the mock behind a proxy applying `mutation`.
fn run_broken(mutation: Mutation) -> msp_conformance::FamilyOutcome {
    run_behind_proxy(&format!("{mutation:?}"), family("nsa.crud"), |mock| {
        let proxy = Arc::new(Proxy {
            upstream: mock.uri().to_string(),
            // The nSA login answers with a redirect whose Set-Cookie the client must see.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            mutation,
            cookies: Default::default(),
        });
        axum::Router::new().fallback(handle).with_state(proxy)
    })
}

#[test]
fn nsa_ignoring_the_cap_fails_domain_cap_at_a_create() {
    let (property, step, steps) = failure(&run_broken(Mutation::IgnoreCap));
    assert_eq!(property, "domain.cap");
    assert!(step.starts_with("Create"), "broken step: {step}");
    // Shrunk: the start line and only creates: the 4 that fill the cap (the fixture MSP holds
    // 2 of 5) and cross it, plus at most one refused create the shrinker may leave behind
    // once it has simplified that step's fields.
    assert!(
        steps[1..].iter().all(|s| s.starts_with("Create")),
        "{steps:#?}"
    );
    assert!((5..=6).contains(&steps.len()), "{steps:#?}");
}

#[test]
fn nsa_a_lost_update_fails_model_equality_naming_the_update() {
    let (property, step, steps) = failure(&run_broken(Mutation::LoseUpdate));
    assert_eq!(property, "model.equality");
    assert!(steps.iter().any(|s| s.starts_with("Update")), "{steps:#?}");
    assert!(
        step.starts_with("List") || step == "end-of-case checks",
        "the lost update shows at the next read: {step}"
    );
    assert!(steps.len() <= 3, "shrunk to a short sequence: {steps:#?}");
}

#[test]
fn nsa_tenants_stuck_initializing_fail_model_equality_after_an_advance() {
    let (property, _, steps) = failure(&run_broken(Mutation::StuckInitializing));
    assert_eq!(property, "model.equality");
    assert!(steps.iter().any(|s| s.starts_with("Create")), "{steps:#?}");
    assert!(steps.iter().any(|s| s.starts_with("Advance")), "{steps:#?}");
    assert!(steps.len() <= 4, "shrunk to a short sequence: {steps:#?}");
}

#[test]
fn nsa_a_partial_report_delete_answered_204_fails_at_the_delete() {
    let (property, step, steps) = failure(&run_broken(Mutation::PartialDeleteAs204));
    assert_eq!(property, "model.equality");
    assert!(step.starts_with("DeleteReports"), "broken step: {step}");
    assert_eq!(steps.len(), 2, "shrinks to one step: {steps:#?}");
}

#[test]
fn nsa_a_crash_on_bad_paging_fails_input_malformed() {
    let (property, step, steps) = failure(&run_broken(Mutation::CrashOnBadPaging));
    assert_eq!(property, "input.malformed");
    assert!(
        step.starts_with("Bad(ListStart") || step.starts_with("Bad(ListLimit"),
        "broken step: {step}"
    );
    assert_eq!(steps.len(), 2, "shrinks to one step: {steps:#?}");
}

#[test]
fn nsa_a_missing_ownership_check_fails_isolation_at_the_foreign_step() {
    let (property, step, steps) = failure(&run_broken(Mutation::NoOwnershipCheck));
    assert_eq!(property, "isolation");
    assert!(step.starts_with("Foreign"), "broken step: {step}");
    assert!(
        !step.contains("List"),
        "a change, not a list, breaks: {step}"
    );
    assert_eq!(steps.len(), 2, "shrinks to one step: {steps:#?}");
}
