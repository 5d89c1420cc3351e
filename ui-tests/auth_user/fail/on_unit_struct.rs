//! `#[derive(AuthUser)]` on a unit struct is refused: a user needs at least an id field.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User;

fn main() {}
