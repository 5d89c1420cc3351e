//! `#[permissions(Role::Admin)]` on a user whose permissions field is a `Vec<Perm>`: a variant
//! of another enum is refused on the variant, naming the user's permission enum.

use portcullis::{AuthUser, Permission, Role, auth, permissions};

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
    #[auth_user(permissions)]
    permissions: Vec<Perm>,
}

#[auth(jwt)]
#[permissions(Staff::Admin)]
async fn write(user: User) -> String {
    format!("{} {:?} {:?}", user.id, user.permissions, Perm::PostsWrite)
}

fn main() {}
