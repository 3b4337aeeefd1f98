//! RUCKUS One malformed requests (hand-built: the typed builders cannot express them): a 400 in
//! the error shape (checked against the spec), never a 5xx, and nothing changes.

use reqwest::Method;
use serde_json::json;

use crate::properties::harness::{Body, R};
use crate::properties::ruckus::case::Case;
use crate::properties::ruckus::steps::Bad;

impl Case<'_> {
    /// Sends a malformed request; the model is left as is, so later steps and the end-of-case
    /// checks catch any change.
    pub(crate) async fn bad(&mut self, bad: &Bad) -> R<()> {
        let query = |body| ("query_tenants", "/tenants/query", body);
        let create = |body| ("create_tenants", "/tenants", body);
        let (op, path, body) = match bad {
            Bad::PageZero => query(json!({"page": 0, "pageSize": 5})),
            Bad::PageSizeText => query(json!({"pageSize": "ten"})),
            Bad::UnknownSortField => query(json!({"sortField": "shoeSize"})),
            Bad::BadSortOrder => query(json!({"sortField": "name", "sortOrder": "UP"})),
            Bad::FilterNotList => query(json!({"filters": {"tenantType": {"in": ["MSP_EC"]}}})),
            Bad::EmptyCreate => create(json!({"data": []})),
            Bad::ShortName => create(json!({"data": [{"name": "X"}]})),
        };
        let resp = self
            .wire
            .call(&self.ctx, op, Method::POST, path, &[], Body::Json(body))
            .await?;
        self.wire.stats.check("input.malformed");
        if resp.status == 400 {
            Ok(())
        } else {
            Err(self.wire.fail(
                "input.malformed",
                format!("{bad:?}: expected 400, got {}", resp.status),
            ))
        }
    }
}
