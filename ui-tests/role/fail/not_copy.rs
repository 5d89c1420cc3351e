//! A role enum must be `Copy` (roles are passed by value): deriving `Role` without `Copy` is
//! refused.

use portcullis::Role;

#[derive(Clone, Role)]
enum Role {
    Admin,
    User,
}

fn main() {}
