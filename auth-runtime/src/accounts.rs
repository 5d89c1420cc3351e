//! Framework-neutral account management: the application's [`Registrar`] and
//! [`Mailer`], the account types, and the input rules of registration. The auth
//! router (`adapter::router`) is the HTTP face of these.

// The input rules are used by the framework routers only.
#![cfg_attr(not(feature = "axum"), allow(dead_code))]

use async_trait::async_trait;

use crate::error::StoreError;
use crate::user::AuthUser;

/// A new account, validated, with the password already hashed (argon2id). Its
/// `Debug` leaves the hash out.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The login name.
    pub username: String,
    /// The e-mail address (not confirmed yet).
    pub email: String,
    /// The argon2id PHC string of the password.
    pub password_hash: String,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// The answer of [`Registrar::rename`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rename<U> {
    /// Renamed; the updated user.
    Renamed(U),
    /// Another user has this name.
    Taken,
    /// No such user.
    NotFound,
}

/// A user's e-mail address and whether it is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailStatus {
    /// The address.
    pub email: String,
    /// Whether it has been confirmed.
    pub confirmed: bool,
}

/// Creates and changes users: the application implements it over its database.
///
/// ```
/// use portcullis::{async_trait, AuthUser, EmailStatus, NewAccount, Registrar, Rename, StoreError};
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64, #[auth_user(name)] name: String }
///
/// struct Db;
///
/// #[async_trait]
/// impl Registrar<User> for Db {
///     async fn register(&self, account: &NewAccount) -> Result<Option<User>, StoreError> {
///         Ok(Some(User { id: 1, name: account.username.clone() })) // INSERT ...; None when taken
///     }
///     async fn rename(&self, id: &i64, username: &str) -> Result<Rename<User>, StoreError> {
///         Ok(Rename::Renamed(User { id: *id, name: username.into() }))
///     }
///     async fn email(&self, _id: &i64) -> Result<Option<EmailStatus>, StoreError> {
///         Ok(Some(EmailStatus { email: "ann@example.com".into(), confirmed: false }))
///     }
///     async fn confirm_email(&self, _id: &i64) -> Result<(), StoreError> {
///         Ok(())
///     }
///     async fn set_active(&self, id: &i64, _active: bool) -> Result<bool, StoreError> {
///         Ok(*id == 1) // UPDATE users SET active = $2 WHERE id = $1; whether a row changed
///     }
///     async fn set_password_hash(&self, _id: &i64, _hash: &str) -> Result<(), StoreError> {
///         Ok(()) // UPDATE users SET password_hash = $1 WHERE id = $2
///     }
/// }
/// ```
#[async_trait]
pub trait Registrar<U: AuthUser>: Send + Sync + 'static {
    /// Creates the user; `Ok(None)` when the user name or e-mail is taken.
    async fn register(&self, account: &NewAccount) -> Result<Option<U>, StoreError>;
    /// Changes the user name of `id`.
    async fn rename(&self, id: &U::Id, username: &str) -> Result<Rename<U>, StoreError>;
    /// The user's e-mail status; `None` for an unknown user.
    async fn email(&self, id: &U::Id) -> Result<Option<EmailStatus>, StoreError>;
    /// Marks the user's e-mail address confirmed.
    async fn confirm_email(&self, id: &U::Id) -> Result<(), StoreError>;
    /// Enables or disables the account `id` (an administrator's `POST /users/{id}/disable`
    /// and `/enable`); `Ok(false)` for an unknown user. Afterwards the user store must
    /// report it through [`AuthUser::is_active`]: a disabled account's credentials are
    /// then refused with 403 wherever they are presented, and its password logins fail.
    async fn set_active(&self, id: &U::Id, active: bool) -> Result<bool, StoreError>;
    /// Stores `hash`, an argon2id PHC string, as the password hash of `id`: after a
    /// password change, a password reset, and when a legacy hash (bcrypt, scrypt,
    /// PBKDF2) is upgraded on login. The password itself never reaches the application.
    async fn set_password_hash(&self, id: &U::Id, hash: &str) -> Result<(), StoreError>;
}

/// Sends mail (confirmation and password-reset links). With the `smtp` feature,
/// `SmtpMailer` sends it through an SMTP server; the router renders subject and body
/// from its [`MailTemplates`](crate::MailTemplates).
///
/// ```
/// use portcullis::{async_trait, Mailer, StoreError};
/// struct LogMailer;
/// #[async_trait]
/// impl Mailer for LogMailer {
///     async fn send(&self, to: &str, subject: &str, _body: &str) -> Result<(), StoreError> {
///         println!("mail to {to}: {subject}");
///         Ok(())
///     }
/// }
/// ```
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends one message; an error answers 503.
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), StoreError>;
}

/// 3 to 32 characters: letters, digits, `_`, `.`, `-`.
pub(crate) fn valid_username(name: &str) -> bool {
    (3..=32).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// A pragmatic check: one `@`, a local part, a dotted domain, no spaces, at most 254 bytes.
pub(crate) fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Passwords: 12 to 1024 characters.
pub(crate) fn valid_password(password: &str) -> bool {
    (12..=1024).contains(&password.chars().count())
}

/// The registration rules, in the order they are reported: the first broken rule's
/// message (for a 400 `invalid_input`).
pub(crate) fn check_new_account(username: &str, email: &str, password: &str) -> Result<(), &'static str> {
    if !valid_username(username) {
        return Err("the user name needs 3 to 32 letters, digits, '_', '.' or '-'");
    }
    if !valid_email(email) {
        return Err("the e-mail address is not valid");
    }
    if !valid_password(password) {
        return Err(WEAK_PASSWORD);
    }
    Ok(())
}

/// The message of a new password that breaks the rule (registration, change, reset).
pub(crate) const WEAK_PASSWORD: &str = "the password needs 12 to 1024 characters";
