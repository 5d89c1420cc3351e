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
/// ```
///
/// The trait holds the user's facts only. The tables the derive generates from
/// `roles(...)`, `permissions(...)` and `grants(...)` live in the hidden supertrait
/// [`DeclaredNames`]; a hand-written implementation declares nothing with
/// `impl portcullis::DeclaredNames for MyUser {}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Portcullis user",
    label = "this type does not implement `AuthUser`",
    note = "add `#[derive(portcullis::AuthUser)]` to `{Self}` and mark its id field with `#[auth_user(id)]`"
)]
pub trait AuthUser: DeclaredNames + Clone + Send + Sync + 'static {
    /// The type of the user's unique id; a token's `sub` is parsed into it, JSON
    /// answers (`{"id": ...}`) serialize it.
    type Id: Clone + Eq + Hash + Display + FromStr + serde::Serialize + Send + Sync + 'static;

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

    /// Whether the user's e-mail address is verified (`#[auth_user(email_verified)]`).
    fn email_verified(&self) -> bool {
        false
    }

    /// The user's declared roles as bits: bit `i` is `DECLARED_ROLES[i]`.
    /// Undeclared names are ignored; without a declared set this is 0.
    fn role_mask(&self) -> u64 {
        let Some(declared) = Self::DECLARED_ROLES else {
            return 0;
        };
        let mut mask = 0;
        self.for_each_role(&mut |r| mask |= name_bit(declared, r));
        mask
    }

    /// The user's declared permissions as bits: those held directly plus those
    /// granted by their roles.
    fn permission_mask(&self) -> u64 {
        let Some(declared) = Self::DECLARED_PERMISSIONS else {
            return 0;
        };
        let mut mask = 0;
        self.for_each_permission(&mut |p| mask |= name_bit(declared, p));
        mask | granted(Self::GRANTS, self.role_mask())
    }

    /// Whether the user holds `role`.
    fn has_role(&self, role: &str) -> bool {
        if let Some(bit) = Self::DECLARED_ROLES
            .map(|d| name_bit(d, role))
            .filter(|b| *b != 0)
        {
            return self.role_mask() & bit != 0;
        }
        let mut found = false;
        self.for_each_role(&mut |r| found |= r == role);
        found
    }

    /// Whether the user holds `permission`, directly or through a role.
    fn has_permission(&self, permission: &str) -> bool {
        if let Some(bit) = Self::DECLARED_PERMISSIONS
            .map(|d| name_bit(d, permission))
            .filter(|b| *b != 0)
        {
            return self.permission_mask() & bit != 0;
        }
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

    /// The user's permissions, direct and granted, as owned strings.
    fn permission_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_permission(&mut |p| out.push(p.to_owned()));
        if let Some(declared) = Self::DECLARED_PERMISSIONS {
            let mask = self.permission_mask();
            for (i, name) in declared.iter().enumerate() {
                if mask & (1 << i) != 0 && !out.iter().any(|p| p == name) {
                    out.push((*name).to_owned());
                }
            }
        }
        out
    }
}

/// What `#[derive(AuthUser)]` generates from the struct attribute: the closed sets of
/// role and permission names, the grants, the compile-time hints for misspelt names
/// and whether `#[require(verified_email)]` can hold. The requirement checks and the
/// masks of [`AuthUser`] read them. Every item has a default (nothing declared), so a
/// hand-written user writes `impl DeclaredNames for MyUser {}`. Not public API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Portcullis user",
    label = "`AuthUser` needs `DeclaredNames`",
    note = "derive the trait with `#[derive(portcullis::AuthUser)]`, or, implementing `AuthUser` by hand, add `impl portcullis::DeclaredNames for {Self} {{}}`"
)]
pub trait DeclaredNames {
    /// Roles the application declared with `#[auth_user(roles(...))]`, if it did
    /// (or the names of the role enum of the roles field).
    const DECLARED_ROLES: Option<&'static [&'static str]> = None;
    /// Permissions declared with `#[auth_user(permissions(...))]`, if any.
    const DECLARED_PERMISSIONS: Option<&'static [&'static str]> = None;
    /// Permissions granted by roles, as `(role bits, permission bits)` pairs over the
    /// declared sets (`#[auth_user(grants(...))]`).
    const GRANTS: &'static [(u64, u64)] = &[];
    /// Compile-time messages for a misspelt role: one per declared role ("did you
    /// mean ...") and a last one without suggestion.
    const ROLE_HINTS: &'static [&'static str] = &[];
    /// Like [`ROLE_HINTS`](Self::ROLE_HINTS), for permissions.
    const PERMISSION_HINTS: &'static [&'static str] = &[];
    /// Whether the type has an `#[auth_user(email_verified)]` field;
    /// `#[require(verified_email)]` refuses to compile without one.
    const HAS_EMAIL_VERIFIED: bool = false;
    /// Whether users of the type may have a password hash (`basic` needs one, or a
    /// password verifier); a hand-written `AuthUser` may override `password_hash`.
    const HAS_PASSWORD_HASH: bool = true;
}

