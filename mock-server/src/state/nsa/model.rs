//! The nSA data model: MSP accounts, tenants, subscriptions, reports, the schedule, cap
//! requests and download tokens, plus the inputs and answers of the rules.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::state::model::Secret;

/// An MSP's portal account, its tenants and its reports.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NsaMsp {
    /// Admin user name for the form login (unique).
    pub username: String,
    /// Admin password (never printed by `Debug`).
    pub password: Secret,
    /// When set, the login `realm` must equal it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// MSP display name.
    #[serde(default)]
    pub name: String,
    /// Most tenants the MSP may own.
    #[serde(default = "default_cap")]
    pub tenant_cap_limit: usize,
    /// The MSP's subscriptions (tenants' entitlements draw on them); used for display names.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// Tenants, oldest first.
    #[serde(default)]
    pub tenants: Vec<NsaTenant>,
    /// Generated usage reports, oldest first.
    #[serde(default)]
    pub reports: Vec<UsageReport>,
    /// The report schedule, once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Cap-increase requests, oldest first.
    #[serde(default)]
    pub cap_requests: Vec<CapRequest>,
}

fn default_cap() -> usize {
    10
}

/// A tenant's first admin user.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TenantUser {
    /// User name.
    pub username: String,
    /// Login e-mail.
    pub email: String,
}

/// A subscription entitlement.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// Subscription id.
    pub id: Uuid,
    /// `ZTA` or `PCS`.
    pub category: Category,
    /// Users entitled.
    #[serde(default)]
    pub total_users: u64,
    /// Display name (derived from the MSP's subscription or the category when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// Product family of a subscription.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Category {
    /// nZTA.
    #[serde(rename = "ZTA")]
    Zta,
    /// Ivanti Connect Secure.
    #[serde(rename = "PCS")]
    Pcs,
}

impl Category {
    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ZTA" => Some(Self::Zta),
            "PCS" => Some(Self::Pcs),
            _ => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zta => "ZTA",
            Self::Pcs => "PCS",
        }
    }

    /// The portal's display category.
    pub fn display_category(self) -> &'static str {
        match self {
            Self::Zta => "Zero Trust Access",
            Self::Pcs => "Connect Secure",
        }
    }

    /// Display name used when the MSP has no subscription with the id.
    pub fn default_display_name(self) -> &'static str {
        match self {
            Self::Zta => "nZTA",
            Self::Pcs => "Ivanti Connect Secure",
        }
    }
}

/// A tenant of an nSA MSP.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NsaTenant {
    /// Tenant id.
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    /// Portal sub-domain, unique across all tenants.
    pub sub_domain: String,
    /// First admin user.
    pub user: TenantUser,
    /// Tenant name.
    pub name: String,
    /// Creation time (filled at load time when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// Provisioning ends at this time; `None` means already provisioned. The world schedules
    /// the end in its deferred table (created, or rebuilt on load, from this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_at: Option<DateTime<Utc>>,
    /// Blocked by the MSP.
    #[serde(default)]
    pub blocked: bool,
    /// Entitlements.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

/// A tenant's status as the portal shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantStatus {
    /// Usable.
    Active,
    /// Blocked by the MSP.
    Blocked,
    /// Still being provisioned.
    Initializing,
}

impl TenantStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Blocked => "blocked",
            Self::Initializing => "initializing",
        }
    }
}

impl NsaTenant {
    /// The status given whether its provisioning is still running: `initializing` while it is,
    /// then `blocked` or `active` (see [`NsaWorld::tenant_status`](super::NsaWorld::tenant_status)).
    pub fn status(&self, provisioning: bool) -> TenantStatus {
        if provisioning {
            TenantStatus::Initializing
        } else if self.blocked {
            TenantStatus::Blocked
        } else {
            TenantStatus::Active
        }
    }

    /// Users entitled in `category`.
    pub fn users(&self, category: Category) -> u64 {
        self.subscriptions
            .iter()
            .filter(|s| s.category == category)
            .map(|s| s.total_users)
            .sum()
    }
}

/// A generated usage report with its CSV snapshot.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UsageReport {
    /// Report id.
    pub id: Uuid,
    /// CSV file name.
    pub file_name: String,
    /// Generation time.
    pub created: DateTime<Utc>,
    /// The CSV text, as of generation.
    pub csv: String,
}

/// The usage-report schedule.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// `daily`, `weekly` or `monthly`.
    pub frequency: String,
    /// Day of week (weekly, 0 = Monday) or of month (monthly, 1–28); ignored for daily.
    pub start_day: u32,
    /// Scheduled generation switched off.
    pub disabled: bool,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            frequency: "daily".into(),
            start_day: 1,
            disabled: false,
        }
    }
}

/// A request to raise the tenant cap.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CapRequest {
    /// Request id.
    pub id: Uuid,
    /// The cap asked for.
    pub requested_limit: usize,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it was filed.
    pub created: DateTime<Utc>,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// When it was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<DateTime<Utc>>,
}

/// A download token's target.
#[derive(Clone, Debug, PartialEq)]
pub struct Download {
    /// MSP username.
    pub username: String,
    /// Report id.
    pub report: Uuid,
    /// When the URL stops working.
    pub expires: DateTime<Utc>,
}

/// Live download tokens; `Debug` shows only the count.
#[derive(Clone, Default, PartialEq)]
pub struct Downloads(pub HashMap<String, Download>);

impl fmt::Debug for Downloads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Downloads({} live)", self.0.len())
    }
}

/// Validated fields of a tenant create.
#[derive(Clone, Debug, PartialEq)]
pub struct NewTenant {
    /// Sub-domain (already a valid DNS label).
    pub sub_domain: String,
    /// First admin.
    pub user: TenantUser,
    /// Name.
    pub name: String,
    /// Entitlements.
    pub subscriptions: Vec<Subscription>,
}

/// What `GET /api/msp/tenants` computes.
#[derive(Clone, Debug)]
pub struct TenantList {
    /// Tenants across all pages.
    pub total: usize,
    /// This page, each with its status.
    pub tenants: Vec<(NsaTenant, TenantStatus)>,
    /// Users entitled per category over all tenants (ZTA, PCS).
    pub users: (u64, u64),
    /// Tenant count per status (active, blocked, initializing).
    pub stats: (usize, usize, usize),
    /// The cap.
    pub cap: usize,
}

/// The outcome of a delete of several reports.
#[derive(Clone, Debug, PartialEq)]
pub struct DeleteOutcome {
    /// How many were named.
    pub asked: usize,
    /// Those not deleted: the id as sent and the file name (empty for unknown ids).
    pub failed: Vec<(String, String)>,
}
