//! SSO: both grants on both endpoints, exchange refusals, expiry on the mock clock, JWKS.

mod common;

use common::*;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::Value;

#[tokio::test]
async fn client_credentials_basic_and_form_on_workspace_endpoint() {
    let mock = small().await;
    // HTTP Basic, dashed workspace id (PyCentral).
    let b = msp_token_body(&mock, ALPHA, "alpha-client", "alpha-secret").await;
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["expires_in"], 900);
    // Form fields, dash-less workspace id, with a scope.
    let r = http()
        .post(format!(
            "{}/authorization/v2/oauth2/{}/token",
            mock.uri(),
            ALPHA.replace('-', "")
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "alpha-client"),
            ("client_secret", "alpha-secret"),
            ("scope", "hpe-tenant"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["scope"], "hpe-tenant");
    assert!(v["access_token"].as_str().unwrap().split('.').count() == 3);
}

#[tokio::test]
async fn client_credentials_refusals() {
    let mock = small().await;
    let url = format!("{}/authorization/v2/oauth2/{ALPHA}/token", mock.uri());
    // Wrong secret.
    let r = http()
        .post(&url)
        .basic_auth("alpha-client", Some("nope"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_client");
    // Credential of another workspace.
    let r = http()
        .post(format!(
            "{}/authorization/v2/oauth2/{OTHER}/token",
            mock.uri()
        ))
        .basic_auth("alpha-client", Some("alpha-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // No credentials at all.
    let r = http()
        .post(&url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Authenticated twice.
    let r = http()
        .post(&url)
        .basic_auth("alpha-client", Some("alpha-secret"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_secret", "alpha-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    // Basic plus a matching client_id in the body (requests-oauthlib) is fine.
    let r = http()
        .post(&url)
        .basic_auth("alpha-client", Some("alpha-secret"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "alpha-client"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Unknown grant, missing grant, repeated field, bad workspace id.
    for (body, code) in [
        ("grant_type=password", "unsupported_grant_type"),
        ("scope=x", "invalid_request"),
        (
            "grant_type=client_credentials&grant_type=client_credentials",
            "invalid_request",
        ),
    ] {
        let r = http()
            .post(&url)
            .basic_auth("alpha-client", Some("alpha-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], code, "{body}");
        assert!(v["error_description"].as_str().is_some());
    }
    let r = http()
        .post(format!(
            "{}/authorization/v2/oauth2/not-a-uuid/token",
            mock.uri()
        ))
        .basic_auth("alpha-client", Some("alpha-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn legacy_endpoint_client_credentials_lives_two_hours() {
    let mock = small().await;
    let r = http()
        .post(format!("{}/as/token.oauth2", mock.uri()))
        .basic_auth("alpha-client", Some("alpha-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["expires_in"], 7200);
    // Form credentials work too.
    let r = http()
        .post(format!("{}/as/token.oauth2", mock.uri()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "other-client"),
            ("client_secret", "other-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn exchange_path_form_yields_tenant_token() {
    let mock = small().await;
    let msp = alpha_token(&mock).await;
    let r = exchange(&mock, &msp, &ACME.replace('-', "")).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["expires_in"], 900);
    assert_eq!(v["issued_token_type"], ACCESS);
    // The tenant token reads its own workspace, through the generated client.
    let t = v["access_token"].as_str().unwrap();
    let c = workspaces_client(&mock, t);
    let w = c
        .get_workspace()
        .workspace_id(ACME.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(w.workspace_name, "Acme");
    // ...and not its sibling.
    let e = c
        .get_workspace()
        .workspace_id(BRAVO.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 404);
    // PyCentral also sends HTTP Basic with the exchange: accepted when valid.
    let r = http()
        .post(format!(
            "{}/authorization/v2/oauth2/{}/token",
            mock.uri(),
            BRAVO.replace('-', "")
        ))
        .basic_auth("alpha-client", Some("alpha-secret"))
        .form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", msp.as_str()),
            ("subject_token_type", ACCESS),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn exchange_resource_form_on_legacy_endpoint() {
    let mock = small().await;
    let msp = alpha_token(&mock).await;
    let resource = format!("{}/workspace-management/v1/msp-tenants/{ACME}", mock.uri());
    let r = http()
        .post(format!("{}/as/token.oauth2", mock.uri()))
        .form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", msp.as_str()),
            ("subject_token_type", ACCESS),
            ("resource", resource.as_str()),
            ("audience", mock.uri()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["expires_in"], 900);
    assert_eq!(v["resource"], resource.as_str());
    // Another MSP's tenant named by resource: invalid_target.
    let resource = format!(
        "{}/workspace-management/v1/msp-tenants/{UMBRELLA}",
        mock.uri()
    );
    let r = http()
        .post(format!("{}/as/token.oauth2", mock.uri()))
        .form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", msp.as_str()),
            ("subject_token_type", ACCESS),
            ("resource", resource.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_target");
}

#[tokio::test]
async fn exchange_refusals() {
    let mock = small().await;
    let msp = alpha_token(&mock).await;
    // Hyphenated tenant id in the path form.
    let r = exchange(&mock, &msp, ACME).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_request");
    assert!(v["error_description"].as_str().unwrap().contains("32 hex"));
    // Another MSP's tenant.
    let r = exchange(&mock, &msp, &UMBRELLA.replace('-', "")).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
    // Forged: signature of a token altered.
    let mut parts: Vec<String> = msp.split('.').map(str::to_owned).collect();
    let payload: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &parts[1])
            .unwrap(),
    )
    .unwrap();
    let mut forged = payload.clone();
    forged["workspace_id"] = Value::String(OTHER.into());
    parts[1] = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        serde_json::to_vec(&forged).unwrap(),
    );
    let r = exchange(&mock, &parts.join("."), &UMBRELLA.replace('-', "")).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
    // A tenant token is not an acceptable subject.
    let tenant = tenant_token(&mock, &msp, ACME).await;
    let r = exchange(&mock, &tenant, &BRAVO.replace('-', "")).await;
    assert_eq!(r.status(), 400);
    assert!(
        r.json::<Value>().await.unwrap()["error_description"]
            .as_str()
            .unwrap()
            .contains("MSP access token")
    );
    // Wrong subject_token_type.
    let r = http()
        .post(format!(
            "{}/authorization/v2/oauth2/{}/token",
            mock.uri(),
            ACME.replace('-', "")
        ))
        .form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", msp.as_str()),
            ("subject_token_type", "urn:x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Expired subject: token_expired (PyCentral retries on it).
    mock.clock().advance(901.0);
    let r = exchange(&mock, &msp, &ACME.replace('-', "")).await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "token_expired");
}

#[tokio::test]
async fn token_expires_after_admin_clock_advance() {
    let mock = small().await;
    let token = alpha_token(&mock).await;
    let c = workspaces_client(&mock, &token);
    c.list_msp_tenants().send().await.unwrap();
    let r = admin_post(&mock, "/clock/advance", serde_json::json!({"seconds": 899})).await;
    assert_eq!(r.status(), 200);
    c.list_msp_tenants().send().await.unwrap();
    admin_post(&mock, "/clock/advance", serde_json::json!({"seconds": 2})).await;
    let e = c.list_msp_tenants().send().await.unwrap_err();
    assert_eq!(status_of(&e), 401);
    // A new token works again.
    let token = alpha_token(&mock).await;
    workspaces_client(&mock, &token)
        .list_msp_tenants()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn token_verifies_with_only_the_jwks_document() {
    let mock = small().await;
    let token = alpha_token(&mock).await;
    let discovery: Value = http()
        .get(format!("{}/.well-known/openid-configuration", mock.uri()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], mock.uri());
    let jwks: JwkSet = http()
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    let kid = header.kid.unwrap();
    let jwk = jwks.find(&kid).expect("kid published in the JWKS");
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut v = Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_audience(&["external_api"]);
    v.set_issuer(&[mock.uri()]);
    let data = jsonwebtoken::decode::<Value>(&token, &key, &v).unwrap();
    assert_eq!(data.claims["client_id"], "alpha-client");
    assert_eq!(data.claims["workspace_id"], ALPHA);
    assert_eq!(data.claims["token_kind"], "msp");
    // A tenant token carries the MSP.
    let t = tenant_token(&mock, &token, ACME).await;
    let data = jsonwebtoken::decode::<Value>(&t, &key, &v).unwrap();
    assert_eq!(data.claims["token_kind"], "tenant");
    assert_eq!(data.claims["workspace_id"], ACME);
    assert_eq!(data.claims["msp_id"], ALPHA);
}

#[tokio::test]
async fn generated_sso_client_gets_and_exchanges_tokens() {
    use msp_client::generated::glp_sso::{Client, types};
    let mock = small().await;
    let c = Client::new(mock.uri(), Default::default());
    let msp = c
        .create_workspace_token()
        .workspace_id(ALPHA)
        .body_map(|b| {
            b.grant_type(types::GrantType::ClientCredentials)
                .client_id(Some("alpha-client".try_into().unwrap()))
                .client_secret(Some("alpha-secret".try_into().unwrap()))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let tenant = c
        .create_workspace_token()
        .workspace_id(ACME.replace('-', "").as_str())
        .body_map(|b| {
            b.grant_type(types::GrantType::UrnIetfParamsOauthGrantTypeTokenExchange)
                .subject_token(Some(msp.access_token.to_string().try_into().unwrap()))
                .subject_token_type(Some(
                    types::TokenType::UrnIetfParamsOauthTokenTypeAccessToken,
                ))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        tenant.issued_token_type,
        Some(types::TokenType::UrnIetfParamsOauthTokenTypeAccessToken)
    );
    // The OAuth error body parses into the spec's error type.
    let err = c
        .create_legacy_token()
        .body_map(|b| {
            b.grant_type(types::GrantType::ClientCredentials)
                .client_id(Some("alpha-client".try_into().unwrap()))
                .client_secret(Some("wrong".try_into().unwrap()))
        })
        .send()
        .await
        .unwrap_err();
    match err {
        msp_client::generated::glp_sso::Error::ErrorResponse(r) => {
            assert_eq!(r.status(), 401);
            assert_eq!(r.error, types::OAuthErrorCode::InvalidClient);
        }
        other => panic!("unexpected {other:?}"),
    }
}
