//! A table of cookie sessions with an idle and an absolute lifetime and a bounded capacity.
//!
//! [`SessionTable`] mints an unguessable id per session, answers who a live id belongs to
//! (marking it used), and forgets dead ones. One predicate, [`SessionPolicy::alive`], decides
//! liveness everywhere: a session lives while `now < last_seen + idle` **and**
//! `now < created + max`. Starting a session beyond [`SessionPolicy::capacity`] ends the oldest
//! (by login time) first. Every call takes `now` from the caller (the mock clock).
//!
//! (The `module_example` unit test runs this.)
//!
//! ```text
//! use chrono::{Duration, TimeZone, Utc};
//! use msp_mock_server::state::sessions::{SessionPolicy, SessionTable};
//!
//! let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let policy = SessionPolicy { idle_secs: 600, max_secs: 3600, capacity: 100 };
//! let mut table = SessionTable::default();
//! let id = table.start("alice".to_owned(), t0, policy);
//! assert_eq!(table.touch(&id, t0 + Duration::seconds(599), policy), Some(&"alice".to_owned()));
//! assert_eq!(table.touch(&id, t0 + Duration::seconds(1199), policy), None);
//! ```

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::deferred::after;

/// An unguessable token: two v4 uuids, 244 random bits from the OS generator.
pub fn new_token() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// How long sessions live and how many are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session ends after this many seconds without a request.
    pub idle_secs: u64,
    /// A session ends this many seconds after it started, however busy.
    pub max_secs: u64,
    /// Live sessions kept (at least one); starting one more ends the oldest.
    pub capacity: usize,
}

impl SessionPolicy {
    /// Whether `s` is still alive at `now`: neither idle for `idle_secs` nor older than
    /// `max_secs` (both bounds exclusive: at exactly the limit it is dead).
    pub fn alive<D>(&self, s: &Session<D>, now: DateTime<Utc>) -> bool {
        now < after(s.last_seen, self.idle_secs) && now < after(s.created, self.max_secs)
    }
}

/// One session and what it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Session<D> {
    /// Who the session belongs to (a username, a tenant...).
    pub owner: D,
    /// When it started.
    pub created: DateTime<Utc>,
    /// When it was last used.
    pub last_seen: DateTime<Utc>,
}

/// Sessions by id; `Debug` shows only the count, never an id.
#[derive(Clone, PartialEq)]
pub struct SessionTable<D> {
    sessions: HashMap<String, Session<D>>,
}

impl<D> Default for SessionTable<D> {
    fn default() -> Self {
        Self {
            sessions: HashMap::new(),
        }
    }
}

impl<D> fmt::Debug for SessionTable<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sessions({} live)", self.sessions.len())
    }
}

impl<D> SessionTable<D> {
    /// Starts a session for `owner`: drops dead sessions, ends the oldest while the table is at
    /// capacity, and answers the new session's id.
    pub fn start(&mut self, owner: D, now: DateTime<Utc>, policy: SessionPolicy) -> String {
        self.sweep(now, policy);
        let capacity = policy.capacity.max(1);
        while self.sessions.len() >= capacity {
            let oldest = self
                .sessions
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => {
                    self.sessions.remove(&k);
                }
                None => break,
            }
        }
        let id = new_token();
        self.sessions.insert(
            id.clone(),
            Session {
                owner,
                created: now,
                last_seen: now,
            },
        );
        id
    }

    /// The owner of live session `id`, marking it used at `now`; a dead session is forgotten and
    /// answers `None`, as does an unknown id.
    pub fn touch(&mut self, id: &str, now: DateTime<Utc>, policy: SessionPolicy) -> Option<&D> {
        let alive = policy.alive(self.sessions.get(id)?, now);
        if !alive {
            self.sessions.remove(id);
            return None;
        }
        let s = self.sessions.get_mut(id)?;
        s.last_seen = now;
        Some(&s.owner)
    }

    /// Ends session `id`; answers its owner.
    pub fn end(&mut self, id: &str) -> Option<D> {
        self.sessions.remove(id).map(|s| s.owner)
    }

    /// Forgets every session that is dead at `now`.
    pub fn sweep(&mut self, now: DateTime<Utc>, policy: SessionPolicy) {
        self.sessions.retain(|_, s| policy.alive(s, now));
    }

    /// Sessions held (live or not yet swept).
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }
}

#[cfg(test)]
mod tests {
    /// The module documentation's example, run.
    #[test]
    fn module_example() {
        use chrono::{Duration as D, TimeZone as _};

        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let policy = SessionPolicy {
            idle_secs: 600,
            max_secs: 3600,
            capacity: 100,
        };
        let mut table = SessionTable::default();
        let id = table.start("alice".to_owned(), t0, policy);
        assert_eq!(
            table.touch(&id, t0 + D::seconds(599), policy),
            Some(&"alice".to_owned())
        );
        assert_eq!(table.touch(&id, t0 + D::seconds(1199), policy), None);
    }

