//! The domain model of the mock world: MSP workspaces, their tenants and the tenants' devices.
//!
//! These types are both the in-memory state and its serialised form: `GET /__admin/state`
//! exports a [`World`] as JSON, `PUT /__admin/state` imports one, and a fixture file's
//! `msps:` section is a [`World`] written in YAML.

use std::fmt;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

/// Everything the mock knows about: the MSP workspaces (each with its tenants).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// The MSP workspaces, in fixture order.
    #[serde(default)]
    pub msps: Vec<Msp>,
    /// Ivanti nSA MSP portal state (accounts, tenants, reports; see [`super::nsa`]).
    #[serde(default, skip_serializing_if = "super::nsa::NsaWorld::is_empty")]
    pub nsa: super::nsa::NsaWorld,
}

/// An MSP workspace with its API credential and its tenants.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Msp {
    /// Workspace id (the `{workspaceId}` of the token URL).
    pub workspace_id: Uuid,
    /// Workspace (company) name.
    pub name: String,
    /// API client id of the MSP's credential.
    pub client_id: String,
    /// API client secret (never printed by `Debug`).
    pub client_secret: Secret,
    /// Contact e-mail, also the `createdBy` of tenants created through the API.
    #[serde(default = "default_email")]
    pub email: String,
    /// Per-MSP tenant cap; `None` uses the server-wide cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_cap: Option<usize>,
    /// When the workspace was created (filled in at load time when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Contact address of the MSP workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Contact phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// The MSP's tenants, in creation order.
    #[serde(default)]
    pub tenants: Vec<Tenant>,
}

fn default_email() -> String {
    "admin@msp.example.com".to_owned()
}

/// A tenant (customer) workspace managed by an MSP.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// Workspace id of the tenant.
    pub id: Uuid,
    /// Tenant workspace name (`workspaceName`), unique within its MSP.
    pub name: String,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Primary e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Who owns devices and subscriptions.
    #[serde(default)]
    pub inventory_ownership: InventoryOwnership,
    /// Company address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Creation time (filled in at load time when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Last update time (filled in at load time when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// E-mail of the creator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Update counter.
    #[serde(default)]
    pub generation: u64,
    /// Devices assigned to the tenant (a tenant with devices cannot be deleted).
    ///
    /// Shared, not owned: no API route edits a device list, so the live world, the reset
    /// snapshot and the fixture all point at one copy (a 10,000 × 100 world holds a million
    /// devices once). Edit with `Arc::make_mut`, which copies only the list it changes.
    #[serde(default)]
    pub devices: Arc<Vec<Device>>,
    /// This tenant's list items, rendered on first use (not part of the serialised state).
    #[serde(skip)]
    pub rendered: Rendered,
}

/// The JSON of a tenant's list item in each API view, rendered once and reused.
///
/// List pages copy these bytes instead of formatting and escaping every field of every item
/// on every request. The store empties them whenever a tenant may have changed
/// ([`super::Store::update_tenant`], [`super::Store::write`]); a copy of a tenant starts empty,
/// and an imported or reset world is made of fresh copies.
#[derive(Default)]
pub struct Rendered {
    /// The `/workspaces/v1/msp-tenants` item.
    pub vendor: OnceLock<Box<RawValue>>,
    /// The `/workspace-management/v1/msp-tenants` item.
    pub doc: OnceLock<Box<RawValue>>,
}

impl Rendered {
    /// The item in `cell`, rendering `view` into it on first use.
    pub fn item<T: Serialize>(
        cell: &OnceLock<Box<RawValue>>,
        view: impl FnOnce() -> T,
    ) -> Result<&RawValue, serde_json::Error> {
        if let Some(v) = cell.get() {
            return Ok(v);
        }
        let raw = serde_json::value::to_raw_value(&view())?;
        // Two requests may race to fill it: both rendered the same tenant, either one wins.
        Ok(cell.get_or_init(|| raw))
    }
}

