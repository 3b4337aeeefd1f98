//! MSP API credentials: built in code, read from PyCentral's unified YAML/JSON file, or read
//! from environment variables.
//!
//! # File format (PyCentral's `unified` block)
//! ```yaml
//! unified:
//!   client_id: 5b0c...
//!   client_secret: 7f3a...
//!   workspace_id: 1c2d3e4f-...
//!   base_url: https://us1.api.central.arubanetworks.com   # or cluster_name: US-1
//!   glp_base_url: https://global.api.greenlake.hpe.com     # optional
//!   sso_base_url: http://127.0.0.1:8080                    # optional, msp-client extension
//! ```
//! JSON with the same keys works too; a file without the `unified` wrapper is accepted.
//!
//! # Environment variables
//! | variable | meaning |
//! |---|---|
//! | `MSP_CLIENT_ID` | API client id (required) |
//! | `MSP_CLIENT_SECRET` | API client secret (required) |
//! | `MSP_WORKSPACE_ID` | the MSP workspace id (required) |
//! | `MSP_BASE_URL` | Aruba Central API gateway base URL |
//! | `MSP_CLUSTER_NAME` | Central cluster name instead of `MSP_BASE_URL` (e.g. `EU-1`) |
//! | `MSP_GLP_BASE_URL` | GreenLake API base URL (default `https://global.api.greenlake.hpe.com`) |
//! | `MSP_SSO_BASE_URL` | token endpoint base URL (default: the GreenLake base) |
//!
//! Like PyCentral, base URLs keep only scheme, host and port.

use std::path::Path;

use crate::auth::Secret;
use crate::error::{Error, Result};

/// Default GreenLake API base URL (also the default token issuer base).
pub const DEFAULT_GLP_BASE_URL: &str = "https://global.api.greenlake.hpe.com";

/// Aruba Central cluster names and their API gateway base URLs (as PyCentral knows them).
pub const CENTRAL_CLUSTERS: &[(&str, &str)] = &[
    ("EU-1", "https://ge1.api.central.arubanetworks.com"),
    ("EU-Central2", "https://ge2.api.central.arubanetworks.com"),
    ("EU-Central3", "https://ge3.api.central.arubanetworks.com"),
    ("US-1", "https://us1.api.central.arubanetworks.com"),
    ("US-2", "https://us2.api.central.arubanetworks.com"),
    ("US-WEST-4", "https://us4.api.central.arubanetworks.com"),
    ("US-WEST-5", "https://us5.api.central.arubanetworks.com"),
    ("US-East1", "https://us6.api.central.arubanetworks.com"),
    ("Canada-1", "https://cn1.api.central.arubanetworks.com"),
    ("APAC-1", "https://in.api.central.arubanetworks.com"),
    ("APAC-EAST1", "https://jp1.api.central.arubanetworks.com"),
    ("APAC-SOUTH1", "https://au1.api.central.arubanetworks.com"),
    ("Internal", "https://internal.api.central.arubanetworks.com"),
];

/// Credentials of one MSP API client (the equivalent of PyCentral's `unified` token info).
///
/// `Debug` never shows the secret.
///
/// ```
/// use msp_client::Credentials;
///
/// let workspace = "7d2f9a64-1c3b-4e8a-9f0d-2b6c5e4a1d01";
/// let creds = Credentials::new("my-client-id", "my-client-secret", workspace)
///     .with_cluster("EU-1")?;
/// assert!(!format!("{creds:?}").contains("my-client-secret"));
/// # Ok::<(), msp_client::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Credentials {
    client_id: String,
    client_secret: Secret,
    workspace_id: String,
    glp_base_url: String,
    central_base_url: Option<String>,
    sso_base_url: Option<String>,
}

