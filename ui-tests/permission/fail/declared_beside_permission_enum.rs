//! `permissions(...)` beside a permissions field holding a permission enum would number the
//! permissions twice: refused on the declaration.

use portcullis::{AuthUser, Permission};

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
    permissions: Vec<Perm>,
}

fn main() {
    let _ = User { id: 1, permissions: vec![Perm::PostsWrite] }.id;
}
