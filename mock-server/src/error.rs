//! Error responses, one body shape per API family.
//!
//! - [`GlpStandard`]: GreenLake's `{debugId, httpStatusCode, errorCode, message}`
//!   (`/workspaces/v1`, and every GreenLake route without a more specific shape).
//! - [`GlpDoc`]: the `/workspace-management/v1` document shape `{"error": {code, message, ...}}`.
//! - OAuth errors (`{error, error_description}`) live in [`crate::sso`], nSA's in [`crate::nsa`].
//!
//! Handlers return [`ApiError<F>`] with the flavour of their API; middleware that only knows a
//! path (faults, 404/405 fallbacks) uses [`error_for_path`], which asks the vendor table.

use std::marker::PhantomData;

use axum::Json;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::GlpError;

/// An error body shape.
pub trait Flavor: Send + Sync + 'static {
    /// Renders the JSON body of `err`.
    fn body<F>(err: &ApiError<F>) -> serde_json::Value;
}

/// GreenLake's standard error body (`StandardErrorResponse`).
#[derive(Debug, Clone, Copy)]
pub struct GlpStandard;

/// The `/workspace-management/v1` document's `{"error": {...}}` body.
#[derive(Debug, Clone, Copy)]
pub struct GlpDoc;

/// GreenLake `errorCode` for an HTTP status.
fn glp_error_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "HPE_GL_ERROR_BAD_REQUEST",
        401 => "HPE_GL_ERROR_UNAUTHORIZED",
        403 => "HPE_GL_ERROR_FORBIDDEN",
        404 => "HPE_GL_ERROR_NOT_FOUND",
        405 => "HPE_GL_ERROR_METHOD_NOT_ALLOWED",
        409 => "HPE_GL_ERROR_CONFLICT",
        412 => "HPE_GL_ERROR_PRECONDITION_FAILED",
        413 => "HPE_GL_ERROR_PAYLOAD_TOO_LARGE",
        415 => "HPE_GL_ERROR_UNSUPPORTED_MEDIA_TYPE",
        422 => "HPE_GL_ERROR_UNPROCESSABLE_ENTITY",
        429 => "HPE_GL_ERROR_TOO_MANY_REQUESTS",
        451 => "HPE_GL_ERROR_UNAVAILABLE_FOR_LEGAL_REASONS",
        502 => "HPE_GL_ERROR_BAD_GATEWAY",
        503 => "HPE_GL_ERROR_SERVICE_UNAVAILABLE",
        504 => "HPE_GL_ERROR_GATEWAY_TIMEOUT",
        _ => "HPE_GL_ERROR_INTERNAL_SERVER_ERROR",
    }
}

/// The `/workspace-management/v1` error `code` for an HTTP status.
fn doc_error_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        409 => "CONFLICT",
        412 => "PRECONDITION_FAILED",
        413 => "PAYLOAD_TOO_LARGE",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        422 => "VALIDATION_ERROR",
        429 => "RATE_LIMITED",
        451 => "UNAVAILABLE_FOR_LEGAL_REASONS",
        503 => "SERVICE_UNAVAILABLE",
        _ => "INTERNAL_ERROR",
    }
}

fn debug_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl Flavor for GlpStandard {
    fn body<F>(err: &ApiError<F>) -> serde_json::Value {
        let message = match &err.field {
            Some(field) if !err.message.starts_with(field.as_str()) => {
                format!("{field}: {}", err.message)
            }
            _ => err.message.clone(),
        };
        json!({
            "debugId": debug_id(),
            "httpStatusCode": err.status.as_u16(),
            "errorCode": glp_error_code(err.status),
            "message": message,
        })
    }
}

impl Flavor for GlpDoc {
    fn body<F>(err: &ApiError<F>) -> serde_json::Value {
        let mut e = json!({
            "code": err.code.unwrap_or_else(|| match (err.status.as_u16(), &err.field) {
                (400, Some(_)) => "VALIDATION_ERROR",
                _ => doc_error_code(err.status),
            }),
            "message": match &err.field {
                Some(f) => format!("{f}: {}", err.message),
                None => err.message.clone(),
            },
        });
        if let Some(field) = &err.field {
            e["details"] = json!([{"field": field, "issue": err.message}]);
        }
        json!({ "error": e })
    }
}

