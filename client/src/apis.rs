//! Generated clients handed out by sessions, already authorised, and typed paged listings
//! over them (every MSP tenant, every device of a tenant, ...).

use std::sync::Arc;

use futures::stream::BoxStream;

use crate::auth::{MspSession, TenantSession};
use crate::error::{Error, Result};
use crate::generated::{
    central, glp_platform, glp_sso, glp_workspace_management, glp_workspaces, nsa_msp,
};
use crate::hooks::Context;
use crate::nsa::NsaSession;
use crate::paging::{self, Page};

/// Page size for GreenLake `msp-tenants` (the API's maximum).
pub const GLP_TENANTS_PAGE: u32 = 300;
/// Page size for GreenLake devices and audit logs.
pub const GLP_DEVICES_PAGE: u32 = 1000;
/// Page size for Aruba Central listings (PyCentral asks for 1000 too).
pub const CENTRAL_PAGE: u32 = 1000;
/// Page size for nSA listings (the API's maximum).
pub const NSA_PAGE: u32 = 100;

/// The GreenLake clients, authorised as one principal (the MSP or a tenant).
pub struct Glp {
    /// `openapi/glp-workspaces.yaml`: workspaces and MSP tenants (vendor contract).
    pub workspaces: glp_workspaces::Client,
    /// `openapi/glp-workspace-management.yaml`: the brief document's workspace API.
    pub workspace_management: glp_workspace_management::Client,
    /// `openapi/glp-platform.yaml`: devices and audit logs.
    pub platform: glp_platform::Client,
    /// `openapi/glp-sso.yaml`: token endpoints, JWKS, discovery.
    pub sso: glp_sso::Client,
}

impl std::fmt::Debug for Glp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use progenitor_client::ClientInfo;
        f.debug_struct("Glp")
            .field("base_url", &self.workspaces.baseurl())
            .field("context", self.workspaces.inner())
            .finish_non_exhaustive()
    }
}

impl Glp {
    fn new(glp_base: &str, sso_base: &str, http: &reqwest::Client, ctx: &Context) -> Self {
        Self {
            workspaces: glp_workspaces::Client::new_with_client(
                glp_base,
                http.clone(),
                ctx.clone(),
            ),
            workspace_management: glp_workspace_management::Client::new_with_client(
                glp_base,
                http.clone(),
                ctx.clone(),
            ),
            platform: glp_platform::Client::new_with_client(glp_base, http.clone(), ctx.clone()),
            // Token endpoints authenticate by form or Basic, never with a bearer token.
            sso: glp_sso::Client::new_with_client(sso_base, http.clone(), Context::default()),
        }
    }
}

fn central_client(
    base: Option<&str>,
    http: &reqwest::Client,
    ctx: Context,
) -> Result<central::Client> {
    let base = base.ok_or_else(|| {
        Error::Config(
            "no Aruba Central base URL: set base_url or cluster_name in the credentials".into(),
        )
    })?;
    Ok(central::Client::new_with_client(base, http.clone(), ctx))
}

impl MspSession {
    /// GreenLake clients authorised as the MSP.
    ///
    /// ```no_run
    /// use msp_client::Error;
    ///
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let page = match msp.glp().workspaces.list_msp_tenants().limit(10u64).send().await {
    ///     Ok(page) => page.into_inner(),
    ///     Err(e) => return Err(Error::from_generated("listMspTenants", e).await),
    /// };
    /// println!("{} of {} tenants", page.items.len(), page.total);
    /// # Ok(())
    /// # }
    /// ```
    pub fn glp(&self) -> Glp {
        let c = self.credentials();
        Glp::new(
            c.glp_base_url(),
            c.sso_base_url(),
            self.http(),
            &self.context(),
        )
    }

    /// The Aruba Central client authorised as the MSP (needs a Central base URL).
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let first_page = msp.central()?.list_central_tenants().limit(100u64).send().await;
    /// # let _ = first_page;
    /// # Ok(())
    /// # }
    /// ```
    pub fn central(&self) -> Result<central::Client> {
        central_client(
            self.credentials().central_base_url(),
            self.http(),
            self.context(),
        )
    }

    /// Every tenant of this MSP (`GET /workspaces/v1/msp-tenants`, offset/limit paging).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    ///
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let names: Vec<String> = msp
    ///     .msp_tenants()
    ///     .map_ok(|t| t.workspace_name)
    ///     .try_collect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn msp_tenants(&self) -> BoxStream<'static, Result<glp_workspaces::types::Tenant>> {
        let client = Arc::new(self.glp().workspaces);
        Box::pin(paging::offset_pages(
            "listMspTenants",
            GLP_TENANTS_PAGE,
            move |req| {
                let client = client.clone();
                async move {
                    let page = client
                        .list_msp_tenants()
                        .offset(req.offset)
                        .limit(u64::from(req.limit))
                        .send()
                        .await;
                    let page = match page {
                        Ok(p) => p.into_inner(),
                        Err(e) => return Err(Error::from_generated("listMspTenants", e).await),
                    };
                    Ok(Page::new(page.items, Some(page.total)))
                }
            },
        ))
    }

