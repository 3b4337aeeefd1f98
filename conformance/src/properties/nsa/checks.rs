//! nSA end-of-case checks: the whole listing in small pages, unique sub-domains, the cap, the
//! reports and the schedule.

use serde_json::Value;

use super::case::Case;
use crate::properties::harness::R;

impl Case<'_> {
    /// The whole listing (in pages of 2, so paging is exercised), unique sub-domains, the
    /// reports and the schedule.
    pub(crate) async fn final_checks(&mut self) -> R<()> {
        let (items, doc) = self
            .walk_tenants(2, "model.equality", "listing tenants")
            .await?;
        let n = self.model.tenants.len();
        self.wire.equality(items.len() == n, || {
            format!(
                "walking the listing found {} tenants, the model holds {n}",
                items.len()
            )
        })?;
        for (i, item) in items.iter().enumerate() {
            self.observe(i, item)?;
        }
        self.wire.stats.check("domain.unique_names");
        let mut subs: Vec<&str> = items
            .iter()
            .filter_map(|i| i.get("sub_domain").and_then(Value::as_str))
            .collect();
        subs.sort_unstable();
        if let Some(w) = subs.windows(2).find(|w| w[0] == w[1]) {
            return Err(self.wire.fail(
                "domain.unique_names",
                format!("sub_domain {:?} appears twice", w[0]),
            ));
        }
        let cap = doc.get("tenant_cap_limit").and_then(Value::as_u64);
        self.wire.stats.check("domain.cap");
        if cap.is_some_and(|c| items.len() as u64 > c) {
            return Err(self.wire.fail(
                "domain.cap",
                format!("{} tenants listed above the cap {cap:?}", items.len()),
            ));
        }
        self.list_reports(0, 100).await?;
        self.get_schedule().await
    }
}
