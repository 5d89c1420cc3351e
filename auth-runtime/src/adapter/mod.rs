//! Framework adapters: thin glue from a framework's request and state to the
//! framework-neutral gate and guards, and from a [`Refusal`](crate::Refusal) back.

#[cfg(feature = "axum")]
pub(crate) mod axum;
#[cfg(feature = "axum")]
pub(crate) mod router;

use std::net::IpAddr;

use http::request::Parts;

use crate::credentials::ClientAddr;

/// The address used for throttling: [`ClientAddr`] when the application (a trusted
/// proxy layer) set it, else the framework's peer address (axum: `ConnectInfo`).
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
