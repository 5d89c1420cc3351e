//! `#[permission(rename = posts_write)]` (not a string literal) is refused.

use portcullis::Permission;

#[derive(Clone, Copy, Permission)]
enum Perm {
    #[permission(rename = posts_write)]
    PostsWrite,
    PostsRead,
}

fn main() {}
