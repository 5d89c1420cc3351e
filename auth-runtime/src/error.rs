//! Typed failures: [`AuthError`] (why a request is refused), [`ConfigError`] (a
//! start-up mistake) and [`StoreError`] (a store could not answer).
//!
//! Schemes, hooks, stores and the auth router return these reasons, never responses;
//! [`Rejection`](crate::Rejection) is the one place that turns them into HTTP.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::StatusCode;
use jsonwebtoken::Algorithm;

use crate::scheme::name::Scheme;

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
    /// The route requires a fresh login (`#[require(fresh)]`) and the credential is not
    /// one: 401 with `error="insufficient_user_authentication"` on Bearer (RFC 9470).
    FreshLoginRequired {
        /// The scheme the user authenticated with.
        scheme: Scheme,
    },
    /// Refused before or after verification by an application hook (or a custom
    /// scheme) without blaming one credential: 401 with the route's challenges.
    Refused {
        /// What was wrong.
        reason: &'static str,
    },
    /// The request itself is not acceptable (a malformed body, a field out of range):
    /// 400, or another 4xx status such as 409 or 422.
    Input {
        /// 400, 409, 422 ...: any client-error status.
        status: StatusCode,
        /// The machine-readable code (`invalid_input`, `conflict`, ...).
        code: &'static str,
        /// Human text for the body; never secrets.
        message: Cow<'static, str>,
    },
    /// The server is misconfigured (for example a route lists a scheme that was never
    /// registered): 500, details only in the log.
    Misconfigured {
        /// What is missing, for the log.
        reason: &'static str,
    },
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
            | AuthError::InvalidCredentials { .. }
            | AuthError::FreshLoginRequired { .. } => StatusCode::UNAUTHORIZED,
            AuthError::Forbidden { .. } | AuthError::Denied { .. } => StatusCode::FORBIDDEN,
            AuthError::NotFound => StatusCode::NOT_FOUND,
            AuthError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AuthError::CsrfRejected { .. } => StatusCode::FORBIDDEN,
            AuthError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AuthError::Refused { .. } => StatusCode::UNAUTHORIZED,
            AuthError::Input { status, .. } => *status,
            AuthError::Misconfigured { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code of the JSON body (`"error"`).
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::MissingCredentials => "missing_credentials",
            AuthError::InvalidRequest { .. } => "invalid_request",
            AuthError::InvalidCredentials { scheme, .. } if *scheme == Scheme::JWT => "invalid_token",
            AuthError::InvalidCredentials { .. } => "invalid_credentials",
            AuthError::Forbidden { .. } | AuthError::Denied { .. } => "forbidden",
            AuthError::NotFound => "not_found",
            AuthError::FreshLoginRequired { .. } => "insufficient_user_authentication",
            AuthError::Throttled { .. } => "too_many_attempts",
            AuthError::CsrfRejected { .. } => "csrf_rejected",
            AuthError::Unavailable => "temporarily_unavailable",
            AuthError::Refused { .. } => "unauthorized",
            AuthError::Input { code, .. } => code,
            AuthError::Misconfigured { .. } => "server_error",
        }
    }

    /// The fixed text of a refusal that has one (never request data).
    pub(crate) fn reason(&self) -> Option<&'static str> {
        match self {
            AuthError::InvalidRequest { reason, .. }
            | AuthError::InvalidCredentials { reason, .. }
            | AuthError::Forbidden { reason }
            | AuthError::CsrfRejected { reason }
            | AuthError::Refused { reason } => Some(reason),
            _ => None,
        }
    }

    /// A 400 (or other client-error) answer with its code and message.
    ///
    /// ```
    /// use portcullis::AuthError;
    /// use http::StatusCode;
    /// let taken = AuthError::input(StatusCode::CONFLICT, "conflict", "the user name is taken");
    /// assert_eq!(taken.status(), StatusCode::CONFLICT);
    /// assert_eq!(taken.to_string(), "the user name is taken");
    /// ```
    pub fn input(status: StatusCode, code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        let status = if status.is_client_error() {
            status
        } else {
            StatusCode::BAD_REQUEST
        };
        AuthError::Input {
            status,
            code,
            message: message.into(),
        }
    }

    /// The credentials of `scheme` were malformed (`error="invalid_request"`).
    pub fn invalid_request(scheme: Scheme, reason: &'static str) -> Self {
        AuthError::InvalidRequest {
            scheme: Some(scheme),
            reason,
        }
    }

    /// The credentials of `scheme` were refused (bad signature, unknown key, ...).
    pub fn invalid(scheme: Scheme, reason: &'static str) -> Self {
        AuthError::InvalidCredentials { scheme, reason }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::MissingCredentials => f.write_str("authentication required"),
            AuthError::Denied { requirement, .. } => write!(f, "missing requirement: {requirement}"),
            AuthError::NotFound => f.write_str("the resource does not exist"),
            AuthError::FreshLoginRequired { .. } => {
                f.write_str("this needs a fresh login: sign in with your password again")
            }
            AuthError::Throttled { retry_after } => {
                write!(f, "too many failed attempts: try again in {retry_after} s")
            }
            AuthError::Unavailable => {
                f.write_str("authentication is temporarily unavailable, try again later")
            }
            AuthError::Input { message, .. } => f.write_str(message),
            AuthError::Misconfigured { .. } => f.write_str("the server cannot authenticate this request"),
            other => f.write_str(other.reason().unwrap_or("authentication failed")),
        }
    }
}

impl std::error::Error for AuthError {}

