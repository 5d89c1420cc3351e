//! A role variant with named fields (`Admin { level: u8 }`) is refused on its fields.

use portcullis::Role;

#[derive(Clone, Copy, Role)]
enum Role {
    Admin { level: u8 },
    User,
}

fn main() {}
