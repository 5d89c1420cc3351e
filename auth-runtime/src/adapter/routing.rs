//! The routing wrapper (axum): `portcullis::routing::{get, post, ...}` and [`Routes`]
//! build an `axum::Router` while recording which handler serves each route, so that
//! [`Routes::into_router`] can refuse to serve a route whose handler has neither
//! `#[auth]` nor `#[public]` (deny by default) and a handler whose schemes the gate
//! cannot use — naming it, at start-up.
//!
//! An application that keeps `axum::routing::get` and `axum::Router` gets no such
//! check: its routes are invisible to the registry (the handlers are still
//! registered, so `portcullis::routes()` and the access matrix still list them).

use std::convert::Infallible;

use axum::handler::Handler;
use axum::routing::MethodRouter;
use http::Method;

use crate::error::ConfigError;
use crate::gate::Portcullis;
use crate::registry::RouteTable;
use crate::user::AuthUser;

/// A method router that remembers its handlers' type names: what
/// [`get`], [`post`], [`put`], [`patch`] and [`delete`] return, chained like axum's.
pub struct MethodRoutes<S = ()> {
    router: MethodRouter<S, Infallible>,
    handlers: Vec<(Method, &'static str)>,
}

macro_rules! methods {
    ($($name:ident $method:ident),+) => {
        $(
            #[doc = concat!("A `", stringify!($method), "` route to `handler` (axum's `", stringify!($name), "`), recorded for the start-up checks.")]
            pub fn $name<H, T, S>(handler: H) -> MethodRoutes<S>
            where
                H: Handler<T, S>,
                T: 'static,
                S: Clone + Send + Sync + 'static,
            {
                MethodRoutes {
                    router: axum::routing::$name(handler),
                    handlers: vec![(Method::$method, std::any::type_name::<H>())],
                }
            }
        )+

        impl<S: Clone + Send + Sync + 'static> MethodRoutes<S> {
            $(
                #[doc = concat!("Adds a `", stringify!($method), "` handler.")]
                pub fn $name<H, T>(mut self, handler: H) -> Self
                where
                    H: Handler<T, S>,
                    T: 'static,
                {
                    self.router = self.router.$name(handler);
                    self.handlers.push((Method::$method, std::any::type_name::<H>()));
                    self
                }
            )+
        }
    };
}

methods!(get GET, post POST, put PUT, patch PATCH, delete DELETE);

/// An `axum::Router` under construction, with its route table: `route`, `nest` and
/// `merge` like axum's, then [`into_router`](Routes::into_router) checks every route
/// against the gate.
///
/// ```
/// use axum::extract::FromRef;
/// use portcullis::routing::{Routes, get};
/// use portcullis::{AuthUser, ConfigError, InMemoryUserStore, Portcullis, auth, public};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// #[derive(Clone, FromRef)]
/// struct AppState { auth: Portcullis<User> }
///
/// #[auth(api_key)]
/// async fn me(_user: User) {}
/// #[public]
/// async fn health() {}
/// async fn forgotten() {}
///
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
/// let api = Routes::new().route("/me", get(me));
/// let routes = Routes::new().route("/health", get(health)).nest("/api", api);
/// let app: axum::Router = routes.into_router(&auth)?.with_state(AppState { auth: auth.clone() });
///
/// let refused = Routes::<AppState>::new().route("/x", get(forgotten)).into_router(&auth);
/// assert!(matches!(refused, Err(ConfigError::Unannotated { handler, .. }) if handler.ends_with("::forgotten")));
/// # Ok::<(), ConfigError>(())
/// ```
pub struct Routes<S = ()> {
    router: axum::Router<S>,
    table: RouteTable,
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Routes::new()
    }
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    /// No routes yet.
    pub fn new() -> Self {
        Routes {
            router: axum::Router::new(),
            table: RouteTable::default(),
        }
    }

    /// Serves `path` with `methods` (axum's `Router::route`).
    pub fn route(mut self, path: &str, methods: MethodRoutes<S>) -> Self {
        self.router = self.router.route(path, methods.router);
        for (method, handler) in methods.handlers {
            self.table.push(method, path.to_owned(), handler);
        }
        self
    }

    /// Serves `routes` under `prefix` (axum's `Router::nest`).
    pub fn nest(mut self, prefix: &str, routes: Routes<S>) -> Self {
        self.router = self.router.nest(prefix, routes.router);
        self.table.nest(prefix, routes.table);
        self
    }

    /// Serves `routes` too (axum's `Router::merge`).
    pub fn merge(mut self, routes: Routes<S>) -> Self {
        self.router = self.router.merge(routes.router);
        self.table.merge(routes.table);
        self
    }

    /// Changes the router without changing its routes: layers (`|r| r.layer(...)`),
    /// a fallback.
    pub fn map_router(mut self, f: impl FnOnce(axum::Router<S>) -> axum::Router<S>) -> Self {
        self.router = f(self.router);
        self
    }

    /// The route table so far.
    pub fn table(&self) -> &RouteTable {
        &self.table
    }

    /// The router, once [`RouteTable::check`] passed for `gate`; with several user
    /// types, check the table against each other gate first (`routes.table().check(&staff)?`).
    ///
    /// # Errors
    /// [`ConfigError::Unannotated`] naming the route and its handler, or
    /// [`ConfigError::SchemeNotConfigured`] naming the handler and what is missing.
    pub fn into_router<U: AuthUser>(self, gate: &Portcullis<U>) -> Result<axum::Router<S>, ConfigError> {
        self.table.check(gate)?;
        Ok(self.router)
    }

    /// Marks every route as the library's own (the auth router's).
    pub(crate) fn library(mut self) -> Self {
        let mut table = RouteTable::default();
        for route in self.table.routes() {
            table.push_library(route.method.clone(), route.path.clone(), route.handler);
        }
        self.table = table;
        self
    }

    /// The router without the checks (the auth router's own `routes()`).
    pub(crate) fn into_unchecked(self) -> axum::Router<S> {
        self.router
    }
}
