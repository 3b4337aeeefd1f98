//! The RUCKUS One MSP credential: tenant id, API client id and secret, API and token hosts.

use std::time::Duration;

use crate::auth::{Secret, normalise_base_url};
use crate::error::{Error, Result};
use crate::ruckus::session::normalise_tenant_id;

/// RUCKUS One's regions and their API hosts (the token endpoint is served there too).
pub const REGIONS: &[(&str, &str)] = &[
    ("na", "https://api.ruckus.cloud"),
    ("eu", "https://api.eu.ruckus.cloud"),
    ("asia", "https://api.asia.ruckus.cloud"),
];

/// Token lifetime assumed when the token answer has no `expires_in` (RUCKUS issues 1-hour JWTs).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The API host of a region (`na`, `eu`, `asia`; any case).
///
/// ```
/// use msp_client::ruckus::region_base_url;
///
/// assert_eq!(region_base_url("EU")?, "https://api.eu.ruckus.cloud");
/// assert!(region_base_url("mars").is_err());
/// # Ok::<(), msp_client::Error>(())
/// ```
pub fn region_base_url(region: &str) -> Result<&'static str> {
    let wanted = region.trim().to_ascii_lowercase();
    REGIONS
        .iter()
        .find(|(name, _)| *name == wanted)
        .map(|(_, url)| *url)
        .ok_or_else(|| {
            let known: Vec<&str> = REGIONS.iter().map(|(n, _)| *n).collect();
            Error::Config(format!(
                "RUCKUS region {region:?} is not one of {}",
                known.join(", ")
            ))
        })
}

/// An MSP's RUCKUS One API client: its tenant id, client id and secret, and the hosts to call.
/// `Debug` hides the secret.
///
/// ```
/// use msp_client::ruckus::RuckusCredentials;
///
/// let creds = RuckusCredentials::new("9B1D4E7A-2C5F-48E3-B6A0-D9C8F7E6A5B4", "my-client", "s3cret")?
///     .with_base_url("http://127.0.0.1:8080")?;
/// assert_eq!(creds.tenant_id(), "9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4");
/// assert_eq!(creds.token_url(), "http://127.0.0.1:8080/oauth2/token/9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4");
/// assert!(!format!("{creds:?}").contains("s3cret"));
/// # Ok::<(), msp_client::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RuckusCredentials {
    tenant_id: String,
    client_id: String,
    client_secret: Secret,
    base_url: String,
    token_base_url: String,
}

impl RuckusCredentials {
    /// Credentials for the North American region; the tenant id may carry dashes, any case.
    ///
    /// ```
    /// use msp_client::ruckus::RuckusCredentials;
    ///
    /// let creds = RuckusCredentials::new("9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4", "id", "secret")?;
    /// assert_eq!(creds.base_url(), "https://api.ruckus.cloud");
    /// assert!(RuckusCredentials::new("not-a-tenant", "id", "secret").is_err());
    /// assert!(RuckusCredentials::new("9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4", "id", "").is_err());
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn new(
        tenant_id: &str,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Result<Self> {
        let tenant_id = normalise_tenant_id(tenant_id)
            .map_err(|e| Error::Config(format!("RUCKUS credentials: {e}")))?;
        let client_id = client_id.into();
        let client_secret = client_secret.into();
        if client_id.trim().is_empty() || client_secret.is_empty() {
            return Err(Error::Config(
                "RUCKUS credentials: client_id and client_secret are required".into(),
            ));
        }
        let na = REGIONS[0].1.to_string();
        Ok(Self {
            tenant_id,
            client_id,
            client_secret,
            base_url: na.clone(),
            token_base_url: na,
        })
    }

    /// Calls `base_url` for the API and the token (a mock, a proxy, another region's host).
    ///
    /// ```
    /// # use msp_client::ruckus::RuckusCredentials;
    /// let creds = RuckusCredentials::new("9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4", "id", "secret")?
    ///     .with_base_url("api.eu.ruckus.cloud/")?;
    /// assert_eq!(creds.base_url(), "https://api.eu.ruckus.cloud");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self> {
        self.base_url = normalise_base_url("RUCKUS base_url", base_url)?;
        self.token_base_url = self.base_url.clone();
        Ok(self)
    }

