//! Request extractors whose rejections use the API's own error shape instead of axum's plain
//! text: a JSON body ([`JsonBody`]) and raw query parameters ([`QueryParams`]), both checked
//! against the spec operation being served (`validation.rs`).

use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use bytes::Bytes;

use crate::error::{ApiError, Flavor};
use crate::validation;

/// A JSON request body, parsed and valid against the request-body schema of the spec operation
/// served. Oversized bodies answer 413; bodies that are not JSON, or declared as another media
/// type, answer 400; schema violations answer the operation's validation status naming the
/// field; all in flavour `F`.
///
/// A missing `Content-Type` is read as JSON (some scripts omit it); an explicit non-JSON one
/// (`text/plain`, a form) is refused rather than guessed at, as the real services do. Members
/// set to `null` are dropped before validation (the mock reads `null` as "absent").
#[derive(Debug)]
pub struct JsonBody<F>(pub serde_json::Value, pub PhantomData<F>);

impl<S: Send + Sync, F: Flavor> FromRequest<S> for JsonBody<F> {
    type Rejection = ApiError<F>;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let operation = validation::operation(req.method(), req.extensions().get::<MatchedPath>());
        if let Some(ct) = req.headers().get(axum::http::header::CONTENT_TYPE) {
            let essence = ct
                .to_str()
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(ApiError::bad_request(format!(
                    "Content-Type must be application/json, got {:?}",
                    ct.to_str().unwrap_or("(not text)")
                ))
                .with_field("Content-Type"));
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rej| {
            let status = rej.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(status, "request body is larger than the mock's limit")
            } else {
                ApiError::bad_request(format!("request body could not be read: {rej}"))
            }
        })?;
        if bytes.is_empty() {
            return Err(ApiError::bad_request(
                "request body is required (a JSON object)",
            ));
        }
        let mut value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("request body is not valid JSON: {e}")))?;
        if !value.is_object() {
            return Err(ApiError::bad_request("request body must be a JSON object"));
        }
        validation::strip_nulls(&mut value);
        if let Some(op) = operation {
            op.check_body(&value)?;
        }
        Ok(JsonBody(value, PhantomData))
    }
}

/// Query parameters as name/value pairs (repeated names kept), valid against the query
/// parameters of the spec operation served. A query that does not decode answers 400, one that
/// breaks a parameter's schema the operation's validation status naming the parameter; both in
/// flavour `F`.
#[derive(Debug, Default)]
pub struct QueryParams<F>(pub Vec<(String, String)>, pub PhantomData<F>);

impl<F: Flavor> QueryParams<F> {
    /// The last value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// An optional non-negative integer parameter, `default` when absent. Its bounds are the
    /// spec's, checked by the extractor before the handler runs (so they are written once, in
    /// `openapi/`); this only converts, answering `status` for a value that is no count.
    pub fn count(
        &self,
        name: &str,
        default: usize,
        status: StatusCode,
    ) -> Result<usize, ApiError<F>> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        raw.trim().parse::<usize>().map_err(|_| {
            ApiError::new(
                status,
                format!("must be a non-negative integer, got {raw:?}"),
            )
            .with_field(name)
        })
    }
}

impl<S: Send + Sync, F: Flavor> FromRequestParts<S> for QueryParams<F> {
    type Rejection = ApiError<F>;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).map_err(|e| {
            ApiError::bad_request(format!("query string could not be decoded: {e}"))
        })?;
        if let Some(op) =
            validation::operation(&parts.method, parts.extensions.get::<MatchedPath>())
        {
            op.check_query(&pairs)?;
        }
        Ok(QueryParams(pairs, PhantomData))
    }
}
