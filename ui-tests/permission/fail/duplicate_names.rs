//! Two variants renamed to the same permission name are refused on the second.

use portcullis::Permission;

#[derive(Clone, Copy, Permission)]
enum Perm {
    #[permission(rename = "posts:write")]
    PostsWrite,
    #[permission(rename = "posts:write")]
    PostsDelete,
}

fn main() {}
