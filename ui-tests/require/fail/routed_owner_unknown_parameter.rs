//! A misspelt `owner(...)` parameter on a routed handler whose resource is a
//! `#[resource]` parameter: one error, on the name. The handler is routed: after the
//! mistake it still is an axum handler (the resource, which `#[auth]` did not get to
//! load, still extracts in the handler emitted beside the error), so this error is the
//! only one (no "`Handler<_, _>` is not implemented" at `.route(...)`).

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, Resource, StoreError, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

struct Post {
    author_id: i64,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

impl Resource<AppState> for Post {
    type Id = i64;
    async fn load(_: i64, _: &AppState) -> Result<Option<Post>, StoreError> {
        Ok(None)
    }
}

#[auth(jwt)]
#[require(owner(pots.author_id))]
async fn edit(user: User, #[resource] post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

fn main() {
    let _: Router = Router::new().route("/posts/{id}", get(edit)).with_state(None::<AppState>.unwrap());
}
