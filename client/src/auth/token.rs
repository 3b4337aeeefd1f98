//! Token calls (client credentials, RFC 8693 exchange), the refreshing token cache, and the
//! authoriser that puts a cached token (or session cookie) on requests.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use reqwest::header::{AUTHORIZATION, COOKIE, HeaderValue};
use tracing::{Instrument, debug, info_span, warn};

use crate::auth::{Secret, TimeSource};
use crate::error::{Error, Result, truncate};
use crate::hooks::Authorizer;
use crate::retry::{self, RetryPolicy};

/// Lifetime assumed when a token response has no `expires_in` (GreenLake tokens live 15 min).
pub(crate) const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(900);

/// `grant_type` of an RFC 8693 token exchange.
pub(crate) const GRANT_TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// `subject_token_type` for an access token.
pub(crate) const TOKEN_TYPE_ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";

/// A token as issued.
pub(crate) struct IssuedToken {
    pub(crate) access: Secret,
    pub(crate) expires_in: Option<Duration>,
}

/// What token calls need: an HTTP client, the retry policy and the clock.
#[derive(Clone, Debug)]
pub(crate) struct TokenHttp {
    pub(crate) http: reqwest::Client,
    pub(crate) retry: RetryPolicy,
    pub(crate) clock: Arc<dyn TimeSource>,
    pub(crate) timeout: Duration,
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct OAuthError {
    error: Option<String>,
    error_description: Option<String>,
}

/// The URL of the workspace-scoped token endpoint.
pub(crate) fn token_url(sso_base: &str, workspace: &str) -> String {
    format!(
        "{}/authorization/v2/oauth2/{}/token",
        sso_base.trim_end_matches('/'),
        workspace
    )
}

/// POSTs a token form and checks the answer: success status, JSON with a non-empty
/// `access_token`. Transient failures are retried under `th.retry`.
pub(crate) async fn post_token(
    th: &TokenHttp,
    url: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &Secret)>,
    call: &str,
) -> Result<IssuedToken> {
    let mut builder = th.http.post(url).form(form).timeout(th.timeout);
    if let Some((id, secret)) = basic {
        builder = builder.basic_auth(id, Some(secret.expose()));
    }
    let request = builder.build().map_err(|source| Error::Transport {
        call: call.to_string(),
        source,
    })?;
    let token_error =
        |status: Option<u16>, error: Option<String>, description: Option<String>, body: String| {
            Error::Token {
                call: call.to_string(),
                status,
                error,
                description,
                body,
            }
        };
    // Token calls never carry an authoriser: a 401 here is an answer, not a stale credential.
    // Minting a token has no side effect worth protecting: 502/503/504 are retried too.
    let response = retry::execute(
        &th.http,
        request,
        &th.retry,
        th.clock.as_ref(),
        None,
        call,
        true,
    )
    .await
    .map_err(|source| Error::Transport {
        call: call.to_string(),
        source,
    })?;
    let status = response.status();
    let body = response.text().await.map_err(|source| Error::Transport {
        call: call.to_string(),
        source,
    })?;
    if !status.is_success() {
        let parsed: Option<OAuthError> = serde_json::from_str(&body).ok();
        let (error, description) = parsed
            .map(|p| (p.error, p.error_description))
            .unwrap_or((None, None));
        return Err(token_error(
            Some(status.as_u16()),
            error,
            description,
            truncate(&body),
        ));
    }
    let parsed: TokenResponse = serde_json::from_str(&body).map_err(|e| {
        token_error(
            Some(status.as_u16()),
            None,
            Some(format!("response is not a token JSON object: {e}")),
            String::new(),
        )
    })?;
    let access = parsed
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            token_error(
                Some(status.as_u16()),
                None,
                Some("response has no access_token".into()),
                String::new(),
            )
        })?;
    let expires_in = parsed.expires_in.and_then(|v| match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    });
    let expires_in = expires_in
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64);
    Ok(IssuedToken {
        access: Secret::new(access),
        expires_in,
    })
}

/// Gets an MSP token with client credentials (HTTP Basic).
pub(crate) async fn client_credentials(
    th: &TokenHttp,
    sso_base: &str,
    workspace_id: &str,
    client_id: &str,
    client_secret: &Secret,
) -> Result<IssuedToken> {
    let url = token_url(sso_base, workspace_id);
    let call = format!("client-credentials token for workspace {workspace_id}");
    let span = info_span!(
        "token_fetch",
        grant = "client_credentials",
        workspace = workspace_id
    );
    post_token(
        th,
        &url,
        &[("grant_type", "client_credentials")],
        Some((client_id, client_secret)),
        &call,
    )
    .instrument(span)
    .await
}

