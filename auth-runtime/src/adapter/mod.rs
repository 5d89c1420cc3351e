//! Framework adapters: thin glue from a framework's request and state to the
//! framework-neutral gate and guards, and from a [`Refusal`](crate::Refusal) back.

#[cfg(feature = "axum")]
pub(crate) mod axum;
#[cfg(feature = "axum")]
pub(crate) mod router;
#[cfg(feature = "axum")]
pub mod routing;

use std::net::IpAddr;

use http::request::Parts;

use crate::audit::Origin;
use crate::credentials::ClientAddr;
use crate::gate::Portcullis;
use crate::user::AuthUser;

/// The peer address: [`ClientAddr`] when the application set it, else the
/// framework's peer address (axum: `ConnectInfo`). Forwarding headers are not read
/// here: [`Portcullis::client_ip`] applies the trusted proxies.
///
/// ```
/// use portcullis::{ClientAddr, client_addr};
/// let (mut parts, ()) = http::Request::new(()).into_parts();
/// assert_eq!(client_addr(&parts), None);
/// parts.extensions.insert(ClientAddr("203.0.113.7".parse().unwrap()));
/// assert_eq!(client_addr(&parts), Some("203.0.113.7".parse().unwrap()));
/// ```
pub fn client_addr(parts: &Parts) -> Option<IpAddr> {
    if let Some(ClientAddr(ip)) = parts.extensions.get::<ClientAddr>() {
        return Some(*ip);
    }
    #[cfg(feature = "axum")]
    if let Some(ip) = axum::peer_addr(parts) {
        return Some(ip);
    }
    None
}

impl<U: AuthUser> Portcullis<U> {
    /// The client address to throttle a password login under: the peer
    /// ([`client_addr`]), or, when the peer is one of the
    /// [trusted proxies](crate::PortcullisBuilder::trusted_proxies), the address its
    /// `Forwarded` / `X-Forwarded-For` header names.
    ///
    /// ```
    /// use portcullis::{AuthUser, ClientAddr, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
    ///     .trusted_proxies(["10.0.0.0/8"])
    ///     .build()
    ///     .unwrap();
    /// let request = http::Request::get("/").header("x-forwarded-for", "203.0.113.7").body(()).unwrap();
    /// let (mut parts, ()) = request.into_parts();
    /// parts.extensions.insert(ClientAddr("10.0.0.2".parse().unwrap()));
    /// assert_eq!(auth.client_ip(&parts), Some("203.0.113.7".parse().unwrap()));
    /// ```
    pub fn client_ip(&self, parts: &Parts) -> Option<IpAddr> {
        self.inner.login.client(parts, client_addr(parts))
    }

    /// Where the request came from, for its audit events: [`client_ip`](Self::client_ip)
    /// and the request id.
    pub(crate) fn origin(&self, parts: &Parts) -> Origin {
        Origin::new(self.client_ip(parts), &parts.headers)
    }
}
