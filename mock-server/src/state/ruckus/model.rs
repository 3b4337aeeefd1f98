//! The RUCKUS One data types: MSPs, their tenants (end customers and tech partners), the
//! tenants' administrators, delegations, venues and devices, and the MSP's branding.
//!
//! These are both the in-memory state and the fixture's `ruckus:` section (snake_case keys,
//! ids as 32 lowercase hex characters or dashed UUIDs, which serde accepts alike).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::state::model::Secret;

/// A RUCKUS One MSP tenant with its Application Token (OAuth client) and what it manages.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuckusMsp {
    /// The MSP's tenant id (the `{tenantId}` of the token URL).
    pub tenant_id: Uuid,
    /// Company name.
    pub name: String,
    /// Application Token client id.
    pub client_id: String,
    /// Application Token client secret (never printed by `Debug`).
    pub client_secret: Secret,
    /// Contact e-mail.
    #[serde(default)]
    pub email: String,
    /// When the MSP was created (filled in at load time when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// The MSP's own administrators (their ids are the `msp_admin_id`s of admin delegations).
    #[serde(default)]
    pub admins: Vec<Admin>,
    /// The tenants the MSP manages: end customers and tech partners, in creation order.
    #[serde(default)]
    pub tenants: Vec<RuckusTenant>,
    /// The MSP's own venues (usually none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub venues: Vec<Venue>,
    /// The MSP's branding, once created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<Branding>,
}

/// The kind of a managed tenant.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum TenantKind {
    /// An end customer (`MSP_EC`).
    #[default]
    #[serde(rename = "MSP_EC")]
    Customer,
    /// A tech partner that integrates the MSP's customers (`MSP_INTEGRATOR`).
    #[serde(rename = "MSP_INTEGRATOR")]
    Integrator,
    /// A tech partner that installs at the MSP's customers (`MSP_INSTALLER`).
    #[serde(rename = "MSP_INSTALLER")]
    Installer,
}

impl TenantKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "MSP_EC",
            Self::Integrator => "MSP_INTEGRATOR",
            Self::Installer => "MSP_INSTALLER",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "MSP_EC" => Some(Self::Customer),
            "MSP_INTEGRATOR" => Some(Self::Integrator),
            "MSP_INSTALLER" => Some(Self::Installer),
            _ => None,
        }
    }

    /// Whether this is a tech partner (integrator or installer).
    pub fn is_partner(self) -> bool {
        self != Self::Customer
    }
}

/// The postal and contact details of a tenant's account.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Account {
    /// Street address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Fax number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fax_number: Option<String>,
    /// Map link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping_url: Option<String>,
}

/// A tenant the MSP manages: an end customer (EC) or a tech partner.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuckusTenant {
    /// Tenant id.
    pub id: Uuid,
    /// Name, unique among the MSP's tenants.
    pub name: String,
    /// Customer or tech partner.
    #[serde(default)]
    pub kind: TenantKind,
    /// The MSP's own reference for the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Address and contact details.
    #[serde(default)]
    pub account: Account,
    /// Service start, as the MSP wrote it (`2026-01-01 00:00:00Z`).
    #[serde(default = "default_effective")]
    pub service_effective_date: String,
    /// Service end, as the MSP wrote it.
    #[serde(default = "default_expiration")]
    pub service_expiration_date: String,
    /// Account tier (`Gold`, `Platinum`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Tags set by `PATCH /tenants/{id}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Whether the customer is active (deactivated customers cannot sign in).
    #[serde(default = "yes")]
    pub active: bool,
    /// When RUCKUS support access was granted, while it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_since: Option<DateTime<Utc>>,
    /// The tenant's own administrators.
    #[serde(default)]
    pub admins: Vec<Admin>,
    /// Invitations sent to the tenant's administrators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invitations: Vec<Invitation>,
    /// For a customer: the tech partners it is delegated to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegations: Vec<Delegation>,
    /// For a customer: the MSP administrators delegated to it, with their role there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub msp_admins: Vec<AdminRole>,
    /// For a customer: the privilege groups of its MSP-administrator delegation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub privilege_group_ids: Vec<String>,
    /// For a customer: its firmware upgrade schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<FirmwareSchedule>,
    /// The customer's venues (sites).
    #[serde(default)]
    pub venues: Vec<Venue>,
    /// Access points and switches installed at the customer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<RuckusDevice>,
    /// Creation time (filled in at load time when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// Last update time (filled in at load time when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
}

