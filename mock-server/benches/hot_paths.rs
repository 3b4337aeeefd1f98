//! Criterion benches of the mock's hot paths: bearer-token verification (cached and not),
//! filter parsing, the store's page query and the whole `GET /workspaces/v1/msp-tenants?limit=20`
//! handler in process, at 1,000 and 10,000 tenants (listing should cost the page, not the total),
//! and the page body built as a `serde_json::Value` tree (as the handler did until the typed
//! views) against typed, borrowed views, and the handler's own page body with its rendered
//! items cold and warm.
//!
//! `cargo bench -p msp-mock-server --bench hot_paths` (not run by `cargo test`).

use std::hint::black_box;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, header};
use chrono::SecondsFormat;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use msp_mock_server::bench::filter::{self, CAMEL_FIELDS};
use msp_mock_server::bench::{self, AppState, Grant, Page, Tenant, TokenKind, app};
use msp_mock_server::{Clock, Fixture};
use serde::Serialize;
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

const MSP: &str = "5b0c0e5e-0000-4000-8000-000000000001";

/// A world of one MSP with `tenants` tenants of one device each, quotas out of the way.
fn state(tenants: usize) -> Arc<AppState> {
    state_with(tenants, 1)
}

/// A world of one MSP with `tenants` tenants of `devices` devices each.
fn state_with(tenants: usize, devices: usize) -> Arc<AppState> {
    let mut y = format!(
        "settings:\n  tenant_cap: {}\n  rate_limits: {{ per_client: 4000000000, per_workspace: 4000000000 }}\n\
         msps:\n  - workspace_id: {MSP}\n    name: Bench\n    client_id: bench\n    client_secret: s\n    \
         email: ops@bench.example.com\n    tenants:\n",
        tenants + 10
    );
    for i in 0..tenants {
        let devs: Vec<String> = (0..devices)
            .map(|d| format!("{{ serial_number: SN{i}x{d}, model: AP-635, name: ap-{i}-{d} }}"))
            .collect();
        y.push_str(&format!(
            "      - {{ id: 7e000000-0000-4000-8000-{i:012x}, name: \"Customer {i:05}\", \
             created_by: ops@bench.example.com, devices: [{}] }}\n",
            devs.join(", ")
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
            b.iter(|| bench::list_tenants(&st, msp, 0, 20).expect("page"))
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
    // The page query should not depend on what else a tenant holds: 1,000 tenants with 100
    // devices each against the 1-device world above.
    let st = state_with(1_000, 100);
    g.bench_function("store_list_20/1000x100_devices", |b| {
        b.iter(|| bench::list_tenants(&st, msp, 0, 20).expect("page"))
    });
    g.finish();
}

/// The page body as the handler built it before the typed views (a `serde_json::Value` tree per tenant,
/// placed into the page with `json!`, which converts the `Vec<Value>` once more).
fn page_as_value_tree(page: &Page<Tenant>) -> Vec<u8> {
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|t| {
            let mut v = json!({
                "id": t.id,
                "type": "workspace",
                "workspaceName": t.name,
                "generation": t.generation,
                "resourceUri": format!("/workspaces/v1/workspaces/{}", t.id),
                "inventoryOwnership": t.inventory_ownership.as_str(),
            });
            if let Some(c) = t.created_at {
                v["createdAt"] = json!(c.to_rfc3339_opts(SecondsFormat::Millis, true));
            }
            if let Some(u) = t.updated_at {
                v["updatedAt"] = json!(u.to_rfc3339_opts(SecondsFormat::Millis, true));
            }
            if let Some(by) = &t.created_by {
                v["createdBy"] = json!(by);
            }
            v
        })
        .collect();
    let body = json!({
        "offset": page.offset,
        "count": page.items.len(),
        "total": page.total,
        "items": items,
    });
    serde_json::to_vec(&body).expect("serialisable")
}

/// The same body from borrowed, typed views (the handler now also reuses each tenant's rendered
/// item, which this does not).
fn page_as_typed_views(page: &Page<Tenant>) -> Vec<u8> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct View<'a> {
        id: Uuid,
        #[serde(rename = "type")]
        kind: &'static str,
        workspace_name: &'a str,
        generation: u64,
        resource_uri: String,
        inventory_ownership: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        created_at: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        updated_at: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        created_by: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct Body<'a> {
        offset: usize,
        count: usize,
        total: usize,
        items: Vec<View<'a>>,
    }
    let items = page
        .items
        .iter()
        .map(|t| View {
            id: t.id,
            kind: "workspace",
            workspace_name: &t.name,
            generation: t.generation,
            resource_uri: format!("/workspaces/v1/workspaces/{}", t.id),
            inventory_ownership: t.inventory_ownership.as_str(),
            created_at: t
                .created_at
                .map(|c| c.to_rfc3339_opts(SecondsFormat::Millis, true)),
            updated_at: t
                .updated_at
                .map(|c| c.to_rfc3339_opts(SecondsFormat::Millis, true)),
            created_by: t.created_by.as_deref(),
        })
        .collect();
    serde_json::to_vec(&Body {
        offset: page.offset,
        count: page.items.len(),
        total: page.total,
        items,
    })
    .expect("serialisable")
}

fn serialise(c: &mut Criterion) {
    let st = state(1_000);
    let msp = Uuid::parse_str(MSP).expect("uuid");
    let page = bench::list_tenants(&st, msp, 0, 20).expect("page");
    let a: Value = serde_json::from_slice(&page_as_value_tree(&page)).expect("json");
    let b: Value = serde_json::from_slice(&page_as_typed_views(&page)).expect("json");
    assert_eq!(a, b, "both encodings must produce the same page");
    let mut g = c.benchmark_group("serialise_page_20");
    g.bench_function("value_tree", |b| {
        b.iter(|| page_as_value_tree(black_box(&page)))
    });
    g.bench_function("typed_views", |b| {
        b.iter(|| page_as_typed_views(black_box(&page)))
    });
    // What the handler runs: the store's borrowed page with each tenant's rendered item, cold
    // (every item rendered anew: `bench::forget_rendered` drops them) and warm (reused).
    let body = |st: &AppState| bench::page_body(st, msp, 0, 20);
    let c: Value = serde_json::from_slice(&body(&st)).expect("json");
    assert_eq!(a, c, "the handler's page must equal the reference page");
    g.bench_function("handler_body_rendered_cold", |b| {
        b.iter_batched(
            || bench::forget_rendered(&st),
            |()| body(black_box(&st)),
            // One setup per routine: a batch would clear the cache once per batch and time
            // mostly warm pages.
            criterion::BatchSize::PerIteration,
        )
    });
    g.bench_function("handler_body_rendered_warm", |b| {
        b.iter(|| body(black_box(&st)))
    });
    g.finish();
}

criterion_group!(benches, tokens, filters, pages, serialise);
criterion_main!(benches);
