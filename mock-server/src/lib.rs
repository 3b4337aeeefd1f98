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
//! | GLP platform | `GET /devices/v1/devices[/{id}]`, `GET /audit-log/v1/logs[/{id}/detail]` (bearer; the token's workspace) |
//! | Central | `GET /network-msp/v1/list-tenants` (MSP token), `GET /network-monitoring/v1/device-inventory` (tenant token) |
//! | nSA MSP portal | `GET /login/msp`, `POST /dana-na/auth/{DSSIGNIN}/login.cgi`, `/api/msp/tenants[/{id}[/block\|/unblock]]`, `/api/msp/tenants/requests/tenant-cap-limit`, `/api/msp/reports/usage[/schedule\|/{id}/download-url]`, `GET /reports/usage/{id}.csv?token=` |
//! | RUCKUS One | `POST /oauth2/token/{tenantId}`, `/tenants[/{id}[/tenantDelegations\|/admins[/{adminId}]\|/adminDelegations\|/invitations]]`, `/tenantDelegations`, `/adminDelegations`, `/tenantActivations/[supportStatus/]{id}`, `/brandings`, `/firmwareUpgradeSchedules`, `POST /{tenants,mspecs,tenants/inventories,delegations,activities,venues}/query`, `GET /activities/{id}`, `GET /tenants/self`, `GET /admins`, `GET /venues` (bearer; `x-rks-tenantid` acts in a managed customer) |
//! | specs | `GET /openapi/{name}.yaml` |
//! | admin | `/__admin/{health,credentials,reset,clock,clock/advance,faults,requests,state}`, `/__admin/nsa/cap-requests[/{id}/approve\|reject]`, `/__admin/nsa/sessions` |
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
//! The crate's public face is [`MockServer`], its [`MockServerBuilder`], [`Clock`],
//! [`Fixture`] with its [`Settings`], [`RateLimits`] and [`RateLimitMode`], the credential documents and
//! [`RecordedRequest`]; the vendors' internals are private.
//!
//! # From the command line
//!
//! `msp-mock --listen 127.0.0.1:8080 [--fixture world.yaml] [--admin-token T]`; see
//! `msp-mock --help`.

mod admin;
mod central;
mod clock;
mod error;
mod extract;
pub mod fixture;
mod glp;
mod limits;
mod nsa;
mod odata;
#[doc(hidden)]
pub mod routes;
mod ruckus;
mod sso;
mod state;
mod tls;
mod validation;
mod vendor;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower_http::trace::TraceLayer;

pub use admin::journal::Entry as RecordedRequest;
pub use admin::{CredentialsDoc, MspCredentials, TenantRef};
pub use clock::Clock;
pub use fixture::{Fixture, RateLimits, Settings};
pub use limits::RateLimitMode;
pub use nsa::admin::NsaCredentials;

use admin::faults::Faults;
use admin::journal::Journal;
use limits::RateLimiter;
use sso::tokens::{Signer, TEST_SIGNING_KEY_PEM, TokenService};
use state::{Secret, Store};

/// Everything the handlers share, behind one `Arc` (not part of the public API: reached by the
/// crate's own benches and tests through the hidden [`bench`] module).
#[doc(hidden)]
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
    /// GreenLake's rendered list items (see the `glp` render module).
    pub(crate) glp_items: glp::render::ItemCache,
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
            glp_items: Default::default(),
            clock,
            settings,
        })
    }
}

