//! The route registry: one [`HandlerEntry`] per `#[auth]` or `#[public]` handler,
//! collected at link time (`inventory`), so that start-up checks, the access matrix and
//! generated documents see every annotated handler without a list kept by hand.
//!
//! The macros submit the entries (`inventory::submit!` through `__private`); the
//! application reads them with [`routes`] or [`find`]. Which HTTP routes serve which
//! handler is the routing wrapper's business (`routing`, axum adapter).

mod matrix;
mod rule;
mod table;

use std::any::TypeId;

pub use matrix::{Access, AccessMatrix, NO_ROLE, Row};
#[doc(hidden)]
pub use rule::PolicyEntry;
pub use rule::{Name, PolicyRef, Rule};
pub use table::{Route, RouteTable, ServedBy};

use crate::gate::Portcullis;
use crate::scheme::name::Scheme;
use crate::user::AuthUser;

/// One annotated handler: where it is, the schemes it accepts, whether it is public,
/// and what it requires. Built by the macros; read through its methods.
///
/// ```
/// use portcullis::{AuthUser, auth};
/// # #[derive(Clone, AuthUser)] #[auth_user(roles("admin"))] struct User { #[auth_user(id)] id: i64, #[auth_user(roles)] role: String }
/// #[auth(jwt, api_key)]
/// #[portcullis::require(role = "admin")]
/// async fn purge(_user: User) {}
///
/// let entry = portcullis::routes().into_iter().find(|e| e.name() == "purge").unwrap();
/// assert!(entry.path().ends_with("::purge"));
/// assert_eq!(entry.scheme_names(), ["jwt", "api_key"]);
/// assert!(!entry.is_public() && !entry.is_optional());
/// assert_eq!(entry.requirement().unwrap().to_string(), r#"role = "admin""#);
/// ```
#[derive(Debug)]
pub struct HandlerEntry {
    here: fn() -> &'static str,
    name: &'static str,
    file: &'static str,
    line: u32,
    public: bool,
    schemes: &'static [SchemeRef],
    optional: bool,
    hide_existence: bool,
    requirement: Option<&'static Rule>,
    returned: Option<&'static Rule>,
    filtered: Option<&'static Rule>,
    user: Option<fn() -> TypeId>,
    user_name: &'static str,
}

/// A scheme as a handler lists it: a built-in one by name, a custom one by type (its
/// name is the registered instance's, known once the gate is built).
///
/// ```
/// use portcullis::registry::SchemeRef;
/// use portcullis::Scheme;
/// assert_eq!(SchemeRef::BuiltIn(Scheme::JWT).name(), Some(Scheme::JWT));
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum SchemeRef {
    /// `jwt`, `api_key`, `basic`, `session`.
    BuiltIn(Scheme),
    /// `custom(Type)`.
    Custom {
        /// The type's path as written in the attribute.
        written: &'static str,
        /// The type, to find its registered instance.
        type_id: fn() -> TypeId,
    },
}

impl SchemeRef {
    /// The built-in scheme's name; `None` for a custom scheme (see
    /// [`Portcullis::scheme_names`](crate::Portcullis::scheme_names)).
    pub fn name(&self) -> Option<Scheme> {
        match self {
            SchemeRef::BuiltIn(scheme) => Some(*scheme),
            SchemeRef::Custom { .. } => None,
        }
    }

    /// The custom scheme's type, `None` for a built-in one.
    pub fn type_id(&self) -> Option<TypeId> {
        match self {
            SchemeRef::BuiltIn(_) => None,
            SchemeRef::Custom { type_id, .. } => Some(type_id()),
        }
    }

    /// As written in `#[auth(...)]`: `jwt`, `custom(sign::Hmac)`.
    pub fn written(&self) -> String {
        match self {
            SchemeRef::BuiltIn(scheme) => scheme.as_str().to_owned(),
            SchemeRef::Custom { written, .. } => format!("custom({written})"),
        }
    }
}

impl HandlerEntry {
    /// The handler's full path (`my_app::posts::delete_post`), as
    /// `std::any::type_name` spells the handler function without its generic
    /// arguments: what the routing wrapper matches routes against.
    pub fn path(&self) -> &'static str {
        strip_here((self.here)())
    }

    /// The function's name (`delete_post`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The source file and line of the handler.
    pub fn location(&self) -> (&'static str, u32) {
        (self.file, self.line)
    }

    /// `#[public]`: deliberately open, no schemes, no requirement.
    pub fn is_public(&self) -> bool {
        self.public
    }

    /// The schemes, in the order `#[auth(...)]` lists them (empty when public).
    pub fn schemes(&self) -> &'static [SchemeRef] {
        self.schemes
    }

    /// The schemes' names, custom schemes as written (`custom(sign::Hmac)`) until a
    /// gate names them ([`Portcullis::scheme_names`](crate::Portcullis::scheme_names)).
    pub fn scheme_names(&self) -> Vec<String> {
        self.schemes.iter().map(SchemeRef::written).collect()
    }

    /// `#[auth(..., optional)]`: a request without credentials reaches the handler.
    pub fn is_optional(&self) -> bool {
        self.optional
    }

    /// `hide_existence`: an unmet requirement answers 404 instead of 403.
    pub fn hides_existence(&self) -> bool {
        self.hide_existence
    }

    /// `#[require]` and `#[permissions]` together (all must hold), checked before the
    /// handler runs.
    pub fn requirement(&self) -> Option<&'static Rule> {
        self.requirement
    }

    /// `#[require_returned]`: checked on the value the handler returned.
    pub fn returned_requirement(&self) -> Option<&'static Rule> {
        self.returned
    }

    /// `#[filter_returned]`: the returned items its rule denies are removed.
    pub fn filter(&self) -> Option<&'static Rule> {
        self.filtered
    }

    /// The user type (`None` when public, or when the handler is generic).
    pub fn user_type(&self) -> Option<TypeId> {
        self.user.map(|f| f())
    }

    /// The user type as written in the handler (empty when public).
    pub fn user_type_name(&self) -> &'static str {
        self.user_name
    }
}

