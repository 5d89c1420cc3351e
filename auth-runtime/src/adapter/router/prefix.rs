//! Mounting the auth router once per user type: every route, and every link the router
//! writes (the mailed confirmation link), under a path prefix of its own.

use super::AuthRouter;
use crate::error::ConfigError;
use crate::user::AuthUser;

/// The longest prefix accepted.
const MAX_PREFIX_BYTES: usize = 128;

impl<U: AuthUser> AuthRouter<U> {
    /// Puts every route under `prefix` (`/staff`: `POST /staff/auth/login`,
    /// `GET /staff/me`, …), and the mailed confirmation link too unless
    /// [`confirm_url`](Self::confirm_url) names another. Several user types mount one
    /// router each, each with its own `Portcullis<U>` in the state; prefer this to
    /// `Router::nest`, which would leave the mailed links without the prefix.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] unless `prefix` is `/` followed by non-empty segments
    /// of letters, digits, `-`, `_`, `.` or `~` separated by `/` (at most 128 bytes, no
    /// trailing `/`, no `.` or `..` segment).
    ///
    /// ```
    /// use axum::{Router, extract::FromRef};
    /// use portcullis::{AuthRouter, AuthUser, InMemoryUserStore, Portcullis};
    /// # use portcullis::{async_trait, EmailStatus, Mailer, NewAccount, Registrar, Rename, StoreError};
    /// # #[derive(Clone, AuthUser)] struct Customer { #[auth_user(id)] id: i64 }
    /// # #[derive(Clone, AuthUser)] struct Staff { #[auth_user(id)] id: i64 }
    /// # #[derive(Clone)] struct Db;
    /// # struct LogMailer;
    /// # macro_rules! registrar { ($u:ty) => {
    /// # #[async_trait] impl Registrar<$u> for Db {
    /// #   async fn register(&self, _: &NewAccount) -> Result<Option<$u>, StoreError> { Ok(None) }
    /// #   async fn rename(&self, _: &i64, _: &str) -> Result<Rename<$u>, StoreError> { Ok(Rename::NotFound) }
    /// #   async fn email(&self, _: &i64) -> Result<Option<EmailStatus>, StoreError> { Ok(None) }
    /// #   async fn confirm_email(&self, _: &i64) -> Result<(), StoreError> { Ok(()) }
    /// #   async fn set_active(&self, _: &i64, _: bool) -> Result<bool, StoreError> { Ok(false) }
    /// #   async fn set_password_hash(&self, _: &i64, _: &str) -> Result<(), StoreError> { Ok(()) } } } }
    /// # registrar!(Customer); registrar!(Staff);
    /// # #[async_trait] impl Mailer for LogMailer {
    /// #   async fn send(&self, _: &str, _: &str, _: &str) -> Result<(), StoreError> { Ok(()) } }
    /// #[derive(Clone, FromRef)]
    /// struct AppState { customers: Portcullis<Customer>, staff: Portcullis<Staff> }
    ///
    /// let state = AppState {
    ///     customers: Portcullis::builder(InMemoryUserStore::<Customer>::new()).realm("customers").build().unwrap(),
    ///     staff: Portcullis::builder(InMemoryUserStore::<Staff>::new()).realm("staff").build().unwrap(),
    /// };
    /// let app: Router = Router::new()
    ///     .merge(AuthRouter::<Customer>::new(Db, LogMailer).routes())           // /auth/login, /me, ...
    ///     .merge(AuthRouter::<Staff>::new(Db, LogMailer).prefix("/staff")?.routes()) // /staff/auth/login, ...
    ///     .with_state(state);
    /// assert!(AuthRouter::<Staff>::new(Db, LogMailer).prefix("staff/").is_err());
    /// # Ok::<(), portcullis::ConfigError>(())
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Result<Self, ConfigError> {
        let prefix = prefix.into();
        let valid_segment = |segment: &str| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
        };
        match prefix.strip_prefix('/') {
            Some(rest) if prefix.len() <= MAX_PREFIX_BYTES && rest.split('/').all(valid_segment) => {
                self.prefix = prefix;
                Ok(self)
            }
            _ => Err(ConfigError::Invalid(
                "the auth router's prefix must be `/` and segments of letters, digits, '-', '_', '.' or '~' (no trailing '/')",
            )),
        }
    }

    /// What precedes the token in a mailed confirmation link.
    pub(super) fn confirm_link_prefix(&self) -> String {
        match &self.confirm_url {
            Some(url) => url.clone(),
            None => format!("{}/auth/confirm/", self.prefix),
        }
    }

    /// What precedes the token in a mailed password-reset link.
    pub(super) fn reset_link_prefix(&self) -> String {
        match &self.reset_url {
            Some(url) => url.clone(),
            None => format!("{}/auth/password/reset/", self.prefix),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{EmailStatus, Mailer, NewAccount, Registrar, Rename};
    use crate::claims_user::ClaimsUser;
    use crate::error::StoreError;

    struct Nobody;

    #[async_trait::async_trait]
    impl Registrar<ClaimsUser> for Nobody {
        async fn register(&self, _: &NewAccount) -> Result<Option<ClaimsUser>, StoreError> {
            Ok(None)
        }
        async fn rename(&self, _: &String, _: &str) -> Result<Rename<ClaimsUser>, StoreError> {
            Ok(Rename::NotFound)
        }
        async fn email(&self, _: &String) -> Result<Option<EmailStatus>, StoreError> {
            Ok(None)
        }
        async fn confirm_email(&self, _: &String) -> Result<(), StoreError> {
            Ok(())
        }
        async fn set_active(&self, _: &String, _: bool) -> Result<bool, StoreError> {
            Ok(false)
        }
        async fn set_password_hash(&self, _: &String, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
    }

    #[async_trait::async_trait]
    impl Mailer for Nobody {
        async fn send(&self, _: &str, _: &str, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
    }

    fn router() -> AuthRouter<ClaimsUser> {
        AuthRouter::new(Nobody, Nobody)
    }

    #[test]
    fn prefixes_are_checked_and_links_follow_them() {
        for good in ["/staff", "/a/b-c/d_e.f~", "/v1.2"] {
            assert!(router().prefix(good).is_ok(), "{good}");
        }
        let long = format!("/{}", "x".repeat(MAX_PREFIX_BYTES));
        for bad in [
            "", "/", "staff", "/staff/", "//staff", "/a//b", "/{id}", "/*rest", "/a b", "/..", "/a/./b",
            &long,
        ] {
            assert!(router().prefix(bad).is_err(), "{bad:?}");
        }
        assert_eq!(router().confirm_link_prefix(), "/auth/confirm/");
        assert_eq!(router().reset_link_prefix(), "/auth/password/reset/");
        let staff = router().prefix("/staff").unwrap();
        assert_eq!(staff.confirm_link_prefix(), "/staff/auth/confirm/");
        assert_eq!(staff.reset_link_prefix(), "/staff/auth/password/reset/");
        let mailed = staff.confirm_url("https://app.example/confirm/");
        assert_eq!(mailed.confirm_link_prefix(), "https://app.example/confirm/");
    }
}
