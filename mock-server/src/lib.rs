//! `msp-mock-server`: a stateful, offline mock of HPE GreenLake SSO, workspaces and MSP tenants,
//! the Aruba Central and GreenLake platform calls of PyCentral's MSP guide, and the Ivanti nSA
//! MSP portal, that real clients (the generated `msp-client`, PyCentral, requests-oauthlib, any RFC 8693
//! client) accept unchanged.
//!
//! # What it serves
//!
//! | area | routes |
//! |---|---|
//! | SSO | `POST /authorization/v2/oauth2/{workspaceId}/token`, `POST /as/token.oauth2`, `GET /.well-known/jwks.json`, `GET /.well-known/openid-configuration` |
//! | vendor workspaces | `/workspaces/v1/workspaces/{id}[/contact]`, `/workspaces/v1/msp-tenants[/{id}]` |
//! | document view | `/workspace-management/v1/workspaces[/{id}[/contact]]`, `/workspace-management/v1/msp-tenants[/{id}]` |
//! | GLP platform | `GET /devices/v1/devices`, `GET /audit-log/v1/logs` (bearer; the token's workspace) |
//! | Central | `GET /network-msp/v1/list-tenants` (MSP token), `GET /network-monitoring/v1/device-inventory` (tenant token) |
//! | nSA MSP portal | `GET /login/msp`, `POST /dana-na/auth/{DSSIGNIN}/login.cgi`, `/api/msp/tenants[/{id}[/block\|/unblock]]`, `/api/msp/tenants/requests/tenant-cap-limit`, `/api/msp/reports/usage[/schedule\|/{id}/download-url]`, `GET /reports/usage/{id}.csv?token=` |
//! | specs | `GET /openapi/{name}.yaml` |
//! | admin | `/__admin/{health,credentials,reset,clock,clock/advance,faults,requests,state}`, `/__admin/nsa/cap-requests[/{id}/approve\|reject]` |
//!
//! nSA calls carry the `DSID` cookie of a form login; sessions idle out after 10 minutes and end
//! after 60 on the mock clock. `MockServer::builder().tls(true)` (or `msp-mock --tls --ca-out
//! ca.pem`) serves HTTPS with a certificate from a CA generated at start ([`MockServer::ca_pem`]).
//!
//! Tokens are RS256 JWTs (15 min from the workspace issuer and for exchanged tenant tokens, 2 h
//! from the legacy endpoint), verifiable with the JWKS. Every API route checks the bearer token
//! and the caller's scope, enforces per-client and per-route-class rate limits (429 with
//! `ratelimit-*` and `Retry-After`), validates bodies and parameters, and keeps the rules of
//! the real service (tenant cap, name uniqueness per MSP, no delete while devices remain) under
//! concurrency. All expiry and rate windows read one [`Clock`], which tests move forward.
//!
//! # In a test
//!
//! ```no_run
//! # async fn demo() {
//! use msp_mock_server::MockServer;
//!
//! let mock = MockServer::start().await; // random loopback port, embedded default world
//! let creds = mock.credentials();
//! let msp = &creds.msps[0];
//! let http = reqwest::Client::new();
//! let token: serde_json::Value = http
//!     .post(format!("{}/authorization/v2/oauth2/{}/token", mock.uri(), msp.workspace_id))
//!     .basic_auth(&msp.client_id, Some(&msp.client_secret))
//!     .form(&[("grant_type", "client_credentials")])
//!     .send().await.unwrap()
//!     .json().await.unwrap();
//! assert_eq!(token["expires_in"], 900);
//! mock.clock().advance(901.0); // the token is now expired, no sleeping
//! # }
//! ```
//!
//! A custom world: `MockServer::builder().fixture(Fixture::from_yaml(YAML)?).start().await`
//! (see [`fixture`] for the format). The server stops when the [`MockServer`] is dropped.
//!
//! # From the command line
//!
//! `msp-mock --listen 127.0.0.1:8080 [--fixture world.yaml] [--admin-token T]`; see
//! `msp-mock --help`.

