//! GreenLake malformed requests (hand-built: the typed builders cannot express them): a 4xx
//! in the error shape, and nothing changes.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::properties::glp::case::Case;
use crate::properties::glp::steps::{Bad, Pick};
use crate::properties::harness::{Body, R};

impl Case<'_> {
    pub(crate) async fn malformed(&mut self, bad: &Bad) -> R<()> {
        let ctx = self.msp.context();
        let create = "/workspaces/v1/msp-tenants";
        let (op, method, path, query, body): (
            &'static str,
            Method,
            String,
            Vec<(&str, String)>,
            Body,
        ) = match bad {
            Bad::NotJson(s) => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Raw("application/json", s.clone()),
            ),
            Bad::NotObject(s) => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Raw("application/json", s.clone()),
            ),
            Bad::EmptyBody => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Raw("application/json", String::new()),
            ),
            Bad::MissingName => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Json(json!({"description": "no name"})),
            ),
            Bad::NameNotString => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Json(json!({"workspaceName": 5})),
            ),
            Bad::LongCity => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Json(json!({
                    "workspaceName": "Long City Ltd", "address": {"countryCode": "US", "city": "x".repeat(41)}
                })),
            ),
            Bad::BadCountry(c) => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Json(json!({
                    "workspaceName": "Nowhere Ltd", "address": {"countryCode": c}
                })),
            ),
            Bad::BadOwnership => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Json(json!({
                    "workspaceName": "Owner Ltd", "inventoryOwnership": "NOBODY"
                })),
            ),
            Bad::TextPlain => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Raw("text/plain", "workspaceName=Plain".into()),
            ),
            Bad::BadFilter(f) => (
                "list_msp_tenants",
                Method::GET,
                create.into(),
                vec![("filter", f.clone())],
                Body::None,
            ),
            Bad::BadLimit(l) => (
                "list_msp_tenants",
                Method::GET,
                create.into(),
                vec![("limit", l.clone())],
                Body::None,
            ),
            Bad::BadOffset(o) => (
                "list_msp_tenants",
                Method::GET,
                create.into(),
                vec![("offset", o.clone())],
                Body::None,
            ),
            Bad::BadUpdate(k) => {
                let id = self.resolve(&Pick::Live(*k));
                (
                    "update_msp_tenant",
                    Method::PUT,
                    format!("{create}/{id}"),
                    vec![],
                    Body::Json(json!({"workspaceName": ["not", "a", "string"]})),
                )
            }
            Bad::UpdateBadId(s) => (
                "update_msp_tenant",
                Method::PUT,
                format!("{create}/{s}"),
                vec![],
                Body::Json(json!({"workspaceName": "Fine Name"})),
            ),
            Bad::DeleteBadId(s) => (
                "delete_msp_tenant",
                Method::DELETE,
                format!("{create}/{s}"),
                vec![],
                Body::None,
            ),
        };
        // An id made only of hex and dashes might be a uuid of a live tenant: skip those.
        if let Bad::UpdateBadId(s) | Bad::DeleteBadId(s) = bad
            && Uuid::parse_str(s).is_ok()
        {
            self.wire.stats.skipped_steps += 1;
            return Ok(());
        }
        let resp = self
            .wire
            .call(&ctx, op, method, &path, &query, body)
            .await?;
        self.wire.stats.check("input.malformed");
        if resp.status == 429 {
            return Ok(());
        }
        if !(400..500).contains(&resp.status) {
            return Err(self.wire.fail(
                "input.malformed",
                format!("malformed request answered {}, not a 4xx", resp.status),
            ));
        }
        // `call` already validated the body against the operation's error schema.
        if resp.json.is_none() {
            return Err(self
                .wire
                .fail("input.malformed", "the 4xx has no error body"));
        }
        Ok(())
    }
}
