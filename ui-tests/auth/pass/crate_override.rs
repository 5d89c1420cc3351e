//! `crate = path` makes the generated code name Portcullis through another path: the
//! crate itself or a re-export of it (derive and attribute alike).

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;

mod reexport {
    pub use portcullis;
}

use reexport::portcullis::{AuthUser, Portcullis, auth};

#[derive(Clone, AuthUser)]
#[auth_user(crate = reexport::portcullis)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt, crate = ::portcullis)]
async fn absolute(user: User) -> String {
    user.id.to_string()
}

#[auth(crate = reexport::portcullis, jwt, api_key)]
async fn reexported(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt, optional, crate = crate::reexport::portcullis)]
async fn reexported_optional(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/absolute", get(absolute))
        .route("/reexported", get(reexported))
        .route("/reexported_optional", get(reexported_optional))
        .with_state(state)
}

fn main() {
    let _ = app;
}
