//! The DSL's macros, re-exported from `portcullis-macros` with their documentation
//! (the root re-exports each: `portcullis::auth`, `portcullis::AuthUser`, ...).

/// Derives [`AuthUser`](trait@crate::AuthUser) for a struct with named fields.
///
/// Field attributes say which field plays which part: `id` (required, exactly once),
/// `name`, `roles`, `permissions`, `password_hash`, `active`, `email_verified`. The
/// struct attribute declares the closed sets of names — `roles(...)`, `permissions(...)`
/// and the permissions each role grants, `grants(role("perm", ...), admin("*"))` — and
/// `crate = path` changes the facade path.
///
/// ```
/// use portcullis::AuthUser;
///
/// #[derive(Clone, AuthUser)]
/// #[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"),
///             grants(admin("*"), user("posts:read")))]
/// struct User {
///     #[auth_user(id)] id: i64,
///     #[auth_user(name)] username: String,
///     #[auth_user(roles)] role: String,
///     #[auth_user(password_hash)] password_hash: Option<String>,
///     #[auth_user(active)] active: bool,
/// }
/// # let u = User { id: 1, username: "a".into(), role: "admin,user".into(), password_hash: None, active: true };
/// # assert!(u.has_role("user") && u.is_active() && u.password_hash().is_none());
/// # assert!(u.has_permission("posts:write"));
/// ```
///
/// is the same as writing two impls: the user's facts (`AuthUser`), and the tables
/// the requirement checks read at compile time (`DeclaredNames`, a hidden supertrait of
/// `AuthUser`; a hand-written user that declares nothing writes
/// `impl portcullis::DeclaredNames for MyUser {}`). The hints are the
/// messages a misspelt name gets at compile time, one per declared name, then one
/// without a suggestion:
///
/// ```
/// # #[derive(Clone)]
/// # struct User { id: i64, username: String, role: String, password_hash: Option<String>, active: bool }
/// use portcullis::AuthUser;
/// use portcullis::__private::{BoolField, DeclaredNames, NameSet, OptionalText, UserPermissions, UserRoles};
///
/// impl DeclaredNames for User {
///     const DECLARED_ROLES: Option<&'static [&'static str]> = Some(&["admin", "user"]);
///     const DECLARED_PERMISSIONS: Option<&'static [&'static str]> = Some(&["posts:read", "posts:write"]);
///     // (role bits, permission bits): admin grants every permission, user `posts:read`.
///     const GRANTS: &'static [(u64, u64)] = &[(0b01, 0b11), (0b10, 0b01)];
///     const ROLE_HINTS: &'static [&'static str] = &["... did you mean `admin`? ...", "... did you mean `user`? ...", "..."];
///     const PERMISSION_HINTS: &'static [&'static str] = &["...", "...", "..."];
///     const HAS_EMAIL_VERIFIED: bool = false; // true with an `#[auth_user(email_verified)]` field
/// }
///
/// impl AuthUser for User {
///     type Id = i64;
///     fn id(&self) -> &i64 { &self.id }
///     fn role_mask(&self) -> u64 {
///         Self::DECLARED_ROLES.map_or(0, |declared| <String as NameSet>::mask(&self.role, declared))
///     }
///     fn name(&self) -> Option<&str> { <String as OptionalText>::text(&self.username) }
///     fn for_each_role(&self, f: &mut dyn FnMut(&str)) { <String as NameSet>::for_each_name(&self.role, f) }
///     fn password_hash(&self) -> Option<&str> { <Option<String> as OptionalText>::text(&self.password_hash) }
///     fn is_active(&self) -> bool { <bool as BoolField>::get(&self.active) }
/// }
///
/// impl UserRoles for User {
///     type Typed = <String as NameSet>::Typed; // `Untyped`; a `Vec<Role>` field gives `Role`
/// }
/// impl UserPermissions for User { type Typed = portcullis::__private::Untyped; } // `Vec<Perm>`: `Perm`
/// # let u = User { id: 1, username: "a".into(), role: "user".into(), password_hash: None, active: true };
/// # assert!(u.has_permission("posts:read") && !u.has_permission("posts:write"));
/// # let _: Option<portcullis::__private::Untyped> = None;
/// ```
#[doc(inline)]
pub use portcullis_macros::AuthUser;

