//! `#[derive(Permission)]` names variants in snake_case, `#[permission(rename = "..")]`
//! overrides a name, the variant order is the bit order, and the enum types a user's
//! permissions field so that `#[permissions(Perm::..)]`, `permission = Perm::..` and the names
//! all check it, beside a typed role.

#![deny(warnings)]

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::__private::DeclaredNames;
use portcullis::{AuthUser, Permission, Portcullis, Role, TypedPermission, auth, permissions, require};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Permission)]
enum Perm {
    PostsRead,
    #[permission(rename = "posts:write")]
    PostsWrite,
    /// Variants may carry docs and other attributes.
    #[allow(dead_code)]
    UsersDelete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Role)]
enum Staff {
    Admin,
}

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Staff>,
    #[auth_user(permissions)]
    permissions: Vec<Perm>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
#[permissions(Perm::PostsWrite, Perm::PostsRead)]
async fn write(user: User) -> String {
    format!("{} {:?} {:?}", user.id, user.roles, user.permissions)
}

#[auth(jwt)]
#[permissions(any(Perm::UsersDelete, "posts:write"))]
async fn any(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(role = Staff::Admin && (permission = Perm::UsersDelete || permission = "users_delete"))]
async fn admin(user: User) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/write", get(write))
        .route("/any", get(any))
        .route("/admin", get(admin))
        .with_state(state)
}

fn main() {
    let _ = app;
    assert_eq!(Perm::NAMES, ["posts_read", "posts:write", "users_delete"]);
    assert_eq!(Perm::PostsWrite.name(), "posts:write");
    assert_eq!(Perm::UsersDelete.index(), 2);
    assert_eq!(
        User::DECLARED_PERMISSIONS,
        Some(&["posts_read", "posts:write", "users_delete"][..])
    );
    let user = User {
        id: 1,
        roles: vec![Staff::Admin],
        permissions: vec![Perm::UsersDelete, Perm::PostsRead],
    };
    assert!(user.has_permission("users_delete") && !user.has_permission("posts:write"));
    assert_eq!(user.permission_mask(), 0b101);
    assert_eq!(user.permission_names(), ["users_delete", "posts_read"]);
}
