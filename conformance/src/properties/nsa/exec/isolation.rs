//! nSA isolation: a second nSA MSP addresses this MSP's tenants (they must look unknown) and
//! lists its own (none of this MSP's are in it).

use msp_client::generated::nsa_msp::types as nt;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::properties::harness::R;
use crate::properties::nsa::case::Case;
use crate::properties::nsa::steps::{ForeignAction, Pick, subscription_body};

impl Case<'_> {
    /// A [`Step::Foreign`](crate::properties::nsa::steps::Step::Foreign): the call goes out on the other MSP's session, then this MSP's
    /// session is put back whatever happened.
    pub(crate) async fn foreign(&mut self, who: &Pick, action: ForeignAction) -> R<()> {
        let Some((http, ctx)) = self.foreign.clone() else {
            self.wire.stats.skipped_steps += 1;
            return Ok(());
        };
        let id = self.resolve_tenant(who);
        let own_http = std::mem::replace(&mut self.wire.http, http);
        let own_ctx = std::mem::replace(&mut self.ctx, ctx);
        let result = self.foreign_call(id, action).await;
        self.wire.http = own_http;
        self.ctx = own_ctx;
        result
    }

    pub(crate) async fn foreign_call(&mut self, id: Uuid, action: ForeignAction) -> R<()> {
        let resp = match action {
            ForeignAction::Update => {
                let body = json!({ "name": "Foreign Takeover", "subscriptions": subscription_body(1, true) });
                {
                    let body = self.wire.typed_body::<nt::TenantUpdateEntity>(body)?;
                    self.wire
                        .through(
                            &self.ctx,
                            "update_tenant",
                            self.api.update_tenant().tenant_id(id).body(body).send(),
                        )
                        .await?
                }
            }
            ForeignAction::Block => {
                self.wire
                    .through(
                        &self.ctx,
                        "block_tenant",
                        self.api.block_tenant().tenant_id(id).send(),
                    )
                    .await?
            }
            ForeignAction::Delete => {
                self.wire
                    .through(
                        &self.ctx,
                        "delete_tenant",
                        self.api.delete_tenant().tenant_id(id).send(),
                    )
                    .await?
            }
            ForeignAction::List => return self.foreign_list().await,
        };
        self.wire.expect(
            &resp,
            &[404],
            "isolation",
            "another nSA MSP addressing this MSP's tenant (it must look unknown)",
        )
    }

    /// The other MSP's own list, every page: none of this MSP's tenants (live or deleted).
    pub(crate) async fn foreign_list(&mut self) -> R<()> {
        let ours: std::collections::HashSet<String> = self
            .model
            .tenants
            .iter()
            .map(|t| t.id)
            .chain(self.model.gone_tenants.iter().copied())
            .map(|id| id.to_string())
            .collect();
        let (items, _) = self
            .walk_tenants(100, "isolation", "another nSA MSP listing its tenants")
            .await?;
        self.wire.stats.check("isolation");
        if let Some(leak) = items.iter().find_map(|t| {
            t.get("id")
                .and_then(Value::as_str)
                .filter(|id| ours.contains(*id))
        }) {
            return Err(self.wire.fail(
                "isolation",
                format!("another nSA MSP's tenant list holds this MSP's tenant {leak}"),
            ));
        }
        Ok(())
    }
}
