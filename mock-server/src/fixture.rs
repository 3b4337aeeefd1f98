//! Fixture files: the YAML world a mock starts from, plus its settings (TTLs, caps, limits).
//!
//! ```yaml
//! settings:                 # every key optional; defaults shown
//!   token_ttl_secs: 900            # workspace-issuer client_credentials tokens
//!   exchange_ttl_secs: 900         # RFC 8693 exchanged (tenant) tokens
//!   legacy_token_ttl_secs: 7200    # /as/token.oauth2 client_credentials tokens
//!   tenant_cap: 1000               # per-MSP tenant cap unless the MSP sets its own
//!   journal_capacity: 10000        # requests kept by /__admin/requests
//!   max_body_bytes: 65536          # larger request bodies get 413
//!   signing_key_pem: null          # RSA private key (PEM); default: the embedded test key
//!   rate_limits:
//!     window_secs: 60
//!     per_client: 5000             # calls per window per MSP API client
//!     per_workspace: 1000          # calls per window per tenant-token workspace
//!     tenant_create: 10            # tenant creations per window per client
//!     token_requests: 6000         # token-endpoint calls per window per client id
//! msps:
//!   - workspace_id: 3f1c...        # uuid
//!     name: Demo MSP
//!     client_id: demo-msp-client
//!     client_secret: demo-msp-secret
//!     email: ops@demo-msp.example.com
//!     tenant_cap: 1000             # optional
//!     tenants:
//!       - id: 6b0e...
//!         name: Acme Retail
//!         devices:
//!           - { serial_number: SG1234, mac_address: "00:11:22:33:44:55", model: AP-635, name: ap-1, status: ONLINE }
//! nsa:                      # Ivanti nSA MSP portal (see crate::state::nsa)
//!   settings:                      # every key optional; defaults shown
//!     provisioning_secs: 60          # new tenants stay `initializing` this long
//!     session_idle_secs: 600         # DSID idle timeout
//!     session_max_secs: 3600         # DSID absolute lifetime
//!     download_url_ttl_secs: 300     # report download URLs expire after this
//!     cap_request_auto_approve_secs: null  # set to auto-approve cap requests after N s
//!     max_reports: 1000              # per MSP; the oldest is dropped beyond it
//!     max_sessions: 10000
//!   msps:
//!     - username: msp-admin@demo-msp.example.com
//!       password: demo-nsa-password
//!       realm: null                  # optional: require this realm at login
//!       name: Demo nSA MSP
//!       tenant_cap_limit: 10
//!       subscriptions: [{ id: 6f0b..., category: ZTA, total_users: 1000, display_name: nZTA Advanced }]
//!       tenants:
//!         - { sub_domain: acme, name: Acme, user: { username: acme-admin, email: it@acme.example },
//!             subscriptions: [{ id: 6f0b..., category: ZTA, total_users: 250 }] }
//! ruckus:                   # RUCKUS One (see crate::state::ruckus); ids: 32 hex or dashed
//!   settings:                      # every key optional; defaults shown
//!     pending_secs: 1                # an activity stays PENDING this long
//!     running_secs: 2                # then INPROGRESS this long, then SUCCESS or FAIL
//!     token_ttl_secs: 3600           # POST /oauth2/token/{tenantId} token lifetime
//!     calls_per_minute: 2000         # per-tenant token bucket (size and refill per minute)
//!     activity_retention_secs: 86400 # ended activities stay readable this long
//!     max_activities: 10000          # ended activities kept at most
//!     activity_visible_after_secs: 0 # GET /activities/{id} answers 404 this long after the 202
//!   msps:
//!     - tenant_id: 9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4
//!       name: Demo RUCKUS MSP
//!       client_id: demo-ruckus-client
//!       client_secret: demo-ruckus-secret
//!       email: ops@demo-ruckus-msp.example.com
//!       admins:                      # the MSP's administrators (msp_admin_id)
//!         - { id: a1d0..., email: prime@demo.example, first_name: Pat, last_name: Prime,
//!             role: PRIME_ADMIN, delegate_to_all_ecs: true }
//!       branding: { msp_label: demo, settings: {} }   # optional
//!       tenants:                     # customers (kind: MSP_EC, the default) and tech
//!         - id: 5e1a...              # partners (MSP_INTEGRATOR, MSP_INSTALLER)
//!           name: Acme Sales         # unique per MSP
//!           kind: MSP_EC
//!           account: { street_address: 1 Main St, city: Sunnyvale, state: CA, country: US }
//!           service_effective_date: "2026-01-01 00:00:00Z"
//!           service_expiration_date: "2027-01-01 00:00:00Z"
//!           tier: Gold
//!           active: true
//!           admins: [{ id: ec0a..., email: it@acme.example, first_name: Ada, role: PRIME_ADMIN }]
//!           delegations: [{ partner: 5e1a...f1, kind: MSP_INTEGRATOR, expires: null }]
//!           msp_admins: [{ admin: a1d0..., role: ADMIN }]
//!           venues: [{ id: 7e00..., name: Acme HQ, city: Sunnyvale, country: United States,
//!                      country_code: US, timezone: America/Los_Angeles, clients: 42 }]
//!           devices: [{ serial_number: "3021...", name: ap-1, model: R750, kind: AP,
//!                       mac: "28:b3:71:00:01:01", status: ONLINE, venue: 7e00... }]
//! ```