/// Authenticates an async axum handler with the listed schemes, tried in order.
///
/// Arguments: the built-in schemes (`jwt`, `api_key`, `basic`, `session`), schemes of
/// your own as `custom(Type)`, `optional`, `hide_existence` (an unmet requirement answers
/// 404 like a missing resource), and `crate = path` (for a crate that reaches Portcullis
/// under another name). The parameter named `user` (or marked
/// `#[user]`) receives the user; a parameter of type `AuthInfo` receives how they
/// authenticated.
///
/// ```
/// use axum::Json;
/// use portcullis::{auth, AuthInfo, AuthUser};
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64 }
///
/// #[auth(jwt, api_key)]
/// async fn me(user: User, info: AuthInfo, Json(body): Json<String>) -> String {
///     format!("{} via {}: {body}", user.id, info.scheme())
/// }
/// ```
///
/// works like writing:
///
/// ```
/// # use axum::Json;
/// # use portcullis::{AuthInfo, AuthUser};
/// # #[derive(Clone, AuthUser)]
/// # struct User { #[auth_user(id)] id: i64 }
/// use portcullis::Authenticated;
/// use portcullis::schemes::{ApiKey, Jwt};
///
/// async fn me(
///     auth: Authenticated<User, (Jwt, ApiKey)>,
///     Json(body): Json<String>,
/// ) -> String {
///     let user: User = auth.user;
///     let info: AuthInfo = auth.info;
///     format!("{} via {}: {body}", user.id, info.scheme())
/// }
/// ```
///
/// The extractor answers 401 (with one `WWW-Authenticate` challenge per listed scheme),
/// 403 (inactive account) or 503 (store unavailable) before the handler runs. With
/// `optional`, the parameter is `Option<User>` and the extractor `MaybeAuthenticated`.
///
/// The generated handler is also generic over the router's state, which must give the
/// `Portcullis<User>` (axum's `FromRef`, e.g. a `Portcullis<User>` field of a
/// `#[derive(Clone, FromRef)]` state): routing it on a state without one is a single
/// compile error at the route saying so, not axum's "`Handler<_, _>` is not
/// implemented". Pass it to `get(me)` and the like as usual; the state is inferred.
///
/// A scheme of your own is a type implementing [`AuthScheme`](crate::AuthScheme), registered with
/// [`PortcullisBuilder::scheme`](crate::PortcullisBuilder::scheme) and listed as `custom(Type)` among the built-ins, in
/// the order to try them (the type is checked at compile time):
///
/// ```
/// use http::request::Parts;
/// use portcullis::schemes::{AuthScheme, Context, Identity, Scheme, Verified};
/// use portcullis::{async_trait, auth, AuthError, AuthUser, InMemoryUserStore, Portcullis};
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64 }
///
/// /// `X-Device: <serial>`, checked against a registry.
/// struct Device;
///
/// #[async_trait]
/// impl AuthScheme<User> for Device {
///     type Credential = String;
///     fn name(&self) -> Scheme { Scheme::custom("device") }
///     fn extract(&self, parts: &Parts) -> Result<Option<String>, AuthError> {
///         Ok(parts.headers.get("x-device").and_then(|v| v.to_str().ok()).map(str::to_owned))
///     }
///     async fn verify(&self, _: &Parts, serial: String, _: &Context<'_, User>) -> Result<Verified<User>, AuthError> {
///         let owner = (serial == "SN-0042").then_some("7").ok_or(AuthError::invalid(self.name(), "unknown device"))?;
///         Ok(Verified::identity(Identity::new(self.name(), owner)))
///     }
///     fn challenge(&self, realm: &str) -> String { format!("Device realm=\"{realm}\"") }
/// }
///
/// #[auth(jwt, custom(Device))] // the extractor is `Authenticated<User, (Jwt, Device)>`
/// async fn telemetry(user: User) -> String { user.id.to_string() }
///
/// let gate = Portcullis::builder(InMemoryUserStore::<User>::new()).scheme(Device).build();
/// # let _ = gate;
/// ```
#[doc(inline)]
pub use portcullis_macros::auth;

