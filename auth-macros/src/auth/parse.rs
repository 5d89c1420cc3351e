//! Parsing of `#[auth(...)]` arguments and of the handler's signature.
//!
//! Only the signature is parsed; the body stays tokens.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Attribute, Signature, Token, Visibility};

/// One `#[auth(...)]` argument.
pub(super) enum Arg {
    /// `jwt`, `optional`, ... (validated later, so typos get a suggestion).
    Word(syn::Ident),
    /// `crate = path`.
    Crate(syn::Ident, syn::Path),
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(syn::LitStr) {
            let lit: syn::LitStr = input.parse()?;
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "write the scheme as a word, without quotes: `#[auth({})]`",
                    lit.value()
                ),
            ));
        }
        let key = syn::Ident::parse_any(input).map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a scheme name (`jwt`, `api_key`, `basic`, `session`) or `optional`",
            )
        })?;
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            if key == "crate" {
                return Ok(Arg::Crate(key, input.parse()?));
            }
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "`{key} = ...` is not an `#[auth]` option; write schemes as words, e.g. `#[auth(jwt, api_key)]`"
                ),
            ));
        }
        Ok(Arg::Word(key))
    }
}

/// Parsed arguments, or the syntax error.
pub(super) struct Args {
    pub(super) items: syn::Result<Vec<Arg>>,
}

pub(super) fn parse_args(args: TokenStream) -> Args {
    let items = Punctuated::<Arg, Token![,]>::parse_terminated
        .parse2(args)
        .map(|p| p.into_iter().collect());
    Args { items }
}

/// A handler: attributes, visibility, signature, body tokens.
pub(crate) struct Handler {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) body: TokenStream,
}

impl Parse for Handler {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        if !input.peek(syn::token::Brace) {
            return Err(input.error(
                "`#[auth]` goes on a function with a body: `async fn name(user: User) -> R { ... }`",
            ));
        }
        let body: TokenStream = input.parse()?;
        Ok(Handler {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// Whether an attribute is the `#[user]` parameter marker.
pub(super) fn is_user_marker(attr: &Attribute) -> bool {
    attr.path().is_ident("user")
}

impl Handler {
    /// The handler as written, minus `#[user]` markers and with `#[require]` /
    /// `#[permissions]` disarmed (emitted beside a compile error, so that they do not
    /// add a second, misleading "needs `#[auth]`" error).
    pub(crate) fn without_markers(&self) -> TokenStream {
        let mut sig = self.sig.clone();
        for input in &mut sig.inputs {
            if let syn::FnArg::Typed(arg) = input {
                arg.attrs.retain(|a| !is_user_marker(a));
            }
        }
        let (attrs, vis, body) = (&self.attrs, &self.vis, &self.body);
        let mut out = TokenStream::new();
        for attr in attrs {
            match crate::require::attr_name(attr).as_deref() {
                Some("require" | "permissions") => {
                    let path = attr.path();
                    let checked = syn::Ident::new(crate::require::CHECKED, proc_macro2::Span::call_site());
                    quote::quote!(#[#path(#checked)]).to_tokens(&mut out);
                }
                _ => attr.to_tokens(&mut out),
            }
        }
        vis.to_tokens(&mut out);
        sig.to_tokens(&mut out);
        out.extend(body.clone());
        out
    }
}