pub mod admin;
pub mod central;
pub mod clock;
pub mod error;
pub mod extract;
pub mod fixture;
pub mod glp;
pub mod limits;
pub mod nsa;
pub mod sso;
pub mod state;
pub mod tls;
mod validation;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower_http::trace::TraceLayer;

pub use admin::{CredentialsDoc, MspCredentials, TenantRef};
pub use clock::Clock;
pub use fixture::{Fixture, RateLimits, Settings};

use admin::faults::Faults;
use admin::journal::Journal;
use limits::RateLimiter;
use sso::tokens::{Signer, TEST_SIGNING_KEY_PEM, TokenService};
use state::{Secret, Store};

/// Everything the handlers share, behind one `Arc`.
#[derive(Debug)]
pub struct AppState {
    /// The one clock.
    pub clock: Clock,
    /// Settings in force (fixture settings with CLI/builder overrides applied).
    pub settings: Settings,
    /// The domain store.
    pub store: Store,
    /// Token minting and verification.
    pub tokens: TokenService,
    /// Rate limits.
    pub limits: RateLimiter,
    /// Request journal.
    pub journal: Journal,
    /// Injected faults.
    pub faults: Faults,
    /// When set, `/__admin` needs `Authorization: Bearer <admin token>`.
    pub admin_token: Option<Secret>,
}

impl AppState {
    /// Builds the state for `fixture`, issuing tokens as `issuer`.
    pub fn new(
        fixture: &Fixture,
        clock: Clock,
        issuer: String,
        admin_token: Option<String>,
    ) -> Result<Self, String> {
        let settings = fixture.settings.clone();
        let pem = settings
            .signing_key_pem
            .as_deref()
            .unwrap_or(TEST_SIGNING_KEY_PEM);
        let signer = Signer::from_pem(pem)?;
        let mut world = fixture.world();
        world.check()?;
        world.fill_defaults(clock.now());
        Ok(Self {
            store: Store::new(world, settings.tenant_cap),
            tokens: TokenService::new(signer, clock.clone(), issuer, settings.token_cache_capacity),
            limits: RateLimiter::new(clock.clone(), settings.rate_limits.clone()),
            journal: Journal::new(settings.journal_capacity),
            faults: Faults::default(),
            admin_token: admin_token.map(Secret),
            clock,
            settings,
        })
    }
}

/// The whole application: every router merged, with the journal, fault, body-limit and trace
/// layers. Vendors added later merge their router here.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(sso::router())
        .merge(glp::router())
        .merge(nsa::router())
        .merge(central::router())
        .route("/openapi/{file}", get(admin::openapi_spec))
        .nest("/__admin", admin::router(state.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), admin::faults::inject))
        .layer(from_fn_with_state(state.clone(), admin::journal::record))
        .layer(DefaultBodyLimit::max(state.settings.max_body_bytes))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> Response {
    error::error_for_path(
        uri.path(),
        StatusCode::NOT_FOUND,
        &format!("no route for {}", uri.path()),
        Default::default(),
    )
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    error::error_for_path(
        uri.path(),
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("{method} is not allowed on {}", uri.path()),
        Default::default(),
    )
}

/// Serves `state` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Configures a [`MockServer`] before starting it.
#[derive(Debug, Default)]
pub struct MockServerBuilder {
    fixture: Option<Fixture>,
    clock: Option<Clock>,
    listen: Option<SocketAddr>,
    admin_token: Option<String>,
    token_ttl: Option<u64>,
    tenant_cap: Option<usize>,
    signing_key_pem: Option<String>,
    rate_limits: Option<RateLimits>,
    tls: bool,
}

impl MockServerBuilder {
    /// The world and settings to start from (default: the embedded default world).
    pub fn fixture(mut self, fixture: Fixture) -> Self {
        self.fixture = Some(fixture);
        self
    }

