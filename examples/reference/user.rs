//! The reference server's user: a row of the `users` table, or a user of the
//! identity provider (`PORTCULLIS_OIDC_ISSUER`), who has no row. Both pass the same
//! `#[require]` and `#[permissions]` checks; routes that store rows under a local user
//! id refuse provider users ([`UserId::local`] is `None` for them).

use std::fmt;
use std::str::FromStr;

use portcullis::{AuthUser, ClaimsUser, OwnerId};
use serde::{Serialize, Serializer};

/// A local user id (an integer; JSON number) or an identity provider's `sub` (JSON
/// string).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserId {
    Local(i64),
    Provider(String),
}

impl UserId {
    /// The row id, for local users.
    pub fn local(&self) -> Option<i64> {
        match self {
            UserId::Local(id) => Some(*id),
            UserId::Provider(_) => None,
        }
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserId::Local(id) => id.fmt(f),
            UserId::Provider(sub) => f.write_str(sub),
        }
    }
}

/// Tokens the server issues name local users: a subject parses as a local id only.
impl FromStr for UserId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(UserId::Local)
    }
}

impl Serialize for UserId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            UserId::Local(id) => serializer.serialize_i64(*id),
            UserId::Provider(sub) => serializer.serialize_str(sub),
        }
    }
}

impl From<i64> for UserId {
    fn from(id: i64) -> Self {
        UserId::Local(id)
    }
}

/// `owner(post.author_id)`: a row's owner column names a local user only.
impl OwnerId<UserId> for i64 {
    fn is_owner(&self, id: &UserId) -> bool {
        id.local() == Some(*self)
    }
}

/// A user. The auth parts are marked; for local users roles and permissions come from
/// the database, never from a token; for provider users from the provider's claims
/// (through `PORTCULLIS_OIDC_PRESET`), with the same role grants. Its `Debug` leaves
/// the password hash out.
#[derive(Clone, Serialize, sqlx::FromRow, AuthUser)]
#[auth_user(
    roles("admin", "moderator", "user"),
    permissions("posts:read", "posts:write", "posts:delete", "users:read"),
    grants(
        admin("*"),
        moderator("posts:read", "posts:write", "posts:delete", "users:read"),
        user("posts:read", "posts:write")
    )
)]
pub struct User {
    #[auth_user(id)]
    #[sqlx(try_from = "i64")]
    pub id: UserId,
    #[auth_user(name)]
    pub username: String,
    pub email: String,
    #[auth_user(roles)]
    pub role: String,
    /// Permissions a provider's token grants directly (none for local users).
    #[serde(skip)]
    #[sqlx(skip)]
    #[auth_user(permissions)]
    pub granted: Vec<String>,
    #[serde(skip)]
    #[auth_user(password_hash)]
    pub password_hash: Option<String>,
    #[auth_user(active)]
    pub active: bool,
    #[auth_user(email_verified)]
    pub email_confirmed: bool,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// An identity provider's user: `id` = `sub`, `username` = `preferred_username` (or
/// `sub`), roles and permissions as the preset read them.
impl From<ClaimsUser> for User {
    fn from(claims: ClaimsUser) -> Self {
        let mut roles = Vec::new();
        claims.for_each_role(&mut |r| roles.push(r.to_owned()));
        let mut granted = Vec::new();
        claims.for_each_permission(&mut |p| granted.push(p.to_owned()));
        User {
            username: claims.name().unwrap_or(claims.id()).to_owned(),
            id: UserId::Provider(claims.id().clone()),
            email: String::new(),
            role: roles.join(","),
            granted,
            password_hash: None,
            active: true,
            email_confirmed: false,
        }
    }
}
