//! `#[derive(Permission)]`: a user whose permissions field is a `Vec` of a permission enum, checked
//! by `#[permissions(Perm::X)]`, `#[require(permission = Perm::X)]`, by name against the enum's
//! names, and beside a typed role requirement.

use super::atoms::Role;
use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/typed-perms/write", get(perms_write))
        .route("/typed-perms/all", get(perms_all))
        .route("/typed-perms/any", get(perms_any))
        .route("/typed-perms/by-name", get(perms_by_name))
        .route("/typed-perms/renamed", get(perms_renamed))
        .route("/typed-perms/require", get(perms_require))
        .route("/typed-perms/with-role", get(perms_with_role))
}

/// A permission enum: `posts_read`, `posts_write`, and one renamed to `users:delete`.
#[derive(Debug, Clone, Copy, PartialEq, portcullis::Permission)]
pub(super) enum Perm {
    PostsRead,
    PostsWrite,
    #[permission(rename = "users:delete")]
    UsersDelete,
}

/// Typed roles and typed permissions: the enums declare both sets.
#[derive(Debug, Clone, AuthUser)]
pub(super) struct PermUser {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Role>,
    #[auth_user(permissions)]
    permissions: Vec<Perm>,
}

/// 1: admin, every permission. 2: reader. 3: writer (and reader). 4: nothing.
/// 5: admin with `posts_read` only.
pub(super) fn perm_users() -> InMemoryUserStore<PermUser> {
    let store = InMemoryUserStore::new();
    for (id, roles, permissions) in [
        (
            1,
            vec![Role::Admin],
            vec![Perm::PostsRead, Perm::PostsWrite, Perm::UsersDelete],
        ),
        (2, vec![Role::User], vec![Perm::PostsRead]),
        (3, vec![Role::User], vec![Perm::PostsWrite, Perm::PostsRead]),
        (4, vec![], vec![]),
        (5, vec![Role::Admin], vec![Perm::PostsRead]),
    ] {
        store.insert(PermUser {
            id,
            roles,
            permissions,
        });
    }
    store
}

fn perm_who(user: &PermUser) -> Json<Value> {
    Json(json!({"user": user.id}))
}

#[auth(jwt)]
#[permissions(Perm::PostsWrite)]
async fn perms_write(user: PermUser) -> Json<Value> {
    perm_who(&user)
}

#[auth(jwt)]
#[permissions(Perm::PostsRead, Perm::PostsWrite)]
async fn perms_all(user: PermUser) -> Json<Value> {
    perm_who(&user)
}

#[auth(jwt)]
#[permissions(any(Perm::PostsWrite, Perm::UsersDelete))]
async fn perms_any(user: PermUser) -> Json<Value> {
    perm_who(&user)
}

#[auth(jwt)]
#[permissions("posts_write")]
async fn perms_by_name(user: PermUser) -> Json<Value> {
    perm_who(&user)
}

#[auth(jwt)]
#[permissions("users:delete")]
async fn perms_renamed(user: PermUser) -> Json<Value> {
    perm_who(&user)
}

#[auth(jwt)]
#[require(permission = Perm::PostsRead && !permission = Perm::PostsWrite)]
async fn perms_require(user: PermUser) -> Json<Value> {
    perm_who(&user)
}

#[auth(jwt)]
#[require(role = Role::Admin)]
#[permissions(Perm::PostsWrite)]
async fn perms_with_role(user: PermUser) -> Json<Value> {
    perm_who(&user)
}

#[test]
fn the_enum_declares_the_names_and_the_mask() {
    use portcullis::TypedPermission;
    assert_eq!(Perm::NAMES, ["posts_read", "posts_write", "users:delete"]);
    let writer = PermUser {
        id: 3,
        roles: vec![Role::User],
        permissions: vec![Perm::PostsWrite],
    };
    assert_eq!(writer.permission_mask(), 0b010);
    assert!(writer.has_permission("posts_write") && !writer.has_permission("posts_read"));
    assert_eq!(writer.permission_names(), ["posts_write"]);
}

#[tokio::test]
async fn permissions_typed_enum() {
    let app = app();
    assert_let_in(&get_as(&app, "/typed-perms/write", 1).await, 1);
    assert_let_in(&get_as(&app, "/typed-perms/write", 3).await, 3);
    assert_denied(
        &get_as(&app, "/typed-perms/write", 2).await,
        "permission = Perm::PostsWrite",
    );
    assert_denied(
        &get_as(&app, "/typed-perms/write", 4).await,
        "permission = Perm::PostsWrite",
    );

    assert_let_in(&get_as(&app, "/typed-perms/all", 3).await, 3);
    assert_denied(
        &get_as(&app, "/typed-perms/all", 2).await,
        "permission = Perm::PostsWrite",
    );

    assert_let_in(&get_as(&app, "/typed-perms/any", 1).await, 1);
    assert_let_in(&get_as(&app, "/typed-perms/any", 3).await, 3);
    assert_denied(
        &get_as(&app, "/typed-perms/any", 2).await,
        "permission = Perm::PostsWrite || permission = Perm::UsersDelete",
    );

    assert_let_in(&get_as(&app, "/typed-perms/require", 2).await, 2);
    assert_denied(
        &get_as(&app, "/typed-perms/require", 3).await,
        "!permission = Perm::PostsWrite",
    );
    assert_denied(
        &get_as(&app, "/typed-perms/require", 4).await,
        "permission = Perm::PostsRead",
    );
}

#[tokio::test]
async fn permission_names_on_a_typed_user_are_the_enum_names() {
    let app = app();
    assert_let_in(&get_as(&app, "/typed-perms/by-name", 3).await, 3);
    assert_denied(
        &get_as(&app, "/typed-perms/by-name", 2).await,
        r#"permission = "posts_write""#,
    );
    assert_let_in(&get_as(&app, "/typed-perms/renamed", 1).await, 1);
    assert_denied(
        &get_as(&app, "/typed-perms/renamed", 3).await,
        r#"permission = "users:delete""#,
    );
}

#[tokio::test]
async fn typed_permission_beside_a_typed_role() {
    let app = app();
    assert_let_in(&get_as(&app, "/typed-perms/with-role", 1).await, 1);
    // The role alone is not enough, nor the permission alone.
    assert_denied(
        &get_as(&app, "/typed-perms/with-role", 5).await,
        "permission = Perm::PostsWrite",
    );
    assert_denied(
        &get_as(&app, "/typed-perms/with-role", 3).await,
        "role = Role::Admin",
    );
    assert_unauthenticated(&send(&app, anonymous("/typed-perms/with-role")).await);
}