/// Exchanges the MSP access token for a tenant token (RFC 8693); `tenant_hex` is the tenant
/// workspace id as 32 hex characters.
pub(crate) async fn exchange(
    th: &TokenHttp,
    sso_base: &str,
    tenant_hex: &str,
    subject: &Secret,
) -> Result<IssuedToken> {
    let url = token_url(sso_base, tenant_hex);
    let call = format!("token exchange for tenant {tenant_hex}");
    let span = info_span!("token_exchange", tenant = tenant_hex);
    post_token(
        th,
        &url,
        &[
            ("grant_type", GRANT_TOKEN_EXCHANGE),
            ("subject_token", subject.expose()),
            ("subject_token_type", TOKEN_TYPE_ACCESS),
        ],
        None,
        &call,
    )
    .instrument(span)
    .await
}

/// Whether a failed exchange means the subject (MSP) token was not accepted, so renewing the
/// MSP token may help.
pub(crate) fn exchange_refused(err: &Error) -> bool {
    match err {
        Error::Token { status, error, .. } => {
            *status == Some(401)
                || (*status == Some(400)
                    && matches!(
                        error.as_deref(),
                        Some(
                            "invalid_grant" | "invalid_token" | "token_expired" | "invalid_client"
                        )
                    ))
        }
        _ => false,
    }
}

/// Fetches a fresh token.
pub(crate) type Fetch = Box<dyn Fn() -> BoxFuture<'static, Result<IssuedToken>> + Send + Sync>;

struct Cached {
    token: Secret,
    refresh_at: SystemTime,
}

/// A token that refreshes itself ahead of expiry, with at most one fetch in flight.
pub(crate) struct TokenCell {
    label: String,
    state: Mutex<Option<Cached>>,
    refresh: tokio::sync::Mutex<()>,
    fetch: Fetch,
    clock: Arc<dyn TimeSource>,
    skew: Duration,
    fetches: AtomicU64,
}

