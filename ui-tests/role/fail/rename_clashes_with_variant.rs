//! A rename equal to another variant's default snake_case name is refused on the variant.

use portcullis::Role;

#[derive(Clone, Copy, Role)]
enum Role {
    Admin,
    #[role(rename = "admin")]
    SuperUser,
}

fn main() {}
