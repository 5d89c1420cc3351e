//! The route table: which handler serves each (method, path) of a router, and the
//! start-up checks over it — deny by default (every route's handler is annotated) and
//! every annotated handler's schemes usable by the gate.

use std::any::TypeId;

use http::Method;

use super::{HandlerEntry, SchemeRef};
use crate::error::ConfigError;
use crate::gate::Portcullis;
use crate::scheme::name::Scheme;
use crate::scheme::{Basic, Jwt};
use crate::user::AuthUser;

/// One route: a method and a path as the router serves it (`/posts/{id}`, nested
/// prefixes included) and what serves it.
#[derive(Debug, Clone)]
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The path, in axum's syntax.
    pub path: String,
    /// The handler's type name without generic arguments (`my_app::posts::get_post`).
    pub handler: &'static str,
    /// What the registry knows of the handler.
    pub served_by: ServedBy,
}

/// What serves a route, as far as the registry knows.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum ServedBy {
    /// An `#[auth]` or `#[public]` handler.
    Annotated(&'static HandlerEntry),
    /// A route of the library's own `AuthRouter` (it checks credentials itself).
    Library,
    /// Neither: refused by [`RouteTable::check`].
    Unannotated,
}

impl Route {
    /// The handler's registry entry, when it is annotated.
    pub fn entry(&self) -> Option<&'static HandlerEntry> {
        match self.served_by {
            ServedBy::Annotated(entry) => Some(entry),
            _ => None,
        }
    }
}

/// Every route of a router, in the order they were added (built by the routing
/// wrapper, `portcullis::routing::Routes`).
///
/// ```
/// use portcullis::registry::{RouteTable, ServedBy};
/// #[portcullis::public]
/// async fn health() {}
/// let table = RouteTable::from_handlers([("GET", "/health", std::any::type_name_of_val(&health))]);
/// assert!(matches!(table.routes()[0].served_by, ServedBy::Annotated(e) if e.is_public()));
/// ```
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    /// A table of `(method, path, handler type name)` rows, each looked up in the
    /// registry: for routes served by another router than `portcullis::routing`'s.
    ///
    /// # Panics
    /// A method that is no HTTP token (`"GE T"`): a mistake in the caller's code.
    pub fn from_handlers<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str, &'static str)>) -> Self {
        let mut table = RouteTable::default();
        for (method, path, handler) in rows {
            let method = Method::from_bytes(method.as_bytes())
                .unwrap_or_else(|_| panic!("`{method}` is no HTTP method"));
            table.push(method, path.to_owned(), handler);
        }
        table
    }

    /// Adds a route served by the handler whose type name is `handler`.
    pub(crate) fn push(&mut self, method: Method, path: String, handler: &'static str) {
        let served_by = super::find(handler).map_or(ServedBy::Unannotated, ServedBy::Annotated);
        let handler = super::strip_generics(handler);
        self.routes.push(Route {
            method,
            path,
            handler,
            served_by,
        });
    }

    /// Adds a route of the library's own router.
    pub(crate) fn push_library(&mut self, method: Method, path: String, handler: &'static str) {
        self.routes.push(Route {
            method,
            path,
            handler: super::strip_generics(handler),
            served_by: ServedBy::Library,
        });
    }

    /// Every route under `prefix` (axum's `nest`: `/` becomes the prefix itself).
    pub(crate) fn nest(&mut self, prefix: &str, other: RouteTable) {
        for mut route in other.routes {
            route.path = match route.path.as_str() {
                "/" => prefix.to_owned(),
                path => format!("{}{path}", prefix.trim_end_matches('/')),
            };
            self.routes.push(route);
        }
    }

    /// Another table's routes after these.
    pub(crate) fn merge(&mut self, other: RouteTable) {
        self.routes.extend(other.routes);
    }

    /// The routes, in the order they were added.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The start-up checks for `gate`: every route's handler is `#[auth]` or
    /// `#[public]` (or the library's), and every `#[auth]` handler of `gate`'s user type
    /// accepts only schemes `gate` can use. Handlers of another user type are left to
    /// their own gate's check.
    ///
    /// # Errors
    /// [`ConfigError::Unannotated`] naming the first unannotated route's handler, or
    /// [`ConfigError::SchemeNotConfigured`] naming the handler and what is missing.
    pub fn check<U: AuthUser>(&self, gate: &Portcullis<U>) -> Result<(), ConfigError> {
        for route in &self.routes {
            match route.served_by {
                ServedBy::Unannotated => {
                    return Err(ConfigError::Unannotated {
                        method: route.method.to_string(),
                        path: route.path.clone(),
                        handler: route.handler.to_owned(),
                    });
                }
                ServedBy::Annotated(entry) => gate.check_handler(entry)?,
                ServedBy::Library => {}
            }
        }
        Ok(())
    }
}

impl<U: AuthUser> Portcullis<U> {
    /// Whether this gate can serve `entry`: each scheme it lists is configured (JWT
    /// keys, a password hash or verifier for `basic`, sessions for `session`, a
    /// registered instance of a custom scheme). Public handlers and handlers of another
    /// user type pass.
    ///
    /// ```
    /// use portcullis::{AuthUser, ConfigError, InMemoryUserStore, Portcullis, auth};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// #[auth(jwt)]
    /// async fn me(_user: User) {}
    ///
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
    /// let entry = portcullis::routes().into_iter().find(|e| e.name() == "me").unwrap();
    /// assert!(matches!(auth.check_handler(entry), Err(ConfigError::SchemeNotConfigured { .. })));
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::SchemeNotConfigured`] naming the handler and what is missing.
    pub fn check_handler(&self, entry: &HandlerEntry) -> Result<(), ConfigError> {
        if entry.is_public() || entry.user_type().is_some_and(|t| t != TypeId::of::<U>()) {
            return Ok(());
        }
        for (scheme, name) in entry.schemes().iter().zip(self.scheme_names(entry)) {
            let missing = match (scheme, name) {
                (SchemeRef::Custom { .. }, None) => Some(
                    "this gate has no instance of it: register one with `PortcullisBuilder::scheme(...)`",
                ),
                (SchemeRef::BuiltIn(_), Some(Scheme::JWT))
                    if self.scheme::<Jwt>().is_none_or(|j| j.validator.is_none()) =>
                {
                    Some(
                        "this gate has no JWT keys: add `.jwt(JwtConfig::new().key(...))`, `.tokens(TokenConfig::...)` or an identity provider",
                    )
                }
                (SchemeRef::BuiltIn(_), Some(Scheme::BASIC))
                    if !U::HAS_PASSWORD_HASH
                        && self.scheme::<Basic>().is_none_or(|b| b.verifier.is_none()) =>
                {
                    Some(
                        "the user type has no `#[auth_user(password_hash)]` field and the gate no `.password_verifier(...)`: add one of them",
                    )
                }
                (SchemeRef::BuiltIn(_), Some(Scheme::SESSION)) if !self.inner.sessions_configured => Some(
                    "this gate was given no sessions: add `.sessions(SessionConfig::new())` and a shared store (`.session_store(...)` or `.stores(...)`)",
                ),
                _ => None,
            };
            if let Some(missing) = missing {
                return Err(ConfigError::SchemeNotConfigured {
                    handler: entry.path().to_owned(),
                    scheme: scheme.written(),
                    missing,
                });
            }
        }
        Ok(())
    }
}
