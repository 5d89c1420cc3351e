//! OpenAPI security from the annotations (feature `utoipa`): the gate's schemes as
//! security-scheme components, each operation's security requirement from the schemes
//! its handler accepts, and the shared 401 and 403 responses.
//!
//! A [`SecurityAddon`] is a [`utoipa::Modify`]: build the document as usual
//! (`#[derive(OpenApi)]`, `#[utoipa::path]`), then let the addon write what the
//! annotations already say, so that the document cannot drift from the code.

use std::any::TypeId;
use std::collections::BTreeSet;

use http::Method;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    Components, ContentBuilder, HeaderBuilder, ObjectBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder,
    Schema, Type,
};

use crate::gate::Portcullis;
use crate::registry::{HandlerEntry, RouteTable, SchemeRef, ServedBy};
use crate::render::BodySchema;
use crate::scheme::CredentialIn;
use crate::scheme::name::Scheme;
use crate::user::AuthUser;

/// The shared response of a protected operation refused for its credentials.
pub const UNAUTHORIZED: &str = "Unauthorized";
/// The shared response of an operation whose requirement the user does not meet.
pub const FORBIDDEN: &str = "Forbidden";
/// The schema of the library's error body (the renderer's, see
/// [`ErrorRenderer::body_schema`](crate::ErrorRenderer::body_schema)).
pub const ERROR_BODY: &str = "AuthErrorBody";

/// How one operation (method and path, in OpenAPI's and axum's `/posts/{id}` syntax)
/// is protected, as its handler's annotations say: the schemes `#[auth]` lists
/// (none: public), whether anonymous callers are let through (`optional`), and
/// whether a requirement (`#[require]`, `#[permissions]`, ...) may refuse with 403.
///
/// ```
/// use http::Method;
/// use portcullis::Scheme;
/// use portcullis::openapi::RouteSecurity;
/// let me = RouteSecurity::protected(Method::GET, "/me", &[Scheme::JWT, Scheme::SESSION]);
/// let feed = RouteSecurity::protected(Method::GET, "/feed", &[Scheme::JWT]).optional();
/// let admin = RouteSecurity::protected(Method::GET, "/admin", &[Scheme::JWT]).with_requirement();
/// let health = RouteSecurity::public(Method::GET, "/health");
/// # let _ = (me, feed, admin, health);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSecurity {
    method: Method,
    path: String,
    schemes: Vec<Scheme>,
    optional: bool,
    requirement: bool,
}

impl RouteSecurity {
    /// An operation whose handler accepts these schemes (in `#[auth]`'s order).
    pub fn protected(method: Method, path: &str, schemes: &[Scheme]) -> Self {
        RouteSecurity {
            method,
            path: path.to_owned(),
            schemes: schemes.to_vec(),
            optional: false,
            requirement: false,
        }
    }

    /// A deliberately open operation (`#[public]`): no security.
    pub fn public(method: Method, path: &str) -> Self {
        RouteSecurity::protected(method, path, &[])
    }

    /// Anonymous callers are let through too (`#[auth(..., optional)]`).
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// A requirement may refuse an authenticated user (403).
    pub fn with_requirement(mut self) -> Self {
        self.requirement = true;
        self
    }
}

/// Writes the security of the annotations into an OpenAPI document: a
/// [`utoipa::Modify`].
///
/// For every operation it has a [`RouteSecurity`] for, it sets the operation's
/// `security` to one alternative per security scheme of the schemes the handler
/// accepts (plus `{}` when anonymous callers are let through; `[]` for a public
/// one), and adds the shared `401` ([`UNAUTHORIZED`], with `WWW-Authenticate`) and,
/// where a requirement exists, `403` ([`FORBIDDEN`]) responses unless the operation
/// documents its own. The components get the security schemes those operations use,
/// as the gate is configured (the API-key header, the session cookie, ...: see
/// [`CredentialIn`]); a scheme whose credential travels in several places (an API
/// key also accepted in the query) has one component each: its name, then
/// `<name>_<place>` (`api_key_query`). Components and operations already there are
/// left as they are; so are operations it has no route for.
///
/// ```
/// use http::Method;
/// use portcullis::{AuthUser, InMemoryUserStore, Portcullis, Scheme};
/// use portcullis::openapi::{RouteSecurity, SecurityAddon};
/// use utoipa::Modify;
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
/// let mut doc: utoipa::openapi::OpenApi = serde_json::from_value(serde_json::json!({
///     "openapi": "3.1.0", "info": { "title": "api", "version": "1" },
///     "paths": { "/keys": { "get": { "responses": { "200": { "description": "the keys" } } } } }
/// })).unwrap();
/// SecurityAddon::new(&auth)
///     .route(RouteSecurity::protected(Method::GET, "/keys", &[Scheme::API_KEY]))
///     .modify(&mut doc);
/// let doc = serde_json::to_value(&doc).unwrap();
/// assert_eq!(doc["paths"]["/keys"]["get"]["security"], serde_json::json!([{ "api_key": [] }]));
/// assert_eq!(doc["components"]["securitySchemes"]["api_key"]["in"], "header");
/// ```
#[derive(Debug, Clone)]
pub struct SecurityAddon {
    schemes: Vec<(Scheme, TypeId, Vec<CredentialIn>)>,
    body: Option<BodySchema>,
    routes: Vec<RouteSecurity>,
}

