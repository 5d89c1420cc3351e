//! `role = OtherRole::Admin` on a user whose roles field is a `Vec<Role>` is refused on the
//! variant: the typed role must be of the user's role enum.

use portcullis::{AuthUser, Role, auth, require};

#[derive(Debug, Clone, Copy, PartialEq, Role)]
enum Role {
    Admin,
    User,
}

#[derive(Debug, Clone, Copy, PartialEq, Role)]
enum OtherRole {
    Admin,
}

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Role>,
}

#[auth(jwt)]
#[require(role = OtherRole::Admin)]
async fn admin(user: User) -> String {
    format!("{} {:?}", user.id, user.roles)
}

fn main() {
    let _ = (Role::Admin, Role::User, OtherRole::Admin);
}
