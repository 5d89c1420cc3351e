//! A permission variant with named fields (`PostsWrite { level: u8 }`) is refused on its fields.

use portcullis::Permission;

#[derive(Clone, Copy, Permission)]
enum Perm {
    PostsWrite { level: u8 },
    PostsRead,
}

fn main() {}
