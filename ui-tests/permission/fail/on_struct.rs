//! `#[derive(Permission)]` on a struct is refused on `struct`: permissions are a fieldless enum.

use portcullis::Permission;

#[derive(Clone, Copy, Permission)]
struct PostsWrite {
    level: u8,
}

fn main() {}