/// The whole application (hidden: for the crate's benches and tests): every vendor's router (from [`vendor::VENDORS`]) merged, with the
/// journal, fault, body-limit and trace layers.
#[doc(hidden)]
pub fn app(state: Arc<AppState>) -> Router {
    vendor::VENDORS
        .iter()
        .fold(Router::new(), |app, v| app.merge((v.router)()))
        .merge(
            routes::Routes::new()
                .route("/openapi/{file}", routes::get(admin::openapi_spec))
                .into_router(),
        )
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
    let mut resp = error::error_for_path(
        uri.path(),
        StatusCode::NOT_FOUND,
        &format!("no route for {}", uri.path()),
        Default::default(),
    );
    resp.extensions_mut().insert(routes::Unrouted::NoRoute);
    resp
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let mut resp = error::error_for_path(
        uri.path(),
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("{method} is not allowed on {}", uri.path()),
        Default::default(),
    );
    resp.extensions_mut()
        .insert(routes::Unrouted::MethodNotAllowed);
    resp
}

/// Serves `state` on `listener` until `shutdown` completes.
async fn serve(
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
    rate_limit_mode: RateLimitMode,
    tls: bool,
}

impl MockServerBuilder {
    /// The world and settings to start from (default: the embedded default world).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), String> {
    /// use msp_mock_server::{Fixture, MockServer};
    ///
    /// let world = Fixture::from_yaml(
    ///     "msps:\n  - workspace_id: 1f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0\n    name: Alpha\n    client_id: alpha\n    client_secret: alpha-secret\n",
    /// )?;
    /// let mock = MockServer::builder().fixture(world).start().await;
    /// assert_eq!(mock.credentials().msps[0].client_id, "alpha");
    /// # Ok(()) }
    /// ```
    pub fn fixture(mut self, fixture: Fixture) -> Self {
        self.fixture = Some(fixture);
        self
    }

