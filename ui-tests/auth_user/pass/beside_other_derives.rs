//! `#[derive(AuthUser)]` works beside serde's and sqlx's derives on the same struct, and
//! such a user drives an `#[auth]` handler in a router.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, auth};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, AuthUser)]
#[auth_user(roles("admin", "user"))]
#[serde(rename_all = "camelCase")]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    #[sqlx(rename = "user_name")]
    user_name: String,
    #[auth_user(roles)]
    roles: String,
    #[auth_user(password_hash)]
    #[serde(skip_serializing)]
    password_hash: Option<String>,
    #[auth_user(active)]
    #[sqlx(default)]
    is_active: bool,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt, basic)]
async fn me(user: User) -> axum::Json<User> {
    axum::Json(user)
}

fn app(state: AppState) -> Router {
    Router::new().route("/me", get(me)).with_state(state)
}

fn main() {
    let _ = app;
    let user: User = serde_json::from_str(
        r#"{"id": 1, "userName": "ann", "roles": "admin", "passwordHash": null, "isActive": true}"#,
    )
    .unwrap();
    assert_eq!(user.name(), Some("ann"));
    assert!(user.has_role("admin"));
    assert!(user.is_active());
}
