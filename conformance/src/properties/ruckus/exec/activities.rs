//! RUCKUS One activities (`GET /activities/{id}`): the status the clock allows, the outcome the
//! model predicts once one ended, and the bound by which every activity must have ended.

use serde_json::Value;

use crate::model::ruckus::status_of;
use crate::properties::harness::R;
use crate::properties::ruckus::case::Case;

/// Whether an activity status is terminal.
pub(crate) fn terminal(status: &str) -> bool {
    matches!(status, "SUCCESS" | "FAIL")
}

impl Case<'_> {
    /// A [`crate::properties::ruckus::Step::Poll`]: one of the case's activities (none yet:
    /// nothing to do).
    pub(crate) async fn poll(&mut self, which: u8) -> R<()> {
        let n = self.model.done.len() + self.model.in_flight.len();
        if n == 0 {
            return Ok(());
        }
        let i = usize::from(which) % n;
        let id = match self.model.done.get(i) {
            Some((a, _)) => a.id.clone(),
            None => match self.model.in_flight.get(i - self.model.done.len()) {
                Some(a) => a.id.clone(),
                None => return Ok(()),
            },
        };
        self.poll_activity(&id).await.map(drop)
    }

    /// Reads activity `id` and checks it; whether it has ended.
    pub(crate) async fn poll_activity(&mut self, id: &str) -> R<bool> {
        let resp = self
            .wire
            .through(
                &self.ctx,
                "get_activity",
                self.activities.get_activity().activity_id(id).send(),
            )
            .await?;
        if let Some(k) = self.model.done.iter().position(|(a, _)| a.id == id) {
            self.wire
                .expect(&resp, &[200], "model.equality", "reading an ended activity")?;
            let doc = self.wire.body(&resp, "get_activity")?.clone();
            let want = if self.model.done[k].1.is_ok() {
                "SUCCESS"
            } else {
                "FAIL"
            };
            let status = status_of(&doc).unwrap_or_default().to_string();
            self.wire.stats.check("activity.terminal");
            if !terminal(&status) {
                let a = self.model.done[k].0.clone();
                let (_, end_max) = self.timing.end_range();
                return Err(self.wire.fail(
                    "activity.terminal",
                    format!(
                        "activity {id} ({}) is still {status} {:.1} s after its 202; it must end \
                         within {end_max:.1} s",
                        a.change_name(),
                        self.age(&a)
                    ),
                ));
            }
            self.check_outcome(id, &doc, want, k)?;
            return Ok(true);
        }
        let Some(i) = self.model.in_flight.iter().position(|a| a.id == id) else {
            return Ok(false);
        };
        let a = self.model.in_flight[i].clone();
        let age = self.age(&a);
        let m = self.timing.margin();
        let (start_min, start_max) = self.timing.start_range();
        let (end_min, end_max) = self.timing.end_range();
        if resp.status == 404 && age - m < self.timing.visible_after {
            // RUCKUS: an activity may 404 for a moment after its 202.
            return Ok(false);
        }
        self.wire.expect(
            &resp,
            &[200],
            "model.equality",
            "reading an accepted activity",
        )?;
        let doc = self.wire.body(&resp, "get_activity")?.clone();
        let status = status_of(&doc).unwrap_or_default().to_string();
        let may_pending = age - m <= start_max;
        let may_running = age + m >= start_min && age - m <= end_max;
        let may_end = age + m >= end_min;
        self.wire.stats.check("activity.terminal");
        match status.as_str() {
            "SUCCESS" | "FAIL" if may_end => {
                // It ran, and so did every activity accepted before it.
                let (_, outcomes) = self.model.after(i + 1);
                let want = match outcomes.get(i) {
                    Some(Ok(())) => "SUCCESS",
                    _ => "FAIL",
                };
                self.model.commit(i + 1);
                let k = self.model.done.len() - 1;
                self.check_outcome(id, &doc, want, k)?;
                Ok(true)
            }
            "PENDING" if may_pending => Ok(false),
            "INPROGRESS" if may_running => Ok(false),
            "PENDING" | "INPROGRESS" if !may_pending && !may_running => Err(self.wire.fail(
                "activity.terminal",
                format!(
                    "activity {id} ({}) is still {status} {age:.1} s after its 202; it must end \
                     within {end_max:.1} s",
                    a.change_name()
                ),
            )),
            other => Err(self.wire.fail(
                "model.equality",
                format!(
                    "activity {id} is {other:?} {age:.1} s after its 202 (pending {start_min:.1}-\
                     {start_max:.1} s, ends {end_min:.1}-{end_max:.1} s)"
                ),
            )),
        }
    }

    /// An ended activity's outcome against the model's (`done[k]`).
    fn check_outcome(&mut self, id: &str, doc: &Value, want: &str, k: usize) -> R<()> {
        let status = status_of(doc).unwrap_or_default().to_string();
        let why = self.model.done.get(k).and_then(|(_, o)| o.clone().err());
        self.wire.equality(status == want, || match &why {
            Some(w) => format!("activity {id} ended {status}, the model expects FAIL ({w})"),
            None => format!("activity {id} ended {status}, the model expects SUCCESS"),
        })?;
        if status == "FAIL" {
            let has_reason = doc.get("error").and_then(Value::as_str).is_some();
            self.wire.equality(has_reason, || {
                format!("failed activity {id} gives no error")
            })?;
        }
        Ok(())
    }
}
