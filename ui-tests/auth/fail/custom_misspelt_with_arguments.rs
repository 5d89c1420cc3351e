//! A misspelt `custom(...)` (`custm(Hmac)`) is refused with a suggestion of `custom(...)`.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(custm(Hmac))]
async fn handler(user: User) -> String {
    user.id.to_string()
}

fn main() {}
