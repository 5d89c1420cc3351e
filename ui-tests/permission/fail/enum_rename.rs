//! `rename` on the enum instead of a variant is refused, saying where it goes.

use portcullis::Permission;

#[derive(Clone, Copy, Permission)]
#[permission(rename = "posts:write")]
enum Perm {
    PostsWrite,
    PostsDelete,
}

fn main() {}
