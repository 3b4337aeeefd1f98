//! A route builder that builds the axum [`Router`] and records every `(method, path template)`
//! it registers, so the drift tests (`tests/route_coverage.rs`) can compare the mock's routes
//! with the operations of the specs in `openapi/`.
//!
//! Vendor `router()` functions write
//!
//! ```text
//! Routes::new()
//!     .route("/api/msp/tenants", post(create_tenant).get(list_tenants))
//!     .into_router()
//! ```
//!
//! with [`get`], [`post`], [`put`], [`delete`] and [`patch`] from this module in place of
//! `axum::routing`'s. Recording costs nothing outside [`record`]: [`Routes::into_router`] only
//! appends its routes to the table of an enclosing [`record`] call on the same thread (router
//! construction is synchronous), and [`table`] is `record(|| app(state))`. A route registered
//! with plain `axum::Router::route` is served but not recorded, so the drift check cannot see it;
//! every vendor route goes through [`Routes`].
//!
//! The fallbacks of [`crate::app`] mark their responses with an [`Unrouted`] extension, so a
//! test driving the router in-process tells "no route" from a handler's own 404/405 without
//! reading messages.

use std::cell::RefCell;
use std::sync::Arc;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::MethodRouter;

use crate::AppState;

type Shared = Arc<AppState>;

/// One registered route: an HTTP method and the axum path template (`/a/{id}`), as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    /// The method.
    pub method: Method,
    /// The path template, e.g. `/workspaces/v1/msp-tenants/{tenant_id}`.
    pub path: &'static str,
}

/// Set as a response extension by the app's fallbacks, never sent on the wire: which fallback
/// answered (in-process callers read it with `response.extensions().get::<Unrouted>()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unrouted {
    /// No route matches the path (`404 no route for …`).
    NoRoute,
    /// A route matches the path but not the method (`405 … is not allowed on …`).
    MethodNotAllowed,
}

/// The handlers of one path, by method, with the methods remembered.
#[derive(Debug)]
pub struct Methods {
    router: MethodRouter<Shared>,
    methods: Vec<Method>,
}

impl Default for Methods {
    fn default() -> Self {
        Self {
            router: MethodRouter::new(),
            methods: Vec::new(),
        }
    }
}

macro_rules! verbs {
    ($($name:ident => $method:ident),* $(,)?) => {
        impl Methods {
            $(
                #[doc = concat!("Also route `", stringify!($method), "` to `handler`.")]
                pub fn $name<H, T>(mut self, handler: H) -> Self
                where
                    H: Handler<T, Shared>,
                    T: 'static,
                {
                    self.router = self.router.$name(handler);
                    self.methods.push(Method::$method);
                    self
                }
            )*
        }

        $(
            #[doc = concat!("Route `", stringify!($method), "` to `handler` (like `axum::routing::", stringify!($name), "`).")]
            pub fn $name<H, T>(handler: H) -> Methods
            where
                H: Handler<T, Shared>,
                T: 'static,
            {
                Methods::default().$name(handler)
            }
        )*
    };
}

verbs!(get => GET, post => POST, put => PUT, delete => DELETE, patch => PATCH);

/// Builds a [`Router`] and records its routes (see the module docs).
#[derive(Debug, Default)]
pub struct Routes {
    router: Router<Shared>,
    table: Vec<Route>,
}

impl Routes {
    /// No routes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serve `methods` at `path` (an axum template, `{name}` for a parameter).
    ///
    /// # Panics
    /// As [`Router::route`]: on an invalid template or a method routed twice for one path, both
    /// programming errors caught by any test that builds the app.
    pub fn route(mut self, path: &'static str, methods: Methods) -> Self {
        self.table
            .extend(methods.methods.iter().map(|method| Route {
                method: method.clone(),
                path,
            }));
        self.router = self.router.route(path, methods.router);
        self
    }

    /// The router; its routes join the table of an enclosing [`record`] call, if any.
    pub fn into_router(self) -> Router<Shared> {
        RECORDING.with_borrow_mut(|rec| {
            if let Some(table) = rec {
                table.extend(self.table);
            }
        });
        self.router
    }
}

thread_local! {
    static RECORDING: RefCell<Option<Vec<Route>>> = const { RefCell::new(None) };
}

/// Runs `build` and returns its result with every route the [`Routes`] finished during it
/// registered, in registration order. Nested calls also add their routes to the outer table.
pub fn record<R>(build: impl FnOnce() -> R) -> (R, Vec<Route>) {
    /// Puts the outer recording back (with this one's routes added), even if `build` panics.
    struct Scope(Option<Vec<Route>>);
    impl Drop for Scope {
        fn drop(&mut self) {
            let inner = RECORDING.take().unwrap_or_default();
            RECORDING.set(self.0.take().map(|mut outer| {
                outer.extend(inner);
                outer
            }));
        }
    }

    let scope = Scope(RECORDING.replace(Some(Vec::new())));
    let out = build();
    let table = RECORDING.with_borrow(|rec| rec.clone().unwrap_or_default());
    drop(scope);
    (out, table)
}

/// Every route [`crate::app`] registers through [`Routes`] (vendor routes and the spec files),
/// for the drift tests; `/__admin` is not included.
#[doc(hidden)]
pub fn table(state: Shared) -> Vec<Route> {
    record(|| crate::app(state)).1
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ok() {}

    fn two() -> Router<Shared> {
        Routes::new()
            .route("/a/{id}", get(ok).post(ok))
            .route("/b", delete(ok))
            .into_router()
    }

    fn route(method: Method, path: &'static str) -> Route {
        Route { method, path }
    }

    #[test]
    fn records_every_method_in_order() {
        let (_, table) = record(two);
        assert_eq!(
            table,
            [
                route(Method::GET, "/a/{id}"),
                route(Method::POST, "/a/{id}"),
                route(Method::DELETE, "/b"),
            ]
        );
    }

    #[test]
    fn records_nothing_outside_record_and_nests() {
        let _ = two();
        assert!(RECORDING.with_borrow(Option::is_none));
        let ((_, inner), outer) = record(|| {
            let _ = Routes::new().route("/c", put(ok)).into_router();
            record(two)
        });
        assert_eq!(inner.len(), 3);
        assert_eq!(outer.len(), 4);
        assert_eq!(outer[0], route(Method::PUT, "/c"));
        assert!(RECORDING.with_borrow(Option::is_none));
    }
}
