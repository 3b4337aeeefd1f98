//! RUCKUS One writes: create, rename and delete tenants and replace a tech partner's
//! customers. Each is judged by the rules when sent (202 or a refusal) and, once accepted,
//! becomes an in-flight activity of the model.

use msp_client::generated::ruckus_msp::types as mt;
use serde_json::{Value, json};

use crate::model::ruckus::{ActivityModel, Change, Kind, TenantModel};
use crate::properties::harness::{R, Resp};
use crate::properties::ruckus::case::Case;
use crate::properties::ruckus::steps::Pick;

/// The service dates every write sends (the mock's default contract year).
const EFFECTIVE: &str = "2026-01-01 00:00:00Z";
const EXPIRATION: &str = "2027-01-01 00:00:00Z";

/// A RUCKUS tenant id: 32 lowercase hex characters.
pub(crate) fn is_tenant_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Case<'_> {
    /// Reads a 202 `{requestId, tenantId}` (`doc`), checks `tenantId` (`want`, when known)
    /// and records the activity of `change` (built from the tenant id).
    fn accepted(
        &mut self,
        doc: &Value,
        want: Option<&str>,
        change: impl FnOnce(String) -> Change,
    ) -> R<()> {
        let request = doc
            .get("requestId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let tenant = doc
            .get("tenantId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let fresh = uuid::Uuid::parse_str(request).is_ok()
            && !self.model.done.iter().any(|(a, _)| a.id == request)
            && !self.model.in_flight.iter().any(|a| a.id == request);
        self.wire.equality(fresh, || {
            format!("requestId {request:?} is not a new activity id")
        })?;
        match want {
            Some(w) => self.wire.equality(tenant == w, || {
                format!("the 202 names tenant {tenant:?}, the request named {w}")
            })?,
            None => {
                let new = is_tenant_id(tenant) && self.kind_of(tenant).is_none();
                self.wire.equality(new, || {
                    format!("the new tenant's id {tenant:?} is not a new 32-hex tenant id")
                })?;
            }
        }
        self.model.in_flight.push(ActivityModel {
            id: request.to_string(),
            accepted: self.now(),
            change: change(tenant.to_string()),
        });
        Ok(())
    }

    pub(crate) async fn create(
        &mut self,
        name: Option<usize>,
        kind: Kind,
        partner: Option<&(Pick, bool)>,
    ) -> R<()> {
        let name = self.name(name);
        let partners: Vec<TenantModel> = self
            .model
            .every_tenant()
            .into_iter()
            .filter(|t| t.kind.is_partner())
            .collect();
        let partner = partner.map(|(pick, right)| {
            let id = self.resolve_in(pick, &partners);
            let actual = self.kind_of(&id).unwrap_or(Kind::Integrator);
            let asked = match (right, actual.is_partner()) {
                (true, true) => actual,
                (false, true) => actual.other_partner(),
                (_, false) => Kind::Integrator,
            };
            (id, asked, actual)
        });
        let mut tenant = json!({
            "name": name,
            "tenant_type": kind.as_str(),
            "service_effective_date": EFFECTIVE,
            "service_expiration_date": EXPIRATION,
        });
        if let Some((id, asked, _)) = &partner {
            tenant["delegations"] =
                json!([{"delegation_id": id, "delegation_type": asked.as_str()}]);
        }
        let body = self
            .wire
            .typed_body::<mt::AddTenantRequestHolder>(json!({ "data": [tenant] }))?;
        let resp = self
            .wire
            .through(
                &self.ctx,
                "create_tenants",
                self.msp.create_tenants().body(body).send(),
            )
            .await?;
        let asked = partner.as_ref().map(|(id, k, _)| (id.clone(), *k));
        self.judged(&resp, "creating a tenant", |t| {
            t.create_verdict(kind, asked.as_ref().map(|(id, k)| (id.as_str(), *k)))
        })?;
        if resp.status != 202 {
            return Ok(());
        }
        let doc = self.wire.body(&resp, "create_tenants")?.clone();
        let item = doc
            .get("data")
            .and_then(Value::as_array)
            .filter(|a| a.len() == 1)
            .and_then(|a| a.first())
            .cloned();
        let Some(item) = item else {
            return Err(self.wire.fail(
                "model.equality",
                "a create of one tenant must answer one activity",
            ));
        };
        self.accepted(&item, None, |id| {
            let mut t = TenantModel::new(&id, &name, kind);
            if let Some((p, _, actual)) = partner {
                match actual {
                    Kind::Installer => t.installer = Some(p),
                    _ => t.integrator = Some(p),
                }
            }
            Change::Create(t)
        })
    }

    pub(crate) async fn rename(&mut self, id: &str, name: Option<usize>) -> R<()> {
        let name = self.name(name);
        let body = self.wire.typed_body::<mt::UpdateMspEcRequest>(json!({
            "name": name,
            "service_effective_date": EFFECTIVE,
            "service_expiration_date": EXPIRATION,
        }))?;
        let resp = self
            .wire
            .through(
                &self.ctx,
                "update_tenant",
                self.msp.update_tenant().tenant_id(id).body(body).send(),
            )
            .await?;
        self.judged(&resp, "renaming a tenant", |t| t.update_verdict(id))?;
        self.accept_one(&resp, "update_tenant", id, |id| Change::Rename { id, name })
    }

    pub(crate) async fn delete(&mut self, id: &str) -> R<()> {
        let resp = self
            .wire
            .through(
                &self.ctx,
                "delete_tenant",
                self.msp.delete_tenant().tenant_id(id).send(),
            )
            .await?;
        self.judged(&resp, "deleting a tenant", |t| t.delete_verdict(id))?;
        self.accept_one(&resp, "delete_tenant", id, Change::Delete)
    }

    pub(crate) async fn delegate(
        &mut self,
        partner: &Pick,
        right_type: bool,
        customers: &[Pick],
    ) -> R<()> {
        // Tech partners first, so a pick shrinks towards one.
        let mut pool = self.model.every_tenant();
        pool.sort_by_key(|t| !t.kind.is_partner());
        let id = self.resolve_in(partner, &pool);
        let actual = self.kind_of(&id);
        let asked = match actual {
            Some(k) if k.is_partner() && right_type => k,
            Some(k) if k.is_partner() => k.other_partner(),
            _ => Kind::Integrator,
        };
        let mut list: Vec<String> = Vec::new();
        for c in customers {
            let c = self.resolve(c);
            if !list.contains(&c) {
                list.push(c);
            }
        }
        let body = self.wire.typed_body::<mt::AssignMspEcListRequest>(json!({
            "mspec_list": list,
            "delegation_type": asked.as_str(),
        }))?;
        let resp = self
            .wire
            .through(
                &self.ctx,
                "update_tenant_delegations",
                self.msp
                    .update_tenant_delegations()
                    .tenant_id(id.as_str())
                    .body(body)
                    .send(),
            )
            .await?;
        self.judged(
            &resp,
            &format!("delegating {list:?} to {id} as {}", asked.as_str()),
            |t| t.delegate_verdict(&id, asked, &list),
        )?;
        self.accept_one(&resp, "update_tenant_delegations", &id, |partner| {
            Change::SetPartner {
                partner,
                customers: list,
            }
        })
    }

    /// After a judged write naming tenant `id`: a 202 records its activity.
    fn accept_one(
        &mut self,
        resp: &Resp,
        op: &str,
        id: &str,
        change: impl FnOnce(String) -> Change,
    ) -> R<()> {
        if resp.status != 202 {
            return Ok(());
        }
        let doc = self.wire.body(resp, op)?.clone();
        self.accepted(&doc, Some(id), change)
    }
}
