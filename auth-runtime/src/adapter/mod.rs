//! Framework adapters: thin glue from a framework's request and state to the
//! framework-neutral gate and guards, and from a [`Refusal`](crate::Refusal) back.

#[cfg(feature = "axum")]
pub(crate) mod axum;
#[cfg(feature = "axum")]
pub(crate) mod router;