    use super::*;
    use chrono::{Duration, TimeZone};

    const POLICY: SessionPolicy = SessionPolicy {
        idle_secs: 600,
        max_secs: 3600,
        capacity: 3,
    };

    fn secs(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(n)
    }

    #[test]
    fn idle_limit_is_exclusive() {
        let mut t = SessionTable::default();
        let a = t.start("a", secs(0), POLICY);
        assert_eq!(t.touch(&a, secs(599), POLICY), Some(&"a"));
        // Idle is measured from the last use.
        assert_eq!(t.touch(&a, secs(1198), POLICY), Some(&"a"));
        assert_eq!(t.touch(&a, secs(1798), POLICY), None, "exactly 600 s idle");
        assert_eq!(
            t.touch(&a, secs(1798), POLICY),
            None,
            "a dead session stays dead"
        );
        assert!(t.is_empty());
    }

    #[test]
    fn absolute_limit_ends_a_busy_session() {
        let mut t = SessionTable::default();
        let a = t.start("a", secs(0), POLICY);
        for n in 1..=11 {
            assert!(t.touch(&a, secs(300 * n), POLICY).is_some());
        }
        assert_eq!(t.touch(&a, secs(3599), POLICY), Some(&"a"));
        assert_eq!(t.touch(&a, secs(3600), POLICY), None);
    }

    #[test]
    fn alive_is_the_one_predicate() {
        let s = Session {
            owner: (),
            created: secs(0),
            last_seen: secs(3000),
        };
        assert!(POLICY.alive(&s, secs(3599)));
        assert!(!POLICY.alive(&s, secs(3600)), "absolute bound");
        let s = Session {
            last_seen: secs(0),
            ..s
        };
        assert!(POLICY.alive(&s, secs(599)));
        assert!(!POLICY.alive(&s, secs(600)), "idle bound");
    }

    #[test]
    fn at_capacity_the_oldest_login_ends() {
        let mut t = SessionTable::default();
        let a = t.start("a", secs(0), POLICY);
        let b = t.start("b", secs(1), POLICY);
        let c = t.start("c", secs(2), POLICY);
        // Using `a` does not save it: eviction is by login time.
        assert!(t.touch(&a, secs(3), POLICY).is_some());
        let d = t.start("d", secs(4), POLICY);
        assert_eq!(t.len(), 3);
        assert_eq!(t.touch(&a, secs(5), POLICY), None);
        for (id, who) in [(&b, "b"), (&c, "c"), (&d, "d")] {
            assert_eq!(t.touch(id, secs(5), POLICY), Some(&who));
        }
    }

    #[test]
    fn dead_sessions_are_swept_before_anyone_is_evicted() {
        let mut t = SessionTable::default();
        let a = t.start("a", secs(0), POLICY);
        let b = t.start("b", secs(500), POLICY);
        let c = t.start("c", secs(550), POLICY);
        // At 600 `a` is dead, so starting `d` evicts nobody alive.
        let d = t.start("d", secs(600), POLICY);
        assert_eq!(t.len(), 3);
        assert_eq!(t.touch(&a, secs(600), POLICY), None);
        for id in [&b, &c, &d] {
            assert!(t.touch(id, secs(601), POLICY).is_some());
        }
    }

    #[test]
    fn zero_capacity_still_keeps_one_and_huge_lifetimes_never_end() {
        let one = SessionPolicy {
            capacity: 0,
            ..POLICY
        };
        let mut t = SessionTable::default();
        let a = t.start("a", secs(0), one);
        let b = t.start("b", secs(1), one);
        assert_eq!(t.touch(&a, secs(2), one), None);
        assert_eq!(t.touch(&b, secs(2), one), Some(&"b"));
        let forever = SessionPolicy {
            idle_secs: u64::MAX,
            max_secs: u64::MAX,
            capacity: 1,
        };
        let c = t.start("c", secs(0), forever);
        assert!(
            t.touch(&c, secs(0) + Duration::days(365 * 100), forever)
                .is_some()
        );
    }

    #[test]
    fn ids_are_unguessable_and_end_removes() {
        let mut t = SessionTable::default();
        let a = t.start("a", secs(0), POLICY);
        assert_eq!(a.len(), 64);
        assert_ne!(a, t.start("a", secs(0), POLICY));
        assert_eq!(t.end(&a), Some("a"));
        assert_eq!(t.touch(&a, secs(1), POLICY), None);
        assert!(!format!("{t:?}").contains(&a[..8]));
    }
}
