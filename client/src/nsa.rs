//! Ivanti nSA MSP portal: the DSID form login, a session that re-logs in once on a 401, and the
//! hand-written calls the generator cannot express.
//!
//! Login flow: `GET /login/msp` sets a `DSSIGNIN` cookie; `POST /dana-na/auth/{DSSIGNIN}/login.cgi`
//! with form `username`, `password`, `realm` sets the `DSID` cookie every API call carries.
//!
//! Environment variables for [`NsaCredentials::from_env`]: `NSA_BASE_URL`, `NSA_USERNAME`,
//! `NSA_PASSWORD`, `NSA_REALM` (optional, default [`DEFAULT_REALM`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{COOKIE, HeaderMap, SET_COOKIE};
use tracing::{Instrument, info_span};

use crate::auth::token::{Fetch, IssuedToken, Scheme, TokenAuthorizer, TokenCell};
use crate::auth::{Secret, SessionOptions};
use crate::error::{Error, Result, truncate};
use crate::hooks::Context;

/// Realm used when none is given.
pub const DEFAULT_REALM: &str = "Admin Users";

/// An nSA admin session ends after 60 minutes at most; the DSID is renewed a skew before that.
pub const DSID_LIFETIME: Duration = Duration::from_secs(3600);

/// Credentials of an nSA MSP portal administrator. `Debug` hides the password.
#[derive(Clone, Debug)]
pub struct NsaCredentials {
    base_url: String,
    username: String,
    password: Secret,
    realm: String,
}

impl NsaCredentials {
    /// Credentials for the portal at `base_url` (scheme, host and port are kept), in the
    /// [`DEFAULT_REALM`].
    ///
    /// ```
    /// use msp_client::NsaCredentials;
    ///
    /// let url = "https://msp.example.com/login/msp";
    /// let creds = NsaCredentials::new(url, "admin@example.com", "pa55word")?;
    /// assert_eq!(creds.base_url(), "https://msp.example.com");
    /// assert!(NsaCredentials::new("https://msp.example.com", "admin@example.com", "").is_err());
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn new(
        base_url: &str,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Result<Self> {
        let c = Self {
            base_url: crate::auth::normalise_base_url("nsa base_url", base_url)?,
            username: username.into(),
            password: password.into(),
            realm: DEFAULT_REALM.to_string(),
        };
        if c.username.trim().is_empty() || c.password.is_empty() {
            return Err(Error::Config(
                "nSA credentials: username and password are required".into(),
            ));
        }
        Ok(c)
    }

    /// Sets the sign-in realm.
    ///
    /// ```
    /// # use msp_client::NsaCredentials;
    /// let creds = NsaCredentials::new("https://msp.example.com", "admin@example.com", "pa55word")?
    ///     .with_realm("Operators");
    /// assert_eq!(creds.realm(), "Operators");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn with_realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// Reads `NSA_BASE_URL`, `NSA_USERNAME`, `NSA_PASSWORD` and optional `NSA_REALM`.
    ///
    /// ```no_run
    /// # use msp_client::NsaCredentials;
    /// let creds = NsaCredentials::from_env()?;
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::from_env_with(|k| std::env::var(k).ok())
    }

