//! The handler model shared by `#[auth]`, `#[require]` and `#[permissions]`: a function's
//! attributes (classified), visibility and signature; the body stays tokens.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
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

/// Whether an attribute is the `#[resource]` parameter marker (a resource loaded by
/// its `Resource` implementation for `owner(...)`).
pub(crate) fn is_resource_marker(attr: &Attribute) -> bool {
    attr.path().is_ident("resource")
}

/// Whether an attribute is one of the parameter markers the macros consume.
pub(crate) fn is_marker(attr: &Attribute) -> bool {
    is_user_marker(attr) || is_resource_marker(attr)
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
}

impl Handler {
    /// What is emitted beside a compile error: the handler as written, but `async`, with
    /// its user parameter already turned into the runtime's guard (`Authenticated`, or
    /// `MaybeAuthenticated` for an `Option`) and its `AuthInfo` parameter bound from it,
    /// so that it still implements axum's `Handler` and the error at hand is the only one
    /// (not a second, longer one at `.route(...)`). The guard's schemes do not matter: the
    /// crate does not compile, the code never runs.
    pub(crate) fn fallback(&self, krate: &syn::Path) -> TokenStream {
        let mut sig = self.sig.clone();
        sig.asyncness.get_or_insert_with(Default::default);
        let private = quote!(#krate::__private);
        let auth = syn::Ident::new("__portcullis_auth", proc_macro2::Span::mixed_site());
        let user_index = sig.inputs.iter().position(|input| match input {
            syn::FnArg::Typed(arg) => {
                arg.attrs.iter().any(is_user_marker)
                    || matches!(&*arg.pat, syn::Pat::Ident(p) if p.ident == "user" || p.ident == "_user")
            }
            syn::FnArg::Receiver(_) => false,
        });
        let mut bindings = Vec::new();
        let mut inputs = syn::punctuated::Punctuated::<syn::FnArg, syn::Token![,]>::new();
        let mut optional = false;
        for (index, input) in std::mem::take(&mut sig.inputs).into_iter().enumerate() {
            let syn::FnArg::Typed(mut arg) = input else {
                inputs.push(input);
                continue;
            };
            arg.attrs.retain(|a| !is_marker(a));
            if Some(index) != user_index {
                inputs.push(syn::FnArg::Typed(arg));
                continue;
            }
            let (pat, ty) = (&arg.pat, &arg.ty);
            let (extractor, user_ty) = match option_inner(ty) {
                Some(inner) => {
                    optional = true;
                    (quote!(MaybeAuthenticated), inner)
                }
                None => (quote!(Authenticated), &**ty),
            };
            let extractor = crate::respan::respan(quote!(#private::#extractor), user_ty.span());
            bindings.push(quote!(let #pat: #ty = #auth.user;));
            inputs.push(syn::parse_quote!(
                #auth: #extractor<#user_ty, (#private::schemes::Jwt,)>
            ));
        }
        // `AuthInfo` parameters are bound from the guard too (they are no extractor).
        if user_index.is_some() {
            let taken = std::mem::take(&mut inputs);
            for input in taken {
                match input {
                    syn::FnArg::Typed(arg) if is_auth_info(&arg.ty) => {
                        let (pat, ty) = (&arg.pat, &arg.ty);
                        let value = match (optional, option_inner(ty).is_some()) {
                            (false, false) | (true, true) => quote!(#auth.info),
                            (false, true) => quote!(::core::option::Option::Some(#auth.info)),
                            (true, false) => {
                                quote!(#auth.info.expect("not reached: the crate does not compile"))
                            }
                        };
                        bindings.push(quote!(let #pat: #ty = #value;));
                    }
                    other => inputs.push(other),
                }
            }
        }
        sig.inputs = inputs;
        let mut out = TokenStream::new();
        // A second `#[auth]` was reported; expanding it would find no user parameter.
        for attr in self.kept_attrs().filter(|a| classify(a) != AttrKind::Auth) {
            attr.to_tokens(&mut out);
        }
        self.vis.to_tokens(&mut out);
        sig.to_tokens(&mut out);
        let imports = self.requirement_imports();
        let body = &self.body;
        out.extend(quote!({ #imports #(#bindings)* #body }));
        out
    }
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

/// `T` when `ty` is `Option<T>`.
pub(crate) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let segment = last_segment(ty).filter(|s| s.ident == "Option")?;
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// `AuthInfo` or `Option<AuthInfo>` (by the last path segment).
pub(crate) fn is_auth_info(ty: &syn::Type) -> bool {
    let ty = option_inner(ty).unwrap_or(ty);
    last_segment(ty).is_some_and(|s| s.ident == "AuthInfo")
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
    fn fallback_consumes_requirements_and_keeps_their_imports_used() {
        let handler: Handler = syn::parse2(quote! {
            /// Doc.
            #[require(role = "a")]
            #[portcullis::permissions("p")]
            #[require(role = "b")]
            async fn h(#[user] who: User) { body() }
        })
        .unwrap();
        let out = handler.fallback(&crate::krate::default_path()).to_string();
        assert!(!out.contains("role"), "{out}");
        assert!(!out.contains("permissions"), "{out}");
        assert!(!out.contains("# [user]"), "{out}");
        assert_eq!(out.matches("use require as _").count(), 1, "{out}");
        assert!(out.contains("doc"), "{out}");
    }

    #[test]
    fn fallback_is_async_and_takes_the_guard() {
        let handler: Handler = syn::parse2(quote! {
            fn h(who: u8, user: Option<User>, info: AuthInfo) { body() }
        })
        .unwrap();
        let out = handler.fallback(&syn::parse_quote!(gate)).to_string();
        assert!(out.starts_with("async fn h (who : u8 , __portcullis_auth : gate :: __private :: MaybeAuthenticated < User , (gate :: __private :: schemes :: Jwt ,) >)"), "{out}");
        assert!(
            out.contains("let user : Option < User > = __portcullis_auth . user ;"),
            "{out}"
        );
        assert!(
            out.contains("let info : AuthInfo = __portcullis_auth . info . expect"),
            "{out}"
        );
    }
}
