//! A handler may be an associated function of an `impl` block, with any visibility.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

struct Api;

impl Api {
    #[auth(jwt)]
    async fn me(user: User) -> String {
        user.id.to_string()
    }

    #[auth(api_key, optional)]
    pub(crate) async fn maybe(user: Option<User>) -> String {
        format!("{:?}", user.map(|u| u.id))
    }
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/me", get(Api::me))
        .route("/maybe", get(Api::maybe))
        .with_state(state)
}

fn main() {
    let _ = app;
}