    /// Every Central tenant of this MSP (`GET /network-msp/v1/list-tenants`, `limit` + `next`).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    ///
    /// # async fn demo(msp: msp_client::MspSession) -> msp_client::Result<()> {
    /// let tenants: Vec<_> = msp.central_tenants()?.try_collect().await?;
    /// for t in &tenants {
    ///     println!("{} {}", t.tenant_id, t.tenant_name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn central_tenants(&self) -> Result<BoxStream<'static, Result<central::types::Tenant>>> {
        let client = Arc::new(self.central()?);
        Ok(Box::pin(paging::numbered_pages(
            "listCentralTenants",
            CENTRAL_PAGE,
            move |req| {
                let client = client.clone();
                async move {
                    let page = client
                        .list_central_tenants()
                        .limit(u64::from(req.limit))
                        .next(req.page)
                        .send()
                        .await;
                    let page = match page {
                        Ok(p) => p.into_inner(),
                        Err(e) => return Err(Error::from_generated("listCentralTenants", e).await),
                    };
                    Ok(Page::new(page.items, Some(page.total)))
                }
            },
        )))
    }
}

impl TenantSession {
    /// GreenLake clients authorised as this tenant.
    ///
    /// ```no_run
    /// # async fn demo(tenant: msp_client::TenantSession) -> msp_client::Result<()> {
    /// let first_page = tenant.glp().platform.list_devices().limit(100u64).send().await;
    /// # let _ = first_page;
    /// # Ok(())
    /// # }
    /// ```
    pub fn glp(&self) -> Glp {
        let c = self.credentials();
        Glp::new(
            c.glp_base_url(),
            c.sso_base_url(),
            self.http(),
            &self.context(),
        )
    }

    /// The Aruba Central client authorised as this tenant (needs a Central base URL).
    ///
    /// ```no_run
    /// # async fn demo(tenant: msp_client::TenantSession) -> msp_client::Result<()> {
    /// let first_page = tenant.central()?.list_device_inventory().limit(100u64).send().await;
    /// # let _ = first_page;
    /// # Ok(())
    /// # }
    /// ```
    pub fn central(&self) -> Result<central::Client> {
        central_client(
            self.credentials().central_base_url(),
            self.http(),
            self.context(),
        )
    }

    /// Every GreenLake device of this tenant (`GET /devices/v1/devices`, offset/limit).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    ///
    /// # async fn demo(tenant: msp_client::TenantSession) -> msp_client::Result<()> {
    /// let serials: Vec<String> = tenant
    ///     .glp_devices()
    ///     .map_ok(|d| d.serial_number)
    ///     .try_collect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn glp_devices(&self) -> BoxStream<'static, Result<glp_platform::types::Device>> {
        let client = Arc::new(self.glp().platform);
        Box::pin(paging::offset_pages(
            "listDevices",
            GLP_DEVICES_PAGE,
            move |req| {
                let client = client.clone();
                async move {
                    let page = client
                        .list_devices()
                        .offset(req.offset)
                        .limit(u64::from(req.limit))
                        .send()
                        .await;
                    let page = match page {
                        Ok(p) => p.into_inner(),
                        Err(e) => return Err(Error::from_generated("listDevices", e).await),
                    };
                    Ok(Page::new(page.items, Some(page.total)))
                }
            },
        ))
    }

    /// Every GreenLake audit-log entry of this tenant (`GET /audit-log/v1/logs`, offset/limit).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    ///
    /// # async fn demo(tenant: msp_client::TenantSession) -> msp_client::Result<()> {
    /// let mut logs = tenant.glp_audit_logs();
    /// while let Some(entry) = logs.try_next().await? {
    ///     println!("[{}] {}", entry.category, entry.description);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn glp_audit_logs(&self) -> BoxStream<'static, Result<glp_platform::types::AuditLog>> {
        let client = Arc::new(self.glp().platform);
        Box::pin(paging::offset_pages(
            "listAuditLogs",
            GLP_DEVICES_PAGE,
            move |req| {
                let client = client.clone();
                async move {
                    let page = client
                        .list_audit_logs()
                        .offset(req.offset)
                        .limit(u64::from(req.limit))
                        .send()
                        .await;
                    let page = match page {
                        Ok(p) => p.into_inner(),
                        Err(e) => return Err(Error::from_generated("listAuditLogs", e).await),
                    };
                    Ok(Page::new(page.items, Some(page.total)))
                }
            },
        ))
    }

    /// Every device in this tenant's Central inventory
    /// (`GET /network-monitoring/v1/device-inventory`, `limit` + `next`).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    ///
    /// # async fn demo(tenant: msp_client::TenantSession) -> msp_client::Result<()> {
    /// let inventory: Vec<_> = tenant.central_devices()?.try_collect().await?;
    /// for d in &inventory {
    ///     println!("{} {}", d.serial_number, d.device_name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn central_devices(
        &self,
    ) -> Result<BoxStream<'static, Result<central::types::InventoryDevice>>> {
        let client = Arc::new(self.central()?);
        Ok(Box::pin(paging::numbered_pages(
            "listDeviceInventory",
            CENTRAL_PAGE,
            move |req| {
                let client = client.clone();
                async move {
                    let page = client
                        .list_device_inventory()
                        .limit(u64::from(req.limit))
                        .next(req.page)
                        .send()
                        .await;
                    let page = match page {
                        Ok(p) => p.into_inner(),
                        Err(e) => {
                            return Err(Error::from_generated("listDeviceInventory", e).await);
                        }
                    };
                    Ok(Page::new(page.items, Some(page.total)))
                }
            },
        )))
    }
}

