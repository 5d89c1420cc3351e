//! Every field attribute and both declarations together, beside fields the derive ignores;
//! the generated impl reports them through the `AuthUser` trait.

use portcullis::AuthUser;
// The tables the derive generates (read by the requirement checks) are in a hidden trait.
use portcullis::__private::DeclaredNames;

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    username: String,
    #[auth_user(roles)]
    role: String,
    #[auth_user(permissions)]
    permissions: Vec<String>,
    #[auth_user(password_hash)]
    password_hash: Option<String>,
    #[auth_user(active)]
    active: bool,
    #[allow(dead_code)]
    email: String,
}

#[derive(Clone, AuthUser)]
struct Minimal {
    #[auth_user(id)]
    id: u32,
}

fn main() {
    let user = User {
        id: 7,
        username: "ann".into(),
        role: "admin".into(),
        permissions: vec!["posts:read".into()],
        password_hash: None,
        active: false,
        email: "ann@example.test".into(),
    };
    assert_eq!(*user.id(), 7);
    assert_eq!(user.name(), Some("ann"));
    assert!(user.has_role("admin"));
    assert!(user.has_permission("posts:read"));
    assert_eq!(user.password_hash(), None);
    assert!(!user.is_active());
    assert_eq!(User::DECLARED_ROLES, Some(&["admin", "user"][..]));
    assert_eq!(
        User::DECLARED_PERMISSIONS,
        Some(&["posts:read", "posts:write"][..])
    );

    let minimal = Minimal { id: 1 };
    assert_eq!(minimal.name(), None);
    assert!(minimal.role_names().is_empty());
    assert!(minimal.is_active());
    assert_eq!(Minimal::DECLARED_ROLES, None);
}
