//! `grants(...)` maps declared roles to declared permissions: `"*"` grants every declared
//! permission, a list grants those, and granted permissions add to those held directly.

#![deny(warnings)]

use portcullis::AuthUser;
// The tables the derive generates (read by the requirement checks) are in a hidden trait.
use portcullis::__private::DeclaredNames;

#[derive(Clone, AuthUser)]
#[auth_user(
    roles("admin", "moderator", "user"),
    permissions("posts:read", "posts:write", "posts:delete", "users:read"),
    grants(admin("*"), moderator("posts:read", "posts:delete"))
)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
    #[auth_user(permissions)]
    permissions: Vec<String>,
}

fn user(roles: &[&str], permissions: &[&str]) -> User {
    User {
        id: 1,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
    }
}

fn main() {
    let admin = user(&["admin"], &[]);
    assert_eq!(admin.permission_mask(), 0b1111);
    for p in ["posts:read", "posts:write", "posts:delete", "users:read"] {
        assert!(admin.has_permission(p), "{p}");
    }

    let moderator = user(&["moderator"], &["users:read"]);
    assert_eq!(moderator.permission_mask(), 0b1101);
    assert!(!moderator.has_permission("posts:write"));

    let plain = user(&["user"], &[]);
    assert_eq!(plain.permission_mask(), 0);
    assert!(!plain.has_permission("posts:read"));
    assert_eq!(User::GRANTS.len(), 2);
    let _ = admin.id;
}
