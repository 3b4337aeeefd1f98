//! nSA usage reports and the report schedule.

use msp_client::generated::nsa_msp::types as nt;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::model::nsa::{ReportModel, ScheduleModel, report_of};
use crate::properties::harness::{Body, R};
use crate::properties::nsa::case::Case;

impl Case<'_> {
    pub(crate) async fn generate(&mut self) -> R<()> {
        let resp = self
            .wire
            .through(
                &self.ctx,
                "generate_usage_report",
                self.api.generate_usage_report().send(),
            )
            .await?;
        self.wire
            .expect(&resp, &[200], "model.equality", "generating a report")?;
        let doc = self.wire.body(&resp, "generate_usage_report")?;
        let Some(r) = report_of(doc) else {
            return Err(self
                .wire
                .fail("model.equality", "the new report has no uuid id"));
        };
        let dup = self.model.reports.iter().any(|x| x.id == r.id);
        self.wire
            .equality(!dup, || format!("report id {} was already in use", r.id))?;
        self.model.reports.push(r);
        Ok(())
    }

    pub(crate) async fn list_reports(&mut self, start: usize, limit: usize) -> R<()> {
        let resp = self
            .wire
            .through(
                &self.ctx,
                "list_usage_reports",
                self.api
                    .list_usage_reports()
                    .start(start as u64)
                    .limit(limit as u64)
                    .send(),
            )
            .await?;
        self.wire
            .expect(&resp, &[200], "model.equality", "listing reports")?;
        let doc = self.wire.body(&resp, "list_usage_reports")?.clone();
        let n = self.model.reports.len();
        let total = doc.get("total").and_then(Value::as_u64);
        self.wire.equality(total == Some(n as u64), || {
            format!("total is {total:?}, the model holds {n} reports")
        })?;
        let got: Vec<ReportModel> = doc
            .get("items")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(report_of).collect())
            .unwrap_or_default();
        let want: Vec<ReportModel> = self
            .model
            .reports
            .iter()
            .rev()
            .skip(start)
            .take(limit)
            .cloned()
            .collect();
        self.wire.equality(got == want, || {
            let ids = |v: &[ReportModel]| v.iter().map(|r| r.id.to_string()).collect::<Vec<_>>();
            format!(
                "page start={start} limit={limit} (newest first) holds {:?}, the model expects {:?}",
                ids(&got),
                ids(&want)
            )
        })
    }

    /// 204 when every named report existed (all go), else 200 naming the missing ones while
    /// the others still go.
    pub(crate) async fn delete_reports(&mut self, ids: &[Uuid]) -> R<()> {
        let q: Vec<(&str, String)> = ids.iter().map(|i| ("report_ids", i.to_string())).collect();
        let resp = self
            .wire
            .call(
                &self.ctx,
                "delete_usage_reports",
                Method::DELETE,
                "/api/msp/reports/usage",
                &q,
                Body::None,
            )
            .await?;
        let mut failed = Vec::new();
        for id in ids {
            if let Some(i) = self.model.reports.iter().position(|r| r.id == *id) {
                self.model.reports.remove(i);
                self.model.gone_reports.push(*id);
            } else {
                failed.push(id.to_string());
            }
        }
        if failed.is_empty() {
            return self
                .wire
                .expect(&resp, &[204], "model.equality", "deleting existing reports");
        }
        self.wire.expect(
            &resp,
            &[200],
            "model.equality",
            "deleting reports of which some do not exist",
        )?;
        let doc = self.wire.body(&resp, "delete_usage_reports")?;
        let got: Vec<String> = doc
            .get("error")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.get("id").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let total = doc.get("total").and_then(Value::as_u64);
        self.wire
            .equality(got == failed && total == Some(failed.len() as u64), || {
                format!("the failures are {got:?} (total {total:?}), the model expects {failed:?}")
            })
    }

    pub(crate) async fn set_schedule(
        &mut self,
        frequency: Option<&str>,
        start_day: Option<u8>,
        disabled: Option<bool>,
    ) -> R<()> {
        let mut body = json!({});
        if let Some(f) = frequency {
            body["frequency"] = json!(f);
        }
        if let Some(d) = start_day {
            body["start_day"] = json!(d);
        }
        if let Some(d) = disabled {
            body["disabled"] = json!(d);
        }
        let resp = match ScheduleModel::from_request(frequency, start_day, disabled) {
            // A schedule the rules accept is valid: the generated builder must take it.
            Some(_) => {
                let body = self
                    .wire
                    .typed_body::<nt::UsageReportScheduleEntity>(body)?;
                self.wire
                    .through(
                        &self.ctx,
                        "set_usage_report_schedule",
                        self.api.set_usage_report_schedule().body(body).send(),
                    )
                    .await?
            }
            // Others may break the schema (a frequency outside the enum): hand-built.
            None => {
                self.wire
                    .call(
                        &self.ctx,
                        "set_usage_report_schedule",
                        Method::POST,
                        "/api/msp/reports/usage/schedule",
                        &[],
                        Body::Json(body),
                    )
                    .await?
            }
        };
        let Some(want) = ScheduleModel::from_request(frequency, start_day, disabled) else {
            return self.wire.expect(
                &resp,
                &[400],
                "model.equality",
                "a schedule the rules refuse",
            );
        };
        self.wire
            .expect(&resp, &[200], "model.equality", "a valid schedule")?;
        let got = self.wire.body(&resp, "set_usage_report_schedule")?.clone();
        let expected = want.json();
        self.model.schedule = Some(want);
        self.wire.equality(got == expected, || {
            format!("the stored schedule echoes {got}, the model expects {expected}")
        })
    }

    pub(crate) async fn get_schedule(&mut self) -> R<()> {
        let resp = self
            .wire
            .through(
                &self.ctx,
                "get_usage_report_schedule",
                self.api.get_usage_report_schedule().send(),
            )
            .await?;
        self.wire
            .expect(&resp, &[200], "model.equality", "reading the schedule")?;
        let got = self.wire.body(&resp, "get_usage_report_schedule")?.clone();
        let expected = self.model.schedule.clone().unwrap_or_default().json();
        self.wire.equality(got == expected, || {
            format!("the schedule is {got}, the model expects {expected}")
        })
    }
}
