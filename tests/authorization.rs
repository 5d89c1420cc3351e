//! The authorization DSL over HTTP: `#[require(...)]`, `#[permissions(...)]` and `#[derive(Role)]`
//! on real axum routes, each request sent through `Router::oneshot`.
//!
//! It proves that every atom (`role`, typed `role = Role::X`, `permission` direct / granted /
//! wildcard, `scope`, `claim` of string, number and bool, `owner` on `Post`, `Option<Post>` and a
//! nested field, `verified_email`, sync and async `fn` predicates) lets the right users in and
//! keeps the others out; that `||`, `&&`, `!` and parentheses combine with the usual precedence and
//! short-circuit; that the attributes stack in any order; that undeclared name sets are checked at
//! run time; that failures come in the order 401 → 404 → 403; that a 403 names exactly the unmet
//! part, carries `error="insufficient_scope"` only for Bearer users and leaks nothing else; that
//! handler bodies keep their `return` and `?`; and that inactive accounts are refused first.
mod support;

use std::collections::HashMap;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts, Path, Query};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::request::Parts;
use http::{Request, StatusCode};
use portcullis::{
    Algorithm, ApiKeyConfig, AuthInfo, AuthUser, InMemoryUserStore, JwtConfig, JwtKey, Portcullis, Scheme,
    auth, permissions, require,
};
use serde_json::{Value, json};
use support::{AUDIENCE, ISSUER, Reply, SECRET, bearer, claims, hs256, req, send};

// ------------------------------------------------------------------------------------------------
// Users

/// Declared roles and permissions, role grants, a verified-email flag.
#[derive(Debug, Clone, AuthUser)]
#[auth_user(
    roles("admin", "moderator", "user"),
    permissions("posts:read", "posts:write", "posts:delete", "users:read"),
    grants(
        admin("*"),
        moderator("posts:read", "posts:write", "posts:delete", "users:read"),
        user("posts:read", "posts:write")
    )
)]
struct Member {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    username: String,
    #[auth_user(roles)]
    roles: Vec<String>,
    #[auth_user(permissions)]
    permissions: Vec<String>,
    #[auth_user(password_hash)]
    password_hash: Option<String>,
    #[auth_user(active)]
    active: bool,
    #[auth_user(email_verified)]
    email_verified: bool,
}

/// admin, verified, password and API key.
const ADA: i64 = 1;
/// moderator, verified.
const MIA: i64 = 2;
/// user, NOT verified, password and API key.
const ULF: i64 = 3;
/// no role, the direct permission `users:read`, verified.
const REX: i64 = 4;
/// user, verified, INACTIVE.
const INA: i64 = 5;
/// user, verified.
const UMA: i64 = 6;
/// admin, NOT verified.
const ABE: i64 = 7;

const ADA_KEY: &str = "pk_ada_0123456789abcdefghij";
const ULF_KEY: &str = "pk_ulf_0123456789abcdefghij";
const PASSWORD: &str = "a-long-enough-password";
static PASSWORD_HASH: LazyLock<String> = LazyLock::new(|| portcullis::hash_password(PASSWORD).unwrap());

fn member(id: i64, username: &str, roles: &[&str], permissions: &[&str], verified: bool) -> Member {
    Member {
        id,
        username: username.into(),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        password_hash: None,
        active: true,
        email_verified: verified,
    }
}

fn members() -> InMemoryUserStore<Member> {
    let store = InMemoryUserStore::new();
    store.insert(Member {
        password_hash: Some(PASSWORD_HASH.clone()),
        ..member(ADA, "ada", &["admin"], &[], true)
    });
    store.insert(member(MIA, "mia", &["moderator"], &[], true));
    store.insert(Member {
        password_hash: Some(PASSWORD_HASH.clone()),
        ..member(ULF, "ulf", &["user"], &[], false)
    });
    store.insert(member(REX, "rex", &[], &["users:read"], true));
    store.insert(Member {
        active: false,
        ..member(INA, "ina", &["user"], &[], true)
    });
    store.insert(member(UMA, "uma", &["user"], &[], true));
    store.insert(member(ABE, "abe", &["admin"], &[], false));
    store.add_api_key(&ADA, ADA_KEY);
    store.add_api_key(&ULF, ULF_KEY);
    store
}

/// A role enum: typed roles.
#[derive(Debug, Clone, Copy, PartialEq, portcullis::Role)]
enum Role {
    Admin,
    Moderator,
    User,
}

/// Roles as a `Vec<Role>`: the enum declares the set.
#[derive(Debug, Clone, AuthUser)]
struct TypedUser {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Role>,
}

/// No declared sets at all: names are compared at run time.
#[derive(Debug, Clone, AuthUser)]
struct PlainUser {
    #[auth_user(id)]
    id: u32,
    #[auth_user(roles)]
    roles: Vec<String>,
    #[auth_user(permissions)]
    permissions: Vec<String>,
}

fn typed_users() -> InMemoryUserStore<TypedUser> {
    let store = InMemoryUserStore::new();
    for (id, roles) in [
        (1, vec![Role::Admin]),
        (2, vec![Role::Moderator, Role::User]),
        (3, vec![Role::User]),
        (4, vec![]),
    ] {
        store.insert(TypedUser { id, roles });
    }
    store
}

fn plain_users() -> InMemoryUserStore<PlainUser> {
    let store = InMemoryUserStore::new();
    let strings = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
    store.insert(PlainUser {
        id: 1,
        roles: strings(&["editor"]),
        permissions: strings(&["reports:export"]),
    });
    store.insert(PlainUser {
        id: 2,
        roles: strings(&["viewer"]),
        permissions: vec![],
    });
    store.insert(PlainUser {
        id: 3,
        roles: vec![],
        permissions: vec![],
    });
    store
}

// ------------------------------------------------------------------------------------------------
// Resources

#[derive(Debug, Clone)]
struct Post {
    id: i64,
    author_id: i64,
    /// Who may edit it; nobody when `None`.
    editor_id: Option<i64>,
    meta: Meta,
}

#[derive(Debug, Clone)]
struct Meta {
    author_id: i64,
}

