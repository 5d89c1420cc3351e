//! `role = Role::Admin` is accepted on users whose roles field is a `#[derive(Role)]` enum
//! (`Vec<Role>` or `Option<Vec<Role>>`), under any path to the variant, combined with other
//! requirements and with string roles checked against the enum's names.

#![deny(warnings)]

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, Role, auth, require};

#[derive(Debug, Clone, Copy, PartialEq, Role)]
enum Role {
    Admin,
    Moderator,
    SupportAgent,
}

mod staff {
    pub(crate) use super::Role as Kind;
}

#[derive(Clone, AuthUser)]
#[auth_user(permissions("posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Role>,
}

#[derive(Clone, AuthUser)]
struct Member {
    #[auth_user(id)]
    id: String,
    #[auth_user(roles)]
    roles: Option<Vec<Role>>,
}

#[derive(Clone, FromRef)]
struct AppState {
    users: Portcullis<User>,
    members: Portcullis<Member>,
}

#[auth(jwt)]
#[require(role = Role::Admin)]
async fn admin(user: User) -> String {
    format!("{} {:?}", user.id, user.roles)
}

#[auth(jwt)]
#[require(role = Role::Admin || role = Role::SupportAgent)]
async fn either(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(role = crate::Role::Moderator && permission = "posts:write")]
async fn crate_path(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(role = staff::Kind::SupportAgent)]
async fn reexported(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(!role = Role::Admin)]
async fn not_admin(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(role = "support_agent")]
async fn by_name(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(role = Role::Moderator)]
async fn member(user: Member) -> String {
    format!("{} {:?}", user.id, user.roles)
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/admin", get(admin))
        .route("/either", get(either))
        .route("/crate_path", get(crate_path))
        .route("/reexported", get(reexported))
        .route("/not_admin", get(not_admin))
        .route("/by_name", get(by_name))
        .route("/member", get(member))
        .with_state(state)
}

fn main() {
    let _ = app;
}
