//! `permission = Perm::PostsWrite` on a user whose permissions are strings (not a permission
//! enum) is refused on the variant, saying to write the name instead.

use portcullis::{AuthUser, Permission, auth, require};

#[derive(Debug, Clone, Copy, PartialEq, Permission)]
enum Perm {
    PostsWrite,
}

#[derive(Clone, AuthUser)]
#[auth_user(permissions("posts_write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(permissions)]
    permissions: Vec<String>,
}

#[auth(jwt)]
#[require(permission = Perm::PostsWrite)]
async fn write(user: User) -> String {
    format!("{} {:?}", user.id, user.permissions)
}

fn main() {}