/// Authorizes an `#[auth]` handler: a requirement checked after authentication and
/// before the handler's other extractors.
///
/// The language: `role = "name"` or `role = Enum::Variant`, `permission = "name"`,
/// `scope = "name"` (OAuth scopes of the token), `claim(name = literal)`,
/// `owner(param.field)` (the field equals the user's id), `verified_email`, `fresh`
/// (a password entered just now; unmet on its own or in `&&`: 401
/// `insufficient_user_authentication`), `fn = path` (a predicate
/// `fn(&User, &AuthInfo) -> bool`, or an `async fn`),
/// combined with `||`, `&&`, `!` and parentheses. It is parsed at compile time into
/// code; declared role and permission names are checked by the compiler and become
/// bit tests.
///
/// ```
/// use axum::Json;
/// use axum::http::StatusCode;
/// use portcullis::{auth, require, AuthUser};
/// # use axum::extract::{OptionalFromRequestParts, FromRequestParts};
///
/// #[derive(Clone, AuthUser)]
/// #[auth_user(roles("admin", "moderator", "user"))]
/// struct User { #[auth_user(id)] id: i64, #[auth_user(roles)] role: String }
///
/// struct Post { author_id: i64 }
/// # impl<S: Send + Sync> OptionalFromRequestParts<S> for Post {
/// #     type Rejection = std::convert::Infallible;
/// #     async fn from_request_parts(_: &mut http::request::Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
/// #         Ok(Some(Post { author_id: 1 }))
/// #     }
/// # }
///
/// #[auth(jwt)]
/// #[require(owner(post.author_id) || role = "moderator")]
/// async fn edit_post(user: User, post: Option<Post>, Json(text): Json<String>) -> StatusCode {
///     StatusCode::NO_CONTENT
/// }
/// ```
///
/// works like writing:
///
/// ```
/// # use axum::Json;
/// # use axum::http::StatusCode;
/// # use portcullis::AuthUser;
/// # #[derive(Clone, AuthUser)]
/// # #[auth_user(roles("admin", "moderator", "user"))]
/// # struct User { #[auth_user(id)] id: i64, #[auth_user(roles)] role: String }
/// # struct Post { author_id: i64 }
/// use portcullis::{AuthError, Authenticated, Refusal};
/// use portcullis::__private::{DeferredBody, NameCheck};
/// use portcullis::schemes::Jwt;
///
/// async fn edit_post(
///     auth: Authenticated<User, (Jwt,)>,
///     post: Option<Post>,             // needed by the check: extracted first
///     text: DeferredBody<Json<String>>, // not needed: extracted after the check
/// ) -> Result<StatusCode, Refusal> {
///     // 404 before 403: the resource the check needs must exist.
///     let Some(found) = &post else { return Err(auth.refuse(AuthError::NotFound)) };
///     // Resolved by the compiler: a misspelt role would not build.
///     const MODERATOR: NameCheck = NameCheck::role::<User>("moderator");
///     let roles = auth.user.role_mask();
///     if !(found.author_id == auth.user.id || MODERATOR.role_held(&auth.user, roles)) {
///         return Err(auth.refuse(AuthError::Denied {
///             scheme: auth.info.scheme(),
///             requirement: "owner(post.author_id) || role = \"moderator\"",
///         }));
///     }
///     // Only now is the body read; its own rejection (400, 415, 422) is answered as it is.
///     let Json(text): Json<String> = text.resolve().await?;
///     let user: User = auth.user;
///     Ok(async move { StatusCode::NO_CONTENT }.await)
/// }
/// ```
///
/// The handler's return type `R` becomes `Result<R, Refusal>` (a framework-neutral
/// rendered answer that axum returns through `IntoResponse`); the body runs
/// unchanged. A denial answers 403 `{"error": "forbidden", "message": "missing
/// requirement: <the unmet part>"}` (with `WWW-Authenticate: Bearer ...,
/// error="insufficient_scope"` for token users). `#[auth]`, `#[require]` and
/// `#[permissions]` stack in any order.
///
/// **Checks before the other extractors.** Every parameter but the user, `AuthInfo`
/// and the resources named in `owner(...)` waits until the checks have passed: the
/// last one (the one that may read the body) as `DeferredBody<T>`, the others as
/// `Deferred<T>`, resolved in their order before the body runs. So a request that
/// fails the checks gets 403 (or 404) even when its body or path is malformed, and
/// nothing it sent is parsed. An owner resource is extracted before the checks, since
/// they read it. The router's state must be `Clone` (axum's `Router::with_state` already
/// asks for it). Handlers without requirements extract as written.
///
/// **Resources loaded for you.** Mark the resource `#[resource]` and implement
/// [`Resource`](crate::Resource) for the state: the id is read from the route's path, the resource is
/// loaded from the state, and the body receives the resource itself. A missing one
/// answers 404 after authentication and before any 403 (401 → 404 → 403); a loader
/// error ([`StoreError`](crate::StoreError)) answers 503; both through the gate's renderer.
///
/// ```
/// use axum::extract::FromRef;
/// use axum::{Router, routing::delete};
/// use axum::http::StatusCode;
/// use portcullis::{auth, require, AuthUser, Portcullis, Resource, StoreError};
///
/// #[derive(Clone, AuthUser)]
/// #[auth_user(roles("admin", "moderator"))]
/// struct User { #[auth_user(id)] id: i64, #[auth_user(roles)] role: String }
///
/// struct Post { author_id: i64 }
///
/// #[derive(Clone, FromRef)]
/// struct AppState { auth: Portcullis<User> }
///
/// impl Resource<AppState> for Post {
///     type Id = i64; // `/posts/{id}`; a tuple for several path parameters
///     async fn load(id: i64, state: &AppState) -> Result<Option<Post>, StoreError> {
///         Ok((id == 1).then_some(Post { author_id: 1 })) // your database query
///     }
/// }
///
/// #[auth(jwt)]
/// #[require(owner(post.author_id) || role = "moderator")]
/// async fn delete_post(user: User, #[resource] post: Post) -> StatusCode {
///     StatusCode::NO_CONTENT
/// }
///
/// let app: Router<AppState> = Router::new().route("/posts/{id}", delete(delete_post));
/// ```
#[doc(inline)]
pub use portcullis_macros::require;

