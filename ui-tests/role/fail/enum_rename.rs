//! `rename` on the enum instead of a variant is refused, saying where it goes.

use portcullis::Role;

#[derive(Clone, Copy, Role)]
#[role(rename = "staff")]
enum Role {
    Admin,
    Moderator,
}

fn main() {}