    /// The clock (default: a real clock). Pass [`Clock::manual`] for a frozen one.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The address to bind (default: `127.0.0.1:0`, a random loopback port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = Some(addr);
        self
    }

    /// Requires `Authorization: Bearer <token>` on `/__admin`.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Lifetime of every issued token, seconds (overrides the fixture's three TTLs).
    pub fn token_ttl(mut self, secs: u64) -> Self {
        self.token_ttl = Some(secs);
        self
    }

    /// Tenant cap per MSP (overrides the fixture's default cap).
    pub fn tenant_cap(mut self, cap: usize) -> Self {
        self.tenant_cap = Some(cap);
        self
    }

    /// RSA private key (PEM) to sign tokens with.
    pub fn signing_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.signing_key_pem = Some(pem.into());
        self
    }

    /// Rate limits (overrides the fixture's).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Some(limits);
        self
    }

    /// Serve HTTPS with a certificate from a CA generated at start (see [`MockServer::ca_pem`]).
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// The fixture with every override applied.
    fn resolved_fixture(&mut self) -> Fixture {
        let mut f = self.fixture.take().unwrap_or_else(Fixture::default_world);
        if let Some(ttl) = self.token_ttl {
            f.settings.token_ttl_secs = ttl;
            f.settings.exchange_ttl_secs = ttl;
            f.settings.legacy_token_ttl_secs = ttl;
        }
        if let Some(cap) = self.tenant_cap {
            f.settings.tenant_cap = cap;
        }
        if let Some(pem) = self.signing_key_pem.take() {
            f.settings.signing_key_pem = Some(pem);
        }
        if let Some(l) = self.rate_limits.take() {
            f.settings.rate_limits = l;
        }
        f
    }

    /// Binds, builds the state and starts serving in the background.
    pub async fn try_start(mut self) -> anyhow::Result<MockServer> {
        let addr = self
            .listen
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let tls = if self.tls {
            Some(tls::TlsMaterial::generate()?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let uri = format!("{scheme}://{local}");
        let fixture = self.resolved_fixture();
        let clock = self.clock.take().unwrap_or_default();
        let state = Arc::new(
            AppState::new(&fixture, clock, uri.clone(), self.admin_token.take())
                .map_err(anyhow::Error::msg)?,
        );
        let (tx, rx) = oneshot::channel::<()>();
        let stop = async {
            let _ = rx.await;
        };
        let ca_pem = tls.as_ref().map(|t| t.ca_pem().to_owned());
        let task = match tls {
            Some(t) => {
                let state = state.clone();
                tokio::spawn(async move { tls::serve_tls(listener, state, &t, stop).await })
            }
            None => tokio::spawn(serve(listener, state.clone(), stop)),
        };
        Ok(MockServer {
            ca_pem,
            uri,
            addr: local,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Like [`MockServerBuilder::try_start`].
    ///
    /// # Panics
    /// When the address cannot be bound or the fixture is invalid (a test-setup error).
    pub async fn start(self) -> MockServer {
        match self.try_start().await {
            Ok(m) => m,
            Err(e) => panic!("msp-mock failed to start: {e:#}"),
        }
    }
}

/// A running mock server; it stops when dropped.
#[derive(Debug)]
pub struct MockServer {
    ca_pem: Option<String>,
    uri: String,
    addr: SocketAddr,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl MockServer {
    /// A builder for a customised server.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Starts a server on the embedded default world and a random loopback port.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start() -> MockServer {
        Self::builder().start().await
    }

    /// Base URL, e.g. `http://127.0.0.1:38021` (no trailing slash).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The PEM of the CA that signed the server certificate (`Some` when started with
    /// [`MockServerBuilder::tls`]); trust it to talk HTTPS to [`MockServer::uri`].
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The current MSP credentials and tenants (as `GET /__admin/credentials`).
    pub fn credentials(&self) -> CredentialsDoc {
        admin::credentials_of(&self.state)
    }

    /// The mock's clock: advance it to expire tokens and end rate windows.
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// The shared state (store, journal, faults...).
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Back to the fixture (as `POST /__admin/reset`).
    pub fn reset(&self) {
        admin::reset_all(&self.state);
    }

    /// Stops the server and waits for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
