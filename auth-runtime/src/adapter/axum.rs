//! The axum adapter: the guards as extractors, refusals as responses.

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use crate::credentials::ClientAddr;
use crate::gate::{Portcullis, SchemeSet};
use crate::guard::{Authenticated, MaybeAuthenticated};
use crate::rejection::Refusal;
use crate::user::AuthUser;

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        self.into_inner().map(axum::body::Body::from)
    }
}

/// The peer address as the throttling address, unless the application set one.
fn note_peer(parts: &mut Parts) {
    if parts.extensions.get::<ClientAddr>().is_none()
        && let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>()
    {
        let ip = addr.ip();
        parts.extensions.insert(ClientAddr(ip));
    }
}

impl<U, S, St> FromRequestParts<St> for Authenticated<U, S>
where
    U: AuthUser,
    S: SchemeSet<U>,
    St: Send + Sync,
    Portcullis<U>: FromRef<St>,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        note_peer(parts);
        Authenticated::from_parts(&Portcullis::<U>::from_ref(state), parts).await
    }
}

impl<U, S, St> FromRequestParts<St> for MaybeAuthenticated<U, S>
where
    U: AuthUser,
    S: SchemeSet<U>,
    St: Send + Sync,
    Portcullis<U>: FromRef<St>,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        note_peer(parts);
        MaybeAuthenticated::from_parts(&Portcullis::<U>::from_ref(state), parts).await
    }
}
