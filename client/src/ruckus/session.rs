//! The RUCKUS One MSP session, its customer (EC) handle, and the queries as streams.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::stream::Stream;
use reqwest::header::HeaderValue;
use tracing::{Instrument, info_span};

use crate::auth::token::{Fetch, Scheme, TokenAuthorizer, TokenCell, TokenHttp, post_token};
use crate::auth::{Secret, SessionOptions, normalise_workspace_id};
use crate::error::{Error, Result};
use crate::generated::ruckus_activities::types::{ActivityDto, QueryData};
use crate::generated::ruckus_msp_queries::types::{
    DelegationData, DynamicQueryPayloadDto, MspEcDto, MspInventoryDeviceDto,
};
use crate::generated::ruckus_venues::types::Venue;
use crate::generated::{
    ruckus_activities, ruckus_msp, ruckus_msp_queries, ruckus_tenant, ruckus_venues,
};
use crate::hooks::{Authorizer, Context};
use crate::paging::{Page, numbered_pages};
use crate::ruckus::activity::{ActivityWait, await_activity};
use crate::ruckus::credentials::{RuckusCredentials, TOKEN_LIFETIME};

/// The header that makes an MSP's call act inside one of its customers.
pub const TENANT_HEADER: &str = "x-rks-tenantid";

/// One page of a generated query call, `{data, totalCount}`, or its error naming the call.
macro_rules! query_page {
    ($call:literal, $send:expr) => {
        match $send.await {
            Ok(answer) => {
                let answer = answer.into_inner();
                Ok(Page::new(answer.data, Some(total(answer.total_count))))
            }
            Err(e) => Err(Error::from_generated($call, e).await),
        }
    };
}

/// Page size the query streams ask for when the query names none.
const DEFAULT_PAGE_SIZE: u32 = 100;

/// Normalises a RUCKUS tenant id to 32 lowercase hex digits (dashes optional).
///
/// ```
/// use msp_client::ruckus::normalise_tenant_id;
///
/// assert_eq!(normalise_tenant_id("5E1A0000-0000-0000-0000-000000000001")?, "5e1a0000000000000000000000000001");
/// assert!(normalise_tenant_id("ACME").is_err());
/// # Ok::<(), msp_client::Error>(())
/// ```
pub fn normalise_tenant_id(raw: &str) -> Result<String> {
    normalise_workspace_id(raw).map_err(|_| {
        Error::InvalidInput(format!(
            "tenant id {raw:?} is not a RUCKUS tenant id (32 hex digits, dashes optional)"
        ))
    })
}

/// The generated RUCKUS One clients, authorised and retried by the session that made them.
///
/// From [`RuckusSession::api`] they act as the MSP; from [`EcSession::api`] inside one customer.
///
/// ```no_run
/// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
/// let own = msp.api().tenant.get_own_tenant().send().await;
/// # let _ = own;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct RuckusApis {
    /// MSP Services: customers, tech partners, administrators, branding, firmware.
    pub msp: ruckus_msp::Client,
    /// The MSP queries (`/tenants/query`, `/mspecs/query`, inventories, delegations).
    pub queries: ruckus_msp_queries::Client,
    /// Activities: the status of asynchronous writes.
    pub activities: ruckus_activities::Client,
    /// Tenant management (`/tenants/self`, `/admins`).
    pub tenant: ruckus_tenant::Client,
    /// Venues (an EC-scoped resource).
    pub venues: ruckus_venues::Client,
}

impl RuckusApis {
    fn new(base_url: &str, http: &reqwest::Client, context: Context) -> Self {
        Self {
            msp: ruckus_msp::Client::new_with_client(base_url, http.clone(), context.clone()),
            queries: ruckus_msp_queries::Client::new_with_client(
                base_url,
                http.clone(),
                context.clone(),
            ),
            activities: ruckus_activities::Client::new_with_client(
                base_url,
                http.clone(),
                context.clone(),
            ),
            tenant: ruckus_tenant::Client::new_with_client(base_url, http.clone(), context.clone()),
            venues: ruckus_venues::Client::new_with_client(base_url, http.clone(), context),
        }
    }
}