/// The bit of `name` in `declared` (0 when it is not declared).
pub(crate) fn name_bit(declared: &[&str], name: &str) -> u64 {
    declared
        .iter()
        .position(|d| *d == name)
        .filter(|i| *i < 64)
        .map_or(0, |i| 1 << i)
}

/// The permissions the roles in `roles` grant, as bits. Not public API (the derive's
/// `permission_mask` calls it).
#[doc(hidden)]
pub fn granted(grants: &[(u64, u64)], roles: u64) -> u64 {
    grants
        .iter()
        .filter(|(r, _)| roles & r != 0)
        .fold(0, |m, (_, p)| m | p)
}

/// A role enum: `#[derive(Role)]` on a fieldless enum implements it.
///
/// Variant names become snake_case role names (`Admin` → `"admin"`); the variant
/// order is the bit order.
///
/// ```
/// use portcullis::{Role, TypedRole};
///
/// #[derive(Debug, Clone, Copy, PartialEq, Role)]
/// enum Staff { Admin, SupportAgent }
///
/// assert_eq!(Staff::NAMES, ["admin", "support_agent"]);
/// assert_eq!(Staff::SupportAgent.name(), "support_agent");
/// assert_eq!(Staff::SupportAgent.index(), 1);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a role enum",
    note = "role and permission fields hold `String`, `Vec<String>`, `HashSet<String>`, `BTreeSet<String>`, `Option<String>`, or a `Vec` of a `#[derive(portcullis::Role)]` enum"
)]
pub trait TypedRole: Copy + Send + Sync + 'static {
    /// Role names in variant order.
    const NAMES: &'static [&'static str];
    /// The variant's position (its bit).
    fn index(self) -> u32;
    /// The role's name.
    fn name(self) -> &'static str {
        Self::NAMES[self.index() as usize]
    }
}

/// A permission enum: `#[derive(Permission)]` on a fieldless enum implements it.
///
/// Variant names become snake_case permission names (`PostsWrite` → `"posts_write"`,
/// or `#[permission(rename = "posts:write")]`); the variant order is the bit order.
///
/// ```
/// use portcullis::{Permission, TypedPermission};
///
/// #[derive(Debug, Clone, Copy, PartialEq, Permission)]
/// enum Perm { PostsRead, #[permission(rename = "posts:write")] PostsWrite }
///
/// assert_eq!(Perm::NAMES, ["posts_read", "posts:write"]);
/// assert_eq!(Perm::PostsWrite.name(), "posts:write");
/// assert_eq!(Perm::PostsWrite.index(), 1);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a permission enum",
    note = "a typed permission is a variant of a `#[derive(portcullis::Permission)]` enum"
)]
pub trait TypedPermission: Copy + Send + Sync + 'static {
    /// Permission names in variant order.
    const NAMES: &'static [&'static str];
    /// The variant's position (its bit).
    fn index(self) -> u32;
    /// The permission's name.
    fn name(self) -> &'static str {
        Self::NAMES[self.index() as usize]
    }
}

/// An enum that `#[derive(Role)]` or `#[derive(Permission)]` made a name set: a `Vec` of
/// it is a typed roles or permissions field. Not public API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a role or permission enum",
    note = "role and permission fields hold `String`, `Vec<String>`, `HashSet<String>`, `BTreeSet<String>`, `Option<String>`, or a `Vec` of a `#[derive(portcullis::Role)]` or `#[derive(portcullis::Permission)]` enum"
)]
pub trait NameEnum: NameSet {}

/// Ties a user type to the type of its permissions field; generated by
/// `#[derive(AuthUser)]`.
#[doc(hidden)]
pub trait UserPermissions {
    /// The permission enum, or [`Untyped`].
    type Typed;
}

/// `permission = Perm::PostsWrite` for a user whose permissions field holds `Typed`:
/// compiles only when `Self` is that permission enum. Not public API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the permission enum of this user type",
    label = "the user's `#[auth_user(permissions)]` field holds `{Typed}`, not `{Self}`",
    note = "name a variant of the enum in the user's permissions field (`Vec<Perm>` takes `Perm::PostsWrite`); a user whose permissions are strings (`Untyped`) takes a name: `\"posts:write\"`"
)]
pub trait PermissionOf<Typed> {
    /// The permission's bit in the user's permission mask.
    fn bit(self) -> u64;
}

