//! Code generation for requirements: each node becomes an expression of type
//! `Result<(), &'static str>` (the `Err` names the unmet requirement).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::expr::{Atom, Expr};
use crate::respan::respan;

/// What the generated checks can refer to.
pub(crate) struct Scope<'a> {
    pub(crate) private: &'a TokenStream,
    pub(crate) user_ty: &'a syn::Type,
    /// `&User`, `&AuthInfo`, the role and permission masks.
    pub(crate) user: &'a syn::Ident,
    pub(crate) info: &'a syn::Ident,
    pub(crate) roles: &'a syn::Ident,
    pub(crate) permissions: &'a syn::Ident,
    /// Parameters that are `Option<_>` (checked for 404 before, read through `as_ref`).
    pub(crate) optional_params: &'a [syn::Ident],
    /// A policy call's argument, by the name written: an expression of type `Option<&T>`
    /// (`None`, a missing optional resource, fails the check). Names are validated before.
    pub(crate) argument: &'a dyn Fn(&syn::Ident) -> TokenStream,
    /// Whether the checks run in an `async` context: predicates and policies are then
    /// awaited when they are `async`; in a sync policy they are called as they are.
    pub(crate) awaits: bool,
}

/// `{ use ...; PredicateOutput(call).verdict().await }`: a predicate's or policy's
/// answer, whether it is a `bool` or a future of one.
fn answer(call: TokenStream, scope: &Scope<'_>) -> TokenStream {
    if !scope.awaits {
        return call;
    }
    let private = scope.private;
    quote!({
        #[allow(unused_imports)]
        use #private::{AsyncPredicate as _, SyncPredicate as _};
        #private::PredicateOutput(#call).verdict().await
    })
}

pub(crate) fn verdict(expr: &Expr, scope: &Scope<'_>) -> TokenStream {
    let ok = quote!(::core::result::Result::Ok(()));
    match expr {
        Expr::Atom(atom) => {
            let test = atom_test(atom, scope);
            let text = atom.text();
            quote!(if #test { #ok } else { ::core::result::Result::Err(#text) })
        }
        Expr::All(items) => {
            let mut code = verdict(items.last().expect("two or more"), scope);
            for item in items.iter().rev().skip(1) {
                let first = verdict(item, scope);
                code = quote!(match #first { ::core::result::Result::Ok(()) => #code, __unmet => __unmet });
            }
            code
        }
        Expr::Any(items) => {
            let text = expr.text();
            let mut code = quote!(::core::result::Result::Err(#text));
            for item in items.iter().rev() {
                let first = verdict(item, scope);
                code = quote!(match #first { ::core::result::Result::Ok(()) => #ok, ::core::result::Result::Err(_) => #code });
            }
            code
        }
        Expr::Not(inner) => {
            let text = expr.text();
            let inner = verdict(inner, scope);
            quote!(match #inner { ::core::result::Result::Ok(()) => ::core::result::Result::Err(#text), ::core::result::Result::Err(_) => #ok })
        }
    }
}

fn atom_test(atom: &Atom, scope: &Scope<'_>) -> TokenStream {
    let Scope {
        private,
        user_ty,
        user,
        info,
        roles,
        permissions,
        ..
    } = scope;
    match atom {
        Atom::Role(lit) => {
            // A `const`: a misspelt declared role fails the build here, on the literal.
            let check = respan(
                quote!(const ROLE_IS_DECLARED: #private::NameCheck = match #private::NameCheck::lookup_role::<#user_ty>(#lit) {
                    ::core::result::Result::Ok(__found) => __found,
                    ::core::result::Result::Err(__message) => ::core::panic!("{}", __message),
                };),
                lit.span(),
            );
            quote!({ #check ROLE_IS_DECLARED.role_held(#user, #roles) })
        }
        Atom::Permission(lit) => {
            let check = respan(
                quote!(const PERMISSION_IS_DECLARED: #private::NameCheck = match #private::NameCheck::lookup_permission::<#user_ty>(#lit) {
                    ::core::result::Result::Ok(__found) => __found,
                    ::core::result::Result::Err(__message) => ::core::panic!("{}", __message),
                };),
                lit.span(),
            );
            quote!({ #check PERMISSION_IS_DECLARED.permission_held(#user, #permissions) })
        }
        Atom::TypedRole(path) => {
            let role =
                quote_spanned!(path.span()=> let __role: <#user_ty as #private::UserRoles>::Typed = #path;);
            quote!({ #role #roles & (1u64 << #private::TypedRole::index(__role)) != 0 })
        }
        Atom::TypedPermission(path) => {
            // One error on the path when it is not a variant of the user's permission enum.
            let bit = quote_spanned!(path.span()=>
                <_ as #private::PermissionOf<<#user_ty as #private::UserPermissions>::Typed>>::bit(#path));
            quote!({ #permissions & #bit != 0 })
        }
        Atom::Scope(lit) => quote!(#private::has_scope(#info, #lit)),
        Atom::Claim(name, value) => {
            // `claim(r#type = ..)` names the claim `type`.
            let name = syn::ext::IdentExt::unraw(name).to_string();
            quote!(#private::claim_is(#info, #name, #value))
        }
        Atom::VerifiedEmail(span) => {
            // A user type without `#[auth_user(email_verified)]` cannot pass: refuse to build.
            let assert = quote_spanned! {*span=>
                const _: () = ::core::assert!(
                    <#user_ty as #private::DeclaredNames>::HAS_EMAIL_VERIFIED,
                    "`verified_email` needs a `#[auth_user(email_verified)]` bool field on the user type"
                );
            };
            quote!({ #assert #private::email_verified(#user) })
        }
        Atom::Owner { param, fields, span } => {
            let id = quote!(<#user_ty as #private::AuthUser>::Id);
            let compare = quote_spanned! {*span=>
                <_ as #private::OwnerId<#id>>::is_owner(&__resource #(.#fields)*, #private::AuthUser::id(#user))
            };
            if scope.optional_params.contains(param) {
                quote!(#param.as_ref().is_some_and(|__resource| #compare))
            } else {
                quote!({ let __resource = &#param; #compare })
            }
        }
        Atom::Fresh(_) => quote!(#private::is_fresh(#info)),
        Atom::Predicate(path) => answer(quote_spanned!(path.span()=> #path(#user, #info)), scope),
        Atom::Policy { path, args } => {
            // Each argument bound on its own span: a wrong type is reported on the name
            // written in the requirement.
            let names: Vec<syn::Ident> = (0..args.len())
                .map(|i| syn::Ident::new(&format!("__portcullis_a{i}"), args[i].span()))
                .collect();
            let values = args.iter().map(|arg| (scope.argument)(arg));
            let call = answer(quote_spanned!(path.span()=> #path(#(#names),*)), scope);
            quote!(match (#(#values,)*) {
                (#(::core::option::Option::Some(#names),)*) => #call,
                #[allow(unreachable_patterns)]
                _ => false,
            })
        }
    }
}
