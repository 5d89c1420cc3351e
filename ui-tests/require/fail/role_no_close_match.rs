//! A role far from every declared one is refused on the literal, listing the declared roles
//! without a suggestion.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(jwt)]
#[require(role = "accountant")]
async fn books(user: User) -> String {
    user.id.to_string()
}

fn main() {}