impl SecurityAddon {
    /// The schemes and error body of `gate`, as configured, and no routes yet.
    pub fn new<U: AuthUser>(gate: &Portcullis<U>) -> Self {
        let schemes = gate.inner.schemes.iter();
        SecurityAddon {
            schemes: schemes
                .map(|s| (s.challenge.scheme, s.type_id, s.credential_in.clone()))
                .collect(),
            body: gate.inner.renderer.body_schema(),
            routes: Vec::new(),
        }
    }

    /// With the security of one more operation (a later one for the same method and
    /// path replaces it).
    pub fn route(mut self, route: RouteSecurity) -> Self {
        self.routes
            .retain(|r| !(r.method == route.method && r.path == route.path));
        self.routes.push(route);
        self
    }

    /// With the security of every route of `table` whose handler is annotated (the
    /// table of [`routing::Routes`](crate::routing::Routes), the one the router serves):
    /// [`handler`](Self::handler) for each. The auth router's own routes and
    /// unannotated ones (which the start-up check refuses) are left out.
    ///
    /// ```
    /// use portcullis::openapi::SecurityAddon;
    /// use portcullis::routing::{Routes, get};
    /// use portcullis::{AuthUser, InMemoryUserStore, Portcullis, auth};
    /// use utoipa::Modify;
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// # #[derive(Clone, axum::extract::FromRef)] struct AppState { auth: Portcullis<User> }
    /// #[auth(api_key)]
    /// async fn list_keys(_user: User) {}
    ///
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
    /// let routes: Routes<AppState> = Routes::new().route("/keys", get(list_keys));
    /// let mut doc: utoipa::openapi::OpenApi = serde_json::from_value(serde_json::json!({
    ///     "openapi": "3.1.0", "info": { "title": "api", "version": "1" },
    ///     "paths": { "/keys": { "get": { "responses": { "200": { "description": "the keys" } } } } }
    /// })).unwrap();
    /// SecurityAddon::new(&auth).routes(routes.table()).modify(&mut doc);
    /// let op = &serde_json::to_value(&doc).unwrap()["paths"]["/keys"]["get"];
    /// assert_eq!(op["security"], serde_json::json!([{ "api_key": [] }]));
    /// ```
    pub fn routes(self, table: &RouteTable) -> Self {
        table
            .routes()
            .iter()
            .fold(self, |addon, route| match route.served_by {
                ServedBy::Annotated(entry) => addon.handler(route.method.clone(), &route.path, entry),
                _ => addon,
            })
    }

