//! A handler that panics answers 500 `server_error` through the gate's renderer, and
//! the server keeps serving: tower-http's `CatchPanicLayer` with a response made by
//! [`Portcullis::refuse`]. Without it, axum drops the connection of a request whose
//! handler panicked (the client sees no answer at all).
//!
//! A layer rather than code in what `#[require(fn = ...)]` or `#[policy]` generate:
//! a panic anywhere in the route (a predicate, the handler's body, an extractor, a
//! resource loader) is caught in one place, the generated code stays free of
//! `catch_unwind` and its `UnwindSafe` bounds, and the application sees the choice
//! in its router.

use std::any::Any;

use axum::body::Body;
use tower_http::catch_panic::{CatchPanicLayer, ResponseForPanic};

use crate::error::AuthError;
use crate::gate::Portcullis;
use crate::user::AuthUser;

/// Makes the answer to a request whose handler panicked: the gate's rendering of
/// [`AuthError::Internal`] (500 `server_error`, no challenge). Made by
/// [`Portcullis::catch_panic_layer`].
///
/// ```
/// # use portcullis::{AuthUser, InMemoryUserStore, Portcullis};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
/// let layer = auth.catch_panic_layer(); // a `CatchPanicLayer<PanicResponse<User>>`
/// let app: axum::Router = axum::Router::new().layer(layer);
/// ```
pub struct PanicResponse<U: AuthUser> {
    gate: Portcullis<U>,
}

impl<U: AuthUser> Clone for PanicResponse<U> {
    fn clone(&self) -> Self {
        PanicResponse {
            gate: self.gate.clone(),
        }
    }
}

impl<U: AuthUser> std::fmt::Debug for PanicResponse<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PanicResponse").finish_non_exhaustive()
    }
}

impl<U: AuthUser> ResponseForPanic for PanicResponse<U> {
    type ResponseBody = Body;

    fn response_for_panic(&mut self, _payload: Box<dyn Any + Send + 'static>) -> http::Response<Body> {
        // The panic's message was printed by the panic hook; it may hold request data,
        // so it is neither logged again here nor sent.
        tracing::error!("a handler panicked: answered 500 server_error");
        self.gate
            .refuse(AuthError::Internal, &[])
            .into_inner()
            .map(Body::from)
    }
}

impl<U: AuthUser> Portcullis<U> {
    /// A layer that answers a panicking handler (or requirement predicate, policy,
    /// extractor) with 500 `server_error` rendered by this gate's
    /// [`ErrorRenderer`](crate::ErrorRenderer) (JSON or problem+json, as every other
    /// refusal), instead of axum dropping the connection. Other requests are not
    /// affected. Add it to the router as the outermost layer.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use portcullis::{AuthUser, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    ///
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
    /// let app: Router = Router::new()
    ///     .route("/", get(|| async { "hello" }))
    ///     .layer(auth.catch_panic_layer());
    /// ```
    pub fn catch_panic_layer(&self) -> CatchPanicLayer<PanicResponse<U>> {
        CatchPanicLayer::custom(PanicResponse { gate: self.clone() })
    }
}
