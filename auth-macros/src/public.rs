//! `#[public]`: a deliberately open handler. It changes nothing in the handler; it
//! registers it (see `crate::registry`) so that the deny-by-default start-up check
//! knows that nobody forgot its `#[auth]`.

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::errors::Errors;
use crate::handler::{AttrKind, Handler, classify};
use crate::registry::{location, submit};

pub(crate) fn attribute(args: TokenStream, item: TokenStream) -> TokenStream {
    let handler = match syn::parse2::<Handler>(item.clone()) {
        Ok(handler) => handler,
        Err(e) => {
            let e = syn::Error::new(
                e.span(),
                "`#[public]` goes on a handler function with a body: `async fn health() -> &'static str { ... }`",
            )
            .to_compile_error();
            return quote!(#item #e);
        }
    };
    let mut errors = Errors::new();
    let krate = arguments(args, &mut errors);
    for attr in &handler.attrs {
        match classify(attr) {
            AttrKind::Auth => errors.push_spanned(
                attr,
                "`#[public]` and `#[auth]` exclude each other: keep `#[auth(...)]` to require a user, or `#[public]` to open the handler to everyone",
            ),
            AttrKind::Requirement(kind) => errors.push_spanned(
                attr,
                format!(
                    "a `#[public]` handler has no user for `#[{}]` to check: replace `#[public]` with `#[auth(...)]`, or remove the requirement",
                    kind.name()
                ),
            ),
            AttrKind::Public => errors.push_spanned(attr, "`#[public]` is given twice on this handler: remove one"),
            AttrKind::Other => {}
        }
    }
    let Handler {
        attrs,
        vis,
        sig,
        body,
    } = handler;
    if let Err(error) = errors.finish() {
        // The handler as written, without the attributes reported (a requirement
        // attribute would add its own "needs `#[auth]`" error).
        let imports = crate::handler::bare_imports(attrs.iter().filter(|a| classify(a) != AttrKind::Other));
        let attrs = attrs.iter().filter(|a| classify(a) == AttrKind::Other);
        let error = error.to_compile_error();
        return quote!(#(#attrs)* #vis #sig { #imports #body } #error);
    }
    let private = quote!(#krate::__private);
    let location = location(&sig.ident);
    let entry = submit(&private, quote!(#private::HandlerEntry::__public(#location)));
    quote! {
        #(#attrs)*
        #vis #sig {
            #entry
            #body
        }
    }
}

/// `crate = path` is the one argument; anything else is reported.
fn arguments(args: TokenStream, errors: &mut Errors) -> syn::Path {
    if args.is_empty() {
        return crate::krate::default_path();
    }
    match crate::krate::find(args.clone()) {
        Some(path) if syn::parse2::<CrateOnly>(args.clone()).is_ok() => path,
        _ => {
            let span = args
                .clone()
                .into_iter()
                .next()
                .map_or_else(Span::call_site, |t| t.span());
            errors.push(
                span,
                "`#[public]` takes no arguments (only `crate = path`): write `#[public]`",
            );
            crate::krate::default_path()
        }
    }
}

/// `crate = path` and nothing else.
struct CrateOnly;

impl syn::parse::Parse for CrateOnly {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        input.parse::<syn::Token![crate]>()?;
        input.parse::<syn::Token![=]>()?;
        input.parse::<syn::Path>()?;
        let _ = input.parse::<Option<syn::Token![,]>>()?;
        if input.is_empty() {
            Ok(CrateOnly)
        } else {
            Err(input.error("unexpected"))
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn registers_the_handler_and_keeps_it() {
        let out = super::attribute(
            quote!(),
            quote!(
                async fn health() -> u8 {
                    1
                }
            ),
        )
        .to_string();
        assert!(out.starts_with("async fn health () -> u8 {"), "{out}");
        assert!(out.contains("fn __portcullis_here () { }"), "{out}");
        assert!(
            out.contains(":: portcullis :: __private :: HandlerEntry :: __public (|| :: core :: any :: type_name_of_val (& __portcullis_here) , \"health\""),
            "{out}"
        );
        assert!(out.ends_with("{ 1 } }"), "{out}");
        let out = super::attribute(
            quote!(crate = gate),
            quote!(
                async fn health() {}
            ),
        )
        .to_string();
        assert!(
            out.contains("gate :: __private :: inventory :: submit !"),
            "{out}"
        );
    }

    #[test]
    fn refuses_arguments_auth_and_requirements() {
        let out = super::attribute(
            quote!(open),
            quote!(
                async fn h() {}
            ),
        )
        .to_string();
        assert!(out.contains("takes no arguments"), "{out}");
        let out = super::attribute(
            quote!(),
            quote! {
                #[auth(jwt)]
                async fn h(user: User) {}
            },
        )
        .to_string();
        assert!(out.contains("exclude each other"), "{out}");
        assert!(!out.contains("# [auth"), "{out}");
        let out = super::attribute(
            quote!(),
            quote! {
                #[require(role = "admin")]
                async fn h() {}
            },
        )
        .to_string();
        assert_eq!(out.matches("compile_error").count(), 1, "{out}");
        assert!(!out.contains("# [require"), "{out}");
    }
}
