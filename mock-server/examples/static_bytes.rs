//! The static-bytes baseline of `cargo xtask bench`: for each `--route PATH=FILE` it answers
//! any method on `PATH` with `FILE`'s bytes (read once at start) after a plain string compare of
//! the `Authorization` header. No parsing, no serialising, no state: what serving a captured
//! page costs at least, so the mock's pages can be given as a ratio of it.
//!
//! ```text
//! static_bytes --listen 127.0.0.1:9000 --route /tenants/query=ruckus.json [--route ...]
//! ```
//! Prints `listening on http://ADDR` and `token: TOKEN` (send `Authorization: Bearer TOKEN`),
//! then serves until killed; `GET /health` answers `ok` without a token.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use clap::Parser;

#[derive(Parser)]
struct Cli {
    /// Loopback address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// `PATH=FILE`: serve FILE's bytes at PATH for any method (repeatable).
    #[arg(long = "route", required = true)]
    routes: Vec<String>,
}

/// The page's bytes when `headers` carry exactly `expected` as `Authorization`, else 401.
fn answer(headers: &HeaderMap, expected: &str, page: Bytes) -> Response {
    if headers
        .get(header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes() == expected.as_bytes())
    {
        ([(header::CONTENT_TYPE, "application/json")], page).into_response()
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    anyhow::ensure!(cli.listen.ip().is_loopback(), "listen on loopback only");
    let token = uuid::Uuid::new_v4().simple().to_string();
    let expected: &'static str = Box::leak(format!("Bearer {token}").into_boxed_str());
    let mut app = Router::new().route("/health", get(|| async { "ok" }));
    for route in &cli.routes {
        let (path, file) = route
            .split_once('=')
            .with_context(|| format!("--route {route:?} is not PATH=FILE"))?;
        let page = Bytes::from(
            std::fs::read(PathBuf::from(file)).with_context(|| format!("reading {file}"))?,
        );
        // The request body is read (as the mock reads it), then ignored.
        app = app.route(
            path,
            any(move |headers: HeaderMap, _body: Bytes| {
                let page = page.clone();
                async move { answer(&headers, expected, page) }
            }),
        );
    }
    let listener = tokio::net::TcpListener::bind(cli.listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    println!("token: {token}");
    axum::serve(listener, app).await?;
    Ok(())
}
