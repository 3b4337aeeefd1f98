//! `MspSession` (PyCentral's `MSPBase`) and `TenantSession`: one MSP credential, tokens that
//! refresh themselves, tenant tokens by RFC 8693 exchange, cached and single-flight per tenant.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;
use tracing::{Instrument, info, info_span, warn};

use crate::auth::token::{self, Fetch, IssuedToken, Scheme, TokenAuthorizer, TokenCell, TokenHttp};
use crate::auth::{Credentials, Secret, SystemClock, TimeSource};
use crate::error::{Error, Result, truncate};
use crate::hooks::Context;
use crate::retry::RetryPolicy;

/// Knobs of a session. `SessionOptions::default()` suits production; tests swap the clock.
///
/// ```no_run
/// use std::time::Duration;
/// use msp_client::{Credentials, MspSession, RetryPolicy, SessionOptions};
///
/// # async fn demo() -> msp_client::Result<()> {
/// let options = SessionOptions::default()
///     .with_timeout(Duration::from_secs(10))
///     .with_retry(RetryPolicy { max_rate_limit_retries: 8, ..RetryPolicy::default() });
/// let msp = MspSession::connect_with(Credentials::from_env()?, options).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// Refresh tokens this long before they expire (default 60 s; at most half a lifetime).
    pub refresh_skew: Duration,
    /// Timeout of every HTTP call, token calls included (default 30 s).
    pub timeout: Duration,
    /// Connect timeout (default 10 s).
    pub connect_timeout: Duration,
    /// Retry policy for API and token calls.
    pub retry: RetryPolicy,
    /// Time source for expiry and retry waits.
    pub clock: Arc<dyn TimeSource>,
    /// HTTP client to use instead of one built from the timeouts above.
    pub http: Option<reqwest::Client>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            refresh_skew: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
            http: None,
        }
    }
}

impl SessionOptions {
    /// Uses `clock` for expiry and retry waits.
    ///
    /// With a [`ManualClock`](crate::ManualClock), retry waits return at once and are recorded,
    /// and tokens expire only when the test moves the clock:
    /// ```
    /// use msp_client::{ManualClock, SessionOptions};
    ///
    /// let clock = ManualClock::starting_2026();
    /// let options = SessionOptions::default().with_clock(clock.clone());
    /// // ... connect with `options`, make calls, then:
    /// assert!(clock.sleeps().is_empty());
    /// ```
    pub fn with_clock(mut self, clock: Arc<dyn TimeSource>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `retry` for API and token calls.
    ///
    /// ```
    /// use msp_client::{RetryPolicy, SessionOptions};
    ///
    /// let options = SessionOptions::default().with_retry(RetryPolicy::none());
    /// assert_eq!(options.retry.max_rate_limit_retries, 0);
    /// ```
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the refresh skew: how long before expiry a token is renewed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use msp_client::SessionOptions;
    ///
    /// let options = SessionOptions::default().with_refresh_skew(Duration::from_secs(120));
    /// assert_eq!(options.refresh_skew, Duration::from_secs(120));
    /// ```
    pub fn with_refresh_skew(mut self, skew: Duration) -> Self {
        self.refresh_skew = skew;
        self
    }

    /// Sets the per-call timeout (token calls included).
    ///
    /// ```
    /// use std::time::Duration;
    /// use msp_client::SessionOptions;
    ///
    /// let options = SessionOptions::default().with_timeout(Duration::from_secs(5));
    /// assert_eq!(options.timeout, Duration::from_secs(5));
    /// ```
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub(crate) fn build_http(&self) -> Result<reqwest::Client> {
        match &self.http {
            Some(h) => Ok(h.clone()),
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(|e| Error::Config(format!("building the HTTP client: {e}"))),
        }
    }

    /// The retry policy, with the session timeout applied to attempts that have none.
    pub(crate) fn effective_retry(&self) -> RetryPolicy {
        let mut r = self.retry.clone();
        if r.request_timeout.is_none() {
            r.request_timeout = Some(self.timeout);
        }
        r
    }
}

/// Which tenant to open: by workspace id (with or without dashes) or by workspace name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TenantRef {
    /// Tenant workspace id (UUID, dashes optional, any case).
    Id(String),
    /// Tenant workspace name, resolved with `filter=workspaceName eq '...'`.
    Name(String),
}

