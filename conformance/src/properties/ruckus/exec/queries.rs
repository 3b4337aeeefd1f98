//! RUCKUS One tenant queries (`POST /tenants/query`): one page against the model (`totalCount`,
//! the 1-based page, the sort order, the rows) and whole walks in pages.

use msp_client::generated::ruckus_msp_queries::types as qt;
use msp_client::hooks::Context;
use serde_json::{Value, json};

use crate::model::ruckus::{Kind, QuerySpec, SortField, TenantModel, Tenants};
use crate::properties::harness::R;
use crate::properties::ruckus::case::Case;

/// Why a page is not what the model computes: the property and what differs.
type Mismatch = (&'static str, String);

/// The query body of `q`.
pub(crate) fn query_body(q: &QuerySpec) -> Value {
    let mut body = json!({"page": q.page, "pageSize": q.page_size});
    if let Some(k) = q.kind {
        body["filters"] = json!({"tenantType": [k.as_str()]});
    }
    if let Some(f) = q.sort.wire() {
        body["sortField"] = json!(f);
        body["sortOrder"] = json!(if q.desc { "DESC" } else { "ASC" });
    }
    body
}

/// Compares one page `doc` of `q` with what `tenants` answer.
pub(crate) fn compare_page(doc: &Value, q: &QuerySpec, tenants: &Tenants) -> Result<(), Mismatch> {
    let kept = tenants.query(q);
    let total = doc.get("totalCount").and_then(Value::as_u64);
    let page = doc.get("page").and_then(Value::as_u64);
    let rows: Vec<Value> = doc
        .get("data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let want: Vec<&TenantModel> = kept
        .iter()
        .skip((q.page - 1) * q.page_size)
        .take(q.page_size)
        .copied()
        .collect();
    let got_ids: Vec<String> = rows
        .iter()
        .map(|r| {
            r.get("id")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        })
        .collect();
    let want_ids: Vec<String> = want.iter().map(|t| t.id.clone()).collect();
    if got_ids != want_ids {
        let mut a = got_ids.clone();
        let mut b = want_ids.clone();
        a.sort();
        b.sort();
        let property = if a == b || got_ids.len() != want_ids.len() {
            // Same rows out of order, or the wrong number of rows on the page.
            "query.totals"
        } else {
            "model.equality"
        };
        return Err((
            property,
            format!(
                "page {} of {} holds {got_ids:?}, the model expects {want_ids:?}",
                q.page, q.page_size
            ),
        ));
    }
    if total != Some(kept.len() as u64) {
        return Err((
            "query.totals",
            format!(
                "totalCount is {total:?}, the model has {} matching tenants",
                kept.len()
            ),
        ));
    }
    if page != Some(q.page as u64) {
        return Err((
            "query.totals",
            format!("page is {page:?}, the query asked for page {}", q.page),
        ));
    }
    for (row, t) in rows.iter().zip(&want) {
        match TenantModel::from_row(row) {
            Some(seen) if seen == **t => {}
            Some(seen) => {
                return Err((
                    "model.equality",
                    format!("tenant {} is {seen:?}, the model has {t:?}", t.id),
                ));
            }
            None => {
                return Err((
                    "model.equality",
                    format!("a tenant row the model cannot read: {row}"),
                ));
            }
        }
    }
    Ok(())
}

impl Case<'_> {
    /// Sends query `q` through the generated builder under `ctx`; the page's document.
    pub(crate) async fn send_query(
        &mut self,
        ctx: &Context,
        q: &QuerySpec,
        what: &str,
    ) -> R<Value> {
        let body = self
            .wire
            .typed_body::<qt::DynamicQueryPayloadDto>(query_body(q))?;
        let resp = self
            .wire
            .through(
                ctx,
                "query_tenants",
                self.queries.query_tenants().body(body).send(),
            )
            .await?;
        self.wire.expect(&resp, &[200], "model.equality", what)?;
        Ok(self.wire.body(&resp, "query_tenants")?.clone())
    }

    /// One page, which must be what one prefix in the window answers.
    pub(crate) async fn query(&mut self, q: &QuerySpec) -> R<()> {
        let ctx = self.ctx.clone();
        let doc = self.send_query(&ctx, q, "querying tenants").await?;
        let (lo, hi) = self.window();
        let mut first = None;
        for k in lo..=hi {
            let (tenants, _) = self.model.after(k);
            match compare_page(&doc, q, &tenants) {
                Ok(()) => {
                    self.wire.stats.check("query.totals");
                    self.wire.stats.check("model.equality");
                    self.model.commit(k);
                    return Ok(());
                }
                Err(m) => {
                    first.get_or_insert(m);
                }
            }
        }
        let (property, detail) = first.unwrap_or(("model.equality", "no prefix".into()));
        self.wire.stats.check(property);
        Err(self.wire.fail(property, detail))
    }

    /// Every tenant `ctx` sees, in pages of `size` sorted by name; stops at a short page.
    /// `foreign`: the calls go to the other MSP's bucket.
    pub(crate) async fn walk(
        &mut self,
        ctx: &Context,
        size: usize,
        property: &'static str,
        what: &str,
        foreign: bool,
    ) -> R<Vec<Value>> {
        let mut rows = Vec::new();
        for page in 1..=50 {
            let q = QuerySpec {
                kind: None,
                sort: SortField::Name,
                desc: false,
                page,
                page_size: size,
            };
            let body = self
                .wire
                .typed_body::<qt::DynamicQueryPayloadDto>(query_body(&q))?;
            if foreign {
                self.foreign_calls += 1;
            }
            let resp = self
                .wire
                .through(
                    ctx,
                    "query_tenants",
                    self.queries.query_tenants().body(body).send(),
                )
                .await?;
            self.wire.expect(&resp, &[200], property, what)?;
            let doc = self.wire.body(&resp, "query_tenants")?;
            let data = doc
                .get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let n = data.len();
            rows.extend(data);
            if n < size {
                break;
            }
        }
        Ok(rows)
    }

    /// The whole listing in pages of 3 (so paging is exercised), each page against the model.
    pub(crate) async fn check_every_page(&mut self) -> R<()> {
        let tenants = self.model.applied.clone();
        let n = tenants.0.len();
        let pages = n.div_ceil(3).max(1);
        for page in 1..=pages + 1 {
            let q = QuerySpec {
                kind: None,
                sort: SortField::Name,
                desc: false,
                page,
                page_size: 3,
            };
            let ctx = self.ctx.clone();
            let doc = self.send_query(&ctx, &q, "querying tenants").await?;
            self.wire.stats.check("query.totals");
            if let Err((property, detail)) = compare_page(&doc, &q, &tenants) {
                self.wire.stats.check(property);
                return Err(self.wire.fail(property, detail));
            }
        }
        let customers = QuerySpec {
            kind: Some(Kind::Customer),
            sort: SortField::TenantType,
            desc: true,
            page: 1,
            page_size: 100,
        };
        let ctx = self.ctx.clone();
        let doc = self
            .send_query(&ctx, &customers, "querying customers")
            .await?;
        compare_page(&doc, &customers, &tenants).map_err(|(p, d)| self.wire.fail(p, d))
    }
}
