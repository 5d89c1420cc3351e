//! The `crate = path` override every macro accepts, for crates that reach Portcullis
//! under another name or through a re-export: generated code then names
//! `path::__private::...` instead of `::portcullis::__private::...`.

use proc_macro2::{TokenStream, TokenTree};

/// The path generated code names when nothing overrides it.
pub(crate) fn default_path() -> syn::Path {
    syn::parse_quote!(::portcullis)
}

fn is_comma(tree: &TokenTree) -> bool {
    matches!(tree, TokenTree::Punct(p) if p.as_char() == ',')
}

/// The `crate = path` among comma-separated attribute arguments, read tolerantly: the
/// macro owning the attribute reports malformed arguments; this only finds the path
/// (for re-emitted attributes and for the fallback code emitted beside errors).
pub(crate) fn find(args: TokenStream) -> Option<syn::Path> {
    let mut tokens = args.into_iter().peekable();
    while let Some(tree) = tokens.next() {
        if is_comma(&tree) {
            continue;
        }
        let is_key = matches!(&tree, TokenTree::Ident(i) if i == "crate");
        let eq = matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '=');
        let value: TokenStream = tokens.by_ref().take_while(|t| !is_comma(t)).collect();
        if is_key && eq {
            let value: TokenStream = value.into_iter().skip(1).collect();
            return syn::parse2(value).ok();
        }
    }
    None
}

/// The crate an `#[auth(...)]` attribute names.
pub(crate) fn of_auth(auth: &syn::Attribute) -> syn::Path {
    match &auth.meta {
        syn::Meta::List(list) => find(list.tokens.clone()),
        _ => None,
    }
    .unwrap_or_else(default_path)
}

/// The crate a derive's container attributes (`#[helper(crate = path)]`) name.
pub(crate) fn of_derive(attrs: &[syn::Attribute], helper: &str) -> syn::Path {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident(helper))
        .find_map(|attr| match &attr.meta {
            syn::Meta::List(list) => find(list.tokens.clone()),
            _ => None,
        })
        .unwrap_or_else(default_path)
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    fn text(path: syn::Path) -> String {
        path.to_token_stream().to_string()
    }

    #[test]
    fn reads_the_crate_of_an_auth_attribute() {
        let of = |attr: syn::Attribute| text(super::of_auth(&attr));
        assert_eq!(of(syn::parse_quote!(#[auth(jwt)])), ":: portcullis");
        assert_eq!(of(syn::parse_quote!(#[auth(jwt, crate = gate)])), "gate");
        assert_eq!(
            of(syn::parse_quote!(#[auth(crate = ::a::b, custom(X<Y, Z>), jwt)])),
            ":: a :: b"
        );
        assert_eq!(of(syn::parse_quote!(#[auth(custom(X<Y, Z>), crate = c)])), "c");
        assert_eq!(of(syn::parse_quote!(#[auth])), ":: portcullis");
        assert_eq!(of(syn::parse_quote!(#[auth(crate = 1)])), ":: portcullis");
    }

    #[test]
    fn reads_the_crate_of_a_derive_despite_other_mistakes() {
        let attrs: Vec<syn::Attribute> = vec![
            syn::parse_quote!(#[derive(Clone)]),
            syn::parse_quote!(#[auth_user(roles("a", "b"), unknown = 3)]),
            syn::parse_quote!(#[auth_user(crate = gate::inner)]),
        ];
        assert_eq!(text(super::of_derive(&attrs, "auth_user")), "gate :: inner");
        assert_eq!(text(super::of_derive(&attrs, "role")), ":: portcullis");
    }
}