use serde::{Deserialize, Serialize};

use crate::state::World;

/// The embedded default world (`fixtures/default.yaml`).
pub const DEFAULT_FIXTURE: &str = include_str!("../fixtures/default.yaml");

/// A parsed fixture: settings plus the world.
///
/// Its YAML form is the world's ([`World`]: GreenLake's `msps:` and `audit:`, then one key per
/// vendor section) with a `settings:` key beside them.
#[derive(Clone, Debug, Default)]
pub struct Fixture {
    /// Server settings.
    pub settings: Settings,
    /// The world the mock starts from (and `/__admin/reset` returns to).
    pub world: World,
}

impl<'de> Deserialize<'de> for Fixture {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut doc = crate::state::model::Doc::deserialize(d)?;
        let settings = doc.settings.take().unwrap_or_default();
        Ok(Fixture {
            settings,
            world: doc.into_world(),
        })
    }
}

impl Serialize for Fixture {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.world.doc(Some(&self.settings)).serialize(s)
    }
}

impl Fixture {
    /// Parses fixture YAML (JSON is YAML too), checking the world's invariants.
    ///
    /// ```
    /// use msp_mock_server::Fixture;
    ///
    /// let f = Fixture::from_yaml("settings: {token_ttl_secs: 60}\nmsps: []").unwrap();
    /// assert_eq!(f.settings.token_ttl_secs, 60);
    /// assert!(Fixture::from_yaml("msps: []\nmsps2: []").unwrap_err().contains("msps2"));
    /// ```
    pub fn from_yaml(text: &str) -> Result<Self, String> {
        let f: Fixture = serde_norway::from_str(text).map_err(|e| format!("fixture: {e}"))?;
        f.world.check().map_err(|e| format!("fixture: {e}"))?;
        Ok(f)
    }

    /// The embedded default world.
    pub fn default_world() -> Self {
        // The embedded file is covered by a unit test, so this cannot fail at run time; fall
        // back to an empty world rather than panic.
        Self::from_yaml(DEFAULT_FIXTURE).unwrap_or_default()
    }

    /// A copy of the fixture's world (device lists are shared, not copied).
    pub fn world(&self) -> World {
        self.world.clone()
    }
}

/// Server settings; every field has a default matching the vendor's documented numbers.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Lifetime of client_credentials tokens from the workspace issuer, seconds.
    pub token_ttl_secs: u64,
    /// Lifetime of exchanged (tenant) tokens, seconds.
    pub exchange_ttl_secs: u64,
    /// Lifetime of client_credentials tokens from the legacy `/as/token.oauth2`, seconds.
    pub legacy_token_ttl_secs: u64,
    /// Tenant cap per MSP (unless the MSP sets its own).
    pub tenant_cap: usize,
    /// Capacity of the request journal.
    pub journal_capacity: usize,
    /// Largest accepted request body, bytes.
    pub max_body_bytes: usize,
    /// RSA private key (PEM) used to sign tokens; `None` uses the embedded test key.
    pub signing_key_pem: Option<String>,
    /// Rate limits.
    pub rate_limits: RateLimits,
    /// Capacity of the verified-token cache.
    pub token_cache_capacity: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            token_ttl_secs: 900,
            exchange_ttl_secs: 900,
            legacy_token_ttl_secs: 7200,
            tenant_cap: 1000,
            journal_capacity: 10_000,
            max_body_bytes: 64 * 1024,
            signing_key_pem: None,
            rate_limits: RateLimits::default(),
            token_cache_capacity: 10_000,
        }
    }
}

