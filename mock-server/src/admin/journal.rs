//! The request journal: a bounded ring buffer of the requests the mock answered, readable at
//! `GET /__admin/requests`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde::Serialize;

use crate::AppState;
use crate::state::ring;

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
    entries: Mutex<VecDeque<Stored>>,
}

/// An [`Entry`] as the journal keeps it: 80 bytes, its strings shared with the entries just
/// before it where equal (a load repeats the same path, query and client), so a full journal
/// of 10,000 reads holds about 0.8 MB instead of 2.6 MB.
#[derive(Debug)]
struct Stored {
    method: Method,
    path: Arc<str>,
    query: Option<Arc<str>>,
    client: Option<Arc<str>>,
    time: DateTime<Utc>,
    status: u16,
}

impl Stored {
    fn entry(&self) -> Entry {
        Entry {
            method: self.method.to_string(),
            path: self.path.to_string(),
            query: self.query.as_deref().map(str::to_owned),
            status: self.status,
            time: self.time,
            client: self.client.as_deref().map(str::to_owned),
        }
    }
}

/// How many of the newest entries a new one looks at for strings to share.
const LOOK_BACK: usize = 4;

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
        let method = Method::from_bytes(e.method.as_bytes()).unwrap_or_default();
        self.record(
            method,
            &e.path,
            e.query.as_deref(),
            e.status,
            e.time,
            e.client,
        );
    }

    /// Appends a request as the middleware sees it (no method or path copied on the way).
    fn record(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        status: u16,
        time: DateTime<Utc>,
        client: Option<String>,
    ) {
        if self.capacity == 0 {
            return;
        }
        let mut q = self.entries.lock();
        let stored = Stored {
            method,
            path: ring::shared(&q, LOOK_BACK, path, |s| Some(&s.path)),
            query: query.map(|t| ring::shared(&q, LOOK_BACK, t, |s| s.query.as_ref())),
            client: client.map(|t| ring::shared(&q, LOOK_BACK, &t, |s| s.client.as_ref())),
            time,
            status,
        };
        ring::push_bounded(&mut q, self.capacity, stored);
    }

    /// Entries (oldest first) whose path contains `path` and whose method equals `method`.
    pub fn query(&self, path: Option<&str>, method: Option<&str>) -> Vec<Entry> {
        self.entries
            .lock()
            .iter()
            .filter(|e| path.is_none_or(|p| e.path.contains(p)))
            .filter(|e| method.is_none_or(|m| e.method.as_str().eq_ignore_ascii_case(m)))
            .map(Stored::entry)
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
    if req.uri().path().starts_with("/__admin") {
        return next.run(req).await;
    }
    let (method, uri) = (req.method().clone(), req.uri().clone());
    let time = state.clock.now();
    let slot = JournalClient::default();
    let presented = crate::sso::presented_client(req.headers());
    req.extensions_mut().insert(slot.clone());
    let resp = next.run(req).await;
    state.journal.record(
        method,
        uri.path(),
        uri.query(),
        resp.status().as_u16(),
        time,
        slot.take().or(presented),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, query: Option<&str>, client: Option<&str>) -> Entry {
        Entry {
            method: "POST".into(),
            path: path.into(),
            query: query.map(str::to_owned),
            status: 201,
            time: DateTime::<Utc>::UNIX_EPOCH,
            client: client.map(str::to_owned),
        }
    }

    #[test]
    fn entries_come_back_as_pushed_and_repeats_share_their_strings() {
        let j = Journal::new(3);
        let pushed = [
            entry("/a", Some("limit=20"), Some("c")),
            entry("/a", Some("limit=20"), Some("c")),
            entry("/b", None, None),
            entry("/a", Some("limit=1"), Some("c")),
        ];
        for e in &pushed {
            j.push(e.clone());
        }
        // The oldest went first; what is left reads back unchanged.
        assert_eq!(j.query(None, None), pushed[1..].to_vec());
        assert_eq!(j.query(Some("/a"), Some("post")).len(), 2);
        let q = j.entries.lock();
        assert!(Arc::ptr_eq(&q[0].path, &q[2].path));
        assert!(Arc::ptr_eq(
            q[0].client.as_ref().unwrap(),
            q[2].client.as_ref().unwrap()
        ));
        assert!(!Arc::ptr_eq(
            q[0].query.as_ref().unwrap(),
            q[2].query.as_ref().unwrap()
        ));
    }

    #[test]
    fn a_full_journal_holds_its_capacity_not_the_next_power_of_two() {
        let j = Journal::new(1500);
        for i in 0..1600 {
            j.push(entry(&format!("/t/{i}"), None, Some("c")));
        }
        let q = j.entries.lock();
        assert_eq!((q.len(), q.capacity()), (1500, 1500));
        assert_eq!(&*q[0].path, "/t/100");
    }
}