/// Normalises a workspace id to 32 lowercase hex characters (no dashes).
///
/// ```
/// use msp_client::auth::normalise_workspace_id;
///
/// let id = normalise_workspace_id("0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0")?;
/// assert_eq!(id, "0f1e2d3c4b5a49688776a5b4c3d2e1f0");
/// assert!(normalise_workspace_id("Acme Retail").is_err());
/// # Ok::<(), msp_client::Error>(())
/// ```
pub fn normalise_workspace_id(raw: &str) -> Result<String> {
    let id: String = raw
        .trim()
        .chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(id)
    } else {
        Err(Error::InvalidInput(format!(
            "tenant id {raw:?} is not a workspace id (32 hex digits, dashes optional)"
        )))
    }
}

/// Builds the OData filter that selects a workspace by exact name (single quotes doubled).
///
/// ```
/// use msp_client::auth::workspace_name_filter;
///
/// assert_eq!(workspace_name_filter("O'Brien Ltd"), "workspaceName eq 'O''Brien Ltd'");
/// ```
pub fn workspace_name_filter(name: &str) -> String {
    format!("workspaceName eq '{}'", name.replace('\'', "''"))
}

/// What MSP and tenant sessions share (no back-pointer to the MSP session, so no cycles).
#[derive(Debug)]
struct Common {
    creds: Credentials,
    options: SessionOptions,
    http: reqwest::Client,
    token_http: TokenHttp,
}

impl Common {
    fn context(&self, cell: &Arc<TokenCell>, scheme: Scheme) -> Context {
        Context::default()
            .with_authorizer(Arc::new(TokenAuthorizer {
                cell: cell.clone(),
                scheme,
            }))
            .with_retry(self.options.effective_retry())
            .with_clock(self.options.clock.clone())
    }
}

type TenantSlot = Arc<OnceCell<TenantSession>>;

struct MspInner {
    common: Arc<Common>,
    token: Arc<TokenCell>,
    tenants: Mutex<HashMap<String, TenantSlot>>,
    names: Mutex<HashMap<String, String>>,
}

/// An authenticated MSP: the equivalent of PyCentral's `MSPBase`, without its weaknesses.
///
/// Cheap to clone (all clones share the token and the tenant cache).
///
/// ```no_run
/// use msp_client::{Credentials, MspSession};
///
/// # async fn demo() -> msp_client::Result<()> {
/// let msp = MspSession::connect(Credentials::from_file("account.yaml")?).await?;
/// let tenant = msp.tenant_by_name("Acme Retail").await?;
/// println!("Acme Retail is workspace {}", tenant.uuid());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct MspSession {
    inner: Arc<MspInner>,
}

impl fmt::Debug for MspSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MspSession")
            .field("credentials", &self.inner.common.creds)
            .field("token", &self.inner.token)
            .finish_non_exhaustive()
    }
}