/// The "database": post 10 by ulf (edited by mia), post 11 by rex whose `meta.author_id`
/// names ulf (so the nested path and the top-level field disagree), nothing else.
fn find_post(id: i64) -> Option<Post> {
    match id {
        10 => Some(Post {
            id,
            author_id: ULF,
            editor_id: Some(MIA),
            meta: Meta { author_id: ULF },
        }),
        11 => Some(Post {
            id,
            author_id: REX,
            editor_id: None,
            meta: Meta { author_id: ULF },
        }),
        _ => None,
    }
}

async fn load_post<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<Option<Post>, Response> {
    let Path(id) = <Path<i64> as FromRequestParts<S>>::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(find_post(id))
}

/// `Option<Post>`: a missing post is `None` (the requirement check answers 404).
impl<S: Send + Sync> OptionalFromRequestParts<S> for Post {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, Self::Rejection> {
        load_post(parts, state).await
    }
}

/// `Post`: a missing post is the extractor's own 404, with its own body.
impl<S: Send + Sync> FromRequestParts<S> for Post {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        load_post(parts, state)
            .await?
            .ok_or_else(|| (StatusCode::NOT_FOUND, Json(json!({"error": "no_such_post"}))).into_response())
    }
}

// ------------------------------------------------------------------------------------------------
// Predicates

fn sync_predicate(user: &Member, _info: &AuthInfo) -> bool {
    user.username.starts_with('m')
}

mod checks {
    use super::*;

    pub(crate) static ASYNC_CALLS: AtomicUsize = AtomicUsize::new(0);
    pub(crate) static AND_CALLS: AtomicUsize = AtomicUsize::new(0);
    pub(crate) static OR_CALLS: AtomicUsize = AtomicUsize::new(0);

    /// Uses the `AuthInfo`: only token users pass.
    pub(crate) fn came_by_token(_user: &Member, info: &AuthInfo) -> bool {
        info.scheme() == Scheme::Jwt
    }

    /// Really awaits before deciding: verified users whose token says `"beta": "yes"`.
    pub(crate) async fn async_predicate(user: &Member, info: &AuthInfo) -> bool {
        tokio::task::yield_now().await;
        ASYNC_CALLS.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        user.email_verified && info.claims().and_then(|c| c.get("beta")) == Some(&json!("yes"))
    }

    /// Records its calls; always true.
    pub(crate) async fn count_and(_user: &Member, _info: &AuthInfo) -> bool {
        tokio::task::yield_now().await;
        AND_CALLS.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// Records its calls; always false.
    pub(crate) async fn count_or(_user: &Member, _info: &AuthInfo) -> bool {
        tokio::task::yield_now().await;
        OR_CALLS.fetch_add(1, Ordering::SeqCst);
        false
    }
}

// ------------------------------------------------------------------------------------------------
// Handlers

fn who(user: &Member) -> Json<Value> {
    Json(json!({"user": user.id}))
}

fn who_and_post(user: &Member, post: &Post) -> Json<Value> {
    Json(json!({"user": user.id, "post": post.id}))
}

#[auth(jwt, api_key, basic)]
#[require(role = "admin")]
async fn role_admin(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "moderator")]
async fn role_moderator(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(permission = "posts:delete")]
async fn perm_delete(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt, api_key)]
#[require(permission = "users:read")]
async fn perm_users(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt, api_key, basic)]
#[require(scope = "posts:read")]
async fn scoped(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt, api_key)]
#[require(claim(tenant = "acme"))]
async fn claim_tenant(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(claim(level = 3))]
async fn claim_level(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(claim(beta = true))]
async fn claim_beta(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(claim(balance = -5) || claim(ratio = 0.5))]
async fn claim_signed(user: Member) -> Json<Value> {
    who(&user)
}

/// A claim whose name is a Rust keyword, written as a raw identifier.
#[auth(jwt)]
#[require(claim(r#type = "staff"))]
async fn claim_raw(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(owner(post.author_id))]
async fn post_strict(user: Member, post: Post) -> Json<Value> {
    who_and_post(&user, &post)
}

#[auth(jwt, api_key)]
#[require(owner(post.author_id))]
async fn post_optional(user: Member, post: Option<Post>) -> Json<Value> {
    // The check answered 404 for `None`: here the post exists.
    who_and_post(&user, &post.expect("checked before the body"))
}

#[auth(jwt)]
#[require(owner(post.meta.author_id))]
async fn post_meta(user: Member, post: Option<Post>) -> Json<Value> {
    who_and_post(&user, &post.expect("checked before the body"))
}

#[auth(jwt)]
#[require(owner(post.editor_id))]
async fn post_editor(user: Member, post: Post) -> Json<Value> {
    who_and_post(&user, &post)
}

/// The resource comes before the user: authentication still runs first.
#[auth(jwt)]
#[require(owner(post.author_id) || role = "moderator")]
async fn post_moderate(post: Option<Post>, user: Member) -> Json<Value> {
    who_and_post(&user, &post.expect("checked before the body"))
}

#[auth(jwt)]
#[require(verified_email)]
async fn verified(#[user] who_is_it: Member) -> Json<Value> {
    who(&who_is_it)
}

#[auth(jwt)]
#[require(fn = sync_predicate)]
async fn fn_sync(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt, api_key, basic)]
#[require(fn = checks::came_by_token)]
async fn fn_scheme(user: Member, info: AuthInfo) -> Json<Value> {
    Json(json!({"user": user.id, "scheme": info.scheme().as_str()}))
}