fn yes() -> bool {
    true
}

fn default_effective() -> String {
    "2026-01-01 00:00:00Z".to_owned()
}

fn default_expiration() -> String {
    "2027-01-01 00:00:00Z".to_owned()
}

/// An administrator of a tenant (of the MSP or of a customer).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    /// Administrator id.
    pub id: Uuid,
    /// E-mail, unique among the tenant's administrators.
    pub email: String,
    /// Sign-in name (defaults to the e-mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    pub last_name: String,
    /// Role (`PRIME_ADMIN`, `ADMIN`, `READ_ONLY`, `OFFICE_ADMIN`).
    #[serde(default = "prime_admin")]
    pub role: String,
    /// For MSP administrators: whether they manage every customer.
    #[serde(default)]
    pub delegate_to_all_ecs: bool,
}

fn prime_admin() -> String {
    "PRIME_ADMIN".to_owned()
}

impl Admin {
    /// The sign-in name.
    pub fn user_name(&self) -> &str {
        self.user_name.as_deref().unwrap_or(&self.email)
    }
}

/// The administrator roles RUCKUS One knows.
pub const ADMIN_ROLES: &[&str] = &["PRIME_ADMIN", "ADMIN", "READ_ONLY", "OFFICE_ADMIN"];

/// An invitation e-mail sent to a customer administrator.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    /// The administrator's e-mail.
    pub email: String,
    /// When it was last sent.
    pub sent: DateTime<Utc>,
    /// How many times it was sent.
    pub count: u32,
}

/// A customer's delegation to a tech partner.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Delegation {
    /// Delegation id.
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    /// The tech partner's tenant id.
    pub partner: Uuid,
    /// Integrator or installer (the partner's kind).
    pub kind: TenantKind,
    /// When it was made (filled in at load time when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// When it ends by itself (`number_of_days` after it was made), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
}

impl Delegation {
    /// Whether the delegation is in force at `now`.
    pub fn live(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_none_or(|e| now < e)
    }
}

/// An MSP administrator delegated to a customer, with the role they have there.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdminRole {
    /// The MSP administrator's id.
    pub admin: Uuid,
    /// Their role at the customer.
    pub role: String,
}

/// A customer's firmware upgrade schedule.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FirmwareSchedule {
    /// The upgrade (`AP_FIRMWARE_UPGRADE`).
    pub operation: String,
    /// Recurring: week days.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<String>,
    /// Recurring: time slots (`00:00-02:00`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_slots: Vec<String>,
    /// Once: the date (`2026-05-01`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Once: the time slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_slot: Option<String>,
}

/// A venue (site) of a tenant.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Venue {
    /// Venue id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line: Option<String>,
    /// City.
    pub city: String,
    /// Country.
    pub country: String,
    /// ISO country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// IANA time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Latitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    /// Longitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Wireless clients connected now.
    #[serde(default)]
    pub clients: u32,
}

/// An access point or switch installed at a customer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuckusDevice {
    /// Serial number.
    pub serial_number: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Model (`R750`, `ICX7150-C12P`).
    #[serde(default)]
    pub model: String,
    /// `AP` or `SWITCH`.
    #[serde(default = "ap")]
    pub kind: String,
    /// MAC address.
    #[serde(default)]
    pub mac: String,
    /// `ONLINE` or `OFFLINE`.
    #[serde(default = "online")]
    pub status: String,
    /// The venue it is installed at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<Uuid>,
    /// Firmware version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
}

fn ap() -> String {
    "AP".to_owned()
}

fn online() -> String {
    "ONLINE".to_owned()
}

/// An MSP's branding: its label (unique across MSPs) and the other settings as sent.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// The MSP label (a host-name label), unique across MSPs.
    pub msp_label: String,
    /// The other members of the last `UpdateMspRequest`, as sent.
    #[serde(default)]
    pub settings: serde_json::Map<String, serde_json::Value>,
}
