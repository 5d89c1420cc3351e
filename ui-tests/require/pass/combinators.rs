//! `||`, `&&`, `!` and parentheses combine requirements, nested to any depth, with `&&`
//! binding tighter than `||` and `!` applying to the atom or group after it.

#![deny(warnings)]

use axum::Router;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: String,
    #[auth_user(email_verified)]
    verified: bool,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

struct Post {
    author_id: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for Post {
    type Rejection = StatusCode;
    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Err(StatusCode::NOT_FOUND)
    }
}

#[auth(jwt)]
#[require(role = "admin" || role = "moderator")]
async fn any_of_two(user: User) -> String {
    format!("{} {} {}", user.id, user.roles, user.verified)
}

#[auth(jwt)]
#[require(role = "admin" || role = "moderator" || role = "user")]
async fn any_of_three(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(role = "moderator" && permission = "posts:write")]
async fn all_of_two(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(role = "moderator" && permission = "posts:write" && verified_email)]
async fn all_of_three(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(!role = "user")]
async fn not_atom(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(!(role = "user" || role = "moderator"))]
async fn not_group(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(!!verified_email)]
async fn double_not(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(role = "admin" || role = "moderator" && permission = "posts:write")]
async fn precedence(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require((role = "admin" || role = "moderator") && (permission = "posts:write" || owner(post.author_id)))]
async fn groups(user: User, post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

#[auth(jwt)]
#[require(((role = "admin")))]
async fn redundant_parentheses(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(owner(post.author_id) || (role = "moderator" && !(scope = "read-only" || claim(banned = true))))]
async fn deep(user: User, post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

#[auth(jwt)]
#[require(
    role = "admin"
        || (permission = "posts:write"
            && verified_email)
)]
async fn multiline(user: User) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/any_of_two", get(any_of_two))
        .route("/any_of_three", get(any_of_three))
        .route("/all_of_two", get(all_of_two))
        .route("/all_of_three", get(all_of_three))
        .route("/not_atom", get(not_atom))
        .route("/not_group", get(not_group))
        .route("/double_not", get(double_not))
        .route("/precedence", get(precedence))
        .route("/groups", get(groups))
        .route("/redundant_parentheses", get(redundant_parentheses))
        .route("/deep", get(deep))
        .route("/multiline", get(multiline))
        .with_state(state)
}

fn main() {
    let _ = app;
}
