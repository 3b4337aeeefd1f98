//! The baseline of `cargo xtask bench`: a bare axum handler that checks an HS256 bearer token on
//! every request and serialises a fixed page of tenants. No state, no limits, no journal: the
//! least work an authenticated JSON endpoint can do, to compare the mock against.
//!
//! ```text
//! bare_axum --listen 127.0.0.1:9000 --page page.json
//! ```
//! Prints `listening on http://ADDR` and `token: JWT` (an HS256 token valid for an hour), then
//! serves `GET /workspaces/v1/msp-tenants` until killed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clap::Parser;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Parser)]
struct Cli {
    /// Loopback address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// JSON page to serve (serialised anew on every request).
    #[arg(long)]
    page: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    aud: String,
    exp: u64,
}

struct Baseline {
    key: DecodingKey,
    validation: Validation,
    page: Value,
}

async fn list(State(b): State<Arc<Baseline>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    if jsonwebtoken::decode::<Claims>(token, &b.key, &b.validation).is_err() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    // Serialised from a shared reference on every request: no clone, no cached bytes.
    match serde_json::to_vec(&b.page) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    anyhow::ensure!(cli.listen.ip().is_loopback(), "listen on loopback only");
    let text = std::fs::read_to_string(&cli.page)
        .with_context(|| format!("reading {}", cli.page.display()))?;
    let page: Value = serde_json::from_str(&text)?;
    let secret = uuid::Uuid::new_v4().to_string();
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs()
        + 3600;
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &Claims {
            sub: "bench".into(),
            aud: "external_api".into(),
            exp,
        },
        &EncodingKey::from_secret(secret.as_bytes()),
    )?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&["external_api"]);
    let state = Arc::new(Baseline {
        key: DecodingKey::from_secret(secret.as_bytes()),
        validation,
        page,
    });
    let app = Router::new()
        .route("/workspaces/v1/msp-tenants", get(list))
        .route("/health", get(|| async { "ok" }))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(cli.listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    println!("token: {token}");
    axum::serve(listener, app).await?;
    Ok(())
}