struct Inner {
    creds: RuckusCredentials,
    options: SessionOptions,
    http: reqwest::Client,
    token: Arc<TokenCell>,
}

/// A RUCKUS One MSP session from one API client credential. Cheap to clone.
///
/// The token is fetched once however many tasks ask, renewed a skew before it expires (1 h
/// unless the answer says otherwise) and once after a 401; calls that answer 429 are retried
/// after the server's `Retry-After`.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use msp_client::generated::ruckus_msp_queries::types::DynamicQueryPayloadDto;
/// use msp_client::ruckus::{RuckusCredentials, RuckusSession};
///
/// # async fn demo() -> msp_client::Result<()> {
/// let creds = RuckusCredentials::new("9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4", "client", "secret")?;
/// let msp = RuckusSession::connect(creds).await?;
/// let names: Vec<String> = msp
///     .query_ecs(DynamicQueryPayloadDto::default())
///     .map_ok(|ec| ec.name.unwrap_or_default())
///     .try_collect()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RuckusSession {
    inner: Arc<Inner>,
}

impl fmt::Debug for RuckusSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuckusSession")
            .field("credentials", &self.inner.creds)
            .field("token", &self.inner.token)
            .finish_non_exhaustive()
    }
}

impl RuckusSession {
    /// Connects with default options: fetches the token now, so bad credentials fail here.
    ///
    /// ```no_run
    /// use msp_client::ruckus::{RuckusCredentials, RuckusSession};
    ///
    /// # async fn demo() -> msp_client::Result<()> {
    /// let msp = RuckusSession::connect(RuckusCredentials::from_env()?).await?;
    /// assert_eq!(msp.token_fetch_count(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(credentials: RuckusCredentials) -> Result<Self> {
        Self::connect_with(credentials, SessionOptions::default()).await
    }

    /// Connects with explicit options (clock, timeouts, retry policy, refresh skew).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use msp_client::SessionOptions;
    /// use msp_client::ruckus::{RuckusCredentials, RuckusSession};
    ///
    /// # async fn demo() -> msp_client::Result<()> {
    /// let options = SessionOptions::default().with_timeout(Duration::from_secs(10));
    /// let msp = RuckusSession::connect_with(RuckusCredentials::from_env()?, options).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect_with(
        credentials: RuckusCredentials,
        options: SessionOptions,
    ) -> Result<Self> {
        let http = options.build_http()?;
        let th = TokenHttp {
            http: http.clone(),
            retry: options.effective_retry(),
            clock: options.clock.clone(),
            timeout: options.timeout,
        };
        let creds = credentials.clone();
        let fetch: Fetch = Box::new(move || {
            let th = th.clone();
            let creds = creds.clone();
            Box::pin(async move { fetch_token(&th, &creds).await })
        });
        let token = Arc::new(TokenCell::new(
            format!("ruckus:{}", credentials.tenant_id()),
            fetch,
            options.clock.clone(),
            options.refresh_skew,
        ));
        token.get().await?;
        Ok(Self {
            inner: Arc::new(Inner {
                creds: credentials,
                options,
                http,
                token,
            }),
        })
    }

    /// The credentials this session connected with.
    ///
    /// ```no_run
    /// # fn demo(msp: msp_client::ruckus::RuckusSession) {
    /// println!("MSP tenant {}", msp.credentials().tenant_id());
    /// # }
    /// ```
    pub fn credentials(&self) -> &RuckusCredentials {
        &self.inner.creds
    }

    /// The session's HTTP client.
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> Result<(), Box<dyn std::error::Error>> {
    /// let url = format!("{}/tenants/self", msp.credentials().base_url());
    /// let request = msp.http().get(url).build()?;
    /// let response = msp.context().send(msp.http(), request, "getOwnTenant").await?;
    /// # let _ = response;
    /// # Ok(())
    /// # }
    /// ```
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The context that puts the MSP's bearer token on calls and retries them.
    ///
    /// ```no_run
    /// use msp_client::generated::ruckus_tenant;
    ///
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) {
    /// let client = ruckus_tenant::Client::new_with_client(
    ///     msp.credentials().base_url(),
    ///     msp.http().clone(),
    ///     msp.context(),
    /// );
    /// let own = client.get_own_tenant().send().await;
    /// # let _ = own;
    /// # }
    /// ```
    pub fn context(&self) -> Context {
        self.context_in(None)
    }

    fn context_in(&self, tenant: Option<HeaderValue>) -> Context {
        let bearer = TokenAuthorizer {
            cell: self.inner.token.clone(),
            scheme: Scheme::Bearer,
        };
        let auth: Arc<dyn Authorizer> = match tenant {
            Some(tenant) => Arc::new(InTenant { bearer, tenant }),
            None => Arc::new(bearer),
        };
        Context::default()
            .with_authorizer(auth)
            .with_retry(self.inner.options.effective_retry())
            .with_clock(self.inner.options.clock.clone())
    }

    /// The generated clients, acting as the MSP.
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) {
    /// let admins = msp.api().tenant.list_admins().send().await;
    /// # let _ = admins;
    /// # }
    /// ```
    pub fn api(&self) -> RuckusApis {
        RuckusApis::new(
            self.inner.creds.base_url(),
            &self.inner.http,
            self.context(),
        )
    }

    /// The MSP's current access token (fetched or refreshed when due).
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
    /// let token = msp.access_token().await?;
    /// assert!(!token.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn access_token(&self) -> Result<Secret> {
        self.inner.token.get().await
    }

    /// How many token requests this session has made (1 after connecting).
    ///
    /// ```no_run
    /// # fn demo(msp: msp_client::ruckus::RuckusSession) {
    /// assert!(msp.token_fetch_count() >= 1);
    /// # }
    /// ```
    pub fn token_fetch_count(&self) -> u64 {
        self.inner.token.fetch_count()
    }

    /// A handle acting inside customer `tenant_id` (`x-rks-tenantid` on every call) with this
    /// session's token. The server decides whether the MSP manages that customer (403 if not).
    ///
    /// ```no_run
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
    /// let acme = msp.ec("5e1a0000000000000000000000000001")?;
    /// let venues = acme.venues().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn ec(&self, tenant_id: &str) -> Result<EcSession> {
        let id = normalise_tenant_id(tenant_id)?;
        let header = HeaderValue::from_str(&id)
            .map_err(|_| Error::InvalidInput(format!("tenant id {tenant_id:?}")))?;
        Ok(EcSession {
            context: self.context_in(Some(header)),
            session: self.clone(),
            tenant_id: id,
        })
    }

    /// Every tenant the MSP manages that matches `query` (`POST /tenants/query`), page after
    /// page: customers and tech partners; see [`RuckusSession::query_ecs`] for customers only.
    ///
    /// The stream sets `page` (from 1) and keeps the query's `pageSize` (default 100); it ends
    /// at `totalCount` or at an empty page.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use msp_client::generated::ruckus_msp_queries::types::DynamicQueryPayloadDto;
    ///
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
    /// let mut query = DynamicQueryPayloadDto::default();
    /// query.filters.insert("tenantType".into(), vec!["MSP_INTEGRATOR".into()]);
    /// let integrators: Vec<_> = msp.query_tenants(query).try_collect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn query_tenants(
        &self,
        query: DynamicQueryPayloadDto,
    ) -> impl Stream<Item = Result<MspEcDto>> + Send + 'static {
        let client = self.api().queries;
        dynamic_pages("query_tenants", query, move |body| {
            let client = client.clone();
            async move { query_page!("query_tenants", client.query_tenants().body(body).send()) }
        })
    }

    /// The MSP's end customers matching `query`: [`RuckusSession::query_tenants`] filtered on
    /// `tenantType: [MSP_EC]` unless the query filters `tenantType` itself.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use msp_client::generated::ruckus_msp_queries::types::DynamicQueryPayloadDto;
    ///
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
    /// let ecs: Vec<_> = msp.query_ecs(DynamicQueryPayloadDto::default()).try_collect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn query_ecs(
        &self,
        mut query: DynamicQueryPayloadDto,
    ) -> impl Stream<Item = Result<MspEcDto>> + Send + 'static {
        query
            .filters
            .entry("tenantType".into())
            .or_insert_with(|| vec!["MSP_EC".into()]);
        self.query_tenants(query)
    }

    /// Devices across the MSP's customers matching `query` (`POST /tenants/inventories/query`).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use msp_client::generated::ruckus_msp_queries::types::DynamicQueryPayloadDto;
    ///
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
    /// let devices: Vec<_> = msp.query_inventory(DynamicQueryPayloadDto::default()).try_collect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn query_inventory(
        &self,
        query: DynamicQueryPayloadDto,
    ) -> impl Stream<Item = Result<MspInventoryDeviceDto>> + Send + 'static {
        let client = self.api().queries;
        dynamic_pages("query_device_inventory", query, move |body| {
            let client = client.clone();
            async move {
                query_page!(
                    "query_device_inventory",
                    client.query_device_inventory().body(body).send()
                )
            }
        })
    }

    /// Delegations the MSP's tenants take part in, matching `query` (`POST /delegations/query`).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use msp_client::generated::ruckus_msp_queries::types::DynamicQueryPayloadDto;
    ///
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
    /// let all: Vec<_> = msp.query_delegations(DynamicQueryPayloadDto::default()).try_collect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn query_delegations(
        &self,
        query: DynamicQueryPayloadDto,
    ) -> impl Stream<Item = Result<DelegationData>> + Send + 'static {
        let client = self.api().queries;
        dynamic_pages("query_delegations", query, move |body| {
            let client = client.clone();
            async move {
                query_page!(
                    "query_delegations",
                    client.query_delegations().body(body).send()
                )
            }
        })
    }

    /// The MSP-level activities matching `query` (`POST /activities/query`).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use msp_client::generated::ruckus_activities::types::QueryData;
    ///
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
    /// let recent: Vec<_> = msp.query_activities(QueryData::default()).try_collect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn query_activities(
        &self,
        query: QueryData,
    ) -> impl Stream<Item = Result<ActivityDto>> + Send + 'static {
        activity_pages(self.api().activities, query)
    }

    /// Waits for MSP-level activity `request_id` (the `requestId` of a 202) with the default
    /// [`ActivityWait`]: `Ok` with the activity on `SUCCESS`, [`Error::ActivityFailed`] on
    /// `FAIL`, [`Error::ActivityTimeout`] when it has not ended after 10 minutes.
    ///
    /// ```no_run
    /// use msp_client::generated::ruckus_msp::types::AddTenantRequestHolder;
    ///
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession, batch: AddTenantRequestHolder) -> msp_client::Result<()> {
    /// let accepted = match msp.api().msp.create_tenants().body(batch).send().await {
    ///     Ok(r) => r.into_inner(),
    ///     Err(e) => return Err(msp_client::Error::from_generated("create_tenants", e).await),
    /// };
    /// for item in accepted.data {
    ///     msp.await_activity(&item.request_id).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn await_activity(&self, request_id: &str) -> Result<ActivityDto> {
        self.await_activity_with(request_id, &ActivityWait::default())
            .await
    }

    /// [`RuckusSession::await_activity`] with explicit polling and deadline.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use msp_client::ruckus::ActivityWait;
    ///
    /// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
    /// let wait = ActivityWait::default().with_deadline(Duration::from_secs(60));
    /// let done = msp.await_activity_with("2d7c9a4e-5b1f-4c3a-8e6d-0f9b8a7c6d5e", &wait).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn await_activity_with(
        &self,
        request_id: &str,
        wait: &ActivityWait,
    ) -> Result<ActivityDto> {
        let span = info_span!("await_activity", request_id, tenant = "msp");
        await_activity(
            &self.api().activities,
            self.inner.options.clock.as_ref(),
            request_id,
            wait,
        )
        .instrument(span)
        .await
    }
}

