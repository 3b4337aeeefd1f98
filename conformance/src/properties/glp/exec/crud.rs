//! GreenLake create, update and delete: the answer the model predicts (422, 451, 409 for a
//! taken name or the cap, 404/403 for a tenant not ours) and the model's update.

use reqwest::Method;
use uuid::Uuid;

use crate::model::glp::RESTRICTED_COUNTRIES;
use crate::properties::glp::case::{Case, tenant_body};
use crate::properties::glp::steps::ownership_of;
use crate::properties::harness::{Body, R};

/// Whether the spec itself refuses `name` (`workspaceName` has `minLength: 1` and
/// `pattern: \S`). The generated type refuses such a body too, so it is sent hand-built; every
/// other body goes through the generated builder, whose refusal fails `client.types`.
fn spec_refuses(name: &str) -> bool {
    name.trim().is_empty()
}

impl Case<'_> {
    pub(crate) async fn create(
        &mut self,
        name: &str,
        ownership: Option<usize>,
        country: Option<&str>,
        throttle: u8,
    ) -> R<()> {
        // Creation order is the list order; make sure two creates never share a millisecond,
        // so ties (broken by id per the spec) cannot arise from the suite's own speed.
        if let Some(admin) = self.admin.clone() {
            let now = admin
                .advance(0.002)
                .await
                .map_err(|e| self.wire.fail("transport", format!("admin clock: {e:#}")))?;
            self.clock.sync_to(now);
        }
        let path = "/workspaces/v1/msp-tenants";
        let before = self.throttle(throttle, "POST", path).await?;
        let ctx = self.msp.context();
        let resp = if spec_refuses(name) {
            let body = Body::Json(tenant_body(name, ownership, country));
            self.wire
                .call(&ctx, "create_msp_tenant", Method::POST, path, &[], body)
                .await?
        } else {
            let body = self.details(name, ownership, country)?;
            self.wire
                .through(
                    &ctx,
                    "create_msp_tenant",
                    self.api.create_msp_tenant().body(body).send(),
                )
                .await?
        };
        self.after_throttle(throttle, before, &resp, "POST", path)
            .await?;
        if resp.status == 429 && throttle == 0 {
            return Ok(()); // the server's own rate limit: refused, nothing created
        }
        let mut errors: Vec<(u16, &'static str)> = Vec::new();
        if name.trim().is_empty() {
            errors.push((422, "model.equality"));
        }
        if country.is_some_and(|c| RESTRICTED_COUNTRIES.contains(&c)) {
            errors.push((451, "model.equality"));
        }
        if self.model.name_taken(name, None) {
            errors.push((409, "domain.unique_names"));
        }
        let count = self.model.tenants.len();
        if self.model.cap.is_some_and(|cap| count >= cap) {
            errors.push((409, "domain.cap"));
        }
        for (_, property) in &errors {
            if *property != "model.equality" {
                self.wire.stats.check(property);
            }
        }
        if !errors.is_empty() {
            let allowed: Vec<u16> = errors.iter().map(|e| e.0).collect();
            let property = if resp.status < 300 {
                errors[0].1
            } else {
                "model.equality"
            };
            let property =
                if resp.status < 300 && errors.iter().any(|e| e.1 == "domain.unique_names") {
                    "domain.unique_names"
                } else if resp.status < 300 && errors.iter().any(|e| e.1 == "domain.cap") {
                    "domain.cap"
                } else {
                    property
                };
            return self.wire.expect(
                &resp,
                &allowed,
                property,
                &format!(
                    "create {name:?} (tenants: {count}, cap: {:?})",
                    self.model.cap
                ),
            );
        }
        if self.model.cap.is_none() && resp.status == 409 {
            self.model.cap = Some(count); // learned: the server's cap is the current count
            return Ok(());
        }
        self.wire
            .expect(&resp, &[201], "model.equality", &format!("create {name:?}"))?;
        let id = resp
            .location
            .as_deref()
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| {
                self.wire.fail(
                    "model.equality",
                    format!("201 without a tenant id in Location ({:?})", resp.location),
                )
            })?;
        if self.model.get(id).is_some() || self.is_witness_tenant(id) {
            return Err(self.wire.fail(
                "model.equality",
                format!("create returned an id already in use: {id}"),
            ));
        }
        let own = ownership.map_or("MSP_OWNED_INVENTORY", ownership_of);
        self.model
            .add_created(id, name, own, country.map(str::to_string));
        // Read it back: learns its timestamps and checks the Location names the new tenant.
        let ctx = self.msp.context();
        self.get_workspace(&ctx, id, true).await
    }

    pub(crate) async fn update(
        &mut self,
        id: Uuid,
        name: &str,
        ownership: Option<usize>,
        country: Option<&str>,
        throttle: u8,
    ) -> R<()> {
        let path = format!("/workspaces/v1/msp-tenants/{id}");
        let before = self.throttle(throttle, "PUT", &path).await?;
        let ctx = self.msp.context();
        let resp = if spec_refuses(name) {
            let body = Body::Json(tenant_body(name, ownership, country));
            self.wire
                .call(&ctx, "update_msp_tenant", Method::PUT, &path, &[], body)
                .await?
        } else {
            let body = self.details(name, ownership, country)?;
            self.wire
                .through(
                    &ctx,
                    "update_msp_tenant",
                    self.api.update_msp_tenant().tenant_id(id).body(body).send(),
                )
                .await?
        };
        self.after_throttle(throttle, before, &resp, "PUT", &path)
            .await?;
        if resp.status == 429 && throttle == 0 {
            return Ok(());
        }
        let witness = self.is_witness_tenant(id);
        let mut errors: Vec<u16> = Vec::new();
        if name.trim().is_empty() {
            errors.push(422);
        }
        if country.is_some_and(|c| RESTRICTED_COUNTRIES.contains(&c)) {
            errors.push(451);
        }
        if self.model.get(id).is_none() {
            errors.extend([404, 403]);
        }
        let conflict = self.model.get(id).is_some() && self.model.name_taken(name, Some(id));
        if conflict {
            errors.push(409);
        }
        if !errors.is_empty() {
            let property = if witness && resp.status < 300 {
                "isolation"
            } else if conflict && resp.status < 300 {
                "domain.unique_names"
            } else {
                "model.equality"
            };
            return self.wire.expect(
                &resp,
                &errors,
                property,
                &format!("update {id} to {name:?}"),
            );
        }
        self.wire.expect(
            &resp,
            &[200],
            "model.equality",
            &format!("update {id} to {name:?}"),
        )?;
        if let Some(t) = self.model.get_mut(id) {
            t.name = name.to_string();
            if let Some(o) = ownership {
                t.ownership = ownership_of(o).to_string();
            }
            if let Some(c) = country {
                t.country = Some(Some(c.to_string()));
            }
            t.generation = t.generation.map(|g| g + 1);
            t.updated_at = None;
        }
        Ok(())
    }

    pub(crate) async fn delete(&mut self, id: Uuid, throttle: u8) -> R<()> {
        let path = format!("/workspaces/v1/msp-tenants/{id}");
        let before = self.throttle(throttle, "DELETE", &path).await?;
        let ctx = self.msp.context();
        let resp = self
            .wire
            .through(
                &ctx,
                "delete_msp_tenant",
                self.api.delete_msp_tenant().tenant_id(id).send(),
            )
            .await?;
        self.after_throttle(throttle, before, &resp, "DELETE", &path)
            .await?;
        if resp.status == 429 && throttle == 0 {
            return Ok(());
        }
        let Some(t) = self.model.get(id) else {
            let property = if self.is_witness_tenant(id) && resp.status < 300 {
                "isolation"
            } else {
                "model.equality"
            };
            return self.wire.expect(
                &resp,
                &[404, 403],
                property,
                &format!("delete {id} (not a live tenant)"),
            );
        };
        match t.has_devices {
            Some(true) => self.wire.expect(
                &resp,
                &[409],
                "model.equality",
                &format!("delete {id} (holds devices)"),
            ),
            Some(false) => {
                self.wire
                    .expect(&resp, &[204], "model.equality", &format!("delete {id}"))?;
                self.model.remove(id);
                Ok(())
            }
            None => {
                self.wire.expect(
                    &resp,
                    &[204, 409],
                    "model.equality",
                    &format!("delete {id}"),
                )?;
                if resp.status == 204 {
                    self.model.remove(id);
                } else if let Some(t) = self.model.get_mut(id) {
                    t.has_devices = Some(true);
                }
                Ok(())
            }
        }
    }
}
