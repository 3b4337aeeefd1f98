//! RUCKUS One: the token endpoint, `x-rks-tenantid` isolation, asynchronous writes and their
//! activities on the mock clock, the query engine, delegation rules, the per-tenant bucket and
//! venues through the header, over raw HTTP on the default world (and a small one for 429).

mod common;

use common::http;
use msp_mock_server::{Clock, Fixture, MockServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const MSP: &str = "9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4";
const OTHER_MSP: &str = "0b2e5f8a3d6c49f4a7b1e0d9c8b7a6f5";
const ACME: &str = "5e1a0000000000000000000000000001";
const GLOBEX: &str = "5e1a0000000000000000000000000002";
const INITECH: &str = "5e1a0000000000000000000000000003";
const INTEGRATOR: &str = "5e1a00000000000000000000000000f1";
const INSTALLER: &str = "5e1a00000000000000000000000000f2";
const UMBRELLA: &str = "6f2b0000000000000000000000000001";
const NOC_ADMIN: &str = "a1d0000000000000000000000000a002";

async fn mock() -> MockServer {
    MockServer::builder()
        .clock(Clock::manual(chrono::Utc::now()))
        .start()
        .await
}

async fn token_response(
    mock: &MockServer,
    tenant: &str,
    id: &str,
    secret: &str,
) -> reqwest::Response {
    http()
        .post(format!("{}/oauth2/token/{tenant}", mock.uri()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
}

async fn token(mock: &MockServer) -> String {
    let r = token_response(mock, MSP, "demo-ruckus-client", "demo-ruckus-secret").await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

async fn other_token(mock: &MockServer) -> String {
    let r = token_response(
        mock,
        OTHER_MSP,
        "other-ruckus-client",
        "other-ruckus-secret",
    )
    .await;
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// A call with `token`, acting in `tenant` when given; answers status and body (`null` when
/// empty).
async fn call(
    mock: &MockServer,
    token: &str,
    tenant: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut req = http()
        .request(method, format!("{}{path}", mock.uri()))
        .bearer_auth(token);
    if let Some(t) = tenant {
        req = req.header("x-rks-tenantid", t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, v, headers)
}

async fn get(
    mock: &MockServer,
    token: &str,
    tenant: Option<&str>,
    path: &str,
) -> (StatusCode, Value) {
    let (s, v, _) = call(mock, token, tenant, reqwest::Method::GET, path, None).await;
    (s, v)
}

async fn post(mock: &MockServer, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let (s, v, _) = call(mock, token, None, reqwest::Method::POST, path, Some(body)).await;
    (s, v)
}

async fn activity_status(mock: &MockServer, token: &str, id: &str) -> Value {
    let (s, v) = get(mock, token, None, &format!("/activities/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

#[tokio::test]
async fn token_good_and_bad_credentials() {
    let mock = mock().await;
    let r = token_response(&mock, MSP, "demo-ruckus-client", "demo-ruckus-secret").await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["expires_in"], 3600);
    assert_eq!(v["token_type"], "Bearer");
    let jwt = v["access_token"].as_str().unwrap();
    assert_eq!(jwt.split('.').count(), 3, "a JWT");
    let payload = jwt.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (&claims["tenantId"], &claims["tenantType"]),
        (&json!(MSP), &json!("MSP"))
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    let r = token_response(&mock, MSP, "demo-ruckus-client", "wrong").await;
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_client");
    // A good credential under another tenant id is refused too.
    let r = token_response(&mock, OTHER_MSP, "demo-ruckus-client", "demo-ruckus-secret").await;
    assert_eq!(r.status(), 401);
    let r = http()
        .post(format!("{}/oauth2/token/{MSP}", mock.uri()))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "x"),
            ("client_secret", "y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "unsupported_grant_type");
    let r = http()
        .post(format!("{}/oauth2/token/{MSP}", mock.uri()))
        .form(&[("grant_type", "client_credentials"), ("client_id", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // The token works for an hour of mock time, then not.
    let t = token(&mock).await;
    assert_eq!(get(&mock, &t, None, "/tenants/self").await.0, 200);
    mock.clock().advance(3601.0);
    let (s, v) = get(&mock, &t, None, "/tenants/self").await;
    assert_eq!(s, 401);
    assert!(v["errors"]["authorization"]["message"].is_string(), "{v}");
    let (s, _) = get(&mock, "not-a-token", None, "/tenants/self").await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn a_ruckus_token_verifies_with_only_the_published_jwks() {
    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{DecodingKey, Validation};
    let mock = mock().await;
    let t = token(&mock).await;
    let discovery: Value = http()
        .get(format!("{}/.well-known/openid-configuration", mock.uri()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwks: JwkSet = http()
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(&t).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let jwk = jwks
        .find(&header.kid.unwrap())
        .expect("kid published in the JWKS");
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut v = Validation::new(jsonwebtoken::Algorithm::RS256);
    v.validate_aud = false;
    v.set_issuer(&[mock.uri()]);
    let data = jsonwebtoken::decode::<Value>(&t, &key, &v).unwrap();
    assert_eq!(data.claims["tenantId"], MSP);
    // The signature is what is checked: a changed signature fails.
    let mut parts: Vec<String> = t.split('.').map(str::to_owned).collect();
    let first = if parts[2].starts_with('A') { "B" } else { "A" };
    parts[2].replace_range(0..1, first);
    let err = jsonwebtoken::decode::<Value>(&parts.join("."), &key, &v).unwrap_err();
    assert_eq!(
        *err.kind(),
        jsonwebtoken::errors::ErrorKind::InvalidSignature
    );
}

#[tokio::test]
async fn the_header_reaches_only_the_msps_own_customers() {
    let mock = mock().await;
    let t = token(&mock).await;
    let (s, v) = get(&mock, &t, Some(ACME), "/tenants/self").await;
    assert_eq!(s, 200);
    assert_eq!(v["id"], ACME);
    assert_eq!(v["tenantType"], "MSP_EC");
    // Another MSP's customer, and an unknown id: 403 in RUCKUS's shape.
    for foreign in [UMBRELLA, "0123456789abcdef0123456789abcdef", "junk"] {
        let (s, v) = get(&mock, &t, Some(foreign), "/venues").await;
        assert_eq!(s, 403, "{foreign}");
        assert_eq!(v["errors"]["x-rks-tenantid"]["code"], "MSP-10403");
    }
    // The other MSP cannot read this MSP's customer by path either.
    let o = other_token(&mock).await;
    let (s, _) = get(&mock, &o, None, &format!("/tenants/{ACME}")).await;
    assert_eq!(s, 404);
    let (s, v) = get(&mock, &o, None, &format!("/tenants/{UMBRELLA}")).await;
    assert_eq!(
        (s, &v["name"]),
        (StatusCode::OK, &json!("Umbrella Wireless"))
    );
    // Acting in one customer, the path may not name another.
    let (s, _) = get(&mock, &t, Some(ACME), &format!("/tenants/{GLOBEX}")).await;
    assert_eq!(s, 403);
    let (s, _) = get(&mock, &t, Some(ACME), &format!("/tenants/{ACME}")).await;
    assert_eq!(s, 200);
    // A write made inside a customer is that customer's activity: polled with the header.
    let (s, v, _) = call(
        &mock,
        &t,
        Some(ACME),
        reqwest::Method::PATCH,
        &format!("/tenants/{ACME}"),
        Some(json!({"tags": ["vip"]})),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    let req = v["requestId"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&mock, &t, None, &format!("/activities/{req}")).await.0,
        404
    );
    mock.clock().advance(3.0);
    let (s, a) = get(&mock, &t, Some(ACME), &format!("/activities/{req}")).await;
    assert_eq!(
        (s, &a["status"], &a["tenantId"]),
        (StatusCode::OK, &json!("SUCCESS"), &json!(ACME))
    );
    // MSP-level calls refuse a customer header.
    let (s, _) = post(&mock, &t, "/tenants/query", json!({})).await;
    assert_eq!(s, 200);
    let (s, _, _) = call(
        &mock,
        &t,
        Some(ACME),
        reqwest::Method::POST,
        "/tenants/query",
        Some(json!({})),
    )
    .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn the_header_sees_activities_that_are_due_even_when_no_call_ran_them_yet() {
    // A customer's delete is due, but no call has settled it yet: the first call naming the
    // customer in x-rks-tenantid must see it gone (403, as for any tenant the MSP does not
    // manage), not pass the header check on the stale state and then 404 in the handler.
    let mock = mock().await;
    let t = token(&mock).await;
    let (s, v, _) = call(
        &mock,
        &t,
        None,
        reqwest::Method::DELETE,
        &format!("/tenants/{GLOBEX}"),
        None,
    )
    .await;
    assert_eq!(s, 202, "{v}");
    mock.clock().advance(5.0);
    let (s, v) = get(&mock, &t, Some(GLOBEX), "/venues").await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(v["errors"]["x-rks-tenantid"]["code"], "MSP-10403", "{v}");
    // And a create that is due is a tenant the header may name.
    let (s, v) = post(&mock, &t, "/tenants", json!({"data": [{"name": "Due Co"}]})).await;
    assert_eq!(s, 202, "{v}");
    let id = v["data"][0]["tenantId"].as_str().unwrap().to_owned();
    mock.clock().advance(5.0);
    let (s, v) = get(&mock, &t, Some(&id), "/venues").await;
    assert_eq!((s, &v), (StatusCode::OK, &json!([])));
}

#[tokio::test]
async fn a_create_runs_pending_inprogress_success_on_the_mock_clock() {
    let mock = mock().await;
    let t = token(&mock).await;
    let (s, v) = post(
        &mock,
        &t,
        "/tenants",
        json!({"data": [{
            "name": "Hooli",
            "tenant_type": "MSP_EC",
            "service_effective_date": "2026-01-01 00:00:00Z",
            "service_expiration_date": "2027-01-01 00:00:00Z",
            "admin_email": "it@hooli.example",
            "admin_firstname": "Hal",
            "delegations": [{"delegation_id": INTEGRATOR, "delegation_type": "MSP_INTEGRATOR"}],
        }]}),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    let req = v["data"][0]["requestId"].as_str().unwrap().to_owned();
    let id = v["data"][0]["tenantId"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    assert_eq!(activity_status(&mock, &t, &req).await["status"], "PENDING");
    assert_eq!(get(&mock, &t, None, &format!("/tenants/{id}")).await.0, 404);
    mock.clock().advance(1.0);
    assert_eq!(
        activity_status(&mock, &t, &req).await["status"],
        "INPROGRESS"
    );
    mock.clock().advance(2.0);
    let a = activity_status(&mock, &t, &req).await;
    assert_eq!(a["status"], "SUCCESS");
    assert_eq!(a["useCase"], "CreateMspEc");
    assert!(a["endDatetime"].is_string());
    let (s, v) = get(&mock, &t, None, &format!("/tenants/{id}")).await;
    assert_eq!(
        (s, &v["name"], &v["is_active"]),
        (StatusCode::OK, &json!("Hooli"), &json!("true"))
    );
    // The delegation came with it, and its admin.
    let (_, v) = get(
        &mock,
        &t,
        None,
        &format!("/tenants/{INTEGRATOR}/tenantDelegations"),
    )
    .await;
    assert!(
        v["mspec_list"].as_array().unwrap().contains(&json!(id)),
        "{v}"
    );
    let (_, v) = get(&mock, &t, None, &format!("/tenants/{id}/admins")).await;
    assert_eq!(v[0]["email"], "it@hooli.example");
    // The activity is MSP-level: polled inside a customer it is not there.
    let (s, _) = get(&mock, &t, Some(ACME), &format!("/activities/{req}")).await;
    assert_eq!(s, 404);
    // Activities query finds it by id.
    let (s, v) = post(
        &mock,
        &t,
        "/activities/query",
        json!({"filters": {"id": [req]}, "page": 1, "pageSize": 10}),
    )
    .await;
    assert_eq!((s, &v["totalCount"]), (StatusCode::OK, &json!(1)));
}

#[tokio::test]
async fn an_activity_may_404_for_a_moment_after_the_202() {
    let world = serde_json::to_value(&Fixture::default_world().world).unwrap();
    let mut ruckus = world["ruckus"].clone();
    ruckus["settings"] = json!({"activity_visible_after_secs": 2, "pending_secs": 0});
    let mock = MockServer::builder()
        .fixture(Fixture::from_yaml(&json!({ "ruckus": ruckus }).to_string()).unwrap())
        .clock(Clock::manual(chrono::Utc::now()))
        .start()
        .await;
    let t = token(&mock).await;
    let (_, v) = post(
        &mock,
        &t,
        "/tenants",
        json!({"data": [{"name": "Later Co"}]}),
    )
    .await;
    let req = v["data"][0]["requestId"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&mock, &t, None, &format!("/activities/{req}")).await.0,
        404
    );
    mock.clock().advance(2.0);
    assert_eq!(activity_status(&mock, &t, &req).await["status"], "SUCCESS");
}

#[tokio::test]
async fn a_duplicate_name_fails_its_activity_with_the_reason() {
    let mock = mock().await;
    let t = token(&mock).await;
    let (s, v) = post(
        &mock,
        &t,
        "/tenants",
        json!({"data": [{"name": "acme sales"}]}),
    )
    .await;
    assert_eq!(s, 202);
    let req = v["data"][0]["requestId"].as_str().unwrap().to_owned();
    let id = v["data"][0]["tenantId"].as_str().unwrap().to_owned();
    mock.clock().advance(5.0);
    let a = activity_status(&mock, &t, &req).await;
    assert_eq!(a["status"], "FAIL");
    assert!(
        a["error"].as_str().unwrap().contains("already exists"),
        "{a}"
    );
    assert_eq!(get(&mock, &t, None, &format!("/tenants/{id}")).await.0, 404);
    // An update to a taken name fails too, and the tenant keeps its name.
    let (s, v, _) = call(
        &mock,
        &t,
        None,
        reqwest::Method::PUT,
        &format!("/tenants/{GLOBEX}"),
        Some(
            json!({"name": "Initech", "service_effective_date": "2026-01-01 00:00:00Z",
                    "service_expiration_date": "2027-01-01 00:00:00Z"}),
        ),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    let req = v["requestId"].as_str().unwrap().to_owned();
    mock.clock().advance(5.0);
    assert_eq!(activity_status(&mock, &t, &req).await["status"], "FAIL");
    assert_eq!(
        get(&mock, &t, None, &format!("/tenants/{GLOBEX}")).await.1["name"],
        "Globex Retail"
    );
}

#[tokio::test]
async fn queries_page_sort_filter_search_and_count() {
    let mock = mock().await;
    let t = token(&mock).await;
    let (s, v) = post(
        &mock,
        &t,
        "/tenants/query",
        json!({"filters": {"tenantType": ["MSP_EC"]}, "sortField": "name", "sortOrder": "DESC",
               "page": 1, "pageSize": 2, "fields": ["name", "integrator"]}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["totalCount"], 3);
    assert_eq!(v["page"], 1);
    let names: Vec<&Value> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["name"])
        .collect();
    assert_eq!(names, [&json!("Initech"), &json!("Globex Retail")]);
    assert!(v["data"][0].get("city").is_none(), "projected: {v}");
    let (_, v) = post(&mock, &t, "/mspecs/query", json!({"filters": {"tenantType": ["MSP_EC"]}, "sortField": "name", "page": 2, "pageSize": 2})).await;
    assert_eq!(v["totalCount"], 3);
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert_eq!(v["data"][0]["name"], "Initech");
    let (_, v) = post(
        &mock,
        &t,
        "/tenants/query",
        json!({"searchString": "GLOB", "searchTargetFields": ["name"]}),
    )
    .await;
    assert_eq!(
        (v["totalCount"].as_u64(), &v["data"][0]["id"]),
        (Some(1), &json!(GLOBEX))
    );
    let (_, v) = post(
        &mock,
        &t,
        "/tenants/query",
        json!({"filters": {"integrators": [INTEGRATOR]}}),
    )
    .await;
    assert_eq!(v["totalCount"], 1);
    // Inventory across customers, with a next-page query.
    let (_, v) = post(
        &mock,
        &t,
        "/tenants/inventories/query",
        json!({"pageSize": 2, "filters": {"deviceType": ["DVCNWTYPE_WIFI"]}}),
    )
    .await;
    assert_eq!(v["totalCount"], 3);
    assert_eq!(v["subsequentQueries"][0]["payload"]["page"], 2);
    let (_, v) = post(
        &mock,
        &t,
        "/delegations/query?inclEntitlements=true",
        json!({"filters": {"delegationType": ["MSP_INSTALLER"]}}),
    )
    .await;
    assert_eq!(v["data"][0]["entitlements"], json!([]));
    assert_eq!(
        (v["totalCount"].as_u64(), &v["data"][0]["tenantId"]),
        (Some(1), &json!(ACME))
    );
}

#[tokio::test]
async fn a_malformed_query_is_a_400_naming_the_field_and_changes_nothing() {
    let mock = mock().await;
    let t = token(&mock).await;
    let before = common::admin_get(&mock, "/state").await;
    for (body, field) in [
        (json!({"page": 0}), "page"),
        (json!({"pageSize": "ten"}), "pageSize"),
        (json!({"sortField": "shoeSize"}), "sortField"),
        (
            json!({"filters": {"tenantType": {"in": ["MSP_EC"]}}}),
            "filters.tenantType",
        ),
        (json!({"filters": {"shoeSize": ["42"]}}), "filters.shoeSize"),
        (json!({"sortOrder": "UP"}), "sortOrder"),
    ] {
        let (s, v) = post(&mock, &t, "/tenants/query", body.clone()).await;
        assert_eq!(s, 400, "{body}: {v}");
        let errors = v["errors"].as_object().unwrap();
        assert!(errors.keys().any(|k| k.contains(field)), "{body}: {v}");
    }
    // A bad create changes nothing: no activity, no tenant.
    let (s, v) = post(
        &mock,
        &t,
        "/tenants",
        json!({"data": [{"name": "Ok"}, {"name": "X"}]}),
    )
    .await;
    assert_eq!(s, 400);
    assert!(
        v["errors"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("data[1]")),
        "{v}"
    );
    let (_, v) = post(&mock, &t, "/activities/query", json!({})).await;
    assert_eq!(v["totalCount"], 0);
    assert_eq!(common::admin_get(&mock, "/state").await, before);
}

#[tokio::test]
async fn delegation_rules() {
    let mock = mock().await;
    let t = token(&mock).await;
    let put = |t: &str, path: String, body: Value| {
        let (mock, t) = (&mock, t.to_owned());
        async move { call(mock, &t, None, reqwest::Method::PUT, &path, Some(body)).await }
    };
    // The type must be the partner's, the customers the MSP's customers.
    let (s, v, _) = put(
        &t,
        format!("/tenants/{INTEGRATOR}/tenantDelegations"),
        json!({"mspec_list": [GLOBEX], "delegation_type": "MSP_INSTALLER"}),
    )
    .await;
    assert_eq!(s, 400);
    assert!(v["errors"]["delegation_type"].is_object(), "{v}");
    let (s, v, _) = put(
        &t,
        format!("/tenants/{INTEGRATOR}/tenantDelegations"),
        json!({"mspec_list": [INSTALLER], "delegation_type": "MSP_INTEGRATOR"}),
    )
    .await;
    assert_eq!(s, 400);
    assert!(v["errors"]["mspec_list[0]"].is_object(), "{v}");
    let (s, _, _) = put(
        &t,
        format!("/tenants/{UMBRELLA}/tenantDelegations"),
        json!({"mspec_list": [], "delegation_type": "MSP_INTEGRATOR"}),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _, _) = put(
        &t,
        format!("/tenants/{ACME}/tenantDelegations"),
        json!({"mspec_list": [], "delegation_type": "MSP_INTEGRATOR"}),
    )
    .await;
    assert_eq!(s, 404, "a customer is not a tech partner");
    // A delegation for 2 days, which then ends by itself.
    let (s, v, _) = put(
        &t,
        format!("/tenants/{INTEGRATOR}/tenantDelegations"),
        json!({"mspec_list": [GLOBEX, INITECH], "delegation_type": "MSP_INTEGRATOR", "number_of_days": "2"}),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    mock.clock().advance(3.0);
    let (_, v) = get(
        &mock,
        &t,
        None,
        &format!("/tenants/{INTEGRATOR}/tenantDelegations"),
    )
    .await;
    let list = v["mspec_list"].as_array().unwrap();
    assert_eq!(list.len(), 2, "replaced ACME with the two: {v}");
    assert!(v["expiry_date"].is_string());
    mock.clock().advance(2.0 * 86_400.0);
    let t = token(&mock).await; // the first one expired meanwhile
    let (_, v) = get(
        &mock,
        &t,
        None,
        &format!("/tenants/{INTEGRATOR}/tenantDelegations"),
    )
    .await;
    assert_eq!(v["mspec_list"], json!([]));
    // MSP administrator delegations: only the MSP's own administrators.
    let (s, v, _) = put(&t, format!("/tenants/{GLOBEX}/adminDelegations"), json!({"mspec_list": [{"msp_admin_id": "a2d0000000000000000000000000a001", "msp_admin_role": "ADMIN"}], "delegation_type": "MSP"})).await;
    assert_eq!(s, 400);
    assert!(v["errors"]["mspec_list[0].msp_admin_id"].is_object(), "{v}");
    let (s, _, _) = put(&t, format!("/tenants/{GLOBEX}/adminDelegations"), json!({"mspec_list": [{"msp_admin_id": NOC_ADMIN, "msp_admin_role": "READ_ONLY"}], "delegation_type": "MSP"})).await;
    assert_eq!(s, 202);
    mock.clock().advance(3.0);
    let (_, v) = get(
        &mock,
        &t,
        None,
        &format!("/tenants/{GLOBEX}/adminDelegations"),
    )
    .await;
    assert_eq!(
        v,
        json!([{"msp_admin_id": NOC_ADMIN, "msp_admin_role": "READ_ONLY"}])
    );
    let (_, v) = post(
        &mock,
        &t,
        "/tenants/query",
        json!({"filters": {"mspAdmins": [NOC_ADMIN]}}),
    )
    .await;
    assert_eq!(v["totalCount"], 2, "ACME and GLOBEX: {v}");
    // A tech partner with customers cannot be deleted.
    let (s, v, _) = call(
        &mock,
        &t,
        None,
        reqwest::Method::DELETE,
        &format!("/tenants/{INSTALLER}"),
        None,
    )
    .await;
    assert_eq!(s, 400, "{v}");
}

#[tokio::test]
async fn an_empty_bucket_answers_429_with_retry_after() {
    // The default world's RUCKUS MSPs with a bucket of 3 calls a minute (JSON is YAML).
    let world = serde_json::to_value(&Fixture::default_world().world).unwrap();
    let mut ruckus = world["ruckus"].clone();
    ruckus["settings"] = json!({"calls_per_minute": 3});
    let yaml = json!({ "ruckus": ruckus }).to_string();
    let mock = MockServer::builder()
        .fixture(Fixture::from_yaml(&yaml).unwrap())
        .clock(Clock::manual(chrono::Utc::now()))
        .start()
        .await;
    let t = token(&mock).await; // one call of the bucket
    assert_eq!(get(&mock, &t, None, "/venues").await.0, 200);
    assert_eq!(get(&mock, &t, None, "/venues").await.0, 200);
    let (s, v, h) = call(&mock, &t, None, reqwest::Method::GET, "/venues", None).await;
    assert_eq!(s, 429);
    assert_eq!(v["errors"]["rateLimit"]["code"], "MSP-10429");
    let retry: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(retry, 20, "one call every 20 s at 3 a minute");
    // Another tenant's bucket is its own.
    let o = other_token(&mock).await;
    assert_eq!(get(&mock, &o, None, "/venues").await.0, 200);
    mock.clock().advance(20.0);
    assert_eq!(get(&mock, &t, None, "/venues").await.0, 200);
}

#[tokio::test]
async fn venues_through_the_header() {
    let mock = mock().await;
    let t = token(&mock).await;
    let (s, v) = get(&mock, &t, Some(ACME), "/venues").await;
    assert_eq!(s, 200);
    let names: Vec<&Value> = v.as_array().unwrap().iter().map(|v| &v["name"]).collect();
    assert_eq!(names, [&json!("Acme HQ"), &json!("Acme Warehouse")]);
    assert_eq!(v[0]["address"]["city"], "Sunnyvale");
    let (s, v) = get(&mock, &t, Some(GLOBEX), "/venues").await;
    assert_eq!((s, v.as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    // Without the header: the MSP's own venues (none).
    assert_eq!(get(&mock, &t, None, "/venues").await.1, json!([]));
    let (s, v, _) = call(&mock, &t, Some(ACME), reqwest::Method::POST, "/venues/query", Some(json!({"sortField": "clients", "sortOrder": "DESC", "fields": ["name", "clients", "switches"]}))).await;
    assert_eq!(s, 200);
    assert_eq!(v["totalCount"], 2);
    assert_eq!(v["data"][0]["name"], "Acme HQ");
    assert_eq!(v["data"][0]["switches"], 1);
    let (s, _, _) = call(
        &mock,
        &t,
        Some(UMBRELLA),
        reqwest::Method::POST,
        "/venues/query",
        Some(json!({})),
    )
    .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn branding_support_activation_and_invitations_keep_state() {
    let mock = mock().await;
    let t = token(&mock).await;
    assert_eq!(get(&mock, &t, None, "/brandings").await.0, 404);
    let (s, v) = post(
        &mock,
        &t,
        "/brandings",
        json!({"msp_label": "demo-msp", "msp_phone": "+1 555 0100"}),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    mock.clock().advance(3.0);
    let (s, v) = get(&mock, &t, None, "/brandings").await;
    assert_eq!(
        (s, &v["msp_label"], &v["msp_phone"]),
        (StatusCode::OK, &json!("demo-msp"), &json!("+1 555 0100"))
    );
    let (s, v) = post(&mock, &t, "/brandings", json!({"msp_label": "again"})).await;
    assert_eq!(s, 400);
    assert!(v["errors"]["msp_label"].is_object());
    // The other MSP cannot take the label.
    let o = other_token(&mock).await;
    let (s, _) = post(&mock, &o, "/brandings", json!({"msp_label": "DEMO-MSP"})).await;
    assert_eq!(s, 400);

    let (s, v) = get(
        &mock,
        &t,
        None,
        &format!("/tenantActivations/supportStatus/{ACME}"),
    )
    .await;
    assert_eq!((s, v), (StatusCode::OK, json!([])));
    let (s, _, _) = call(
        &mock,
        &t,
        None,
        reqwest::Method::PUT,
        &format!("/tenantActivations/supportStatus/{ACME}"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (_, v) = get(
        &mock,
        &t,
        None,
        &format!("/tenantActivations/supportStatus/{ACME}"),
    )
    .await;
    assert_eq!(v[0]["type"], "SUPPORT_EC");

    let (s, v, _) = call(
        &mock,
        &t,
        None,
        reqwest::Method::DELETE,
        &format!("/tenantActivations/{ACME}"),
        None,
    )
    .await;
    assert_eq!((s, &v[0]["is_active"]), (StatusCode::OK, &json!("false")));
    let invite = json!({"admin_email": "it-admin@acme-sales.example"});
    let path = format!("/tenants/{ACME}/invitations");
    let (s, _, _) = call(
        &mock,
        &t,
        None,
        reqwest::Method::PUT,
        &path,
        Some(invite.clone()),
    )
    .await;
    assert_eq!(s, 400, "no invitations while deactivated");
    call(
        &mock,
        &t,
        None,
        reqwest::Method::PUT,
        &format!("/tenantActivations/{ACME}"),
        None,
    )
    .await;
    let (s, _, _) = call(
        &mock,
        &t,
        None,
        reqwest::Method::PUT,
        &path,
        Some(invite.clone()),
    )
    .await;
    assert_eq!(s, 204);
    let (s, v, _) = call(&mock, &t, None, reqwest::Method::PUT, &path, Some(invite)).await;
    assert_eq!(s, 400, "a second send needs resend: {v}");
    let (s, _, _) = call(
        &mock,
        &t,
        None,
        reqwest::Method::PUT,
        &path,
        Some(json!({"admin_email": "it-admin@acme-sales.example", "resend": true})),
    )
    .await;
    assert_eq!(s, 204);
    let (s, v, _) = call(
        &mock,
        &t,
        None,
        reqwest::Method::PUT,
        &path,
        Some(json!({"admin_email": "nobody@x.example"})),
    )
    .await;
    assert_eq!(s, 400);
    assert!(v["errors"]["admin_email"].is_object());
}

#[tokio::test]
async fn concurrent_creates_of_one_name_make_one_tenant() {
    let mock = mock().await;
    let t = token(&mock).await;
    let calls = (0..8).map(|i| {
        let (mock, t) = (&mock, t.clone());
        async move {
            let name = if i % 2 == 0 {
                "Stark Industries"
            } else {
                "stark industries"
            };
            post(mock, &t, "/tenants", json!({"data": [{"name": name}]})).await
        }
    });
    let answers = futures::future::join_all(calls).await;
    assert!(answers.iter().all(|(s, _)| *s == StatusCode::ACCEPTED));
    mock.clock().advance(5.0);
    let (_, v) = post(
        &mock,
        &t,
        "/tenants/query",
        json!({"searchString": "stark"}),
    )
    .await;
    assert_eq!(v["totalCount"], 1, "{v}");
    let (_, v) = post(
        &mock,
        &t,
        "/activities/query",
        json!({"filters": {"status": ["FAIL"]}}),
    )
    .await;
    assert_eq!(v["totalCount"], 7);
}

#[tokio::test]
async fn a_greenlake_token_is_not_a_ruckus_token() {
    let mock = mock().await;
    let creds = mock.credentials();
    let msp = &creds.msps[0];
    let v = common::msp_token_body(
        &mock,
        &msp.workspace_id.to_string(),
        &msp.client_id,
        &msp.client_secret,
    )
    .await;
    let glp = v["access_token"].as_str().unwrap();
    let (s, _) = get(&mock, glp, None, "/tenants/self").await;
    assert_eq!(s, 401);
    // And the RUCKUS accounts are in the credentials document.
    let doc = common::admin_get(&mock, "/credentials").await;
    assert_eq!(doc["ruckus"]["msps"][0]["tenant_id"], MSP);
    assert_eq!(doc["ruckus"]["msps"].as_array().map(Vec::len), Some(2));
    assert!(mock.banner().contains("demo-ruckus-client"));
}

/// Checks `body` against the spec's schema for `op` answering `status`.
fn conforms(spec: &str, op: &str, status: StatusCode, body: &Value) {
    let spec = msp_spec::Spec::load(spec).unwrap();
    let Some(schema) = spec.response_schema(op, status.as_u16()) else {
        assert!(body.is_null(), "{op} {status}: no schema but a body {body}");
        return;
    };
    let v = spec.validator(&schema).unwrap();
    let bad: Vec<String> = v
        .violations(body)
        .iter()
        .map(|x| format!("{}: {}", x.instance_path, x.message))
        .collect();
    assert!(bad.is_empty(), "{op} {status}: {bad:?}\n{body}");
}

/// One call of the tour: spec, operation, method, path, body, `x-rks-tenantid`, status.
type Step = (
    &'static str,
    &'static str,
    reqwest::Method,
    String,
    Option<Value>,
    Option<&'static str>,
    u16,
);

#[tokio::test]
async fn every_operation_answers_its_spec_shape() {
    use reqwest::Method as M;
    let mock = mock().await;
    let t = token(&mock).await;
    let r = token_response(&mock, MSP, "demo-ruckus-client", "demo-ruckus-secret").await;
    let s = r.status();
    conforms(
        "ruckus-token",
        "create_access_token",
        s,
        &r.json().await.unwrap(),
    );
    let r = token_response(&mock, MSP, "demo-ruckus-client", "nope").await;
    let s = r.status();
    conforms(
        "ruckus-token",
        "create_access_token",
        s,
        &r.json().await.unwrap(),
    );

    let msp = "ruckus-msp";
    let date = |y: u32| format!("{y}-01-01 00:00:00Z");
    let tour: Vec<Step> = vec![
        (
            msp,
            "create_tenants",
            M::POST,
            "/tenants".into(),
            Some(json!({"data": [{"name": "Tour Co", "admin_email": "a@tour.example"}]})),
            None,
            202,
        ),
        (
            msp,
            "create_tenants",
            M::POST,
            "/tenants".into(),
            Some(json!({"data": [{"name": "T"}]})),
            None,
            400,
        ),
        (
            msp,
            "get_tenant",
            M::GET,
            format!("/tenants/{ACME}"),
            None,
            None,
            200,
        ),
        (
            msp,
            "get_tenant",
            M::GET,
            format!("/tenants/{UMBRELLA}"),
            None,
            None,
            404,
        ),
        (
            msp,
            "update_tenant",
            M::PUT,
            format!("/tenants/{INITECH}"),
            Some(
                json!({"name": "Initech AG", "service_effective_date": date(2026), "service_expiration_date": date(2028), "city": "Munich"}),
            ),
            None,
            202,
        ),
        (
            msp,
            "patch_tenant",
            M::PATCH,
            format!("/tenants/{INITECH}"),
            Some(json!({"tags": ["emea"]})),
            None,
            202,
        ),
        (
            msp,
            "get_tenant_delegations",
            M::GET,
            format!("/tenants/{INSTALLER}/tenantDelegations"),
            None,
            None,
            200,
        ),
        (
            msp,
            "update_tenant_delegations",
            M::PUT,
            format!("/tenants/{INSTALLER}/tenantDelegations"),
            Some(json!({"mspec_list": [ACME, GLOBEX], "delegation_type": "MSP_INSTALLER"})),
            None,
            202,
        ),
        (
            msp,
            "patch_tenant_delegations",
            M::PATCH,
            "/tenantDelegations".into(),
            Some(
                json!({"AssignDelegatedRequest": [{"delegation_id": INTEGRATOR, "delegation_type": "MSP_INTEGRATOR", "mspec_id": GLOBEX}]}),
            ),
            None,
            202,
        ),
        (
            msp,
            "list_tenant_admins",
            M::GET,
            format!("/tenants/{ACME}/admins"),
            None,
            None,
            200,
        ),
        (
            msp,
            "get_tenant_admin",
            M::GET,
            format!("/tenants/{ACME}/admins/ec0a0000000000000000000000000001"),
            None,
            None,
            200,
        ),
        (
            msp,
            "update_tenant_admin",
            M::PUT,
            format!("/tenants/{ACME}/admins/ec0a00000000000000000000000000aa"),
            Some(
                json!({"email": "second@acme.example", "user_name": "second", "first_name": "Sec"}),
            ),
            None,
            204,
        ),
        (
            msp,
            "delete_tenant_admin",
            M::DELETE,
            format!("/tenants/{ACME}/admins/ec0a00000000000000000000000000aa"),
            None,
            None,
            204,
        ),
        (
            msp,
            "delete_tenant_admin",
            M::DELETE,
            format!("/tenants/{ACME}/admins/ec0a0000000000000000000000000001"),
            None,
            None,
            400,
        ),
        (
            msp,
            "get_admin_delegations",
            M::GET,
            format!("/tenants/{ACME}/adminDelegations"),
            None,
            None,
            200,
        ),
        (
            msp,
            "update_admin_delegations",
            M::PUT,
            format!("/tenants/{ACME}/adminDelegations"),
            Some(
                json!({"mspec_list": [{"msp_admin_id": NOC_ADMIN, "msp_admin_role": "ADMIN"}], "delegation_type": "MSP"}),
            ),
            None,
            202,
        ),
        (
            msp,
            "patch_admin_delegations",
            M::PATCH,
            "/adminDelegations".into(),
            Some(
                json!({"associations": [{"operation": "ADD", "mspEcId": GLOBEX, "mspAdminRoles": [{"msp_admin_id": NOC_ADMIN, "msp_admin_role": "READ_ONLY"}]}]}),
            ),
            None,
            202,
        ),
        (
            msp,
            "send_invitation",
            M::PUT,
            format!("/tenants/{GLOBEX}/invitations"),
            Some(json!({"admin_email": "admin@globex.example"})),
            None,
            204,
        ),
        (
            msp,
            "deactivate_tenant",
            M::DELETE,
            format!("/tenantActivations/{GLOBEX}"),
            None,
            None,
            200,
        ),
        (
            msp,
            "reactivate_tenant",
            M::PUT,
            format!("/tenantActivations/{GLOBEX}"),
            None,
            None,
            200,
        ),
        (
            msp,
            "enable_support",
            M::PUT,
            format!("/tenantActivations/supportStatus/{GLOBEX}"),
            None,
            None,
            200,
        ),
        (
            msp,
            "get_support_status",
            M::GET,
            format!("/tenantActivations/supportStatus/{GLOBEX}"),
            None,
            None,
            200,
        ),
        (
            msp,
            "disable_support",
            M::DELETE,
            format!("/tenantActivations/supportStatus/{GLOBEX}"),
            None,
            None,
            200,
        ),
        (
            msp,
            "get_branding",
            M::GET,
            "/brandings".into(),
            None,
            None,
            404,
        ),
        (
            msp,
            "create_branding",
            M::POST,
            "/brandings".into(),
            Some(json!({"msp_label": "tour", "msp_website": "https://tour.example"})),
            None,
            202,
        ),
        (
            msp,
            "update_branding",
            M::PUT,
            "/brandings".into(),
            Some(json!({"msp_label": "tour"})),
            None,
            404,
        ),
        (
            msp,
            "schedule_firmware_upgrades",
            M::POST,
            "/firmwareUpgradeSchedules".into(),
            Some(
                json!({"operation": "AP_FIRMWARE_UPGRADE", "data": {"mspEcList": [ACME], "autoSchedule": {"days": ["Monday"], "timeSlots": ["00:00-02:00"]}}}),
            ),
            None,
            202,
        ),
        (
            msp,
            "schedule_firmware_upgrades",
            M::POST,
            "/firmwareUpgradeSchedules".into(),
            Some(
                json!({"operation": "AP_FIRMWARE_UPGRADE", "data": {"mspEcList": [ACME], "autoSchedule": {"days": ["Funday"], "timeSlots": ["00:00-02:00"]}}}),
            ),
            None,
            400,
        ),
        (
            "ruckus-msp-queries",
            "query_tenants",
            M::POST,
            "/tenants/query".into(),
            Some(json!({})),
            None,
            200,
        ),
        (
            "ruckus-msp-queries",
            "query_msp_ecs",
            M::POST,
            "/mspecs/query".into(),
            Some(json!({"fields": ["name"]})),
            None,
            200,
        ),
        (
            "ruckus-msp-queries",
            "query_device_inventory",
            M::POST,
            "/tenants/inventories/query".into(),
            Some(json!({})),
            None,
            200,
        ),
        (
            "ruckus-msp-queries",
            "query_delegations",
            M::POST,
            "/delegations/query?inclEntitlements=true".into(),
            Some(json!({})),
            None,
            200,
        ),
        (
            "ruckus-msp-queries",
            "query_tenants",
            M::POST,
            "/tenants/query".into(),
            Some(json!({})),
            Some(ACME),
            403,
        ),
        (
            "ruckus-activities",
            "query_activities",
            M::POST,
            "/activities/query".into(),
            Some(json!({"pageSize": 500})),
            None,
            200,
        ),
        (
            "ruckus-tenant",
            "get_own_tenant",
            M::GET,
            "/tenants/self?deep=true".into(),
            None,
            None,
            200,
        ),
        (
            "ruckus-tenant",
            "get_own_tenant",
            M::GET,
            "/tenants/self?deep=true".into(),
            None,
            Some(ACME),
            200,
        ),
        (
            "ruckus-tenant",
            "list_admins",
            M::GET,
            "/admins?withExternalId=true".into(),
            None,
            None,
            200,
        ),
        (
            "ruckus-tenant",
            "list_admins",
            M::GET,
            "/admins".into(),
            None,
            Some(ACME),
            200,
        ),
        (
            "ruckus-venues",
            "list_venues",
            M::GET,
            "/venues".into(),
            None,
            Some(ACME),
            200,
        ),
        (
            "ruckus-venues",
            "query_venues",
            M::POST,
            "/venues/query".into(),
            Some(json!({})),
            Some(ACME),
            200,
        ),
    ];
    for (spec, op, method, path, body, tenant, want) in tour {
        let (s, v, _) = call(&mock, &t, tenant, method, &path, body).await;
        assert_eq!(s.as_u16(), want, "{op} {path}: {v}");
        conforms(spec, op, s, &v);
    }
    // Every activity those writes started, polled after they ended.
    mock.clock().advance(5.0);
    let (_, v) = post(&mock, &t, "/activities/query", json!({"pageSize": 500})).await;
    let ids: Vec<String> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 9, "{v}");
    for id in ids {
        let (s, a) = get(&mock, &t, None, &format!("/activities/{id}")).await;
        conforms("ruckus-activities", "get_activity", s, &a);
        assert!(a["status"] == "SUCCESS" || a["status"] == "FAIL", "{a}");
    }
    let (s, v) = get(&mock, &t, None, "/brandings").await;
    conforms(msp, "get_branding", s, &v);
    assert_eq!(v["msp_website"], "https://tour.example");
    let (s, v) = get(&mock, &t, None, &format!("/tenants/{INITECH}")).await;
    conforms(msp, "get_tenant", s, &v);
    assert_eq!(
        (&v["name"], &v["city"]),
        (&json!("Initech AG"), &json!("Munich"))
    );
}

#[tokio::test]
async fn injected_faults_and_unknown_routes_answer_in_ruckus_shapes() {
    let mock = mock().await;
    let t = token(&mock).await;
    let r = common::admin_post(
        &mock,
        "/faults",
        json!({"method": "POST", "path": "/tenants/query", "status": 503, "times": 1}),
    )
    .await;
    assert!(r.status().is_success());
    let (s, v) = post(&mock, &t, "/tenants/query", json!({})).await;
    assert_eq!(s, 503);
    assert!(
        v["errors"].as_object().is_some_and(|e| !e.is_empty()),
        "{v}"
    );
    assert_eq!(post(&mock, &t, "/tenants/query", json!({})).await.0, 200);
    let r = common::admin_post(
        &mock,
        "/faults",
        json!({"method": "POST", "path": "/oauth2/token/*", "status": 503, "times": 1}),
    )
    .await;
    assert!(r.status().is_success());
    let r = token_response(&mock, MSP, "demo-ruckus-client", "demo-ruckus-secret").await;
    assert_eq!(r.status(), 503);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "temporarily_unavailable");
    let (s, v) = get(&mock, &t, None, "/venues/nowhere/else").await;
    assert_eq!(s, 404);
    assert!(v["errors"].is_object(), "{v}");
}

#[tokio::test]
async fn the_generated_clients_work_against_the_mock() {
    use msp_client::generated::{ruckus_activities, ruckus_msp, ruckus_msp_queries, ruckus_token};
    let mock = mock().await;
    let tokens = ruckus_token::Client::new(mock.uri(), Default::default());
    let body: ruckus_token::types::TokenRequest = serde_json::from_value(json!({
        "grant_type": "client_credentials",
        "client_id": "demo-ruckus-client",
        "client_secret": "demo-ruckus-secret",
    }))
    .unwrap();
    let tok = tokens
        .create_access_token()
        .tenant_id(MSP)
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner();
    let tok = serde_json::to_value(tok).unwrap();
    let bearer = common::bearer_http(tok["access_token"].as_str().unwrap());

    let queries =
        ruckus_msp_queries::Client::new_with_client(mock.uri(), bearer.clone(), Default::default());
    let q: ruckus_msp_queries::types::DynamicQueryPayloadDto =
        serde_json::from_value(json!({"filters": {"tenantType": ["MSP_EC"]}, "sortField": "name"}))
            .unwrap();
    let page = queries
        .query_tenants()
        .body(q)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total_count, 3);
    assert_eq!(page.data[0].name.as_deref(), Some("Acme Sales"));

    let msp = ruckus_msp::Client::new_with_client(mock.uri(), bearer.clone(), Default::default());
    let add: ruckus_msp::types::AddTenantRequestHolder =
        serde_json::from_value(json!({"data": [{"name": "Generated Co"}]})).unwrap();
    let made = msp
        .create_tenants()
        .body(add)
        .send()
        .await
        .unwrap()
        .into_inner();
    let req = made.data[0].request_id.clone();
    mock.clock().advance(5.0);
    let acts = ruckus_activities::Client::new_with_client(mock.uri(), bearer, Default::default());
    let a = acts
        .get_activity()
        .activity_id(req.to_string())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(serde_json::to_value(a).unwrap()["status"], "SUCCESS");
    // A refusal comes back as the spec's error type.
    let e = msp
        .get_tenant()
        .tenant_id(UMBRELLA)
        .send()
        .await
        .err()
        .map(|e| e.status().map(|s| s.as_u16()));
    assert_eq!(e, Some(Some(404)));
}
