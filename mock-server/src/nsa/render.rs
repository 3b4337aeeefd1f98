//! How the nSA portal renders its section: tenants, usage reports and the report schedule as
//! the MSP API shows them (snake_case, timestamps in whole seconds).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::state::nsa::{NsaTenant, Schedule, TenantStatus, UsageReport};

/// nSA timestamps: RFC 3339 in UTC with whole seconds (`2026-01-01T00:00:00Z`), unlike
/// GreenLake's milliseconds.
pub(crate) fn rfc3339_secs(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A tenant with its status at `now`.
pub(crate) fn tenant_json(t: &NsaTenant, status: TenantStatus, now: DateTime<Utc>) -> Value {
    json!({
        "id": t.id,
        "sub_domain": t.sub_domain,
        "user": {"username": t.user.username, "email": t.user.email},
        "name": t.name,
        "created": rfc3339_secs(t.created.unwrap_or(now)),
        "subscriptions": t.subscriptions.iter().map(|s| json!({
            "id": s.id,
            "display_name": s.display_name.clone()
                .unwrap_or_else(|| s.category.default_display_name().to_owned()),
            "category": s.category.as_str(),
            "total_users": s.total_users,
            "display_category": s.category.display_category(),
        })).collect::<Vec<_>>(),
        "login_url": format!("https://{}.pulsezta.net/login/admin", t.sub_domain),
        "status": status.as_str(),
    })
}

/// A usage report.
pub(crate) fn report_json(r: &UsageReport) -> Value {
    json!({"id": r.id, "file_name": r.file_name, "created": rfc3339_secs(r.created)})
}

/// The report schedule.
pub(crate) fn schedule_json(s: &Schedule) -> Value {
    json!({"frequency": s.frequency, "start_day": s.start_day, "disabled": s.disabled})
}