impl MspSession {
    /// Connects with default options: fetches the MSP token now, so bad credentials fail here.
    ///
    /// ```no_run
    /// use msp_client::{Credentials, MspSession};
    ///
    /// # async fn demo() -> msp_client::Result<()> {
    /// // The mock's demo MSP; drop `with_base_url_for_all` for the real services.
    /// let workspace = "7d2f9a64-1c3b-4e8a-9f0d-2b6c5e4a1d01";
    /// let creds = Credentials::new("demo-msp-client", "demo-msp-secret", workspace)
    ///     .with_base_url_for_all("http://127.0.0.1:8080")?;
    /// let msp = MspSession::connect(creds).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(credentials: Credentials) -> Result<Self> {
        Self::connect_with(credentials, SessionOptions::default()).await
    }

    /// Connects with explicit options (timeouts, retry policy, clock).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use msp_client::{Credentials, MspSession, SessionOptions};
    ///
    /// # async fn demo() -> msp_client::Result<()> {
    /// let options = SessionOptions::default().with_timeout(Duration::from_secs(10));
    /// let msp = MspSession::connect_with(Credentials::from_env()?, options).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect_with(credentials: Credentials, options: SessionOptions) -> Result<Self> {
        credentials.validate()?;
        let http = options.build_http()?;
        let token_http = TokenHttp {
            http: http.clone(),
            retry: options.effective_retry(),
            clock: options.clock.clone(),
            timeout: options.timeout,
        };
        let common = Arc::new(Common {
            creds: credentials,
            options,
            http,
            token_http,
        });
        let fetch_common = common.clone();
        let fetch: Fetch = Box::new(move || {
            let c = fetch_common.clone();
            Box::pin(async move {
                token::client_credentials(
                    &c.token_http,
                    c.creds.sso_base_url(),
                    c.creds.workspace_id(),
                    c.creds.client_id(),
                    c.creds.client_secret(),
                )
                .await
            })
        });
        let token = Arc::new(TokenCell::new(
            format!("msp:{}", common.creds.workspace_id()),
            fetch,
            common.options.clock.clone(),
            common.options.refresh_skew,
        ));
        token.get().await?;
        info!(
            workspace = common.creds.workspace_id(),
            "MSP session connected"
        );
        Ok(Self {
            inner: Arc::new(MspInner {
                common,
                token,
                tenants: Mutex::new(HashMap::new()),
                names: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The credentials this session was opened with.
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// println!("MSP workspace {}", msp.credentials().workspace_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn credentials(&self) -> &Credentials {
        &self.inner.common.creds
    }

    /// The shared HTTP client (timeouts from [`SessionOptions`]; no credentials of its own).
    ///
    /// A hand-written call, authorised and retried like a generated one:
    /// ```no_run
    /// # async fn demo(msp: msp_client::MspSession) -> Result<(), Box<dyn std::error::Error>> {
    /// let url = format!("{}/workspaces/v1/msp-tenants", msp.credentials().glp_base_url());
    /// let request = msp.http().get(url).build()?;
    /// let response = msp.context().send(msp.http(), request, "listMspTenants").await?;
    /// # let _ = response;
    /// # Ok(())
    /// # }
    /// ```
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.common.http
    }

    /// The context that authorises generated clients as the MSP (token, retries, clock).
    ///
    /// [`MspSession::glp`] and [`MspSession::central`] use it; build a client yourself only to
    /// point it elsewhere:
    /// ```no_run
    /// use msp_client::generated::glp_workspaces;
    ///
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let client = glp_workspaces::Client::new_with_client(
    ///     msp.credentials().glp_base_url(),
    ///     msp.http().clone(),
    ///     msp.context(),
    /// );
    /// let first_page = client.list_msp_tenants().limit(10u64).send().await;
    /// # let _ = first_page;
    /// # Ok(())
    /// # }
    /// ```
    pub fn context(&self) -> Context {
        self.inner.common.context(&self.inner.token, Scheme::Bearer)
    }

    /// The current MSP access token (refreshed first if due), for calls made with other tools.
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let token = msp.access_token().await?;
    /// let header = format!("Bearer {}", token.expose());
    /// # let _ = header;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn access_token(&self) -> Result<Secret> {
        self.inner.token.get().await
    }

    /// How many MSP token fetches this session has started (1 after connect).
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// assert_eq!(msp.token_fetch_count(), 1); // fresh session: only the connect's fetch
    /// # Ok(())
    /// # }
    /// ```
    pub fn token_fetch_count(&self) -> u64 {
        self.inner.token.fetch_count()
    }

    /// Opens (or reuses) a session for a tenant of this MSP.
    ///
    /// Sessions are cached by normalised workspace id; concurrent first calls for one tenant
    /// perform exactly one token exchange, and different tenants exchange in parallel.
    ///
    /// ```no_run
    /// use msp_client::TenantRef;
    ///
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let acme = msp.tenant(TenantRef::Name("Acme Retail".into())).await?;
    /// let same = msp.tenant(TenantRef::Id(acme.uuid())).await?; // cached: no second exchange
    /// assert_eq!(same.token_fetch_count(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn tenant(&self, tenant: TenantRef) -> Result<TenantSession> {
        let id = match tenant {
            TenantRef::Id(raw) => normalise_workspace_id(&raw)?,
            TenantRef::Name(name) => self.resolve_tenant_name(&name).await?,
        };
        let slot = {
            let mut map = lock(&self.inner.tenants);
            map.entry(id.clone()).or_default().clone()
        };
        slot.get_or_try_init(|| self.open_tenant(id)).await.cloned()
    }

    /// Opens a tenant session by workspace id (shorthand for `tenant(TenantRef::Id(..))`).
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let tenant = msp.tenant_by_id("0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0").await?;
    /// assert_eq!(tenant.id(), "0f1e2d3c4b5a49688776a5b4c3d2e1f0");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn tenant_by_id(&self, id: &str) -> Result<TenantSession> {
        self.tenant(TenantRef::Id(id.to_string())).await
    }

    /// Opens a tenant session by workspace name (shorthand for `tenant(TenantRef::Name(..))`).
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let tenant = msp.tenant_by_name("Acme Retail").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn tenant_by_name(&self, name: &str) -> Result<TenantSession> {
        self.tenant(TenantRef::Name(name.to_string())).await
    }

    async fn open_tenant(&self, id: String) -> Result<TenantSession> {
        let common = self.inner.common.clone();
        let msp = self.inner.token.clone();
        let tenant_hex = id.clone();
        let fetch: Fetch = Box::new(move || {
            let common = common.clone();
            let msp = msp.clone();
            let tenant_hex = tenant_hex.clone();
            Box::pin(async move { exchange_renewing_msp(&common, &msp, &tenant_hex).await })
        });
        let cell = Arc::new(TokenCell::new(
            format!("tenant:{id}"),
            fetch,
            self.inner.common.options.clock.clone(),
            self.inner.common.options.refresh_skew,
        ));
        cell.get().await?;
        Ok(TenantSession {
            inner: Arc::new(TenantInner {
                id,
                common: self.inner.common.clone(),
                token: cell,
            }),
        })
    }

    /// Resolves a tenant name to its normalised workspace id (cached after the first lookup).
    ///
    /// Fails with [`Error::TenantNotFound`] or [`Error::AmbiguousTenant`] when the name does not
    /// pick out exactly one tenant.
    /// ```no_run
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let id = msp.resolve_tenant_name("Acme Retail").await?; // 32 lowercase hex digits
    /// # Ok(())
    /// # }
    /// ```
    pub async fn resolve_tenant_name(&self, name: &str) -> Result<String> {
        if name.trim().is_empty() {
            return Err(Error::InvalidInput("tenant name is empty".into()));
        }
        if let Some(id) = lock(&self.inner.names).get(name) {
            return Ok(id.clone());
        }
        let call = "listMspTenants (resolve tenant name)";
        let url = format!(
            "{}/workspaces/v1/msp-tenants",
            self.inner.common.creds.glp_base_url()
        );
        let request = self
            .http()
            .get(url)
            .query(&[("filter", workspace_name_filter(name))])
            .header(reqwest::header::ACCEPT, "application/json")
            .build()
            .map_err(|source| Error::Transport {
                call: call.into(),
                source,
            })?;
        let span = info_span!("resolve_tenant", name);
        let response = self
            .context()
            .send(self.http(), request, call)
            .instrument(span)
            .await?;
        let status = response.status();
        let body = response.text().await.map_err(|source| Error::Transport {
            call: call.into(),
            source,
        })?;
        if !status.is_success() {
            return Err(Error::Api {
                call: call.into(),
                status: status.as_u16(),
                body: truncate(&body),
            });
        }
        #[derive(serde::Deserialize)]
        struct Item {
            id: String,
            #[serde(rename = "workspaceName")]
            workspace_name: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Page {
            items: Vec<Item>,
        }
        let page: Page = serde_json::from_str(&body).map_err(|e| Error::Decode {
            call: call.into(),
            detail: e.to_string(),
        })?;
        let mut matches: Vec<&Item> = page.items.iter().collect();
        if matches.len() > 1 {
            matches.retain(|i| i.workspace_name.as_deref() == Some(name));
        }
        match matches.as_slice() {
            [] => Err(Error::TenantNotFound(name.to_string())),
            [one] => {
                let id = normalise_workspace_id(&one.id).map_err(|_| Error::Decode {
                    call: call.into(),
                    detail: format!("tenant id {:?} is not a workspace id", one.id),
                })?;
                lock(&self.inner.names).insert(name.to_string(), id.clone());
                Ok(id)
            }
            many => Err(Error::AmbiguousTenant {
                name: name.to_string(),
                count: many.len(),
            }),
        }
    }
}

