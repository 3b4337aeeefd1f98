//! Client-side figures of `cargo xtask bench`, against an in-process mock (harness = false):
//!
//! - `overhead`: the runtime's per-request cost — stamping a request with the cached token
//!   (`Context::authorize`, what the generated clients' `pre` hook does) and finding a cached
//!   tenant session;
//! - `exchanges`: 1,000 tenants × 10 calls each through one `MspSession`, counting the token
//!   exchanges the mock saw (the target is exactly one per tenant);
//! - `suite`: API calls per second through the generated client (list, get, create, update,
//!   delete), as the conformance suite drives the mock.
//!
//! Each prints one `BENCH {json}` line. Run with
//! `cargo bench -p msp-mock-server --bench client_suite`; `cargo test` does not run it.

use std::time::{Duration, Instant};

use futures::StreamExt;
use msp_client::generated::glp_workspaces::types;
use msp_client::{Credentials, MspSession};
use msp_mock_server::{Fixture, MockServer};
use serde_json::json;
use uuid::Uuid;

const MSP: &str = "5b0c0e5e-0000-4000-8000-000000000001";
const TENANTS: usize = 1000;
/// Bound on the suite run.
const SUITE_ROUNDS: usize = 2000;
const SUITE_MAX: Duration = Duration::from_secs(20);

fn tenant_id(i: usize) -> Uuid {
    Uuid::parse_str(&format!("7e000000-0000-4000-8000-{i:012x}")).expect("uuid")
}

fn fixture() -> Fixture {
    let mut y = format!(
        "settings:\n  tenant_cap: {}\n  journal_capacity: 100000\n  rate_limits: {{ per_client: 4000000000, \
         per_workspace: 4000000000, tenant_create: 4000000000, \
         token_requests: 4000000000 }}\nmsps:\n  - workspace_id: {MSP}\n    \
         name: Bench\n    client_id: bench\n    client_secret: bench-secret\n    email: ops@bench.example.com\n    tenants:\n",
        TENANTS + 10_000
    );
    for i in 0..TENANTS {
        y.push_str(&format!(
            "      - {{ id: {}, name: \"Customer {i:05}\", devices: [{{ serial_number: SN{i} }}] }}\n",
            tenant_id(i)
        ));
    }
    Fixture::from_yaml(&y).expect("bench fixture")
}

async fn session(mock: &MockServer) -> MspSession {
    let creds = Credentials::new("bench", "bench-secret", MSP)
        .with_base_url_for_all(mock.uri())
        .expect("base url");
    MspSession::connect(creds).await.expect("connect")
}

fn emit(v: serde_json::Value) {
    println!("BENCH {v}");
}

/// Mean nanoseconds of `n` runs of `f`, best of 3 batches (less scheduler noise).
async fn mean_ns<F, Fut>(n: u32, mut f: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        for _ in 0..n {
            f().await;
        }
        best = best.min(t.elapsed().as_nanos() as f64 / f64::from(n));
    }
    best
}

async fn overhead(mock: &MockServer) {
    let msp = session(mock).await;
    let ctx = msp.context();
    let http = reqwest::Client::new();
    let url = format!("{}/workspaces/v1/msp-tenants?limit=20", mock.uri());
    let template = http.get(&url).build().expect("request");
    let authorize_ns = mean_ns(100_000, || {
        let mut req = template.try_clone().expect("clonable");
        let ctx = &ctx;
        async move {
            ctx.authorize(&mut req).await.expect("authorized");
            std::hint::black_box(req);
        }
    })
    .await;
    let baseline_ns = mean_ns(100_000, || {
        let req = template.try_clone().expect("clonable");
        async move {
            std::hint::black_box(req);
        }
    })
    .await;
    let id = tenant_id(0).to_string();
    msp.tenant_by_id(&id).await.expect("tenant");
    let tenant_lookup_ns = mean_ns(100_000, || {
        let msp = &msp;
        let id = &id;
        async move {
            std::hint::black_box(msp.tenant_by_id(id).await.expect("tenant"));
        }
    })
    .await;
    emit(json!({
        "name": "overhead",
        "authorize_ns": (authorize_ns - baseline_ns).max(0.0),
        "tenant_lookup_ns": tenant_lookup_ns,
    }));
}

async fn exchanges(mock: &MockServer) {
    mock.clear_requests();
    let msp = session(mock).await;
    let t = Instant::now();
    let results: Vec<usize> = futures::stream::iter(0..TENANTS)
        .map(|i| {
            let msp = msp.clone();
            async move {
                let mut ok = 0;
                for _ in 0..10 {
                    let tenant = msp
                        .tenant_by_id(&tenant_id(i).to_string())
                        .await
                        .expect("tenant session");
                    let w = tenant
                        .glp()
                        .workspaces
                        .get_workspace()
                        .workspace_id(tenant_id(i))
                        .send()
                        .await
                        .expect("get workspace");
                    if w.into_inner().id == tenant_id(i) {
                        ok += 1;
                    }
                }
                ok
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let secs = t.elapsed().as_secs_f64();
    let calls: usize = results.iter().sum();
    let exchanges = mock
        .received_requests(Some("/token"), Some("POST"))
        .iter()
        .filter(|e| !e.path.contains(MSP))
        .count();
    emit(json!({
        "name": "exchanges", "tenants": TENANTS, "calls": calls, "secs": secs,
        "exchanges": exchanges,
    }));
}

async fn suite(mock: &MockServer) {
    let msp = session(mock).await;
    let c = msp.glp().workspaces;
    let t = Instant::now();
    let mut calls = 0u64;
    for round in 0..SUITE_ROUNDS {
        if t.elapsed() > SUITE_MAX {
            break;
        }
        let page = c
            .list_msp_tenants()
            .limit(std::num::NonZeroU64::new(20).expect("non-zero"))
            .offset((round % 50) as u64 * 20)
            .send()
            .await
            .expect("list")
            .into_inner();
        let first = page.items.first().map(|t| t.id).expect("a tenant");
        c.get_workspace()
            .workspace_id(first)
            .send()
            .await
            .expect("get");
        let r = c
            .create_msp_tenant()
            .body(types::TenantDetails::builder().workspace_name(format!("suite {round}")))
            .send()
            .await
            .expect("create");
        let id: Uuid = r.headers()["location"]
            .to_str()
            .ok()
            .and_then(|l| l.rsplit('/').next())
            .and_then(|s| s.parse().ok())
            .expect("location");
        c.update_msp_tenant()
            .tenant_id(id)
            .body(types::TenantDetails::builder().workspace_name(format!("suite {round} b")))
            .send()
            .await
            .expect("update");
        c.delete_msp_tenant()
            .tenant_id(id)
            .send()
            .await
            .expect("delete");
        calls += 5;
    }
    let secs = t.elapsed().as_secs_f64();
    emit(json!({
        "name": "suite", "calls": calls, "secs": secs, "calls_per_sec": calls as f64 / secs,
        "mix": "sequential list/get/create/update/delete through glp_workspaces::Client",
    }));
}

fn main() {
    // `cargo bench` passes `--bench`; a `cargo test --benches` run passes no such flag and
    // only checks that this builds and starts.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mock = MockServer::builder().fixture(fixture()).start().await;
        overhead(&mock).await;
        exchanges(&mock).await;
        suite(&mock).await;
    });
}
