//! Roles and permissions may be `String`, `Vec<String>`, `HashSet<String>`,
//! `BTreeSet<String>` or `Option<String>`; names and password hashes `String`,
//! `Option<String>`, `Box<str>` or `Arc<str>`.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct CommaSeparated {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: String,
    #[auth_user(permissions)]
    permissions: Option<String>,
    #[auth_user(name)]
    name: Option<String>,
}

#[derive(Clone, AuthUser)]
struct Listed {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
    #[auth_user(permissions)]
    permissions: HashSet<String>,
    #[auth_user(password_hash)]
    password_hash: Box<str>,
}

#[derive(Clone, AuthUser)]
struct Sorted {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: BTreeSet<String>,
    #[auth_user(permissions)]
    permissions: Vec<String>,
    #[auth_user(name)]
    name: Arc<str>,
}

#[derive(Clone, AuthUser)]
struct Nullable {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Option<String>,
}

fn main() {
    let a = CommaSeparated {
        id: 1,
        roles: "admin, user".into(),
        permissions: None,
        name: Some("ann".into()),
    };
    assert_eq!(a.role_names(), ["admin", "user"]);
    assert!(!a.has_permission("x"));
    assert_eq!(a.name(), Some("ann"));

    let b = Listed {
        id: 2,
        roles: vec!["user".into()],
        permissions: HashSet::from(["posts:read".to_owned()]),
        password_hash: "$argon2id$...".into(),
    };
    assert!(b.has_role("user"));
    assert!(b.has_permission("posts:read"));
    assert_eq!(b.password_hash(), Some("$argon2id$..."));

    let c = Sorted {
        id: 3,
        roles: BTreeSet::from(["b".to_owned(), "a".to_owned()]),
        permissions: Vec::new(),
        name: Arc::from("cy"),
    };
    assert_eq!(c.role_names(), ["a", "b"]);
    assert_eq!(c.name(), Some("cy"));

    let d = Nullable { id: 4, roles: None };
    assert!(d.role_names().is_empty());
}
