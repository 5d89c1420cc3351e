//! A requirement nested more than 64 levels deep (here 65 `!`) is refused on the
//! first token past the limit, before it is parsed (deeper nesting overflowed the
//! compiler's stack: found by fuzzing, `fuzz/`).

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
#[require(!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!fresh)]
async fn admin(user: User) -> String {
    user.id.to_string()
}

fn main() {}