    /// The clock (default: a real clock). Pass [`Clock::manual`] for a frozen one.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::{Clock, MockServer};
    ///
    /// let clock = Clock::manual(Clock::real().now());
    /// let mock = MockServer::builder().clock(clock.clone()).start().await;
    /// clock.advance(901.0); // tokens issued before this are now expired
    /// assert_eq!(mock.clock().now(), clock.now());
    /// # }
    /// ```
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The address to bind (default: `127.0.0.1:0`, a random loopback port).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::builder().listen("127.0.0.1:18080".parse().unwrap()).start().await;
    /// assert_eq!(mock.uri(), "http://127.0.0.1:18080");
    /// # }
    /// ```
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = Some(addr);
        self
    }

    /// Requires `Authorization: Bearer <token>` on `/__admin`.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::builder().admin_token("s3cret").start().await;
    /// let r = reqwest::get(format!("{}/__admin/health", mock.uri())).await.unwrap();
    /// assert_eq!(r.status(), 401);
    /// # }
    /// ```
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Lifetime of every issued token, seconds (overrides the fixture's three TTLs).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// // Tokens that expire after a minute on the mock clock, to test renewal.
    /// let mock = MockServer::builder().token_ttl(60).start().await;
    /// # let _ = mock;
    /// # }
    /// ```
    pub fn token_ttl(mut self, secs: u64) -> Self {
        self.token_ttl = Some(secs);
        self
    }

    /// Tenant cap per MSP (overrides the fixture's default cap).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// // Room for no more tenants than the default world has: the next create answers 409.
    /// let mock = MockServer::builder().tenant_cap(3).start().await;
    /// # let _ = mock;
    /// # }
    /// ```
    pub fn tenant_cap(mut self, cap: usize) -> Self {
        self.tenant_cap = Some(cap);
        self
    }

    /// RSA private key (PEM) to sign tokens with (default: the embedded test-only key).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let pem = std::fs::read_to_string("signing-key.pem").unwrap();
    /// let mock = MockServer::builder().signing_key_pem(pem).start().await;
    /// # let _ = mock;
    /// # }
    /// ```
    pub fn signing_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.signing_key_pem = Some(pem.into());
        self
    }

    /// Rate limits (overrides the fixture's).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::{MockServer, RateLimits};
    ///
    /// // Two calls per minute per API client: the third answers 429 with Retry-After.
    /// let limits = RateLimits { per_client: 2, ..RateLimits::default() };
    /// let mock = MockServer::builder().rate_limits(limits).start().await;
    /// # let _ = mock;
    /// # }
    /// ```
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Some(limits);
        self
    }

    /// Relaxes or switches off the rate limits (applied after [`MockServerBuilder::rate_limits`]
    /// and the fixture's): for fuzzers and load tests, whose volume would otherwise be mostly
    /// 429s. The default, [`RateLimitMode::AsConfigured`], keeps the quotas as they are.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::{MockServer, RateLimitMode};
    ///
    /// // No request is ever refused with 429.
    /// let mock = MockServer::builder().rate_limit_mode(RateLimitMode::Off).start().await;
    /// // Or: every quota a hundred times the vendor's.
    /// let relaxed = MockServer::builder().rate_limit_mode(RateLimitMode::Scaled(100)).start().await;
    /// # let _ = (mock, relaxed);
    /// # }
    /// ```
    pub fn rate_limit_mode(mut self, mode: RateLimitMode) -> Self {
        self.rate_limit_mode = mode;
        self
    }

    /// Serve HTTPS with a certificate from a CA generated at start (see [`MockServer::ca_pem`]).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::builder().tls(true).start().await;
    /// assert!(mock.uri().starts_with("https://"));
    /// assert!(mock.ca_pem().is_some());
    /// # }
    /// ```
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
        f.settings.rate_limits = self.rate_limit_mode.apply(f.settings.rate_limits.clone());
        f
    }

    /// Binds, builds the state and starts serving in the background; an error says what
    /// failed (the address taken, an invalid fixture or key).
    ///
    /// ```no_run
    /// # async fn demo() -> anyhow::Result<()> {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::builder().try_start().await?;
    /// println!("mock at {}", mock.uri());
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::builder().tenant_cap(10).start().await;
    /// # let _ = mock;
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::builder().token_ttl(60).tenant_cap(5).start().await;
    /// # let _ = mock;
    /// # }
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Starts a server on the embedded default world and a random loopback port.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::start().await;
    /// assert!(mock.uri().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start() -> MockServer {
        Self::builder().start().await
    }

    /// Base URL, e.g. `http://127.0.0.1:38021` (no trailing slash).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::start().await;
    /// let health = reqwest::get(format!("{}/__admin/health", mock.uri())).await.unwrap();
    /// assert_eq!(health.status(), 200);
    /// # }
    /// ```
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The bound address.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::start().await;
    /// assert!(mock.address().ip().is_loopback());
    /// # }
    /// ```
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The PEM of the CA that signed the server certificate (`Some` when started with
    /// [`MockServerBuilder::tls`]); trust it to talk HTTPS to [`MockServer::uri`].
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::builder().tls(true).start().await;
    /// let ca = reqwest::Certificate::from_pem(mock.ca_pem().unwrap().as_bytes()).unwrap();
    /// let http = reqwest::Client::builder().add_root_certificate(ca).build().unwrap();
    /// # let _ = http;
    /// # }
    /// ```
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Every vendor's credentials and tenants in the current world (as
    /// `GET /__admin/credentials`); reading them changes nothing.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::start().await;
    /// let creds = mock.credentials();
    /// let msp = &creds.msps[0];
    /// println!("{} / {} owns {} tenants", msp.client_id, msp.workspace_id, msp.tenants.len());
    /// # }
    /// ```
    pub fn credentials(&self) -> CredentialsDoc {
        admin::credentials_of(&self.state)
    }

    /// The mock's clock: advance it to expire tokens, end rate windows and settle
    /// asynchronous operations, without sleeping.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::start().await;
    /// let before = mock.clock().now();
    /// mock.clock().advance(3600.0);
    /// assert!(mock.clock().now() > before);
    /// # }
    /// ```
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// The requests the mock has answered, oldest first (the bounded journal of
    /// `GET /__admin/requests`), whose path contains `path` and whose method is `method`
    /// (`None` matches any).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::start().await;
    /// // ... the code under test runs against mock.uri() ...
    /// let exchanges = mock.received_requests(Some("/token"), Some("POST"));
    /// assert!(exchanges.iter().all(|r| r.status == 200));
    /// # }
    /// ```
    pub fn received_requests(
        &self,
        path: Option<&str>,
        method: Option<&str>,
    ) -> Vec<RecordedRequest> {
        self.state.journal.query(path, method)
    }

    /// Forgets every recorded request (as `DELETE /__admin/requests`).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::start().await;
    /// mock.clear_requests();
    /// assert!(mock.received_requests(None, None).is_empty());
    /// # }
    /// ```
    pub fn clear_requests(&self) {
        self.state.journal.clear();
    }

    /// What `msp-mock` prints at start: the URL and every vendor's demo credentials.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::start().await;
    /// assert!(mock.banner().starts_with("msp-mock listening on http://127.0.0.1:"));
    /// # }
    /// ```
    pub fn banner(&self) -> String {
        let mut out = format!("msp-mock listening on {}\n", self.uri);
        for v in vendor::VENDORS {
            for line in v
                .banner
                .map(|b| b(&self.state, &self.uri))
                .unwrap_or_default()
            {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out.push_str(&format!("  admin API: {}/__admin/credentials\n", self.uri));
        out
    }

    /// Back to the fixture (as `POST /__admin/reset`): world, rate windows, faults and token
    /// cache (the clock and the journal are kept).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::start().await;
    /// // ... a test creates and deletes tenants ...
    /// mock.reset();
    /// # }
    /// ```
    pub fn reset(&self) {
        admin::reset_all(&self.state);
    }

    /// Stops the server and waits for in-flight requests to finish.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msp_mock_server::MockServer;
    ///
    /// let mock = MockServer::start().await;
    /// mock.shutdown().await;
    /// # }
    /// ```
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

/// Entry points for the crate's own benchmarks (`benches/`) and tests; not part of the public
/// API.
#[doc(hidden)]
pub mod bench {
    use std::sync::Arc;

    use uuid::Uuid;

    pub use crate::sso::tokens::{Grant, TokenKind};
    pub use crate::state::Tenant;
    pub use crate::state::filter;
    pub use crate::state::glp::Page;
    pub use crate::{AppState, app};

    /// The server's shared state.
    pub fn state(mock: &crate::MockServer) -> &Arc<AppState> {
        &mock.state
    }

    /// How many nSA admin sessions are live.
    pub fn nsa_sessions(mock: &crate::MockServer) -> usize {
        mock.state.store.export().nsa.sessions.len()
    }

    use crate::glp::render::{self, TenantQuery, View};
    use crate::state::GlpWorld;
    use crate::state::glp::GlpError;

    /// A copy of a page of `msp`'s tenants, as the store's page query finds it.
    pub fn list_tenants(
        state: &AppState,
        msp: Uuid,
        offset: usize,
        limit: usize,
    ) -> Result<Page<Tenant>, GlpError> {
        state.store.with(|g: &GlpWorld| {
            g.tenant_page(msp, None, None, offset, limit).map(|p| Page {
                offset: p.offset,
                total: p.total,
                items: p.items.into_iter().cloned().collect(),
            })
        })
    }

    /// The body `GET /workspaces/v1/msp-tenants` sends for that page.
    pub fn page_body(state: &AppState, msp: Uuid, offset: usize, limit: usize) -> Vec<u8> {
        let q = TenantQuery {
            filter: None,
            order: None,
            offset,
            limit,
        };
        render::tenant_page::<crate::error::GlpStandard>(
            &state.store,
            &state.glp_items,
            View::Vendor,
            msp,
            &q,
        )
        .map(|b| b.0)
        .unwrap_or_default()
    }

    /// Forgets every rendered list item, so the next page renders each anew.
    pub fn forget_rendered(state: &AppState) {
        state.glp_items.clear();
    }
}