    /// With the security of the operation `method path` served by the annotated
    /// handler `entry` (the route registry's, [`routes`](crate::routes)): its schemes
    /// in `#[auth]`'s order (a custom one by the name of the gate's instance), whether
    /// it is `optional`, and a 403 when `#[require]`/`#[permissions]`/`#[require_returned]`
    /// may refuse (a 404 instead with `hide_existence`: no 403 then). `#[public]`: none.
    ///
    /// ```
    /// use http::Method;
    /// use portcullis::{AuthUser, InMemoryUserStore, Portcullis, auth, require};
    /// use portcullis::openapi::SecurityAddon;
    /// use utoipa::Modify;
    /// # #[derive(Clone, AuthUser)] #[auth_user(roles("admin"))] struct User { #[auth_user(id)] id: i64, #[auth_user(roles)] role: String }
    /// #[auth(jwt, session)]
    /// #[require(role = "admin")]
    /// async fn purge_everything(_user: User) {}
    ///
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
    /// let entry = portcullis::routes().into_iter().find(|e| e.name() == "purge_everything").unwrap();
    /// let mut doc: utoipa::openapi::OpenApi = serde_json::from_value(serde_json::json!({
    ///     "openapi": "3.1.0", "info": { "title": "api", "version": "1" },
    ///     "paths": { "/purge": { "post": { "responses": { "204": { "description": "done" } } } } }
    /// })).unwrap();
    /// SecurityAddon::new(&auth).handler(Method::POST, "/purge", entry).modify(&mut doc);
    /// let op = &serde_json::to_value(&doc).unwrap()["paths"]["/purge"]["post"];
    /// assert_eq!(op["security"], serde_json::json!([{ "jwt": [] }, { "session": [] }]));
    /// assert_eq!(op["responses"]["403"]["$ref"], "#/components/responses/Forbidden");
    /// ```
    pub fn handler(self, method: Method, path: &str, entry: &HandlerEntry) -> Self {
        if entry.is_public() {
            return self.route(RouteSecurity::public(method, path));
        }
        let schemes: Vec<Scheme> = entry.schemes().iter().map(|s| self.scheme_of(s)).collect();
        let mut route = RouteSecurity::protected(method, path, &schemes);
        route.optional = entry.is_optional();
        let refusable = entry.requirement().is_some() || entry.returned_requirement().is_some();
        route.requirement = refusable && !entry.hides_existence();
        self.route(route)
    }

    /// A handler's scheme by the name the gate gives it; a custom scheme the gate has
    /// no instance of is named as written (`custom(sign::Hmac)`), without a component.
    fn scheme_of(&self, scheme: &SchemeRef) -> Scheme {
        match scheme {
            SchemeRef::BuiltIn(name) => *name,
            SchemeRef::Custom { written, type_id } => {
                let id = type_id();
                match self.schemes.iter().find(|(_, t, _)| *t == id) {
                    Some((name, _, _)) => *name,
                    None => Scheme::custom(written),
                }
            }
        }
    }

