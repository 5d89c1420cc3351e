//! `#[require(...)]` and `#[permissions(...)]`.
//!
//! Both are read by `#[auth]`, which generates every check (it alone knows the user
//! parameter and the schemes). Written above `#[auth]`, they run first: they move the
//! `#[auth]` attribute in front of themselves so that it expands next and sees them.
//! Without `#[auth]` they are a compile error.

pub(crate) mod expand;
pub(crate) mod expr;

use proc_macro2::TokenStream;
use quote::quote;

use crate::auth::parse::Handler;

/// Which attribute is expanding.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Require,
    Permissions,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Require => "require",
            Kind::Permissions => "permissions",
        }
    }
}

/// The last segment of an attribute's path.
pub(crate) fn attr_name(attr: &syn::Attribute) -> Option<String> {
    attr.path().segments.last().map(|s| s.ident.to_string())
}

/// The arguments `#[auth]` leaves on a requirement it has compiled.
pub(crate) const CHECKED: &str = "__portcullis_checked";

pub(crate) fn attribute(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    if args.to_string() == CHECKED {
        return item;
    }
    let handler = match syn::parse2::<Handler>(item.clone()) {
        Ok(handler) => handler,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#item #e);
        }
    };
    let name = syn::Ident::new(kind.name(), proc_macro2::Span::call_site());
    let krate: syn::Path = syn::parse_quote!(::portcullis);
    let Some(position) = handler
        .attrs
        .iter()
        .position(|a| attr_name(a).as_deref() == Some("auth"))
    else {
        let message = format!(
            "`#[{}]` needs `#[auth(...)]` on the same handler to know who the user is: add e.g. `#[auth(jwt)]`",
            kind.name()
        );
        let error = syn::Error::new(proc_macro2::Span::call_site(), message).to_compile_error();
        let original = handler.without_markers();
        return quote!(#original #error);
    };
    // Re-emit with `#[auth]` first and this attribute right after it.
    let mut attrs = handler.attrs;
    let auth = attrs.remove(position);
    let Handler { vis, sig, body, .. } = handler;
    quote! {
        #auth
        #[#krate::#name(#args)]
        #(#attrs)*
        #vis #sig #body
    }
}
