//! Server-side sessions: the cookie, the session record, CSRF tokens, and the
//! session check the `session` scheme runs.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use http::header::HeaderValue;
use http::request::Parts;
use subtle::ConstantTimeEq;

use crate::credentials;
use crate::cut_off::CutOffs;
use crate::error::{AuthError, ConfigError, store_down};
use crate::origin::PublicOrigins;
use crate::scheme::name::Scheme;
use crate::secret::{SECRET_TEXT_LEN, hash_secret, random_secret};
use crate::store::{SessionRecord, SessionStore};

/// Session cookie settings.
///
/// ```
/// use portcullis::SessionConfig;
/// use std::time::Duration;
/// let sessions = SessionConfig::new()
///     .cookie_name("app_session")          // sent as `__Host-app_session` outside development
///     .idle_timeout(Duration::from_secs(1800))
///     .absolute_timeout(Duration::from_secs(12 * 3600));
/// let dev = SessionConfig::new().development(true); // plain HTTP: no `Secure`, no `__Host-`
/// ```
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// `None`: named after the realm (`Realm::session_cookie`).
    cookie_name: Option<String>,
    development: bool,
    pub(crate) idle: Duration,
    pub(crate) absolute: Duration,
    /// The form field carrying the CSRF token (read by `CsrfFormLayer`).
    pub(crate) form_field: String,
    /// The largest form body `CsrfFormLayer` reads.
    pub(crate) form_limit: usize,
}

/// The default of [`SessionConfig::csrf_form_field`].
pub const DEFAULT_CSRF_FORM_FIELD: &str = "csrf_token";
/// The default of [`SessionConfig::csrf_form_limit`]: 64 KiB.
pub const DEFAULT_CSRF_FORM_LIMIT: usize = 64 * 1024;

/// The CSRF token `CsrfFormLayer` read from a form body, for the session check.
#[derive(Clone)]
pub(crate) struct FormCsrfToken(pub(crate) String);

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            cookie_name: None,
            development: false,
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
            form_field: DEFAULT_CSRF_FORM_FIELD.to_owned(),
            form_limit: DEFAULT_CSRF_FORM_LIMIT,
        }
    }
}

impl SessionConfig {
    /// The cookie named after the gate's realm (`portcullis_session`, or
    /// `portcullis_session_<realm>` with [`PortcullisBuilder::realm`](crate::PortcullisBuilder::realm)),
    /// 30 min idle, 12 h absolute, secure cookies.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cookie's base name (the `__Host-` prefix is added outside development),
    /// instead of the one named after the realm. Two user types in one application need
    /// two names: a browser keeps one cookie per name.
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = Some(name.into());
        self
    }

    /// Development mode (plain HTTP): no `Secure` attribute and no `__Host-` prefix.
    pub fn development(mut self, on: bool) -> Self {
        self.development = on;
        self
    }

    /// Expiry after this long without a request.
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// Expiry this long after login, whatever the activity.
    pub fn absolute_timeout(mut self, absolute: Duration) -> Self {
        self.absolute = absolute;
        self
    }

    /// The field of an `application/x-www-form-urlencoded` body that carries the CSRF
    /// token, for plain HTML forms (read by [`CsrfFormLayer`](crate::CsrfFormLayer);
    /// default `csrf_token`). The `X-CSRF-Token` header is accepted as well.
    ///
    /// ```
    /// let sessions = portcullis::SessionConfig::new().csrf_form_field("_csrf");
    /// ```
    pub fn csrf_form_field(mut self, name: impl Into<String>) -> Self {
        self.form_field = name.into();
        self
    }

    /// The largest form body [`CsrfFormLayer`](crate::CsrfFormLayer) reads to find the
    /// token (default 64 KiB); a larger one is answered 413.
    ///
    /// ```
    /// let sessions = portcullis::SessionConfig::new().csrf_form_limit(16 * 1024);
    /// ```
    pub fn csrf_form_limit(mut self, bytes: usize) -> Self {
        self.form_limit = bytes;
        self
    }

    fn check(&self, name: &str) -> Result<(), ConfigError> {
        if self.form_field.is_empty() || self.form_field.len() > 64 || self.form_limit == 0 {
            return Err(ConfigError::Invalid(
                "the CSRF form field must be 1 to 64 bytes and the form limit above 0",
            ));
        }
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(ConfigError::Invalid(
                "the session cookie name must be letters, digits, '_' or '-'",
            ));
        }
        if self.idle.is_zero() || self.absolute < self.idle {
            return Err(ConfigError::Invalid(
                "session timeouts: idle must be > 0 and <= absolute",
            ));
        }
        Ok(())
    }

    fn full_cookie_name(&self, name: &str) -> String {
        if self.development {
            name.to_owned()
        } else {
            format!("__Host-{name}")
        }
    }
}

