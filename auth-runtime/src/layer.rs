//! Middleware mode: a tower [`Layer`] that authenticates every request with a scheme
//! list and puts what it found — the user, or nobody — into the request's extensions
//! as a [`RequestUser`]. Bad credentials are refused with 401 whether or not the route
//! needs a user. Guards (`#[auth]`) under the layer reuse its result when it came from
//! one of their schemes, so a request is verified once.
//!
//! Framework-neutral: tower and `http` only (axum routers take it with `.layer(...)`).

use std::marker::PhantomData;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::credentials::ClientAddr;
use crate::gate::{Portcullis, SchemeSet};
use crate::guard::RequestUser;
use crate::user::AuthUser;

/// Authenticates every request with the schemes `S` (a tuple such as `(Jwt, Session)`).
///
/// ```
/// use axum::{Router, routing::get};
/// use portcullis::{AuthLayer, AuthUser, InMemoryUserStore, Portcullis, RequestUser};
/// use portcullis::schemes::{ApiKey, Jwt};
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64 }
///
/// async fn home(who: RequestUser<User>) -> String {
///     match who.user() {
///         Some(user) => format!("hello {}", user.id),
///         None => "hello stranger".into(),
///     }
/// }
///
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
/// let app: Router = Router::new()
///     .route("/", get(home))
///     .layer(AuthLayer::<User, (Jwt, ApiKey)>::new(auth));
/// ```
pub struct AuthLayer<U: AuthUser, S> {
    gate: Portcullis<U>,
    schemes: PhantomData<fn() -> S>,
}

impl<U: AuthUser, S> Clone for AuthLayer<U, S> {
    fn clone(&self) -> Self {
        AuthLayer {
            gate: self.gate.clone(),
            schemes: PhantomData,
        }
    }
}

impl<U: AuthUser, S: SchemeSet<U>> AuthLayer<U, S> {
    /// A layer authenticating with `gate`'s instances of the schemes `S`.
    pub fn new(gate: Portcullis<U>) -> Self {
        AuthLayer {
            gate,
            schemes: PhantomData,
        }
    }
}

impl<U: AuthUser, S: SchemeSet<U>, Inner> Layer<Inner> for AuthLayer<U, S> {
    type Service = AuthService<U, S, Inner>;

    fn layer(&self, inner: Inner) -> Self::Service {
        AuthService {
            gate: self.gate.clone(),
            inner,
            schemes: PhantomData,
        }
    }
}

/// The service [`AuthLayer`] wraps around the application.
pub struct AuthService<U: AuthUser, S, Inner> {
    gate: Portcullis<U>,
    inner: Inner,
    schemes: PhantomData<fn() -> S>,
}

impl<U: AuthUser, S, Inner: Clone> Clone for AuthService<U, S, Inner> {
    fn clone(&self) -> Self {
        AuthService {
            gate: self.gate.clone(),
            inner: self.inner.clone(),
            schemes: PhantomData,
        }
    }
}

impl<U, S, Inner, ReqBody, ResBody> Service<Request<ReqBody>> for AuthService<U, S, Inner>
where
    U: AuthUser,
    S: SchemeSet<U>,
    Inner: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    Inner::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: From<Bytes> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = Inner::Error;
    type Future = std::pin::Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // The clone that was polled ready serves this request (tower's usual dance).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let gate = self.gate.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            if parts.extensions.get::<ClientAddr>().is_none()
                && let Some(ip) = crate::adapter::client_addr(&parts)
            {
                parts.extensions.insert(ClientAddr(ip));
            }
            match gate.authenticate::<S>(&parts).await {
                Ok(found) => {
                    let who = match found {
                        Some((user, info)) => RequestUser::Authenticated { user, info },
                        None => RequestUser::Anonymous,
                    };
                    parts.extensions.insert(who);
                    inner.call(Request::from_parts(parts, body)).await
                }
                Err(error) => {
                    let refusal = gate.reject::<S>(error);
                    Ok(match refusal.into_framework::<Response<ResBody>>() {
                        Ok(response) => response,
                        Err(refusal) => refusal.into_inner().map(ResBody::from),
                    })
                }
            }
        })
    }
}