    /// Like [`NsaCredentials::from_env`], reading variables through `lookup`.
    ///
    /// ```
    /// # use msp_client::NsaCredentials;
    /// let vars = std::collections::HashMap::from([
    ///     ("NSA_BASE_URL", "https://msp.example.com"),
    ///     ("NSA_USERNAME", "admin@example.com"),
    ///     ("NSA_PASSWORD", "pa55word"),
    /// ]);
    /// let creds = NsaCredentials::from_env_with(|name| vars.get(name).map(|v| v.to_string()))?;
    /// assert_eq!(creds.realm(), "Admin Users"); // NSA_REALM unset: the default
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let req = |k: &str| {
            get(k).ok_or_else(|| Error::Config(format!("environment variable {k} is not set")))
        };
        let c = Self::new(
            &req("NSA_BASE_URL")?,
            req("NSA_USERNAME")?,
            req("NSA_PASSWORD")?,
        )?;
        Ok(match get("NSA_REALM") {
            Some(r) => c.with_realm(r),
            None => c,
        })
    }

    /// Portal base URL.
    ///
    /// ```
    /// # use msp_client::NsaCredentials;
    /// let creds = NsaCredentials::new("msp.example.com", "admin@example.com", "pa55word")?;
    /// assert_eq!(creds.base_url(), "https://msp.example.com");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Administrator user name.
    ///
    /// ```
    /// # use msp_client::NsaCredentials;
    /// let url = "https://msp.example.com";
    /// let creds = NsaCredentials::new(url, "admin@example.com", "pa55word")?;
    /// assert_eq!(creds.username(), "admin@example.com");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Sign-in realm.
    ///
    /// ```
    /// # use msp_client::{NsaCredentials, nsa::DEFAULT_REALM};
    /// let url = "https://msp.example.com";
    /// let creds = NsaCredentials::new(url, "admin@example.com", "pa55word")?;
    /// assert_eq!(creds.realm(), DEFAULT_REALM);
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn realm(&self) -> &str {
        &self.realm
    }
}

struct NsaInner {
    creds: NsaCredentials,
    options: SessionOptions,
    http: reqwest::Client,
    dsid: Arc<TokenCell>,
}

/// A logged-in nSA MSP portal session. Cheap to clone.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use msp_client::{NsaCredentials, NsaSession};
///
/// # async fn demo() -> msp_client::Result<()> {
/// let nsa = NsaSession::login(NsaCredentials::from_env()?).await?;
/// let tenants: Vec<_> = nsa.tenants().try_collect().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct NsaSession {
    inner: Arc<NsaInner>,
}

impl fmt::Debug for NsaSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NsaSession")
            .field("credentials", &self.inner.creds)
            .field("dsid", &self.inner.dsid)
            .finish_non_exhaustive()
    }
}

/// A report that could not be deleted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ReportRef {
    /// Report id.
    pub id: String,
    /// Report file name, when the portal gives it.
    #[serde(default)]
    pub file_name: Option<String>,
}

/// What `DELETE /api/msp/reports/usage` answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeleteReportsOutcome {
    /// 204: every report went.
    AllDeleted,
    /// 200: some reports could not be deleted.
    Partial {
        /// The portal's message.
        message: String,
        /// The total the portal reports.
        total: u64,
        /// The reports that were not deleted.
        failed: Vec<ReportRef>,
    },
}

#[derive(serde::Deserialize)]
struct PartialBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    total: u64,
    #[serde(default)]
    error: Vec<ReportRef>,
}

