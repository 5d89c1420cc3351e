//! `#[derive(AuthUser)]` on an enum is refused, pointing at `enum`.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
enum User {
    Admin { id: i64 },
    Guest,
}

fn main() {}
