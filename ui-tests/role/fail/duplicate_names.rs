//! Two variants renamed to the same role name are refused on the second.

use portcullis::Role;

#[derive(Clone, Copy, Role)]
enum Role {
    #[role(rename = "staff")]
    Admin,
    #[role(rename = "staff")]
    Moderator,
}

fn main() {}