/// Request quotas per fixed window (§2/§3 numbers by default).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    /// Window length, seconds.
    pub window_secs: u64,
    /// Calls per window per MSP API client.
    pub per_client: u32,
    /// Calls per window per workspace reached with a tenant token.
    pub per_workspace: u32,
    /// Tenant creations per window per client.
    pub tenant_create: u32,
    /// Token-endpoint requests per window per presented client id. The vendor documents no
    /// number; the default is generous so test suites that mint many tokens are not refused.
    pub token_requests: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            window_secs: 60,
            per_client: 5000,
            per_workspace: 1000,
            tenant_create: 10,
            token_requests: 6000,
        }
    }
}

impl RateLimits {
    /// Quotas that never refuse a request: every class allows `u32::MAX` calls per window, and
    /// the limiter stops counting (for fuzzing and load tests).
    ///
    /// ```
    /// use msp_mock_server::RateLimits;
    ///
    /// let off = RateLimits::unlimited();
    /// assert!(off.is_unlimited());
    /// assert!(!RateLimits::default().is_unlimited());
    /// ```
    pub fn unlimited() -> Self {
        Self {
            window_secs: 60,
            per_client: u32::MAX,
            per_workspace: u32::MAX,
            tenant_create: u32::MAX,
            token_requests: u32::MAX,
        }
    }

    /// Whether every quota is `u32::MAX` (see [`RateLimits::unlimited`]).
    ///
    /// ```
    /// use msp_mock_server::RateLimits;
    ///
    /// assert!(RateLimits::default().scaled(u32::MAX).is_unlimited());
    /// ```
    pub fn is_unlimited(&self) -> bool {
        [
            self.per_client,
            self.per_workspace,
            self.tenant_create,
            self.token_requests,
        ]
        .iter()
        .all(|&q| q == u32::MAX)
    }

    /// Every quota multiplied by `factor` (saturating at `u32::MAX`), the window unchanged.
    ///
    /// ```
    /// use msp_mock_server::RateLimits;
    ///
    /// let relaxed = RateLimits::default().scaled(100);
    /// assert_eq!(relaxed.tenant_create, 1000);
    /// assert_eq!(relaxed.window_secs, 60);
    /// ```
    pub fn scaled(&self, factor: u32) -> Self {
        Self {
            window_secs: self.window_secs,
            per_client: self.per_client.saturating_mul(factor),
            per_workspace: self.per_workspace.saturating_mul(factor),
            tenant_create: self.tenant_create.saturating_mul(factor),
            token_requests: self.token_requests.saturating_mul(factor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_fixture_parses() {
        let f = Fixture::from_yaml(DEFAULT_FIXTURE).unwrap();
        let msps = &f.world.glp.msps;
        assert!(!msps.is_empty());
        assert!(msps[0].tenants.len() >= 3);
        assert!(msps[0].tenants.iter().all(|t| !t.devices.is_empty()));
    }

    #[test]
    fn a_fixture_round_trips_through_its_serialised_form() {
        let f = Fixture::from_yaml(DEFAULT_FIXTURE).unwrap();
        let text = serde_norway::to_string(&f).unwrap();
        let back = Fixture::from_yaml(&text).unwrap();
        assert_eq!(serde_norway::to_string(&back).unwrap(), text);
        assert!(
            text.contains("settings:") && text.contains("nsa:"),
            "{text}"
        );
    }

    #[test]
    fn an_imported_state_has_no_settings() {
        let e = serde_json::from_str::<World>(r#"{"settings": {}, "msps": []}"#).unwrap_err();
        assert!(
            e.to_string().contains("`settings` belongs in a fixture"),
            "{e}"
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(Fixture::from_yaml("settings: {tokn_ttl_secs: 3}").is_err());
    }
}
