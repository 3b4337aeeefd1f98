//! Criterion benches of the client runtime's per-request overhead: what the generated clients'
//! `pre` hook adds to every call (cached-token lookup and header stamping) and a cached tenant
//! session lookup, against a plain `Context::default()` (no authoriser).
//!
//! The token endpoints are served once by `wiremock` on loopback; the measured loops make no
//! network calls. `cargo bench -p msp-client --bench runtime_overhead` (not run by `cargo test`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use msp_client::hooks::Context;
use msp_client::{Credentials, MspSession};
use serde_json::json;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MSP_WS: &str = "11111111-2222-4333-8444-555555555555";
const TENANT: &str = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

fn runtime(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (server, msp) = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path_regex(r"^/authorization/v2/oauth2/[0-9a-f-]+/token$"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "bench-token-0123456789abcdef",
                "token_type": "Bearer",
                "expires_in": 3600,
            })))
            .mount(&server)
            .await;
        let creds = Credentials::new("bench", "bench-secret", MSP_WS)
            .with_base_url_for_all(&server.uri())
            .expect("base url");
        let msp = MspSession::connect(creds).await.expect("connect");
        msp.tenant_by_id(TENANT).await.expect("tenant");
        (server, msp)
    });
    let http = reqwest::Client::new();
    let template = http
        .get(format!(
            "{}/workspaces/v1/msp-tenants?limit=20",
            server.uri()
        ))
        .build()
        .expect("request");
    let plain = Context::default();
    let msp_ctx = msp.context();

    let mut g = c.benchmark_group("client_runtime");
    g.bench_function("authorize_plain_context", |b| {
        b.to_async(&rt).iter(|| {
            let mut req = template.try_clone().expect("clonable");
            let ctx = &plain;
            async move {
                ctx.authorize(&mut req).await.expect("ok");
                black_box(req)
            }
        })
    });
    g.bench_function("authorize_msp_cached_token", |b| {
        b.to_async(&rt).iter(|| {
            let mut req = template.try_clone().expect("clonable");
            let ctx = &msp_ctx;
            async move {
                ctx.authorize(&mut req).await.expect("ok");
                black_box(req)
            }
        })
    });
    g.bench_function("tenant_session_cached_lookup", |b| {
        b.to_async(&rt).iter(|| {
            let msp = &msp;
            async move { black_box(msp.tenant_by_id(TENANT).await.expect("tenant")) }
        })
    });
    g.finish();
    drop(server);
}

criterion_group!(benches, runtime);
criterion_main!(benches);
