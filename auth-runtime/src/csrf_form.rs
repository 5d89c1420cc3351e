//! Plain HTML forms under the `session` scheme: a tower [`Layer`] that reads the CSRF
//! token from the form body, since the guard sees only the request's head.
//!
//! For an unsafe-method `application/x-www-form-urlencoded` request carrying the
//! session cookie and no `X-CSRF-Token` header, it buffers the body up to
//! [`SessionConfig::csrf_form_limit`](crate::SessionConfig::csrf_form_limit) (413
//! beyond, 400 when the body cannot be read), takes the
//! [`csrf_form_field`](crate::SessionConfig::csrf_form_field) (a field sent twice
//! counts as none), hands it to the session check in the request's extensions, and
//! re-attaches the body, so that the handler's `Form` reads it as sent. Every other
//! request passes untouched, unbuffered. The token is compared in constant time by the
//! session check, like the header.
//!
//! Framework-neutral: tower, `http` and `http-body` only.

use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tower_layer::Layer;
use tower_service::Service;

use crate::credentials::is_safe_method;
use crate::error::AuthError;
use crate::gate::Portcullis;
use crate::sessions::FormCsrfToken;
use crate::user::AuthUser;

/// Accepts the session's CSRF token from a form field (see the module's text).
///
/// ```
/// use axum::{Form, Router, routing::post};
/// use portcullis::{AuthUser, CsrfFormLayer, InMemoryUserStore, Portcullis, auth};
/// use std::collections::HashMap;
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64 }
///
/// #[auth(session)]
/// async fn save(user: User, Form(form): Form<HashMap<String, String>>) -> String {
///     format!("saved {} fields", form.len())
/// }
///
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
/// let app: Router = Router::new()
///     .route("/notes", post(save))
///     .layer(CsrfFormLayer::new(auth.clone()))
///     .with_state(auth);
/// ```
pub struct CsrfFormLayer<U: AuthUser> {
    gate: Portcullis<U>,
}

impl<U: AuthUser> Clone for CsrfFormLayer<U> {
    fn clone(&self) -> Self {
        CsrfFormLayer {
            gate: self.gate.clone(),
        }
    }
}

impl<U: AuthUser> CsrfFormLayer<U> {
    /// A layer reading the field and limit of `gate`'s [`SessionConfig`](crate::SessionConfig).
    pub fn new(gate: Portcullis<U>) -> Self {
        CsrfFormLayer { gate }
    }
}

impl<U: AuthUser, Inner> Layer<Inner> for CsrfFormLayer<U> {
    type Service = CsrfFormService<U, Inner>;

    fn layer(&self, inner: Inner) -> Self::Service {
        CsrfFormService {
            gate: self.gate.clone(),
            inner,
        }
    }
}

/// The service [`CsrfFormLayer`] wraps around the application.
pub struct CsrfFormService<U: AuthUser, Inner> {
    gate: Portcullis<U>,
    inner: Inner,
}

impl<U: AuthUser, Inner: Clone> Clone for CsrfFormService<U, Inner> {
    fn clone(&self) -> Self {
        CsrfFormService {
            gate: self.gate.clone(),
            inner: self.inner.clone(),
        }
    }
}

/// Whether the layer reads this request's body.
fn reads_form<U: AuthUser>(gate: &Portcullis<U>, parts: &http::request::Parts) -> bool {
    let form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    form && !is_safe_method(&parts.method)
        && !parts.headers.contains_key("x-csrf-token")
        && matches!(gate.inner.sessions.id_from(&parts.headers), Ok(Some(_)))
}

/// The field's value, if it is there exactly once.
fn field(body: &[u8], name: &str) -> Option<String> {
    let mut values = form_urlencoded::parse(body).filter(|(key, _)| key == name);
    let first = values.next()?;
    values.next().is_none().then(|| first.1.into_owned())
}

impl<U, Inner, ReqBody, ResBody> Service<Request<ReqBody>> for CsrfFormService<U, Inner>
where
    U: AuthUser,
    Inner: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    Inner::Future: Send + 'static,
    ReqBody: http_body::Body<Data = Bytes> + From<Bytes> + Send + 'static,
    ReqBody::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    ResBody: From<Bytes> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = Inner::Error;
    type Future = std::pin::Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let gate = self.gate.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            if !reads_form(&gate, &parts) {
                return inner.call(Request::from_parts(parts, body)).await;
            }
            let config = &gate.inner.sessions.config;
            let refuse = |status: StatusCode, code: &'static str, message: &'static str| {
                let refusal = gate.refuse(AuthError::input(status, code, message), &[]);
                Ok(refusal.into_inner().map(ResBody::from))
            };
            let too_large = || {
                refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the form is larger than the server reads",
                )
            };
            let declared = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|n| n > config.form_limit as u64) {
                return too_large();
            }
            let bytes = match Limited::new(body, config.form_limit).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(e) if e.is::<LengthLimitError>() => return too_large(),
                Err(_) => {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        "invalid_input",
                        "the form body could not be read",
                    );
                }
            };
            if let Some(token) = field(&bytes, &config.form_field) {
                parts.extensions.insert(FormCsrfToken(token));
            }
            inner.call(Request::from_parts(parts, ReqBody::from(bytes))).await
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_field_sent_twice_counts_as_none() {
        assert_eq!(
            super::field(b"a=1&csrf_token=x%2By", "csrf_token").as_deref(),
            Some("x+y")
        );
        assert_eq!(super::field(b"csrf_token=x&csrf_token=y", "csrf_token"), None);
        assert_eq!(super::field(b"other=x", "csrf_token"), None);
    }
}