impl NsaSession {
    /// The generated nSA client, carrying this session's `DSID` cookie.
    ///
    /// ```no_run
    /// use msp_client::Error;
    ///
    /// # async fn demo(nsa: msp_client::NsaSession) -> msp_client::Result<()> {
    /// let report = match nsa.client().generate_usage_report().send().await {
    ///     Ok(r) => r.into_inner(),
    ///     Err(e) => return Err(Error::from_generated("generateUsageReport", e).await),
    /// };
    /// println!("generated {}", report.file_name);
    /// # Ok(())
    /// # }
    /// ```
    pub fn client(&self) -> nsa_msp::Client {
        nsa_msp::Client::new_with_client(
            self.credentials().base_url(),
            self.http().clone(),
            self.context(),
        )
    }

    /// Every tenant of the MSP portal (`GET /api/msp/tenants`, start/limit).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    ///
    /// # async fn demo(nsa: msp_client::NsaSession) -> msp_client::Result<()> {
    /// let tenants: Vec<_> = nsa.tenants().try_collect().await?;
    /// for t in &tenants {
    ///     println!("{} {}", t.sub_domain, t.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn tenants(&self) -> BoxStream<'static, Result<nsa_msp::types::TenantEntity>> {
        let client = Arc::new(self.client());
        Box::pin(paging::offset_pages("listTenants", NSA_PAGE, move |req| {
            let client = client.clone();
            async move {
                let page = client
                    .list_tenants()
                    .start(req.offset)
                    .limit(u64::from(req.limit))
                    .send()
                    .await;
                let page = match page {
                    Ok(p) => p.into_inner(),
                    Err(e) => return Err(Error::from_generated("listTenants", e).await),
                };
                Ok(Page::new(page.tenants, Some(page.total)))
            }
        }))
    }

    /// Every usage report (`GET /api/msp/reports/usage`, start/limit).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    ///
    /// # async fn demo(nsa: msp_client::NsaSession) -> msp_client::Result<()> {
    /// let ids: Vec<String> = nsa
    ///     .usage_reports()
    ///     .map_ok(|r| r.id.to_string())
    ///     .try_collect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn usage_reports(
        &self,
    ) -> BoxStream<'static, Result<nsa_msp::types::MspTenantUsageReportEntity>> {
        let client = Arc::new(self.client());
        Box::pin(paging::offset_pages(
            "listUsageReports",
            NSA_PAGE,
            move |req| {
                let client = client.clone();
                async move {
                    let page = client
                        .list_usage_reports()
                        .start(req.offset)
                        .limit(u64::from(req.limit))
                        .send()
                        .await;
                    let page = match page {
                        Ok(p) => p.into_inner(),
                        Err(e) => return Err(Error::from_generated("listUsageReports", e).await),
                    };
                    Ok(Page::new(page.items, Some(page.total)))
                }
            },
        ))
    }
}