    /// Uses a region's host (`na`, `eu`, `asia`) for the API and the token.
    ///
    /// ```
    /// # use msp_client::ruckus::RuckusCredentials;
    /// let creds = RuckusCredentials::new("9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4", "id", "secret")?
    ///     .with_region("asia")?;
    /// assert_eq!(creds.base_url(), "https://api.asia.ruckus.cloud");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn with_region(self, region: &str) -> Result<Self> {
        let url = region_base_url(region)?;
        self.with_base_url(url)
    }

    /// Posts token requests to `token_base_url` instead of the API host (RUCKUS's docs name
    /// `https://ruckus.cloud`; its clients post to the API host, which serves it too).
    ///
    /// ```
    /// # use msp_client::ruckus::RuckusCredentials;
    /// let creds = RuckusCredentials::new("9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4", "id", "secret")?
    ///     .with_token_base_url("https://ruckus.cloud")?;
    /// assert!(creds.token_url().starts_with("https://ruckus.cloud/oauth2/token/"));
    /// assert_eq!(creds.base_url(), "https://api.ruckus.cloud");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn with_token_base_url(mut self, token_base_url: &str) -> Result<Self> {
        self.token_base_url = normalise_base_url("RUCKUS token_base_url", token_base_url)?;
        Ok(self)
    }

    /// Reads `RUCKUS_TENANT_ID`, `RUCKUS_CLIENT_ID`, `RUCKUS_CLIENT_SECRET`, and optionally
    /// `RUCKUS_REGION` (`na`, `eu`, `asia`) or `RUCKUS_BASE_URL` (wins over the region) and
    /// `RUCKUS_TOKEN_BASE_URL`.
    ///
    /// ```no_run
    /// # use msp_client::ruckus::RuckusCredentials;
    /// let creds = RuckusCredentials::from_env()?;
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::from_env_with(|k| std::env::var(k).ok())
    }

    /// Like [`RuckusCredentials::from_env`], reading variables through `lookup`.
    ///
    /// ```
    /// # use msp_client::ruckus::RuckusCredentials;
    /// let vars = std::collections::HashMap::from([
    ///     ("RUCKUS_TENANT_ID", "9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4"),
    ///     ("RUCKUS_CLIENT_ID", "my-client"),
    ///     ("RUCKUS_CLIENT_SECRET", "s3cret"),
    ///     ("RUCKUS_REGION", "eu"),
    /// ]);
    /// let creds = RuckusCredentials::from_env_with(|k| vars.get(k).map(|v| v.to_string()))?;
    /// assert_eq!(creds.base_url(), "https://api.eu.ruckus.cloud");
    /// let missing = RuckusCredentials::from_env_with(|_| None).unwrap_err();
    /// assert!(missing.to_string().contains("RUCKUS_TENANT_ID"));
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let req = |k: &str| {
            get(k).ok_or_else(|| Error::Config(format!("environment variable {k} is not set")))
        };
        let mut c = Self::new(
            &req("RUCKUS_TENANT_ID")?,
            req("RUCKUS_CLIENT_ID")?,
            req("RUCKUS_CLIENT_SECRET")?,
        )?;
        if let Some(region) = get("RUCKUS_REGION") {
            c = c.with_region(&region)?;
        }
        if let Some(url) = get("RUCKUS_BASE_URL") {
            c = c.with_base_url(&url)?;
        }
        if let Some(url) = get("RUCKUS_TOKEN_BASE_URL") {
            c = c.with_token_base_url(&url)?;
        }
        Ok(c)
    }

    /// The MSP's tenant id (32 lowercase hex digits).
    ///
    /// ```
    /// # use msp_client::ruckus::RuckusCredentials;
    /// let creds = RuckusCredentials::new("9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4", "id", "secret")?;
    /// assert_eq!(creds.tenant_id(), "9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The API client id.
    ///
    /// ```
    /// # use msp_client::ruckus::RuckusCredentials;
    /// let creds = RuckusCredentials::new("9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4", "my-client", "secret")?;
    /// assert_eq!(creds.client_id(), "my-client");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The API host (scheme, host and port).
    ///
    /// ```
    /// # use msp_client::ruckus::RuckusCredentials;
    /// let creds = RuckusCredentials::new("9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4", "id", "secret")?;
    /// assert_eq!(creds.base_url(), "https://api.ruckus.cloud");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Where the token is requested: `{token host}/oauth2/token/{tenant id}`.
    ///
    /// ```
    /// # use msp_client::ruckus::RuckusCredentials;
    /// let creds = RuckusCredentials::new("9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4", "id", "secret")?;
    /// assert_eq!(
    ///     creds.token_url(),
    ///     "https://api.ruckus.cloud/oauth2/token/9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4"
    /// );
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token/{}", self.token_base_url, self.tenant_id)
    }

    pub(crate) fn client_secret(&self) -> &Secret {
        &self.client_secret
    }
}
