//! Typed errors of the hand-written runtime: each names the call that failed, and carries the
//! HTTP status and the server's error body when there was one.

use std::fmt;

/// Result alias for the runtime.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error raised by the runtime (sessions, token calls, paging, hand-written calls).
///
/// Every variant that comes from a call says which call (`call`), so a log line is enough to
/// know what failed. Secrets never appear in these messages.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Configuration is missing or malformed (credentials file, environment, base URL).
    #[error("configuration error: {0}")]
    Config(String),

    /// An argument given to the runtime is not acceptable; nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// A token endpoint (client credentials or token exchange) refused or answered badly.
    #[error("{call}: token endpoint {}{}", status_text(*.status), token_detail(.error.as_deref(), .description.as_deref(), .body))]
    Token {
        /// Which token call, e.g. `msp token for workspace 1234...`.
        call: String,
        /// HTTP status, when a response came back.
        status: Option<u16>,
        /// RFC 6749 `error` code from the body, when present.
        error: Option<String>,
        /// RFC 6749 `error_description`, when present.
        description: Option<String>,
        /// Raw body (truncated), for anything else.
        body: String,
    },

    /// An API call answered with a status the runtime treats as failure.
    #[error("{call}: HTTP {status}: {body}")]
    Api {
        /// The call (operation id or method and path).
        call: String,
        /// HTTP status code.
        status: u16,
        /// The server's error body (truncated).
        body: String,
    },

    /// The request could not be sent or its response not read (connect, timeout, TLS...).
    #[error("{call}: transport error: {source}")]
    Transport {
        /// The call that failed.
        call: String,
        /// The underlying transport error.
        #[source]
        source: reqwest::Error,
    },

    /// A response came back with a success status but its body could not be understood.
    #[error("{call}: unexpected response body: {detail}")]
    Decode {
        /// The call that failed.
        call: String,
        /// What was wrong with the body.
        detail: String,
    },

    /// A tenant name did not resolve to any workspace of this MSP.
    #[error("no MSP tenant is named {0:?}")]
    TenantNotFound(String),

    /// A tenant name resolved to more than one workspace.
    #[error("tenant name {name:?} matches {count} workspaces; use its id")]
    AmbiguousTenant {
        /// The name that was looked up.
        name: String,
        /// How many workspaces matched.
        count: usize,
    },

    /// The nSA form login did not yield a session cookie.
    #[error("nSA login: {0}")]
    Login(String),

    /// A paged listing did not terminate within its bound.
    #[error("{call}: paging stopped after {pages} pages without reaching the end")]
    PagingBound {
        /// The listing.
        call: String,
        /// How many pages were fetched.
        pages: u64,
    },

    /// A RUCKUS One activity ended `FAIL`: the asynchronous write was refused.
    #[error("activity {request_id} failed: {reason}")]
    ActivityFailed {
        /// The activity's `requestId`.
        request_id: String,
        /// Why, as the activity's `error` field says (its inner message when it is RUCKUS's
        /// nested JSON, else the raw text).
        reason: String,
    },

    /// A RUCKUS One activity did not end before the wait's deadline.
    #[error("activity {request_id} still {last_status} after {waited:?}; gave up")]
    ActivityTimeout {
        /// The activity's `requestId`.
        request_id: String,
        /// The last status read (`PENDING`, `INPROGRESS`, or `not found` while it never
        /// appeared).
        last_status: String,
        /// How long the wait lasted, on the session's clock.
        waited: std::time::Duration,
    },

    /// A call made through a generated client failed (already formatted: generated errors
    /// carry non-`Send` bodies in some variants).
    #[error("{call}: {detail}")]
    Generated {
        /// The call that failed.
        call: String,
        /// HTTP status, when a response came back.
        status: Option<u16>,
        /// The formatted error, including the server's body when there was one.
        detail: String,
    },
}

impl Error {
    /// HTTP status attached to this error, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Token { status, .. } | Error::Generated { status, .. } => *status,
            Error::Api { status, .. } => Some(*status),
            Error::Transport { source, .. } => source.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// Converts an error from a generated client into a runtime error naming `call`.
    ///
    /// Reads the body of unexpected responses so the message carries what the server said.
    pub async fn from_generated<E>(
        call: impl Into<String>,
        err: progenitor_client::Error<E>,
    ) -> Self
    where
        E: serde::Serialize + fmt::Debug,
    {
        use progenitor_client::Error as G;
        let call = call.into();
        match err {
            G::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                let body = serde_json::to_string(&*rv).unwrap_or_else(|_| format!("{:?}", &*rv));
                Error::Api {
                    call,
                    status,
                    body: truncate(&body),
                }
            }
            G::UnexpectedResponse(resp) => {
                let status = resp.status().as_u16();
                let body = resp.text().await.unwrap_or_default();
                Error::Api {
                    call,
                    status,
                    body: truncate(&body),
                }
            }
            G::CommunicationError(source) => Error::Transport { call, source },
            other => Error::Generated {
                status: other.status().map(|s| s.as_u16()),
                detail: other_detail(other),
                call,
            },
        }
    }
}

fn other_detail<E>(err: progenitor_client::Error<E>) -> String {
    use progenitor_client::Error as G;
    match err {
        G::InvalidRequest(s) => format!("invalid request: {s}"),
        G::Custom(s) => s,
        G::InvalidUpgrade(e) | G::ResponseBodyError(e) | G::CommunicationError(e) => e.to_string(),
        G::InvalidResponsePayload(b, e) => {
            format!(
                "invalid response payload ({e}): {}",
                truncate(&String::from_utf8_lossy(&b))
            )
        }
        G::ErrorResponse(rv) => format!("error response {}", rv.status()),
        G::UnexpectedResponse(r) => format!("unexpected response {}", r.status()),
    }
}

fn status_text(status: Option<u16>) -> String {
    match status {
        Some(s) => format!("answered HTTP {s}"),
        None => "failed".to_string(),
    }
}

fn token_detail(error: Option<&str>, description: Option<&str>, body: &str) -> String {
    match (error, description) {
        (Some(e), Some(d)) => format!(": {e}: {d}"),
        (Some(e), None) => format!(": {e}"),
        (None, Some(d)) => format!(": {d}"),
        (None, None) if body.is_empty() => String::new(),
        (None, None) => format!(": {body}"),
    }
}

/// Longest error body kept in an error, in bytes.
pub(crate) const MAX_BODY: usize = 2048;

/// Truncates a body for inclusion in an error (on a char boundary).
pub(crate) fn truncate(s: &str) -> String {
    if s.len() <= MAX_BODY {
        return s.to_string();
    }
    let mut end = MAX_BODY;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