/// Requires permissions: `#[permissions("a", "b")]` needs all of them,
/// `#[permissions(any("a", "b"))]` one of them. Permissions come from the user's
/// permissions field and from their roles (`#[auth_user(grants(...))]`).
///
/// ```
/// use portcullis::{auth, permissions, AuthUser};
///
/// #[derive(Clone, AuthUser)]
/// #[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"),
///             grants(admin("*"), user("posts:read")))]
/// struct User { #[auth_user(id)] id: i64, #[auth_user(roles)] role: String }
///
/// #[auth(jwt)]
/// #[permissions("posts:write")]
/// async fn create_post(user: User) -> &'static str { "created" }
/// ```
///
/// is the same as `#[require(permission = "posts:write")]` (and `any(...)` as
/// permissions joined with `||`), which is written out under [`require`].
#[doc(inline)]
pub use portcullis_macros::permissions;

/// Derives [`TypedRole`](crate::TypedRole) for a fieldless enum: its variants are the roles.
///
/// Variant names become snake_case role names; `#[role(rename = "name")]` on a variant
/// names it otherwise, and `#[role(crate = path)]` on the enum changes the facade path
/// the generated code names (for a crate that reaches Portcullis under another name).
///
/// ```
/// use portcullis::{auth, require, AuthUser, Role, TypedRole};
///
/// #[derive(Debug, Clone, Copy, PartialEq, Role)]
/// enum Staff { Admin, #[role(rename = "mod")] Moderator }
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64, #[auth_user(roles)] roles: Vec<Staff> }
///
/// #[auth(jwt)]
/// #[require(role = Staff::Admin)]           // type-checked against `Vec<Staff>`
/// async fn admin_only(user: User) -> &'static str { "hi" }
///
/// assert_eq!(Staff::NAMES, ["admin", "mod"]);
/// let moderator = User { id: 1, roles: vec![Staff::Moderator] };
/// assert!(moderator.has_role("mod") && !moderator.has_role("admin"));
/// ```
///
/// works like writing:
///
/// ```
/// # #[derive(Debug, Clone, Copy, PartialEq)]
/// # enum Staff { Admin, Moderator }
/// use portcullis::TypedRole;
/// use portcullis::__private::NameSet;
///
/// impl TypedRole for Staff {
///     const NAMES: &'static [&'static str] = &["admin", "mod"];
///     fn index(self) -> u32 { match self { Staff::Admin => 0, Staff::Moderator => 1 } }
/// }
/// impl NameSet for Staff {
///     type Typed = Staff;
///     const DECLARED: Option<&'static [&'static str]> = Some(<Staff as TypedRole>::NAMES);
///     fn for_each_name(&self, f: &mut dyn FnMut(&str)) { f(TypedRole::name(*self)) }
///     fn mask(&self, _: &[&str]) -> u64 { 1 << TypedRole::index(*self) }
/// }
/// // What lets a `Vec<Staff>` be a roles field.
/// impl portcullis::__private::NameEnum for Staff {}
/// ```
#[doc(inline)]
pub use portcullis_macros::Role;

/// Derives [`TypedPermission`](crate::TypedPermission) for a fieldless enum: its variants are the permissions.
///
/// Like [`Role`] (snake_case names, `#[permission(rename = "..")]` on a variant,
/// `#[permission(crate = path)]` on the enum). A `Vec` of the enum as the
/// `#[auth_user(permissions)]` field gives the permission mask from the variants' bits, and
/// `#[permissions(...)]` / `permission = ...` take the variants, type-checked against that
/// field (a variant of another enum, or for a user whose permissions are strings, does not
/// compile); names still work, looked up among the variants' names.
///
/// ```
/// use portcullis::{auth, permissions, AuthUser, Permission, TypedPermission};
///
/// #[derive(Debug, Clone, Copy, PartialEq, Permission)]
/// enum Perm { PostsRead, #[permission(rename = "posts:write")] PostsWrite }
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64, #[auth_user(permissions)] permissions: Vec<Perm> }
///
/// #[auth(jwt)]
/// #[permissions(Perm::PostsWrite)]              // or `#[require(permission = Perm::PostsWrite)]`
/// async fn create_post(user: User) -> &'static str { "created" }
///
/// assert_eq!(Perm::NAMES, ["posts_read", "posts:write"]);
/// let reader = User { id: 1, permissions: vec![Perm::PostsRead] };
/// assert!(reader.has_permission("posts_read") && !reader.has_permission("posts:write"));
/// ```
#[doc(inline)]
pub use portcullis_macros::Permission;
