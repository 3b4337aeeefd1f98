//! GreenLake platform collections: `/devices/v1/devices` and `/audit-log/v1/logs` through the
//! generated `glp_platform` client, MSP versus tenant token views, offset paging and the audit
//! trail derived from the journal of writes.

mod common;

use common::*;
use msp_client::generated::glp_platform;
use msp_mock_server::MockServer;
use serde_json::json;

fn platform(mock: &MockServer, token: &str) -> glp_platform::Client {
    glp_platform::Client::new_with_client(mock.uri(), bearer_http(token), Default::default())
}

fn serials(page: &glp_platform::types::DevicePage) -> Vec<String> {
    page.items.iter().map(|d| d.serial_number.clone()).collect()
}

const WORLD: &str = r#"
msps:
  - workspace_id: 11111111-1111-4111-8111-111111111111
    name: Alpha MSP
    client_id: alpha-client
    client_secret: alpha-secret
    tenants:
      - id: aaaaaaaa-0000-4000-8000-000000000001
        name: Acme
        devices:
          - { serial_number: SN-A3, model: AP-635, name: a3, tags: { city: London, floor: "2" } }
          - { serial_number: SN-A1, model: CX-6200, name: a1, status: OFFLINE }
          - { serial_number: SN-A2, model: GW-9004, name: a2 }
      - id: aaaaaaaa-0000-4000-8000-000000000002
        name: Bravo
        inventory_ownership: CUSTOMER_OWNED_INVENTORY
        devices:
          - { serial_number: SN-B1, model: AP-515 }
      - id: aaaaaaaa-0000-4000-8000-000000000003
        name: Charlie
        devices:
          - { serial_number: SN-C1, model: AP-515, tags: { city: Paris } }
  - workspace_id: 22222222-2222-4222-8222-222222222222
    name: Other MSP
    client_id: other-client
    client_secret: other-secret
"#;

async fn mock() -> MockServer {
    frozen(WORLD).await
}

const A: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const B: &str = "aaaaaaaa-0000-4000-8000-000000000002";

#[tokio::test]
async fn msp_token_sees_its_own_inventory_and_tenant_tokens_only_theirs() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let page = platform(&mock, &msp).list_devices().send().await.unwrap();
    // MSP-owned inventory of Acme and Charlie, by serial; Bravo owns its devices.
    assert_eq!(serials(&page), ["SN-A1", "SN-A2", "SN-A3", "SN-C1"]);
    assert_eq!((page.count, page.total, page.offset), (4, 4, 0));
    let a1 = &page.items[0];
    assert_eq!(a1.tenant_workspace_id.as_deref(), Some(A));
    assert_eq!(a1.device_type.as_deref(), Some("SWITCH"));
    assert_eq!(a1.type_, "devices/device");

    let ta = tenant_token(&mock, &msp, A).await;
    let page = platform(&mock, &ta).list_devices().send().await.unwrap();
    assert_eq!(serials(&page), ["SN-A1", "SN-A2", "SN-A3"]);
    assert!(page.items.iter().all(|d| d.tenant_workspace_id.is_none()));
    let tb = tenant_token(&mock, &msp, B).await;
    let page = platform(&mock, &tb).list_devices().send().await.unwrap();
    assert_eq!(serials(&page), ["SN-B1"]);
}

#[tokio::test]
async fn devices_page_by_offset_and_sort() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let c = platform(&mock, &msp);
    let mut seen = vec![];
    let mut offset = 0u64;
    loop {
        let p = c
            .list_devices()
            .offset(offset)
            .limit(3u64)
            .send()
            .await
            .unwrap();
        assert_eq!(p.total, 4);
        seen.extend(serials(&p));
        offset += p.count as u64;
        if offset >= p.total {
            break;
        }
    }
    assert_eq!(seen, ["SN-A1", "SN-A2", "SN-A3", "SN-C1"]);
    let p = c
        .list_devices()
        .sort("serialNumber desc")
        .send()
        .await
        .unwrap();
    assert_eq!(serials(&p), ["SN-C1", "SN-A3", "SN-A2", "SN-A1"]);
    // Out-of-range paging and unknown sort keys answer 400 in GreenLake's shape.
    let r = bearer_http(&msp)
        .get(format!("{}/devices/v1/devices?limit=2001", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "HPE_GL_ERROR_BAD_REQUEST");
    assert!(body["message"].as_str().unwrap().contains("limit"));
    let e = c.list_devices().sort("colour").send().await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
}

