//! The axum adapter: the guards as extractors, refusals as responses.

use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use crate::audit::ResolvedClient;
use crate::browser::{OriginalTarget, RouteOptions};
use crate::credentials::ClientAddr;
use crate::deferred::{Deferred, DeferredBody};
use crate::gate::{Portcullis, SchemeSet};
use crate::guard::{Authenticated, MaybeAuthenticated};
use crate::rejection::Refusal;
use crate::resource::{Loaded, Resource};
use crate::state::{GateSource, Guard, Guarded, HasGate, Unreached};
use crate::user::AuthUser;

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self.into_framework::<Response>() {
            Ok(response) => response,
            Err(refusal) => refusal.into_inner().map(axum::body::Body::from),
        }
    }
}

/// The peer address axum's `ConnectInfo` recorded, if the app is served with it.
pub(crate) fn peer_addr(parts: &Parts) -> Option<std::net::IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The peer address as the throttling address, unless the application set one; and
/// the request's target before nesting stripped a prefix (a redirect's `next`).
fn note_peer(parts: &mut Parts) {
    if let Some(axum::extract::OriginalUri(uri)) = parts.extensions.get::<axum::extract::OriginalUri>() {
        let target = OriginalTarget(uri.clone());
        parts.extensions.insert(target);
    }
    if parts.extensions.get::<ClientAddr>().is_none()
        && let Some(ip) = peer_addr(parts)
    {
        parts.extensions.insert(ClientAddr(ip));
    }
}

/// The client address the gate resolved behind a trusted proxy, for the application's
/// audit events (`portcullis::audit::api_key_created`); without a proxy it is the peer.
fn note_client<U: AuthUser>(gate: &Portcullis<U>, parts: &mut Parts) {
    let peer = parts.extensions.get::<ClientAddr>().map(|ClientAddr(ip)| *ip);
    if let Some(ip) = gate.client_ip(parts)
        && Some(ip) != peer
    {
        parts.extensions.insert(ResolvedClient(ip));
    }
}

impl<U, S, O, St> FromRequestParts<St> for Authenticated<U, S, O>
where
    U: AuthUser,
    S: SchemeSet<U>,
    O: RouteOptions,
    St: Send + Sync,
    Portcullis<U>: FromRef<St>,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        note_peer(parts);
        let gate = Portcullis::<U>::from_ref(state);
        let authenticated = Authenticated::from_parts(&gate, parts).await?;
        note_client(&gate, parts);
        Ok(authenticated)
    }
}

impl<U, S, O, St> FromRequestParts<St> for MaybeAuthenticated<U, S, O>
where
    U: AuthUser,
    S: SchemeSet<U>,
    O: RouteOptions,
    St: Send + Sync,
    Portcullis<U>: FromRef<St>,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        note_peer(parts);
        let gate = Portcullis::<U>::from_ref(state);
        let authenticated = MaybeAuthenticated::from_parts(&gate, parts).await?;
        note_client(&gate, parts);
        Ok(authenticated)
    }
}

/// The way an axum state gives the gate: `FromRef` (see `crate::state`).
pub struct ViaState;

#[diagnostic::do_not_recommend]
impl<St, U: AuthUser> HasGate<U, ViaState> for St where Portcullis<U>: FromRef<St> {}

impl<St, G: Guard> GateSource<St, G> for ViaState
where
    Portcullis<G::User>: FromRef<St>,
{
    fn authenticate(state: &St, parts: &mut Parts) -> impl Future<Output = Result<G, Refusal>> + Send {
        let gate = Portcullis::<G::User>::from_ref(state);
        async move {
            let guard = G::authenticate(&gate, parts).await?;
            note_client(&gate, parts);
            Ok(guard)
        }
    }
}

/// The guard parameter of a generated handler: authenticated by way of `V`, which the
/// handler's bound `St: HasGate<U, V>` decides (see `crate::state`).
impl<G, St, V> FromRequestParts<St> for Guarded<G, St, V>
where
    G: Guard,
    V: GateSource<St, G>,
    St: Send + Sync,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        note_peer(parts);
        V::authenticate(state, parts).await.map(Guarded::new)
    }
}

/// A parameter of a handler whose `#[auth]` failed: extracts (so the handler still is
/// one, and the macro's error is the only one), never runs.
impl<T, St: Send + Sync> FromRequestParts<St> for Unreached<T> {
    type Rejection = http::StatusCode;

    async fn from_request_parts(_: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        Err(http::StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// A `#[resource]` parameter: its id from the path, then the application's loader. A
/// path that does not deserialize is axum's own rejection; a missing resource or a
/// failing store is decided by the handler, after authentication.
impl<T, St> FromRequestParts<St> for Loaded<T>
where
    T: Resource<St>,
    St: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(id) =
            <axum::extract::Path<T::Id> as FromRequestParts<St>>::from_request_parts(parts, state)
                .await
                .map_err(IntoResponse::into_response)?;
        Ok(Loaded(T::load(id, state).await))
    }
}

impl<T, St> FromRequestParts<St> for Deferred<T>
where
    T: FromRequestParts<St> + Send + 'static,
    T::Rejection: IntoResponse,
    St: Clone + Send + Sync + 'static,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        let mut parts = parts.clone();
        let state = state.clone();
        Ok(Deferred::new(async move {
            T::from_request_parts(&mut parts, &state)
                .await
                .map_err(|rejection| framework_refusal(rejection.into_response()))
        }))
    }
}

/// Marks the `FromRequest` impl of [`DeferredBody`] (axum's marker `M` of the inner
/// extractor, kept apart from axum's own markers).
pub struct ViaDeferred<M>(std::marker::PhantomData<M>);

impl<T, St, M> FromRequest<St, ViaDeferred<M>> for DeferredBody<T>
where
    T: FromRequest<St, M> + Send + 'static,
    T::Rejection: IntoResponse,
    St: Clone + Send + Sync + 'static,
    M: 'static,
{
    type Rejection = std::convert::Infallible;

    async fn from_request(request: Request, state: &St) -> Result<Self, Self::Rejection> {
        let state = state.clone();
        Ok(DeferredBody::new(async move {
            T::from_request(request, &state)
                .await
                .map_err(|rejection| framework_refusal(rejection.into_response()))
        }))
    }
}

fn framework_refusal(response: Response) -> Refusal {
    Refusal::framework(response.status(), response)
}

/// The [`AuthLayer`](crate::AuthLayer)'s finding as a handler parameter. Without the
/// layer on the route: 500 (a wiring mistake, logged), never an anonymous user.
impl<S: Send + Sync, U: AuthUser> FromRequestParts<S> for crate::guard::RequestUser<U> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        parts
            .extensions
            .get::<crate::guard::RequestUser<U>>()
            .cloned()
            .ok_or_else(|| {
                tracing::error!("a handler takes RequestUser but the route has no AuthLayer");
                (
                    http::StatusCode::INTERNAL_SERVER_ERROR,
                    [(http::header::CONTENT_TYPE, "application/json")],
                    r#"{"error":"server_error","message":"the server is misconfigured"}"#,
                )
                    .into_response()
            })
    }
}