impl Credentials {
    /// Credentials for `workspace_id`, against GreenLake's global endpoints and no Central base.
    ///
    /// ```
    /// use msp_client::Credentials;
    ///
    /// let workspace = "7d2f9a64-1c3b-4e8a-9f0d-2b6c5e4a1d01";
    /// let creds = Credentials::new("my-client-id", "my-client-secret", workspace);
    /// assert_eq!(creds.glp_base_url(), "https://global.api.greenlake.hpe.com");
    /// assert_eq!(creds.central_base_url(), None);
    /// ```
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        workspace_id: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            workspace_id: workspace_id.into(),
            glp_base_url: DEFAULT_GLP_BASE_URL.to_string(),
            central_base_url: None,
            sso_base_url: None,
        }
    }

    /// Points GreenLake, Central and the token endpoint at one server (e.g. the mock).
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let workspace = "7d2f9a64-1c3b-4e8a-9f0d-2b6c5e4a1d01";
    /// let creds = Credentials::new("demo-msp-client", "demo-msp-secret", workspace)
    ///     .with_base_url_for_all("http://127.0.0.1:8080")?;
    /// assert_eq!(creds.glp_base_url(), "http://127.0.0.1:8080");
    /// assert_eq!(creds.central_base_url(), Some("http://127.0.0.1:8080"));
    /// assert_eq!(creds.sso_base_url(), "http://127.0.0.1:8080");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn with_base_url_for_all(self, base_url: &str) -> Result<Self> {
        self.with_glp_base_url(base_url)?
            .with_central_base_url(base_url)?
            .with_sso_base_url(base_url)
    }

    /// Sets the GreenLake API base URL (scheme, host and port are kept).
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let creds = Credentials::new("id", "secret", "ws")
    ///     .with_glp_base_url("https://eu.api.greenlake.hpe.com/ignored/path")?;
    /// assert_eq!(creds.glp_base_url(), "https://eu.api.greenlake.hpe.com");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn with_glp_base_url(mut self, base_url: &str) -> Result<Self> {
        self.glp_base_url = normalise_base_url("glp_base_url", base_url)?;
        Ok(self)
    }

    /// Sets the Aruba Central API gateway base URL (`https://` is assumed when missing).
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let creds = Credentials::new("id", "secret", "ws")
    ///     .with_central_base_url("us1.api.central.arubanetworks.com")?;
    /// assert_eq!(creds.central_base_url(), Some("https://us1.api.central.arubanetworks.com"));
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn with_central_base_url(mut self, base_url: &str) -> Result<Self> {
        self.central_base_url = Some(normalise_base_url("base_url", base_url)?);
        Ok(self)
    }

    /// Sets the Central base URL from a cluster name (see [`CENTRAL_CLUSTERS`]; any case).
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let creds = Credentials::new("id", "secret", "ws").with_cluster("eu-1")?;
    /// assert_eq!(creds.central_base_url(), Some("https://ge1.api.central.arubanetworks.com"));
    /// assert!(Credentials::new("id", "secret", "ws").with_cluster("Mars-9").is_err());
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn with_cluster(mut self, cluster_name: &str) -> Result<Self> {
        self.central_base_url = Some(cluster_base_url(cluster_name)?.to_string());
        Ok(self)
    }

    /// Overrides the token endpoint base (`{sso}/authorization/v2/oauth2/{workspace}/token`).
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let creds = Credentials::new("id", "secret", "ws")
    ///     .with_sso_base_url("http://127.0.0.1:9000")?;
    /// assert_eq!(creds.sso_base_url(), "http://127.0.0.1:9000");
    /// assert_eq!(creds.glp_base_url(), "https://global.api.greenlake.hpe.com");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn with_sso_base_url(mut self, base_url: &str) -> Result<Self> {
        self.sso_base_url = Some(normalise_base_url("sso_base_url", base_url)?);
        Ok(self)
    }

    /// The API client id.
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// assert_eq!(Credentials::new("my-client-id", "secret", "ws").client_id(), "my-client-id");
    /// ```
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The API client secret (a [`Secret`]: read it with [`Secret::expose`]).
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let creds = Credentials::new("id", "my-client-secret", "ws");
    /// assert_eq!(creds.client_secret().expose(), "my-client-secret");
    /// ```
    pub fn client_secret(&self) -> &Secret {
        &self.client_secret
    }

    /// The MSP workspace id, as configured.
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let creds = Credentials::new("id", "secret", "7d2f9a64-1c3b-4e8a-9f0d-2b6c5e4a1d01");
    /// assert_eq!(creds.workspace_id(), "7d2f9a64-1c3b-4e8a-9f0d-2b6c5e4a1d01");
    /// ```
    pub fn workspace_id(&self) -> &str {
        &self.workspace_id
    }

    /// GreenLake API base URL ([`DEFAULT_GLP_BASE_URL`] unless set).
    ///
    /// ```
    /// # use msp_client::{Credentials, auth::DEFAULT_GLP_BASE_URL};
    /// assert_eq!(Credentials::new("id", "secret", "ws").glp_base_url(), DEFAULT_GLP_BASE_URL);
    /// ```
    pub fn glp_base_url(&self) -> &str {
        &self.glp_base_url
    }

    /// Aruba Central API base URL, if configured.
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let creds = Credentials::new("id", "secret", "ws");
    /// assert_eq!(creds.central_base_url(), None);
    /// let creds = creds.with_cluster("US-1")?;
    /// assert_eq!(creds.central_base_url(), Some("https://us1.api.central.arubanetworks.com"));
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn central_base_url(&self) -> Option<&str> {
        self.central_base_url.as_deref()
    }

    /// Token endpoint base URL (the GreenLake base unless overridden).
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let creds = Credentials::new("id", "secret", "ws")
    ///     .with_glp_base_url("http://127.0.0.1:8080")?;
    /// assert_eq!(creds.sso_base_url(), "http://127.0.0.1:8080");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn sso_base_url(&self) -> &str {
        self.sso_base_url.as_deref().unwrap_or(&self.glp_base_url)
    }

    /// Checks that every required field is present (sessions call this before connecting).
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// assert!(Credentials::new("id", "secret", "ws").validate().is_ok());
    /// let err = Credentials::new("id", "", "ws").validate().unwrap_err();
    /// assert!(err.to_string().contains("client_secret"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        for (name, value) in [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("workspace_id", self.workspace_id.as_str()),
        ] {
            if value.trim().is_empty() {
                return Err(Error::Config(format!("credentials: {name} is empty")));
            }
        }
        Ok(())
    }

    /// Reads PyCentral's unified credentials from a YAML or JSON file (format in the module docs).
    ///
    /// ```no_run
    /// # use msp_client::Credentials;
    /// let creds = Credentials::from_file("account.yaml")?;
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("reading {}: {e}", path.display())))?;
        Self::from_str_any(&text).map_err(|e| match e {
            Error::Config(m) => Error::Config(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Parses PyCentral's unified credentials from YAML or JSON text.
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let yaml = "
    /// unified:
    ///   client_id: my-client-id
    ///   client_secret: my-client-secret
    ///   workspace_id: 7d2f9a64-1c3b-4e8a-9f0d-2b6c5e4a1d01
    ///   cluster_name: EU-1
    /// ";
    /// let creds = Credentials::from_str_any(yaml)?;
    /// assert_eq!(creds.central_base_url(), Some("https://ge1.api.central.arubanetworks.com"));
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn from_str_any(text: &str) -> Result<Self> {
        let trimmed = text.trim_start();
        let file: CredentialsFile = if trimmed.starts_with('{') {
            serde_json::from_str(text).map_err(|e| Error::Config(format!("invalid JSON: {e}")))?
        } else {
            serde_norway::from_str(text).map_err(|e| Error::Config(format!("invalid YAML: {e}")))?
        };
        let fields = match file {
            CredentialsFile::Wrapped { unified } => unified,
            CredentialsFile::Flat(f) => f,
        };
        fields.into_credentials()
    }

    /// Reads credentials from the `MSP_*` environment variables (see the module docs).
    ///
    /// ```no_run
    /// # use msp_client::Credentials;
    /// // MSP_CLIENT_ID, MSP_CLIENT_SECRET, MSP_WORKSPACE_ID, and MSP_CLUSTER_NAME or MSP_BASE_URL.
    /// let creds = Credentials::from_env()?;
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`], but reads variables through `lookup` (for tests).
    ///
    /// ```
    /// # use msp_client::Credentials;
    /// let vars = std::collections::HashMap::from([
    ///     ("MSP_CLIENT_ID", "my-client-id"),
    ///     ("MSP_CLIENT_SECRET", "my-client-secret"),
    ///     ("MSP_WORKSPACE_ID", "7d2f9a64-1c3b-4e8a-9f0d-2b6c5e4a1d01"),
    ///     ("MSP_CLUSTER_NAME", "US-1"),
    /// ]);
    /// let creds = Credentials::from_env_with(|name| vars.get(name).map(|v| v.to_string()))?;
    /// assert_eq!(creds.client_id(), "my-client-id");
    /// # Ok::<(), msp_client::Error>(())
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let required = |name: &str| {
            get(name)
                .ok_or_else(|| Error::Config(format!("environment variable {name} is not set")))
        };
        UnifiedFields {
            client_id: Some(required("MSP_CLIENT_ID")?),
            client_secret: Some(Secret::new(required("MSP_CLIENT_SECRET")?)),
            workspace_id: Some(required("MSP_WORKSPACE_ID")?),
            base_url: get("MSP_BASE_URL"),
            cluster_name: get("MSP_CLUSTER_NAME"),
            glp_base_url: get("MSP_GLP_BASE_URL"),
            sso_base_url: get("MSP_SSO_BASE_URL"),
        }
        .into_credentials()
    }
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum CredentialsFile {
    Wrapped { unified: UnifiedFields },
    Flat(UnifiedFields),
}

#[derive(serde::Deserialize, Default)]
struct UnifiedFields {
    client_id: Option<String>,
    client_secret: Option<Secret>,
    workspace_id: Option<String>,
    base_url: Option<String>,
    cluster_name: Option<String>,
    glp_base_url: Option<String>,
    sso_base_url: Option<String>,
}

impl UnifiedFields {
    fn into_credentials(self) -> Result<Credentials> {
        let missing = |f: &str| Error::Config(format!("credentials: {f} is missing"));
        let mut c = Credentials::new(
            self.client_id.ok_or_else(|| missing("client_id"))?,
            self.client_secret.ok_or_else(|| missing("client_secret"))?,
            self.workspace_id.ok_or_else(|| missing("workspace_id"))?,
        );
        c.validate()?;
        if let Some(glp) = self.glp_base_url {
            c = c.with_glp_base_url(&glp)?;
        }
        match (self.base_url, self.cluster_name) {
            (Some(_), Some(_)) => {
                return Err(Error::Config(
                    "credentials: give either base_url or cluster_name, not both".into(),
                ));
            }
            (Some(url), None) => c = c.with_central_base_url(&url)?,
            (None, Some(cluster)) => c = c.with_cluster(&cluster)?,
            (None, None) => {}
        }
        if let Some(sso) = self.sso_base_url {
            c = c.with_sso_base_url(&sso)?;
        }
        Ok(c)
    }
}

/// Looks up a Central cluster's base URL by name (case-insensitive).
///
/// ```
/// use msp_client::auth::cluster_base_url;
///
/// assert_eq!(cluster_base_url("APAC-1")?, "https://in.api.central.arubanetworks.com");
/// # Ok::<(), msp_client::Error>(())
/// ```
pub fn cluster_base_url(cluster_name: &str) -> Result<&'static str> {
    CENTRAL_CLUSTERS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(cluster_name.trim()))
        .map(|(_, url)| *url)
        .ok_or_else(|| {
            let known: Vec<&str> = CENTRAL_CLUSTERS.iter().map(|(n, _)| *n).collect();
            Error::Config(format!(
                "unknown Central cluster {cluster_name:?}; known: {}",
                known.join(", ")
            ))
        })
}

