//! A role variant where a permission goes (`permission = Staff::Admin`, the user's permissions
//! being a `Vec<Perm>`) is refused on the variant.

use portcullis::{AuthUser, Permission, Role, auth, require};

#[derive(Debug, Clone, Copy, PartialEq, Permission)]
enum Perm {
    PostsWrite,
}

#[derive(Debug, Clone, Copy, PartialEq, Role)]
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

#[auth(jwt)]
#[require(role = Staff::Admin && permission = Staff::Admin)]
async fn write(user: User) -> String {
    format!("{} {:?} {:?} {:?}", user.id, user.roles, user.permissions, Perm::PostsWrite)
}

fn main() {}
