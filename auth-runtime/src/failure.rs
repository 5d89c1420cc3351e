//! Typed authentication failures and their single mapping to HTTP.
//!
//! Backends return an [`AuthError`] (a reason, never a response). [`Rejection`] adds
//! what the HTTP answer needs (the schemes the route accepts, the realm) and is the
//! one place that decides status codes and `WWW-Authenticate` challenges. The body is
//! produced by the application's [`ErrorRenderer`](crate::ErrorRenderer).

use std::fmt;
use std::sync::Arc;

use http::header::{HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, StatusCode};

use crate::scheme::{Scheme, SchemeList};

/// Why a request was not authenticated.
///
/// `reason` strings are fixed, short and free of secrets: they go into the
/// `error_description` challenge parameter and the JSON `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
///
/// ```
/// use portcullis::AuthError;
/// let denied = AuthError::Throttled { retry_after: 30 };
/// assert_eq!(denied.status(), 429);
/// assert_eq!(denied.code(), "too_many_attempts");
/// ```
pub enum AuthError {
    /// No credentials for any scheme the route accepts.
    MissingCredentials,
    /// Credentials were present but syntactically malformed (`error="invalid_request"`).
    InvalidRequest {
        /// The scheme whose credentials were malformed, if one can be named.
        scheme: Option<Scheme>,
        /// What was wrong.
        reason: &'static str,
    },
    /// Well-formed credentials that were refused: bad signature, expired, revoked,
    /// unknown key or user, wrong password (`error="invalid_token"` on Bearer).
    InvalidCredentials {
        /// The scheme whose credentials were refused.
        scheme: Scheme,
        /// What was wrong.
        reason: &'static str,
    },
    /// Authenticated, but the account may not be used (for example inactive): 403.
    Forbidden {
        /// What was wrong.
        reason: &'static str,
    },
    /// A store needed to decide could not be reached: 503, never "let in".
    Unavailable,
    /// Authenticated, but a `#[require]` / `#[permissions]` check failed: 403
    /// (`error="insufficient_scope"` on Bearer).
    Denied {
        /// The scheme the user authenticated with.
        scheme: Scheme,
        /// The unmet requirement, as written in the attribute (e.g. `role = "admin"`).
        requirement: &'static str,
    },
    /// Too many failed logins for this user name or client address: 429 with `Retry-After`.
    Throttled {
        /// Seconds until the window ends.
        retry_after: u64,
    },
    /// A session-authenticated unsafe request without the session's CSRF token, or
    /// from another site: 403.
    CsrfRejected {
        /// What was wrong.
        reason: &'static str,
    },
    /// A resource the checks need (an `Option` parameter named in `owner(...)`) is
    /// missing: 404, answered before any 403.
    NotFound,
}

impl AuthError {
    /// The HTTP status this failure maps to.
    ///
    /// ```
    /// use portcullis::AuthError;
    /// use http::StatusCode;
    /// assert_eq!(AuthError::MissingCredentials.status(), StatusCode::UNAUTHORIZED);
    /// assert_eq!(AuthError::Unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            AuthError::MissingCredentials
            | AuthError::InvalidRequest { .. }
            | AuthError::InvalidCredentials { .. } => StatusCode::UNAUTHORIZED,
            AuthError::Forbidden { .. } | AuthError::Denied { .. } => StatusCode::FORBIDDEN,
            AuthError::NotFound => StatusCode::NOT_FOUND,
            AuthError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AuthError::CsrfRejected { .. } => StatusCode::FORBIDDEN,
            AuthError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The machine-readable code of the JSON body (`"error"`).
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::MissingCredentials => "missing_credentials",
            AuthError::InvalidRequest { .. } => "invalid_request",
            AuthError::InvalidCredentials {
                scheme: Scheme::Jwt, ..
            } => "invalid_token",
            AuthError::InvalidCredentials { .. } => "invalid_credentials",
            AuthError::Forbidden { .. } | AuthError::Denied { .. } => "forbidden",
            AuthError::NotFound => "not_found",
            AuthError::Throttled { .. } => "too_many_attempts",
            AuthError::CsrfRejected { .. } => "csrf_rejected",
            AuthError::Unavailable => "temporarily_unavailable",
        }
    }

    fn reason(&self) -> Option<&'static str> {
        match self {
            AuthError::InvalidRequest { reason, .. }
            | AuthError::InvalidCredentials { reason, .. }
            | AuthError::Forbidden { reason }
            | AuthError::CsrfRejected { reason } => Some(reason),
            _ => None,
        }
    }

    pub(crate) fn invalid_request(scheme: Scheme, reason: &'static str) -> Self {
        AuthError::InvalidRequest {
            scheme: Some(scheme),
            reason,
        }
    }

    pub(crate) fn invalid(scheme: Scheme, reason: &'static str) -> Self {
        AuthError::InvalidCredentials { scheme, reason }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::MissingCredentials => f.write_str("authentication required"),
            AuthError::Denied { requirement, .. } => write!(f, "missing requirement: {requirement}"),
            AuthError::NotFound => f.write_str("the resource does not exist"),
            AuthError::Throttled { retry_after } => {
                write!(f, "too many failed attempts: try again in {retry_after} s")
            }
            AuthError::Unavailable => {
                f.write_str("authentication is temporarily unavailable, try again later")
            }
            other => f.write_str(other.reason().unwrap_or("authentication failed")),
        }
    }
}

