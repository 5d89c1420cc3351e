//! `fn = path` accepts sync predicates `fn(&User, &AuthInfo) -> bool` and async ones (an
//! `async fn`, or a fn returning a `Send` future of `bool`), by a plain name, a module path,
//! a `crate::`/`self::` path and a generic fn with a turbofish, combined with each other and
//! with other atoms.

#![deny(warnings)]

use std::future::Future;
use std::pin::Pin;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthInfo, AuthUser, Portcullis, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"))]
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

mod checks {
    use portcullis::AuthInfo;

    use super::User;

    pub fn is_staff(user: &User, _info: &AuthInfo) -> bool {
        user.id < 100
    }

    pub async fn is_member(user: &User, info: &AuthInfo) -> bool {
        user.id > 0 && info.claims().is_some()
    }

    pub mod nested {
        pub fn deep(user: &super::User, _info: &portcullis::AuthInfo) -> bool {
            !user.roles.is_empty()
        }
    }
}

fn local(user: &User, _info: &AuthInfo) -> bool {
    user.id % 2 == 0
}

async fn local_async(user: &User, _info: &AuthInfo) -> bool {
    user.id % 3 == 0
}

fn any_user<U>(_user: &U, _info: &AuthInfo) -> bool {
    true
}

fn boxed<'a>(user: &'a User, _info: &'a AuthInfo) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
    Box::pin(async move { user.id != 7 })
}

#[auth(jwt)]
#[require(fn = checks::is_staff)]
async fn sync_module(user: User) -> String {
    format!("{} {:?}", user.id, user.roles)
}

#[auth(jwt)]
#[require(fn = checks::is_member)]
async fn async_module(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(fn = crate::checks::nested::deep)]
async fn crate_path(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(fn = self::local)]
async fn self_path(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(fn = local && fn = local_async)]
async fn sync_and_async(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(!fn = local_async || (fn = checks::is_staff && role = "admin"))]
async fn mixed(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(fn = boxed)]
async fn boxed_future(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(fn = any_user::<User>)]
async fn turbofish(user: User) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/sync_module", get(sync_module))
        .route("/async_module", get(async_module))
        .route("/crate_path", get(crate_path))
        .route("/self_path", get(self_path))
        .route("/sync_and_async", get(sync_and_async))
        .route("/mixed", get(mixed))
        .route("/boxed_future", get(boxed_future))
        .route("/turbofish", get(turbofish))
        .with_state(state)
}

fn main() {
    let _ = app;
}
