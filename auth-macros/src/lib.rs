//! Procedural macros of Portcullis. Use them through the `portcullis` crate, whose
//! documentation shows each macro and the code it stands for.
//!
//! Each macro is parse → validate → expand, one module per stage; the entry points
//! only convert token types. Shared by several macros: `errors` (the one error
//! accumulator), `handler` (the model of a handler under `#[auth]` / `#[require]`),
//! `requirement` (the requirement language), `krate` (the `crate = path` override).
//! `auth` and `require` do not use each other.

#![warn(missing_docs, unreachable_pub)]

mod auth;
mod auth_user;
mod errors;
mod handler;
mod krate;
mod name_enum;
mod policy;
mod public;
mod registry;
mod require;
mod requirement;
mod respan;
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

/// See `portcullis::public`.
#[proc_macro_attribute]
pub fn public(args: TokenStream, item: TokenStream) -> TokenStream {
    public::attribute(args.into(), item.into()).into()
}

/// See `portcullis::Role`.
#[proc_macro_derive(Role, attributes(role))]
pub fn derive_role(input: TokenStream) -> TokenStream {
    name_enum::derive(name_enum::ROLE, input.into()).into()
}

/// See `portcullis::Permission`.
#[proc_macro_derive(Permission, attributes(permission))]
pub fn derive_permission(input: TokenStream) -> TokenStream {
    name_enum::derive(name_enum::PERMISSION, input.into()).into()
}

/// See `portcullis::policy`.
#[proc_macro_attribute]
pub fn policy(args: TokenStream, item: TokenStream) -> TokenStream {
    policy::attribute(args.into(), item.into()).into()
}

/// See `portcullis::require`.
#[proc_macro_attribute]
pub fn require(args: TokenStream, item: TokenStream) -> TokenStream {
    require::attribute(requirement::Kind::Require, args.into(), item.into()).into()
}

/// See `portcullis::require_returned`.
#[proc_macro_attribute]
pub fn require_returned(args: TokenStream, item: TokenStream) -> TokenStream {
    require::attribute(requirement::Kind::RequireReturned, args.into(), item.into()).into()
}

/// See `portcullis::filter_returned`.
#[proc_macro_attribute]
pub fn filter_returned(args: TokenStream, item: TokenStream) -> TokenStream {
    require::attribute(requirement::Kind::FilterReturned, args.into(), item.into()).into()
}

/// See `portcullis::permissions`.
#[proc_macro_attribute]
pub fn permissions(args: TokenStream, item: TokenStream) -> TokenStream {
    require::attribute(requirement::Kind::Permissions, args.into(), item.into()).into()
}
