//! `#[require(...)]` and `#[permissions(...)]` as attributes.
//!
//! `#[auth]` compiles every requirement attribute below it and removes it, so these
//! macros only ever expand when written *above* `#[auth]` (they run first) or without
//! `#[auth]` at all. Above `#[auth]`, they move `#[auth]` in front of themselves and
//! re-emit themselves unchanged right after it, so that `#[auth]` expands next and
//! consumes them. There is no "already checked" form: whatever the arguments, a
//! requirement attribute reaching `#[auth]` is compiled, and one that does not is an
//! error.

use proc_macro2::TokenStream;
use quote::quote;

use crate::handler::{AttrKind, Handler, classify};
use crate::requirement::Kind;

pub(crate) fn attribute(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let handler = match syn::parse2::<Handler>(item.clone()) {
        Ok(handler) => handler,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#item #e);
        }
    };
    let Some(position) = handler.attrs.iter().position(|a| classify(a) == AttrKind::Auth) else {
        let message = format!(
            "`#[{}]` needs `#[auth(...)]` on the same handler to know who the user is: add e.g. `#[auth(jwt)]`",
            kind.name()
        );
        let error = syn::Error::new(proc_macro2::Span::call_site(), message).to_compile_error();
        let original = handler.fallback(&crate::krate::default_path());
        return quote!(#original #error);
    };
    // Re-emit with `#[auth]` first and this attribute right after it. `#[auth]` removes
    // the re-emitted attribute before rustc resolves it; its path still names the crate
    // `#[auth]` names (`crate = ...`), so the output is correct code on its own.
    let mut attrs = handler.attrs;
    let auth = attrs.remove(position);
    let krate = crate::krate::of_auth(&auth);
    let name = syn::Ident::new(kind.name(), proc_macro2::Span::call_site());
    let Handler { vis, sig, body, .. } = handler;
    quote! {
        #auth
        #[#krate::#name(#args)]
        #(#attrs)*
        #vis #sig #body
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::attribute;
    use crate::requirement::Kind;

    #[test]
    fn moves_auth_first_and_names_its_crate() {
        let out = attribute(
            Kind::Require,
            quote!(role = "admin"),
            quote! {
                /// Doc.
                #[auth(jwt, crate = gate)]
                async fn h(user: User) {}
            },
        )
        .to_string();
        let auth = out.find("# [auth").unwrap();
        let require = out.find("# [gate :: require (role = \"admin\")]").unwrap();
        let doc = out.find("doc").unwrap();
        assert!(auth < require && require < doc, "{out}");
    }

    #[test]
    fn without_auth_is_an_error_whatever_the_arguments() {
        for args in [quote!(role = "admin"), quote!(__portcullis_checked)] {
            let out = attribute(
                Kind::Require,
                args,
                quote! {
                    #[permissions("p")]
                    async fn h(user: User) {}
                },
            )
            .to_string();
            assert_eq!(out.matches("compile_error").count(), 1, "{out}");
            assert!(out.contains("needs `#[auth(...)]`"), "{out}");
            assert!(!out.contains("# [permissions"), "{out}");
            assert!(out.contains("use permissions as _"), "{out}");
        }
    }
}
