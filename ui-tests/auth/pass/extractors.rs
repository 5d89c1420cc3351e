//! Other axum extractors stay in place around the user parameter; a body extractor
//! (`Json`) stays last.

use axum::extract::{FromRef, Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use portcullis::{AuthUser, Portcullis, auth};
use serde::Deserialize;

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
    name: String,
}

#[derive(Deserialize)]
struct Page {
    page: Option<u32>,
}

#[derive(Deserialize)]
struct NewPost {
    title: String,
}

#[auth(jwt)]
async fn path_before(Path(id): Path<i64>, user: User) -> String {
    format!("{id} {}", user.id)
}

#[auth(jwt)]
async fn query_after(user: User, Query(page): Query<Page>) -> String {
    format!("{} {:?}", user.id, page.page)
}

#[auth(jwt, api_key)]
async fn json_last(Path(id): Path<i64>, user: User, Json(post): Json<NewPost>) -> String {
    format!("{id} {} {}", user.id, post.title)
}

#[auth(jwt)]
async fn state_and_body(State(name): State<String>, user: User, body: String) -> String {
    format!("{name} {} {body}", user.id)
}

#[auth(jwt, optional)]
async fn optional_with_body(user: Option<User>, Json(post): Json<NewPost>) -> String {
    format!("{:?} {}", user.map(|u| u.id), post.title)
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/path/{id}", get(path_before))
        .route("/query", get(query_after))
        .route("/json/{id}", post(json_last))
        .route("/state", post(state_and_body))
        .route("/optional", post(optional_with_body))
        .with_state(state)
}

fn main() {
    let _ = app;
}
