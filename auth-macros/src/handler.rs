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
    /// `#[public]`: excludes `#[auth]`.
    Public,
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
        Some("public") => AttrKind::Public,
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
        bare_imports(self.requirements().map(|(_, attr)| attr))
    }
}

/// `use name as _;` for each attribute written by its bare name: it is dropped from the
/// output, and its import must still count as used.
pub(crate) fn bare_imports<'a>(attrs: impl Iterator<Item = &'a Attribute>) -> TokenStream {
    let mut seen = Vec::new();
    let mut out = TokenStream::new();
    for attr in attrs {
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

impl Handler {
    /// What is emitted beside a compile error: the handler as written, but `async`, and
    /// every parameter taken through the runtime's `Unreached` (an extractor of any type
    /// that never runs) and bound from it at the start of the body. So it still
    /// implements axum's `Handler` whatever the mistake (no user parameter, two of them, a
    /// `#[resource]` the macro did not get to load) and the error at hand is the only one
    /// (not a second, longer one at `.route(...)`); the body is still checked against the
    /// parameters' types. The crate does not compile, the code never runs.
    pub(crate) fn fallback(&self, krate: &syn::Path) -> TokenStream {
        let mut sig = self.sig.clone();
        sig.asyncness.get_or_insert_with(Default::default);
        let private = quote!(#krate::__private);
        let mut bindings = Vec::new();
        // Already expanded by `#[auth]` (a requirement attribute it did not recognise,
        // e.g. imported under another name, reported its error afterwards): every
        // parameter already extracts, and the guard must keep deciding the handler's
        // state parameter.
        let expanded = sig.inputs.iter().any(|input| {
            matches!(input, syn::FnArg::Typed(arg) if matches!(&*arg.pat, syn::Pat::Ident(p) if p.ident == "__portcullis_auth"))
        });
        let inputs = if expanded {
            None
        } else {
            Some(sig.inputs.iter_mut())
        };
        for (index, input) in inputs.into_iter().flatten().enumerate() {
            let syn::FnArg::Typed(arg) = input else {
                continue;
            };
            arg.attrs.retain(|a| !is_marker(a));
            let ident = syn::Ident::new(&format!("__portcullis_p{index}"), proc_macro2::Span::mixed_site());
            let (pat, ty) = (&arg.pat, &arg.ty);
            bindings.push(quote!(let #pat: #ty = #private::Unreached::get(#ident);));
            let unreached = crate::respan::respan(quote!(#private::Unreached), ty.span());
            *arg.ty = syn::parse_quote!(#unreached<#ty>);
            *arg.pat = syn::parse_quote!(#ident);
        }
        let mut out = TokenStream::new();
        // A second `#[auth]` was reported; expanding it would find no user parameter.
        for attr in self
            .kept_attrs()
            .filter(|a| !matches!(classify(a), AttrKind::Auth | AttrKind::Public))
        {
            attr.to_tokens(&mut out);
        }
        self.vis.to_tokens(&mut out);
        sig.to_tokens(&mut out);
        let mut imports = self.requirement_imports();
        // A `#[public]` beside `#[auth]` was reported and is dropped.
        imports.extend(bare_imports(
            self.attrs.iter().filter(|a| classify(a) == AttrKind::Public),
        ));
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
    fn fallback_is_async_and_every_parameter_extracts() {
        let handler: Handler = syn::parse2(quote! {
            fn h(who: u8, user: Option<User>, #[user] other: User, Path(id): Path<i64>, info: AuthInfo) { body() }
        })
        .unwrap();
        let out = handler.fallback(&syn::parse_quote!(gate)).to_string();
        let p = "gate :: __private :: Unreached";
        assert!(
            out.starts_with(&format!(
                "async fn h (__portcullis_p0 : {p} < u8 > , __portcullis_p1 : {p} < Option < User > > , __portcullis_p2 : {p} < User > , __portcullis_p3 : {p} < Path < i64 > > , __portcullis_p4 : {p} < AuthInfo >)"
            )),
            "{out}"
        );
        assert!(!out.contains("# [user]"), "{out}");
        assert!(!out.contains("HasGate"), "{out}");
        for binding in [
            "let who : u8 = gate :: __private :: Unreached :: get (__portcullis_p0) ;",
            "let other : User = gate :: __private :: Unreached :: get (__portcullis_p2) ;",
            "let Path (id) : Path < i64 > = gate :: __private :: Unreached :: get (__portcullis_p3) ;",
        ] {
            assert!(out.contains(binding), "{out}");
        }
    }

    #[test]
    fn fallback_keeps_a_handler_auth_already_expanded() {
        let handler: Handler = syn::parse2(quote! {
            async fn h<__PortcullisState, __PortcullisVia>(__portcullis_auth: G<__PortcullisState, __PortcullisVia>, body: Json<V>)
            where __PortcullisState: HasGate<User, __PortcullisVia>
            { body() }
        })
        .unwrap();
        let out = handler.fallback(&syn::parse_quote!(gate)).to_string();
        assert!(!out.contains("Unreached"), "{out}");
        assert!(
            out.contains(
                "(__portcullis_auth : G < __PortcullisState , __PortcullisVia > , body : Json < V >)"
            ),
            "{out}"
        );
    }
}
