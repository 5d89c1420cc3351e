//! `roles("...")` declared on a user whose roles field is a `Vec<Role>` (which already
//! declares the roles) fails the build on the declared list.

use portcullis::{AuthUser, Role};

#[derive(Debug, Clone, Copy, PartialEq, Role)]
enum Role {
    Admin,
    User,
}

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Role>,
}

fn main() {
    let _ = (Role::Admin, Role::User);
}
