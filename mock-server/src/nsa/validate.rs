//! Validation of nSA request bodies against `openapi/nsa-msp.yaml`; every error names the field.

use std::collections::HashSet;

use serde_json::{Map, Value};
use uuid::Uuid;

use super::Error;
use crate::state::Secret;
use crate::state::nsa::{Category, NewTenant, Schedule, Subscription, TenantUser};

fn bad(field: impl Into<String>, issue: impl std::fmt::Display) -> Error {
    let field = field.into();
    Error::bad_request(format!("{field} {issue}")).with_field(field)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn string(o: &Map<String, Value>, field: &str, path: &str, max: usize) -> Result<String, Error> {
    match o.get(field) {
        None | Some(Value::Null) => Err(bad(path, "is required")),
        Some(Value::String(s)) if s.trim().is_empty() => Err(bad(path, "must not be empty")),
        Some(Value::String(s)) if s.chars().count() > max => {
            Err(bad(path, format!("must be at most {max} characters")))
        }
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v) => Err(bad(path, format!("must be a string, got {}", kind(v)))),
    }
}

/// Whether `s` is a DNS label: lowercase letters, digits and inner hyphens, 1–63 characters.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A plausible e-mail address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
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

/// Parses the urlencoded sign-in form.
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

fn subscriptions(o: &Map<String, Value>) -> Result<Vec<Subscription>, Error> {
    let items = match o.get("subscriptions") {
        None | Some(Value::Null) => return Err(bad("subscriptions", "is required")),
        Some(Value::Array(a)) => a,
        Some(v) => {
            return Err(bad(
                "subscriptions",
                format!("must be an array, got {}", kind(v)),
            ));
        }
    };
    if items.is_empty() || items.len() > 10 {
        return Err(bad(
            "subscriptions",
            format!("must hold 1 to 10 entitlements, got {}", items.len()),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = |f: &str| format!("subscriptions[{i}].{f}");
        let Value::Object(s) = item else {
            return Err(bad(
                format!("subscriptions[{i}]"),
                format!("must be an object, got {}", kind(item)),
            ));
        };
        let raw_id = string(s, "id", &p("id"), 64)?;
        let id = Uuid::try_parse(&raw_id)
            .map_err(|_| bad(p("id"), format!("must be a uuid, got {raw_id:?}")))?;
        if !seen.insert(id) {
            return Err(bad(
                p("id"),
                format!("repeats subscription {id}: at most one entitlement per subscription"),
            ));
        }
        let raw_cat = string(s, "category", &p("category"), 16)?;
        let category = Category::parse(&raw_cat).ok_or_else(|| {
            bad(
                p("category"),
                format!("must be ZTA or PCS, got {raw_cat:?}"),
            )
        })?;
        let total_users = match s.get("total_users") {
            None | Some(Value::Null) => return Err(bad(p("total_users"), "is required")),
            Some(v) => match v.as_u64() {
                Some(n) if (1..=1_000_000).contains(&n) => n,
                _ => {
                    return Err(bad(
                        p("total_users"),
                        format!("must be an integer from 1 to 1000000, got {v}"),
                    ));
                }
            },
        };
        out.push(Subscription {
            id,
            category,
            total_users,
            display_name: None,
        });
    }
    Ok(out)
}

/// Validates a `TenantCreateEntity`.
pub fn new_tenant(body: &Value) -> Result<NewTenant, Error> {
    let o = body
        .as_object()
        .ok_or_else(|| Error::bad_request("request body must be a JSON object"))?;
    let sub_domain = string(o, "sub_domain", "sub_domain", 63)?;
    if !is_dns_label(&sub_domain) {
        return Err(bad(
            "sub_domain",
            format!(
                "must be a DNS label (lowercase letters, digits and inner hyphens, at most 63 \
                 characters), got {sub_domain:?}"
            ),
        ));
    }
    let user = match o.get("user") {
        None | Some(Value::Null) => return Err(bad("user", "is required")),
        Some(Value::Object(u)) => u,
        Some(v) => return Err(bad("user", format!("must be an object, got {}", kind(v)))),
    };
    let username = string(user, "username", "user.username", 128)?;
    let email = string(user, "email", "user.email", 254)?;
    if !is_email(&email) {
        return Err(bad(
            "user.email",
            format!("must be an e-mail address, got {email:?}"),
        ));
    }
    let name = string(o, "name", "name", 128)?;
    if let Some(c) = o.get("created")
        && !c.is_null()
        && c.as_str()
            .is_none_or(|s| chrono::DateTime::parse_from_rfc3339(s).is_err())
    {
        return Err(bad(
            "created",
            format!("must be an RFC 3339 date-time, got {c}"),
        ));
    }
    Ok(NewTenant {
        sub_domain,
        user: TenantUser { username, email },
        name,
        subscriptions: subscriptions(o)?,
    })
}

/// Validates a `TenantUpdateEntity`.
pub fn tenant_update(body: &Value) -> Result<(String, Vec<Subscription>), Error> {
    let o = body
        .as_object()
        .ok_or_else(|| Error::bad_request("request body must be a JSON object"))?;
    let name = string(o, "name", "name", 128)?;
    Ok((name, subscriptions(o)?))
}

/// Validates a `TenantCapLimitRequest`.
pub fn cap_request(body: &Value) -> Result<(usize, Option<String>), Error> {
    let o = body
        .as_object()
        .ok_or_else(|| Error::bad_request("request body must be a JSON object"))?;
    let limit = match o.get("requested_limit") {
        None | Some(Value::Null) => return Err(bad("requested_limit", "is required")),
        Some(v) => match v.as_u64() {
            Some(n) if (1..=100_000).contains(&n) => n as usize,
            _ => {
                return Err(bad(
                    "requested_limit",
                    format!("must be an integer from 1 to 100000, got {v}"),
                ));
            }
        },
    };
    let reason = match o.get("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= 1024 => Some(s.clone()),
        Some(Value::String(_)) => return Err(bad("reason", "must be at most 1024 characters")),
        Some(v) => return Err(bad("reason", format!("must be a string, got {}", kind(v)))),
    };
    Ok((limit, reason))
}

/// Validates a `UsageReportScheduleEntity`, applying the documented defaults and the
/// per-frequency `start_day` rule.
pub fn schedule(body: &Value) -> Result<Schedule, Error> {
    let o = body
        .as_object()
        .ok_or_else(|| Error::bad_request("request body must be a JSON object"))?;
    let frequency = match o.get("frequency") {
        None | Some(Value::Null) => "daily".to_owned(),
        Some(Value::String(s)) if matches!(s.as_str(), "daily" | "weekly" | "monthly") => s.clone(),
        Some(v) => {
            return Err(bad(
                "frequency",
                format!("must be one of daily, weekly, monthly, got {v}"),
            ));
        }
    };
    let start_day = match o.get("start_day") {
        None | Some(Value::Null) => 1,
        Some(v) => match v.as_u64() {
            Some(n) if n <= 28 => n as u32,
            _ => {
                return Err(bad(
                    "start_day",
                    format!("must be an integer from 0 to 28, got {v}"),
                ));
            }
        },
    };
    match frequency.as_str() {
        "weekly" if start_day > 6 => {
            return Err(bad(
                "start_day",
                format!(
                    "must be 0 (Monday) to 6 (Sunday) when frequency is weekly, got {start_day}"
                ),
            ));
        }
        "monthly" if !(1..=28).contains(&start_day) => {
            return Err(bad(
                "start_day",
                format!(
                    "must be a day of the month from 1 to 28 when frequency is monthly, got {start_day}"
                ),
            ));
        }
        _ => {}
    }
    let disabled = match o.get("disabled") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => {
            return Err(bad(
                "disabled",
                format!("must be a boolean, got {}", kind(v)),
            ));
        }
    };
    Ok(Schedule {
        frequency,
        start_day,
        disabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dns_labels_and_emails() {
        assert!(is_dns_label("acme-retail1"));
        for bad in ["", "-a", "a-", "Acme", "a_b", &"a".repeat(64)] {
            assert!(!is_dns_label(bad), "{bad}");
        }
        assert!(is_email("a@b.example"));
        for bad in ["a", "a@b", "@b.c", "a b@c.d", "a@.c"] {
            assert!(!is_email(bad), "{bad}");
        }
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
        assert!(schedule(&json!({"frequency": "hourly"})).is_err());
        assert_eq!(
            schedule(&json!({"frequency": "daily", "start_day": 0}))
                .unwrap()
                .start_day,
            0
        );
    }
}
