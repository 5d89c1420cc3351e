//! One mistake in `#[derive(AuthUser)]` gives one error: the derive still emits an
//! `AuthUser` impl beside it, so the handlers, requirements and router using the type
//! add none.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthInfo, AuthUser, Portcullis, auth, permissions, require};

#[derive(Clone, AuthUser)]
#[auth_user(rolez("admin", "user"), permissions("posts:read"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
#[require(role = "admin")]
#[permissions("posts:read")]
async fn admin(user: User, info: AuthInfo) -> String {
    format!("{} {:?} {:?}", user.id, user.roles, info.scheme())
}

#[auth(jwt, optional)]
async fn maybe(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/admin", get(admin))
        .route("/maybe", get(maybe))
        .with_state(state)
}

fn main() {
    let _ = app;
}
