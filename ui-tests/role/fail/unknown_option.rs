//! An unknown `#[role(...)]` option is refused on its name; the only one is `rename`.

use portcullis::Role;

#[derive(Clone, Copy, Role)]
enum Role {
    #[role(alias = "root")]
    Admin,
    User,
}

fn main() {}