impl std::error::Error for AuthError {}

/// A failure together with what the HTTP answer needs: the schemes the route
/// accepts (one challenge each) and the realm.
#[derive(Debug, Clone)]
///
/// Applications see it in their [`ErrorRenderer`](crate::ErrorRenderer):
///
/// ```
/// use portcullis::{ErrorRenderer, Rejection};
/// struct Html;
/// impl ErrorRenderer for Html {
///     fn render(&self, r: &Rejection) -> http::Response<bytes::Bytes> {
///         let page = format!("<h1>{}</h1><p>{}</p>", r.status(), r.message());
///         let mut response = http::Response::new(bytes::Bytes::from(page));
///         response.headers_mut().insert("content-type", http::HeaderValue::from_static("text/html"));
///         response // status and challenges are set by Portcullis afterwards
///     }
/// }
/// ```
pub struct Rejection {
    error: AuthError,
    schemes: SchemeList,
    realm: Arc<str>,
    api_key_header: Arc<str>,
}

impl Rejection {
    pub(crate) fn new(
        error: AuthError,
        schemes: SchemeList,
        realm: Arc<str>,
        api_key_header: Arc<str>,
    ) -> Self {
        Rejection {
            error,
            schemes,
            realm,
            api_key_header,
        }
    }

    /// The typed failure.
    pub fn error(&self) -> &AuthError {
        &self.error
    }

    /// The status code (401, 403 or 503).
    pub fn status(&self) -> StatusCode {
        self.error.status()
    }

    /// Human text for the body; never contains credentials.
    pub fn message(&self) -> String {
        match &self.error {
            AuthError::MissingCredentials => {
                let names: Vec<&str> = self.schemes.iter().map(Scheme::as_str).collect();
                format!(
                    "authentication required: send credentials for one of: {}",
                    names.join(", ")
                )
            }
            other => other.to_string(),
        }
    }

    /// The `WWW-Authenticate` challenges: on 401 one per scheme the route accepts, in
    /// the route's order, the failing scheme's carrying `error=`; on a 403 denial of a
    /// Bearer-authenticated request, `Bearer ... error="insufficient_scope"` (RFC 6750).
    pub fn challenges(&self) -> Vec<HeaderValue> {
        if let AuthError::Denied {
            scheme: Scheme::Jwt, ..
        } = &self.error
        {
            let value = format!("Bearer realm=\"{}\", error=\"insufficient_scope\"", self.realm);
            return HeaderValue::try_from(value).into_iter().collect();
        }
        if self.status() != StatusCode::UNAUTHORIZED {
            return Vec::new();
        }
        let (failed, error, description) = match &self.error {
            AuthError::InvalidRequest { scheme, reason } => (
                scheme.or(Some(Scheme::Jwt)),
                Some("invalid_request"),
                Some(*reason),
            ),
            AuthError::InvalidCredentials { scheme, reason } => {
                (Some(*scheme), Some(self.error.code()), Some(*reason))
            }
            _ => (None, None, None),
        };
        self.schemes
            .iter()
            .map(|scheme| {
                let mut value = match scheme {
                    Scheme::Jwt => format!("Bearer realm=\"{}\"", self.realm),
                    Scheme::Basic => format!("Basic realm=\"{}\", charset=\"UTF-8\"", self.realm),
                    Scheme::Session => format!("Session realm=\"{}\"", self.realm),
                    Scheme::ApiKey => {
                        format!(
                            "ApiKey realm=\"{}\", header=\"{}\"",
                            self.realm, self.api_key_header
                        )
                    }
                };
                // Basic (RFC 7617) defines no error parameters.
                if failed == Some(scheme)
                    && scheme != Scheme::Basic
                    && let (Some(error), Some(description)) = (error, description)
                {
                    value.push_str(&format!(
                        ", error=\"{error}\", error_description=\"{description}\""
                    ));
                }
                HeaderValue::try_from(value).unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
            })
            .collect()
    }

    /// Status-specific headers: every challenge, and `Retry-After` on 503.
    pub fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for challenge in self.challenges() {
            headers.append(WWW_AUTHENTICATE, challenge);
        }
        match &self.error {
            AuthError::Unavailable => {
                headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
            }
            AuthError::Throttled { retry_after } => {
                headers.insert(RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
        headers
    }
}