impl fmt::Debug for TokenCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCell")
            .field("label", &self.label)
            .field("fetches", &self.fetches.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl TokenCell {
    /// A cell that fetches with `fetch` and refreshes `skew` before expiry.
    pub(crate) fn new(
        label: impl Into<String>,
        fetch: Fetch,
        clock: Arc<dyn TimeSource>,
        skew: Duration,
    ) -> Self {
        Self {
            label: label.into(),
            state: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            fetch,
            clock,
            skew,
            fetches: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        // The guarded data is replaced whole, so a poisoned lock still holds a consistent value.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fresh(&self) -> Option<Secret> {
        let now = self.clock.now();
        self.lock()
            .as_ref()
            .filter(|c| now < c.refresh_at)
            .map(|c| c.token.clone())
    }

    /// Stores a freshly issued token and returns it.
    pub(crate) fn store(&self, issued: IssuedToken) -> Secret {
        let lifetime = issued.expires_in.unwrap_or(DEFAULT_TOKEN_LIFETIME);
        // Refresh `skew` early, but never earlier than half-way through a short-lived token.
        let early = self.skew.min(lifetime / 2);
        let refresh_at = self.clock.now() + (lifetime - early);
        let token = issued.access;
        *self.lock() = Some(Cached {
            token: token.clone(),
            refresh_at,
        });
        token
    }

    /// The current token, fetching a new one when there is none or it is due for refresh.
    /// Concurrent callers share one fetch.
    pub(crate) async fn get(&self) -> Result<Secret> {
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let _single_flight = self.refresh.lock().await;
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        debug!(token = %self.label, "fetching token");
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let issued = (self.fetch)().await?;
        Ok(self.store(issued))
    }

    /// Forgets the cached token if it is still `rejected`; returns whether it was.
    pub(crate) fn invalidate_if(&self, rejected: &str) -> bool {
        let mut state = self.lock();
        if state.as_ref().is_some_and(|c| c.token.expose() == rejected) {
            *state = None;
            true
        } else {
            false
        }
    }

    /// How many fetches this cell has started.
    pub(crate) fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}

/// How a token is put on a request.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scheme {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Cookie: <name>=<token>`.
    Cookie(&'static str),
}

/// An [`Authorizer`] backed by a [`TokenCell`].
#[derive(Debug)]
pub(crate) struct TokenAuthorizer {
    pub(crate) cell: Arc<TokenCell>,
    pub(crate) scheme: Scheme,
}

impl TokenAuthorizer {
    fn header_for(&self, token: &Secret) -> Result<HeaderValue> {
        let text = match self.scheme {
            Scheme::Bearer => format!("Bearer {}", token.expose()),
            Scheme::Cookie(name) => format!("{name}={}", token.expose()),
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| Error::Decode {
            call: self.cell.label.clone(),
            detail: "credential contains characters not allowed in an HTTP header".into(),
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    fn credential_in<'r>(&self, request: &'r reqwest::Request) -> Option<&'r str> {
        match self.scheme {
            Scheme::Bearer => request
                .headers()
                .get(AUTHORIZATION)?
                .to_str()
                .ok()?
                .strip_prefix("Bearer "),
            Scheme::Cookie(name) => request
                .headers()
                .get(COOKIE)?
                .to_str()
                .ok()?
                .split(';')
                .filter_map(|kv| kv.trim().split_once('='))
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v),
        }
    }
}

impl Authorizer for TokenAuthorizer {
    fn authorize<'a>(&'a self, request: &'a mut reqwest::Request) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let token = self.cell.get().await?;
            let value = self.header_for(&token)?;
            let name = match self.scheme {
                Scheme::Bearer => AUTHORIZATION,
                Scheme::Cookie(_) => COOKIE,
            };
            request.headers_mut().insert(name, value);
            Ok(())
        })
    }

    fn renew<'a>(&'a self, rejected: &'a reqwest::Request) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            match self.credential_in(rejected) {
                Some(used) if self.cell.invalidate_if(used) => {
                    warn!(token = %self.cell.label, "credential rejected with 401; renewing");
                }
                Some(_) => debug!(token = %self.cell.label, "credential already renewed"),
                None => debug!(token = %self.cell.label, "rejected request carried no credential"),
            }
            self.cell.get().await.map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::ManualClock;
    use std::sync::atomic::AtomicUsize;

    fn counting_cell(clock: Arc<ManualClock>, lifetime: u64) -> (Arc<TokenCell>, Arc<AtomicUsize>) {
        let n = Arc::new(AtomicUsize::new(0));
        let n2 = n.clone();
        let fetch: Fetch = Box::new(move || {
            let n = n2.clone();
            Box::pin(async move {
                let i = n.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                Ok(IssuedToken {
                    access: Secret::new(format!("tok-{i}")),
                    expires_in: Some(Duration::from_secs(lifetime)),
                })
            })
        });
        (
            Arc::new(TokenCell::new(
                "test",
                fetch,
                clock,
                Duration::from_secs(60),
            )),
            n,
        )
    }

    #[tokio::test]
    async fn refreshes_skew_before_expiry_not_after() {
        let clock = ManualClock::starting_2026();
        let (cell, n) = counting_cell(clock.clone(), 900);
        assert_eq!(cell.get().await.unwrap().expose(), "tok-0");
        clock.advance(Duration::from_secs(839));
        assert_eq!(cell.get().await.unwrap().expose(), "tok-0");
        clock.advance(Duration::from_secs(1));
        assert_eq!(cell.get().await.unwrap().expose(), "tok-1");
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn short_tokens_refresh_half_way() {
        let clock = ManualClock::starting_2026();
        let (cell, _) = counting_cell(clock.clone(), 30);
        cell.get().await.unwrap();
        clock.advance(Duration::from_secs(14));
        assert_eq!(cell.get().await.unwrap().expose(), "tok-0");
        clock.advance(Duration::from_secs(1));
        assert_eq!(cell.get().await.unwrap().expose(), "tok-1");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_gets_share_one_fetch() {
        let clock = ManualClock::starting_2026();
        let (cell, n) = counting_cell(clock, 900);
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let c = cell.clone();
                tokio::spawn(async move { c.get().await.unwrap().expose().to_string() })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), "tok-0");
        }
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidate_only_drops_the_rejected_token() {
        let clock = ManualClock::starting_2026();
        let (cell, n) = counting_cell(clock, 900);
        cell.get().await.unwrap();
        assert!(!cell.invalidate_if("someone-else"));
        assert!(cell.invalidate_if("tok-0"));
        assert!(!cell.invalidate_if("tok-0"));
        assert_eq!(cell.get().await.unwrap().expose(), "tok-1");
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn refusal_detection() {
        let e = |status, error: Option<&str>| Error::Token {
            call: "x".into(),
            status,
            error: error.map(String::from),
            description: None,
            body: String::new(),
        };
        assert!(exchange_refused(&e(Some(401), None)));
        assert!(exchange_refused(&e(Some(400), Some("invalid_grant"))));
        assert!(!exchange_refused(&e(Some(400), Some("invalid_request"))));
        assert!(!exchange_refused(&e(Some(403), Some("access_denied"))));
        assert!(!exchange_refused(&e(None, None)));
    }
}
