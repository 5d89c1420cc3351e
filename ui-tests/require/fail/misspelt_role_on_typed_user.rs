//! A string role on a user whose roles field is a role enum is checked against the enum's
//! names: a misspelt one (`"admni"`) is refused on the literal.

use portcullis::{AuthUser, Role, auth, require};

#[derive(Debug, Clone, Copy, PartialEq, Role)]
enum Role {
    Admin,
    User,
}

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Role>,
}

#[auth(jwt)]
#[require(role = "admni")]
async fn admin(user: User) -> String {
    format!("{} {:?}", user.id, user.roles)
}

fn main() {
    let _ = (Role::Admin, Role::User);
}