/// A configuration mistake found at start-up by [`PortcullisBuilder::build`](crate::PortcullisBuilder::build).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
///
/// ```
/// use portcullis::{Algorithm, AuthUser, ConfigError, InMemoryUserStore, JwtConfig, JwtKey, Portcullis};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// let built = Portcullis::builder(InMemoryUserStore::<User>::new())
///     .jwt(JwtConfig::new().key(JwtKey::hmac(b"too short", Algorithm::HS256)))
///     .build();
/// assert!(matches!(built, Err(ConfigError::WeakSecret { min_bytes: 32, actual_bytes: 9, .. })));
/// ```
pub enum ConfigError {
    /// An HMAC secret is shorter than its algorithm needs.
    #[error("the {alg:?} secret has {actual_bytes} bytes; it needs at least {min_bytes} random bytes")]
    WeakSecret {
        /// The algorithm.
        alg: Algorithm,
        /// Bytes required.
        min_bytes: usize,
        /// Bytes given.
        actual_bytes: usize,
    },
    /// The HMAC secret looks like a PEM or JWK document.
    #[error("the HMAC secret looks like a PEM or JWK key; use JwtKey::pem / JwtKey::jwk for public keys")]
    SecretLooksLikeKey,
    /// The HMAC secret is long enough but of low variety (a passphrase, a repeated
    /// byte): its estimated entropy is under 128 bits.
    #[error(
        "the HMAC secret has too little variety (about {estimated_bits} bits of entropy, 128 needed); generate one with `openssl rand -base64 48`"
    )]
    LowVarietySecret {
        /// The secret's estimated entropy (Shannon entropy of its bytes times its length).
        estimated_bits: u32,
    },
    /// An RSA key is shorter than 2048 bits.
    #[error("the RSA key has {bits} bits; at least 2048 are required")]
    WeakRsaKey {
        /// Modulus size.
        bits: usize,
    },
    /// A key could not be parsed.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A JWK or JWKS could not be used.
    #[error("invalid JWK: {0}")]
    InvalidJwk(String),
    /// An algorithm does not fit its key.
    #[error("{alg:?}: {reason}")]
    AlgorithmMismatch {
        /// The algorithm.
        alg: Algorithm,
        /// Why it does not fit.
        reason: &'static str,
    },
    /// JWT was configured without any key.
    #[error("JWT is configured without a key; add one with JwtConfig::key or JwtConfig::jwks")]
    NoJwtKeys,
    /// Two keys share a `kid`.
    #[error("two keys have the kid {0:?}; a kid must select exactly one key")]
    DuplicateKid(String),
    /// More than one key has no `kid`.
    #[error("only one key may lack a kid (it verifies tokens without kid); give the others a kid")]
    SeveralKeysWithoutKid,
    /// A `kid` is empty or longer than 256 bytes.
    #[error("a kid must have 1 to 256 bytes")]
    InvalidKid,
    /// Leeway above 60 seconds.
    #[error("a clock leeway of {0:?} is too large; at most 60 s is allowed")]
    LeewayTooLarge(Duration),
    /// A static API key is too short or has invalid characters.
    #[error("static API keys need 24 to 512 visible ASCII characters")]
    WeakApiKey,
    /// A static API key names a user id that does not parse.
    #[error("the user id {0:?} of a static API key is not a valid id")]
    InvalidUserId(String),
    /// Tokens signed by the [`TokenConfig`](crate::TokenConfig) would be refused by the
    /// server's own JWT configuration (key, issuer or audience differ).
    #[error("tokens this server issues would be refused by its own JWT configuration: {0}")]
    IssuedTokensRejected(String),
    /// An identity provider's settings cannot work (a plain-HTTP issuer, no audience,
    /// no tokio runtime to refresh its keys in).
    #[error("identity provider: {0}")]
    InvalidProvider(String),
    /// Some other setting is out of range.
    #[error("{0}")]
    Invalid(&'static str),
    /// The SMTP mailer's settings are invalid (feature `smtp`): the sender's address,
    /// the server's name for TLS.
    #[error("SMTP mailer: {0}")]
    InvalidMailer(String),
    /// Deny by default: a route is served by a handler with neither `#[auth(...)]` nor
    /// `#[public]` (a closure, a plain function, a handler of another router).
    #[error(
        "{method} {path} is served by `{handler}`, which has neither `#[auth(...)]` nor `#[public]`: annotate it (`#[public]` if it is meant to be open to everyone)"
    )]
    Unannotated {
        /// The route's method(s).
        method: String,
        /// The route's path as the router serves it.
        path: String,
        /// The handler's type name.
        handler: String,
    },
    /// A served handler accepts a scheme this gate cannot use: what is missing and how
    /// to add it.
    #[error("`{handler}` accepts `{scheme}`, but {missing}")]
    SchemeNotConfigured {
        /// The handler's path.
        handler: String,
        /// The scheme as written in `#[auth(...)]`.
        scheme: String,
        /// What is missing, and the setting that adds it.
        missing: &'static str,
    },
}

/// A store could not answer. Portcullis answers 503 and never lets the request in.
///
/// The message is for logs; it must not contain secrets.
#[derive(Debug, Clone, thiserror::Error)]
#[error("store unavailable: {message}")]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// A store failure with a log message.
    ///
    /// ```
    /// let e = portcullis::StoreError::new("connection refused");
    /// assert_eq!(e.to_string(), "store unavailable: connection refused");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }
}

/// Logs a store failure and answers 503.
pub(crate) fn store_down(e: StoreError) -> AuthError {
    tracing::error!(error = %e, "store unavailable");
    AuthError::Unavailable
}
