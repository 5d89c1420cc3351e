#![doc = include_str!("../README.md")]
#![warn(missing_docs, unreachable_pub)]

pub use portcullis_macros::{AuthUser, auth};
pub use portcullis_runtime::*;

/// The most used items in one import: `use portcullis::prelude::*;`.
pub mod prelude {
    pub use portcullis_macros::{AuthUser, auth};
    pub use portcullis_runtime::{AuthInfo, AuthUser as _, JwtConfig, JwtKey, Portcullis, Scheme, UserStore};
}

/// Items the macros' generated code names. Not public API: no stability promise.
#[doc(hidden)]
pub mod __private {
    pub use portcullis_runtime::{AuthUser, NameSet, OptionalText, Scheme, SchemeList};
    #[cfg(feature = "axum")]
    pub use portcullis_runtime::{Authenticated, MaybeAuthenticated};
}