/// Pages are cut from one total order: for any sort, the pages of a listing put together are
/// the one-page listing (the handler orders only each page's prefix, so this is its check).
#[tokio::test]
async fn device_pages_concatenate_to_the_full_listing() {
    let mut world = String::from(
        "msps:\n  - workspace_id: 11111111-1111-4111-8111-111111111111\n    name: Alpha MSP\n    \
         client_id: alpha-client\n    client_secret: alpha-secret\n    tenants:\n",
    );
    let models = ["AP-635", "CX-6200", "GW-9004", "AP-515"];
    for t in 0..6 {
        world.push_str(&format!(
            "      - {{ id: aaaaaaaa-0000-4000-8000-00000000000{t}, name: T{t}, devices: [\n"
        ));
        for d in 0..9 {
            // Few distinct models and MACs, so the sort keys tie often.
            world.push_str(&format!(
                "          {{ serial_number: SN-{:02}, model: {}, mac_address: \"00:00:00:00:00:{:02x}\" }},\n",
                (t * 9 + d) * 7 % 54,
                models[(t + d) % 4],
                d % 3
            ));
        }
        world.push_str("        ] }\n");
    }
    let mock = frozen(&world).await;
    let c = platform(&mock, &alpha_token(&mock).await);
    for sort in [
        None,
        Some("model"),
        Some("macAddress desc,model"),
        Some("deviceType desc"),
    ] {
        let mut all = c.list_devices().limit(2000u64);
        if let Some(s) = sort {
            all = all.sort(s);
        }
        let all = all.send().await.unwrap();
        assert_eq!(all.total, 54);
        for limit in [1u64, 5, 7, 53] {
            let mut pages = vec![];
            let mut offset = 0u64;
            while offset < all.total {
                let mut req = c.list_devices().offset(offset).limit(limit);
                if let Some(s) = sort {
                    req = req.sort(s);
                }
                let p = req.send().await.unwrap();
                assert_eq!(p.total, all.total);
                pages.extend(serials(&p));
                offset += limit;
            }
            assert_eq!(pages, serials(&all), "sort {sort:?}, limit {limit}");
        }
    }
}

