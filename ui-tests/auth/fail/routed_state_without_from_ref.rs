//! A routed `#[auth]` handler whose router state gives no `Portcullis<User>` (no `FromRef`
//! for it): one error, at the route, naming the missing `FromRef` and how to add it (not
//! axum's "`Handler<_, _>` is not implemented", which never says why).

use axum::Router;
use axum::routing::get;
use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[derive(Clone)]
struct Db;

#[derive(Clone)]
struct AppState {
    db: Db,
}

#[auth(jwt)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    let _ = &state.db;
    Router::new().route("/me", get(me)).with_state(state)
}

fn main() {
    let _ = app;
}