/// A new session: the cookie to set and the CSRF token to give the client.
#[derive(Clone)]
pub struct NewSession {
    /// The `Set-Cookie` value.
    pub set_cookie: HeaderValue,
    /// Send back in `X-CSRF-Token` on unsafe requests.
    pub csrf_token: String,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession").finish_non_exhaustive()
    }
}

/// Sessions as configured: the store, the timeouts and the cookie's full name.
pub(crate) struct Sessions {
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) config: SessionConfig,
    pub(crate) cookie_name: String,
    pub(crate) origins: PublicOrigins,
    pub(crate) cut_offs: CutOffs,
}

impl Sessions {
    /// `realm_cookie`: the cookie's base name unless `config` names one.
    pub(crate) fn new(
        store: Arc<dyn SessionStore>,
        config: SessionConfig,
        realm_cookie: String,
        origins: PublicOrigins,
        cut_offs: CutOffs,
    ) -> Result<Self, ConfigError> {
        let name = config.cookie_name.clone().unwrap_or(realm_cookie);
        config.check(&name)?;
        Ok(Sessions {
            origins,
            cut_offs,
            cookie_name: config.full_cookie_name(&name),
            store,
            config,
        })
    }

    /// The session id from the request's cookies, if it sent ours.
    pub(crate) fn id_from(&self, headers: &HeaderMap) -> Result<Option<String>, AuthError> {
        match credentials::cookie(headers, &self.cookie_name, Scheme::SESSION)? {
            Some(id)
                if id.len() != SECRET_TEXT_LEN
                    || !id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Err(AuthError::invalid_request(
                    Scheme::SESSION,
                    "the session cookie is malformed",
                ))
            }
            other => Ok(other),
        }
    }

    /// Starts a session for `user_id`: a new random id at every login (any session the
    /// request carried is destroyed first: no fixation) and a CSRF token.
    pub(crate) async fn start(&self, parts: &Parts, user_id: String) -> Result<NewSession, AuthError> {
        if let Ok(Some(old)) = self.id_from(&parts.headers) {
            self.store.destroy(&hash_secret(&old)).await.map_err(store_down)?;
        }
        let id = random_secret()?;
        let record = SessionRecord {
            user_id,
            csrf_token: random_secret()?,
            created: SystemTime::now(),
        };
        self.store
            .create(&hash_secret(&id), &record, self.config.idle)
            .await
            .map_err(store_down)?;
        Ok(NewSession {
            set_cookie: self.cookie_header(&id, self.config.absolute.as_secs()),
            csrf_token: record.csrf_token,
        })
    }

    /// Ends the request's session server-side; returns the `Set-Cookie` that clears it.
    pub(crate) async fn end(&self, parts: &Parts) -> Result<HeaderValue, AuthError> {
        if let Some(id) = self.id_from(&parts.headers)? {
            self.store.destroy(&hash_secret(&id)).await.map_err(store_down)?;
        }
        Ok(self.cookie_header("", 0))
    }

    fn cookie_header(&self, value: &str, max_age: u64) -> HeaderValue {
        let secure = if self.config.development { "" } else { "; Secure" };
        let cookie = format!(
            "{}={value}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax{secure}",
            self.cookie_name
        );
        HeaderValue::try_from(cookie).expect("cookie names and values are checked ASCII")
    }

    /// A session credential: the session must exist; unsafe methods need the CSRF
    /// token and a same-site origin.
    pub(crate) async fn verify(&self, parts: &Parts, id: &str) -> Result<SessionRecord, AuthError> {
        let record = self
            .store
            .touch(&hash_secret(id), self.config.idle, self.config.absolute)
            .await
            .map_err(store_down)?
            .ok_or_else(|| AuthError::invalid(Scheme::SESSION, "the session has ended or does not exist"))?;
        if let Err(revoked) = self
            .cut_offs
            .check(Scheme::SESSION, Some(&record.user_id), Some(record.created))
            .await
        {
            // Revoked with every credential of its user: gone for good.
            self.store.destroy(&hash_secret(id)).await.map_err(store_down)?;
            return Err(revoked);
        }
        if !credentials::is_safe_method(&parts.method) {
            self.origins.check(parts)?;
            // The header, else the form field `CsrfFormLayer` read from the body.
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .or_else(|| parts.extensions.get::<FormCsrfToken>().map(|t| t.0.as_str()))
                .unwrap_or("");
            let equal: bool = sent.as_bytes().ct_eq(record.csrf_token.as_bytes()).into();
            if !equal {
                return Err(AuthError::CsrfRejected {
                    reason: "the CSRF token (X-CSRF-Token header or form field) is missing or wrong",
                });
            }
        }
        Ok(record)
    }
}
