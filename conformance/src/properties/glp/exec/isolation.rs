//! GreenLake isolation: tenant tokens see only their own workspace and cannot manage, and
//! the MSP under test cannot read, change or exchange into the witness MSP's tenants.

use msp_client::TenantSession;
use serde_json::Value;
use uuid::Uuid;

use crate::model::glp::observe_tenant;
use crate::properties::glp::case::Case;
use crate::properties::glp::steps::{Cross, Pick};
use crate::properties::harness::R;

impl Case<'_> {
    /// A session for the `as_tenant`-th live tenant (`None` when there is none).
    pub(crate) async fn tenant_session(
        &mut self,
        as_tenant: u8,
    ) -> R<Option<(Uuid, TenantSession)>> {
        let live = self.model.ordered();
        if live.is_empty() {
            self.wire.stats.skipped_steps += 1;
            return Ok(None);
        }
        let id = live[usize::from(as_tenant) % live.len()].id;
        self.wire.stats.check("auth.no_401");
        match self.msp.tenant_by_id(&id.to_string()).await {
            Ok(s) => Ok(Some((id, s))),
            Err(e) => Err(self.wire.fail(
                "auth.no_401",
                format!("token exchange for own tenant {id} failed: {e}"),
            )),
        }
    }

    pub(crate) async fn tenant_read(&mut self, as_tenant: u8, who: &Pick) -> R<()> {
        let Some((me, session)) = self.tenant_session(as_tenant).await? else {
            return Ok(());
        };
        let target = self.resolve(who);
        let ctx = session.context();
        let resp = self
            .wire
            .through(
                &ctx,
                "get_workspace",
                self.api.get_workspace().workspace_id(target).send(),
            )
            .await?;
        if target == me {
            self.wire.expect(
                &resp,
                &[200],
                "model.equality",
                "a tenant reads its own workspace",
            )?;
            self.wire.stats.check("model.equality");
            let body = resp.json.unwrap_or(Value::Null);
            let r = match self.model.get_mut(me) {
                Some(t) => observe_tenant(t, &body),
                None => Ok(()),
            };
            return r.map_err(|d| self.wire.fail("model.equality", d));
        }
        self.wire.expect(
            &resp,
            &[404, 403],
            "isolation",
            &format!("tenant {me} reads workspace {target}"),
        )
    }

    pub(crate) async fn tenant_manage(&mut self, as_tenant: u8, who: &Pick) -> R<()> {
        let Some((me, session)) = self.tenant_session(as_tenant).await? else {
            return Ok(());
        };
        let ctx = session.context();
        let resp = self
            .wire
            .through(&ctx, "list_msp_tenants", self.api.list_msp_tenants().send())
            .await?;
        self.wire.expect(
            &resp,
            &[403, 412],
            "isolation",
            &format!("tenant {me} lists MSP tenants"),
        )?;
        let target = self.resolve(who);
        let body = self.details("Hijacked", None, None)?;
        let resp = self
            .wire
            .through(
                &ctx,
                "update_msp_tenant",
                self.api
                    .update_msp_tenant()
                    .tenant_id(target)
                    .body(body)
                    .send(),
            )
            .await?;
        self.wire.expect(
            &resp,
            &[403, 404, 412],
            "isolation",
            &format!("tenant {me} renames {target}"),
        )
    }

    pub(crate) async fn cross(&mut self, op: Cross, k: u8) -> R<()> {
        if self
            .witness
            .as_ref()
            .is_none_or(|(_, w)| w.tenants.is_empty())
        {
            self.wire.stats.skipped_steps += 1;
            return Ok(());
        }
        let target = self.resolve(&Pick::Witness(k));
        let ctx = self.msp.context();
        match op {
            Cross::Read => {
                let resp = self
                    .wire
                    .through(
                        &ctx,
                        "get_workspace",
                        self.api.get_workspace().workspace_id(target).send(),
                    )
                    .await?;
                self.wire.expect(
                    &resp,
                    &[404, 403],
                    "isolation",
                    &format!("MSP reads another MSP's tenant {target}"),
                )
            }
            Cross::Update => {
                let body = self.details("Hijacked", None, None)?;
                let resp = self
                    .wire
                    .through(
                        &ctx,
                        "update_msp_tenant",
                        self.api
                            .update_msp_tenant()
                            .tenant_id(target)
                            .body(body)
                            .send(),
                    )
                    .await?;
                self.wire.expect(
                    &resp,
                    &[404, 403],
                    "isolation",
                    &format!("MSP renames another MSP's tenant {target}"),
                )
            }
            Cross::Delete => {
                let resp = self
                    .wire
                    .through(
                        &ctx,
                        "delete_msp_tenant",
                        self.api.delete_msp_tenant().tenant_id(target).send(),
                    )
                    .await?;
                self.wire.expect(
                    &resp,
                    &[404, 403],
                    "isolation",
                    &format!("MSP deletes another MSP's tenant {target}"),
                )
            }
            Cross::Exchange => {
                self.wire.stats.check("isolation");
                match self.msp.tenant_by_id(&target.to_string()).await {
                    Ok(_) => Err(self.wire.fail(
                        "isolation",
                        format!("the MSP obtained a token for another MSP's tenant {target}"),
                    )),
                    Err(_) => Ok(()),
                }
            }
        }
    }
}
