//! Waiting for a RUCKUS One activity: poll `GET /activities/{id}` with bounded backoff until it
//! ends, under a deadline on the session's clock, tolerating the brief 404 after a 202.

use std::time::{Duration, SystemTime};

use tracing::debug;

use crate::auth::TimeSource;
use crate::error::{Error, Result};
use crate::generated::ruckus_activities::{self, types::ActivityDto, types::ActivityStatus};

/// How [`RuckusSession::await_activity`](crate::ruckus::RuckusSession::await_activity) polls.
///
/// Polls start `first_delay` apart and double up to `max_delay` (RUCKUS's own clients poll
/// every 1 to 3 s). A 404 is taken as "not visible yet" for `not_found_grace` after the first
/// poll, then as an error. The wait gives up with [`Error::ActivityTimeout`] at `deadline`.
///
/// ```
/// use std::time::Duration;
/// use msp_client::ruckus::ActivityWait;
///
/// let wait = ActivityWait::default().with_deadline(Duration::from_secs(120));
/// assert_eq!(wait.deadline, Duration::from_secs(120));
/// assert_eq!(wait.delays().take(6).map(|d| d.as_secs()).collect::<Vec<_>>(), [1, 2, 4, 8, 10, 10]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityWait {
    /// Longest the wait lasts (default 10 min).
    pub deadline: Duration,
    /// Wait before the second poll (default 1 s).
    pub first_delay: Duration,
    /// Longest wait between polls (default 10 s).
    pub max_delay: Duration,
    /// How long a 404 means "not visible yet" (default 30 s).
    pub not_found_grace: Duration,
}

impl Default for ActivityWait {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(600),
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
            not_found_grace: Duration::from_secs(30),
        }
    }
}

impl ActivityWait {
    /// Sets the deadline.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use msp_client::ruckus::ActivityWait;
    /// assert_eq!(ActivityWait::default().with_deadline(Duration::from_secs(5)).deadline.as_secs(), 5);
    /// ```
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets how long a 404 is tolerated.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use msp_client::ruckus::ActivityWait;
    /// let wait = ActivityWait::default().with_not_found_grace(Duration::ZERO);
    /// assert_eq!(wait.not_found_grace, Duration::ZERO);
    /// ```
    pub fn with_not_found_grace(mut self, grace: Duration) -> Self {
        self.not_found_grace = grace;
        self
    }

    /// The waits between polls: `first_delay` doubling up to `max_delay` (never zero).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use msp_client::ruckus::ActivityWait;
    /// let wait = ActivityWait { max_delay: Duration::from_secs(3), ..ActivityWait::default() };
    /// assert_eq!(wait.delays().take(4).map(|d| d.as_secs()).collect::<Vec<_>>(), [1, 2, 3, 3]);
    /// ```
    pub fn delays(&self) -> impl Iterator<Item = Duration> + use<> {
        let max = self.max_delay.max(Duration::from_millis(1));
        let first = self.first_delay.max(Duration::from_millis(1)).min(max);
        std::iter::successors(Some(first), move |d| Some((*d * 2).min(max)))
    }
}

/// The reason an activity's `error` field gives, readably.
///
/// RUCKUS writes it as a JSON document in a string, `{"requestId", "errors": ["<JSON of
/// {message, subErrors: [{object, field, message}]}>"]}`; this returns the inner message and
/// each sub-error's `field: message`, or the text unchanged when it is not that shape.
///
/// ```
/// use msp_client::ruckus::activity_failure_reason;
///
/// let inner = r#"{"message":"Tenant name exists","subErrors":[{"field":"name","message":"taken"}]}"#;
/// let outer = serde_json::json!({"requestId": "r-1", "errors": [inner]}).to_string();
/// assert_eq!(activity_failure_reason(&outer), "Tenant name exists (name: taken)");
/// assert_eq!(activity_failure_reason("plain words"), "plain words");
/// ```
pub fn activity_failure_reason(error: &str) -> String {
    fn text(v: &serde_json::Value, key: &str) -> Option<String> {
        v.get(key)?.as_str().map(str::to_owned)
    }
    fn describe(inner: &serde_json::Value) -> Option<String> {
        let message = text(inner, "message")?;
        let subs: Vec<String> = inner
            .get("subErrors")
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
            .filter_map(|s| {
                let m = text(s, "message")?;
                Some(match text(s, "field").or_else(|| text(s, "object")) {
                    Some(f) => format!("{f}: {m}"),
                    None => m,
                })
            })
            .collect();
        Some(if subs.is_empty() {
            message
        } else {
            format!("{message} ({})", subs.join("; "))
        })
    }
    let Ok(outer) = serde_json::from_str::<serde_json::Value>(error) else {
        return error.to_string();
    };
    let reasons: Vec<String> = match outer.get("errors").and_then(|e| e.as_array()) {
        Some(errors) => errors
            .iter()
            .filter_map(|e| match e {
                serde_json::Value::String(s) => serde_json::from_str(s)
                    .ok()
                    .and_then(|v: serde_json::Value| describe(&v))
                    .or_else(|| Some(s.clone())),
                other => describe(other),
            })
            .collect(),
        None => describe(&outer).into_iter().collect(),
    };
    if reasons.is_empty() {
        error.to_string()
    } else {
        reasons.join("; ")
    }
}

fn elapsed(clock: &dyn TimeSource, since: SystemTime) -> Duration {
    clock.now().duration_since(since).unwrap_or(Duration::ZERO)
}

/// Polls activity `request_id` through `client` until it ends; see [`ActivityWait`].
pub(crate) async fn await_activity(
    client: &ruckus_activities::Client,
    clock: &dyn TimeSource,
    request_id: &str,
    wait: &ActivityWait,
) -> Result<ActivityDto> {
    let call = format!("get_activity {request_id}");
    if request_id.trim().is_empty() {
        return Err(Error::InvalidInput(
            "request_id: give an activity id".into(),
        ));
    }
    let start = clock.now();
    let mut delays = wait.delays();
    loop {
        let last_status = match client.get_activity().activity_id(request_id).send().await {
            Ok(answer) => {
                let activity = answer.into_inner();
                match activity.status {
                    Some(ActivityStatus::Success) => return Ok(activity),
                    Some(ActivityStatus::Fail) => {
                        let reason = activity
                            .error
                            .as_deref()
                            .map(activity_failure_reason)
                            .unwrap_or_else(|| "the activity gives no reason".into());
                        return Err(Error::ActivityFailed {
                            request_id: request_id.to_string(),
                            reason,
                        });
                    }
                    Some(other) => other.to_string(),
                    None => "without a status".to_string(),
                }
            }
            Err(e)
                if e.status().map(|s| s.as_u16()) == Some(404)
                    && elapsed(clock, start) < wait.not_found_grace =>
            {
                "not found".to_string()
            }
            Err(e) => return Err(Error::from_generated(call, e).await),
        };
        let waited = elapsed(clock, start);
        if waited >= wait.deadline {
            return Err(Error::ActivityTimeout {
                request_id: request_id.to_string(),
                last_status,
                waited,
            });
        }
        let delay = delays
            .next()
            .unwrap_or(wait.max_delay)
            .min(wait.deadline - waited);
        debug!(request_id, status = %last_status, ?delay, "activity not ended yet");
        clock.sleep(delay).await;
    }
}