/// The MSP's session acting inside one customer: every call carries `x-rks-tenantid`.
/// Cheap to clone; from [`RuckusSession::ec`].
///
/// ```no_run
/// # async fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
/// let acme = msp.ec("5e1a0000000000000000000000000001")?;
/// for venue in acme.venues().await? {
///     println!("{}", venue.name);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct EcSession {
    session: RuckusSession,
    tenant_id: String,
    context: Context,
}

impl EcSession {
    /// The customer's tenant id (32 lowercase hex digits).
    ///
    /// ```no_run
    /// # fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
    /// let acme = msp.ec("5E1A0000-0000-0000-0000-000000000001")?;
    /// assert_eq!(acme.tenant_id(), "5e1a0000000000000000000000000001");
    /// # Ok(())
    /// # }
    /// ```
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The MSP session this handle acts for.
    ///
    /// ```no_run
    /// # fn demo(msp: msp_client::ruckus::RuckusSession) -> msp_client::Result<()> {
    /// let acme = msp.ec("5e1a0000000000000000000000000001")?;
    /// assert_eq!(acme.msp().credentials().tenant_id(), msp.credentials().tenant_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn msp(&self) -> &RuckusSession {
        &self.session
    }

    /// The context that puts the MSP's token and `x-rks-tenantid` on calls, and retries them.
    /// A request that already names another tenant in the header is refused, not sent.
    ///
    /// ```no_run
    /// use msp_client::generated::ruckus_venues;
    ///
    /// # async fn demo(acme: msp_client::ruckus::EcSession) {
    /// let client = ruckus_venues::Client::new_with_client(
    ///     acme.msp().credentials().base_url(),
    ///     acme.msp().http().clone(),
    ///     acme.context(),
    /// );
    /// let venues = client.list_venues().send().await;
    /// # let _ = venues;
    /// # }
    /// ```
    pub fn context(&self) -> Context {
        self.context.clone()
    }

    /// The generated clients, acting inside this customer.
    ///
    /// ```no_run
    /// # async fn demo(acme: msp_client::ruckus::EcSession) {
    /// let admins = acme.api().tenant.list_admins().send().await;
    /// # let _ = admins;
    /// # }
    /// ```
    pub fn api(&self) -> RuckusApis {
        RuckusApis::new(
            self.session.inner.creds.base_url(),
            &self.session.inner.http,
            self.context(),
        )
    }

    /// The customer's venues (`GET /venues`).
    ///
    /// ```no_run
    /// # async fn demo(acme: msp_client::ruckus::EcSession) -> msp_client::Result<()> {
    /// let names: Vec<String> = acme.venues().await?.into_iter().map(|v| v.name).collect();
    /// # Ok(())
    /// # }
    /// ```
    pub async fn venues(&self) -> Result<Vec<Venue>> {
        match self.api().venues.list_venues().send().await {
            Ok(r) => Ok(r.into_inner()),
            Err(e) => Err(Error::from_generated("list_venues", e).await),
        }
    }

    /// The customer's activities matching `query` (`POST /activities/query` in the customer).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use msp_client::generated::ruckus_activities::types::QueryData;
    ///
    /// # async fn demo(acme: msp_client::ruckus::EcSession) -> msp_client::Result<()> {
    /// let recent: Vec<_> = acme.query_activities(QueryData::default()).try_collect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn query_activities(
        &self,
        query: QueryData,
    ) -> impl Stream<Item = Result<ActivityDto>> + Send + 'static {
        activity_pages(self.api().activities, query)
    }

    /// Waits for activity `request_id` of a write made inside this customer; see
    /// [`RuckusSession::await_activity_with`].
    ///
    /// ```no_run
    /// use msp_client::ruckus::ActivityWait;
    ///
    /// # async fn demo(acme: msp_client::ruckus::EcSession) -> msp_client::Result<()> {
    /// let done = acme.await_activity("2d7c9a4e-5b1f-4c3a-8e6d-0f9b8a7c6d5e", &ActivityWait::default()).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn await_activity(
        &self,
        request_id: &str,
        wait: &ActivityWait,
    ) -> Result<ActivityDto> {
        let span = info_span!("await_activity", request_id, tenant = %self.tenant_id);
        await_activity(
            &self.api().activities,
            self.session.inner.options.clock.as_ref(),
            request_id,
            wait,
        )
        .instrument(span)
        .await
    }
}

