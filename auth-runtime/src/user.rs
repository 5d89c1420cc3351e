//! The [`AuthUser`] trait and the field adapters `#[derive(AuthUser)]` relies on.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Display;
use std::hash::Hash;
use std::str::FromStr;

/// A user (principal) that Portcullis can authenticate.
///
/// Derive it with `#[derive(AuthUser)]` on any struct with named fields; the derive
/// works beside `sqlx::FromRow`, serde and ORM derives because it only reads fields.
///
/// ```
/// use portcullis::AuthUser;
///
/// #[derive(Clone, AuthUser)]
/// #[auth_user(roles("admin", "user"))]
/// struct User {
///     #[auth_user(id)]
///     id: i64,
///     #[auth_user(name)]
///     username: String,
///     #[auth_user(roles)]
///     roles: Vec<String>,
/// }
///
/// let u = User { id: 7, username: "ann".into(), roles: vec!["admin".into()] };
/// assert_eq!(*u.id(), 7);
/// assert_eq!(u.name(), Some("ann"));
/// assert!(u.has_role("admin"));
/// assert_eq!(User::DECLARED_ROLES, Some(&["admin", "user"][..]));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Portcullis user",
    label = "this type does not implement `AuthUser`",
    note = "add `#[derive(portcullis::AuthUser)]` to `{Self}` and mark its id field with `#[auth_user(id)]`"
)]
pub trait AuthUser: Clone + Send + Sync + 'static {
    /// The type of the user's unique id; a token's `sub` is parsed into it.
    type Id: Clone + Eq + Hash + Display + FromStr + Send + Sync + 'static;

    /// Roles the application declared with `#[auth_user(roles(...))]`, if it did.
    const DECLARED_ROLES: Option<&'static [&'static str]> = None;
    /// Permissions declared with `#[auth_user(permissions(...))]`, if any.
    const DECLARED_PERMISSIONS: Option<&'static [&'static str]> = None;

    /// The user's id.
    fn id(&self) -> &Self::Id;

    /// A display name (`#[auth_user(name)]`), if the type has one.
    fn name(&self) -> Option<&str> {
        None
    }

    /// Calls `f` with each of the user's roles.
    fn for_each_role(&self, f: &mut dyn FnMut(&str)) {
        let _ = f;
    }

    /// Calls `f` with each permission held directly by the user.
    fn for_each_permission(&self, f: &mut dyn FnMut(&str)) {
        let _ = f;
    }

    /// The stored argon2id hash (PHC string), if the user can log in with a password.
    fn password_hash(&self) -> Option<&str> {
        None
    }

    /// Whether the account may authenticate at all; inactive users get 403.
    fn is_active(&self) -> bool {
        true
    }

    /// Whether the user holds `role`.
    fn has_role(&self, role: &str) -> bool {
        let mut found = false;
        self.for_each_role(&mut |r| found |= r == role);
        found
    }

    /// Whether the user holds `permission` directly.
    fn has_permission(&self, permission: &str) -> bool {
        let mut found = false;
        self.for_each_permission(&mut |p| found |= p == permission);
        found
    }

    /// The user's roles as owned strings (for responses and logs).
    fn role_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_role(&mut |r| out.push(r.to_owned()));
        out
    }
}

/// A field type that holds role or permission names.
///
/// Implemented for `String` and `&str` (one name, or several separated by commas, as
/// a text column often stores them), `Option` of those, `Vec<String>`,
/// `HashSet<String>` and `BTreeSet<String>`.
///
/// ```
/// use portcullis::NameSet;
/// let mut seen = Vec::new();
/// "admin, user".for_each_name(&mut |n| seen.push(n.to_owned()));
/// assert_eq!(seen, ["admin", "user"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold role or permission names",
    label = "unsupported type for an `#[auth_user(roles)]` / `#[auth_user(permissions)]` field",
    note = "use `String` (comma-separated), `Vec<String>`, `HashSet<String>`, `BTreeSet<String>` or `Option<String>`, or implement `portcullis::NameSet` for your type"
)]
pub trait NameSet {
    /// Calls `f` once per name.
    fn for_each_name(&self, f: &mut dyn FnMut(&str));
}

fn split_names(s: &str, f: &mut dyn FnMut(&str)) {
    s.split(',').map(str::trim).filter(|n| !n.is_empty()).for_each(f);
}

impl NameSet for String {
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        split_names(self, f);
    }
}

impl NameSet for &str {
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        split_names(self, f);
    }
}

impl<T: NameSet> NameSet for Option<T> {
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        if let Some(inner) = self {
            inner.for_each_name(f);
        }
    }
}

impl NameSet for Vec<String> {
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        self.iter().map(String::as_str).for_each(f);
    }
}

impl<S: std::hash::BuildHasher> NameSet for HashSet<String, S> {
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        self.iter().map(String::as_str).for_each(f);
    }
}

impl NameSet for BTreeSet<String> {
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        self.iter().map(String::as_str).for_each(f);
    }
}

/// A field type that may hold a piece of text: used for `#[auth_user(name)]` and
/// `#[auth_user(password_hash)]` fields (`String`, `Option<String>`, `Box<str>`...).
///
/// ```
/// use portcullis::OptionalText;
/// assert_eq!(Some("x".to_string()).text(), Some("x"));
/// assert_eq!(None::<String>.text(), None);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read as text",
    label = "`#[auth_user(name)]` and `#[auth_user(password_hash)]` fields must hold text",
    note = "use `String` or `Option<String>`"
)]
pub trait OptionalText {
    /// The text, if there is some.
    fn text(&self) -> Option<&str>;
}

impl OptionalText for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl OptionalText for Box<str> {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl OptionalText for std::sync::Arc<str> {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl OptionalText for &str {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: OptionalText> OptionalText for Option<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(OptionalText::text)
    }
}
