//! Each scheme is accepted alone and in any combination and order.

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

#[auth(jwt)]
async fn jwt(user: User) -> String {
    user.id.to_string()
}

#[auth(api_key)]
async fn api_key(user: User) -> String {
    user.id.to_string()
}

#[auth(basic)]
async fn basic(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt, api_key)]
async fn jwt_api_key(user: User) -> String {
    user.id.to_string()
}

#[auth(api_key, jwt)]
async fn api_key_jwt(user: User) -> String {
    user.id.to_string()
}

#[auth(basic, jwt)]
async fn basic_jwt(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt, api_key, basic)]
async fn all(user: User) -> String {
    user.id.to_string()
}

#[auth(basic, api_key, jwt)]
async fn all_reversed(user: User) -> String {
    user.id.to_string()
}

#[rustfmt::skip] // keep the trailing comma
#[auth(api_key, basic, jwt,)]
async fn trailing_comma(user: User) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/jwt", get(jwt))
        .route("/api_key", get(api_key))
        .route("/basic", get(basic))
        .route("/jwt_api_key", get(jwt_api_key))
        .route("/api_key_jwt", get(api_key_jwt))
        .route("/basic_jwt", get(basic_jwt))
        .route("/all", get(all))
        .route("/all_reversed", get(all_reversed))
        .route("/trailing_comma", get(trailing_comma))
        .with_state(state)
}

fn main() {
    let _ = app;
}
