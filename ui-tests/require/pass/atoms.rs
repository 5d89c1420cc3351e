//! Every atom of `#[require(...)]` is accepted on its own: a declared role and permission,
//! a scope, claims of each literal kind (and a keyword claim name written `r#type`),
//! `owner(...)` through a field, a nested field, a tuple field and an `Option` field,
//! `verified_email` and a `fn =` predicate; the handlers still implement axum's `Handler`.

#![deny(warnings)]

use std::convert::Infallible;

use axum::Router;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::get;
use portcullis::{AuthInfo, AuthUser, Portcullis, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(
    roles("admin", "moderator", "user"),
    permissions("posts:read", "posts:write"),
    grants(admin("*"), moderator("posts:write"))
)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
    #[auth_user(permissions)]
    permissions: Vec<String>,
    #[auth_user(email_verified)]
    verified: bool,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

struct Meta {
    author_id: i64,
}

struct Post {
    author_id: i64,
    reviewer_id: Option<i64>,
    meta: Meta,
}

struct Pair(i64, i64);

impl<S: Send + Sync> FromRequestParts<S> for Post {
    type Rejection = StatusCode;
    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Err(StatusCode::NOT_FOUND)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Pair {
    type Rejection = Infallible;
    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Pair(1, 2))
    }
}

mod checks {
    use portcullis::AuthInfo;

    pub fn is_staff(user: &super::User, _info: &AuthInfo) -> bool {
        user.id < 100
    }
}

#[auth(jwt)]
#[require(role = "admin")]
async fn role(user: User) -> String {
    format!(
        "{} {:?} {:?} {}",
        user.id, user.roles, user.permissions, user.verified
    )
}

#[auth(jwt)]
#[require(permission = "posts:write")]
async fn permission(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt, api_key)]
#[require(scope = "read:posts")]
async fn scope(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(claim(tenant = "acme"))]
async fn claim_string(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(claim(level = 3))]
async fn claim_integer(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(claim(r#type = "staff"))]
async fn claim_keyword(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(claim(offset = -1))]
async fn claim_negative(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(claim(ratio = 0.5))]
async fn claim_float(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(claim(staff = true))]
async fn claim_bool(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(owner(post.author_id))]
async fn owner(user: User, post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

#[auth(jwt)]
#[require(owner(post.meta.author_id))]
async fn owner_nested(user: User, post: Post) -> String {
    format!("{} {}", user.id, post.meta.author_id)
}

#[auth(jwt)]
#[require(owner(post.reviewer_id))]
async fn owner_optional_field(user: User, post: Post) -> String {
    format!("{} {:?}", user.id, post.reviewer_id)
}

#[auth(jwt)]
#[require(owner(pair.1))]
async fn owner_tuple_field(user: User, pair: Pair) -> String {
    format!("{} {}", user.id, pair.0)
}

#[auth(jwt)]
#[require(verified_email)]
async fn verified(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(fn = checks::is_staff)]
async fn predicate(user: User, info: AuthInfo) -> String {
    format!("{} {}", user.id, info.scheme())
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/role", get(role))
        .route("/permission", get(permission))
        .route("/scope", get(scope))
        .route("/claim_string", get(claim_string))
        .route("/claim_integer", get(claim_integer))
        .route("/claim_keyword", get(claim_keyword))
        .route("/claim_negative", get(claim_negative))
        .route("/claim_float", get(claim_float))
        .route("/claim_bool", get(claim_bool))
        .route("/owner", get(owner))
        .route("/owner_nested", get(owner_nested))
        .route("/owner_optional_field", get(owner_optional_field))
        .route("/owner_tuple_field", get(owner_tuple_field))
        .route("/verified", get(verified))
        .route("/predicate", get(predicate))
        .with_state(state)
}

fn main() {
    let _ = app;
}