/// Exchanges the MSP token for a tenant token; if the exchange is refused, renews the MSP
/// token once and tries again.
async fn exchange_renewing_msp(
    common: &Common,
    msp: &TokenCell,
    tenant_hex: &str,
) -> Result<IssuedToken> {
    let sso = common.creds.sso_base_url();
    let subject = msp.get().await?;
    match token::exchange(&common.token_http, sso, tenant_hex, &subject).await {
        Err(e) if token::exchange_refused(&e) => {
            warn!(tenant = tenant_hex, error = %e, "token exchange refused; renewing the MSP token once");
            msp.invalidate_if(subject.expose());
            let subject = msp.get().await?;
            token::exchange(&common.token_http, sso, tenant_hex, &subject).await
        }
        other => other,
    }
}

struct TenantInner {
    id: String,
    common: Arc<Common>,
    token: Arc<TokenCell>,
}

/// A tenant workspace seen through its exchanged token. Cheap to clone.
///
/// Opened with [`MspSession::tenant`] (or `tenant_by_name` / `tenant_by_id`):
/// ```no_run
/// use futures::TryStreamExt;
///
/// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
/// let tenant = msp.tenant_by_name("Acme Retail").await?;
/// let serials: Vec<String> = tenant
///     .glp_devices()
///     .map_ok(|d| d.serial_number)
///     .try_collect()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TenantSession {
    inner: Arc<TenantInner>,
}

