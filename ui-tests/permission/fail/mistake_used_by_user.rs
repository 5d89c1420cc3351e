//! One mistake in `#[derive(Permission)]` gives one error: the derive still emits the
//! permission impls beside it, so the user type holding the enum and the requirements naming
//! its variants add none.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Permission, Portcullis, auth, permissions, require};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Permission)]
enum Perm {
    PostsRead,
    #[permission(renam = "posts:write")]
    PostsWrite,
}

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(permissions)]
    permissions: Vec<Perm>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
#[permissions(Perm::PostsWrite)]
async fn write(user: User) -> String {
    format!("{} {:?}", user.id, user.permissions)
}

#[auth(jwt)]
#[require(permission = Perm::PostsRead || permission = Perm::PostsWrite)]
async fn read(user: User) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/write", get(write))
        .route("/read", get(read))
        .with_state(state)
}

fn main() {
    let _ = app;
}
