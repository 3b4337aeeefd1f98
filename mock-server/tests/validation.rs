//! Request validation from the specs, end to end: the extractors find the operation served from
//! the matched route and refuse what its schemas refuse, in the API's own error shape, naming
//! the field; what the schemas accept goes through.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn vendor_view_enforces_the_spec_on_bodies_and_queries() {
    let mock = small().await;
    let h = bearer_http(&alpha_token(&mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());

    // Whitespace-only name: the spec's `pattern: \S`, 422 naming the field.
    let r = h
        .post(&url)
        .json(&json!({"workspaceName": " \t "}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errorCode"], "HPE_GL_ERROR_UNPROCESSABLE_ENTITY");
    let message = v["message"].as_str().unwrap();
    assert!(message.starts_with("workspaceName:"), "{message}");
    assert!(message.contains("whitespace"), "{message}");

    // Too long a city names the bound.
    let r = h
        .post(&url)
        .json(&json!({"workspaceName": "Echo", "address": {"countryCode": "US", "zip": "12345678901"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["message"],
        "address.zip: must be at most 10 characters, got 11"
    );

    // A schema-valid body with members the schema does not list, and a null, is accepted.
    let r = h
        .post(&url)
        .json(
            &json!({"workspaceName": "Echo", "description": null, "x-extra": 1,
                      "address": {"countryCode": "FR", "city": "Paris"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    // The spec's filter limit (2048), whatever the parser would take.
    let long = format!("workspaceName eq '{}'", "a".repeat(2040));
    assert!(long.len() > 2048);
    let r = h
        .get(&url)
        .query(&[("filter", long.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("filter: must be at most 2048 characters"),
        "{v}"
    );
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("offset=-1", "offset"),
    ] {
        let r = h.get(format!("{url}?{q}")).send().await.unwrap();
        assert_eq!(r.status(), 422, "{q}");
        let v: Value = r.json().await.unwrap();
        assert!(
            v["message"].as_str().unwrap().starts_with(field),
            "{q}: {v}"
        );
    }
    let r = h.get(format!("{url}?limit=20")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn document_view_answers_400_with_details() {
    let mock = small().await;
    let h = bearer_http(&alpha_token(&mock).await);
    let base = format!("{}/workspace-management/v1", mock.uri());
    let r = h
        .post(format!("{base}/msp-tenants"))
        .json(&json!({"workspace_name": "Echo", "address": {"country_code": "XX"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "VALIDATION_ERROR");
    assert_eq!(v["error"]["details"][0]["field"], "address.country_code");
    // The update schema takes the same names.
    let r = h
        .put(format!("{base}/workspaces/{ACME}"))
        .json(&json!({"workspace_name": 7}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["details"][0]["field"], "workspace_name");
    assert_eq!(
        v["error"]["details"][0]["issue"],
        "must be a string, got a number"
    );
    // A required query parameter, and a bound.
    let r = h.get(format!("{base}/msp-tenants")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["details"][0]["field"], "msp-workspace-id");
    let r = h
        .get(format!("{base}/workspaces?limit=1001"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["details"][0]["field"], "limit");
}
