//! nSA tenant-cap requests: filing one, the admin listing and decision, and the automatic
//! approval after `cap_request_auto_approve_secs` (deferred work on the mock clock).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{CapRequest, NsaError, NsaMsp, NsaWorld, Res};
use crate::state::deferred::after;

impl NsaWorld {
    /// Approves the pending cap requests whose automatic approval is due, as of the time it
    /// became due.
    pub(super) fn settle_cap_decisions(&mut self, now: DateTime<Utc>) {
        let msps = &mut self.msps;
        self.cap_decisions.settle(now, |id, username, due| {
            let Some(m) = msps.iter_mut().find(|m| m.username == *username) else {
                return;
            };
            // A request decided by hand (or deleted by an import) keeps its fate.
            if let Some(i) = m
                .cap_requests
                .iter()
                .position(|r| r.id == id && r.status == "pending")
            {
                approve(m, i, due);
            }
        });
    }

    /// Files a cap-increase request; answers its id.
    pub fn request_cap(
        &mut self,
        username: &str,
        requested_limit: usize,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Res<Uuid> {
        self.settle(now);
        let auto = self.settings.cap_request_auto_approve_secs;
        let m = self.msp_mut(username)?;
        if requested_limit <= m.tenant_cap_limit {
            return Err(NsaError::CapNotRaised {
                current: m.tenant_cap_limit,
                requested: requested_limit,
            });
        }
        let id = Uuid::new_v4();
        m.cap_requests.push(CapRequest {
            id,
            requested_limit,
            reason,
            created: now,
            status: "pending".into(),
            decided: None,
        });
        if let Some(delay) = auto {
            let due = after(now, delay);
            self.cap_decisions
                .schedule(id, username.to_owned(), now, due);
        }
        Ok(id)
    }

    /// Every cap request with its MSP username (admin listing).
    pub fn cap_requests(&mut self, now: DateTime<Utc>) -> Vec<(String, CapRequest)> {
        self.settle(now);
        self.msps
            .iter()
            .flat_map(|m| {
                m.cap_requests
                    .iter()
                    .map(|r| (m.username.clone(), r.clone()))
            })
            .collect()
    }

    /// Approves (or rejects) a pending cap request; approval raises the MSP's cap. Answers the
    /// MSP username, the decided request and the cap now in force.
    pub fn decide_cap_request(
        &mut self,
        id: Uuid,
        approve_it: bool,
        now: DateTime<Utc>,
    ) -> Res<(String, CapRequest, usize)> {
        self.settle(now);
        for m in &mut self.msps {
            if let Some(i) = m.cap_requests.iter().position(|r| r.id == id) {
                if m.cap_requests[i].status != "pending" {
                    return Err(NsaError::CapRequestDecided {
                        id,
                        status: m.cap_requests[i].status.clone(),
                    });
                }
                if approve_it {
                    approve(m, i, now);
                } else {
                    m.cap_requests[i].status = "rejected".into();
                    m.cap_requests[i].decided = Some(now);
                }
                self.cap_decisions.cancel(id);
                return Ok((
                    m.username.clone(),
                    m.cap_requests[i].clone(),
                    m.tenant_cap_limit,
                ));
            }
        }
        Err(NsaError::CapRequestNotFound(id))
    }
}

fn approve(m: &mut NsaMsp, i: usize, when: DateTime<Utc>) {
    let r = &mut m.cap_requests[i];
    r.status = "approved".into();
    r.decided = Some(when);
    m.tenant_cap_limit = m.tenant_cap_limit.max(r.requested_limit);
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::super::tests::world;
    use super::*;

    #[test]
    fn auto_approval_is_due_exactly_after_the_delay_and_dated_then() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut w = world();
        w.settings.cap_request_auto_approve_secs = Some(30);
        let id = w.request_cap("u", 5, Some("growth".into()), t0).unwrap();
        let list = w.cap_requests(t0 + Duration::seconds(29));
        assert_eq!(list[0].1.status, "pending");
        assert_eq!(w.msps[0].tenant_cap_limit, 1);
        // Settled late, it is still dated when it became due.
        let list = w.cap_requests(t0 + Duration::seconds(300));
        assert_eq!(list[0].1.status, "approved");
        assert_eq!(list[0].1.decided, Some(t0 + Duration::seconds(30)));
        assert_eq!(w.msps[0].tenant_cap_limit, 5);
        assert_eq!(
            w.decide_cap_request(id, false, t0 + Duration::seconds(301)),
            Err(NsaError::CapRequestDecided {
                id,
                status: "approved".into()
            })
        );
    }

    #[test]
    fn a_decision_by_hand_stops_the_automatic_one() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut w = world();
        w.settings.cap_request_auto_approve_secs = Some(30);
        let id = w.request_cap("u", 5, None, t0).unwrap();
        let (_, r, cap) = w.decide_cap_request(id, false, t0).unwrap();
        assert_eq!((r.status.as_str(), cap), ("rejected", 1));
        let list = w.cap_requests(t0 + Duration::seconds(60));
        assert_eq!(list[0].1.status, "rejected");
        assert_eq!(w.msps[0].tenant_cap_limit, 1);
        assert_eq!(
            w.decide_cap_request(Uuid::nil(), true, t0),
            Err(NsaError::CapRequestNotFound(Uuid::nil()))
        );
        assert_eq!(
            w.request_cap("u", 1, None, t0),
            Err(NsaError::CapNotRaised {
                current: 1,
                requested: 1
            })
        );
    }

    #[test]
    fn without_auto_approval_requests_wait() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut w = world();
        w.request_cap("u", 5, None, t0).unwrap();
        let list = w.cap_requests(t0 + Duration::days(365));
        assert_eq!(list[0].1.status, "pending");
    }
}