#[auth(jwt)]
#[require(fn = checks::async_predicate)]
async fn fn_async(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "admin" || role = "moderator")]
async fn any_of(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "user" && verified_email)]
async fn all_of(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(!role = "user")]
async fn not_user(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(!(role = "admin" || role = "moderator"))]
async fn not_staff(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "admin" || role = "user" && verified_email)]
async fn precedence_default(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require((role = "admin" || role = "user") && verified_email)]
async fn precedence_grouped(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "admin" && fn = checks::count_and)]
async fn short_and(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "admin" || fn = checks::count_or)]
async fn short_or(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[permissions("posts:write", "users:read")]
async fn perms_all(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[permissions(any("posts:delete", "users:read"))]
async fn perms_any(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(verified_email)]
#[permissions("posts:write")]
async fn perms_and_require(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "moderator")]
async fn stack_auth_require(user: Member) -> Json<Value> {
    who(&user)
}

#[require(role = "moderator")]
#[auth(jwt)]
async fn stack_require_auth(user: Member) -> Json<Value> {
    who(&user)
}

#[permissions("posts:delete")]
#[require(role = "moderator")]
#[auth(jwt)]
async fn stack_permissions_require_auth(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[permissions("posts:delete")]
#[require(role = "moderator")]
async fn stack_auth_permissions_require(user: Member) -> Json<Value> {
    who(&user)
}

/// A body with an early `return` and `?`: it runs unchanged once the checks pass.
#[auth(jwt)]
#[require(role = "user" || role = "admin")]
async fn early(
    user: Member,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let bad = |what: &str| (StatusCode::BAD_REQUEST, Json(json!({"bad": what})));
    if query.contains_key("early") {
        return Ok(Json(json!({"user": user.id, "early": true})));
    }
    let n: i64 = query
        .get("n")
        .ok_or_else(|| bad("missing n"))?
        .parse()
        .map_err(|_| bad("n"))?;
    Ok(Json(json!({"user": user.id, "double": n * 2})))
}

/// A body-consuming extractor last, after the requirement-checked user.
#[auth(jwt)]
#[permissions("posts:write")]
async fn create_post(user: Member, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    (
        StatusCode::CREATED,
        Json(json!({"user": user.id, "title": body["title"]})),
    )
}

/// An opaque `impl IntoResponse` return type.
#[auth(jwt)]
#[require(role = "user" || role = "admin")]
async fn opaque(user: Member) -> impl IntoResponse {
    if user.email_verified {
        return (
            StatusCode::CREATED,
            Json(json!({"user": user.id, "verified": true})),
        );
    }
    (
        StatusCode::ACCEPTED,
        Json(json!({"user": user.id, "verified": false})),
    )
}

/// No return type at all, with a bare `return;`.
#[auth(jwt)]
#[require(role = "user" || role = "admin")]
async fn unit(user: Member) {
    if user.email_verified {
        return;
    }
    tokio::task::yield_now().await;
}

/// A plain status return with an early `return`.
#[auth(jwt)]
#[require(role = "user" || role = "admin")]
async fn status_only(user: Member) -> StatusCode {
    if user.email_verified {
        return StatusCode::NO_CONTENT;
    }
    StatusCode::ACCEPTED
}

fn typed_who(user: &TypedUser) -> Json<Value> {
    Json(json!({"user": user.id}))
}

#[auth(jwt)]
#[require(role = Role::Admin)]
async fn typed_admin(user: TypedUser) -> Json<Value> {
    typed_who(&user)
}

#[auth(jwt)]
#[require(role = Role::Admin || role = Role::Moderator)]
async fn typed_staff(user: TypedUser) -> Json<Value> {
    typed_who(&user)
}

#[auth(jwt)]
#[require(role = "moderator")]
async fn typed_by_name(user: TypedUser) -> Json<Value> {
    typed_who(&user)
}

#[auth(jwt)]
#[require(!role = Role::User)]
async fn typed_not_user(user: TypedUser) -> Json<Value> {
    typed_who(&user)
}

fn plain_who(user: &PlainUser) -> Json<Value> {
    Json(json!({"user": user.id}))
}

#[auth(jwt)]
#[require(role = "editor")]
async fn plain_editor(user: PlainUser) -> Json<Value> {
    plain_who(&user)
}

#[auth(jwt)]
#[require(permission = "reports:export")]
async fn plain_export(user: PlainUser) -> Json<Value> {
    plain_who(&user)
}

#[auth(jwt)]
#[require(role = "viewer" || permission = "reports:export")]
async fn plain_either(user: PlainUser) -> Json<Value> {
    plain_who(&user)
}

#[auth(jwt)]
#[permissions("reports:export", "reports:delete")]
async fn plain_all(user: PlainUser) -> Json<Value> {
    plain_who(&user)
}

// ------------------------------------------------------------------------------------------------
// App

#[derive(Clone, FromRef)]
struct AppState {
    members: Portcullis<Member>,
    typed: Portcullis<TypedUser>,
    plain: Portcullis<PlainUser>,
}

fn jwt_config() -> JwtConfig {
    JwtConfig::new()
        .key(JwtKey::hmac(SECRET, Algorithm::HS256))
        .issuer(ISSUER)
        .audience(AUDIENCE)
}

fn app() -> Router {
    let members = Portcullis::builder(members())
        .jwt(jwt_config())
        .api_key(ApiKeyConfig::new())
        .build()
        .unwrap();
    let typed = Portcullis::builder(typed_users())
        .jwt(jwt_config())
        .build()
        .unwrap();
    let plain = Portcullis::builder(plain_users())
        .jwt(jwt_config())
        .build()
        .unwrap();
    Router::new()
        .route("/role/admin", get(role_admin))
        .route("/role/moderator", get(role_moderator))
        .route("/perm/delete", get(perm_delete))
        .route("/perm/users", get(perm_users))
        .route("/scope", get(scoped))
        .route("/claim/tenant", get(claim_tenant))
        .route("/claim/level", get(claim_level))
        .route("/claim/beta", get(claim_beta))
        .route("/claim/signed", get(claim_signed))
        .route("/claim/raw", get(claim_raw))
        .route("/posts/{id}", get(post_optional))
        .route("/posts/{id}/strict", get(post_strict))
        .route("/posts/{id}/meta", get(post_meta))
        .route("/posts/{id}/editor", get(post_editor))
        .route("/posts/{id}/moderate", get(post_moderate))
        .route("/verified", get(verified))
        .route("/fn/sync", get(fn_sync))
        .route("/fn/scheme", get(fn_scheme))
        .route("/fn/async", get(fn_async))
        .route("/any", get(any_of))
        .route("/all", get(all_of))
        .route("/not/user", get(not_user))
        .route("/not/staff", get(not_staff))
        .route("/precedence/default", get(precedence_default))
        .route("/precedence/grouped", get(precedence_grouped))
        .route("/short/and", get(short_and))
        .route("/short/or", get(short_or))
        .route("/perms/all", get(perms_all))
        .route("/perms/any", get(perms_any))
        .route("/perms/and-require", get(perms_and_require))
        .route("/stack/auth-require", get(stack_auth_require))
        .route("/stack/require-auth", get(stack_require_auth))
        .route(
            "/stack/permissions-require-auth",
            get(stack_permissions_require_auth),
        )
        .route(
            "/stack/auth-permissions-require",
            get(stack_auth_permissions_require),
        )
        .route("/early", get(early))
        .route("/status", get(status_only))
        .route("/opaque", get(opaque))
        .route("/posts", axum::routing::post(create_post))
        .route("/unit", get(unit))
        .route("/typed/admin", get(typed_admin))
        .route("/typed/staff", get(typed_staff))
        .route("/typed/by-name", get(typed_by_name))
        .route("/typed/not-user", get(typed_not_user))
        .route("/plain/editor", get(plain_editor))
        .route("/plain/export", get(plain_export))
        .route("/plain/either", get(plain_either))
        .route("/plain/all", get(plain_all))
        .with_state(AppState {
            members,
            typed,
            plain,
        })
}

// ------------------------------------------------------------------------------------------------
// Requests and assertions

/// A valid access token for `sub`.
fn jwt(sub: impl ToString) -> String {
    hs256(&claims(&sub.to_string()))
}

/// A valid access token for `sub` with extra claims.
fn jwt_with(sub: impl ToString, extra: Value) -> String {
    let mut c = claims(&sub.to_string());
    for (name, value) in extra.as_object().expect("an object of claims") {
        c[name] = value.clone();
    }
    hs256(&c)
}

/// A well-formed, correctly signed, expired token.
fn expired(sub: impl ToString) -> String {
    let now = support::now();
    jwt_with(sub, json!({"iat": now - 7200, "exp": now - 3600}))
}

async fn get_as(app: &Router, uri: &str, sub: impl ToString) -> Reply {
    send(app, bearer(uri, &jwt(sub))).await
}

fn with_api_key(uri: &str, key: &str) -> Request<Body> {
    req(uri).header("x-api-key", key).body(Body::empty()).unwrap()
}

fn with_basic(uri: &str, username: &str, password: &str) -> Request<Body> {
    let credentials = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{username}:{password}"),
    );
    req(uri)
        .header("authorization", format!("Basic {credentials}"))
        .body(Body::empty())
        .unwrap()
}

fn anonymous(uri: &str) -> Request<Body> {
    req(uri).body(Body::empty()).unwrap()
}

const INSUFFICIENT_SCOPE: &str = r#"Bearer realm="api", error="insufficient_scope""#;

/// 200 with exactly `body`.
#[track_caller]
fn assert_ok(r: &Reply, body: Value) {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, body);
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
}

