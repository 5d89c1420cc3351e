//! A small axum app using every Portcullis macro through the dependency renamed `gate`,
//! each with `crate = gate`: `#[derive(AuthUser)]`, `#[derive(Role)]`, `#[auth]`, and
//! `#[require]` / `#[permissions]` (compiled by `#[auth]`, so they follow its
//! `crate = gate`), above and below `#[auth]`; a handler whose `Path` and `Json`
//! extractors wait for the checks (`gate::__private::{Deferred, DeferredBody}`).
//!
//! The crate denies every warning and clippy's pedantic lints: the generated code must
//! not trigger any (`cargo clippy -p portcullis-renamed-test`).

#![deny(warnings, clippy::pedantic)]

use axum::Json;
use axum::Router;
use axum::extract::{FromRef, Path};
use axum::routing::{get, put};
use gate::{
    ApiKeyConfig, AuthInfo, AuthUser, InMemoryUserStore, Portcullis, Role, auth, permissions, require,
};

/// Staff roles, typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Role)]
#[role(crate = gate)]
pub enum Staff {
    /// Everything.
    Admin,
    /// Reads and writes posts.
    Editor,
}

/// The application's user.
#[derive(Debug, Clone, AuthUser)]
#[auth_user(crate = gate, permissions("posts:read", "posts:write"))]
pub struct User {
    /// Unique id.
    #[auth_user(id)]
    pub id: i64,
    /// Display name.
    #[auth_user(name)]
    pub name: String,
    /// Roles, typed by [`Staff`].
    #[auth_user(roles)]
    pub roles: Vec<Staff>,
    /// Permissions, among the declared ones.
    #[auth_user(permissions)]
    pub permissions: Vec<String>,
}

/// The router's state.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// The gate.
    pub auth: Portcullis<User>,
}

/// The API key of [`User`] 1 (an admin).
pub const ADMIN_KEY: &str = "renamed_admin_key_0123456789abcdef";
/// The API key of [`User`] 2 (an editor).
pub const EDITOR_KEY: &str = "renamed_editor_key_0123456789abcdef";

#[auth(api_key, jwt, crate = gate)]
async fn me(user: User, info: AuthInfo) -> String {
    format!("{} {} {}", user.id, user.name, info.scheme().as_str())
}

#[auth(api_key, crate = gate)]
#[require(role = Staff::Admin)]
async fn admin(user: User) -> String {
    format!("admin {}", user.name)
}

#[permissions("posts:write")]
#[auth(crate = gate, api_key)]
async fn write(user: User) -> String {
    format!("write {}", user.name)
}

#[require(role = Staff::Editor || role = Staff::Admin)]
#[auth(api_key, crate = gate)]
#[permissions("posts:write")]
async fn edit(user: User) -> String {
    format!("edit {}", user.name)
}

/// Under a requirement, the path and the body are extracted after the check: a user
/// without the role gets 403 whatever they sent.
#[auth(api_key, crate = gate)]
#[require(role = Staff::Admin)]
async fn rename(user: User, Path(id): Path<i64>, Json(name): Json<String>) -> String {
    format!("{} renamed {id} to {name}", user.name)
}

#[auth(api_key, optional, crate = gate)]
async fn maybe(user: Option<User>) -> String {
    user.map_or_else(|| "anonymous".to_owned(), |u| u.name)
}

/// The gate: two users in memory, each with a static API key.
///
/// # Panics
/// The configuration is invalid (it is not).
#[must_use]
pub fn portcullis() -> Portcullis<User> {
    let users = InMemoryUserStore::new();
    users.insert(User {
        id: 1,
        name: "alice".into(),
        roles: vec![Staff::Admin],
        permissions: vec!["posts:read".into()],
    });
    users.insert(User {
        id: 2,
        name: "eve".into(),
        roles: vec![Staff::Editor],
        permissions: vec!["posts:read".into(), "posts:write".into()],
    });
    Portcullis::builder(users)
        .api_key(
            ApiKeyConfig::new()
                .static_key(ADMIN_KEY, 1)
                .static_key(EDITOR_KEY, 2),
        )
        .build()
        .expect("a valid configuration")
}

/// The router.
pub fn app() -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/admin", get(admin))
        .route("/write", get(write))
        .route("/edit", get(edit))
        .route("/maybe", get(maybe))
        .route("/items/{id}", put(rename))
        .with_state(AppState { auth: portcullis() })
}
