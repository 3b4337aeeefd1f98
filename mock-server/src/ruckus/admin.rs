//! RUCKUS parts of the admin surface: the accounts `GET /__admin/credentials` lists under
//! `"ruckus"` and the start banner's lines.

use serde::{Deserialize, Serialize};

use super::render::hex;
use crate::AppState;
use crate::state::ruckus::RuckusWorld;

/// The `"ruckus"` section of `GET /__admin/credentials`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RuckusCredentials {
    /// Every RUCKUS MSP.
    pub msps: Vec<RuckusMspCredentials>,
}

/// One RUCKUS MSP's Application Token and the ids a client needs.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct RuckusMspCredentials {
    /// MSP name.
    pub name: String,
    /// The MSP's tenant id (the `{tenantId}` of `POST /oauth2/token/{tenantId}`).
    pub tenant_id: String,
    /// Application Token client id.
    pub client_id: String,
    /// Application Token client secret.
    pub client_secret: String,
    /// The MSP administrators' ids (`msp_admin_id`).
    pub admin_ids: Vec<String>,
    /// The tenants it manages: `{id, name, type}`.
    pub tenants: Vec<serde_json::Value>,
}

impl std::fmt::Debug for RuckusMspCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuckusMspCredentials")
            .field("name", &self.name)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// The RUCKUS accounts of the current world (no side effects).
pub fn credentials_of(state: &AppState) -> RuckusCredentials {
    state.store.with(|r: &RuckusWorld| RuckusCredentials {
        msps: r
            .msps
            .iter()
            .map(|m| RuckusMspCredentials {
                name: m.name.clone(),
                tenant_id: hex(m.tenant_id),
                client_id: m.client_id.clone(),
                client_secret: m.client_secret.expose().to_owned(),
                admin_ids: m.admins.iter().map(|a| hex(a.id)).collect(),
                tenants: m
                    .tenants
                    .iter()
                    .map(|t| serde_json::json!({"id": hex(t.id), "name": t.name, "type": t.kind.as_str()}))
                    .collect(),
            })
            .collect(),
    })
}

/// The banner's RUCKUS lines.
pub fn banner(state: &AppState, uri: &str) -> Vec<String> {
    credentials_of(state)
        .msps
        .into_iter()
        .map(|m| {
            format!(
                "  RUCKUS One MSP {:?}: tenant_id={} client_id={} client_secret={} \
                 (POST {uri}/oauth2/token/{}; {} tenants)",
                m.name,
                m.tenant_id,
                m.client_id,
                m.client_secret,
                m.tenant_id,
                m.tenants.len()
            )
        })
        .collect()
}
