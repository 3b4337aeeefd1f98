//! Wire-level tests of the generated `glp_sso` client (openapi/glp-sso.yaml): the token
//! requests are form-encoded with exactly the fields set, to the right endpoint, and token,
//! discovery, JWKS and OAuth error bodies parse.

use msp_client::generated::glp_sso::{Client, Error, types};
use msp_client::hooks::Context;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Mock, MockBuilder, MockServer, Request, ResponseTemplate};

mod wire;
use wire::FormIs;

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const MSP_TOKEN: &str =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6Im1zcC1tb2NrLTEifQ.eyJ0b2tlbl9raW5kIjoibXNwIn0.c2ln";

/// Matches requests with no query string and no body.
struct BareGet;

impl Match for BareGet {
    fn matches(&self, request: &Request) -> bool {
        request.url.query().is_none() && request.body.is_empty()
    }
}

fn client(server: &MockServer) -> Client {
    Client::new(&server.uri(), Context::default())
}

fn form_token_mock(url_path: &str, form: Vec<(&'static str, &'static str)>) -> MockBuilder {
    Mock::given(method("POST"))
        .and(path(url_path))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(header("accept", "application/json"))
        .and(FormIs(form))
}

#[tokio::test]
async fn workspace_token_client_credentials_posts_form_to_dashed_workspace_path() {
    let server = MockServer::start().await;
    form_token_mock(
        "/authorization/v2/oauth2/9b2a7c1d-4e5f-4a6b-8c9d-0e1f2a3b4c5d/token",
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "6c0f3b7e-2a1d-4f5e-9b8c-7d6e5f4a3b2c"),
            ("client_secret", "s3cr+t/with=&chars"),
            ("scope", "hpe-tenant"),
        ],
    )
    .respond_with(
        ResponseTemplate::new(200)
            .insert_header("Cache-Control", "no-store")
            .set_body_json(json!({
                "access_token": "eyJhbGciOiJSUzI1NiJ9.eyJ9.c2ln",
                "token_type": "Bearer",
                "expires_in": 899,
                "scope": "hpe-tenant"
            })),
    )
    .expect(1)
    .mount(&server)
    .await;

    let rv = client(&server)
        .create_workspace_token()
        .workspace_id("9b2a7c1d-4e5f-4a6b-8c9d-0e1f2a3b4c5d")
        .body_map(|b| {
            b.grant_type(types::GrantType::ClientCredentials)
                .client_id(Some(
                    "6c0f3b7e-2a1d-4f5e-9b8c-7d6e5f4a3b2c".try_into().unwrap(),
                ))
                .client_secret(Some("s3cr+t/with=&chars".try_into().unwrap()))
                .scope(Some("hpe-tenant".to_string()))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(rv.headers().get("cache-control").unwrap(), "no-store");
    let token = rv.into_inner();
    assert_eq!(
        token.access_token.as_str(),
        "eyJhbGciOiJSUzI1NiJ9.eyJ9.c2ln"
    );
    assert_eq!(
        token.token_type,
        Some(types::TokenResponseTokenType::Bearer)
    );
    assert_eq!(token.expires_in.map(|n| n.get()), Some(899));
    assert_eq!(token.scope.as_deref(), Some("hpe-tenant"));
    assert_eq!(token.issued_token_type, None);
}

#[tokio::test]
async fn workspace_token_exchange_posts_subject_token_to_undashed_tenant_path() {
    let server = MockServer::start().await;
    form_token_mock(
        "/authorization/v2/oauth2/0d5c2b1e8f4a4c3b9e2d7a6b5c4d3e2f/token",
        vec![
            ("grant_type", EXCHANGE),
            ("subject_token", MSP_TOKEN),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
            ("requested_token_type", ACCESS_TOKEN_TYPE),
        ],
    )
    .respond_with(ResponseTemplate::new(200).set_body_json(json!({
        "access_token": "eyJhbGciOiJSUzI1NiJ9.eyJ0ZW5hbnQiOnRydWV9.c2ln",
        "token_type": "Bearer",
        "expires_in": 900,
        "issued_token_type": ACCESS_TOKEN_TYPE
    })))
    .expect(1)
    .mount(&server)
    .await;

    let token = client(&server)
        .create_workspace_token()
        .workspace_id("0d5c2b1e8f4a4c3b9e2d7a6b5c4d3e2f")
        .body(
            types::TokenRequest::builder()
                .grant_type(types::GrantType::UrnIetfParamsOauthGrantTypeTokenExchange)
                .subject_token(Some(MSP_TOKEN.try_into().unwrap()))
                .subject_token_type(Some(
                    types::TokenType::UrnIetfParamsOauthTokenTypeAccessToken,
                ))
                .requested_token_type(Some(
                    types::TokenType::UrnIetfParamsOauthTokenTypeAccessToken,
                )),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(token.expires_in.map(|n| n.get()), Some(900));
    assert_eq!(
        token.issued_token_type,
        Some(types::TokenType::UrnIetfParamsOauthTokenTypeAccessToken)
    );
}

#[tokio::test]
async fn workspace_token_refuses_malformed_workspace_id_without_sending() {
    let server = MockServer::start().await;
    for bad in [
        "not-a-workspace",
        "0d5c2b1e8f4a4c3b9e2d7a6b5c4d3e2",
        "0d5c2b1e-8f4a4c3b9e2d7a6b5c4d3e2f",
        "0d5c2b1e8f4a4c3b9e2d7a6b5c4d3e2f/../x",
    ] {
        let err = client(&server)
            .create_workspace_token()
            .workspace_id(bad)
            .body_map(|b| b.grant_type(types::GrantType::ClientCredentials))
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad}: {err:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn workspace_token_refuses_body_without_grant_type() {
    let server = MockServer::start().await;
    let err = client(&server)
        .create_workspace_token()
        .workspace_id("0d5c2b1e8f4a4c3b9e2d7a6b5c4d3e2f")
        .body_map(|b| b.scope(Some("hpe-tenant".to_string())))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn legacy_token_client_credentials_posts_form() {
    let server = MockServer::start().await;
    form_token_mock(
        "/as/token.oauth2",
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "legacy-client"),
            ("client_secret", "legacy-secret"),
        ],
    )
    .respond_with(ResponseTemplate::new(200).set_body_json(json!({
        "access_token": "eyJhbGciOiJSUzI1NiJ9.eyJsZWdhY3kiOnRydWV9.c2ln",
        "token_type": "Bearer",
        "expires_in": 7199
    })))
    .expect(1)
    .mount(&server)
    .await;

    let token = client(&server)
        .create_legacy_token()
        .body_map(|b| {
            b.grant_type(types::GrantType::ClientCredentials)
                .client_id(Some("legacy-client".try_into().unwrap()))
                .client_secret(Some("legacy-secret".try_into().unwrap()))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(token.expires_in.map(|n| n.get()), Some(7199));
    assert_eq!(token.resource, None);
}

#[tokio::test]
async fn legacy_token_exchange_sends_resource_and_audience() {
    let server = MockServer::start().await;
    let resource = "https://global.api.greenlake.hpe.com/workspace-management/v1/msp-tenants/0d5c2b1e-8f4a-4c3b-9e2d-7a6b5c4d3e2f";
    form_token_mock(
        "/as/token.oauth2",
        vec![
            ("grant_type", EXCHANGE),
            ("subject_token", MSP_TOKEN),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
            ("resource", resource),
            ("audience", "https://global.api.greenlake.hpe.com"),
        ],
    )
    .respond_with(ResponseTemplate::new(200).set_body_json(json!({
        "access_token": "eyJhbGciOiJSUzI1NiJ9.eyJ0ZW5hbnQiOnRydWV9.c2ln",
        "token_type": "Bearer",
        "expires_in": 900,
        "issued_token_type": ACCESS_TOKEN_TYPE,
        "resource": resource
    })))
    .expect(1)
    .mount(&server)
    .await;

    let token = client(&server)
        .create_legacy_token()
        .body_map(|b| {
            b.grant_type(types::GrantType::UrnIetfParamsOauthGrantTypeTokenExchange)
                .subject_token(Some(MSP_TOKEN.try_into().unwrap()))
                .subject_token_type(Some(
                    types::TokenType::UrnIetfParamsOauthTokenTypeAccessToken,
                ))
                .resource(Some(resource.to_string()))
                .audience(Some("https://global.api.greenlake.hpe.com".to_string()))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(token.resource.as_deref(), Some(resource));
    assert_eq!(token.expires_in.map(|n| n.get()), Some(900));
}

/// Calls one token operation with a minimal client_credentials body.
async fn call_token(server: &MockServer, op: &str) -> Result<(), Error<types::OAuthError>> {
    let c = client(server);
    let cc = |b: types::builder::TokenRequest| b.grant_type(types::GrantType::ClientCredentials);
    match op {
        "create_workspace_token" => c
            .create_workspace_token()
            .workspace_id("3fa85f6457174562b3fc2c963f66afa6")
            .body_map(cc)
            .send()
            .await
            .map(drop),
        "create_legacy_token" => c.create_legacy_token().body_map(cc).send().await.map(drop),
        "get_openid_configuration" => c.get_openid_configuration().send().await.map(drop),
        "get_jwks" => c.get_jwks().send().await.map(drop),
        other => panic!("unknown operation {other}"),
    }
}

/// An error status, its `error` code on the wire, and the parsed code.
type ErrorCase = (u16, &'static str, types::OAuthErrorCode);

#[tokio::test]
async fn every_declared_error_status_parses_as_oauth_error() {
    let cases: &[(&str, &[ErrorCase])] = &[
        (
            "create_workspace_token",
            &[
                (
                    400,
                    "invalid_request",
                    types::OAuthErrorCode::InvalidRequest,
                ),
                (
                    400,
                    "unsupported_grant_type",
                    types::OAuthErrorCode::UnsupportedGrantType,
                ),
                (400, "invalid_grant", types::OAuthErrorCode::InvalidGrant),
                (400, "invalid_scope", types::OAuthErrorCode::InvalidScope),
                (401, "invalid_client", types::OAuthErrorCode::InvalidClient),
                (401, "token_expired", types::OAuthErrorCode::TokenExpired),
                (
                    429,
                    "temporarily_unavailable",
                    types::OAuthErrorCode::TemporarilyUnavailable,
                ),
                (500, "server_error", types::OAuthErrorCode::ServerError),
            ],
        ),
        (
            "create_legacy_token",
            &[
                (400, "invalid_target", types::OAuthErrorCode::InvalidTarget),
                (
                    400,
                    "unauthorized_client",
                    types::OAuthErrorCode::UnauthorizedClient,
                ),
                (401, "invalid_client", types::OAuthErrorCode::InvalidClient),
                (
                    429,
                    "temporarily_unavailable",
                    types::OAuthErrorCode::TemporarilyUnavailable,
                ),
                (500, "server_error", types::OAuthErrorCode::ServerError),
            ],
        ),
        (
            "get_openid_configuration",
            &[
                (
                    429,
                    "temporarily_unavailable",
                    types::OAuthErrorCode::TemporarilyUnavailable,
                ),
                (500, "server_error", types::OAuthErrorCode::ServerError),
            ],
        ),
        (
            "get_jwks",
            &[
                (
                    429,
                    "temporarily_unavailable",
                    types::OAuthErrorCode::TemporarilyUnavailable,
                ),
                (500, "server_error", types::OAuthErrorCode::ServerError),
            ],
        ),
    ];
    for (op, statuses) in cases {
        for (status, wire, code) in statuses.iter() {
            let server = MockServer::start().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(ResponseTemplate::new(*status).set_body_json(json!({
                    "error": wire,
                    "error_description": format!("{wire} happened"),
                    "error_uri": "https://developer.greenlake.hpe.com/docs/greenlake/guides/public/authentication/"
                })))
                .expect(1)
                .mount(&server)
                .await;
            match call_token(&server, op).await {
                Err(Error::ErrorResponse(rv)) => {
                    assert_eq!(rv.status().as_u16(), *status, "{op} {wire}");
                    let body = rv.into_inner();
                    assert_eq!(body.error, *code, "{op} {wire}");
                    assert_eq!(body.error_description.unwrap(), format!("{wire} happened"));
                    assert!(body.error_uri.is_some());
                }
                other => panic!("{op} {status} {wire}: expected ErrorResponse, got {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn invalid_client_exposes_www_authenticate_and_minimal_body_parses() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/as/token.oauth2"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("WWW-Authenticate", "Basic realm=\"greenlake\"")
                .set_body_json(json!({"error": "invalid_client"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let Err(Error::ErrorResponse(rv)) = call_token(&server, "create_legacy_token").await else {
        panic!("expected a 401 ErrorResponse");
    };
    assert_eq!(
        rv.headers().get("www-authenticate").unwrap(),
        "Basic realm=\"greenlake\""
    );
    let body = rv.into_inner();
    assert_eq!(body.error, types::OAuthErrorCode::InvalidClient);
    assert_eq!(body.error_description, None);
}

#[tokio::test]
async fn rate_limited_token_request_exposes_ratelimit_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("ratelimit-limit", "60")
                .insert_header("ratelimit-remaining", "0")
                .insert_header("ratelimit-reset", "30")
                .insert_header("Retry-After", "30")
                .set_body_json(json!({"error": "temporarily_unavailable"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let Err(Error::ErrorResponse(rv)) = call_token(&server, "create_workspace_token").await else {
        panic!("expected a 429 ErrorResponse");
    };
    assert_eq!(rv.headers().get("ratelimit-remaining").unwrap(), "0");
    assert_eq!(rv.headers().get("retry-after").unwrap(), "30");
}

#[tokio::test]
async fn unknown_oauth_error_code_is_a_payload_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "no_such_code"})))
        .mount(&server)
        .await;
    let err = call_token(&server, "create_workspace_token")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
}

#[tokio::test]
async fn token_response_without_access_token_is_a_payload_error() {
    // PyCentral treats a missing access_token as failure; so does the generated client.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"token_type": "Bearer", "expires_in": 900})),
        )
        .mount(&server)
        .await;
    let err = call_token(&server, "create_legacy_token")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
}

#[tokio::test]
async fn openid_configuration_is_a_bare_get_and_parses() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .and(BareGet)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": base,
            "token_endpoint": format!("{base}/as/token.oauth2"),
            "jwks_uri": format!("{base}/.well-known/jwks.json"),
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "grant_types_supported": ["client_credentials", EXCHANGE],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let doc = client(&server)
        .get_openid_configuration()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(doc.issuer, base);
    assert_eq!(doc.jwks_uri, format!("{base}/.well-known/jwks.json"));
    assert_eq!(doc.id_token_signing_alg_values_supported, vec!["RS256"]);
    assert_eq!(
        doc.grant_types_supported,
        vec!["client_credentials", EXCHANGE]
    );
    assert_eq!(doc.token_endpoint_auth_methods_supported.len(), 2);
    assert!(doc.scopes_supported.is_empty());
}

#[tokio::test]
async fn jwks_is_a_bare_get_and_parses_rsa_keys() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/jwks.json"))
        .and(BareGet)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "keys": [
                {"kty": "RSA", "kid": "msp-mock-1", "use": "sig", "alg": "RS256", "n": "0vx7agoebGcQSuuPiLJXZpt", "e": "AQAB"},
                {"kty": "RSA", "kid": "msp-mock-2", "use": "sig", "alg": "RS256", "n": "sXchDaQebHnPiGvyDOAT4sa", "e": "AQAB"}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let jwks = client(&server)
        .get_jwks()
        .send()
        .await
        .unwrap()
        .into_inner();
    let kids: Vec<&str> = jwks.keys.iter().map(|k| k.kid.as_str()).collect();
    assert_eq!(kids, ["msp-mock-1", "msp-mock-2"]);
    assert_eq!(jwks.keys[0].kty, types::JwkKty::Rsa);
    assert_eq!(jwks.keys[0].alg, types::JwkAlg::Rs256);
    assert_eq!(jwks.keys[0].use_, types::JwkUse::Sig);
    assert_eq!(jwks.keys[1].e.as_str(), "AQAB");
}

#[tokio::test]
async fn jwks_with_non_rsa_key_is_rejected() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "keys": [{"kty": "EC", "kid": "k", "use": "sig", "alg": "ES256", "n": "x", "e": "y"}]
        })))
        .mount(&server)
        .await;
    let err = call_token(&server, "get_jwks").await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
}

#[test]
fn access_token_claims_type_round_trips_the_documented_claims() {
    let claims: types::AccessTokenClaims = serde_json::from_value(json!({
        "iss": "http://127.0.0.1:8080",
        "aud": "external_api",
        "sub": "6c0f3b7e-2a1d-4f5e-9b8c-7d6e5f4a3b2c",
        "client_id": "6c0f3b7e-2a1d-4f5e-9b8c-7d6e5f4a3b2c",
        "iat": 1_759_311_000,
        "exp": 1_759_311_900,
        "jti": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
        "workspace_id": "0d5c2b1e-8f4a-4c3b-9e2d-7a6b5c4d3e2f",
        "msp_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "token_kind": "tenant"
    }))
    .unwrap();
    assert_eq!(claims.token_kind, types::AccessTokenClaimsTokenKind::Tenant);
    assert_eq!(claims.exp - claims.iat, 900);
    assert_eq!(
        claims.msp_id.unwrap().to_string(),
        "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    );
}

/// Secrets (`format: password` in the spec) never show in `Debug`: not in a request built by
/// hand, not in its builder, not in a parsed token response. The other fields still do.
#[test]
fn debug_redacts_secrets_and_tokens() {
    let secret = "s3cret-never-logged";
    let req: types::TokenRequest = types::TokenRequest::builder()
        .grant_type(types::GrantType::ClientCredentials)
        .client_id(types::TokenRequestClientId::try_from("visible-client").unwrap())
        .client_secret(types::TokenRequestClientSecret::try_from(secret).unwrap())
        .subject_token(types::TokenRequestSubjectToken::try_from(MSP_TOKEN).unwrap())
        .try_into()
        .unwrap();
    let builder = types::TokenRequest::builder()
        .client_secret(types::TokenRequestClientSecret::try_from(secret).unwrap());
    for shown in [
        format!("{req:?}"),
        format!("{req:#?}"),
        format!("{builder:?}"),
    ] {
        assert!(!shown.contains(secret), "secret in {shown}");
        assert!(!shown.contains(MSP_TOKEN), "subject token in {shown}");
        assert!(shown.contains("TokenRequestClientSecret(***)"), "{shown}");
    }
    assert!(format!("{req:?}").contains("visible-client"));
    // Serialisation is untouched: the wire still carries the secret.
    assert!(serde_json::to_string(&req).unwrap().contains(secret));

    let resp: types::TokenResponse = serde_json::from_value(json!({
        "access_token": MSP_TOKEN, "token_type": "Bearer", "expires_in": 900
    }))
    .unwrap();
    let shown = format!("{resp:?}");
    assert!(!shown.contains(MSP_TOKEN), "access token in {shown}");
    assert!(shown.contains("900"), "{shown}");
}
