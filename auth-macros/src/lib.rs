//! Procedural macros of Portcullis. Use them through the `portcullis` crate, whose
//! documentation shows each macro and the code it stands for.
//!
//! Each macro is parse → validate → expand, one module per stage; the entry points
//! only convert token types.

#![warn(missing_docs, unreachable_pub)]

mod auth;
mod auth_user;
mod suggest;

use proc_macro::TokenStream;

/// See `portcullis::AuthUser`.
#[proc_macro_derive(AuthUser, attributes(auth_user))]
pub fn derive_auth_user(input: TokenStream) -> TokenStream {
    auth_user::derive(input.into()).into()
}

/// See `portcullis::auth`.
#[proc_macro_attribute]
pub fn auth(args: TokenStream, item: TokenStream) -> TokenStream {
    auth::attribute(args.into(), item.into()).into()
}
