//! A grant named by a path (`roles::admin("*")`) is refused on the path: grants start with the role's name.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin"), permissions("posts:read"), grants(roles::admin("*")))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

fn main() {}