/// The MSP's bearer token plus `x-rks-tenantid: <customer>`.
#[derive(Debug)]
struct InTenant {
    bearer: TokenAuthorizer,
    tenant: HeaderValue,
}

impl Authorizer for InTenant {
    fn authorize<'a>(&'a self, request: &'a mut reqwest::Request) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if let Some(given) = request.headers().get(TENANT_HEADER)
                && given != self.tenant
            {
                return Err(Error::InvalidInput(format!(
                    "{TENANT_HEADER}: the request names tenant {:?} but this handle acts in {:?}",
                    given.to_str().unwrap_or("<not text>"),
                    self.tenant.to_str().unwrap_or("<not text>"),
                )));
            }
            self.bearer.authorize(request).await?;
            request
                .headers_mut()
                .insert(TENANT_HEADER, self.tenant.clone());
            Ok(())
        })
    }

    fn renew<'a>(&'a self, rejected: &'a reqwest::Request) -> BoxFuture<'a, Result<()>> {
        self.bearer.renew(rejected)
    }
}

/// `POST /oauth2/token/{tenantId}` with the form client credentials RUCKUS documents.
async fn fetch_token(
    th: &TokenHttp,
    creds: &RuckusCredentials,
) -> Result<crate::auth::token::IssuedToken> {
    let call = format!("RUCKUS token for tenant {}", creds.tenant_id());
    let span = info_span!(
        "token_fetch",
        grant = "client_credentials",
        tenant = creds.tenant_id()
    );
    let mut issued = post_token(
        th,
        &creds.token_url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", creds.client_id()),
            ("client_secret", creds.client_secret().expose()),
        ],
        None,
        &call,
    )
    .instrument(span)
    .await?;
    issued.expires_in.get_or_insert(TOKEN_LIFETIME);
    Ok(issued)
}

