//! Criterion benches of the mock's hot paths: bearer-token verification (cached and not),
//! filter parsing, the store's page query and the whole `GET /workspaces/v1/msp-tenants?limit=20`
//! handler in process, at 1,000 and 10,000 tenants (listing should cost the page, not the total).
//!
//! `cargo bench -p msp-mock-server --bench hot_paths` (not run by `cargo test`).

use std::hint::black_box;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, header};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use msp_mock_server::sso::tokens::{Grant, TokenKind};
use msp_mock_server::state::filter::{self, CAMEL_FIELDS};
use msp_mock_server::{AppState, Clock, Fixture, app};
use tower::ServiceExt;
use uuid::Uuid;

const MSP: &str = "5b0c0e5e-0000-4000-8000-000000000001";

/// A world of one MSP with `tenants` tenants, quotas out of the way.
fn state(tenants: usize) -> Arc<AppState> {
    let mut y = format!(
        "settings:\n  tenant_cap: {}\n  rate_limits: {{ per_client: 4000000000, per_workspace: 4000000000 }}\n\
         msps:\n  - workspace_id: {MSP}\n    name: Bench\n    client_id: bench\n    client_secret: s\n    \
         email: ops@bench.example.com\n    tenants:\n",
        tenants + 10
    );
    for i in 0..tenants {
        y.push_str(&format!(
            "      - {{ id: 7e000000-0000-4000-8000-{i:012x}, name: \"Customer {i:05}\", \
             created_by: ops@bench.example.com, devices: [{{ serial_number: SN{i} }}] }}\n"
        ));
    }
    let fixture = Fixture::from_yaml(&y).expect("bench fixture");
    Arc::new(
        AppState::new(&fixture, Clock::real(), "http://bench".into(), None).expect("bench state"),
    )
}

fn msp_token(state: &AppState) -> String {
    let grant = Grant {
        client_id: "bench".into(),
        workspace_id: Uuid::parse_str(MSP).expect("uuid"),
        msp_id: None,
        kind: TokenKind::Msp,
        scope: None,
        ttl_secs: 3600,
    };
    state.tokens.mint(grant).expect("mint").0
}

fn tokens(c: &mut Criterion) {
    let st = state(10);
    let token = msp_token(&st);
    let mut g = c.benchmark_group("token");
    g.bench_function("verify_cached", |b| {
        b.iter(|| st.tokens.verify(black_box(&token)).expect("valid"))
    });
    g.bench_function("verify_rs256_uncached", |b| {
        b.iter(|| {
            st.tokens
                .signer()
                .verify_signature(black_box(&token))
                .expect("valid")
        })
    });
    g.finish();
}

fn filters(c: &mut Criterion) {
    let mut g = c.benchmark_group("filter");
    for (name, expr) in [
        ("simple", "workspaceName eq 'Customer 00042'"),
        (
            "compound",
            "(workspaceName ge 'Customer 001' and workspaceName lt 'Customer 002') or createdAt gt 2026-01-09T00:00:00Z",
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| filter::parse(black_box(expr), CAMEL_FIELDS).expect("valid"))
        });
    }
    g.finish();
}

fn pages(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let msp = Uuid::parse_str(MSP).expect("uuid");
    let mut g = c.benchmark_group("page");
    for n in [1_000usize, 10_000] {
        let st = state(n);
        g.bench_with_input(BenchmarkId::new("store_list_20", n), &n, |b, _| {
            b.iter(|| st.store.list_tenants(msp, None, 0, 20).expect("page"))
        });
        let token = msp_token(&st);
        let router = app(st.clone());
        g.bench_with_input(BenchmarkId::new("handler_get_limit_20", n), &n, |b, _| {
            b.to_async(&rt).iter(|| {
                let req = Request::get("/workspaces/v1/msp-tenants?limit=20")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .expect("request");
                let r = router.clone();
                async move {
                    let resp = r.oneshot(req).await.expect("infallible");
                    assert_eq!(resp.status(), 200);
                    axum::body::to_bytes(resp.into_body(), usize::MAX)
                        .await
                        .expect("body")
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, tokens, filters, pages);
criterion_main!(benches);