/// Entries as the macros build them (`const` constructors, so that they are statics).
/// Not public API.
#[doc(hidden)]
impl HandlerEntry {
    pub const fn __public(
        here: fn() -> &'static str,
        name: &'static str,
        file: &'static str,
        line: u32,
    ) -> Self {
        HandlerEntry {
            here,
            name,
            file,
            line,
            public: true,
            schemes: &[],
            optional: false,
            hide_existence: false,
            requirement: None,
            returned: None,
            filtered: None,
            user: None,
            user_name: "",
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub const fn __auth(
        here: fn() -> &'static str,
        name: &'static str,
        file: &'static str,
        line: u32,
        schemes: &'static [SchemeRef],
        optional: bool,
        hide_existence: bool,
        user: Option<fn() -> TypeId>,
        user_name: &'static str,
    ) -> Self {
        HandlerEntry {
            here,
            name,
            file,
            line,
            public: false,
            schemes,
            optional,
            hide_existence,
            requirement: None,
            returned: None,
            filtered: None,
            user,
            user_name,
        }
    }

    pub const fn __requirements(
        mut self,
        requirement: Option<&'static Rule>,
        returned: Option<&'static Rule>,
        filtered: Option<&'static Rule>,
    ) -> Self {
        self.requirement = requirement;
        self.returned = returned;
        self.filtered = filtered;
        self
    }
}

inventory::collect!(HandlerEntry);

impl<U: AuthUser> Portcullis<U> {
    /// The names of `entry`'s schemes as this gate's challenges and audit events
    /// spell them, in order: a custom scheme by its registered instance's name, `None`
    /// for a custom scheme this gate has not registered.
    ///
    /// ```
    /// use portcullis::{AuthUser, InMemoryUserStore, Portcullis, Scheme, auth};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// #[auth(session, api_key)]
    /// async fn me(_user: User) {}
    ///
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
    /// let entry = portcullis::routes().into_iter().find(|e| e.name() == "me").unwrap();
    /// assert_eq!(auth.scheme_names(entry), [Some(Scheme::SESSION), Some(Scheme::API_KEY)]);
    /// ```
    pub fn scheme_names(&self, entry: &HandlerEntry) -> Vec<Option<Scheme>> {
        entry
            .schemes()
            .iter()
            .map(|scheme| match scheme {
                SchemeRef::BuiltIn(name) => Some(*name),
                SchemeRef::Custom { type_id, .. } => {
                    let id = type_id();
                    let registered = self.inner.schemes.iter().find(|r| r.type_id == id);
                    registered.map(|r| r.challenge.scheme)
                }
            })
            .collect()
    }
}

/// Every `#[auth]` and `#[public]` handler linked into the program, sorted by path.
///
/// ```
/// use portcullis::public;
/// #[public]
/// async fn health() -> &'static str { "ok" }
///
/// let entry = portcullis::routes().into_iter().find(|e| e.name() == "health").unwrap();
/// assert!(entry.is_public());
/// assert!(entry.schemes().is_empty());
/// ```
pub fn routes() -> Vec<&'static HandlerEntry> {
    let mut all: Vec<&'static HandlerEntry> = inventory::iter::<HandlerEntry>.into_iter().collect();
    all.sort_by_key(|e| e.path());
    all
}

/// The entry of the handler whose full path is `path` (`my_app::posts::delete_post`;
/// generic arguments, as `std::any::type_name` writes them, are ignored).
///
/// ```
/// #[portcullis::public]
/// async fn health() {}
/// let path = format!("{}::health", module_path!());
/// assert!(portcullis::registry::find(&path).is_some_and(|e| e.is_public()));
/// assert!(portcullis::registry::find("nowhere::health").is_none());
/// ```
pub fn find(path: &str) -> Option<&'static HandlerEntry> {
    let path = strip_generics(path);
    inventory::iter::<HandlerEntry>
        .into_iter()
        .find(|e| e.path() == path)
}

/// `crate::m::handler::{{closure}}::__portcullis_here` → `crate::m::handler`: the
/// nested function is in the body of an `async fn`, a closure for `type_name`.
fn strip_here(here: &'static str) -> &'static str {
    let mut path = here.strip_suffix("::__portcullis_here").unwrap_or(here);
    while let Some(outer) = path.strip_suffix("::{{closure}}") {
        path = outer;
    }
    path
}

/// `a::b::handler<x::S, y::V>` → `a::b::handler`.
pub(crate) fn strip_generics(path: &str) -> &str {
    match path.find('<') {
        // `<a::T as b::Trait>::f` or `<a::T>::f` keep their brackets: only a trailing
        // generic argument list is cut.
        Some(at) if at > 0 && path.ends_with('>') => &path[..at],
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_trailing_generic_arguments_only() {
        assert_eq!(super::strip_generics("a::b::h<x::S, y::V<z::W>>"), "a::b::h");
        assert_eq!(super::strip_generics("a::b::h"), "a::b::h");
        assert_eq!(super::strip_generics("<a::T as b::C>::f"), "<a::T as b::C>::f");
    }
}