impl NsaSession {
    /// Logs in with default options: performs the form login now, so a bad password fails here.
    ///
    /// ```no_run
    /// use msp_client::{NsaCredentials, NsaSession};
    ///
    /// # async fn demo() -> msp_client::Result<()> {
    /// let url = "https://msp.example.com";
    /// let creds = NsaCredentials::new(url, "admin@example.com", "pa55word")?;
    /// let nsa = NsaSession::login(creds).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn login(credentials: NsaCredentials) -> Result<Self> {
        Self::login_with(credentials, SessionOptions::default()).await
    }

    /// Logs in with explicit options (clock, timeouts, retry policy).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use msp_client::{NsaCredentials, NsaSession, SessionOptions};
    ///
    /// # async fn demo() -> msp_client::Result<()> {
    /// let options = SessionOptions::default().with_timeout(Duration::from_secs(10));
    /// let nsa = NsaSession::login_with(NsaCredentials::from_env()?, options).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn login_with(credentials: NsaCredentials, options: SessionOptions) -> Result<Self> {
        // Login answers may redirect; their Set-Cookie must be read, not followed away.
        let http = match &options.http {
            Some(h) => h.clone(),
            None => reqwest::Client::builder()
                .timeout(options.timeout)
                .connect_timeout(options.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Config(format!("building the HTTP client: {e}")))?,
        };
        let fetch_http = http.clone();
        let fetch_creds = credentials.clone();
        let timeout = options.timeout;
        let fetch: Fetch = Box::new(move || {
            let http = fetch_http.clone();
            let creds = fetch_creds.clone();
            Box::pin(async move { form_login(&http, &creds, timeout).await })
        });
        let dsid = Arc::new(TokenCell::new(
            format!("nsa:{}", credentials.username),
            fetch,
            options.clock.clone(),
            options.refresh_skew,
        ));
        dsid.get().await?;
        Ok(Self {
            inner: Arc::new(NsaInner {
                creds: credentials,
                options,
                http,
                dsid,
            }),
        })
    }

    /// The context that attaches `Cookie: DSID=...` to generated nSA calls.
    ///
    /// [`NsaSession::client`] uses it; build a client yourself only to point it elsewhere:
    /// ```no_run
    /// use msp_client::generated::nsa_msp;
    ///
    /// # async fn demo(nsa: msp_client::NsaSession) -> msp_client::Result<()> {
    /// let client = nsa_msp::Client::new_with_client(
    ///     nsa.credentials().base_url(),
    ///     nsa.http().clone(),
    ///     nsa.context(),
    /// );
    /// let first_page = client.list_tenants().limit(10u64).send().await;
    /// # let _ = first_page;
    /// # Ok(())
    /// # }
    /// ```
    pub fn context(&self) -> Context {
        Context::default()
            .with_authorizer(Arc::new(TokenAuthorizer {
                cell: self.inner.dsid.clone(),
                scheme: Scheme::Cookie("DSID"),
            }))
            .with_retry(self.inner.options.effective_retry())
            .with_clock(self.inner.options.clock.clone())
    }

    /// The session's HTTP client (it does not follow redirects, and holds no cookies).
    ///
    /// A hand-written call, with the session cookie and retries like a generated one:
    /// ```no_run
    /// # async fn demo(nsa: msp_client::NsaSession) -> Result<(), Box<dyn std::error::Error>> {
    /// let url = format!("{}/api/msp/tenants", nsa.credentials().base_url());
    /// let request = nsa.http().get(url).build()?;
    /// let response = nsa.context().send(nsa.http(), request, "listTenants").await?;
    /// # let _ = response;
    /// # Ok(())
    /// # }
    /// ```
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The credentials this session logged in with.
    ///
    /// ```no_run
    /// # async fn demo(nsa: msp_client::NsaSession) -> msp_client::Result<()> {
    /// println!("logged in as {}", nsa.credentials().username());
    /// # Ok(())
    /// # }
    /// ```
    pub fn credentials(&self) -> &NsaCredentials {
        &self.inner.creds
    }

    /// How many form logins this session has performed (1 after login).
    ///
    /// ```no_run
    /// # async fn demo(nsa: msp_client::NsaSession) -> msp_client::Result<()> {
    /// assert_eq!(nsa.login_count(), 1); // fresh session: only the first login
    /// # Ok(())
    /// # }
    /// ```
    pub fn login_count(&self) -> u64 {
        self.inner.dsid.fetch_count()
    }

    /// Deletes usage reports: `DELETE /api/msp/reports/usage?report_ids=a&report_ids=b`.
    ///
    /// Hand-written because the portal answers 204 when every report went and 200 with the
    /// failures otherwise, which the generator cannot map to one type.
    ///
    /// ```no_run
    /// use msp_client::DeleteReportsOutcome;
    ///
    /// # async fn demo(nsa: msp_client::NsaSession) -> msp_client::Result<()> {
    /// match nsa.delete_usage_reports(&["report-1", "report-2"]).await? {
    ///     DeleteReportsOutcome::AllDeleted => println!("all gone"),
    ///     DeleteReportsOutcome::Partial { message, failed, .. } => {
    ///         println!("{message}: {} left", failed.len())
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete_usage_reports<S: AsRef<str>>(
        &self,
        report_ids: &[S],
    ) -> Result<DeleteReportsOutcome> {
        let call = "deleteUsageReports";
        if report_ids.is_empty() {
            return Err(Error::InvalidInput(
                "report_ids: give at least one id".into(),
            ));
        }
        if let Some(bad) = report_ids.iter().find(|id| id.as_ref().trim().is_empty()) {
            return Err(Error::InvalidInput(format!(
                "report_ids: {:?} is not a report id",
                bad.as_ref()
            )));
        }
        let query: Vec<(&str, &str)> = report_ids
            .iter()
            .map(|id| ("report_ids", id.as_ref()))
            .collect();
        let request = self
            .http()
            .delete(format!(
                "{}/api/msp/reports/usage",
                self.inner.creds.base_url
            ))
            .query(&query)
            .header(reqwest::header::ACCEPT, "application/json")
            .build()
            .map_err(|source| Error::Transport {
                call: call.into(),
                source,
            })?;
        let response = self.context().send(self.http(), request, call).await?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(|source| Error::Transport {
            call: call.into(),
            source,
        })?;
        match status {
            204 => Ok(DeleteReportsOutcome::AllDeleted),
            200 => {
                let p: PartialBody = serde_json::from_str(&body).map_err(|e| Error::Decode {
                    call: call.into(),
                    detail: e.to_string(),
                })?;
                Ok(DeleteReportsOutcome::Partial {
                    message: p.message,
                    total: p.total,
                    failed: p.error,
                })
            }
            _ => Err(Error::Api {
                call: call.into(),
                status,
                body: truncate(&body),
            }),
        }
    }
}

