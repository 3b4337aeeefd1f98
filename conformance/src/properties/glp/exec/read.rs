//! GreenLake reads: workspace and contact reads, filtered and paged lists, page walks, each
//! compared with the model.

use msp_client::hooks::Context;
use serde_json::Value;
use uuid::Uuid;

use crate::model::glp::{FilterSpec, observe_tenant};
use crate::properties::glp::case::Case;
use crate::properties::harness::R;

impl Case<'_> {
    /// `GET /workspaces/v1/workspaces/{id}` as the MSP (`as_msp`): its own workspace and live
    /// tenants are visible, nothing else.
    pub(crate) async fn get_workspace(&mut self, ctx: &Context, id: Uuid, as_msp: bool) -> R<()> {
        let resp = self
            .wire
            .through(
                ctx,
                "get_workspace",
                self.api.get_workspace().workspace_id(id).send(),
            )
            .await?;
        if !as_msp {
            return Ok(());
        }
        if id == self.model.workspace_id {
            self.wire.expect(
                &resp,
                &[200],
                "model.equality",
                "the MSP reads its own workspace",
            )?;
            let got = resp
                .json
                .as_ref()
                .and_then(|j| j.get("id"))
                .and_then(Value::as_str);
            if got != Some(id.to_string().as_str()) {
                return Err(self.wire.fail(
                    "model.equality",
                    format!("read workspace {id}, got id {got:?}"),
                ));
            }
            return Ok(());
        }
        if self.model.get(id).is_none() {
            let property = if self.is_witness_tenant(id) {
                "isolation"
            } else {
                "model.equality"
            };
            return self.wire.expect(
                &resp,
                &[404, 403],
                property,
                &format!("read workspace {id} (not ours)"),
            );
        }
        self.wire.expect(
            &resp,
            &[200],
            "model.equality",
            &format!("read tenant {id}"),
        )?;
        let body = resp.json.unwrap_or(Value::Null);
        if let Some(wt) = body.get("workspaceType").and_then(Value::as_str)
            && wt != "MSP_TENANT"
        {
            return Err(self.wire.fail(
                "model.equality",
                format!("tenant {id} has workspaceType {wt}"),
            ));
        }
        self.wire.stats.check("model.equality");
        let r = match self.model.get_mut(id) {
            Some(t) => observe_tenant(t, &body),
            None => Ok(()),
        };
        r.map_err(|d| self.wire.fail("model.equality", d))
    }

    pub(crate) async fn contact(&mut self, id: Uuid) -> R<()> {
        let ctx = self.msp.context();
        let resp = self
            .wire
            .through(
                &ctx,
                "get_workspace_contact",
                self.api.get_workspace_contact().workspace_id(id).send(),
            )
            .await?;
        if id == self.model.workspace_id {
            return self.wire.expect(
                &resp,
                &[200],
                "model.equality",
                "the MSP reads its own contact",
            );
        }
        if self.model.get(id).is_none() {
            let property = if self.is_witness_tenant(id) {
                "isolation"
            } else {
                "model.equality"
            };
            return self.wire.expect(
                &resp,
                &[404, 403],
                property,
                &format!("read contact of {id} (not ours)"),
            );
        }
        self.wire.expect(
            &resp,
            &[200],
            "model.equality",
            &format!("read contact of {id}"),
        )?;
        let country = resp
            .json
            .as_ref()
            .and_then(|j| j.pointer("/address/countryCode"))
            .and_then(Value::as_str)
            .map(str::to_string);
        self.wire.stats.check("model.equality");
        let known = self.model.get(id).and_then(|t| t.country.clone());
        match known {
            Some(k) if k != country => Err(self.wire.fail(
                "model.equality",
                format!("tenant {id}: address country is {country:?}, the model says {k:?}"),
            )),
            Some(_) => Ok(()),
            None => {
                if let Some(t) = self.model.get_mut(id) {
                    t.country = Some(country);
                }
                Ok(())
            }
        }
    }

    /// Compares one page with the model's prediction.
    pub(crate) fn compare_page(
        &mut self,
        page: &Value,
        filter: Option<&FilterSpec>,
        offset: usize,
        limit: usize,
    ) -> R<()> {
        self.wire.stats.check("model.equality");
        let expected: Vec<Uuid> = self.model.matching(filter).iter().map(|t| t.id).collect();
        let total = page
            .get("total")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let count = page
            .get("count")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let got_offset = page
            .get("offset")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let items = page
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let want: Vec<Uuid> = expected.iter().skip(offset).take(limit).copied().collect();
        let got: Vec<Uuid> = items
            .iter()
            .filter_map(|i| crate::model::glp::item_id(i).ok())
            .collect();
        let fdesc = filter.map(|f| f.text()).unwrap_or_else(|| "(none)".into());
        if total != expected.len() as u64 {
            let leaked: Vec<Uuid> = got
                .iter()
                .copied()
                .filter(|id| self.is_witness_tenant(*id))
                .collect();
            let property = if leaked.is_empty() {
                "model.equality"
            } else {
                "isolation"
            };
            return Err(self.wire.fail(
                property,
                format!(
                    "filter {fdesc}: total is {total}, the model has {} matching tenants",
                    expected.len()
                ),
            ));
        }
        if got_offset != offset as u64 || count != got.len() as u64 || items.len() != got.len() {
            return Err(self.wire.fail(
                "model.equality",
                format!(
                    "page fields: offset {got_offset} (asked {offset}), count {count} for {} items",
                    items.len()
                ),
            ));
        }
        if got != want {
            let property = if got.iter().any(|id| self.is_witness_tenant(*id)) {
                "isolation"
            } else {
                "model.equality"
            };
            return Err(self.wire.fail(property, format!(
                "filter {fdesc}, offset {offset}, limit {limit}: got {got:?}, the model predicts {want:?}"
            )));
        }
        for item in &items {
            let id = crate::model::glp::item_id(item)
                .map_err(|d| self.wire.fail("model.equality", d))?;
            let r = match self.model.get_mut(id) {
                Some(t) => observe_tenant(t, item),
                None => Ok(()),
            };
            r.map_err(|d| self.wire.fail("model.equality", d))?;
        }
        Ok(())
    }

    pub(crate) async fn list(
        &mut self,
        filter: Option<FilterSpec>,
        offset: Option<u64>,
        limit: Option<u64>,
        throttle: u8,
    ) -> R<()> {
        let path = "/workspaces/v1/msp-tenants";
        let before = self.throttle(throttle, "GET", path).await?;
        let ctx = self.msp.context();
        let mut list = self.api.list_msp_tenants();
        if let Some(f) = &filter {
            list = list.filter(f.text());
        }
        if let Some(o) = offset {
            list = list.offset(o);
        }
        if let Some(l) = limit {
            list = list.limit(l);
        }
        let resp = self
            .wire
            .through(&ctx, "list_msp_tenants", list.send())
            .await?;
        self.after_throttle(throttle, before, &resp, "GET", path)
            .await?;
        if resp.status == 429 && throttle == 0 {
            return Ok(());
        }
        self.wire
            .expect(&resp, &[200], "model.equality", "list tenants")?;
        let page = resp.json.unwrap_or(Value::Null);
        self.compare_page(
            &page,
            filter.as_ref(),
            offset.unwrap_or(0) as usize,
            limit.unwrap_or(300) as usize,
        )
    }

    /// Every item the list returns, page by page with `limit` (bounded).
    pub(crate) async fn walk_all(&mut self, ctx: &Context, limit: u64) -> R<Vec<Value>> {
        let mut out = Vec::new();
        let mut offset = 0u64;
        for _ in 0..200 {
            let resp = self
                .wire
                .through(
                    ctx,
                    "list_msp_tenants",
                    self.api
                        .list_msp_tenants()
                        .offset(offset)
                        .limit(limit)
                        .send(),
                )
                .await?;
            self.wire
                .expect(&resp, &[200], "model.equality", "list tenants")?;
            let page = resp.json.unwrap_or(Value::Null);
            let items = page
                .get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = page.get("total").and_then(Value::as_u64).unwrap_or(0);
            let n = items.len() as u64;
            out.extend(items);
            offset += n;
            if n == 0 || offset >= total {
                return Ok(out);
            }
        }
        Err(self
            .wire
            .fail("model.equality", "paging did not end within 200 pages"))
    }

    pub(crate) async fn walk_and_compare(&mut self, limit: u64) -> R<()> {
        let ctx = self.msp.context();
        let items = self.walk_all(&ctx, limit).await?;
        self.compare_all(&items, "walk")
    }

    pub(crate) fn compare_all(&mut self, items: &[Value], what: &str) -> R<()> {
        self.wire.stats.check("model.equality");
        let got: Vec<Uuid> = items
            .iter()
            .filter_map(|i| crate::model::glp::item_id(i).ok())
            .collect();
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = got.iter().find(|id| !seen.insert(**id)) {
            return Err(self.wire.fail(
                "model.equality",
                format!("{what}: tenant {dup} appears on two pages"),
            ));
        }
        let want: Vec<Uuid> = self.model.ordered().iter().map(|t| t.id).collect();
        if got != want {
            let property = if got.iter().any(|id| self.is_witness_tenant(*id)) {
                "isolation"
            } else {
                "model.equality"
            };
            return Err(self.wire.fail(
                property,
                format!("{what}: paging returned {got:?}, the model holds {want:?}"),
            ));
        }
        for item in items {
            let id = crate::model::glp::item_id(item)
                .map_err(|d| self.wire.fail("model.equality", d))?;
            let r = match self.model.get_mut(id) {
                Some(t) => observe_tenant(t, item),
                None => Ok(()),
            };
            r.map_err(|d| self.wire.fail("model.equality", d))?;
        }
        Ok(())
    }
}
