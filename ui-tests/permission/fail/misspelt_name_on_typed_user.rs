//! A permission name on a user whose permissions field is a permission enum is checked
//! against the enum's names: a misspelt one (`"post_write"`) is refused on the literal.

use portcullis::{AuthUser, Permission, auth, permissions};

#[derive(Debug, Clone, Copy, PartialEq, Permission)]
enum Perm {
    PostsRead,
    PostsWrite,
}

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(permissions)]
    permissions: Vec<Perm>,
}

#[auth(jwt)]
#[permissions("post_write")]
async fn write(user: User) -> String {
    format!("{} {:?}", user.id, user.permissions)
}

fn main() {
    let _ = (Perm::PostsRead, Perm::PostsWrite);
}