impl<P: TypedPermission> PermissionOf<P> for P {
    fn bit(self) -> u64 {
        1u64 << self.index()
    }
}

/// Marker for role fields that hold names rather than a role enum.
#[derive(Debug, Clone, Copy)]
pub enum Untyped {}

/// Ties a user type to the type of its roles field; generated by `#[derive(AuthUser)]`.
#[doc(hidden)]
pub trait UserRoles {
    /// The role enum, or [`Untyped`].
    type Typed;
}

/// A field type that holds role or permission names.
///
/// Implemented for `String` and `&str` (one name, or several separated by commas, as
/// a text column often stores them), `Option` of those, `Vec<String>`,
/// `HashSet<String>` and `BTreeSet<String>`.
///
/// ```
/// use portcullis::__private::NameSet;
/// let mut seen = Vec::new();
/// "admin, user".for_each_name(&mut |n| seen.push(n.to_owned()));
/// assert_eq!(seen, ["admin", "user"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold role or permission names",
    label = "unsupported type for an `#[auth_user(roles)]` / `#[auth_user(permissions)]` field",
    note = "use `String` (comma-separated), `Vec<String>`, `HashSet<String>`, `BTreeSet<String>` or `Option<String>`, or a `Vec` of a `#[derive(portcullis::Role)]` or `#[derive(portcullis::Permission)]` enum"
)]
pub trait NameSet {
    /// The role enum when the names are typed, else [`Untyped`].
    type Typed;
    /// The names a typed field can hold (its enum's names).
    const DECLARED: Option<&'static [&'static str]> = None;
    /// Calls `f` once per name.
    fn for_each_name(&self, f: &mut dyn FnMut(&str));
    /// The names as bits over `declared` (typed fields use their variant indexes).
    fn mask(&self, declared: &[&str]) -> u64 {
        let mut mask = 0;
        self.for_each_name(&mut |n| mask |= name_bit(declared, n));
        mask
    }
}

fn split_names(s: &str, f: &mut dyn FnMut(&str)) {
    s.split(',').map(str::trim).filter(|n| !n.is_empty()).for_each(f);
}

impl NameSet for String {
    type Typed = Untyped;
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        split_names(self, f);
    }
}

impl NameSet for &str {
    type Typed = Untyped;
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        split_names(self, f);
    }
}

impl<T: NameSet> NameSet for Option<T> {
    type Typed = T::Typed;
    const DECLARED: Option<&'static [&'static str]> = T::DECLARED;
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        if let Some(inner) = self {
            inner.for_each_name(f);
        }
    }
}

impl NameSet for Vec<String> {
    type Typed = Untyped;
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        self.iter().map(String::as_str).for_each(f);
    }
}

impl<S: std::hash::BuildHasher> NameSet for HashSet<String, S> {
    type Typed = Untyped;
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        self.iter().map(String::as_str).for_each(f);
    }
}

impl NameSet for BTreeSet<String> {
    type Typed = Untyped;
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        self.iter().map(String::as_str).for_each(f);
    }
}

impl<R: NameEnum> NameSet for Vec<R> {
    type Typed = R::Typed;
    const DECLARED: Option<&'static [&'static str]> = R::DECLARED;
    fn for_each_name(&self, f: &mut dyn FnMut(&str)) {
        self.iter().for_each(|r| r.for_each_name(f));
    }
    fn mask(&self, declared: &[&str]) -> u64 {
        self.iter().fold(0, |m, r| m | r.mask(declared))
    }
}

/// A field type that may hold a piece of text: used for `#[auth_user(name)]` and
/// `#[auth_user(password_hash)]` fields (`String`, `Option<String>`, `Box<str>`...).
///
/// ```
/// use portcullis::__private::OptionalText;
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

/// A field type read as a yes/no flag: `#[auth_user(active)]` and
/// `#[auth_user(email_verified)]` fields must be `bool`.
///
/// ```
/// use portcullis::__private::BoolField;
/// assert!(true.get());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `bool`",
    label = "`#[auth_user(active)]` and `#[auth_user(email_verified)]` fields must be `bool`",
    note = "store the flag as `bool` (sqlx maps INTEGER 0/1 and BOOLEAN columns to it)"
)]
pub trait BoolField {
    /// The flag.
    fn get(&self) -> bool;
}

impl BoolField for bool {
    fn get(&self) -> bool {
        *self
    }
}