/// 200 and the handler answered for `user`.
#[track_caller]
fn assert_let_in(r: &Reply, user: impl Into<Value>) {
    assert_ok(r, json!({"user": user.into()}));
}

/// The 403 body naming `requirement`, and nothing else.
#[track_caller]
fn assert_forbidden_body(r: &Reply, requirement: &str) {
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(
        r.body,
        json!({"error": "forbidden", "message": format!("missing requirement: {requirement}")})
    );
}

/// A 403 for a Bearer (JWT) user: the RFC 6750 `insufficient_scope` challenge.
#[track_caller]
fn assert_denied(r: &Reply, requirement: &str) {
    assert_forbidden_body(r, requirement);
    assert_eq!(r.challenges(), [INSUFFICIENT_SCOPE]);
}

/// A 403 for an API-key or Basic user: no `WWW-Authenticate` at all.
#[track_caller]
fn assert_denied_without_challenge(r: &Reply, requirement: &str) {
    assert_forbidden_body(r, requirement);
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
}

/// 401 without credentials on a JWT-only route.
#[track_caller]
fn assert_unauthenticated(r: &Reply) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    assert_eq!(r.challenges(), [r#"Bearer realm="api""#]);
    assert_eq!(
        r.body,
        json!({"error": "missing_credentials", "message": "authentication required: send credentials for one of: jwt"})
    );
}

/// 404 from the requirement check (an `Option` resource is `None`).
#[track_caller]
fn assert_not_found(r: &Reply) {
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    assert_eq!(r.headers["content-type"], "application/json");
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    assert_eq!(
        r.body,
        json!({"error": "not_found", "message": "the resource does not exist"})
    );
}

// ------------------------------------------------------------------------------------------------
// Atoms

#[tokio::test]
async fn role_string_declared() {
    let app = app();
    assert_let_in(&get_as(&app, "/role/admin", ADA).await, ADA);
    assert_let_in(&get_as(&app, "/role/admin", ABE).await, ABE);
    assert_denied(&get_as(&app, "/role/admin", MIA).await, r#"role = "admin""#);
    assert_denied(&get_as(&app, "/role/admin", REX).await, r#"role = "admin""#);

    assert_let_in(&get_as(&app, "/role/moderator", MIA).await, MIA);
    // Roles are not a hierarchy: an admin is not a moderator unless granted the role.
    assert_denied(
        &get_as(&app, "/role/moderator", ADA).await,
        r#"role = "moderator""#,
    );
    assert_denied(
        &get_as(&app, "/role/moderator", ULF).await,
        r#"role = "moderator""#,
    );
}

#[tokio::test]
async fn role_typed_enum() {
    let app = app();
    assert_let_in(&get_as(&app, "/typed/admin", 1).await, 1);
    assert_denied(&get_as(&app, "/typed/admin", 2).await, "role = Role::Admin");
    assert_denied(&get_as(&app, "/typed/admin", 4).await, "role = Role::Admin");

    assert_let_in(&get_as(&app, "/typed/staff", 1).await, 1);
    assert_let_in(&get_as(&app, "/typed/staff", 2).await, 2);
    assert_denied(
        &get_as(&app, "/typed/staff", 3).await,
        "role = Role::Admin || role = Role::Moderator",
    );

    // A string role on a typed user is checked against the enum's snake_case names.
    assert_let_in(&get_as(&app, "/typed/by-name", 2).await, 2);
    assert_denied(&get_as(&app, "/typed/by-name", 1).await, r#"role = "moderator""#);

    assert_let_in(&get_as(&app, "/typed/not-user", 1).await, 1);
    assert_let_in(&get_as(&app, "/typed/not-user", 4).await, 4);
    assert_denied(&get_as(&app, "/typed/not-user", 2).await, "!role = Role::User");
}

#[tokio::test]
async fn permission_direct_granted_and_wildcard() {
    let app = app();
    // Granted by the moderator role.
    assert_let_in(&get_as(&app, "/perm/delete", MIA).await, MIA);
    // Granted by admin("*").
    assert_let_in(&get_as(&app, "/perm/delete", ADA).await, ADA);
    // The user role grants read and write only.
    assert_denied(
        &get_as(&app, "/perm/delete", ULF).await,
        r#"permission = "posts:delete""#,
    );
    // A direct permission is not a wildcard.
    assert_denied(
        &get_as(&app, "/perm/delete", REX).await,
        r#"permission = "posts:delete""#,
    );

    // Held directly, without any role.
    assert_let_in(&get_as(&app, "/perm/users", REX).await, REX);
    assert_let_in(&get_as(&app, "/perm/users", MIA).await, MIA);
    assert_let_in(&get_as(&app, "/perm/users", ADA).await, ADA);
    assert_denied(
        &get_as(&app, "/perm/users", ULF).await,
        r#"permission = "users:read""#,
    );
    // By API key: same decision, no challenge.
    assert_let_in(&send(&app, with_api_key("/perm/users", ADA_KEY)).await, ADA);
    assert_denied_without_challenge(
        &send(&app, with_api_key("/perm/users", ULF_KEY)).await,
        r#"permission = "users:read""#,
    );
}

#[tokio::test]
async fn scope_from_the_token() {
    let app = app();
    let token = jwt_with(ULF, json!({"scope": "profile posts:read"}));
    assert_let_in(&send(&app, bearer("/scope", &token)).await, ULF);
    let token = jwt_with(ULF, json!({"scp": ["posts:read"]}));
    assert_let_in(&send(&app, bearer("/scope", &token)).await, ULF);

    // Absent, other scopes, or a mere prefix: denied.
    assert_denied(&get_as(&app, "/scope", ADA).await, r#"scope = "posts:read""#);
    let token = jwt_with(ADA, json!({"scope": "posts:write"}));
    assert_denied(
        &send(&app, bearer("/scope", &token)).await,
        r#"scope = "posts:read""#,
    );
    let token = jwt_with(ADA, json!({"scope": "posts:readonly"}));
    assert_denied(
        &send(&app, bearer("/scope", &token)).await,
        r#"scope = "posts:read""#,
    );

    // API keys and Basic carry no token, so no scope: even an admin is refused.
    assert_denied_without_challenge(
        &send(&app, with_api_key("/scope", ADA_KEY)).await,
        r#"scope = "posts:read""#,
    );
    assert_denied_without_challenge(
        &send(&app, with_basic("/scope", "ada", PASSWORD)).await,
        r#"scope = "posts:read""#,
    );
}

#[tokio::test]
async fn claim_string_number_and_bool() {
    let app = app();
    let with = |claims: Value| bearer("/claim/tenant", &jwt_with(ULF, claims));
    assert_let_in(&send(&app, with(json!({"tenant": "acme"}))).await, ULF);
    for other in [
        json!({"tenant": "acme-corp"}),
        json!({"tenant": "ACME"}),
        json!({}),
    ] {
        assert_denied(&send(&app, with(other)).await, r#"claim(tenant = "acme")"#);
    }
    // No token, no claims.
    assert_denied_without_challenge(
        &send(&app, with_api_key("/claim/tenant", ADA_KEY)).await,
        r#"claim(tenant = "acme")"#,
    );

    let with = |claims: Value| bearer("/claim/level", &jwt_with(ULF, claims));
    assert_let_in(&send(&app, with(json!({"level": 3}))).await, ULF);
    for other in [json!({"level": 4}), json!({"level": "3"}), json!({})] {
        assert_denied(&send(&app, with(other)).await, "claim(level = 3)");
    }

    let with = |claims: Value| bearer("/claim/beta", &jwt_with(ULF, claims));
    assert_let_in(&send(&app, with(json!({"beta": true}))).await, ULF);
    for other in [
        json!({"beta": false}),
        json!({"beta": "true"}),
        json!({"beta": 1}),
        json!({}),
    ] {
        assert_denied(&send(&app, with(other)).await, "claim(beta = true)");
    }
}

#[tokio::test]
async fn claim_negative_and_float_literals() {
    let app = app();
    let with = |claims: Value| bearer("/claim/signed", &jwt_with(ULF, claims));
    assert_let_in(&send(&app, with(json!({"balance": -5}))).await, ULF);
    assert_let_in(&send(&app, with(json!({"ratio": 0.5}))).await, ULF);
    for other in [json!({"balance": 5}), json!({"ratio": 0.25}), json!({})] {
        assert_denied(
            &send(&app, with(other)).await,
            "claim(balance = -5) || claim(ratio = 0.5)",
        );
    }
}

/// Bug: the claim name is taken from `Ident::to_string()`, which keeps the `r#` prefix of a raw
/// identifier, so `claim(r#type = "staff")` looks up a claim literally named `r#type` and never
/// matches the `type` claim (and the only way to name a keyword claim is a raw identifier).
#[tokio::test]
async fn claim_named_by_a_raw_identifier() {
    let app = app();
    let r = send(
        &app,
        bearer("/claim/raw", &jwt_with(ULF, json!({"type": "staff"}))),
    )
    .await;
    assert_let_in(&r, ULF);
}

#[tokio::test]
async fn owner_of_a_required_resource() {
    let app = app();
    assert_ok(
        &get_as(&app, "/posts/10/strict", ULF).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_ok(
        &get_as(&app, "/posts/11/strict", REX).await,
        json!({"user": REX, "post": 11}),
    );
    assert_denied(
        &get_as(&app, "/posts/10/strict", REX).await,
        "owner(post.author_id)",
    );
    // Being an admin does not make you the owner.
    assert_denied(
        &get_as(&app, "/posts/10/strict", ADA).await,
        "owner(post.author_id)",
    );
    // A missing non-`Option` resource is the extractor's own rejection...
    let r = get_as(&app, "/posts/99/strict", ULF).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body, json!({"error": "no_such_post"}));
    // ...but only after authentication.
    assert_unauthenticated(&send(&app, anonymous("/posts/99/strict")).await);
}

#[tokio::test]
async fn owner_of_an_optional_resource() {
    let app = app();
    assert_ok(
        &get_as(&app, "/posts/10", ULF).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_denied(&get_as(&app, "/posts/10", MIA).await, "owner(post.author_id)");
    assert_ok(
        &send(&app, with_api_key("/posts/10", ULF_KEY)).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_denied_without_challenge(
        &send(&app, with_api_key("/posts/11", ULF_KEY)).await,
        "owner(post.author_id)",
    );
}

#[tokio::test]
async fn owner_through_a_nested_field_path() {
    let app = app();
    // Post 11: author_id is rex, meta.author_id is ulf; the nested path decides.
    assert_ok(
        &get_as(&app, "/posts/11/meta", ULF).await,
        json!({"user": ULF, "post": 11}),
    );
    assert_denied(
        &get_as(&app, "/posts/11/meta", REX).await,
        "owner(post.meta.author_id)",
    );
    assert_ok(
        &get_as(&app, "/posts/10/meta", ULF).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_not_found(&get_as(&app, "/posts/12/meta", ULF).await);
}

#[tokio::test]
async fn owner_through_an_optional_id_field() {
    let app = app();
    assert_ok(
        &get_as(&app, "/posts/10/editor", MIA).await,
        json!({"user": MIA, "post": 10}),
    );
    assert_denied(
        &get_as(&app, "/posts/10/editor", ULF).await,
        "owner(post.editor_id)",
    );
    // No editor: nobody owns it, not even its author.
    assert_denied(
        &get_as(&app, "/posts/11/editor", REX).await,
        "owner(post.editor_id)",
    );
}

#[tokio::test]
async fn verified_email() {
    let app = app();
    assert_let_in(&get_as(&app, "/verified", ADA).await, ADA);
    assert_let_in(&get_as(&app, "/verified", REX).await, REX);
    assert_denied(&get_as(&app, "/verified", ULF).await, "verified_email");
    assert_denied(&get_as(&app, "/verified", ABE).await, "verified_email");
}

#[tokio::test]
async fn sync_predicates() {
    let app = app();
    assert_let_in(&get_as(&app, "/fn/sync", MIA).await, MIA);
    assert_denied(&get_as(&app, "/fn/sync", ULF).await, "fn = sync_predicate");

    // The predicate sees the `AuthInfo`; the handler still gets its own.
    assert_ok(
        &get_as(&app, "/fn/scheme", ULF).await,
        json!({"user": ULF, "scheme": "jwt"}),
    );
    assert_denied_without_challenge(
        &send(&app, with_api_key("/fn/scheme", ULF_KEY)).await,
        "fn = checks::came_by_token",
    );
    assert_denied_without_challenge(
        &send(&app, with_basic("/fn/scheme", "ulf", PASSWORD)).await,
        "fn = checks::came_by_token",
    );
}

#[tokio::test]
async fn async_predicates() {
    let app = app();
    let before = checks::ASYNC_CALLS.load(Ordering::SeqCst);
    let token = jwt_with(UMA, json!({"beta": "yes"}));
    assert_let_in(&send(&app, bearer("/fn/async", &token)).await, UMA);
    // Unverified: false after the awaits.
    let token = jwt_with(ULF, json!({"beta": "yes"}));
    assert_denied(
        &send(&app, bearer("/fn/async", &token)).await,
        "fn = checks::async_predicate",
    );
    assert_denied(
        &get_as(&app, "/fn/async", UMA).await,
        "fn = checks::async_predicate",
    );
    assert_eq!(checks::ASYNC_CALLS.load(Ordering::SeqCst) - before, 3);
}

// ------------------------------------------------------------------------------------------------
// Combinators

#[tokio::test]
async fn or_lets_either_in_and_names_the_whole_alternative() {
    let app = app();
    assert_let_in(&get_as(&app, "/any", ADA).await, ADA);
    assert_let_in(&get_as(&app, "/any", MIA).await, MIA);
    assert_denied(
        &get_as(&app, "/any", ULF).await,
        r#"role = "admin" || role = "moderator""#,
    );
}

#[tokio::test]
async fn and_needs_both_and_names_the_failing_side() {
    let app = app();
    assert_let_in(&get_as(&app, "/all", UMA).await, UMA);
    // Left side holds, right side fails: the message names the right side only.
    assert_denied(&get_as(&app, "/all", ULF).await, "verified_email");
    // Left side fails: named, whatever the right side.
    assert_denied(&get_as(&app, "/all", ADA).await, r#"role = "user""#);
    assert_denied(&get_as(&app, "/all", ABE).await, r#"role = "user""#);
}

#[tokio::test]
async fn not_inverts_and_names_the_negation() {
    let app = app();
    assert_let_in(&get_as(&app, "/not/user", ADA).await, ADA);
    assert_let_in(&get_as(&app, "/not/user", REX).await, REX);
    assert_denied(&get_as(&app, "/not/user", ULF).await, r#"!role = "user""#);

    assert_let_in(&get_as(&app, "/not/staff", ULF).await, ULF);
    let staff = r#"!(role = "admin" || role = "moderator")"#;
    assert_denied(&get_as(&app, "/not/staff", ADA).await, staff);
    assert_denied(&get_as(&app, "/not/staff", MIA).await, staff);
}

#[tokio::test]
async fn parentheses_change_precedence() {
    let app = app();
    // `a || b && c` is `a || (b && c)`: an unverified admin passes...
    assert_let_in(&get_as(&app, "/precedence/default", ABE).await, ABE);
    // ...`(a || b) && c` wants every caller verified.
    assert_denied(&get_as(&app, "/precedence/grouped", ABE).await, "verified_email");

    // Both agree on a verified user and a verified admin.
    for id in [UMA, ADA] {
        assert_let_in(&get_as(&app, "/precedence/default", id).await, id);
        assert_let_in(&get_as(&app, "/precedence/grouped", id).await, id);
    }
    // An unverified user: the alternative fails as a whole / the verification fails.
    let default = r#"role = "admin" || (role = "user" && verified_email)"#;
    assert_denied(&get_as(&app, "/precedence/default", ULF).await, default);
    assert_denied(&get_as(&app, "/precedence/grouped", ULF).await, "verified_email");
    // A verified moderator: neither role.
    assert_denied(&get_as(&app, "/precedence/default", MIA).await, default);
    assert_denied(
        &get_as(&app, "/precedence/grouped", MIA).await,
        r#"role = "admin" || role = "user""#,
    );
}

#[tokio::test]
async fn and_short_circuits() {
    let app = app();
    let calls = || checks::AND_CALLS.load(Ordering::SeqCst);
    assert_denied(&get_as(&app, "/short/and", ULF).await, r#"role = "admin""#);
    assert_denied(&get_as(&app, "/short/and", MIA).await, r#"role = "admin""#);
    assert_eq!(calls(), 0, "the right side of a failing `&&` must not run");
    assert_let_in(&get_as(&app, "/short/and", ADA).await, ADA);
    assert_eq!(calls(), 1);
}

#[tokio::test]
async fn or_short_circuits() {
    let app = app();
    let calls = || checks::OR_CALLS.load(Ordering::SeqCst);
    assert_let_in(&get_as(&app, "/short/or", ADA).await, ADA);
    assert_let_in(&get_as(&app, "/short/or", ABE).await, ABE);
    assert_eq!(calls(), 0, "the right side of a passing `||` must not run");
    assert_denied(
        &get_as(&app, "/short/or", ULF).await,
        r#"role = "admin" || fn = checks::count_or"#,
    );
    assert_eq!(calls(), 1);
}

// ------------------------------------------------------------------------------------------------
// #[permissions]

#[tokio::test]
async fn permissions_all_listed() {
    let app = app();
    assert_let_in(&get_as(&app, "/perms/all", MIA).await, MIA);
    assert_let_in(&get_as(&app, "/perms/all", ADA).await, ADA);
    assert_denied(
        &get_as(&app, "/perms/all", ULF).await,
        r#"permission = "users:read""#,
    );
    assert_denied(
        &get_as(&app, "/perms/all", REX).await,
        r#"permission = "posts:write""#,
    );
}

#[tokio::test]
async fn permissions_any_of() {
    let app = app();
    assert_let_in(&get_as(&app, "/perms/any", REX).await, REX);
    assert_let_in(&get_as(&app, "/perms/any", MIA).await, MIA);
    assert_let_in(&get_as(&app, "/perms/any", ADA).await, ADA);
    assert_denied(
        &get_as(&app, "/perms/any", ULF).await,
        r#"permission = "posts:delete" || permission = "users:read""#,
    );
}

#[tokio::test]
async fn require_and_permissions_must_both_hold() {
    let app = app();
    assert_let_in(&get_as(&app, "/perms/and-require", UMA).await, UMA);
    // Has posts:write, not verified.
    assert_denied(&get_as(&app, "/perms/and-require", ULF).await, "verified_email");
    // Verified, no posts:write.
    assert_denied(
        &get_as(&app, "/perms/and-require", REX).await,
        r#"permission = "posts:write""#,
    );
}

#[tokio::test]
async fn attribute_order_does_not_matter() {
    let app = app();
    let routes = [
        "/stack/auth-require",
        "/stack/require-auth",
        "/stack/permissions-require-auth",
        "/stack/auth-permissions-require",
    ];
    for route in routes {
        assert_unauthenticated(&send(&app, anonymous(route)).await);
        assert_let_in(&get_as(&app, route, MIA).await, MIA);
        // Holds posts:delete (by "*") but is no moderator: the role is named everywhere.
        assert_denied(&get_as(&app, route, ADA).await, r#"role = "moderator""#);
        let r = send(&app, bearer(route, &expired(MIA))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{route}");
        assert_eq!(r.body["error"], "invalid_token", "{route}");
    }
    // Without either: the first unmet part in the handler's attribute order.
    assert_denied(&get_as(&app, routes[0], ULF).await, r#"role = "moderator""#);
    assert_denied(&get_as(&app, routes[1], ULF).await, r#"role = "moderator""#);
    assert_denied(
        &get_as(&app, routes[2], ULF).await,
        r#"permission = "posts:delete""#,
    );
    assert_denied(
        &get_as(&app, routes[3], ULF).await,
        r#"permission = "posts:delete""#,
    );
}

// ------------------------------------------------------------------------------------------------
// Undeclared sets

#[tokio::test]
async fn undeclared_names_are_checked_at_run_time() {
    let app = app();
    assert_let_in(&get_as(&app, "/plain/editor", 1).await, 1);
    assert_denied(&get_as(&app, "/plain/editor", 2).await, r#"role = "editor""#);

    assert_let_in(&get_as(&app, "/plain/export", 1).await, 1);
    assert_denied(
        &get_as(&app, "/plain/export", 2).await,
        r#"permission = "reports:export""#,
    );

    assert_let_in(&get_as(&app, "/plain/either", 1).await, 1);
    assert_let_in(&get_as(&app, "/plain/either", 2).await, 2);
    assert_denied(
        &get_as(&app, "/plain/either", 3).await,
        r#"role = "viewer" || permission = "reports:export""#,
    );

    // A name nobody holds is simply not held.
    assert_denied(
        &get_as(&app, "/plain/all", 1).await,
        r#"permission = "reports:delete""#,
    );
}

// ------------------------------------------------------------------------------------------------
// Order of failures and their format

#[tokio::test]
async fn unauthenticated_then_not_found_then_forbidden() {
    let app = app();
    // No credentials, missing post: 401 (authentication first), with both challenges.
    let r = send(&app, anonymous("/posts/99")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.challenges(),
        [
            r#"Bearer realm="api""#,
            r#"ApiKey realm="api", header="X-API-Key""#
        ]
    );
    assert_eq!(r.body["error"], "missing_credentials");
    // An expired token, missing post: still 401.
    let r = send(&app, bearer("/posts/99", &expired(ULF))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"], "invalid_token");

    // Valid user, missing post: 404, even for a user the check would refuse anyway.
    assert_not_found(&get_as(&app, "/posts/99", ULF).await);
    assert_not_found(&get_as(&app, "/posts/99", MIA).await);
    assert_not_found(&send(&app, with_api_key("/posts/99", ULF_KEY)).await);
    // Non-owner, existing post: 403.
    assert_denied(&get_as(&app, "/posts/10", REX).await, "owner(post.author_id)");
    // Owner: 200.
    assert_ok(
        &get_as(&app, "/posts/10", ULF).await,
        json!({"user": ULF, "post": 10}),
    );

    // `owner(..) || role = "moderator"`: a moderator on someone else's post.
    assert_ok(
        &get_as(&app, "/posts/10/moderate", MIA).await,
        json!({"user": MIA, "post": 10}),
    );
    assert_ok(
        &get_as(&app, "/posts/10/moderate", ULF).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_denied(
        &get_as(&app, "/posts/10/moderate", REX).await,
        r#"owner(post.author_id) || role = "moderator""#,
    );
    // The moderator still gets 404 for a missing post.
    assert_not_found(&get_as(&app, "/posts/99/moderate", MIA).await);
    assert_unauthenticated(&send(&app, anonymous("/posts/99/moderate")).await);
}

#[tokio::test]
async fn denial_challenge_depends_on_the_scheme() {
    let app = app();
    // JWT: RFC 6750 insufficient_scope, exactly one challenge.
    let r = get_as(&app, "/role/admin", ULF).await;
    assert_denied(&r, r#"role = "admin""#);
    // API key and Basic: same body, no WWW-Authenticate.
    let r = send(&app, with_api_key("/role/admin", ULF_KEY)).await;
    assert_denied_without_challenge(&r, r#"role = "admin""#);
    let r = send(&app, with_basic("/role/admin", "ulf", PASSWORD)).await;
    assert_denied_without_challenge(&r, r#"role = "admin""#);
    // And each scheme lets an admin in.
    assert_let_in(&send(&app, with_api_key("/role/admin", ADA_KEY)).await, ADA);
    assert_let_in(&send(&app, with_basic("/role/admin", "ada", PASSWORD)).await, ADA);
}

#[tokio::test]
async fn denial_body_leaks_nothing_else() {
    let app = app();
    for request in [
        bearer("/role/admin", &jwt(ULF)),
        with_api_key("/role/admin", ULF_KEY),
        with_basic("/role/admin", "ulf", PASSWORD),
    ] {
        let r = send(&app, request).await;
        let object = r.body.as_object().expect("a JSON object");
        assert_eq!(object.len(), 2, "{object:?}");
        let text = r.body.to_string();
        for secret in ["ulf", "\"user\"", "posts:", &ULF.to_string(), ULF_KEY] {
            assert!(!text.contains(secret), "{secret:?} leaked in {text}");
        }
        // Nothing extra in the headers either.
        let names: Vec<&str> = r.headers.keys().map(|k| k.as_str()).collect();
        for name in names {
            assert!(
                matches!(name, "content-type" | "content-length" | "www-authenticate"),
                "unexpected header {name}"
            );
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Handler bodies and inactive accounts

#[tokio::test]
async fn handler_body_keeps_return_and_question_mark() {
    let app = app();
    assert_ok(
        &get_as(&app, "/early?early=1", ULF).await,
        json!({"user": ULF, "early": true}),
    );
    assert_ok(
        &get_as(&app, "/early?n=21", ADA).await,
        json!({"user": ADA, "double": 42}),
    );
    let r = get_as(&app, "/early?n=x", ULF).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"bad": "n"}));
    let r = get_as(&app, "/early", ULF).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"bad": "missing n"}));
    // The checks run before the body.
    assert_denied(
        &get_as(&app, "/early?early=1", MIA).await,
        r#"role = "user" || role = "admin""#,
    );

    let r = get_as(&app, "/status", UMA).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = get_as(&app, "/status", ULF).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_denied(
        &get_as(&app, "/status", REX).await,
        r#"role = "user" || role = "admin""#,
    );

    let create = |id: i64, body: &str| {
        req("/posts")
            .method("POST")
            .header("authorization", format!("Bearer {}", jwt(id)))
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let r = send(&app, create(ULF, r#"{"title": "hello"}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body, json!({"user": ULF, "title": "hello"}));
    assert_denied(
        &send(&app, create(REX, r#"{"title": "hello"}"#)).await,
        r#"permission = "posts:write""#,
    );
    let r = send(&app, create(ULF, "not json")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let r = get_as(&app, "/opaque", UMA).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body, json!({"user": UMA, "verified": true}));
    let r = get_as(&app, "/opaque", ULF).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.body, json!({"user": ULF, "verified": false}));
    assert_denied(
        &get_as(&app, "/opaque", REX).await,
        r#"role = "user" || role = "admin""#,
    );

    for id in [UMA, ULF] {
        let r = get_as(&app, "/unit", id).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, Value::Null);
    }
    assert_denied(
        &get_as(&app, "/unit", REX).await,
        r#"role = "user" || role = "admin""#,
    );
}

#[tokio::test]
async fn inactive_accounts_are_refused_before_any_requirement() {
    let app = app();
    let inactive = json!({"error": "forbidden", "message": "the account is inactive"});
    // A requirement she fails, one she would pass, and a missing resource: always inactive.
    for uri in ["/role/admin", "/all", "/perms/all", "/posts/99", "/posts/10"] {
        let r = get_as(&app, uri, INA).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        assert_eq!(r.body, inactive, "{uri}");
        assert!(r.challenges().is_empty(), "{uri}: {:?}", r.challenges());
    }
    // The same requirement lets an active user with the same roles in.
    assert_let_in(&get_as(&app, "/all", UMA).await, UMA);
}
