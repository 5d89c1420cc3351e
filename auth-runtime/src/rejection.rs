//! The one mapping from a failure to HTTP: status, `WWW-Authenticate` challenges,
//! `Retry-After`, and the [`Refusal`] the handler returns.
//!
//! Every answer the library writes — the extractors' 401/403/404/429/503 and the auth
//! router's 400/403/404/409 — is a [`Rejection`] rendered by the application's
//! [`ErrorRenderer`](crate::ErrorRenderer); status, challenges and `Retry-After` are
//! imposed afterwards so that no renderer can change them.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, StatusCode};

use crate::error::AuthError;
use crate::scheme::name::Scheme;

/// One scheme's challenge as a route offers it (`Bearer realm="api"`), built once
/// at start-up from the scheme's [`AuthScheme::challenge`](crate::AuthScheme::challenge);
/// a [`Rejection`] holds the route's challenges and renders them into
/// `WWW-Authenticate` headers.
///
/// ```
/// # fn demo(rejection: &portcullis::Rejection) {
/// for challenge in rejection.challenges() {
///     println!("WWW-Authenticate: {}", challenge.to_str().unwrap());
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Challenge {
    pub(crate) scheme: Scheme,
    /// The challenge without error parameters.
    pub(crate) base: Arc<str>,
    /// Whether the scheme defines `error=` parameters (Basic does not, RFC 7617).
    pub(crate) takes_errors: bool,
}

/// A failure together with what the HTTP answer needs: the challenges of the schemes
/// the route accepts, in the route's order, and the realm.
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
#[derive(Debug, Clone)]
pub struct Rejection {
    error: AuthError,
    challenges: Vec<Challenge>,
    realm: Arc<str>,
}

impl Rejection {
    pub(crate) fn new(error: AuthError, challenges: Vec<Challenge>, realm: Arc<str>) -> Self {
        Rejection {
            error,
            challenges,
            realm,
        }
    }

    /// The typed failure.
    pub fn error(&self) -> &AuthError {
        &self.error
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.error.status()
    }

    /// The machine-readable code (`invalid_token`, `forbidden`, `invalid_input`, ...).
    pub fn code(&self) -> &str {
        self.error.code()
    }

    /// Human text for the body; never contains credentials.
    pub fn message(&self) -> String {
        match &self.error {
            AuthError::MissingCredentials => {
                let names: Vec<&str> = self.challenges.iter().map(|c| c.scheme.as_str()).collect();
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
        if let AuthError::Denied { scheme, .. } = &self.error
            && *scheme == Scheme::JWT
        {
            let value = format!("Bearer realm=\"{}\", error=\"insufficient_scope\"", self.realm);
            return HeaderValue::try_from(value).into_iter().collect();
        }
        if self.status() != StatusCode::UNAUTHORIZED {
            return Vec::new();
        }
        let (failed, error, description) = match &self.error {
            AuthError::InvalidRequest { scheme, reason } => (
                scheme.or(Some(Scheme::JWT)),
                Some("invalid_request"),
                Some(*reason),
            ),
            AuthError::InvalidCredentials { scheme, reason } => {
                (Some(*scheme), Some(self.error.code()), Some(*reason))
            }
            AuthError::FreshLoginRequired { scheme } => (
                Some(*scheme),
                Some(self.error.code()),
                Some("a fresh login is required"),
            ),
            _ => (None, None, None),
        };
        self.challenges
            .iter()
            .map(|challenge| {
                let mut value = challenge.base.to_string();
                if failed == Some(challenge.scheme)
                    && challenge.takes_errors
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

    /// Status-specific headers: every challenge, and `Retry-After` on 429 and 503.
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

    /// Imposes status, challenges and `Retry-After` on a rendered response.
    pub(crate) fn impose(&self, mut response: http::Response<Bytes>) -> http::Response<Bytes> {
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.remove(WWW_AUTHENTICATE);
        headers.remove(RETRY_AFTER);
        headers.extend(self.headers());
        response
    }
}

/// A rendered refusal: the framework-neutral response a guard or the auth router
/// answers with. Framework adapters convert it (axum: `IntoResponse`).
///
/// ```
/// use portcullis::{AuthError, AuthUser, InMemoryUserStore, Portcullis, Refusal, Scheme};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
/// let refusal: Refusal = auth.refuse(AuthError::MissingCredentials, &[Scheme::JWT]);
/// assert_eq!(refusal.status(), 401);
/// assert_eq!(refusal.response().unwrap().headers()["www-authenticate"], "Bearer realm=\"api\"");
/// ```
///
/// A refusal can also carry a framework's own response: the rejection of an
/// extractor that `#[require]` deferred until after its checks (a malformed JSON
/// body, say), passed through unchanged.
pub struct Refusal(Box<Answer>);

enum Answer {
    Rendered(http::Response<Bytes>),
    Framework(StatusCode, Box<dyn std::any::Any + Send>),
}

impl std::fmt::Debug for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Refusal").field(&self.status()).finish()
    }
}

impl Refusal {
    pub(crate) fn new(response: http::Response<Bytes>) -> Self {
        Refusal(Box::new(Answer::Rendered(response)))
    }

    /// A framework adapter's own answer (an extractor's rejection), kept as it is;
    /// for writers of framework adapters.
    ///
    /// ```
    /// use portcullis::Refusal;
    /// let refusal = Refusal::framework(http::StatusCode::BAD_REQUEST, "the framework's response");
    /// assert_eq!(refusal.status(), 400);
    /// assert_eq!(refusal.into_framework::<&str>().unwrap(), "the framework's response");
    /// ```
    pub fn framework<R: std::any::Any + Send>(status: StatusCode, response: R) -> Self {
        Refusal(Box::new(Answer::Framework(status, Box::new(response))))
    }

    /// The framework answer of type `R`, if this refusal carries one (else the
    /// refusal back); for writers of framework adapters.
    ///
    /// # Errors
    /// The refusal itself when it carries no answer of type `R`.
    pub fn into_framework<R: std::any::Any>(self) -> Result<R, Self> {
        match *self.0 {
            Answer::Framework(status, any) => match any.downcast::<R>() {
                Ok(response) => Ok(*response),
                Err(any) => Err(Refusal(Box::new(Answer::Framework(status, any)))),
            },
            rendered => Err(Refusal(Box::new(rendered))),
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        match &*self.0 {
            Answer::Rendered(response) => response.status(),
            Answer::Framework(status, _) => *status,
        }
    }

    /// The rendered response (`None` for a framework's own answer).
    pub fn response(&self) -> Option<&http::Response<Bytes>> {
        match &*self.0 {
            Answer::Rendered(response) => Some(response),
            Answer::Framework(..) => None,
        }
    }

    /// The rendered response, to send with any framework (a framework's own answer
    /// becomes an empty response with its status).
    pub fn into_inner(self) -> http::Response<Bytes> {
        match *self.0 {
            Answer::Rendered(response) => response,
            Answer::Framework(status, _) => {
                let mut response = http::Response::new(Bytes::new());
                *response.status_mut() = status;
                response
            }
        }
    }
}
