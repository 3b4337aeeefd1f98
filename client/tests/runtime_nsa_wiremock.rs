//! nSA session against `wiremock`: the DSID form login, the cookie on generated calls, one
//! re-login after a 401, and the hand-written `delete_usage_reports` (204 vs 200 partial).

use std::sync::atomic::{AtomicUsize, Ordering};

use futures::TryStreamExt;
use msp_client::{DeleteReportsOutcome, Error, NsaCredentials, NsaSession};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PASSWORD: &str = "nsa-password-do-not-log";

/// Issues `DSID=dsid-1`, `dsid-2`, ... to correct logins.
struct Login(AtomicUsize);

impl Respond for Login {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&req.body);
        let cookie = req
            .headers
            .get("cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !cookie.contains("DSSIGNIN=url_7") || !body.contains("password=nsa-password-do-not-log")
        {
            return ResponseTemplate::new(200).set_body_string("<html>bad login</html>");
        }
        let i = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(302)
            .insert_header("Location", "/dana/home/index.cgi")
            .insert_header(
                "Set-Cookie",
                format!("DSID=dsid-{i}; path=/; Secure; HttpOnly"),
            )
    }
}

async fn portal() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/login/msp"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", "/dana-na/auth/url_7/welcome.cgi")
                .insert_header("Set-Cookie", "DSSIGNIN=url_7; path=/"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/dana-na/auth/url_7/login.cgi"))
        .respond_with(Login(AtomicUsize::new(0)))
        .mount(&server)
        .await;
    server
}

fn dsid_of(req: &Request) -> String {
    req.headers
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn login_then_generated_calls_carry_the_dsid_and_relogin_once_on_401() {
    let server = portal().await;
    // dsid-1 "idles out": only dsid-2 is accepted.
    Mock::given(method("GET"))
        .and(path("/api/msp/tenants"))
        .respond_with(|req: &Request| {
            if dsid_of(req) == "DSID=dsid-2" {
                ResponseTemplate::new(200).set_body_json(json!({
                    "total": 1,
                    "tenants": [{
                        "id": "5b1c2d3e-0000-4000-8000-000000000001", "name": "Acme", "sub_domain": "acme",
                        "user": {"username": "a", "email": "a@acme.example.com"},
                        "subscriptions": [], "created": "2026-01-01T00:00:00Z", "status": "active", "login_url": "https://acme.example.com"
                    }],
                    "users": {"ZTA": 0, "PCS": 0},
                    "tenant_stats": {"active": 1, "blocked": 0, "initializing": 0},
                    "tenant_cap_limit": 10
                }))
            } else {
                ResponseTemplate::new(401).set_body_json(json!({"message": "session expired"}))
            }
        })
        .mount(&server)
        .await;
    let creds = NsaCredentials::new(&server.uri(), "admin", PASSWORD).unwrap();
    let nsa = NsaSession::login(creds).await.unwrap();
    assert_eq!(nsa.login_count(), 1);
    let tenants: Vec<_> = nsa.tenants().try_collect().await.unwrap();
    assert_eq!(tenants.len(), 1);
    let calls: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api/msp/tenants")
        .map(dsid_of)
        .collect();
    assert_eq!(calls, vec!["DSID=dsid-1", "DSID=dsid-2"]);
    assert_eq!(nsa.login_count(), 2);
    assert!(!format!("{nsa:?}").contains(PASSWORD));
    assert!(!format!("{nsa:?}").contains("dsid-2"));
}

#[tokio::test]
async fn a_wrong_password_is_a_login_error() {
    let server = portal().await;
    let creds = NsaCredentials::new(&server.uri(), "admin", "wrong").unwrap();
    let err = NsaSession::login(creds).await.unwrap_err();
    assert!(matches!(err, Error::Login(_)), "{err:?}");
    assert!(err.to_string().contains("DSID"), "{err}");
    // A failed login is not retried in a loop.
    let posts = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn delete_usage_reports_sends_exploded_ids_and_maps_both_answers() {
    let server = portal().await;
    Mock::given(method("DELETE"))
        .and(path("/api/msp/reports/usage"))
        .respond_with(|req: &Request| {
            let ids: Vec<String> = req
                .url
                .query_pairs()
                .filter(|(k, _)| k == "report_ids")
                .map(|(_, v)| v.into_owned())
                .collect();
            if ids.iter().any(|i| i == "missing") {
                ResponseTemplate::new(200).set_body_json(json!({
                    "message": "Some reports could not be deleted",
                    "total": ids.len(),
                    "error": [{"id": "missing", "file_name": "usage-missing.csv"}]
                }))
            } else {
                ResponseTemplate::new(204)
            }
        })
        .mount(&server)
        .await;
    let creds = NsaCredentials::new(&server.uri(), "admin", PASSWORD).unwrap();
    let nsa = NsaSession::login(creds).await.unwrap();

    assert_eq!(
        nsa.delete_usage_reports(&["r1", "r2"]).await.unwrap(),
        DeleteReportsOutcome::AllDeleted
    );
    match nsa.delete_usage_reports(&["r3", "missing"]).await.unwrap() {
        DeleteReportsOutcome::Partial {
            message,
            total,
            failed,
        } => {
            assert!(message.contains("could not"));
            assert_eq!(total, 2);
            assert_eq!(failed.len(), 1);
            assert_eq!(failed[0].id, "missing");
            assert_eq!(failed[0].file_name.as_deref(), Some("usage-missing.csv"));
        }
        other => panic!("expected a partial outcome, got {other:?}"),
    }
    let deletes: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .map(|r| r.url.query().unwrap_or_default().to_string())
        .collect();
    assert_eq!(deletes[0], "report_ids=r1&report_ids=r2");
    assert!(matches!(
        nsa.delete_usage_reports::<&str>(&[]).await,
        Err(Error::InvalidInput(_))
    ));
}
