//! A permission enum must be `Copy` (permissions are passed by value): deriving `Permission` without `Copy` is
//! refused.

use portcullis::Permission;

#[derive(Clone, Permission)]
enum Perm {
    PostsWrite,
    PostsRead,
}

fn main() {}
