//! The request journal: a bounded ring buffer of the requests the mock answered, readable at
//! `GET /__admin/requests`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde::Serialize;

use crate::AppState;

/// One journaled request.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry {
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Response status.
    pub status: u16,
    /// Mock-clock time the request arrived.
    pub time: DateTime<Utc>,
    /// API client id (from the verified token or the presented client credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

/// The bounded journal.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    entries: Mutex<VecDeque<Entry>>,
}

impl Journal {
    /// A journal keeping the last `capacity` requests.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
        }
    }

    /// Appends an entry, dropping the oldest when full.
    pub fn push(&self, e: Entry) {
        if self.capacity == 0 {
            return;
        }
        let mut q = self.entries.lock();
        while q.len() >= self.capacity {
            q.pop_front();
        }
        q.push_back(e);
    }

    /// Entries (oldest first) whose path contains `path` and whose method equals `method`.
    pub fn query(&self, path: Option<&str>, method: Option<&str>) -> Vec<Entry> {
        self.entries
            .lock()
            .iter()
            .filter(|e| path.is_none_or(|p| e.path.contains(p)))
            .filter(|e| method.is_none_or(|m| e.method.eq_ignore_ascii_case(m)))
            .cloned()
            .collect()
    }

    /// Empties the journal.
    pub fn clear(&self) {
        self.entries.lock().clear();
    }

    /// The capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// A per-request slot where authentication records the client id for the journal. Extracting it
/// never fails; outside the journal middleware it is a detached slot.
#[derive(Debug, Clone, Default)]
pub struct JournalClient(Arc<Mutex<Option<String>>>);

impl JournalClient {
    /// Records the client id of this request.
    pub fn set(&self, client: &str) {
        *self.0.lock() = Some(client.to_owned());
    }

    fn take(&self) -> Option<String> {
        self.0.lock().take()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for JournalClient {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts
            .extensions
            .get::<JournalClient>()
            .cloned()
            .unwrap_or_default())
    }
}

/// Middleware recording every non-admin request in the journal.
pub async fn record(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/__admin") {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let query = req.uri().query().map(str::to_owned);
    let time = state.clock.now();
    let slot = JournalClient::default();
    let presented = crate::sso::presented_client(req.headers());
    req.extensions_mut().insert(slot.clone());
    let resp = next.run(req).await;
    state.journal.push(Entry {
        method,
        path,
        query,
        status: resp.status().as_u16(),
        time,
        client: slot.take().or(presented),
    });
    resp
}
