//! nSA malformed requests (hand-built: the typed builders cannot express them): a 4xx in the
//! error shape, never a 5xx, and nothing changes.

use reqwest::Method;
use serde_json::json;

use crate::properties::harness::{Body, R};
use crate::properties::nsa::case::Case;
use crate::properties::nsa::steps::{Bad, subscription_body};

impl Case<'_> {
    /// Sends a malformed request: it must get a 4xx (in the spec's error shape, which
    /// [`Wire::call`](crate::properties::harness::Wire::call) checks) and change nothing (the model is left as is, so later steps and
    /// the end-of-case checks catch any change).
    pub(crate) async fn bad(&mut self, bad: &Bad) -> R<()> {
        let q = |k: &'static str, v: &str| vec![(k, v.to_string())];
        let (op, method, path, query, body): (_, _, String, Vec<(&str, String)>, _) = match bad {
            Bad::ListStart(v) => (
                "list_tenants",
                Method::GET,
                "/api/msp/tenants".into(),
                q("start", v),
                None,
            ),
            Bad::ListLimit(v) => (
                "list_tenants",
                Method::GET,
                "/api/msp/tenants".into(),
                q("limit", v),
                None,
            ),
            Bad::ReportsLimit(v) => (
                "list_usage_reports",
                Method::GET,
                "/api/msp/reports/usage".into(),
                q("limit", v),
                None,
            ),
            Bad::CreateNotJson => (
                "create_tenant",
                Method::POST,
                "/api/msp/tenants".into(),
                vec![],
                Some(("application/json", "{\"sub_domain\": ".to_string())),
            ),
            Bad::CreateNotObject => (
                "create_tenant",
                Method::POST,
                "/api/msp/tenants".into(),
                vec![],
                Some(("application/json", "[1, 2]".to_string())),
            ),
            Bad::CreateMissingField => (
                "create_tenant",
                Method::POST,
                "/api/msp/tenants".into(),
                vec![],
                Some((
                    "application/json",
                    json!({"sub_domain": "zeta", "name": "Zeta",
                           "user": {"username": "z", "email": "z@zeta.example"}})
                    .to_string(),
                )),
            ),
            Bad::UpdateBadId(id) => (
                "update_tenant",
                Method::PUT,
                format!("/api/msp/tenants/{id}"),
                vec![],
                Some((
                    "application/json",
                    json!({"name": "X", "subscriptions": subscription_body(1, true)}).to_string(),
                )),
            ),
            Bad::ScheduleBadType => (
                "set_usage_report_schedule",
                Method::POST,
                "/api/msp/reports/usage/schedule".into(),
                vec![],
                Some(("application/json", r#"{"disabled": "yes"}"#.to_string())),
            ),
            Bad::DeleteNoIds => (
                "delete_usage_reports",
                Method::DELETE,
                "/api/msp/reports/usage".into(),
                vec![],
                None,
            ),
        };
        let body = match body {
            Some((ct, text)) => Body::Raw(ct, text),
            None => Body::None,
        };
        let resp = self
            .wire
            .call(&self.ctx, op, method, &path, &query, body)
            .await?;
        self.wire.stats.check("input.malformed");
        if (400..500).contains(&resp.status) && resp.status != 401 {
            Ok(())
        } else {
            Err(self.wire.fail(
                "input.malformed",
                format!("{bad:?}: expected a 4xx, got {}", resp.status),
            ))
        }
    }
}
