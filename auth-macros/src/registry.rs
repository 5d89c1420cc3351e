//! What `#[auth]` and `#[public]` add to a handler for the route registry: one entry,
//! submitted at link time from inside the handler's body (so that associated
//! functions register too), naming the handler by a nested function's type name.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

use crate::requirement::expr::{Atom, Expr};

/// The name of the nested function whose type name is the handler's path (plus
/// `::__portcullis_here`, which the runtime strips).
const HERE: &str = "__portcullis_here";

/// Statements submitting `entry` (an expression of type `HandlerEntry`), for the top
/// of the handler's body.
pub(crate) fn submit(private: &TokenStream, entry: TokenStream) -> TokenStream {
    let here = syn::Ident::new(HERE, Span::call_site());
    quote! {
        #[allow(dead_code)]
        fn #here() {}
        #private::inventory::submit! { #entry }
    }
}

/// The `here`, `name`, `file`, `line` arguments of the entry constructors.
pub(crate) fn location(ident: &syn::Ident) -> TokenStream {
    let here = syn::Ident::new(HERE, Span::call_site());
    let name = ident.to_string();
    let line = quote_spanned!(ident.span()=> ::core::line!());
    quote!(|| ::core::any::type_name_of_val(&#here), #name, ::core::file!(), #line)
}

/// `Some(&Rule::...)` for a requirement, `None` without one.
pub(crate) fn rule_option(expr: Option<&Expr>, private: &TokenStream) -> TokenStream {
    match expr {
        Some(expr) => {
            let rule = rule(expr, private);
            quote!(::core::option::Option::Some(&#rule))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// A `Rule` expression (constant) for a requirement.
pub(crate) fn rule(expr: &Expr, private: &TokenStream) -> TokenStream {
    let rule = quote!(#private::Rule);
    match expr {
        Expr::Any(items) | Expr::All(items) => {
            let variant = if matches!(expr, Expr::Any(_)) {
                quote!(Any)
            } else {
                quote!(All)
            };
            let items = items.iter().map(|e| self::rule(e, private));
            quote!(#rule::#variant(&[#(#items),*]))
        }
        Expr::Not(inner) => {
            let inner = self::rule(inner, private);
            quote!(#rule::Not(&#inner))
        }
        Expr::Atom(atom) => self::atom(atom, private),
    }
}

fn atom(atom: &Atom, private: &TokenStream) -> TokenStream {
    let rule = quote!(#private::Rule);
    let name = quote!(#private::Name);
    match atom {
        Atom::Role(lit) => quote!(#rule::Role(#name::literal(#lit))),
        Atom::TypedRole(path) => {
            quote!(#rule::Role(#name::__typed(|| #private::TypedRole::name(#path))))
        }
        Atom::Permission(lit) => quote!(#rule::Permission(#name::literal(#lit))),
        Atom::TypedPermission(path) => {
            quote!(#rule::Permission(#name::__typed(|| #private::TypedPermission::name(#path))))
        }
        Atom::Scope(lit) => quote!(#rule::Scope(#lit)),
        Atom::Claim(key, value) => {
            let text = format!("{key} = {}", value.to_token_stream());
            quote!(#rule::Claim(#text))
        }
        Atom::Owner { param, fields, .. } => {
            let mut text = param.to_string();
            for field in fields {
                text.push('.');
                text.push_str(&field.to_token_stream().to_string());
            }
            quote!(#rule::Owner(#text))
        }
        Atom::VerifiedEmail(_) => quote!(#rule::VerifiedEmail),
        Atom::Fresh(_) => quote!(#rule::Fresh),
        Atom::Predicate(path) => {
            let text = path_text(path);
            quote!(#rule::Predicate(#text))
        }
        Atom::Policy { path, args } => {
            let text = path_text(path);
            let args: Vec<String> = args.iter().map(ToString::to_string).collect();
            let args = args.join(", ");
            quote!(#rule::Policy(#private::PolicyRef::new(#text, #args, ::core::option::Option::None)))
        }
    }
}

/// A path as written, without the spaces of a token stream (`a::b::c`).
pub(crate) fn path_text(path: &syn::Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

/// Whether `ty` can be named from an item nested in the handler: no `Self`, no
/// `impl Trait`, and the handler has no generic parameters of its own.
pub(crate) fn nameable(ty: &syn::Type, generics: &syn::Generics) -> bool {
    if !generics.params.is_empty() {
        return false;
    }
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().all(|tree| match tree {
            proc_macro2::TokenTree::Ident(i) => i != "Self" && i != "impl",
            proc_macro2::TokenTree::Group(g) => walk(g.stream()),
            _ => true,
        })
    }
    walk(ty.to_token_stream())
}
