//! The vendor `/workspaces/v1` contract through the generated client, plus raw HTTP for
//! malformed input, bearer checks and the `/workspace-management/v1` view over the same state.

mod common;

use common::*;
use msp_client::generated::glp_workspaces::types;
use serde_json::{Value, json};
use uuid::Uuid;

fn details(name: &str) -> types::builder::TenantDetails {
    types::TenantDetails::builder().workspace_name(name)
}

async fn names(c: &msp_client::generated::glp_workspaces::Client, filter: &str) -> Vec<String> {
    let page = c
        .list_msp_tenants()
        .filter(filter)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{filter}: {e}"))
        .into_inner();
    assert_eq!(page.total as usize, page.items.len());
    page.items.into_iter().map(|t| t.workspace_name).collect()
}

#[tokio::test]
async fn list_and_each_filter_operator() {
    let mock = small().await;
    let c = workspaces_client(&mock, &alpha_token(&mock).await);
    let page = c.list_msp_tenants().send().await.unwrap().into_inner();
    assert_eq!((page.offset, page.count, page.total), (0, 2, 2));
    assert_eq!(page.items[0].workspace_name, "Acme");
    assert_eq!(page.items[0].type_, "workspace");

    assert_eq!(names(&c, "workspaceName eq 'Acme'").await, ["Acme"]);
    assert_eq!(names(&c, "workspaceName ne 'Acme'").await, ["Bravo"]);
    assert_eq!(names(&c, "workspaceName gt 'Acme'").await, ["Bravo"]);
    assert_eq!(
        names(&c, "workspaceName ge 'Acme'").await,
        ["Acme", "Bravo"]
    );
    assert_eq!(names(&c, "workspaceName lt 'Bravo'").await, ["Acme"]);
    assert_eq!(
        names(&c, "workspaceName le 'Bravo'").await,
        ["Acme", "Bravo"]
    );
    assert_eq!(
        names(&c, "createdAt gt '2026-01-15T00:00:00Z'").await,
        ["Bravo"]
    );
    assert_eq!(
        names(&c, "inventoryOwnership eq 'CUSTOMER_OWNED_INVENTORY'").await,
        ["Bravo"]
    );
    assert_eq!(names(&c, &format!("id eq '{ACME}'")).await, ["Acme"]);
    assert_eq!(
        names(&c, "workspaceName eq 'Acme' or workspaceName eq 'Bravo'").await,
        ["Acme", "Bravo"]
    );
    assert_eq!(
        names(
            &c,
            "workspaceName eq 'Acme' and inventoryOwnership eq 'MSP_OWNED_INVENTORY'"
        )
        .await,
        ["Acme"]
    );
    assert!(names(&c, "workspaceName eq 'Nobody'").await.is_empty());

    // An invalid filter names the problem.
    let e = c
        .list_msp_tenants()
        .filter("colour eq 'red'")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 422);
    match e {
        msp_client::generated::glp_workspaces::Error::ErrorResponse(r) => {
            assert_eq!(r.error_code, "HPE_GL_ERROR_UNPROCESSABLE_ENTITY");
            assert!(r.message.contains("colour"), "{}", r.message);
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// The filter's length bound is the spec's `maxLength: 2048`: one byte more is refused, and a
/// filter of exactly 2048 bytes is parsed (and here matches nothing).
#[tokio::test]
async fn filter_length_is_the_specs_max_length() {
    let mock = small().await;
    let h = bearer_http(&alpha_token(&mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    let filter_of = |len: usize| {
        let f = format!("workspaceName eq '{}'", "x".repeat(len - 19));
        assert_eq!(f.len(), len);
        f
    };
    let r = h
        .get(&url)
        .query(&[("filter", filter_of(2049))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    let message = v["message"].as_str().unwrap();
    // Refused by the spec's own `maxLength` before the OData parser sees it.
    assert!(
        message.contains("filter") && message.contains("at most 2048"),
        "{message}"
    );
    let r = h
        .get(&url)
        .query(&[("filter", filter_of(2048))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["total"], 0);
}

#[tokio::test]
async fn paging_bounds() {
    let mock = small().await;
    let c = workspaces_client(&mock, &alpha_token(&mock).await);
    let p = c
        .list_msp_tenants()
        .offset(1u64)
        .limit(1u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((p.offset, p.count, p.total), (1, 1, 2));
    assert_eq!(p.items[0].workspace_name, "Bravo");
    let p = c
        .list_msp_tenants()
        .offset(5u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((p.count, p.total), (0, 2));
    // Out of bounds: raw HTTP (the generated client refuses to send them).
    let h = bearer_http(&alpha_token(&mock).await);
    for q in ["limit=0", "limit=301", "offset=-1", "limit=abc"] {
        let r = h
            .get(format!("{}/workspaces/v1/msp-tenants?{q}", mock.uri()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{q}");
        let v: Value = r.json().await.unwrap();
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .contains(q.split('=').next().unwrap())
        );
        assert!(v["debugId"].is_string());
        assert_eq!(v["httpStatusCode"], 422);
    }
    let r = h
        .get(format!(
            "{}/workspaces/v1/msp-tenants?limit=300",
            mock.uri()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn create_update_delete_and_conflicts() {
    let mock = small().await;
    let c = workspaces_client(&mock, &alpha_token(&mock).await);
    let r = c
        .create_msp_tenant()
        .body(details("Charlie").email(Some("it@charlie.example.com".to_string())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/workspaces/v1/workspaces/"));
    let id: Uuid = location.rsplit('/').next().unwrap().parse().unwrap();
    let w = c
        .get_workspace()
        .workspace_id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(w.workspace_name, "Charlie");
    let contact = c
        .get_workspace_contact()
        .workspace_id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(contact.email.as_deref(), Some("it@charlie.example.com"));

    // Duplicate name (case-insensitive) → 409, nothing created.
    let e = c
        .create_msp_tenant()
        .body(details("charlie"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 409);
    assert_eq!(names(&c, "workspaceName ge ''").await.len(), 3);

    // Update: rename, generation bumps; renaming onto another name → 409.
    c.update_msp_tenant()
        .tenant_id(id)
        .body(details("Charlie Two"))
        .send()
        .await
        .unwrap();
    assert_eq!(names(&c, &format!("id eq '{id}'")).await, ["Charlie Two"]);
    let e = c
        .update_msp_tenant()
        .tenant_id(id)
        .body(details("Acme"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 409);

    // Delete with devices → 409; without → 204; again → 404.
    let acme: Uuid = ACME.parse().unwrap();
    let e = c
        .delete_msp_tenant()
        .tenant_id(acme)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 409);
    let r = c.delete_msp_tenant().tenant_id(id).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let e = c
        .delete_msp_tenant()
        .tenant_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 404);
    // Another MSP's tenant is not found for us.
    let e = c
        .delete_msp_tenant()
        .tenant_id(UMBRELLA.parse::<Uuid>().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 404);
}

#[tokio::test]
async fn tenant_cap_refuses_and_creates_nothing() {
    let mock = small().await; // cap 5, Alpha has 2
    let c = workspaces_client(&mock, &alpha_token(&mock).await);
    for i in 0..3 {
        c.create_msp_tenant()
            .body(details(&format!("T{i}")))
            .send()
            .await
            .unwrap();
    }
    let e = c
        .create_msp_tenant()
        .body(details("T3"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 409);
    if let msp_client::generated::glp_workspaces::Error::ErrorResponse(r) = e {
        assert!(r.message.contains("tenant limit"), "{}", r.message);
    }
    assert_eq!(
        c.list_msp_tenants()
            .send()
            .await
            .unwrap()
            .into_inner()
            .total,
        5
    );
}

#[tokio::test]
async fn malformed_and_invalid_bodies() {
    let mock = small().await;
    let h = bearer_http(&alpha_token(&mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    let post = |body: String| {
        h.post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = post("{not json".into()).await.unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errorCode"], "HPE_GL_ERROR_BAD_REQUEST");
    assert!(v["message"].as_str().unwrap().contains("not valid JSON"));
    for (body, field) in [
        (json!({}), "workspaceName"),
        (json!({"workspaceName": ""}), "workspaceName"),
        (json!({"workspaceName": "x", "email": "no-at"}), "email"),
        (
            json!({"workspaceName": "x", "inventoryOwnership": "MINE"}),
            "inventoryOwnership",
        ),
        (
            json!({"workspaceName": "x", "address": {"countryCode": "US", "city": "c".repeat(41)}}),
            "address.city",
        ),
        (
            json!({"workspaceName": "x", "address": {"city": "Paris"}}),
            "address.countryCode",
        ),
    ] {
        let r = post(body.to_string()).await.unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let v: Value = r.json().await.unwrap();
        assert!(
            v["message"].as_str().unwrap().contains(field),
            "{body} → {v}"
        );
    }
    let r = post(json!({"workspaceName": "x", "address": {"countryCode": "KP"}}).to_string())
        .await
        .unwrap();
    assert_eq!(r.status(), 451);
    // Too large → 413 in the vendor shape.
    let big = json!({"workspaceName": "x", "description": "d".repeat(200_000)}).to_string();
    let r = post(big).await.unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.json::<Value>().await.unwrap()["httpStatusCode"], 413);
    // Nothing was created by any of these.
    let c = workspaces_client(&mock, &alpha_token(&mock).await);
    assert_eq!(
        c.list_msp_tenants()
            .send()
            .await
            .unwrap()
            .into_inner()
            .total,
        2
    );
    // A malformed tenant id on delete → 400.
    let r = h.delete(format!("{url}/not-a-uuid")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // Unknown paths and methods answer in the vendor shape too.
    let r = h.patch(&url).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.json::<Value>().await.unwrap()["httpStatusCode"], 405);
    let r = h
        .get(format!("{}/workspaces/v1/nothing", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errorCode"],
        "HPE_GL_ERROR_NOT_FOUND"
    );
}

#[tokio::test]
async fn bearer_checks() {
    let mock = small().await;
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    let msp = alpha_token(&mock).await;
    // Missing.
    let r = http().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert_eq!(
        r.json::<Value>().await.unwrap()["errorCode"],
        "HPE_GL_ERROR_UNAUTHORIZED"
    );
    // Malformed header / token.
    for auth in ["Basic abc", "Bearer", "Bearer not.a.jwt", "Bearer x"] {
        let r = http()
            .get(&url)
            .header("authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{auth}");
        assert!(r.headers().contains_key("www-authenticate"));
    }
    // alg=none with the real payload.
    let payload = msp.split('.').nth(1).unwrap();
    let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    let r = bearer_http(&none).get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // Forged signature.
    let mut forged = msp.clone();
    forged.pop();
    forged.push(if msp.ends_with('A') { 'B' } else { 'A' });
    let r = bearer_http(&forged).get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // Expired.
    mock.clock().advance(1000.0);
    let r = bearer_http(&msp).get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    assert!(
        r.json::<Value>().await.unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn scope_and_ownership() {
    let mock = small().await;
    let msp = alpha_token(&mock).await;
    let tenant = tenant_token(&mock, &msp, ACME).await;
    // A tenant token cannot manage tenants.
    let e = workspaces_client(&mock, &tenant)
        .list_msp_tenants()
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 403);
    // An MSP token sees its tenants but not another MSP's or the other MSP itself.
    let c = workspaces_client(&mock, &msp);
    c.get_workspace()
        .workspace_id(ACME.parse::<Uuid>().unwrap())
        .send()
        .await
        .unwrap();
    let w = c
        .get_workspace()
        .workspace_id(ALPHA.parse::<Uuid>().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        w.into_inner().workspace_type,
        Some(types::WorkspaceType::Msp)
    );
    for id in [UMBRELLA, OTHER] {
        let e = c
            .get_workspace()
            .workspace_id(id.parse::<Uuid>().unwrap())
            .send()
            .await
            .unwrap_err();
        assert_eq!(status_of(&e), 404, "{id}");
    }
    // The other MSP lists only its own tenant.
    let other = workspaces_client(&mock, &other_token(&mock).await);
    let p = other.list_msp_tenants().send().await.unwrap().into_inner();
    assert_eq!(
        p.items
            .iter()
            .map(|t| t.workspace_name.as_str())
            .collect::<Vec<_>>(),
        ["Umbrella"]
    );
}

#[tokio::test]
async fn management_view_shares_state() {
    let mock = small().await;
    let msp = alpha_token(&mock).await;
    let h = bearer_http(&msp);
    let base = format!("{}/workspace-management/v1", mock.uri());
    // Create in the document view → 201 with the tenant, snake_case.
    let r = h
        .post(format!("{base}/msp-tenants"))
        .json(
            &json!({"workspace_name": "Delta", "address": {"country_code": "FR", "city": "Paris"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("/workspace-management/v1/msp-tenants/")
    );
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["workspace_type"], "MSP_TENANT");
    assert_eq!(t["msp_workspace_id"], ALPHA);
    assert_eq!(t["address"]["country_code"], "FR");
    // Visible in the vendor view.
    let c = workspaces_client(&mock, &msp);
    assert_eq!(names(&c, "workspaceName eq 'Delta'").await, ["Delta"]);
    // Same uniqueness rule, document error shape.
    let r = h
        .post(format!("{base}/msp-tenants"))
        .json(&json!({"workspace_name": "ACME"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "DUPLICATE_NAME");
    // Validation → 400 naming the field in details.
    let r = h
        .post(format!("{base}/msp-tenants"))
        .json(&json!({"workspace_name": "E", "address": {"country_code": "US", "zip": "12345678901"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "VALIDATION_ERROR");
    assert_eq!(v["error"]["details"][0]["field"], "address.zip");
    // List with msp-workspace-id, limit bounds, filter on snake names.
    let list = |q: String| h.get(format!("{base}/msp-tenants?{q}")).send();
    let v: Value = list(format!("msp-workspace-id={ALPHA}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 3);
    let v: Value = list(format!(
        "msp-workspace-id={ALPHA}&filter=workspace_name eq 'Bravo'"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(v["items"][0]["workspace_name"], "Bravo");
    assert_eq!(v["items"][0]["device_count"], 0);
    let v: Value = list(format!("msp-workspace-id={ALPHA}&sort=name:desc&limit=1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"][0]["workspace_name"], "Delta");
    assert_eq!(
        list(format!("msp-workspace-id={ALPHA}&limit=1001"))
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(list(String::new()).await.unwrap().status(), 400);
    assert_eq!(
        list(format!("msp-workspace-id={OTHER}"))
            .await
            .unwrap()
            .status(),
        403
    );
    // Get / delete through the document view; devices block delete there too.
    let r = h
        .delete(format!("{base}/msp-tenants/{ACME}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "WORKSPACE_NOT_EMPTY"
    );
    let id = t["workspace_id"].as_str().unwrap();
    assert_eq!(
        h.get(format!("{base}/msp-tenants/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        h.delete(format!("{base}/msp-tenants/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(names(&c, "workspaceName eq 'Delta'").await.len(), 0);
    // Workspaces list: the MSP and its tenants.
    let v: Value = h
        .get(format!("{base}/workspaces"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 3);
    assert_eq!(v["items"][0]["workspace_type"], "MSP");
    assert_eq!(v["items"][0]["tenant_count"], 2);
    // Unauthenticated → 401 in the document shape.
    let r = http()
        .get(format!("{base}/workspaces"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "UNAUTHORIZED"
    );
}

#[tokio::test]
async fn management_view_through_generated_client() {
    let mock = small().await;
    let msp = alpha_token(&mock).await;
    let c = management_client(&mock, &msp);
    let page = c
        .list_tenants()
        .msp_workspace_id(ALPHA.parse::<Uuid>().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total, 2);
    assert_eq!(page.items[0].workspace_name.as_str(), "Acme");
    assert_eq!(page.items[0].device_count, 1);
}

#[tokio::test]
async fn management_view_workspace_update_and_delete_rules() {
    let mock = small().await;
    let msp = alpha_token(&mock).await;
    let h = bearer_http(&msp);
    let base = format!("{}/workspace-management/v1/workspaces", mock.uri());
    // Update a tenant through the workspace route; the vendor view sees the new name.
    let r = h
        .put(format!("{base}/{BRAVO}"))
        .json(&json!({"workspace_name": "Bravo Renamed", "email": "it@bravo.example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["workspace_name"],
        "Bravo Renamed"
    );
    let c = workspaces_client(&mock, &msp);
    assert_eq!(names(&c, "workspaceName eq 'Bravo Renamed'").await.len(), 1);
    let v: Value = h
        .get(format!("{base}/{BRAVO}/contact"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["email"], "it@bravo.example.com");
    // Renaming onto a sibling's name (any case) → 409 DUPLICATE_NAME.
    let r = h
        .put(format!("{base}/{BRAVO}"))
        .json(&json!({"workspace_name": "acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // The MSP workspace with tenants cannot be deleted.
    let r = h.delete(format!("{base}/{ALPHA}")).send().await.unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "WORKSPACE_NOT_EMPTY"
    );
    // Filter and sort on the workspace list; bad sort names the parameter.
    let v: Value = h
        .get(format!(
            "{base}?filter=workspace_type eq 'MSP_TENANT'&sort=name:asc"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 2);
    assert_eq!(v["items"][0]["workspace_name"], "Acme");
    let r = h
        .get(format!("{base}?sort=colour:asc"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["details"][0]["field"],
        "sort"
    );
    // A tenant token sees only itself.
    let t = bearer_http(&tenant_token(&mock, &msp, ACME).await);
    let v: Value = t.get(&base).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(
        t.get(format!("{base}/{ALPHA}"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

/// The item of tenant ACME in the list page at `url` (`id_key` names the view's id field).
async fn acme_item(h: &reqwest::Client, url: &str, id_key: &str) -> Value {
    let r = h.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i[id_key] == ACME)
        .cloned()
        .unwrap()
}

/// List pages reuse each tenant's rendered item; every change must show in the next page of
/// both views (an update, a device added through the store, a reset).
#[tokio::test]
async fn list_pages_never_serve_stale_items() {
    let mock = small().await;
    let h = bearer_http(&alpha_token(&mock).await);
    let vendor = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    let doc = format!(
        "{}/workspace-management/v1/msp-tenants?msp-workspace-id={ALPHA}",
        mock.uri()
    );
    // Fill both views' rendered items.
    let before_v = acme_item(&h, &vendor, "id").await;
    let before_d = acme_item(&h, &doc, "workspace_id").await;
    assert_eq!(before_v["workspaceName"], "Acme");
    assert_eq!(before_d["device_count"], 1);

    mock.clock().advance(5.0);
    let r = h
        .put(format!("{vendor}/{ACME}"))
        .json(&json!({"workspaceName": "Acme Renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after_v = acme_item(&h, &vendor, "id").await;
    assert_eq!(after_v["workspaceName"], "Acme Renamed");
    assert_eq!(after_v["generation"], 1);
    assert_ne!(after_v["updatedAt"], before_v["updatedAt"]);
    let after_d = acme_item(&h, &doc, "workspace_id").await;
    assert_eq!(after_d["workspace_name"], "Acme Renamed");

    // A device added through a state import shows in the document view's device_count.
    let admin_state = format!("{}/__admin/state", mock.uri());
    let mut world: Value = http()
        .get(&admin_state)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let acme = world["msps"][0]["tenants"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["id"] == ACME)
        .unwrap();
    let mut d = acme["devices"][0].clone();
    d["serial_number"] = json!("SN-ACME-2");
    d["id"] = json!(uuid::Uuid::new_v4());
    acme["devices"].as_array_mut().unwrap().push(d);
    let r = http().put(&admin_state).json(&world).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    assert_eq!(acme_item(&h, &doc, "workspace_id").await["device_count"], 2);

    // Reset brings the fixture's tenant back, in both views.
    let r = http()
        .post(format!("{}/__admin/reset", mock.uri()))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let h = bearer_http(&alpha_token(&mock).await);
    assert_eq!(acme_item(&h, &vendor, "id").await["workspaceName"], "Acme");
    let reset_d = acme_item(&h, &doc, "workspace_id").await;
    assert_eq!(reset_d["workspace_name"], "Acme");
    assert_eq!(reset_d["device_count"], 1);
}
