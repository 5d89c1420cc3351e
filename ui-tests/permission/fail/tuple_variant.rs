//! A permission variant holding data (`PostsWrite(u8)`) is refused on its fields.

use portcullis::Permission;

#[derive(Clone, Copy, Permission)]
enum Perm {
    PostsWrite(u8),
    PostsRead,
}

fn main() {}
