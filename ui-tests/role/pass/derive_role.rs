//! `#[derive(Role)]` names variants in snake_case, `#[role(rename = "..")]` overrides a name,
//! the variant order is the bit order, and the enum types a user's roles field so that
//! `role = Staff::..` and the renamed string both check it.

#![deny(warnings)]

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::__private::DeclaredNames;
use portcullis::{AuthUser, Portcullis, Role, TypedRole, auth, require};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Role)]
enum Staff {
    Admin,
    SupportAgent,
    #[role(rename = "root")]
    SuperUser,
    /// Variants may carry docs and other attributes.
    #[allow(dead_code)]
    #[role(rename = "read-only")]
    Viewer,
}

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Staff>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
#[require(role = Staff::SuperUser || role = "support_agent")]
async fn root(user: User) -> String {
    format!("{} {:?}", user.id, user.roles)
}

#[auth(jwt)]
#[require(role = "root" && !role = "read-only")]
async fn renamed(user: User) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/root", get(root))
        .route("/renamed", get(renamed))
        .with_state(state)
}

fn main() {
    let _ = app;
    assert_eq!(Staff::NAMES, ["admin", "support_agent", "root", "read-only"]);
    assert_eq!(Staff::SuperUser.name(), "root");
    assert_eq!(Staff::SupportAgent.index(), 1);
    assert_eq!(
        User::DECLARED_ROLES,
        Some(&["admin", "support_agent", "root", "read-only"][..])
    );
    let user = User {
        id: 1,
        roles: vec![Staff::SuperUser, Staff::Admin],
    };
    assert!(user.has_role("root") && user.has_role("admin") && !user.has_role("support_agent"));
    assert_eq!(user.role_mask(), 0b101);
    assert_eq!(user.role_names(), ["root", "admin"]);
}
