//! `#[role(rename = root)]` (not a string literal) is refused.

use portcullis::Role;

#[derive(Clone, Copy, Role)]
enum Role {
    #[role(rename = root)]
    Admin,
    User,
}

fn main() {}
