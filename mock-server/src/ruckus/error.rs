//! The RUCKUS error shape, `RestErrorResponse` `{errors: {<key>: {code, message, reason}}}`
//! keyed by the request member or subject at fault, and how each [`RuckusError`] is reported.

use axum::http::{StatusCode, header};
use serde_json::{Value, json};

use crate::error::{ApiError, Flavor};
use crate::limits::Quota;
use crate::state::ruckus::RuckusError;

/// The RUCKUS One error shape (`RestErrorResponse`).
#[derive(Debug, Clone, Copy)]
pub struct Ruckus;

/// A RUCKUS error.
pub type Error = ApiError<Ruckus>;

impl Ruckus {
    /// The `code` for a status when no specific code applies (RUCKUS codes look like
    /// `MSP-10001`, its generic validation error).
    pub fn code(status: StatusCode) -> &'static str {
        match status.as_u16() {
            400 | 413 | 415 => "MSP-10001",
            401 => "MSP-10401",
            403 => "MSP-10403",
            404 => "MSP-10404",
            405 => "MSP-10405",
            409 => "MSP-10409",
            429 => "MSP-10429",
            _ => "MSP-10500",
        }
    }

    /// The `reason` for a status.
    pub fn reason(status: StatusCode) -> &'static str {
        match status.as_u16() {
            400 | 413 | 415 => "Validation Error",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            429 => "Too Many Requests",
            _ => "Internal Server Error",
        }
    }

    /// The key of an error that names no request member.
    fn key(status: StatusCode) -> &'static str {
        match status.as_u16() {
            401 => "authorization",
            403 => "x-rks-tenantid",
            404 => "resource",
            429 => "rateLimit",
            s if s >= 500 => "server",
            _ => "request",
        }
    }
}

impl Flavor for Ruckus {
    fn body<F>(err: &ApiError<F>) -> Value {
        let key = err
            .field
            .clone()
            .unwrap_or_else(|| Ruckus::key(err.status).to_owned());
        let message = match &err.field {
            Some(f) if !err.message.contains(f.as_str()) => format!("{f}: {}", err.message),
            _ => err.message.clone(),
        };
        json!({
            "errors": {
                key: {
                    "code": err.code.unwrap_or_else(|| Ruckus::code(err.status)),
                    "message": message,
                    "reason": Ruckus::reason(err.status),
                }
            }
        })
    }
}

impl From<RuckusError> for Error {
    fn from(e: RuckusError) -> Self {
        use RuckusError::*;
        let message = e.to_string();
        match e {
            BadCredentials | TokenTenantGone => Error::new(StatusCode::UNAUTHORIZED, message)
                .with_header(
                    header::WWW_AUTHENTICATE,
                    "Bearer realm=\"ruckus\", error=\"invalid_token\"",
                ),
            Forbidden(_) => Error::forbidden(message).with_field("x-rks-tenantid"),
            TenantNotFound(_) => Error::not_found(message).with_field("tenantId"),
            AdminNotFound(..) => Error::not_found(message).with_field("adminId"),
            ActivityNotFound(_) => Error::not_found(message).with_field("activityId"),
            BrandingNotFound => Error::not_found(message).with_field("branding"),
            Invalid { field, .. } => Error::bad_request(message).with_field(field),
            RateLimited { limit, retry_after } => {
                let mut err = Quota {
                    limit,
                    remaining: 0,
                    reset_secs: retry_after,
                }
                .into_error::<Ruckus>();
                err.message = message;
                err
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_keyed_by_the_field_at_fault() {
        let e = Error::from(RuckusError::invalid("data[1].name", "too short"));
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            Ruckus::body(&e),
            json!({"errors": {"data[1].name": {
                "code": "MSP-10001",
                "message": "data[1].name: too short",
                "reason": "Validation Error"}}})
        );
        let e = Error::from(RuckusError::RateLimited {
            limit: 2000,
            retry_after: 3,
        });
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            e.headers.get("retry-after").and_then(|v| v.to_str().ok()),
            Some("3")
        );
        assert!(Ruckus::body(&e)["errors"]["rateLimit"]["code"] == "MSP-10429");
    }
}
