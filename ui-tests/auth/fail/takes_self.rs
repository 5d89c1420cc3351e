//! A handler taking `self` (a method) is refused: axum handlers cannot have a receiver.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

struct Api;

impl Api {
    #[auth(jwt)]
    async fn me(&self, user: User) -> String {
        user.id.to_string()
    }
}

fn main() {}
