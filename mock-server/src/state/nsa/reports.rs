//! nSA usage reports (CSV snapshots, bounded per MSP), their expiring download tokens, and the
//! report schedule.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Category, DeleteOutcome, Download, NsaError, NsaWorld, Res, Schedule, UsageReport};
use crate::state::deferred::after;
use crate::state::sessions::new_token;

impl NsaWorld {
    /// Generates a usage report (a CSV snapshot of per-tenant entitlements).
    pub fn generate_report(&mut self, username: &str, now: DateTime<Utc>) -> Res<UsageReport> {
        self.settle_provisioning(now);
        let max = self.settings.max_reports.max(1);
        let m = self
            .msps
            .iter()
            .find(|m| m.username == username)
            .ok_or(NsaError::AccountGone)?;
        let mut csv = String::from("tenant_id,tenant_name,sub_domain,status,zta_users,pcs_users\n");
        for t in &m.tenants {
            csv.push_str(&format!(
                "{},{},{},{},{},{}\n",
                t.id,
                csv_field(&t.name),
                t.sub_domain,
                self.tenant_status(t).as_str(),
                t.users(Category::Zta),
                t.users(Category::Pcs)
            ));
        }
        let r = UsageReport {
            id: Uuid::new_v4(),
            file_name: format!("usage_report_{}.csv", now.format("%Y-%m-%dT%H-%M-%S%.3fZ")),
            created: now,
            csv,
        };
        let m = self.msp_mut(username)?;
        while m.reports.len() >= max {
            m.reports.remove(0);
        }
        m.reports.push(r.clone());
        Ok(r)
    }

    /// A page of reports, newest first, and the total.
    pub fn list_reports(
        &mut self,
        username: &str,
        start: usize,
        limit: usize,
    ) -> Res<(usize, Vec<UsageReport>)> {
        let m = self.msp_mut(username)?;
        let items = m
            .reports
            .iter()
            .rev()
            .skip(start)
            .take(limit)
            .cloned()
            .collect();
        Ok((m.reports.len(), items))
    }

    /// Deletes the named reports; the unknown ones come back in `failed`.
    pub fn delete_reports(&mut self, username: &str, ids: &[String]) -> Res<DeleteOutcome> {
        let m = self.msp_mut(username)?;
        let mut failed = Vec::new();
        for raw in ids {
            let pos = Uuid::try_parse(raw)
                .ok()
                .and_then(|id| m.reports.iter().position(|r| r.id == id));
            match pos {
                Some(i) => {
                    m.reports.remove(i);
                }
                None => failed.push((raw.clone(), String::new())),
            }
        }
        Ok(DeleteOutcome {
            asked: ids.len(),
            failed,
        })
    }

    /// Mints a download token for a report; answers (token, file name).
    pub fn download_token(
        &mut self,
        username: &str,
        report: Uuid,
        now: DateTime<Utc>,
    ) -> Res<(String, String)> {
        let ttl = self.settings.download_url_ttl_secs;
        let m = self.msp_mut(username)?;
        let r = m
            .reports
            .iter()
            .find(|r| r.id == report)
            .ok_or(NsaError::ReportNotFound(report))?;
        let file = r.file_name.clone();
        self.downloads.0.retain(|_, d| now < d.expires);
        let token = new_token();
        self.downloads.0.insert(
            token.clone(),
            Download {
                username: username.to_owned(),
                report,
                expires: after(now, ttl),
            },
        );
        Ok((token, file))
    }

    /// The CSV a download token points at, while it has not expired and the report exists.
    pub fn download(&self, report: Uuid, token: &str, now: DateTime<Utc>) -> Res<UsageReport> {
        let d = self.downloads.0.get(token).ok_or(NsaError::DownloadGone)?;
        if d.report != report || now >= d.expires {
            return Err(NsaError::DownloadGone);
        }
        self.msps
            .iter()
            .find(|m| m.username == d.username)
            .and_then(|m| m.reports.iter().find(|r| r.id == report))
            .cloned()
            .ok_or(NsaError::DownloadGone)
    }

    /// The stored schedule (the documented default until one is set).
    pub fn schedule(&mut self, username: &str) -> Res<Schedule> {
        Ok(self.msp_mut(username)?.schedule.clone().unwrap_or_default())
    }

    /// Stores the schedule.
    pub fn set_schedule(&mut self, username: &str, s: Schedule) -> Res<Schedule> {
        let m = self.msp_mut(username)?;
        m.schedule = Some(s.clone());
        Ok(s)
    }
}

/// Quotes a CSV field when it holds a separator, quote or line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_awkward_names() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
