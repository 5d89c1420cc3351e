#![deny(warnings)]
//! Every form of `#[policy]`: Rust bodies (sync, async, generic over the user), aliases
//! compiled from the requirement language (sync, async, calling other policies, reading the
//! `AuthInfo`, a typed role, a path to a policy in a module, `crate = path`), called from
//! handlers with the user, the `AuthInfo`, an `Option` resource and a `#[resource]`, and the
//! handlers still are axum handlers.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthInfo, AuthUser, Portcullis, Resource, Role, StoreError, auth, policy, require};

#[derive(Debug, Clone, Copy, PartialEq, Role)]
enum Staff {
    Admin,
    Editor,
}

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    team: u32,
    #[auth_user(roles)]
    roles: Vec<Staff>,
}

struct Post {
    author_id: i64,
    team: u32,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

impl Resource<AppState> for Post {
    type Id = i64;
    async fn load(id: i64, _: &AppState) -> Result<Option<Post>, StoreError> {
        Ok((id == 1).then_some(Post { author_id: 1, team: 1 }))
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Post {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_: &mut http::request::Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(Some(Post { author_id: 1, team: 1 }))
    }
}

#[policy]
fn same_team(user: &User, post: &Post) -> bool {
    user.team == post.team
}

#[policy]
async fn not_archived(_user: &User, post: &Post) -> bool {
    post.team != 0
}

/// Generic over the user type: any user with an id of `i64`.
#[policy]
fn is_author<U: AuthUser<Id = i64>>(user: &U, post: &Post) -> bool {
    *user.id() == post.author_id
}

mod rules {
    use super::*;

    /// A public alias in a module, with a typed role.
    #[policy(role = Staff::Editor && super::same_team(user, post))]
    pub fn team_editor(user: &User, post: &Post);
}

#[policy(rules::team_editor(user, post) || owner(post.author_id), crate = ::portcullis)]
fn can_edit(user: &User, post: &Post);

#[policy(can_edit(user, post) && not_archived(user, post))]
async fn can_edit_now(user: &User, post: &Post);

#[policy(scope = "posts:edit" && claim(tenant = "acme") && !fresh || role = Staff::Admin)]
pub(crate) fn by_token(user: &User, info: &AuthInfo);

#[auth(jwt)]
#[require(can_edit(user, post) || by_token(user, info))]
async fn edit(user: User, post: Option<Post>, info: AuthInfo) -> String {
    format!("{} {} {}", user.id, post.is_some(), info.scheme())
}

#[auth(jwt, api_key)]
#[require(can_edit_now(user, post) && is_author(user, post))]
async fn edit_loaded(user: User, #[resource] post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/posts/{id}", get(edit))
        .route("/posts/{id}/loaded", get(edit_loaded))
        .with_state(state)
}

fn main() {
    let _ = app;
}
