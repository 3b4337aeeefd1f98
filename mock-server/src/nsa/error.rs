//! The nSA error shape (`{code, message, field?}`) and how the portal reports each
//! [`NsaError`]: its wire `code`, HTTP status and the field at fault.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::error::{ApiError, Flavor};
use crate::state::nsa::NsaError;

/// The nSA error shape: `{code, message, field?}`.
#[derive(Debug, Clone, Copy)]
pub struct Nsa;

impl Nsa {
    /// The nSA `code` for an HTTP status when no specific code applies.
    pub fn error_code(status: StatusCode, has_field: bool) -> &'static str {
        match status.as_u16() {
            400 if has_field => "invalid_field",
            400 | 413 | 415 => "invalid_request",
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            409 => "conflict",
            429 => "rate_limited",
            _ => "internal_error",
        }
    }
}

impl Flavor for Nsa {
    fn body<F>(err: &ApiError<F>) -> Value {
        let mut b = json!({
            "code": err
                .code
                .unwrap_or_else(|| Nsa::error_code(err.status, err.field.is_some())),
            "message": err.message,
        });
        if let Some(f) = &err.field {
            b["field"] = json!(f);
        }
        b
    }
}

/// An nSA error.
pub type Error = ApiError<Nsa>;

/// The status, wire `code` and field at fault of a rule's refusal.
fn wire(e: &NsaError) -> (StatusCode, &'static str, Option<&'static str>) {
    use NsaError::*;
    match e {
        NoSession => (StatusCode::UNAUTHORIZED, "unauthorized", None),
        SessionExpired | AccountGone => (StatusCode::UNAUTHORIZED, "session_expired", None),
        InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials", None),
        SubDomainTaken(_) => (StatusCode::CONFLICT, "sub_domain_taken", Some("sub_domain")),
        CapReached { .. } => (StatusCode::CONFLICT, "tenant_cap_reached", None),
        TenantNotFound(_) => (StatusCode::NOT_FOUND, "not_found", Some("tenant_id")),
        TenantInitializing(_) => (StatusCode::CONFLICT, "tenant_initializing", None),
        CapNotRaised { .. } => (
            StatusCode::BAD_REQUEST,
            "invalid_field",
            Some("requested_limit"),
        ),
        CapRequestDecided { .. } => (StatusCode::CONFLICT, "conflict", None),
        CapRequestNotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
        ReportNotFound(_) => (StatusCode::NOT_FOUND, "not_found", Some("report_id")),
        DownloadGone => (StatusCode::NOT_FOUND, "not_found", None),
    }
}

/// The admin API's status for a refused cap decision: 404 for an unknown request, else 409.
pub(super) fn admin_status(e: &NsaError) -> StatusCode {
    match wire(e).0 {
        StatusCode::NOT_FOUND => StatusCode::NOT_FOUND,
        _ => StatusCode::CONFLICT,
    }
}

impl From<NsaError> for Error {
    fn from(e: NsaError) -> Self {
        let (status, code, field) = wire(&e);
        let mut err = Error::new(status, e.to_string()).with_code(code);
        if let Some(field) = field {
            err = err.with_field(field);
        }
        err
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn body(e: NsaError) -> (u16, Value) {
        let err = Error::from(e);
        (err.status.as_u16(), Nsa::body(&err))
    }

    #[test]
    fn each_refusal_has_its_portal_code_status_and_field() {
        let id = Uuid::nil();
        let (s, b) = body(NsaError::SubDomainTaken("acme".into()));
        assert_eq!(s, 409);
        assert_eq!(
            b,
            json!({"code": "sub_domain_taken", "message": "sub_domain 'acme' is already in use",
                   "field": "sub_domain"})
        );
        let (s, b) = body(NsaError::CapNotRaised {
            current: 2,
            requested: 1,
        });
        assert_eq!(
            (s, &b["code"], &b["field"]),
            (400, &json!("invalid_field"), &json!("requested_limit"))
        );
        for (e, status, code) in [
            (NsaError::NoSession, 401, "unauthorized"),
            (NsaError::SessionExpired, 401, "session_expired"),
            (NsaError::AccountGone, 401, "session_expired"),
            (NsaError::InvalidCredentials, 401, "invalid_credentials"),
            (
                NsaError::CapReached { count: 1, cap: 1 },
                409,
                "tenant_cap_reached",
            ),
            (NsaError::TenantNotFound(id), 404, "not_found"),
            (NsaError::TenantInitializing(id), 409, "tenant_initializing"),
            (NsaError::CapRequestNotFound(id), 404, "not_found"),
            (NsaError::ReportNotFound(id), 404, "not_found"),
            (NsaError::DownloadGone, 404, "not_found"),
        ] {
            let (s, b) = body(e);
            assert_eq!((s, b["code"].as_str()), (status, Some(code)));
        }
        let (_, b) = body(NsaError::DownloadGone);
        assert!(b.get("field").is_none());
    }

    #[test]
    fn default_codes_follow_the_status() {
        assert_eq!(
            Nsa::error_code(StatusCode::BAD_REQUEST, true),
            "invalid_field"
        );
        assert_eq!(
            Nsa::error_code(StatusCode::BAD_REQUEST, false),
            "invalid_request"
        );
        assert_eq!(
            Nsa::error_code(StatusCode::TOO_MANY_REQUESTS, false),
            "rate_limited"
        );
        assert_eq!(
            Nsa::error_code(StatusCode::BAD_GATEWAY, false),
            "internal_error"
        );
    }
}
