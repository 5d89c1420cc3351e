//! `#[auth(...)]`: parse (`parse`) → validate (`valid`) → expand (`expand`).

mod expand;
pub(crate) mod parse;
mod valid;

use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn attribute(args: TokenStream, item: TokenStream) -> TokenStream {
    let handler = match syn::parse2::<parse::Handler>(item.clone()) {
        Ok(handler) => handler,
        Err(e) => return with_error(item, e),
    };
    let args = parse::parse_args(args);
    match valid::check(args, &handler) {
        Ok(model) => expand::expand(&model, handler),
        Err(error) => {
            // Keep the handler (minus our parameter markers) so the rest of the crate
            // and rust-analyzer still see it.
            let original = handler.without_markers();
            let error = error.to_compile_error();
            quote!(#original #error)
        }
    }
}

fn with_error(item: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    quote!(#item #error)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    fn errors(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> Vec<String> {
        let handler: super::parse::Handler = syn::parse2(item).unwrap();
        match super::valid::check(super::parse::parse_args(args), &handler) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn reports_scheme_and_signature_mistakes_together() {
        let found = errors(
            quote!(jtw, api_key, api_key),
            quote!(
                fn h(x: u8) {}
            ),
        );
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].contains("did you mean `jwt`"), "{found:#?}");
        assert!(found[1].contains("listed twice"), "{found:#?}");
        assert!(
            found.iter().any(|e| e.contains("must be `async fn`")),
            "{found:#?}"
        );
        assert!(
            found.iter().any(|e| e.contains("no user parameter")),
            "{found:#?}"
        );
    }

    #[test]
    fn accepts_marked_and_named_users() {
        assert!(
            errors(
                quote!(jwt),
                quote!(
                    async fn h(user: User) {}
                )
            )
            .is_empty()
        );
        assert!(
            errors(
                quote!(jwt, optional),
                quote!(
                    async fn h(#[user] who: Option<User>) {}
                )
            )
            .is_empty()
        );
        assert!(
            errors(
                quote!(jwt, crate = ::my::portcullis),
                quote!(
                    async fn h(mut user: User) {}
                )
            )
            .is_empty()
        );
    }
}
