//! A misspelt field key (`rolse`) is refused with a suggestion of the key meant.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(rolse)]
    roles: Vec<String>,
}

fn main() {}
