//! An unknown `#[permission(...)]` option is refused on its name; the only one is `rename`.

use portcullis::Permission;

#[derive(Clone, Copy, Permission)]
enum Perm {
    #[permission(alias = "posts:admin")]
    PostsWrite,
    PostsRead,
}

fn main() {}