fn total(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

fn page_size(size: Option<NonZeroU32>) -> u32 {
    size.map_or(DEFAULT_PAGE_SIZE, NonZeroU32::get)
}

/// Streams a 1-based `DynamicQueryPayloadDto` query: `fetch` gets the body with `page` and
/// `pageSize` set.
fn dynamic_pages<T, F, Fut>(
    call: &'static str,
    query: DynamicQueryPayloadDto,
    mut fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(DynamicQueryPayloadDto) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let size = page_size(query.page_size);
    numbered_pages(call, size, move |req| {
        let mut body = query.clone();
        body.page = page_number(req.page);
        body.page_size = NonZeroU32::new(req.limit);
        fetch(body)
    })
}

fn page_number(page: u64) -> Option<NonZeroU32> {
    NonZeroU32::new(u32::try_from(page).unwrap_or(u32::MAX))
}

fn activity_pages(
    client: ruckus_activities::Client,
    query: QueryData,
) -> impl Stream<Item = Result<ActivityDto>> + Send + 'static {
    let size = page_size(query.page_size);
    numbered_pages("query_activities", size, move |req| {
        let client = client.clone();
        let mut body = query.clone();
        body.page = page_number(req.page);
        body.page_size = NonZeroU32::new(req.limit);
        async move {
            query_page!(
                "query_activities",
                client.query_activities().body(body).send()
            )
        }
    })
}
