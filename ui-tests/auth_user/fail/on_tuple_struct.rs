//! `#[derive(AuthUser)]` on a tuple struct is refused: fields must be named to be marked.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User(i64, String);

fn main() {}
