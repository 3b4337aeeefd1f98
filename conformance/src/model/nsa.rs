//! Reference model of the Ivanti nSA MSP portal: its tenants with their statuses, the tenant
//! cap, the usage reports and the report schedule, and how to read them off the wire.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

/// One nSA tenant as the model knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantModel {
    /// Tenant id.
    pub id: Uuid,
    /// `sub_domain`.
    pub sub_domain: String,
    /// `name`.
    pub name: String,
    /// Entitlements as (category, total_users), in order.
    pub subscriptions: Vec<(String, u64)>,
    /// `created` (learned).
    pub created: Option<DateTime<Utc>>,
    /// When provisioning ends (`None`: pre-existing, status learned instead).
    pub ready_at: Option<DateTime<Utc>>,
    /// The status seen at the start of the case (pre-existing tenants).
    pub learned_status: Option<String>,
    /// Blocked by the MSP.
    pub blocked: bool,
}

/// One usage report as the model knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportModel {
    /// Report id.
    pub id: Uuid,
    /// File name.
    pub file_name: String,
    /// Generation time.
    pub created: String,
}

/// The usage-report schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleModel {
    /// `frequency`.
    pub frequency: String,
    /// `start_day`.
    pub start_day: u64,
    /// `disabled`.
    pub disabled: bool,
}

impl Default for ScheduleModel {
    fn default() -> Self {
        ScheduleModel {
            frequency: "daily".into(),
            start_day: 1,
            disabled: false,
        }
    }
}

impl ScheduleModel {
    /// What the portal stores for a POST with these fields, or `None` when it must refuse it.
    pub fn from_request(
        frequency: Option<&str>,
        start_day: Option<u8>,
        disabled: Option<bool>,
    ) -> Option<ScheduleModel> {
        let frequency = frequency.unwrap_or("daily");
        let start_day = u64::from(start_day.unwrap_or(1));
        let ok = match frequency {
            "daily" => start_day <= 28,
            "weekly" => start_day <= 6,
            "monthly" => (1..=28).contains(&start_day),
            _ => false,
        };
        ok.then(|| ScheduleModel {
            frequency: frequency.to_string(),
            start_day,
            disabled: disabled.unwrap_or(false),
        })
    }

    /// The schedule as the portal echoes it.
    pub fn json(&self) -> Value {
        json!({"frequency": self.frequency, "start_day": self.start_day, "disabled": self.disabled})
    }
}

/// The MSP portal account's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NsaModel {
    /// Tenants, oldest first (the list order).
    pub tenants: Vec<TenantModel>,
    /// Reports, oldest first (the list shows them newest first).
    pub reports: Vec<ReportModel>,
    /// The tenant cap (learned from the first listing).
    pub cap: usize,
    /// The stored schedule (`None`: the default).
    pub schedule: Option<ScheduleModel>,
    /// Tenant ids deleted during the case.
    pub gone_tenants: Vec<Uuid>,
    /// Report ids deleted during the case.
    pub gone_reports: Vec<Uuid>,
}

/// A sub-domain the spec accepts (a DNS label).
pub fn valid_sub_domain(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A tenant's `status`.
pub fn status_text(v: &Value) -> Option<String> {
    v.get("status").and_then(Value::as_str).map(str::to_string)
}

/// The RFC 3339 time at `k`.
pub fn time(v: &Value, k: &str) -> Option<DateTime<Utc>> {
    v.get(k)
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// A tenant's entitlements as (category, total_users).
pub fn subs_of(v: &Value) -> Vec<(String, u64)> {
    v.get("subscriptions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|s| {
                    (
                        s.get("category")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        s.get("total_users").and_then(Value::as_u64).unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The uuid `id` of an item.
pub fn id_of(v: &Value) -> Result<Uuid, String> {
    v.get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| format!("item has no uuid `id`: {v}"))
}

/// A usage report as the model holds it (`None` without id, file name or time).
pub fn report_of(v: &Value) -> Option<ReportModel> {
    Some(ReportModel {
        id: id_of(v).ok()?,
        file_name: v.get("file_name")?.as_str()?.to_string(),
        created: v.get("created")?.as_str()?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_rules() {
        assert_eq!(
            ScheduleModel::from_request(None, None, None),
            Some(ScheduleModel::default())
        );
        assert!(ScheduleModel::from_request(Some("weekly"), Some(7), None).is_none());
        assert!(ScheduleModel::from_request(Some("monthly"), Some(0), None).is_none());
        assert!(ScheduleModel::from_request(Some("daily"), Some(29), None).is_none());
        assert!(ScheduleModel::from_request(Some("hourly"), None, None).is_none());
        assert_eq!(
            ScheduleModel::from_request(Some("daily"), Some(0), Some(true)).map(|s| s.start_day),
            Some(0)
        );
    }

    #[test]
    fn sub_domains_are_dns_labels() {
        assert!(valid_sub_domain("beta-2"));
        assert!(!valid_sub_domain("Bad_Sub"));
        assert!(!valid_sub_domain("-x"));
        assert!(!valid_sub_domain(""));
    }
}