#[tokio::test]
async fn platform_routes_need_a_valid_bearer() {
    let mock = mock().await;
    let e = glp_platform::Client::new(mock.uri(), Default::default())
        .list_devices()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    let msp = alpha_token(&mock).await;
    mock.clock().advance(901.0);
    let e = platform(&mock, &msp)
        .list_audit_logs()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn audit_log_records_writes_per_workspace() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let ta = tenant_token(&mock, &msp, A).await;
    // A tenant create and an update through the vendor API.
    let http = bearer_http(&msp);
    let r = http
        .post(format!("{}/workspaces/v1/msp-tenants", mock.uri()))
        .json(&json!({"workspaceName": "Delta"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    mock.clock().advance(1.0);
    let r = http
        .put(format!("{}/workspaces/v1/msp-tenants/{A}", mock.uri()))
        .json(&json!({"workspaceName": "Acme Renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A refused write is not audited.
    let r = http
        .post(format!("{}/workspaces/v1/msp-tenants", mock.uri()))
        .json(&json!({"workspaceName": "Delta"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    let logs = platform(&mock, &msp)
        .list_audit_logs()
        .send()
        .await
        .unwrap()
        .into_inner();
    let customer: Vec<_> = logs
        .items
        .iter()
        .filter(|e| e.category == "Customer Management")
        .map(|e| e.description.as_str())
        .collect();
    assert_eq!(customer.len(), 2, "{customer:?}");
    // Newest first: the update, then the create.
    assert!(customer[0].contains("Acme Renamed") && customer[0].contains("updated"));
    assert!(customer[1].contains("created"));
    assert!(logs.items.iter().any(|e| e.category == "Authentication"));
    assert!(logs.items.iter().any(|e| e.category == "Device Management"));
    assert_eq!(logs.total as usize, logs.items.len());

    // The tenant sees its own trail: its exchange, its update, its devices; not Delta.
    let tl = platform(&mock, &ta)
        .list_audit_logs()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        tl.items.iter().all(|e| e.workspace.id == A),
        "{:?}",
        tl.items
    );
    assert!(tl.items.iter().any(|e| e.description.contains("updated")));
    assert!(!tl.items.iter().any(|e| e.description.contains("Delta")));
    assert_eq!(
        tl.items
            .iter()
            .filter(|e| e.category == "Device Management")
            .count(),
        3
    );

    // Paging by offset sees every entry exactly once, with stable ids.
    let c = platform(&mock, &msp);
    let mut ids = vec![];
    let mut offset = 0u64;
    while offset < logs.total {
        let p = c
            .list_audit_logs()
            .offset(offset)
            .limit(2u64)
            .send()
            .await
            .unwrap();
        ids.extend(p.items.iter().map(|e| e.id.clone()));
        offset += p.count as u64;
    }
    let all: Vec<_> = logs.items.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, all);
}

#[tokio::test]
async fn filters_select_devices_and_audit_entries() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let c = platform(&mock, &msp);
    let p = c
        .list_devices()
        .filter("deviceType eq 'AP' or model eq 'CX-6200'")
        .send()
        .await
        .unwrap();
    assert_eq!(serials(&p), ["SN-A1", "SN-A3", "SN-C1"]);
    assert_eq!(p.total, 3);
    let p = c
        .list_devices()
        .filter(format!("tenantWorkspaceId eq '{A}' and archived eq false"))
        .send()
        .await
        .unwrap();
    assert_eq!(serials(&p), ["SN-A1", "SN-A2", "SN-A3"]);
    // Unknown properties and bad syntax answer 400 naming the problem.
    let r = bearer_http(&msp)
        .get(format!("{}/devices/v1/devices", mock.uri()))
        .query(&[("filter", "colour eq 'red'")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("colour"),
        "{body}"
    );
    let e = c
        .list_devices()
        .filter("model eq 'unterminated")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));

    let logs = c
        .list_audit_logs()
        .filter("category eq 'Device Management'")
        .send()
        .await
        .unwrap();
    assert_eq!(logs.total, 4);
    assert!(logs.items.iter().all(|e| e.category == "Device Management"));
}

#[tokio::test]
async fn one_device_by_id_in_the_tokens_view_only() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let c = platform(&mock, &msp);
    let page = c.list_devices().send().await.unwrap().into_inner();
    let a1 = page.items[0].clone();
    let one = c.get_device().id(a1.id.as_str()).send().await.unwrap();
    assert_eq!(one.serial_number, "SN-A1");
    assert_eq!(one.id, a1.id);
    assert_eq!(one.tenant_workspace_id.as_deref(), Some(A));
    assert_eq!(
        one.resource_uri.as_deref(),
        Some(format!("/devices/v1/devices/{}", a1.id).as_str())
    );
    // The tenant token sees its own device, without the allocation.
    let ta = tenant_token(&mock, &msp, A).await;
    let mine = platform(&mock, &ta)
        .get_device()
        .id(a1.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(mine.tenant_workspace_id, None);
    // Bravo's device (customer-owned inventory) is not in the MSP's view, nor Acme's in
    // Bravo's: both 404 in GreenLake's error shape, as for an id no one has.
    let tb = tenant_token(&mock, &msp, B).await;
    let b1 = platform(&mock, &tb).list_devices().send().await.unwrap();
    let b1 = b1.items[0].id.clone();
    let missing = "5b0e3a6c-8d1f-4b7e-9a52-3c1d2e4f6a70";
    for (token, id) in [(&msp, b1.as_str()), (&tb, a1.id.as_str()), (&msp, missing)] {
        let r = bearer_http(token)
            .get(format!("{}/devices/v1/devices/{id}", mock.uri()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{id}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["errorCode"], "HPE_GL_ERROR_NOT_FOUND", "{body}");
        assert_eq!(body["httpStatusCode"], 404);
        assert_eq!(body["message"], format!("device {id} not found"));
        assert!(body["debugId"].is_string());
    }
    // An id that is no uuid is a 400 naming the parameter.
    let r = bearer_http(&msp)
        .get(format!("{}/devices/v1/devices/not-a-uuid", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "HPE_GL_ERROR_BAD_REQUEST");
    assert!(
        body["message"].as_str().unwrap().starts_with("id: "),
        "{body}"
    );
    // Without a token: 401.
    let e = glp_platform::Client::new(mock.uri(), Default::default())
        .get_device()
        .id(a1.id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn audit_entries_with_details_answer_their_detail() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let r = bearer_http(&msp)
        .post(format!("{}/workspaces/v1/msp-tenants", mock.uri()))
        .json(&json!({"workspaceName": "Delta"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let c = platform(&mock, &msp);
    let logs = c.list_audit_logs().send().await.unwrap().into_inner();
    let created = logs
        .items
        .iter()
        .find(|e| e.description.contains("Delta") && e.description.contains("created"))
        .expect("the create is audited");
    assert_eq!(created.has_details, Some(true));
    let d = c
        .get_audit_log_detail()
        .id(created.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(d.id, created.id);
    assert_eq!(d.header, created.description);
    let body: Vec<(&str, &str)> = d
        .body
        .iter()
        .map(|l| (l.name.as_str(), l.value.as_str()))
        .collect();
    assert!(body.contains(&("action", "TENANT_CREATED")), "{body:?}");
    assert!(body.contains(&("apiClient", "alpha-client")), "{body:?}");
    assert!(body.contains(&("workspaceName", "Delta")), "{body:?}");
    // `hasDetails` filters, and device entries have none: their detail is a 404.
    let with = c
        .list_audit_logs()
        .filter("hasDetails eq true")
        .send()
        .await
        .unwrap();
    assert!(with.items.iter().all(|e| e.category != "Device Management"));
    assert!(with.total >= 2, "token issuance and the create");
    let device = logs
        .items
        .iter()
        .find(|e| e.category == "Device Management")
        .unwrap();
    assert_eq!(device.has_details, Some(false));
    let r = bearer_http(&msp)
        .get(format!(
            "{}/audit-log/v1/logs/{}/detail",
            mock.uri(),
            device.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "HPE_GL_ERROR_NOT_FOUND");
    assert!(
        body["message"].as_str().unwrap().contains("has no details"),
        "{body}"
    );
    // Another workspace's entry is not found, like an id no one has.
    let other = other_token(&mock).await;
    for (token, id) in [
        (&other, created.id.as_str()),
        (&msp, "9a1d7c3e-52b4-4f0e-8c6d-1e2f3a4b5c6d"),
    ] {
        let r = bearer_http(token)
            .get(format!("{}/audit-log/v1/logs/{id}/detail", mock.uri()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{id}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["message"], format!("audit log {id} not found"));
    }
    let r = bearer_http(&msp)
        .get(format!("{}/audit-log/v1/logs/42/detail", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

/// `GET path?query` with `token`: the status and the JSON body.
async fn get_json(
    mock: &MockServer,
    token: &str,
    path: &str,
    query: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let r = bearer_http(token)
        .get(format!("{}{path}", mock.uri()))
        .query(query)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

fn serials_of(body: &serde_json::Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["serialNumber"].as_str().unwrap_or("").to_owned())
        .collect()
}

const DEVICES: &str = "/devices/v1/devices";
const LOGS: &str = "/audit-log/v1/logs";

#[tokio::test]
async fn odata_functions_in_and_not_filter_devices() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let cases: &[(&str, &[&str])] = &[
        (
            "startswith(serialNumber, 'SN-A')",
            &["SN-A1", "SN-A2", "SN-A3"],
        ),
        ("endswith(model, '515')", &["SN-C1"]),
        ("contains(model, '-6')", &["SN-A1", "SN-A3"]),
        (
            "deviceType in ('AP', 'GATEWAY')",
            &["SN-A2", "SN-A3", "SN-C1"],
        ),
        ("not deviceType in ('AP', 'GATEWAY')", &["SN-A1"]),
        (
            "(startswith(serialNumber, 'SN-A') and not contains(model, 'AP')) or serialNumber eq 'SN-C1'",
            &["SN-A1", "SN-A2", "SN-C1"],
        ),
        ("not (archived eq false)", &[]),
    ];
    for (filter, want) in cases {
        let (status, body) = get_json(&mock, &msp, DEVICES, &[("filter", filter)]).await;
        assert_eq!(status, 200, "{filter}: {body}");
        assert_eq!(serials_of(&body), *want, "{filter}");
        assert_eq!(body["total"], want.len(), "{filter}");
    }
}

#[tokio::test]
async fn odata_functions_filter_audit_logs_and_tenant_lists() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    // The audit filter real clients send.
    let (status, body) = get_json(
        &mock,
        &msp,
        LOGS,
        &[(
            "filter",
            "contains(description, 'added to workspace') and not contains(description, 'Charlie')",
        )],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{body}");
    assert!(items.iter().all(|e| e["category"] == "Device Management"));
    let (_, body) = get_json(
        &mock,
        &msp,
        LOGS,
        &[(
            "filter",
            "startswith(user/username, 'alpha') or category in ('Customer Management')",
        )],
    )
    .await;
    assert!(body["total"].as_u64().unwrap() >= 1, "{body}");
    assert!(
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["user"]["username"] == "alpha-client")
    );
    // The vendor tenant list (422 on a bad filter) and the document view take the functions.
    let (status, body) = get_json(
        &mock,
        &msp,
        "/workspaces/v1/msp-tenants",
        &[(
            "filter",
            "startswith(workspaceName, 'Ac') or endswith(workspaceName, 'lie')",
        )],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["workspaceName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"Acme") && names.contains(&"Charlie"),
        "{names:?}"
    );
    let (status, body) = get_json(
        &mock,
        &msp,
        "/workspace-management/v1/msp-tenants",
        &[
            ("msp-workspace-id", ALPHA),
            ("filter", "not contains(workspace_name, 'r')"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 1, "{body}");
    let (status, body) = get_json(
        &mock,
        &msp,
        "/workspaces/v1/msp-tenants",
        &[("filter", "contains(workspaceName 'A')")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["message"].as_str().unwrap().contains("at position 23"),
        "{body}"
    );
}

#[tokio::test]
async fn bad_filters_answer_400_naming_the_problem() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let cases: &[(&str, &str, &str)] = &[
        (DEVICES, "contains(model 'AP')", "at position 15"),
        (
            DEVICES,
            "deviceType in ('AP' 'GW')",
            "expected ',' or ')' at position 20",
        ),
        (
            DEVICES,
            "like(model, 'AP')",
            "unknown function 'like' at position 0",
        ),
        (DEVICES, "contains(archived, 'x')", "'archived' is not text"),
        (
            DEVICES,
            "colour eq 'red'",
            "unknown field 'colour' at position 0",
        ),
        (DEVICES, "not", "ends where a comparison was expected"),
        (
            LOGS,
            "contains(details, 'x')",
            "unknown field 'details' at position 9",
        ),
        (LOGS, "(category eq 'x'", "expected ')' at end of filter"),
        (
            LOGS,
            "createdAt gt 'yesterday'",
            "at position 13 is not a date-time",
        ),
    ];
    for (path, filter, needle) in cases {
        let (status, body) = get_json(&mock, &msp, path, &[("filter", filter)]).await;
        assert_eq!(status, 400, "{filter}: {body}");
        assert_eq!(body["errorCode"], "HPE_GL_ERROR_BAD_REQUEST", "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with("filter: "), "{message}");
        assert!(message.contains(needle), "{filter}: {message}");
    }
    // Longer than the spec's maxLength (2048): refused before parsing, naming the bound.
    let long = format!("serialNumber eq '{}'", "x".repeat(2040));
    assert!(long.len() > 2048);
    for path in [DEVICES, LOGS] {
        let (status, body) = get_json(&mock, &msp, path, &[("filter", &long)]).await;
        assert_eq!(status, 400, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("filter") && message.contains("2048"),
            "{message}"
        );
    }
    // Exactly at the bound is parsed (and here names an unknown field on the audit list).
    let at = format!("serialNumber eq '{}'", "x".repeat(2048 - 18));
    assert_eq!(at.chars().count(), 2048);
    let (status, _) = get_json(&mock, &msp, DEVICES, &[("filter", &at)]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn filter_tags_filter_on_device_tags() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let cases: &[(&str, &[&str])] = &[
        ("city eq 'London'", &["SN-A3"]),
        ("city in ('London', 'Paris')", &["SN-A3", "SN-C1"]),
        ("city ne 'London'", &["SN-A1", "SN-A2", "SN-C1"]),
        ("floor eq null", &["SN-A1", "SN-A2", "SN-C1"]),
        (
            "startswith(city, 'Par') or contains(floor, '2')",
            &["SN-A3", "SN-C1"],
        ),
    ];
    for (tags, want) in cases {
        let (status, body) = get_json(&mock, &msp, DEVICES, &[("filter-tags", tags)]).await;
        assert_eq!(status, 200, "{tags}: {body}");
        assert_eq!(serials_of(&body), *want, "{tags}");
    }
    // Both filters apply together, and the device shows its tags.
    let (_, body) = get_json(
        &mock,
        &msp,
        DEVICES,
        &[
            ("filter-tags", "city eq 'London'"),
            ("filter", "deviceType eq 'SWITCH'"),
        ],
    )
    .await;
    assert_eq!(body["total"], 0);
    let (_, body) = get_json(&mock, &msp, DEVICES, &[("filter-tags", "city eq 'London'")]).await;
    assert_eq!(
        body["items"][0]["tags"],
        json!({"city": "London", "floor": "2"})
    );
    let (status, body) = get_json(&mock, &msp, DEVICES, &[("filter-tags", "city eq London")]).await;
    assert_eq!(status, 400);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("filter-tags: ") && message.contains("at position 8"),
        "{message}"
    );
}

#[tokio::test]
async fn select_keeps_the_named_properties_nested_too() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let (status, body) = get_json(
        &mock,
        &msp,
        DEVICES,
        &[("select", "id,serialNumber,deviceType"), ("limit", "1")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let item = body["items"][0].as_object().unwrap();
    let mut keys: Vec<&str> = item.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["deviceType", "id", "serialNumber"]);
    assert_eq!(body["count"], 1);
    let (status, body) = get_json(
        &mock,
        &msp,
        LOGS,
        &[("select", "id, user/username, workspace/id")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for e in body["items"].as_array().unwrap() {
        let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["id", "user", "workspace"], "{e}");
        assert_eq!(e["user"].as_object().unwrap().len(), 1, "{e}");
        assert_eq!(e["workspace"].as_object().unwrap().len(), 1, "{e}");
    }
    // One device, too.
    let (_, page) = get_json(&mock, &msp, DEVICES, &[]).await;
    let id = page["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, one) = get_json(
        &mock,
        &msp,
        &format!("{DEVICES}/{id}"),
        &[("select", "serialNumber")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(one, json!({"serialNumber": "SN-A1"}));
    // Unknown names answer 400 naming them and what may be selected.
    for (path, select, needle) in [
        (DEVICES, "id,colour", "'colour'"),
        (LOGS, "user/email", "'user/email'"),
        (LOGS, "id,,category", "empty property name"),
    ] {
        let (status, body) = get_json(&mock, &msp, path, &[("select", select)]).await;
        assert_eq!(status, 400, "{select}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(needle), "{message}");
        assert!(message.starts_with("select"), "{message}");
    }
    let (_, body) = get_json(&mock, &msp, LOGS, &[("select", "user/email")]).await;
    assert!(
        body["message"].as_str().unwrap().contains("username"),
        "{body}"
    );
}

#[tokio::test]
async fn sort_takes_several_keys_on_devices_and_audit_logs() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let (_, body) = get_json(
        &mock,
        &msp,
        DEVICES,
        &[("sort", "deviceType desc, serialNumber desc")],
    )
    .await;
    // SWITCH, GATEWAY, then the two APs by serial descending.
    assert_eq!(serials_of(&body), ["SN-A1", "SN-A2", "SN-C1", "SN-A3"]);
    let (status, body) = get_json(
        &mock,
        &msp,
        LOGS,
        &[("sort", "category asc, description desc")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let keys: Vec<(String, String)> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["category"].as_str().unwrap().to_owned(),
                e["description"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(keys.len() >= 5, "{keys:?}");
    let mut want = keys.clone();
    want.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    assert_eq!(keys, want);
    assert_eq!(keys[0].0, "Authentication");
    let (status, body) = get_json(&mock, &msp, LOGS, &[("sort", "colour")]).await;
    assert_eq!(status, 400);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("\"colour\"") && message.contains("createdAt"),
        "{message}"
    );
}

#[tokio::test]
async fn audit_free_text_all_ignores_case() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let (status, body) = get_json(&mock, &msp, LOGS, &[("all", "sn-a")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 3, "{body}");
    let (_, body) = get_json(&mock, &msp, LOGS, &[("all", "CHARLIE")]).await;
    assert_eq!(body["total"], 1, "{body}");
    let (_, body) = get_json(&mock, &msp, LOGS, &[("all", "no such text")]).await;
    assert_eq!(body["total"], 0);
    // With a filter too: both must hold.
    let (_, body) = get_json(
        &mock,
        &msp,
        LOGS,
        &[
            ("all", "sn-a"),
            ("filter", "contains(description, 'SN-A1')"),
        ],
    )
    .await;
    assert_eq!(body["total"], 1);
    let long = "x".repeat(257);
    let (status, _) = get_json(&mock, &msp, LOGS, &[("all", &long)]).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn limits_are_bounded_as_the_vendor_documents() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    for path in [DEVICES, LOGS] {
        let (status, body) = get_json(&mock, &msp, path, &[("limit", "2000")]).await;
        assert_eq!(status, 200, "{path}: {body}");
        for bad in ["2001", "0"] {
            let (status, body) = get_json(&mock, &msp, path, &[("limit", bad)]).await;
            assert_eq!(status, 400, "{path} limit={bad}");
            assert!(
                body["message"].as_str().unwrap().contains("limit"),
                "{body}"
            );
        }
    }
    // Devices default to pages of 2,000.
    let (_, body) = get_json(&mock, &msp, DEVICES, &[]).await;
    assert_eq!(body["count"], 4);
}
