//! Users without declared role or permission sets: names are checked at run time.

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/plain/editor", get(plain_editor))
        .route("/plain/export", get(plain_export))
        .route("/plain/either", get(plain_either))
        .route("/plain/all", get(plain_all))
}

/// No declared sets at all: names are compared at run time.
#[derive(Debug, Clone, AuthUser)]
pub(super) struct PlainUser {
    #[auth_user(id)]
    id: u32,
    #[auth_user(roles)]
    roles: Vec<String>,
    #[auth_user(permissions)]
    permissions: Vec<String>,
}

pub(super) fn plain_users() -> InMemoryUserStore<PlainUser> {
    let store = InMemoryUserStore::new();
    let strings = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
    store.insert(PlainUser {
        id: 1,
        roles: strings(&["editor"]),
        permissions: strings(&["reports:export"]),
    });
    store.insert(PlainUser {
        id: 2,
        roles: strings(&["viewer"]),
        permissions: vec![],
    });
    store.insert(PlainUser {
        id: 3,
        roles: vec![],
        permissions: vec![],
    });
    store
}

fn plain_who(user: &PlainUser) -> Json<Value> {
    Json(json!({"user": user.id}))
}

#[auth(jwt)]
#[require(role = "editor")]
async fn plain_editor(user: PlainUser) -> Json<Value> {
    plain_who(&user)
}

#[auth(jwt)]
#[require(permission = "reports:export")]
async fn plain_export(user: PlainUser) -> Json<Value> {
    plain_who(&user)
}

#[auth(jwt)]
#[require(role = "viewer" || permission = "reports:export")]
async fn plain_either(user: PlainUser) -> Json<Value> {
    plain_who(&user)
}

#[auth(jwt)]
#[permissions("reports:export", "reports:delete")]
async fn plain_all(user: PlainUser) -> Json<Value> {
    plain_who(&user)
}

// ------------------------------------------------------------------------------------------------
// Undeclared sets

#[tokio::test]
async fn undeclared_names_are_checked_at_run_time() {
    let app = app();
    assert_let_in(&get_as(&app, "/plain/editor", 1).await, 1);
    assert_denied(&get_as(&app, "/plain/editor", 2).await, r#"role = "editor""#);

    assert_let_in(&get_as(&app, "/plain/export", 1).await, 1);
    assert_denied(
        &get_as(&app, "/plain/export", 2).await,
        r#"permission = "reports:export""#,
    );

    assert_let_in(&get_as(&app, "/plain/either", 1).await, 1);
    assert_let_in(&get_as(&app, "/plain/either", 2).await, 2);
    assert_denied(
        &get_as(&app, "/plain/either", 3).await,
        r#"role = "viewer" || permission = "reports:export""#,
    );

    // A name nobody holds is simply not held.
    assert_denied(
        &get_as(&app, "/plain/all", 1).await,
        r#"permission = "reports:delete""#,
    );
}
