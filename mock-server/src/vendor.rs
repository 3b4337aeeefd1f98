//! The vendor table: one descriptor per vendor folder, iterated by everything that serves or
//! describes every vendor (the app's routers, the 404/405/fault renderers, `/__admin`
//! credentials, the start banner). Adding a vendor is a folder plus one line in [`VENDORS`].

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;

/// Renders one vendor's part of a document about the whole server.
pub type SectionOf = fn(&AppState) -> serde_json::Value;

/// One vendor (or one API family with its own error shape) as the core of the mock sees it.
pub struct Vendor {
    /// Short name (`glp`, `nsa`, ...).
    pub name: &'static str,
    /// The path prefixes whose errors this vendor renders. A prefix ending in `/` matches any
    /// path under it; one without matches itself and the paths under it.
    pub prefixes: &'static [&'static str],
    /// The vendor's API routes.
    pub router: fn() -> Router<Arc<AppState>>,
    /// The vendor's own admin routes, nested under `/__admin/{name}`.
    pub admin_router: Option<fn() -> Router<Arc<AppState>>>,
    /// Renders an error for `path` with `status` and `message` in the vendor's shape.
    pub error: fn(path: &str, status: StatusCode, message: &str) -> Response,
    /// The vendor's key in `GET /__admin/credentials` and its value (read only: no side
    /// effects).
    pub credentials: Option<(&'static str, SectionOf)>,
    /// The lines the start banner prints for this vendor, given the server's base URL.
    pub banner: Option<fn(&AppState, &str) -> Vec<String>>,
}

impl std::fmt::Debug for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vendor")
            .field("name", &self.name)
            .field("prefixes", &self.prefixes)
            .finish_non_exhaustive()
    }
}

impl Vendor {
    /// Whether this vendor renders errors for `path`.
    pub fn claims(&self, path: &str) -> bool {
        self.prefixes.iter().any(|p| {
            if p.ends_with('/') {
                path.starts_with(p)
            } else {
                path.strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            }
        })
    }
}

/// Every vendor the mock serves. The first one claiming a path renders its errors; paths no
/// vendor claims get [`DEFAULT`]'s (GreenLake's gateway) shape.
pub const VENDORS: &[&Vendor] = &[
    &crate::sso::VENDOR,
    &crate::glp::VENDOR,
    &crate::central::VENDOR,
    &crate::nsa::VENDOR,
    &crate::ruckus::VENDOR,
];

/// The vendor whose shape unclaimed paths get.
pub const DEFAULT: &Vendor = &crate::glp::VENDOR;

/// The vendor that renders errors for `path`.
pub fn serving(path: &str) -> &'static Vendor {
    VENDORS
        .iter()
        .copied()
        .find(|v| v.claims(path))
        .unwrap_or(DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_family_has_its_vendor() {
        assert_eq!(serving("/workspace-management/v1/workspaces").name, "glp");
        assert_eq!(serving("/authorization/v2/oauth2/x/token").name, "sso");
        assert_eq!(serving("/as/token.oauth2").name, "sso");
        assert_eq!(serving("/api/msp").name, "nsa");
        assert_eq!(serving("/api/msp/tenants").name, "nsa");
        assert_eq!(serving("/api/mspx").name, "glp");
        assert_eq!(serving("/reports/usage/1.csv").name, "nsa");
        assert_eq!(serving("/network-msp/v1/list-tenants").name, "central");
        assert_eq!(serving("/nowhere").name, "glp");
    }
}
