//! GreenLake platform routes: the vendor `/workspaces/v1` contract ([`workspaces`]) and the
//! document's `/workspace-management/v1` view ([`management`]), both over the one store.

pub mod audit;
pub mod devices;
pub mod management;
pub(crate) mod render;
pub mod validate;
pub mod workspaces;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, Flavor, GlpDoc, GlpStandard};
use crate::state::GlpWorld;
use crate::vendor::Vendor;

/// GreenLake's platform APIs in the vendor table: both views, devices and the audit log.
pub const VENDOR: Vendor = Vendor {
    name: "glp",
    prefixes: &[
        "/workspaces/",
        "/workspace-management/",
        "/devices/",
        "/audit-log/",
    ],
    router,
    admin_router: None,
    error: render_error,
    credentials: Some(("msps", credentials)),
    banner: Some(banner),
};

/// Errors under `/workspace-management/` take the document's shape, the rest GreenLake's.
fn render_error(path: &str, status: StatusCode, message: &str) -> Response {
    if path.starts_with("/workspace-management/") {
        ApiError::<GlpDoc>::new(status, message).into_response()
    } else {
        ApiError::<GlpStandard>::new(status, message).into_response()
    }
}

/// Every MSP's demo credentials and tenants, as `GET /__admin/credentials` lists them under
/// `msps`.
fn credentials(state: &AppState) -> serde_json::Value {
    state.store.with(|g: &GlpWorld| {
        serde_json::Value::Array(
            g.msps
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "name": m.name,
                        "workspace_id": m.workspace_id,
                        "client_id": m.client_id,
                        "client_secret": m.client_secret.expose(),
                        "tenants": m.tenants.iter()
                            .map(|t| serde_json::json!({"id": t.id, "name": t.name}))
                            .collect::<Vec<_>>(),
                    })
                })
                .collect(),
        )
    })
}

/// Tenants listed per MSP at start; a large world would otherwise print a line per tenant.
const SHOWN_TENANTS: usize = 10;

fn banner(state: &AppState, uri: &str) -> Vec<String> {
    let mut lines = Vec::new();
    state.store.with(|g: &GlpWorld| {
        for m in &g.msps {
            lines.push(format!(
                "  MSP {:?}: workspace_id={} client_id={} client_secret={}",
                m.name,
                m.workspace_id,
                m.client_id,
                m.client_secret.expose()
            ));
            for t in m.tenants.iter().take(SHOWN_TENANTS) {
                lines.push(format!("    tenant {:?}: id={}", t.name, t.id));
            }
            if m.tenants.len() > SHOWN_TENANTS {
                lines.push(format!(
                    "    ... and {} more tenants (GET {uri}/__admin/credentials lists them all)",
                    m.tenants.len() - SHOWN_TENANTS
                ));
            }
        }
    });
    lines.push(format!(
        "  token URL: {uri}/authorization/v2/oauth2/{{workspace_id}}/token"
    ));
    lines
}

/// Every GreenLake platform route.
pub fn router() -> Router<Arc<AppState>> {
    workspaces::router()
        .merge(management::router())
        .merge(devices::router())
        .merge(audit::router())
}

/// A path id that must be a uuid; `status` when it is not.
pub(crate) fn parse_id<F: Flavor>(
    raw: &str,
    name: &str,
    status: StatusCode,
) -> Result<Uuid, ApiError<F>> {
    Uuid::try_parse(raw)
        .map_err(|_| ApiError::new(status, format!("{raw:?} is not a uuid")).with_field(name))
}

/// An `application/json` body serialised once, from borrowed views of the store.
#[derive(Debug)]
pub(crate) struct JsonBytes(pub Vec<u8>);

impl JsonBytes {
    /// Serialises `v` (a 500 in flavour `F` if that fails, which typed views cannot).
    pub(crate) fn of<T: Serialize, F: Flavor>(
        v: &T,
        size_hint: usize,
    ) -> Result<Self, ApiError<F>> {
        let mut buf = Vec::with_capacity(size_hint);
        serde_json::to_writer(&mut buf, v).map_err(serialising)?;
        Ok(Self(buf))
    }
}

/// The 500 for a response body that cannot be serialised (typed views cannot fail; this keeps
/// the path panic-free).
pub(crate) fn serialising<F: Flavor>(e: serde_json::Error) -> ApiError<F> {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("serialising the response: {e}"),
    )
}

impl IntoResponse for JsonBytes {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.0,
        )
            .into_response()
    }
}
