//! The handler model shared by `#[auth]`, `#[require]` and `#[permissions]`: a function's
//! attributes (classified), visibility and signature; the body stays tokens.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Signature, Visibility};

use crate::requirement::Kind;

/// A handler: attributes, visibility, signature, body tokens.
pub(crate) struct Handler {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    /// The `{ ... }` block, untouched.
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

/// What an attribute of a handler is to the macros.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum AttrKind {
    Auth,
    Requirement(Kind),
    Other,
}

/// The last segment of an attribute's path.
pub(crate) fn attr_name(attr: &Attribute) -> Option<String> {
    attr.path().segments.last().map(|s| s.ident.to_string())
}

/// Which of the macros' attributes `attr` is (by its last path segment, so that
/// `#[portcullis::require]` counts as well as `#[require]`).
pub(crate) fn classify(attr: &Attribute) -> AttrKind {
    match attr_name(attr).as_deref() {
        Some("auth") => AttrKind::Auth,
        Some(name) => Kind::of(name).map_or(AttrKind::Other, AttrKind::Requirement),
        None => AttrKind::Other,
    }
}

/// Whether an attribute is the `#[user]` parameter marker.
pub(crate) fn is_user_marker(attr: &Attribute) -> bool {
    attr.path().is_ident("user")
}

impl Handler {
    /// The `#[require]` / `#[permissions]` attributes, in order.
    pub(crate) fn requirements(&self) -> impl Iterator<Item = (Kind, &Attribute)> {
        self.attrs.iter().filter_map(|attr| match classify(attr) {
            AttrKind::Requirement(kind) => Some((kind, attr)),
            _ => None,
        })
    }

    /// Every attribute except the requirement attributes (which `#[auth]` consumes).
    pub(crate) fn kept_attrs(&self) -> impl Iterator<Item = &Attribute> {
        self.attrs
            .iter()
            .filter(|attr| !matches!(classify(attr), AttrKind::Requirement(_)))
    }

    /// Uses of the consumed requirement attributes' names, for the body: an attribute
    /// written by its bare name (`#[require(..)]`) was imported (`use portcullis::require;`),
    /// and that import must still count as used once the attribute is gone.
    pub(crate) fn requirement_imports(&self) -> TokenStream {
        let mut seen = Vec::new();
        let mut out = TokenStream::new();
        for (_, attr) in self.requirements() {
            let Some(ident) = attr.path().get_ident() else {
                continue;
            };
            if seen.contains(ident) {
                continue;
            }
            seen.push(ident.clone());
            out.extend(quote! {
                #[allow(unused_imports)]
                use #ident as _;
            });
        }
        out
    }

    /// The handler as written, for emitting beside a compile error (so the rest of the
    /// crate and rust-analyzer still see it): `#[user]` markers removed, requirement
    /// attributes consumed (expanding them would only add a misleading "needs `#[auth]`").
    pub(crate) fn as_written(&self) -> TokenStream {
        let mut sig = self.sig.clone();
        for input in &mut sig.inputs {
            if let syn::FnArg::Typed(arg) = input {
                arg.attrs.retain(|a| !is_user_marker(a));
            }
        }
        let mut out = TokenStream::new();
        for attr in self.kept_attrs() {
            attr.to_tokens(&mut out);
        }
        self.vis.to_tokens(&mut out);
        sig.to_tokens(&mut out);
        let imports = self.requirement_imports();
        let body = &self.body;
        if imports.is_empty() {
            out.extend(body.clone());
        } else {
            out.extend(quote!({ #imports #body }));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{AttrKind, Handler, classify};
    use crate::requirement::Kind;

    #[test]
    fn classifies_by_last_segment() {
        let attrs: Vec<syn::Attribute> = vec![
            syn::parse_quote!(#[auth(jwt)]),
            syn::parse_quote!(#[portcullis::require(role = "a")]),
            syn::parse_quote!(#[gate::permissions("p")]),
            syn::parse_quote!(#[doc = "x"]),
        ];
        let kinds: Vec<AttrKind> = attrs.iter().map(classify).collect();
        assert_eq!(
            kinds,
            [
                AttrKind::Auth,
                AttrKind::Requirement(Kind::Require),
                AttrKind::Requirement(Kind::Permissions),
                AttrKind::Other
            ]
        );
    }

    #[test]
    fn as_written_consumes_requirements_and_keeps_their_imports_used() {
        let handler: Handler = syn::parse2(quote! {
            /// Doc.
            #[require(role = "a")]
            #[portcullis::permissions("p")]
            #[require(role = "b")]
            async fn h(#[user] who: User) { body() }
        })
        .unwrap();
        let out = handler.as_written().to_string();
        assert!(!out.contains("role"), "{out}");
        assert!(!out.contains("permissions"), "{out}");
        assert!(!out.contains("# [user]"), "{out}");
        assert_eq!(out.matches("use require as _").count(), 1, "{out}");
        assert!(out.contains("doc"), "{out}");
    }
}