/// Finds a cookie's value in a response's `Set-Cookie` headers.
fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

/// The DSID form login. Not retried on failure statuses: a wrong password must not be repeated.
async fn form_login(
    http: &reqwest::Client,
    creds: &NsaCredentials,
    timeout: Duration,
) -> Result<IssuedToken> {
    let span = info_span!("nsa_login", user = %creds.username, realm = %creds.realm);
    async move {
        let transport = |call: &str| {
            let call = call.to_string();
            move |source| Error::Transport { call, source }
        };
        let start = http
            .get(format!("{}/login/msp", creds.base_url))
            .timeout(timeout)
            .send()
            .await
            .map_err(transport("nSA login page"))?;
        let signin = set_cookie(start.headers(), "DSSIGNIN").ok_or_else(|| {
            Error::Login(format!(
                "GET /login/msp answered {} without a DSSIGNIN cookie",
                start.status()
            ))
        })?;
        if !signin
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
        {
            return Err(Error::Login(
                "DSSIGNIN cookie holds characters that cannot be a path segment".into(),
            ));
        }
        let form = [
            ("username", creds.username.as_str()),
            ("password", creds.password.expose()),
            ("realm", creds.realm.as_str()),
        ];
        let answer = http
            .post(format!(
                "{}/dana-na/auth/{signin}/login.cgi",
                creds.base_url
            ))
            .header(COOKIE, format!("DSSIGNIN={signin}"))
            .form(&form)
            .timeout(timeout)
            .send()
            .await
            .map_err(transport("nSA login.cgi"))?;
        let status = answer.status();
        match set_cookie(answer.headers(), "DSID") {
            Some(dsid) if status.is_success() || status.is_redirection() => Ok(IssuedToken {
                access: Secret::new(dsid),
                expires_in: Some(DSID_LIFETIME),
            }),
            _ => {
                let body = answer.text().await.unwrap_or_default();
                Err(Error::Login(format!(
                    "login.cgi answered {status} without a DSID cookie: {}",
                    truncate(&body)
                )))
            }
        }
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn set_cookie_finds_the_named_cookie() {
        let mut h = HeaderMap::new();
        h.append(SET_COOKIE, HeaderValue::from_static("other=1; Path=/"));
        h.append(
            SET_COOKIE,
            HeaderValue::from_static("DSID=abc123; Path=/; Secure; HttpOnly"),
        );
        assert_eq!(set_cookie(&h, "DSID").as_deref(), Some("abc123"));
        assert_eq!(set_cookie(&h, "DSSIGNIN"), None);
    }

    #[test]
    fn credentials_debug_hides_password() {
        let c = NsaCredentials::new("http://127.0.0.1:1", "admin", "pa55word-xyz").unwrap();
        assert!(!format!("{c:?}").contains("pa55word-xyz"));
        assert!(NsaCredentials::new("http://127.0.0.1:1", "", "x").is_err());
    }
}
