//! The `/__admin` API: health, credentials, reset, clock, faults, journal, state, admin token,
//! served specs, and the CLI's help.

mod common;

use common::*;
use msp_mock_server::MockServer;
use serde_json::{Value, json};

#[tokio::test]
async fn health_and_credentials() {
    let mock = MockServer::start().await; // embedded default world
    assert_eq!(admin_get(&mock, "/health").await["status"], "ok");
    let c = admin_get(&mock, "/credentials").await;
    let msp = &c["msps"][0];
    for k in ["name", "workspace_id", "client_id", "client_secret"] {
        assert!(msp[k].is_string(), "{k}");
    }
    assert!(msp["tenants"].as_array().unwrap().len() >= 3);
    assert!(msp["tenants"][0]["id"].is_string() && msp["tenants"][0]["name"].is_string());
    // The handle reports the same, and the demo credentials work.
    let creds = mock.credentials();
    assert_eq!(creds.msps[0].client_id, msp["client_id"]);
    let ws = creds.msps[0].workspace_id.to_string();
    msp_token_body(
        &mock,
        &ws,
        &creds.msps[0].client_id,
        &creds.msps[0].client_secret,
    )
    .await;
    // Every default tenant has devices.
    let state = admin_get(&mock, "/state").await;
    for t in state["msps"][0]["tenants"].as_array().unwrap() {
        assert!(!t["devices"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn clock_reads_and_advances() {
    let mock = small().await;
    let before = admin_get(&mock, "/clock").await;
    assert_eq!(before["manual"], true);
    let r = admin_post(&mock, "/clock/advance", json!({"seconds": 120})).await;
    let after: Value = r.json().await.unwrap();
    assert_eq!(
        after["unix"].as_i64().unwrap() - before["unix"].as_i64().unwrap(),
        120
    );
    assert_eq!(after["offset_secs"], 120.0);
    let r = admin_post(&mock, "/clock/advance", json!({"seconds": -5})).await;
    assert_eq!(r.status(), 400);
    let r = admin_post(&mock, "/clock/advance", json!({"secs": 5})).await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn faults_inject_status_in_the_api_shape_then_expire() {
    let mock = small().await;
    let h = bearer_http(&alpha_token(&mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    let r = admin_post(
        &mock,
        "/faults",
        json!({"method": "GET", "path": "/workspaces/v1/msp-tenants", "status": 503, "times": 2, "retry_after": 7}),
    )
    .await;
    assert_eq!(r.status(), 201);
    for _ in 0..2 {
        let r = h.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["retry-after"], "7");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["errorCode"], "HPE_GL_ERROR_SERVICE_UNAVAILABLE");
        assert_eq!(v["httpStatusCode"], 503);
    }
    assert_eq!(h.get(&url).send().await.unwrap().status(), 200);
    // Method filter: a POST does not match a GET fault.
    admin_post(
        &mock,
        "/faults",
        json!({"method": "GET", "path": "/workspaces/*", "status": 500}),
    )
    .await;
    let r = h
        .post(&url)
        .json(&json!({"workspaceName": "F"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(h.get(&url).send().await.unwrap().status(), 500);
    // OAuth shape on the token endpoint, document shape on /workspace-management.
    admin_post(
        &mock,
        "/faults",
        json!({"path": "/as/token.oauth2", "status": 500, "times": 1}),
    )
    .await;
    let r = http()
        .post(format!("{}/as/token.oauth2", mock.uri()))
        .basic_auth("alpha-client", Some("alpha-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "server_error");
    admin_post(
        &mock,
        "/faults",
        json!({"path": "/workspace-management/*", "status": 502, "times": 1}),
    )
    .await;
    let r = h
        .get(format!("{}/workspace-management/v1/workspaces", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert!(r.json::<Value>().await.unwrap()["error"]["code"].is_string());
    // DELETE clears every fault.
    let r = http()
        .delete(format!("{}/__admin/faults", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(h.get(&url).send().await.unwrap().status(), 200);
    // Delay only: the request still succeeds, later.
    admin_post(
        &mock,
        "/faults",
        json!({"path": "/workspaces/v1/msp-tenants", "delay_ms": 150, "times": 1}),
    )
    .await;
    let start = std::time::Instant::now();
    assert_eq!(h.get(&url).send().await.unwrap().status(), 200);
    assert!(start.elapsed() >= std::time::Duration::from_millis(150));
    // Invalid rules are refused.
    for bad in [
        json!({"path": "x", "status": 500}),
        json!({"path": "/a", "status": 200}),
        json!({"path": "/a"}),
    ] {
        assert_eq!(
            admin_post(&mock, "/faults", bad.clone()).await.status(),
            400,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn journal_is_bounded_and_filterable() {
    let yaml = SMALL.replace("tenant_cap: 5", "tenant_cap: 5\n  journal_capacity: 5");
    let mock = frozen(&yaml).await;
    let token = alpha_token(&mock).await; // journaled: the token request
    let h = bearer_http(&token);
    for _ in 0..7 {
        h.get(format!("{}/workspaces/v1/msp-tenants", mock.uri()))
            .send()
            .await
            .unwrap();
    }
    http()
        .get(format!("{}/nowhere", mock.uri()))
        .send()
        .await
        .unwrap();
    let j = admin_get(&mock, "/requests").await;
    assert_eq!(j["capacity"], 5);
    let reqs = j["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 5, "journal keeps only the newest 5");
    let last = reqs.last().unwrap();
    assert_eq!(last["path"], "/nowhere");
    assert_eq!(last["status"], 404);
    let first = &reqs[0];
    assert_eq!(first["method"], "GET");
    assert_eq!(first["client"], "alpha-client");
    assert!(first["time"].is_string());
    let j = admin_get(&mock, "/requests?path=/nowhere&method=GET").await;
    assert_eq!(j["count"], 1);
    let j = admin_get(&mock, "/requests?method=POST").await;
    assert_eq!(j["count"], 0);
    http()
        .delete(format!("{}/__admin/requests", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(admin_get(&mock, "/requests").await["count"], 0);
}

#[tokio::test]
async fn state_export_import_round_trip_and_reset() {
    let mock = small().await;
    let h = bearer_http(&alpha_token(&mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    h.post(&url)
        .json(&json!({"workspaceName": "Exported"}))
        .send()
        .await
        .unwrap();
    let exported = admin_get(&mock, "/state").await;
    // Reset goes back to the fixture.
    let r = admin_post(&mock, "/reset", json!({})).await;
    assert_eq!(r.status(), 200);
    let v: Value = h.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["total"], 2);
    // Import brings the exported world back, identical.
    let r = http()
        .put(format!("{}/__admin/state", mock.uri()))
        .json(&exported)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(admin_get(&mock, "/state").await, exported);
    let v: Value = h.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["total"], 3);
    // Into a fresh server too.
    let fresh = MockServer::builder()
        .fixture(fixture("msps: []"))
        .start()
        .await;
    let r = http()
        .put(format!("{}/__admin/state", fresh.uri()))
        .json(&exported)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(admin_get(&fresh, "/state").await, exported);
    // An invalid world is refused and changes nothing.
    let mut bad = exported.clone();
    bad["msps"][1]["client_id"] = bad["msps"][0]["client_id"].clone();
    let r = http()
        .put(format!("{}/__admin/state", mock.uri()))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(admin_get(&mock, "/state").await, exported);
}

#[tokio::test]
async fn admin_token_guards_admin_routes() {
    let mock = MockServer::builder()
        .fixture(fixture(SMALL))
        .admin_token("let-me-in")
        .start()
        .await;
    let url = format!("{}/__admin/health", mock.uri());
    assert_eq!(http().get(&url).send().await.unwrap().status(), 401);
    assert_eq!(
        http()
            .get(&url)
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        http()
            .get(&url)
            .bearer_auth("let-me-in")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // API routes are unaffected by the admin token.
    alpha_token(&mock).await;
}

#[tokio::test]
async fn specs_are_served() {
    let mock = small().await;
    let r = http()
        .get(format!("{}/openapi/glp-workspaces.yaml", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().starts_with("openapi: 3.0.3"));
    let r = http()
        .get(format!("{}/openapi/nope.yaml", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[test]
fn cli_help_documents_every_flag() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_msp-mock"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--listen",
        "--fixture",
        "--token-ttl",
        "--tenant-cap",
        "--admin-token",
        "--signing-key",
        "Examples:",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

#[test]
fn cli_starts_prints_credentials_and_serves() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_msp-mock"))
        .args(["--listen", "127.0.0.1:0", "--admin-token", "t0k"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let uri = first.rsplit(' ').next().unwrap().to_owned();
    assert!(uri.starts_with("http://127.0.0.1:"), "{first}");
    let rest: Vec<String> = lines.by_ref().take(4).map(|l| l.unwrap()).collect();
    assert!(
        rest.iter().any(|l| l.contains("client_id=demo-msp-client")),
        "{rest:?}"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        http()
            .get(format!("{uri}/__admin/health"))
            .bearer_auth("t0k")
            .send()
            .await
            .unwrap()
            .status()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200);
}