/// Keeps scheme, host and port of a base URL (like PyCentral); adds `https://` when the scheme
/// is missing.
pub(crate) fn normalise_base_url(field: &str, raw: &str) -> Result<String> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("https://{raw}")
    };
    let url = url::Url::parse(&with_scheme)
        .map_err(|e| Error::Config(format!("{field}: {raw:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "{field}: {raw:?} must use http or https"
        )));
    }
    let host = url
        .host_str()
        .ok_or_else(|| Error::Config(format!("{field}: {raw:?} has no host")))?;
    Ok(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_unified_block_parses_and_keeps_only_scheme_and_host() {
        let c = Credentials::from_str_any(
            "unified:\n  client_id: cid\n  client_secret: s3cr3t\n  workspace_id: ws-1\n  base_url: https://us1.api.central.arubanetworks.com/some/path\n  glp_base_url: http://127.0.0.1:8080/\n",
        )
        .unwrap();
        assert_eq!(c.client_id(), "cid");
        assert_eq!(c.client_secret().expose(), "s3cr3t");
        assert_eq!(
            c.central_base_url(),
            Some("https://us1.api.central.arubanetworks.com")
        );
        assert_eq!(c.glp_base_url(), "http://127.0.0.1:8080");
        assert_eq!(c.sso_base_url(), "http://127.0.0.1:8080");
    }

    #[test]
    fn json_with_cluster_name_resolves_the_cluster() {
        let c = Credentials::from_str_any(
            r#"{"unified":{"client_id":"a","client_secret":"b","workspace_id":"w","cluster_name":"eu-1"}}"#,
        )
        .unwrap();
        assert_eq!(
            c.central_base_url(),
            Some("https://ge1.api.central.arubanetworks.com")
        );
        assert_eq!(c.glp_base_url(), DEFAULT_GLP_BASE_URL);
    }

    #[test]
    fn bad_files_name_the_problem() {
        let e =
            Credentials::from_str_any("unified:\n  client_id: a\n  workspace_id: w\n").unwrap_err();
        assert!(e.to_string().contains("client_secret"), "{e}");
        let e = Credentials::from_str_any(
            "unified: {client_id: a, client_secret: b, workspace_id: w, cluster_name: Mars-9}",
        )
        .unwrap_err();
        assert!(e.to_string().contains("Mars-9"), "{e}");
        let e = Credentials::from_str_any(
            "unified: {client_id: a, client_secret: b, workspace_id: w, base_url: 'ftp://x'}",
        )
        .unwrap_err();
        assert!(e.to_string().contains("http"), "{e}");
    }

    #[test]
    fn env_lookup_reads_documented_names() {
        let env = |k: &str| match k {
            "MSP_CLIENT_ID" => Some("id".to_string()),
            "MSP_CLIENT_SECRET" => Some("sec".to_string()),
            "MSP_WORKSPACE_ID" => Some("ws".to_string()),
            "MSP_SSO_BASE_URL" => Some("127.0.0.1:9999".to_string()),
            _ => None,
        };
        let c = Credentials::from_env_with(env).unwrap();
        assert_eq!(c.sso_base_url(), "https://127.0.0.1:9999");
        let e = Credentials::from_env_with(|_| None).unwrap_err();
        assert!(e.to_string().contains("MSP_CLIENT_ID"));
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = Credentials::new("id", "very-secret-value", "ws");
        let dbg = format!("{c:?} {:#?}", c);
        assert!(!dbg.contains("very-secret-value"), "{dbg}");
    }
}
