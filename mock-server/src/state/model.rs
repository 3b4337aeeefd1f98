//! The domain model of the mock world: MSP workspaces, their tenants and the tenants' devices.
//!
//! These types are both the in-memory state and its serialised form: `GET /__admin/state`
//! exports a [`World`] as JSON, `PUT /__admin/state` imports one, and a fixture file is a
//! [`World`] written in YAML plus `settings:`. [`world_sections!`] is the table of vendor
//! sections.

use std::fmt;
use std::sync::Arc;

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::glp::{AuditEvent, GlpWorld};
use super::{Loadable, Section};

/// The table of world sections: one line per vendor that keeps state, and the only place a
/// vendor's state is registered. Each line `key: Type` makes
///
/// - a field `World::key` (GreenLake's `glp` is built in: its fixture keys `msps:` and
///   `audit:` predate the per-vendor sections and stay at the top level);
/// - the fixture and `/__admin/state` key `key:` holding the section's serialised form
///   (omitted from exports while [`Loadable::is_empty`]);
/// - [`Section`] for `Type`, so handlers reach it with `Store::with::<Type, _>`;
/// - the section's [`Loadable::check`] and [`Loadable::fill_defaults`] in [`World::check`] and
///   [`World::fill_defaults`].
///
/// The table is a macro rather than a runtime list in the vendor descriptor because the
/// sections are typed fields: a runtime list would have to go through `serde_json::Value`
/// for every fixture, which costs seconds on a million-device world.
macro_rules! world_sections {
    ($( $(#[$doc:meta])* $key:ident: $ty:ty ),* $(,)?) => {
        /// Everything the mock knows about, one section per vendor.
        ///
        /// Serialised as the fixture's top-level sections (`msps:` and `audit:` for GreenLake,
        /// then one key per vendor section), so a fixture, `GET /__admin/state` and
        /// `PUT /__admin/state` share one format.
        #[derive(Clone, Debug, Default, PartialEq, Deserialize)]
        #[serde(try_from = "Doc")]
        pub struct World {
            /// GreenLake: MSP workspaces, tenants, devices, audit trail (see [`super::glp`]).
            pub glp: GlpWorld,
            $( $(#[$doc])* pub $key: $ty, )*
        }

        /// The serialised form of a [`World`] or, with `settings`, of a fixture.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct Doc {
            #[serde(default)]
            pub(crate) settings: Option<crate::fixture::Settings>,
            #[serde(default)]
            msps: Vec<Msp>,
            #[serde(default)]
            audit: VecDeque<AuditEvent>,
            $( #[serde(default)] $key: $ty, )*
        }

        /// The serialised form of a [`World`] (and a fixture's settings), borrowed.
        #[derive(Serialize)]
        pub(crate) struct DocRef<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            settings: Option<&'a crate::fixture::Settings>,
            msps: &'a [Msp],
            #[serde(skip_serializing_if = "VecDeque::is_empty")]
            audit: &'a VecDeque<AuditEvent>,
            $( #[serde(skip_serializing_if = "empty")] $key: &'a $ty, )*
        }

        impl Doc {
            /// The world the document describes.
            pub(crate) fn into_world(self) -> World {
                World {
                    glp: GlpWorld {
                        msps: self.msps,
                        audit: self.audit,
                        default_cap: 0,
                    },
                    $( $key: self.$key, )*
                }
            }
        }

        impl World {
            /// The world's serialised form, with a fixture's `settings` when given.
            pub(crate) fn doc<'a>(
                &'a self,
                settings: Option<&'a crate::fixture::Settings>,
            ) -> DocRef<'a> {
                DocRef {
                    settings,
                    msps: &self.glp.msps,
                    audit: &self.glp.audit,
                    $( $key: &self.$key, )*
                }
            }

            /// Fills in what a fixture or an imported state left out (timestamps, timers),
            /// section by section.
            pub fn fill_defaults(&mut self, now: DateTime<Utc>) {
                self.glp.fill_defaults(now);
                $( Loadable::fill_defaults(&mut self.$key, now); )*
            }

            /// Checks the invariants a fixture or an imported state must satisfy, section by
            /// section.
            pub fn check(&self) -> Result<(), String> {
                self.glp.check()?;
                $( Loadable::check(&self.$key)?; )*
                Ok(())
            }
        }

        impl Section for GlpWorld {
            fn of(world: &World) -> &Self {
                &world.glp
            }
            fn of_mut(world: &mut World) -> &mut Self {
                &mut world.glp
            }
        }

        $(
            impl Section for $ty {
                fn of(world: &World) -> &Self {
                    &world.$key
                }
                fn of_mut(world: &mut World) -> &mut Self {
                    &mut world.$key
                }
            }
        )*
    };
}

world_sections! {
    /// Ivanti nSA MSP portal state (accounts, tenants, reports; see [`super::nsa`]).
    nsa: super::nsa::NsaWorld,
    /// RUCKUS One state (MSPs, their tenants, delegations, activities; see [`super::ruckus`]).
    ruckus: super::ruckus::RuckusWorld,
}

fn empty<T: Loadable>(section: &&T) -> bool {
    section.is_empty()
}

impl TryFrom<Doc> for World {
    type Error = String;

    fn try_from(doc: Doc) -> Result<Self, String> {
        if doc.settings.is_some() {
            return Err("`settings` belongs in a fixture file, not in an imported state".into());
        }
        Ok(doc.into_world())
    }
}

impl Serialize for World {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.doc(None).serialize(s)
    }
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
    /// Changes whenever the tenant does (a process-wide counter, not serialised): views that
    /// cache a tenant's rendering key on it.
    #[serde(skip, default = "super::glp::next_version")]
    pub version: u64,
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
    /// GreenLake tags, name to value (what `filter-tags` filters on).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub tags: std::collections::BTreeMap<String, String>,
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
