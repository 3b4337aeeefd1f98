//! The server under test: its base URL, its optional msp-mock admin API and the MSP credentials
//! the suite signs in with, plus the admin calls (reset, clock, faults, journal, state) and a
//! client-side clock that follows the server's.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, bail};
use futures::future::BoxFuture;
use msp_client::TimeSource;
use serde::Deserialize;
use serde_json::{Value, json};

/// One MSP API client the suite may sign in with.
#[derive(Clone, Deserialize)]
pub struct MspCredential {
    /// MSP name (for messages).
    #[serde(default)]
    pub name: String,
    /// The MSP workspace id.
    pub workspace_id: String,
    /// API client id.
    pub client_id: String,
    /// API client secret.
    pub client_secret: String,
}

impl fmt::Debug for MspCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MspCredential")
            .field("name", &self.name)
            .field("workspace_id", &self.workspace_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// The credentials document: the shape of the mock's `GET /__admin/credentials` (extra fields
/// such as each MSP's tenant list are ignored), also accepted from `--credentials FILE`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TargetCredentials {
    /// The MSPs; the first is the one under test, the second (if any) is the isolation witness.
    pub msps: Vec<MspCredential>,
    /// Ivanti nSA MSP portal logins (the mock lists them under `"nsa"`); the first is tested.
    #[serde(default)]
    pub nsa: Vec<NsaCredential>,
    /// RUCKUS One MSPs (the mock lists them under `"ruckus": {"msps": [...]}`); the first is
    /// tested, the second (if any) is the isolation witness.
    #[serde(default)]
    pub ruckus: RuckusAccounts,
}

/// The RUCKUS One section of the credentials document.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RuckusAccounts {
    /// The MSPs' Application Tokens.
    #[serde(default)]
    pub msps: Vec<RuckusCredential>,
}

/// One RUCKUS One MSP's Application Token.
#[derive(Clone, Deserialize)]
pub struct RuckusCredential {
    /// MSP name (for messages).
    #[serde(default)]
    pub name: String,
    /// The MSP's tenant id (the `{tenantId}` of `POST /oauth2/token/{tenantId}`).
    pub tenant_id: String,
    /// Application Token client id.
    pub client_id: String,
    /// Application Token client secret.
    pub client_secret: String,
}

impl fmt::Debug for RuckusCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuckusCredential")
            .field("name", &self.name)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// One nSA MSP portal login the suite may sign in with.
#[derive(Clone, Deserialize)]
pub struct NsaCredential {
    /// Admin user name.
    pub username: String,
    /// Admin password.
    pub password: String,
    /// Sign-in realm (the client's default when absent).
    #[serde(default)]
    pub realm: Option<String>,
}

impl fmt::Debug for NsaCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NsaCredential")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl TargetCredentials {
    /// Parses a JSON credentials file; it must name at least one account (a GreenLake MSP, an
    /// nSA login or a RUCKUS One MSP).
    pub fn from_json(text: &str) -> anyhow::Result<Self> {
        let c: TargetCredentials =
            serde_json::from_str(text).context("credentials file is not the expected JSON")?;
        if c.msps.is_empty() && c.nsa.is_empty() && c.ruckus.msps.is_empty() {
            bail!(
                "credentials file lists no account (expected {{\"msps\": [...]}}, \
                 {{\"nsa\": [...]}} or {{\"ruckus\": {{\"msps\": [...]}}}})"
            );
        }
        Ok(c)
    }
}

/// A server to run the suite against.
#[derive(Clone, Debug)]
pub struct Target {
    /// Base URL of the APIs and token endpoints (no trailing slash).
    pub base_url: String,
    /// Base URL of the msp-mock admin API (`.../__admin`), when the server has one.
    pub admin_url: Option<String>,
    /// MSP credentials.
    pub credentials: TargetCredentials,
}

impl Target {
    /// A target with an explicit admin URL (or none) and credentials.
    pub fn new(base_url: &str, admin_url: Option<&str>, credentials: TargetCredentials) -> Target {
        Target {
            base_url: base_url.trim_end_matches('/').to_string(),
            admin_url: admin_url.map(|a| a.trim_end_matches('/').to_string()),
            credentials,
        }
    }

    /// A target served by an msp-mock at `base_url`: admin API at `{base_url}/__admin`,
    /// credentials read from it.
    pub async fn mock(base_url: &str) -> anyhow::Result<Target> {
        let base = base_url.trim_end_matches('/');
        let admin = format!("{base}/__admin");
        let credentials = Admin::new(&admin).credentials().await?;
        Ok(Target::new(base, Some(&admin), credentials))
    }

    /// The admin client, when the target has an admin API.
    pub fn admin(&self) -> Option<Admin> {
        self.admin_url.as_deref().map(Admin::new)
    }
}

/// A client of the msp-mock admin API.
#[derive(Clone, Debug)]
pub struct Admin {
    base: String,
    http: reqwest::Client,
}

