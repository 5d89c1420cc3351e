//! `role = Role::Admin` on a user whose roles are strings (not a role enum) is refused on the
//! variant.

use portcullis::{AuthUser, Role, auth, require};

#[derive(Debug, Clone, Copy, PartialEq, Role)]
enum Role {
    Admin,
}

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(jwt)]
#[require(role = Role::Admin)]
async fn admin(user: User) -> String {
    format!("{} {:?}", user.id, user.roles)
}

fn main() {}
