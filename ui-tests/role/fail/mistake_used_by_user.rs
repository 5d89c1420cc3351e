//! One mistake in `#[derive(Role)]` gives one error: the derive still emits the role
//! impls beside it, so the user type holding the enum and the requirements naming its
//! variants add none.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, Role, auth, require};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Role)]
enum Staff {
    Admin,
    #[role(renam = "mod")]
    Moderator,
}

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Staff>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
#[require(role = Staff::Admin || role = Staff::Moderator)]
async fn staff(user: User) -> String {
    format!("{} {:?}", user.id, user.roles)
}

fn app(state: AppState) -> Router {
    Router::new().route("/staff", get(staff)).with_state(state)
}

fn main() {
    let _ = app;
}