    /// The names of the security-scheme components that stand for `scheme`: its
    /// name, then `<name>_<place>` for each further place its credential travels.
    /// A scheme the gate does not know is named as it is, without a component.
    ///
    /// ```
    /// use portcullis::{ApiKeyConfig, AuthUser, InMemoryUserStore, Portcullis, Scheme};
    /// use portcullis::openapi::SecurityAddon;
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
    ///     .api_key(ApiKeyConfig::new().query_param("api_key"))
    ///     .build()
    ///     .unwrap();
    /// let names = SecurityAddon::new(&auth).component_names(Scheme::API_KEY);
    /// assert_eq!(names, ["api_key", "api_key_query"]);
    /// ```
    pub fn component_names(&self, scheme: Scheme) -> Vec<String> {
        self.components_of(scheme)
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    fn components_of(&self, scheme: Scheme) -> Vec<(String, Option<SecurityScheme>)> {
        let Some((_, _, places)) = self.schemes.iter().find(|(s, _, _)| *s == scheme) else {
            return vec![(scheme.as_str().to_owned(), None)];
        };
        let mut out: Vec<(String, Option<SecurityScheme>)> = Vec::new();
        for (i, place) in places.iter().enumerate() {
            let mut name = match i {
                0 => scheme.as_str().to_owned(),
                _ => format!("{scheme}_{}", place.location()),
            };
            if out.iter().any(|(taken, _)| *taken == name) {
                name = format!("{name}_{i}");
            }
            out.push((name, Some(security_scheme(scheme, place))));
        }
        out
    }

    fn find(&self, method: &Method, path: &str) -> Option<&RouteSecurity> {
        self.routes.iter().find(|r| r.method == *method && r.path == path)
    }

    /// Sets one operation's security and responses; returns the schemes it named.
    fn protect(&self, route: &RouteSecurity, operation: &mut Operation, used: &mut BTreeSet<Scheme>) {
        if route.schemes.is_empty() {
            // Explicitly none: a document-wide `security` does not apply to it.
            operation.security = Some(Vec::new());
            return;
        }
        let mut alternatives = Vec::new();
        for scheme in &route.schemes {
            used.insert(*scheme);
            for name in self.component_names(*scheme) {
                alternatives.push(SecurityRequirement::new(name, Vec::<String>::new()));
            }
        }
        if route.optional {
            alternatives.push(SecurityRequirement::default());
        }
        operation.security = Some(alternatives);
        let responses = &mut operation.responses.responses;
        responses
            .entry("401".to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(UNAUTHORIZED)));
        if route.requirement {
            responses
                .entry("403".to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name(FORBIDDEN)));
        }
    }

    fn components(&self, used: &BTreeSet<Scheme>, components: &mut Components) {
        for scheme in used {
            for (name, described) in self.components_of(*scheme) {
                if let Some(described) = described {
                    components.security_schemes.entry(name).or_insert(described);
                }
            }
        }
        let body = self.body.as_ref().and_then(|body| {
            let schema: Schema = serde_json::from_value(body.schema.clone()).ok()?;
            components
                .schemas
                .entry(ERROR_BODY.to_owned())
                .or_insert(RefOr::T(schema));
            Some(body.media_type)
        });
        let response = |description: &str| {
            let response = ResponseBuilder::new().description(description);
            match body {
                Some(media_type) => response.content(
                    media_type,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name(ERROR_BODY)))
                        .build(),
                ),
                None => response,
            }
        };
        let challenges = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some("the challenges of the schemes the operation accepts"))
            .build();
        let unauthorized: Response = response("missing, malformed or refused credentials")
            .header("WWW-Authenticate", challenges)
            .build();
        let forbidden: Response =
            response("authenticated, but a requirement of the operation is not met").build();
        components
            .responses
            .entry(UNAUTHORIZED.to_owned())
            .or_insert(RefOr::T(unauthorized));
        components
            .responses
            .entry(FORBIDDEN.to_owned())
            .or_insert(RefOr::T(forbidden));
    }
}

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut used = BTreeSet::new();
        let mut protected = false;
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in operations(item) {
                if let Some(route) = self.find(&method, path) {
                    protected |= !route.schemes.is_empty();
                    self.protect(route, operation, &mut used);
                }
            }
        }
        if protected {
            self.components(&used, openapi.components.get_or_insert_with(Components::new));
        }
    }
}

/// The operations of a path item with their methods.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
        (Method::OPTIONS, item.options.as_mut()),
        (Method::HEAD, item.head.as_mut()),
        (Method::PATCH, item.patch.as_mut()),
        (Method::TRACE, item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation?)))
}

/// One place of a scheme's credential as an OpenAPI security scheme: `http` for the
/// registered authentication schemes (bearer, basic, ...), `apiKey` otherwise.
fn security_scheme(scheme: Scheme, place: &CredentialIn) -> SecurityScheme {
    let described = |what: String| Some(format!("Portcullis scheme `{scheme}`: {what}"));
    match place {
        CredentialIn::Authorization { scheme: auth, format } => {
            match serde_json::from_value::<HttpAuthScheme>(serde_json::Value::from(auth.as_str())) {
                Ok(registered) => {
                    let mut http = Http::new(registered);
                    http.description = described(format!("`Authorization: {auth}`"));
                    if let Some(format) = format {
                        http.bearer_format = Some(format.clone());
                    }
                    SecurityScheme::Http(http)
                }
                // Not an IANA-registered scheme: OpenAPI's `http` cannot name it.
                Err(_) => SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    "Authorization".to_owned(),
                    described(format!("`Authorization: {auth} …`")).unwrap_or_default(),
                ))),
            }
        }
        CredentialIn::Header(name) => api_key(ApiKey::Header, name, described(format!("header `{name}`"))),
        CredentialIn::Query(name) => api_key(
            ApiKey::Query,
            name,
            described(format!("query parameter `{name}`")),
        ),
        CredentialIn::Cookie(name) => api_key(ApiKey::Cookie, name, described(format!("cookie `{name}`"))),
    }
}

fn api_key(place: fn(ApiKeyValue) -> ApiKey, name: &str, description: Option<String>) -> SecurityScheme {
    let value = ApiKeyValue::with_description(name.to_owned(), description.unwrap_or_default());
    SecurityScheme::ApiKey(place(value))
}
