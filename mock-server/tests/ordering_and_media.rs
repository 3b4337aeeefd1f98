//! List order under a frozen clock, and request bodies declared as a non-JSON media type.

mod common;

use common::*;
use serde_json::{Value, json};

async fn names(mock: &msp_mock_server::MockServer, token: &str) -> Vec<String> {
    let page: Value = bearer_http(token)
        .get(format!("{}/workspaces/v1/msp-tenants", mock.uri()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["workspaceName"].as_str().unwrap().to_string())
        .collect()
}

async fn create(mock: &msp_mock_server::MockServer, token: &str, name: &str) -> String {
    let r = bearer_http(token)
        .post(format!("{}/workspaces/v1/msp-tenants", mock.uri()))
        .json(&json!({ "workspaceName": name }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_string();
    location.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn tenants_created_in_the_same_instant_list_by_id() {
    // The clock is frozen: every create below has the same createdAt.
    let mock = frozen(&SMALL.replace("tenant_cap: 5", "tenant_cap: 50")).await;
    let token = alpha_token(&mock).await;
    let mut ids = Vec::new();
    for name in ["Zeta", "Eta", "Theta", "Iota", "Kappa"] {
        ids.push((create(&mock, &token, name).await, name.to_string()));
    }
    ids.sort();
    let listed = names(&mock, &token).await;
    let new: Vec<String> = listed
        .into_iter()
        .filter(|n| ["Zeta", "Eta", "Theta", "Iota", "Kappa"].contains(&n.as_str()))
        .collect();
    let want: Vec<String> = ids.into_iter().map(|(_, n)| n).collect();
    assert_eq!(new, want, "same createdAt: ordered by id");
}

#[tokio::test]
async fn a_body_declared_as_text_is_refused_and_creates_nothing() {
    let mock = small().await;
    let token = alpha_token(&mock).await;
    let before = names(&mock, &token).await;
    let r = bearer_http(&token)
        .post(format!("{}/workspaces/v1/msp-tenants", mock.uri()))
        .header("content-type", "text/plain")
        .body(r#"{"workspaceName":"Plain Text Co"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["httpStatusCode"], 400);
    assert!(
        body["message"].as_str().unwrap().contains("Content-Type"),
        "{body}"
    );
    assert_eq!(names(&mock, &token).await, before, "nothing created");

    // A JSON media type with parameters, or a +json suffix, is fine.
    let r = bearer_http(&token)
        .post(format!("{}/workspaces/v1/msp-tenants", mock.uri()))
        .header("content-type", "application/json; charset=utf-8")
        .body(r#"{"workspaceName":"Charset Co"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}