/// The parts of an [`ApiError`].
#[derive(Debug)]
pub struct ErrorParts {
    /// HTTP status.
    pub status: StatusCode,
    /// Message naming the field or rule.
    pub message: String,
    /// Extra headers (`WWW-Authenticate`, rate-limit headers...).
    pub headers: HeaderMap,
    /// A specific error code (document view: `DUPLICATE_NAME`...); default from the status.
    pub code: Option<&'static str>,
    /// The field at fault, when the error is about one.
    pub field: Option<String>,
}

/// An API error in the shape of flavour `F` (boxed, so `Result<_, ApiError>` stays small).
#[derive(Debug)]
pub struct ApiError<F = GlpStandard> {
    parts: Box<ErrorParts>,
    _flavor: PhantomData<F>,
}

impl<F> std::ops::Deref for ApiError<F> {
    type Target = ErrorParts;
    fn deref(&self) -> &ErrorParts {
        &self.parts
    }
}

impl<F> std::ops::DerefMut for ApiError<F> {
    fn deref_mut(&mut self) -> &mut ErrorParts {
        &mut self.parts
    }
}

impl<F: Flavor> ApiError<F> {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            parts: Box::new(ErrorParts {
                status,
                message: message.into(),
                headers: HeaderMap::new(),
                code: None,
                field: None,
            }),
            _flavor: PhantomData,
        }
    }

    /// Names the field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Sets a specific error code.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 422.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// Adds a header (silently skipped if the value is not a valid header value).
    pub fn with_header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.insert(name, v);
        }
        self
    }

    /// Re-labels the error with another flavour (same status, message and headers).
    pub fn into_flavor<G: Flavor>(self) -> ApiError<G> {
        ApiError {
            parts: self.parts,
            _flavor: PhantomData,
        }
    }
}

impl<F: Flavor> IntoResponse for ApiError<F> {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(F::body(&self))).into_response();
        resp.headers_mut().extend(self.parts.headers);
        resp
    }
}

impl<F: Flavor> From<GlpError> for ApiError<F> {
    fn from(e: GlpError) -> Self {
        let status = match &e {
            GlpError::NotFound(_)
            | GlpError::NotManaged { .. }
            | GlpError::NotATenant(_)
            | GlpError::Hidden(_) => StatusCode::NOT_FOUND,
            GlpError::NameTaken(_)
            | GlpError::CapReached { .. }
            | GlpError::HasDevices { .. }
            | GlpError::HasTenants { .. } => StatusCode::CONFLICT,
            GlpError::NeedsMspToken | GlpError::ForeignMsp => StatusCode::FORBIDDEN,
        };
        let message = match &e {
            // Do not reveal that a tenant exists under another MSP.
            GlpError::NotManaged { tenant, .. } => format!("tenant {tenant} not found"),
            GlpError::NotFound(id) => format!("tenant {id} not found"),
            other => other.to_string(),
        };
        let code = match &e {
            GlpError::NameTaken(_) => Some("DUPLICATE_NAME"),
            GlpError::CapReached { .. } => Some("TENANT_LIMIT_REACHED"),
            GlpError::HasDevices { .. } | GlpError::HasTenants { .. } => {
                Some("WORKSPACE_NOT_EMPTY")
            }
            _ => None,
        };
        let mut err = Self::new(status, message);
        err.code = code;
        err
    }
}

/// An error response in the shape the API at `path` uses (for middleware and fallbacks): the
/// first vendor in [`crate::vendor::VENDORS`] claiming the path renders it, GreenLake's
/// standard shape otherwise.
pub fn error_for_path(
    path: &str,
    status: StatusCode,
    message: &str,
    headers: HeaderMap,
) -> Response {
    let vendor = crate::vendor::serving(path);
    let mut resp = (vendor.error)(path, status, message);
    resp.headers_mut().extend(headers);
    resp
}
