//! Conversion of nSA request bodies (`openapi/nsa-msp.yaml`) into the domain's input types, plus
//! the rules the schemas cannot state. Field constraints (lengths, the DNS label, e-mail and uuid
//! formats, categories, bounds) are the spec's and are checked by the extractor before these
//! run; every error names the field.

use std::collections::HashSet;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use super::Error;
use crate::state::Secret;
use crate::state::nsa::{Category, NewTenant, Schedule, Subscription, TenantUser};

fn bad(field: impl Into<String>, issue: impl std::fmt::Display) -> Error {
    let field = field.into();
    Error::bad_request(format!("{field} {issue}")).with_field(field)
}

/// Reads a schema-valid body into `T`; a body that does not fit answers 400.
fn convert<T: DeserializeOwned>(body: &Value) -> Result<T, Error> {
    T::deserialize(body).map_err(|e| Error::bad_request(format!("request body {e}")))
}

/// A `SubscriptionEntity` of a request.
#[derive(Deserialize)]
struct SubscriptionIn {
    id: Uuid,
    category: Category,
    total_users: u64,
}

/// A `TenantAdminUserEntity`.
#[derive(Deserialize)]
struct UserIn {
    username: String,
    email: String,
}

/// A `TenantCreateEntity` (`created` is ignored: the server records its own).
#[derive(Deserialize)]
struct TenantCreateIn {
    sub_domain: String,
    user: UserIn,
    name: String,
    subscriptions: Vec<SubscriptionIn>,
}

/// A `TenantUpdateEntity`.
#[derive(Deserialize)]
struct TenantUpdateIn {
    name: String,
    subscriptions: Vec<SubscriptionIn>,
}

/// A `TenantCapLimitRequest`.
#[derive(Deserialize)]
struct CapIn {
    requested_limit: usize,
    reason: Option<String>,
}

/// A `UsageReportScheduleEntity`, with the spec's defaults.
#[derive(Deserialize)]
struct ScheduleIn {
    #[serde(default = "daily")]
    frequency: String,
    #[serde(default = "first_day")]
    start_day: u32,
    #[serde(default)]
    disabled: bool,
}

fn daily() -> String {
    "daily".to_owned()
}

fn first_day() -> u32 {
    1
}

/// The login form fields.
pub struct LoginForm {
    /// User name.
    pub username: String,
    /// Password.
    pub password: Secret,
    /// Realm.
    pub realm: String,
}

/// Parses the urlencoded sign-in form. Form bodies do not pass the JSON extractor, so the
/// spec's `LoginForm` constraints (each field present, 1–255 characters) are still checked here,
/// with the one rule a schema cannot state: each field is sent once.
pub fn login_form(body: &[u8]) -> Result<LoginForm, Error> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|e| {
        Error::bad_request(format!(
            "the sign-in form must be application/x-www-form-urlencoded: {e}"
        ))
    })?;
    let get = |name: &str| -> Result<String, Error> {
        let mut values = pairs.iter().filter(|(k, _)| k == name);
        let v = values
            .next()
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| bad(name, "is required"))?;
        if values.next().is_some() {
            return Err(bad(name, "must be sent once"));
        }
        if v.chars().count() > 255 {
            return Err(bad(name, "must be at most 255 characters"));
        }
        Ok(v)
    };
    Ok(LoginForm {
        username: get("username")?,
        password: Secret(get("password")?),
        realm: get("realm")?,
    })
}

/// Cross-item rule of `subscriptions`: at most one entitlement per subscription id.
fn subscriptions(items: Vec<SubscriptionIn>) -> Result<Vec<Subscription>, Error> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, s) in items.into_iter().enumerate() {
        if !seen.insert(s.id) {
            return Err(bad(
                format!("subscriptions[{i}].id"),
                format!(
                    "repeats subscription {}: at most one entitlement per subscription",
                    s.id
                ),
            ));
        }
        out.push(Subscription {
            id: s.id,
            category: s.category,
            total_users: s.total_users,
            display_name: None,
        });
    }
    Ok(out)
}

/// Converts a `TenantCreateEntity`; cross-item rule: the subscription ids are distinct.
pub fn new_tenant(body: &Value) -> Result<NewTenant, Error> {
    let t: TenantCreateIn = convert(body)?;
    Ok(NewTenant {
        sub_domain: t.sub_domain,
        user: TenantUser {
            username: t.user.username,
            email: t.user.email,
        },
        name: t.name,
        subscriptions: subscriptions(t.subscriptions)?,
    })
}

/// Converts a `TenantUpdateEntity`; cross-item rule: the subscription ids are distinct.
pub fn tenant_update(body: &Value) -> Result<(String, Vec<Subscription>), Error> {
    let t: TenantUpdateIn = convert(body)?;
    Ok((t.name, subscriptions(t.subscriptions)?))
}

/// Converts a `TenantCapLimitRequest` (no rule beyond the schema's).
pub fn cap_request(body: &Value) -> Result<(usize, Option<String>), Error> {
    let c: CapIn = convert(body)?;
    Ok((c.requested_limit, c.reason))
}

/// Converts a `UsageReportScheduleEntity`, applying the documented defaults; cross-field rule:
/// `start_day` must fit `frequency` (0–6 for `weekly`, 1–28 for `monthly`).
pub fn schedule(body: &Value) -> Result<Schedule, Error> {
    let s: ScheduleIn = convert(body)?;
    match s.frequency.as_str() {
        "weekly" if s.start_day > 6 => {
            return Err(bad(
                "start_day",
                format!(
                    "must be 0 (Monday) to 6 (Sunday) when frequency is weekly, got {}",
                    s.start_day
                ),
            ));
        }
        "monthly" if !(1..=28).contains(&s.start_day) => {
            return Err(bad(
                "start_day",
                format!(
                    "must be a day of the month from 1 to 28 when frequency is monthly, got {}",
                    s.start_day
                ),
            ));
        }
        _ => {}
    }
    Ok(Schedule {
        frequency: s.frequency,
        start_day: s.start_day,
        disabled: s.disabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // The DNS-label and e-mail rules (and `frequency: hourly`) are the spec's now: see
    // `nsa_violations_name_the_field_first` in `validation.rs`.

    #[test]
    fn repeated_subscriptions_are_refused() {
        let id = "6f0b8c2e-4d1a-4e3b-9c7d-2a5f1e8b3c90";
        let sub = json!({"id": id, "category": "ZTA", "total_users": 1});
        let e = tenant_update(&json!({"name": "n", "subscriptions": [sub, sub]})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("subscriptions[1].id"));
        assert!(e.message.contains("at most one entitlement"));
        let (name, subs) = tenant_update(&json!({"name": "n", "subscriptions": [sub]})).unwrap();
        assert_eq!((name.as_str(), subs.len()), ("n", 1));
    }

    #[test]
    fn schedule_rules_name_the_field() {
        let d = schedule(&json!({})).unwrap();
        assert_eq!(
            (d.frequency.as_str(), d.start_day, d.disabled),
            ("daily", 1, false)
        );
        let e = schedule(&json!({"frequency": "weekly", "start_day": 7})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("start_day"));
        assert!(e.message.contains("weekly"));
        assert!(schedule(&json!({"frequency": "monthly", "start_day": 0})).is_err());
        assert_eq!(
            schedule(&json!({"frequency": "daily", "start_day": 0}))
                .unwrap()
                .start_day,
            0
        );
    }
}
