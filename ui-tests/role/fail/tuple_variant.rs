//! A role variant holding data (`Admin(u8)`) is refused on its fields.

use portcullis::Role;

#[derive(Clone, Copy, Role)]
enum Role {
    Admin(u8),
    User,
}

fn main() {}
