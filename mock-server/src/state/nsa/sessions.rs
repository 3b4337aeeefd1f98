//! nSA admin sessions: the form login, sessions started by the admin API, and the DSID check
//! every portal call makes (on the shared [`SessionTable`](crate::state::sessions::SessionTable)).

use chrono::{DateTime, Utc};

use super::{NsaError, NsaWorld, Res};

impl NsaWorld {
    /// Checks a form login and starts a session; answers the new DSID.
    pub fn login(
        &mut self,
        username: &str,
        password: &str,
        realm: &str,
        now: DateTime<Utc>,
    ) -> Res<String> {
        let m = self
            .msps
            .iter()
            .find(|m| m.username == username)
            .ok_or(NsaError::InvalidCredentials)?;
        if m.password.expose() != password || m.realm.as_deref().is_some_and(|r| r != realm) {
            return Err(NsaError::InvalidCredentials);
        }
        Ok(self.start_session(username, now))
    }

    /// Starts a session for `username` without checking a password (the admin API's
    /// `POST /__admin/nsa/sessions`); at `max_sessions` the oldest session ends.
    pub fn start_session(&mut self, username: &str, now: DateTime<Utc>) -> String {
        let policy = self.settings.session_policy();
        self.sessions.start(username.to_owned(), now, policy)
    }

    /// Checks `dsid` and marks the session used; answers the MSP username.
    pub fn touch(&mut self, dsid: Option<&str>, now: DateTime<Utc>) -> Res<String> {
        let Some(dsid) = dsid.filter(|d| !d.is_empty()) else {
            return Err(NsaError::NoSession);
        };
        let policy = self.settings.session_policy();
        let user = self
            .sessions
            .touch(dsid, now, policy)
            .cloned()
            .ok_or(NsaError::SessionExpired)?;
        if !self.msps.iter().any(|m| m.username == user) {
            self.sessions.end(dsid);
            return Err(NsaError::SessionExpired);
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::super::tests::world;
    use super::*;

    #[test]
    fn sessions_idle_out_and_end() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut w = world();
        assert!(w.login("u", "x", "r", t0).is_err());
        let d = w.login("u", "p", "r", t0).unwrap();
        assert!(w.touch(Some(&d), t0 + Duration::seconds(599)).is_ok());
        // Kept busy, it still ends at 60 minutes.
        let mut t = t0;
        for _ in 0..11 {
            t += Duration::seconds(300);
            assert!(w.touch(Some(&d), t).is_ok());
        }
        assert!(w.touch(Some(&d), t0 + Duration::seconds(3600)).is_err());
        let d2 = w.login("u", "p", "r", t0).unwrap();
        assert!(w.touch(Some(&d2), t0 + Duration::seconds(600)).is_err());
        assert!(w.touch(Some(&d2), t0).is_err(), "a dead session stays dead");
    }

    #[test]
    fn touch_names_what_is_wrong() {
        let now = Utc::now();
        let mut w = world();
        assert_eq!(w.touch(None, now), Err(NsaError::NoSession));
        assert_eq!(w.touch(Some(""), now), Err(NsaError::NoSession));
        assert_eq!(w.touch(Some("nope"), now), Err(NsaError::SessionExpired));
        assert_eq!(
            w.login("u", "p", "r", now)
                .map(|_| ())
                .and(w.login("x", "p", "r", now).map(|_| ())),
            Err(NsaError::InvalidCredentials)
        );
        let d = w.start_session("u", now);
        let held = w.sessions.len();
        w.msps.clear();
        assert_eq!(w.touch(Some(&d), now), Err(NsaError::SessionExpired));
        assert_eq!(w.sessions.len(), held - 1, "the orphaned session is ended");
    }
}