impl fmt::Debug for TenantSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantSession")
            .field("id", &self.inner.id)
            .field("token", &self.inner.token)
            .finish_non_exhaustive()
    }
}

impl TenantSession {
    /// The tenant workspace id, 32 lowercase hex characters.
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let tenant = msp.tenant_by_id("0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0").await?;
    /// assert_eq!(tenant.id(), "0f1e2d3c4b5a49688776a5b4c3d2e1f0");
    /// # Ok(())
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The tenant workspace id as a hyphenated UUID.
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let tenant = msp.tenant_by_id("0f1e2d3c4b5a49688776a5b4c3d2e1f0").await?;
    /// assert_eq!(tenant.uuid(), "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0");
    /// # Ok(())
    /// # }
    /// ```
    pub fn uuid(&self) -> String {
        let h = &self.inner.id;
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// The context that authorises generated clients as this tenant (token, retries, clock).
    ///
    /// [`TenantSession::glp`] and [`TenantSession::central`] use it; build a client yourself
    /// only to point it elsewhere:
    /// ```no_run
    /// use msp_client::generated::glp_platform;
    ///
    /// # async fn demo(tenant: msp_client::TenantSession) -> msp_client::Result<()> {
    /// let client = glp_platform::Client::new_with_client(
    ///     tenant.credentials().glp_base_url(),
    ///     tenant.http().clone(),
    ///     tenant.context(),
    /// );
    /// let devices = client.list_devices().limit(100u64).send().await;
    /// # let _ = devices;
    /// # Ok(())
    /// # }
    /// ```
    pub fn context(&self) -> Context {
        self.inner.common.context(&self.inner.token, Scheme::Bearer)
    }

    /// The shared HTTP client (the MSP session's; no credentials of its own).
    ///
    /// A hand-written call, authorised and retried like a generated one:
    /// ```no_run
    /// # use msp_client::TenantSession;
    /// # async fn demo(tenant: TenantSession) -> Result<(), Box<dyn std::error::Error>> {
    /// let url = format!("{}/devices/v1/devices", tenant.credentials().glp_base_url());
    /// let request = tenant.http().get(url).build()?;
    /// let response = tenant.context().send(tenant.http(), request, "listDevices").await?;
    /// # let _ = response;
    /// # Ok(())
    /// # }
    /// ```
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.common.http
    }

    /// The credentials of the MSP this tenant belongs to (for base URLs).
    ///
    /// ```no_run
    /// # async fn demo(tenant: msp_client::TenantSession) -> msp_client::Result<()> {
    /// let central = tenant.credentials().central_base_url(); // None: no Central configured
    /// # let _ = central;
    /// # Ok(())
    /// # }
    /// ```
    pub fn credentials(&self) -> &Credentials {
        &self.inner.common.creds
    }

    /// The current tenant access token (re-exchanged first if due), for calls made with other
    /// tools.
    ///
    /// ```no_run
    /// # async fn demo(tenant: msp_client::TenantSession) -> msp_client::Result<()> {
    /// let header = format!("Bearer {}", tenant.access_token().await?.expose());
    /// # let _ = header;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn access_token(&self) -> Result<Secret> {
        self.inner.token.get().await
    }

    /// How many token exchanges this tenant session has started (1 after opening).
    ///
    /// ```no_run
    /// # async fn demo(tenant: msp_client::TenantSession) -> msp_client::Result<()> {
    /// assert_eq!(tenant.token_fetch_count(), 1); // just opened: one exchange
    /// # Ok(())
    /// # }
    /// ```
    pub fn token_fetch_count(&self) -> u64 {
        self.inner.token.fetch_count()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Values behind these locks are replaced whole, so a poisoned lock is still consistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_ids_normalise() {
        assert_eq!(
            normalise_workspace_id("1C2D3E4F-0000-4000-8000-00000000ABCD").unwrap(),
            "1c2d3e4f00004000800000000000abcd"
        );
        assert!(normalise_workspace_id("not-an-id").is_err());
        assert!(normalise_workspace_id("").is_err());
        assert!(normalise_workspace_id("zz2d3e4f000040008000000000000abc").is_err());
    }

    #[test]
    fn name_filter_doubles_quotes() {
        assert_eq!(
            workspace_name_filter("O'Brien"),
            "workspaceName eq 'O''Brien'"
        );
    }
}
