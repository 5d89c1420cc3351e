//! A rename equal to another variant's default snake_case name is refused on the variant.

use portcullis::Permission;

#[derive(Clone, Copy, Permission)]
enum Perm {
    PostsWrite,
    #[permission(rename = "posts_write")]
    PostsAdmin,
}

fn main() {}
