//! GreenLake invariants after each step and the end-of-case checks: both MSPs' full listings
//! against the model, and token fetches against the token lifetime (from the journal).

use std::time::Duration;

use uuid::Uuid;

use super::case::Case;
use crate::model::glp::observe_tenant;
use crate::properties::harness::R;

impl Case<'_> {
    /// Invariants of the model after every step.
    pub(crate) fn invariants(&mut self) -> R<()> {
        self.wire.stats.check("domain.unique_names");
        let names: Vec<String> = self
            .model
            .tenants
            .iter()
            .map(|t| t.name.to_lowercase())
            .collect();
        let unique: std::collections::HashSet<&String> = names.iter().collect();
        if unique.len() != names.len() {
            return Err(self.wire.fail(
                "domain.unique_names",
                format!("two live tenants share a name: {names:?}"),
            ));
        }
        Ok(())
    }

    /// End of case: both MSPs list exactly what the model holds (nothing lost, leaked or
    /// changed in the other MSP), and token fetches respect the token lifetime.
    pub(crate) async fn final_checks(&mut self) -> R<()> {
        let ctx = self.msp.context();
        let items = self.walk_all(&ctx, 300).await?;
        self.compare_all(&items, "final listing")?;
        if let Some((ws, wm)) = self.witness.take() {
            let ctx = ws.context();
            let items = self.walk_all(&ctx, 300).await?;
            self.wire.stats.check("isolation");
            let got: Vec<Uuid> = items
                .iter()
                .filter_map(|i| crate::model::glp::item_id(i).ok())
                .collect();
            let want: Vec<Uuid> = wm.ordered().iter().map(|t| t.id).collect();
            let mut wm2 = wm.clone();
            let changed = got != want
                || items.iter().any(|i| {
                    crate::model::glp::item_id(i)
                        .ok()
                        .and_then(|id| wm2.get_mut(id))
                        .is_some_and(|t| observe_tenant(t, i).is_err())
                });
            if changed {
                return Err(self.wire.fail(
                    "isolation",
                    format!("the other MSP's tenants changed: now {got:?}, before {want:?}"),
                ));
            }
            self.witness = Some((ws, wm));
        }
        // The journal check is about the whole case, not the last exchange.
        self.wire.last = None;
        self.token_checks().await
    }

    /// From the journal: consecutive successful token fetches for one workspace are at least a
    /// token lifetime (less the client's refresh skew) apart, unless a 401 came in between.
    pub(crate) async fn token_checks(&mut self) -> R<()> {
        let Some(admin) = self.admin.clone() else {
            return Ok(());
        };
        let entries = admin
            .requests()
            .await
            .map_err(|e| self.wire.fail("transport", format!("admin journal: {e:#}")))?;
        let min_gap = self
            .config
            .token_ttl
            .saturating_sub(self.config.refresh_skew)
            .saturating_sub(Duration::from_secs(5));
        let mut last: std::collections::HashMap<String, chrono::DateTime<chrono::Utc>> =
            Default::default();
        let mut saw_401_since: std::collections::HashSet<String> = Default::default();
        for e in &entries {
            if e.status == 401 && !e.path.contains("/token") {
                for k in last.keys() {
                    saw_401_since.insert(k.clone());
                }
                continue;
            }
            let Some(ws) = e
                .path
                .strip_prefix("/authorization/v2/oauth2/")
                .and_then(|p| p.strip_suffix("/token"))
            else {
                continue;
            };
            if e.method != "POST" {
                continue;
            }
            if e.status != 200 {
                // A refused fetch (e.g. an exchange for a foreign tenant) lets the client
                // renew its subject token: a legitimate early fetch.
                for k in last.keys() {
                    saw_401_since.insert(k.clone());
                }
                continue;
            }
            let key = ws.replace('-', "").to_lowercase();
            self.wire.stats.check("auth.exchange_once");
            if let Some(prev) = last.get(&key)
                && !saw_401_since.contains(&key)
            {
                let gap = (e.time - *prev).to_std().unwrap_or_default();
                if gap < min_gap {
                    return Err(self.wire.fail("auth.exchange_once", format!(
                        "workspace {key}: two token fetches {}s apart, within one token lifetime ({}s)",
                        gap.as_secs(),
                        self.config.token_ttl.as_secs()
                    )));
                }
            }
            saw_401_since.remove(&key);
            last.insert(key, e.time);
        }
        Ok(())
    }
}
