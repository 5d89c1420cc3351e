//! The authorization DSL over HTTP: `#[require(...)]`, `#[permissions(...)]`, `#[derive(Role)]`
//! and `#[derive(Permission)]` on real axum routes, each request sent through `Router::oneshot`.
//!
//! It proves that every atom (`role`, typed `role = Role::X`, `permission` direct / granted /
//! wildcard / typed `Perm::X` of a `#[derive(Permission)]` enum, `scope`, `claim` of string,
//! number and bool, `owner` on `Post`, `Option<Post>` and a nested field, `verified_email`, sync
//! and async `fn` predicates) lets the right users in and keeps the others out; that `||`, `&&`,
//! `!` and parentheses combine with the usual precedence and short-circuit; that the attributes
//! stack in any order; that undeclared name sets are checked at run time; that failures come in
//! the order 401 → 404 → 403; that a 403 names exactly the unmet part, carries
//! `error="insufficient_scope"` only for Bearer users and leaks nothing else; that handler bodies
//! keep their `return` and `?`; and that inactive accounts are refused first.
//!
//! This module holds the members, the app (each sub-module adds the routes of its handlers,
//! declared beside its tests) and the request and assertion helpers.

mod atoms;
mod bodies;
mod combinators;
mod failures;
mod owner;
mod policies;
mod predicates;
mod returned;
mod stacking;
mod typed_permissions;
mod undeclared;

use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::FromRef;
use axum::routing::get;
use axum::{Json, Router};
use http::{Request, StatusCode};
use portcullis::{
    Algorithm, ApiKeyConfig, AuthInfo, AuthUser, InMemoryUserStore, JwtConfig, JwtKey, Portcullis, auth,
    permissions, require,
};
use serde_json::{Value, json};

use crate::support::{self, AUDIENCE, ISSUER, Reply, RequestExt, SECRET, bearer, claims, hs256, req, send};

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

fn who(user: &Member) -> Json<Value> {
    Json(json!({"user": user.id}))
}

// ------------------------------------------------------------------------------------------------
// App

#[derive(Clone, FromRef)]
struct AppState {
    members: Portcullis<Member>,
    typed: Portcullis<atoms::TypedUser>,
    plain: Portcullis<undeclared::PlainUser>,
    perms: Portcullis<typed_permissions::PermUser>,
}

/// HS256 only, issuer and audience set.
fn hs256_jwt() -> JwtConfig {
    JwtConfig::new()
        .key(JwtKey::hmac(SECRET, Algorithm::HS256))
        .issuer(ISSUER)
        .audience(AUDIENCE)
}

fn app() -> Router {
    let members = Portcullis::builder(members())
        .jwt(hs256_jwt())
        .api_key(ApiKeyConfig::new())
        .build()
        .unwrap();
    let typed = Portcullis::builder(atoms::typed_users())
        .jwt(hs256_jwt())
        .build()
        .unwrap();
    let plain = Portcullis::builder(undeclared::plain_users())
        .jwt(hs256_jwt())
        .build()
        .unwrap();
    let perms = Portcullis::builder(typed_permissions::perm_users())
        .jwt(hs256_jwt())
        .build()
        .unwrap();
    Router::new()
        .merge(atoms::routes())
        .merge(owner::routes())
        .merge(predicates::routes())
        .merge(combinators::routes())
        .merge(stacking::routes())
        .merge(undeclared::routes())
        .merge(failures::routes())
        .merge(bodies::routes())
        .merge(typed_permissions::routes())
        .merge(policies::routes())
        .merge(returned::routes())
        .with_state(AppState {
            members,
            typed,
            plain,
            perms,
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
    req(uri).header("x-api-key", key).empty()
}

fn with_basic(uri: &str, username: &str, password: &str) -> Request<Body> {
    req(uri).basic(username, password).empty()
}

fn anonymous(uri: &str) -> Request<Body> {
    req(uri).empty()
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