impl Admin {
    /// An admin client for `base` (`http://host:port/__admin`).
    pub fn new(base: &str) -> Admin {
        Admin {
            base: base.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method.clone(), &url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("{method} {url}"))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("{method} {url}: {status}: {text}");
        }
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).with_context(|| format!("{method} {url}: body is not JSON"))
    }

    /// `GET /health`: whether the admin API answers.
    pub async fn healthy(&self) -> bool {
        self.call(reqwest::Method::GET, "/health", None)
            .await
            .is_ok()
    }

    /// `GET /credentials`.
    pub async fn credentials(&self) -> anyhow::Result<TargetCredentials> {
        let v = self
            .call(reqwest::Method::GET, "/credentials", None)
            .await?;
        Ok(serde_json::from_value(v)?)
    }

    /// `POST /reset`: back to the fixture (world, rate windows, faults).
    pub async fn reset(&self) -> anyhow::Result<()> {
        self.call(reqwest::Method::POST, "/reset", None)
            .await
            .map(drop)
    }

    /// `GET /clock`: the server's current time.
    pub async fn clock_now(&self) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
        let v = self.call(reqwest::Method::GET, "/clock", None).await?;
        parse_clock(&v)
    }

    /// `GET /clock`: the server's current time and whether its clock is manual (moves only
    /// when advanced).
    pub async fn clock(&self) -> anyhow::Result<(chrono::DateTime<chrono::Utc>, bool)> {
        let v = self.call(reqwest::Method::GET, "/clock", None).await?;
        let manual = v.get("manual").and_then(Value::as_bool).unwrap_or(false);
        Ok((parse_clock(&v)?, manual))
    }

    /// `POST /clock/advance`: moves the server clock; returns the new time.
    pub async fn advance(&self, seconds: f64) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/clock/advance",
                Some(json!({ "seconds": seconds })),
            )
            .await?;
        parse_clock(&v)
    }

    /// `POST /faults`: adds a fault rule.
    pub async fn add_fault(&self, fault: Value) -> anyhow::Result<()> {
        self.call(reqwest::Method::POST, "/faults", Some(fault))
            .await
            .map(drop)
    }

    /// `DELETE /faults`.
    pub async fn clear_faults(&self) -> anyhow::Result<()> {
        self.call(reqwest::Method::DELETE, "/faults", None)
            .await
            .map(drop)
    }

    /// `GET /requests`: the journal entries (oldest first).
    pub async fn requests(&self) -> anyhow::Result<Vec<JournalEntry>> {
        let v = self.call(reqwest::Method::GET, "/requests", None).await?;
        Ok(serde_json::from_value(
            v.get("requests").cloned().unwrap_or(Value::Null),
        )?)
    }

    /// `DELETE /requests`.
    pub async fn clear_requests(&self) -> anyhow::Result<()> {
        self.call(reqwest::Method::DELETE, "/requests", None)
            .await
            .map(drop)
    }

    /// `GET /state`.
    pub async fn state(&self) -> anyhow::Result<Value> {
        self.call(reqwest::Method::GET, "/state", None).await
    }

    /// `PUT /state`.
    pub async fn put_state(&self, world: Value) -> anyhow::Result<()> {
        self.call(reqwest::Method::PUT, "/state", Some(world))
            .await
            .map(drop)
    }

    /// Sets the tenant cap of MSP `workspace_id` through `GET`/`PUT /state`.
    pub async fn set_tenant_cap(&self, workspace_id: &str, cap: usize) -> anyhow::Result<()> {
        let mut world = self.state().await?;
        let msps = world
            .get_mut("msps")
            .and_then(Value::as_array_mut)
            .context("state has no msps array")?;
        let msp = msps
            .iter_mut()
            .find(|m| m.get("workspace_id").and_then(Value::as_str) == Some(workspace_id))
            .with_context(|| format!("state has no MSP {workspace_id}"))?;
        msp["tenant_cap"] = json!(cap);
        self.put_state(world).await
    }
}

fn parse_clock(v: &Value) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    let now = v
        .get("now")
        .and_then(Value::as_str)
        .context("clock document has no `now`")?;
    Ok(chrono::DateTime::parse_from_rfc3339(now)?.with_timezone(&chrono::Utc))
}

/// One entry of the mock's request journal.
#[derive(Clone, Debug, Deserialize)]
pub struct JournalEntry {
    /// HTTP method.
    pub method: String,
    /// Path (no query).
    pub path: String,
    /// Raw query.
    #[serde(default)]
    pub query: Option<String>,
    /// Response status.
    pub status: u16,
    /// Server-clock arrival time.
    pub time: chrono::DateTime<chrono::Utc>,
}

/// The client's clock, kept in step with the server's: local time plus the offset last read
/// from `GET /__admin/clock`. The client's token cache reads it, so moving the server clock
/// moves the client's notion of expiry too (as it would on a real deployment where both
/// clocks follow wall time).
#[derive(Debug, Default)]
pub struct ServerClock {
    offset_ms: AtomicI64,
}

impl ServerClock {
    /// A clock with no offset.
    pub fn new() -> Arc<ServerClock> {
        Arc::new(ServerClock::default())
    }

    /// Sets the offset so that `now()` reads `server_now` at this instant.
    pub fn sync_to(&self, server_now: chrono::DateTime<chrono::Utc>) {
        let local = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
        self.offset_ms
            .store((server_now - local).num_milliseconds(), Ordering::SeqCst);
    }
}

impl TimeSource for ServerClock {
    fn now(&self) -> SystemTime {
        let off = self.offset_ms.load(Ordering::SeqCst);
        let now = SystemTime::now();
        if off >= 0 {
            now + Duration::from_millis(off.unsigned_abs())
        } else {
            now - Duration::from_millis(off.unsigned_abs())
        }
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}
