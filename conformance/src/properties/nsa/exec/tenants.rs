//! nSA tenants: create, update, block/unblock, delete, paged lists with the MSP-wide
//! figures, cap requests.

use msp_client::generated::nsa_msp::types as nt;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::model::nsa::{TenantModel, id_of, time, valid_sub_domain};
use crate::properties::harness::{Body, R};
use crate::properties::nsa::case::Case;
use crate::properties::nsa::steps::{NAMES, SUB_DOMAINS, USERS, subscription_body};

impl Case<'_> {
    pub(crate) async fn create(
        &mut self,
        sub: Option<usize>,
        name: usize,
        users: usize,
        zta: bool,
    ) -> R<()> {
        let sub_domain = match sub {
            Some(i) => SUB_DOMAINS.get(i).copied().unwrap_or("alpha").to_string(),
            None => {
                self.fresh_subs += 1;
                format!("tenant-{}", self.fresh_subs)
            }
        };
        let sub_domain = sub_domain.as_str();
        let name = NAMES.get(name).copied().unwrap_or("Alpha Ltd");
        let body = json!({
            "sub_domain": sub_domain,
            "user": {"username": "first-admin", "email": format!("admin@{sub_domain}.example")},
            "name": name,
            "subscriptions": subscription_body(users, zta),
        });
        let users_n = USERS.get(users).copied().unwrap_or(1);
        let resp = if valid_sub_domain(sub_domain) && users_n > 0 {
            let body = self.wire.typed_body::<nt::TenantCreateEntity>(body)?;
            self.wire
                .through(
                    &self.ctx,
                    "create_tenant",
                    self.api.create_tenant().body(body).send(),
                )
                .await?
        } else {
            // Outside the schema (the typed builder cannot say it): hand-built.
            self.wire
                .call(
                    &self.ctx,
                    "create_tenant",
                    Method::POST,
                    "/api/msp/tenants",
                    &[],
                    Body::Json(body),
                )
                .await?
        };
        if !valid_sub_domain(sub_domain) || users_n == 0 {
            return self.wire.expect(
                &resp,
                &[400],
                "model.equality",
                "a create the schema refuses",
            );
        }
        if self
            .model
            .tenants
            .iter()
            .any(|t| t.sub_domain == sub_domain)
        {
            return self.wire.expect(
                &resp,
                &[409],
                "domain.unique_names",
                &format!("creating a second tenant with sub_domain {sub_domain:?}"),
            );
        }
        if self.model.tenants.len() >= self.model.cap {
            return self.wire.expect(
                &resp,
                &[409],
                "domain.cap",
                &format!(
                    "a create with {} of {} tenants (at the cap)",
                    self.model.tenants.len(),
                    self.model.cap
                ),
            );
        }
        self.wire.expect(
            &resp,
            &[202],
            "model.equality",
            "a create the model accepts",
        )?;
        let create_exchange = self.wire.last.clone();
        // 202 carries no body: find the new tenant in the listing.
        let (items, _) = self
            .walk_tenants(100, "model.equality", "listing tenants")
            .await?;
        let found = items
            .iter()
            .find(|i| i.get("sub_domain").and_then(Value::as_str) == Some(sub_domain))
            .cloned();
        self.wire.last = create_exchange;
        let Some(item) = found else {
            return Err(self.wire.fail(
                "model.equality",
                format!("the created tenant {sub_domain:?} is not in the listing"),
            ));
        };
        let id = id_of(&item).map_err(|d| self.wire.fail("model.equality", d))?;
        let created = time(&item, "created");
        let ready_at = match (self.provisioning, created) {
            (Some(p), Some(c)) => Some(c + chrono::Duration::seconds(p)),
            // Unknown delay: the status may be either until it turns active.
            _ => None,
        };
        self.model.tenants.push(TenantModel {
            id,
            sub_domain: sub_domain.to_string(),
            name: name.to_string(),
            subscriptions: vec![(if zta { "ZTA" } else { "PCS" }.to_string(), users_n)],
            created,
            ready_at,
            learned_status: None,
            blocked: false,
        });
        let i = self.model.tenants.len() - 1;
        self.observe(i, &item)
    }

    pub(crate) async fn update(&mut self, id: Uuid, name: usize, users: usize, zta: bool) -> R<()> {
        let name = NAMES.get(name).copied().unwrap_or("Alpha Ltd");
        let users_n = USERS.get(users).copied().unwrap_or(1);
        let body = json!({ "name": name, "subscriptions": subscription_body(users, zta) });
        let path = format!("/api/msp/tenants/{id}");
        let resp = if users_n > 0 {
            let body = self.wire.typed_body::<nt::TenantUpdateEntity>(body)?;
            self.wire
                .through(
                    &self.ctx,
                    "update_tenant",
                    self.api.update_tenant().tenant_id(id).body(body).send(),
                )
                .await?
        } else {
            // Outside the schema (the typed builder cannot say it): hand-built.
            self.wire
                .call(
                    &self.ctx,
                    "update_tenant",
                    Method::PUT,
                    &path,
                    &[],
                    Body::Json(body),
                )
                .await?
        };
        if users_n == 0 {
            return self.wire.expect(
                &resp,
                &[400],
                "model.equality",
                "an update the schema refuses",
            );
        }
        let Some(i) = self.model.tenants.iter().position(|t| t.id == id) else {
            return self.wire.expect(
                &resp,
                &[404],
                "model.equality",
                "updating an unknown tenant",
            );
        };
        self.wire
            .expect(&resp, &[200], "model.equality", "updating a live tenant")?;
        let t = &mut self.model.tenants[i];
        t.name = name.to_string();
        t.subscriptions = vec![(if zta { "ZTA" } else { "PCS" }.to_string(), users_n)];
        let item = self.wire.body(&resp, "update_tenant")?.clone();
        self.observe(i, &item)
    }

    pub(crate) async fn cap_request(&mut self, delta: i8) -> R<()> {
        let requested = (self.model.cap as i64 + i64::from(delta)).max(1);
        let body = json!({ "requested_limit": requested, "reason": "conformance suite" });
        let resp = {
            let body = self.wire.typed_body::<nt::TenantCapLimitRequest>(body)?;
            self.wire
                .through(
                    &self.ctx,
                    "request_tenant_cap_increase",
                    self.api.request_tenant_cap_increase().body(body).send(),
                )
                .await?
        };
        if requested as usize <= self.model.cap {
            return self.wire.expect(
                &resp,
                &[400],
                "model.equality",
                "a cap request not above the current cap",
            );
        }
        // Filed, not approved: the cap stays (later lists check `tenant_cap_limit`).
        self.wire.expect(
            &resp,
            &[200],
            "model.equality",
            "a cap request above the cap",
        )
    }

    /// Block/unblock: 404 for an unknown tenant, 409 while it is initializing (nothing
    /// changes), else 200 with the tenant in its new status.
    pub(crate) async fn block(&mut self, id: Uuid, block: bool) -> R<()> {
        let (op, verb) = if block {
            ("block_tenant", "block")
        } else {
            ("unblock_tenant", "unblock")
        };
        let resp = if block {
            self.wire
                .through(&self.ctx, op, self.api.block_tenant().tenant_id(id).send())
                .await?
        } else {
            self.wire
                .through(
                    &self.ctx,
                    op,
                    self.api.unblock_tenant().tenant_id(id).send(),
                )
                .await?
        };
        let Some(i) = self.model.tenants.iter().position(|t| t.id == id) else {
            return self.wire.expect(
                &resp,
                &[404],
                "model.equality",
                &format!("{verb} an unknown tenant"),
            );
        };
        let allowed = self.allowed_statuses(&self.model.tenants[i]);
        let may_init = allowed.contains(&"initializing");
        let may_ready = allowed.iter().any(|s| *s != "initializing");
        self.wire.stats.check("model.equality");
        match resp.status {
            409 if may_init => Ok(()),
            200 if may_ready => {
                let t = &mut self.model.tenants[i];
                t.blocked = block;
                // Provisioning is over once the portal accepts a block.
                t.ready_at = None;
                t.learned_status = Some("active".into());
                let item = self.wire.body(&resp, op)?.clone();
                self.observe(i, &item)
            }
            s => Err(self.wire.fail(
                "model.equality",
                format!(
                    "{verb} a tenant the model sees as {allowed:?}: got {s}, expected {}",
                    if may_ready { "200" } else { "409" }
                ),
            )),
        }
    }

    pub(crate) async fn delete(&mut self, id: Uuid) -> R<()> {
        let resp = self
            .wire
            .through(
                &self.ctx,
                "delete_tenant",
                self.api.delete_tenant().tenant_id(id).send(),
            )
            .await?;
        if self.model.tenants.iter().any(|t| t.id == id) {
            self.wire
                .expect(&resp, &[204], "model.equality", "deleting a live tenant")?;
            self.model.tenants.retain(|t| t.id != id);
            self.model.gone_tenants.push(id);
            Ok(())
        } else {
            self.wire.expect(
                &resp,
                &[404],
                "model.equality",
                "deleting an unknown tenant",
            )
        }
    }

    /// One page: the right slice, `total`, the per-status counts, the user totals, the cap.
    pub(crate) async fn list(&mut self, start: usize, limit: usize) -> R<()> {
        let resp = self
            .wire
            .through(
                &self.ctx,
                "list_tenants",
                self.api
                    .list_tenants()
                    .start(start as u64)
                    .limit(limit as u64)
                    .send(),
            )
            .await?;
        self.wire
            .expect(&resp, &[200], "model.equality", "listing tenants")?;
        let doc = self.wire.body(&resp, "list_tenants")?.clone();
        self.check_page(&doc, start, limit)
    }

    pub(crate) fn check_page(&mut self, doc: &Value, start: usize, limit: usize) -> R<()> {
        let n = self.model.tenants.len();
        let total = doc.get("total").and_then(Value::as_u64);
        self.wire.equality(total == Some(n as u64), || {
            format!("total is {total:?}, the model holds {n} tenants")
        })?;
        let cap = doc.get("tenant_cap_limit").and_then(Value::as_u64);
        let want_cap = self.model.cap as u64;
        self.wire.equality(cap == Some(want_cap), || {
            format!("tenant_cap_limit is {cap:?}, the model says {want_cap}")
        })?;
        let page = doc
            .get("tenants")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let want: Vec<usize> = (start..n.min(start + limit)).collect();
        self.wire.equality(page.len() == want.len(), || {
            format!(
                "page start={start} limit={limit} has {} tenants, the model expects {}",
                page.len(),
                want.len()
            )
        })?;
        for (item, i) in page.iter().zip(want) {
            self.observe(i, item)?;
        }
        // MSP-wide figures are computed from every tenant, not the page.
        let mut zta = 0;
        let mut pcs = 0;
        for t in &self.model.tenants {
            for (c, u) in &t.subscriptions {
                match c.as_str() {
                    "ZTA" => zta += u,
                    "PCS" => pcs += u,
                    _ => {}
                }
            }
        }
        let users = doc.get("users").cloned().unwrap_or(Value::Null);
        self.wire
            .equality(users == json!({"ZTA": zta, "PCS": pcs}), || {
                format!("users is {users}, the model sums ZTA {zta}, PCS {pcs}")
            })?;
        let stats = doc.get("tenant_stats").cloned().unwrap_or(Value::Null);
        let count = |k: &str| stats.get(k).and_then(Value::as_u64).unwrap_or(u64::MAX);
        let (a, b, i) = (count("active"), count("blocked"), count("initializing"));
        let mut lo = [0u64; 3];
        let mut hi = [0u64; 3];
        for t in &self.model.tenants {
            let allowed = self.allowed_statuses(t);
            for (k, s) in ["active", "blocked", "initializing"].iter().enumerate() {
                if allowed.contains(s) {
                    hi[k] += 1;
                    if allowed.len() == 1 {
                        lo[k] += 1;
                    }
                }
            }
        }
        let ok = a + b + i == n as u64
            && (lo[0]..=hi[0]).contains(&a)
            && (lo[1]..=hi[1]).contains(&b)
            && (lo[2]..=hi[2]).contains(&i);
        self.wire.equality(ok, || {
            format!(
                "tenant_stats is {stats}, the model expects active {}..={}, blocked {}..={}, \
                 initializing {}..={} (of {n})",
                lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]
            )
        })
    }
}
