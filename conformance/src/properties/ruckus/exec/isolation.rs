//! RUCKUS One isolation: `x-rks-tenantid` may name only the MSP's own tenants (403 for another
//! MSP's or an unknown one), and the other MSP's token neither reads this MSP's tenants by id
//! nor finds them in its own query.

use std::collections::HashSet;

use serde_json::Value;

use crate::properties::harness::R;
use crate::properties::ruckus::case::Case;
use crate::properties::ruckus::steps::{HeaderTarget, Pick};

impl Case<'_> {
    /// `GET /venues` acting in the tenant `target` names.
    pub(crate) async fn header(&mut self, target: &HeaderTarget) -> R<()> {
        let id = match target {
            HeaderTarget::Own(pick) => self.resolve(pick),
            HeaderTarget::Foreign(k) => match self.foreign.as_ref().map(|f| &f.tenants) {
                Some(ts) if !ts.is_empty() => ts[usize::from(*k) % ts.len()].clone(),
                _ => format!("{:032x}", u128::from(*k) << 40 | 0xf0e1),
            },
            HeaderTarget::Unknown(u) => format!("{:032x}", u128::from(*u) << 48 | 0xabc),
        };
        let resp = self
            .wire
            .through(
                &self.ctx,
                "list_venues",
                self.venues.list_venues().x_rks_tenantid(id.as_str()).send(),
            )
            .await?;
        let msp = self.model.msp.clone();
        self.judged(
            &resp,
            &format!("acting in tenant {id} through x-rks-tenantid"),
            |t| t.header_verdict(&id, &msp),
        )
    }

    /// A [`crate::properties::ruckus::Step::Foreign`]: the other MSP reads this MSP's tenant by
    /// id (it must look unknown), then queries its own tenants (none of this MSP's).
    pub(crate) async fn foreign(&mut self, who: &Pick) -> R<()> {
        let Some(ctx) = self.foreign.as_ref().map(|f| f.ctx.clone()) else {
            self.wire.stats.skipped_steps += 1;
            return Ok(());
        };
        let id = self.resolve(who);
        self.foreign_calls += 1;
        let resp = self
            .wire
            .through(
                &ctx,
                "get_tenant",
                self.msp.get_tenant().tenant_id(id.as_str()).send(),
            )
            .await?;
        self.wire.expect(
            &resp,
            &[404],
            "isolation",
            "another MSP reading this MSP's tenant (it must look unknown)",
        )?;
        self.foreign_sees_none().await
    }

    /// The other MSP's whole query holds none of this MSP's tenants (live, deleted or being
    /// created).
    pub(crate) async fn foreign_sees_none(&mut self) -> R<()> {
        let Some(ctx) = self.foreign.as_ref().map(|f| f.ctx.clone()) else {
            return Ok(());
        };
        let ours: HashSet<String> = self
            .model
            .every_tenant()
            .into_iter()
            .map(|t| t.id)
            .chain(self.model.gone.iter().cloned())
            .collect();
        let rows = self
            .walk(
                &ctx,
                100,
                "isolation",
                "another MSP querying its tenants",
                true,
            )
            .await?;
        self.wire.stats.check("isolation");
        if let Some(leak) = rows.iter().find_map(|r| {
            r.get("id")
                .and_then(Value::as_str)
                .filter(|id| ours.contains(*id))
        }) {
            return Err(self.wire.fail(
                "isolation",
                format!("another MSP's tenant query holds this MSP's tenant {leak}"),
            ));
        }
        Ok(())
    }
}