impl Clone for Rendered {
    /// A copy starts empty: it renders its own items when first listed.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for Rendered {
    /// A cache, not state: tenants are equal whatever they have rendered.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rendered")
            .field("vendor", &self.vendor.get().is_some())
            .field("doc", &self.doc.get().is_some())
            .finish()
    }
}

/// A device in a tenant's inventory.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Device id (generated at load time when absent).
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    /// Serial number.
    pub serial_number: String,
    /// MAC address.
    #[serde(default)]
    pub mac_address: String,
    /// Model name, e.g. `AP-635`.
    #[serde(default)]
    pub model: String,
    /// Device (host) name.
    #[serde(default)]
    pub name: String,
    /// `ONLINE` / `OFFLINE`.
    #[serde(default = "default_device_status")]
    pub status: String,
}

fn default_device_status() -> String {
    "ONLINE".to_owned()
}

/// A postal address (the vendor's `NBCcsAddressV2`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Street address.
    pub street_address: Option<String>,
    /// Apartment, suite, building (≤ 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address_complement: Option<String>,
    /// City (≤ 40).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or region (≤ 220).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_or_region: Option<String>,
    /// Postal code (≤ 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

/// Who owns a tenant's devices and subscriptions.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InventoryOwnership {
    /// The MSP owns them (the vendor default).
    #[default]
    MspOwnedInventory,
    /// The customer owns them.
    CustomerOwnedInventory,
}

impl InventoryOwnership {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MspOwnedInventory => "MSP_OWNED_INVENTORY",
            Self::CustomerOwnedInventory => "CUSTOMER_OWNED_INVENTORY",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "MSP_OWNED_INVENTORY" => Some(Self::MspOwnedInventory),
            "CUSTOMER_OWNED_INVENTORY" => Some(Self::CustomerOwnedInventory),
            _ => None,
        }
    }
}

/// A secret string: serialised as-is (fixtures and state export need it) but never shown by
/// `Debug` or `Display`, so it cannot leak into logs.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    /// The secret value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl World {
    /// Fills in timestamps missing from a fixture or an imported state with `now`.
    pub fn fill_defaults(&mut self, now: DateTime<Utc>) {
        for msp in &mut self.msps {
            msp.created_at.get_or_insert(now);
            for t in &mut msp.tenants {
                let created = *t.created_at.get_or_insert(now);
                t.updated_at.get_or_insert(created);
            }
            // Lists are in the spec's order: creation time, ties broken by id.
            msp.tenants.sort_by_key(|t| (t.created_at, t.id));
        }
        self.nsa.fill_defaults(now);
    }

    /// Checks the invariants a fixture or an imported state must satisfy: unique MSP workspace
    /// ids and client ids, globally unique tenant ids, tenant names unique per MSP.
    pub fn check(&self) -> Result<(), String> {
        check_msps(&self.msps)?;
        self.nsa.check()
    }
}

/// [`World::check`] for the GreenLake part, on borrowed MSPs (a fixture checks its own without
/// building a [`World`] copy).
pub fn check_msps(msps: &[Msp]) -> Result<(), String> {
    let mut ids = std::collections::HashSet::new();
    let mut clients = std::collections::HashSet::new();
    for msp in msps {
        if !ids.insert(msp.workspace_id) {
            return Err(format!("workspace id {} appears twice", msp.workspace_id));
        }
        if !clients.insert(msp.client_id.as_str()) {
            return Err(format!("client_id {} appears twice", msp.client_id));
        }
        if msp.client_id.is_empty() || msp.client_secret.expose().is_empty() {
            return Err(format!(
                "MSP {} needs a client_id and client_secret",
                msp.name
            ));
        }
    }
    for msp in msps {
        let mut names = std::collections::HashSet::new();
        for t in &msp.tenants {
            if !ids.insert(t.id) {
                return Err(format!("workspace id {} appears twice", t.id));
            }
            // Same rule as the store: names are unique per MSP, case-insensitively.
            if !names.insert(t.name.to_lowercase()) {
                return Err(format!(
                    "tenant name {:?} appears twice in MSP {}",
                    t.name, msp.name
                ));
            }
        }
    }
    Ok(())
}
