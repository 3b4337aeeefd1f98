//! A RUCKUS One Application Token as the generated clients' [`Authorizer`]: a bearer token from
//! `POST /oauth2/token/{tenantId}` (client credentials, form body), cached until shortly before
//! it expires on the suite's clock and fetched again after a 401.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use msp_client::TimeSource;
use msp_client::hooks::Authorizer;
use serde_json::Value;

use crate::target::RuckusCredential;

/// The cached token and when it stops being used.
type Cached = Option<(String, SystemTime)>;

/// One MSP's bearer token for the generated RUCKUS clients.
pub struct RuckusToken {
    url: String,
    form: [(&'static str, String); 3],
    http: reqwest::Client,
    clock: Arc<dyn TimeSource>,
    skew: Duration,
    cached: Mutex<Cached>,
    fetches: AtomicU64,
}

impl std::fmt::Debug for RuckusToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuckusToken")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl RuckusToken {
    /// A token source for `creds` at `base`, timed by `clock`, renewed `skew` before expiry.
    pub fn new(
        base: &str,
        creds: &RuckusCredential,
        http: reqwest::Client,
        clock: Arc<dyn TimeSource>,
        skew: Duration,
    ) -> RuckusToken {
        RuckusToken {
            url: format!("{base}/oauth2/token/{}", creds.tenant_id),
            form: [
                ("grant_type", "client_credentials".to_string()),
                ("client_id", creds.client_id.clone()),
                ("client_secret", creds.client_secret.clone()),
            ],
            http,
            clock,
            skew,
            cached: Mutex::new(None),
            fetches: AtomicU64::new(0),
        }
    }

    /// Starts the cache with a token fetched elsewhere (`expires_in` seconds from now).
    pub fn seed(&self, token: String, expires_in: u64) {
        let until = self.until(expires_in);
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some((token, until));
    }

    /// How many tokens this source fetched itself (each one is a call on the MSP's bucket).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::SeqCst)
    }

    fn until(&self, expires_in: u64) -> SystemTime {
        let life = Duration::from_secs(expires_in).saturating_sub(self.skew);
        self.clock.now() + life
    }

    fn current(&self) -> Option<String> {
        let now = self.clock.now();
        self.cached
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(t, _)| t.clone())
    }

    async fn fetch(&self) -> msp_client::Result<String> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let bad = |what: String| msp_client::Error::InvalidInput(format!("RUCKUS token: {what}"));
        let resp = self
            .http
            .post(&self.url)
            .form(&self.form)
            .send()
            .await
            .map_err(|e| bad(e.to_string()))?;
        let status = resp.status();
        let body: Value = resp.json().await.map_err(|e| bad(e.to_string()))?;
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|_| status.is_success())
            .ok_or_else(|| bad(format!("{status}: {body}")))?
            .to_string();
        let expires_in = body
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(3600);
        self.seed(token.clone(), expires_in);
        Ok(token)
    }
}

fn stamp(request: &mut reqwest::Request, token: &str) -> msp_client::Result<()> {
    let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|e| msp_client::Error::InvalidInput(format!("RUCKUS token: {e}")))?;
    request
        .headers_mut()
        .insert(reqwest::header::AUTHORIZATION, value);
    Ok(())
}

impl Authorizer for RuckusToken {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, msp_client::Result<()>> {
        Box::pin(async move {
            let token = match self.current() {
                Some(t) => t,
                None => self.fetch().await?,
            };
            stamp(request, &token)
        })
    }

    fn renew<'a>(
        &'a self,
        rejected: &'a reqwest::Request,
    ) -> BoxFuture<'a, msp_client::Result<()>> {
        Box::pin(async move {
            let sent = rejected
                .headers()
                .get(reqwest::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim_start_matches("Bearer ").to_string());
            // Renewed meanwhile by another request: nothing to do.
            if sent.is_some() && sent == self.current() {
                *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
            if self.current().is_none() {
                self.fetch().await?;
            }
            Ok(())
        })
    }
}
