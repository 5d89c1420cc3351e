//! Access and refresh tokens in `HttpOnly` cookies (opt-in, for browser clients): the
//! cookies' names and attributes. The auth router sets them at login, refresh and
//! sign-in on registration and clears them at logout; the `jwt` scheme reads the access
//! cookie and checks its CSRF token on unsafe methods (`scheme/jwt.rs`).

use http::HeaderMap;
use http::header::HeaderValue;

use crate::credentials;
use crate::error::{AuthError, ConfigError};
use crate::scheme::name::Scheme;

/// Tokens in cookies instead of JSON bodies, set on
/// [`PortcullisBuilder::token_cookies`](crate::PortcullisBuilder::token_cookies).
///
/// With it, the auth router's `POST /auth/login`, a refresh whose token came in the
/// refresh cookie, and sign-in on registration answer `{"csrf_token", "expires_in"}`
/// and set two cookies, both `HttpOnly` (scripts never see a token) and, outside
/// development, `Secure`:
///
/// | cookie | name (outside development) | attributes |
/// |---|---|---|
/// | access token | `__Host-portcullis_access` | `Path=/; SameSite=Lax`, `Max-Age` = the access-token lifetime |
/// | refresh token | `__Secure-portcullis_refresh` | `Path=/auth/refresh; SameSite=Strict`, `Max-Age` = the refresh-token lifetime |
///
/// The refresh cookie goes only to the refresh route (a `__Host-` cookie must have
/// `Path=/`, hence `__Secure-`). The `jwt` scheme reads the access cookie; unsafe
/// methods (POST, PUT, PATCH, DELETE) with it need a same-site request and the
/// `X-CSRF-Token` header equal to the `csrf_token` of the login (it is the token's
/// `csrf` claim), else 403 `csrf_rejected`, as sessions do. A refresh by cookie needs
/// the same header (the token is kept with the refresh family: it stays the same
/// across refreshes). Logout clears both cookies (`Max-Age=0`).
///
/// ```
/// use portcullis::{Algorithm, AuthUser, InMemoryUserStore, Portcullis, TokenConfig, TokenCookies};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
///     .tokens(TokenConfig::hmac(b"0123456789abcdef0123456789abcdef", Algorithm::HS256))
///     .token_cookies(TokenCookies::new()) // .development(true) for plain HTTP
///     .build()
///     .unwrap();
/// assert_eq!(auth.token_cookies().unwrap().access_cookie_name(), "__Host-portcullis_access");
/// ```
#[derive(Debug, Clone)]
pub struct TokenCookies {
    access: String,
    refresh: String,
    refresh_path: String,
    development: bool,
}

impl Default for TokenCookies {
    fn default() -> Self {
        TokenCookies {
            access: "portcullis_access".to_owned(),
            refresh: "portcullis_refresh".to_owned(),
            refresh_path: "/auth/refresh".to_owned(),
            development: false,
        }
    }
}

impl TokenCookies {
    /// `portcullis_access` and `portcullis_refresh`, secure cookies.
    ///
    /// ```
    /// let cookies = portcullis::TokenCookies::new();
    /// assert_eq!(cookies.access_cookie_name(), "__Host-portcullis_access");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The access cookie's base name (`__Host-` is added outside development).
    ///
    /// ```
    /// let cookies = portcullis::TokenCookies::new().access_cookie("at").refresh_cookie("rt");
    /// ```
    pub fn access_cookie(mut self, name: impl Into<String>) -> Self {
        self.access = name.into();
        self
    }

    /// The refresh cookie's base name (`__Secure-` is added outside development).
    ///
    /// ```
    /// let cookies = portcullis::TokenCookies::new().refresh_cookie("rt");
    /// assert_eq!(cookies.refresh_cookie_name(), "__Secure-rt");
    /// ```
    pub fn refresh_cookie(mut self, name: impl Into<String>) -> Self {
        self.refresh = name.into();
        self
    }

    /// The path the refresh cookie is sent to: the refresh route, `/auth/refresh`
    /// unless the auth router is mounted elsewhere.
    ///
    /// ```
    /// let cookies = portcullis::TokenCookies::new().refresh_path("/api/auth/refresh");
    /// ```
    pub fn refresh_path(mut self, path: impl Into<String>) -> Self {
        self.refresh_path = path.into();
        self
    }

    /// Development mode (plain HTTP): no `Secure` attribute and no name prefixes.
    ///
    /// ```
    /// let cookies = portcullis::TokenCookies::new().development(true);
    /// ```
    pub fn development(mut self, on: bool) -> Self {
        self.development = on;
        self
    }

    /// The access cookie's name as sent.
    ///
    /// ```
    /// let cookies = portcullis::TokenCookies::new().development(true);
    /// assert_eq!(cookies.access_cookie_name(), "portcullis_access");
    /// ```
    pub fn access_cookie_name(&self) -> String {
        self.prefixed("__Host-", &self.access)
    }

    /// The refresh cookie's name as sent.
    ///
    /// ```
    /// assert_eq!(portcullis::TokenCookies::new().refresh_cookie_name(), "__Secure-portcullis_refresh");
    /// ```
    pub fn refresh_cookie_name(&self) -> String {
        self.prefixed("__Secure-", &self.refresh)
    }

    fn prefixed(&self, prefix: &str, name: &str) -> String {
        if self.development {
            name.to_owned()
        } else {
            format!("{prefix}{name}")
        }
    }

    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        let name_ok = |name: &str| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        if !name_ok(&self.access) || !name_ok(&self.refresh) || self.access == self.refresh {
            return Err(ConfigError::Invalid(
                "the token cookie names must be two different names of letters, digits, '_' or '-'",
            ));
        }
        let path_ok = self.refresh_path.starts_with('/')
            && self
                .refresh_path
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b';' && b != b',');
        if !path_ok {
            return Err(ConfigError::Invalid(
                "the refresh cookie path must be an absolute path without ';' or ','",
            ));
        }
        Ok(())
    }

    /// The `Set-Cookie` of the access token, kept `max_age` seconds (0 clears it).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) fn access_header(&self, token: &str, max_age: u64) -> HeaderValue {
        self.header(&self.access_cookie_name(), token, "/", "Lax", max_age)
    }

    /// The `Set-Cookie` of the refresh token, kept `max_age` seconds (0 clears it).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) fn refresh_header(&self, token: &str, max_age: u64) -> HeaderValue {
        let name = self.refresh_cookie_name();
        self.header(&name, token, &self.refresh_path, "Strict", max_age)
    }

    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    fn header(&self, name: &str, value: &str, path: &str, same_site: &str, max_age: u64) -> HeaderValue {
        let secure = if self.development { "" } else { "; Secure" };
        let cookie =
            format!("{name}={value}; Max-Age={max_age}; Path={path}; HttpOnly; SameSite={same_site}{secure}");
        // Names and the path are checked at start-up; tokens are base64url and JWT text.
        HeaderValue::try_from(cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The refresh token of the request's refresh cookie, if it sent one.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) fn refresh_from(&self, headers: &HeaderMap) -> Result<Option<String>, AuthError> {
        credentials::cookie(headers, &self.refresh_cookie_name(), Scheme::JWT)
    }
}
