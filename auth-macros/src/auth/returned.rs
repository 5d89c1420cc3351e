//! Code generation for `#[require_returned]` and `#[filter_returned]`: checks run on
//! the value the body returned (Spring's `@PostAuthorize` / `@PostFilter`).
//!
//! When the handler's return type is written `Result<..>` (any path ending in
//! `Result`), the checks read the `Ok` value and an `Err` passes through unchanged.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::requirement::OnReturned;
use crate::requirement::expand::{Scope, verdict};
use crate::requirement::expr::{Atom, Expr};

/// What the generated checks need from the handler.
pub(super) struct Context<'a> {
    pub(super) private: &'a TokenStream,
    pub(super) user_ty: &'a syn::Type,
    /// The guard (`Authenticated`), still whole: the user and `AuthInfo` were cloned.
    pub(super) auth: &'a syn::Ident,
    /// The names of the user and `AuthInfo` parameters, as a policy may be passed them.
    pub(super) user_name: Option<&'a syn::Ident>,
    pub(super) info_name: Option<&'a syn::Ident>,
    /// The handler's return type as written.
    pub(super) output: &'a TokenStream,
    /// `unmet` or `unmet_hidden`.
    pub(super) unmet: &'a TokenStream,
}

/// The statements between the body's value (`returned`) and `Ok(returned)`.
pub(super) fn checks(
    returned: &syn::Ident,
    require: Option<&OnReturned>,
    filter: Option<&OnReturned>,
    cx: &Context<'_>,
) -> TokenStream {
    let private = cx.private;
    let auth = cx.auth;
    let unmet = cx.unmet;
    let is_result = syn::parse2::<syn::Type>(cx.output.clone()).is_ok_and(
        |ty| matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Result")),
    );
    let (value, value_mut) = if is_result {
        (
            quote!(match &#returned { ::core::result::Result::Ok(__v) => ::core::option::Option::Some(__v), ::core::result::Result::Err(_) => ::core::option::Option::None }),
            quote!(match &mut #returned { ::core::result::Result::Ok(__v) => ::core::option::Option::Some(__v), ::core::result::Result::Err(_) => ::core::option::Option::None }),
        )
    } else {
        (
            quote!(::core::option::Option::Some(&#returned)),
            quote!(::core::option::Option::Some(&mut #returned)),
        )
    };
    let names =
        ["__user", "__info", "__roles", "__permissions"].map(|n| syn::Ident::new(n, Span::mixed_site()));
    let [user, info, roles, permissions] = &names;
    let prelude = |expr: &Expr| {
        let (role_mask, permission_mask) = masks(expr, user, private);
        quote! {
            let #user: &_ = &#auth.user;
            let #info: &#private::AuthInfo = &#auth.info;
            let #roles: u64 = #role_mask;
            let #permissions: u64 = #permission_mask;
        }
    };
    let refuse = quote! {
        if let ::core::result::Result::Err(__requirement) = __verdict {
            let __scheme = #info.scheme();
            return ::core::result::Result::Err(#auth.refuse(#unmet(__scheme, __requirement)));
        }
    };
    // The value is bound to the name written; the user and `AuthInfo` are the guard's.
    let argument = |name: &syn::Ident| {
        let some = quote!(::core::option::Option::Some);
        if cx.user_name == Some(name) {
            quote!(#some(#user))
        } else if cx.info_name == Some(name) {
            quote!(#some(#info))
        } else {
            quote_spanned!(name.span()=> #some(#name))
        }
    };
    let scope = Scope {
        private,
        user_ty: cx.user_ty,
        user,
        info,
        roles,
        permissions,
        optional_params: &[],
        argument: &argument,
        awaits: true,
    };
    let mut out = TokenStream::new();
    if let Some(on) = require {
        let binding = &on.binding;
        let check = verdict(&on.expr, &scope);
        let prelude = prelude(&on.expr);
        out.extend(quote! {
            if let ::core::option::Option::Some(#binding) = #value {
                #prelude
                let __verdict: ::core::result::Result<(), &'static str> = #check;
                #refuse
            }
        });
    }
    if let Some(on) = filter {
        let binding = &on.binding;
        let check = verdict(&on.expr, &scope);
        let prelude = prelude(&on.expr);
        // The list handling on the return type: a type that is no list is one error,
        // in the trait's words, there (rustc merges identical errors at one place).
        let span = cx.output.span();
        let items = crate::respan::respan(quote!(#private::ReturnedItems::items), span);
        let filter = quote_spanned! {span=>
            let __items = #items(__list);
            let mut __kept = ::std::vec::Vec::with_capacity(__items.len());
            for __item in ::core::mem::take(__items) {
                let __verdict: ::core::result::Result<(), &'static str> = {
                    let #binding = &__item;
                    #check
                };
                if __verdict.is_ok() {
                    __kept.push(__item);
                }
            }
            *__items = __kept;
        };
        out.extend(quote! {
            if let ::core::option::Option::Some(__list) = #value_mut {
                #prelude
                #filter
            }
        });
    }
    out
}

/// The role and permission masks a requirement reads (`0` when it reads none).
pub(super) fn masks(expr: &Expr, user: &syn::Ident, private: &TokenStream) -> (TokenStream, TokenStream) {
    let atoms = expr.atoms();
    let uses = |f: fn(&Atom) -> bool| atoms.iter().any(|a| f(a));
    let role_mask = if uses(|a| matches!(a, Atom::Role(_) | Atom::TypedRole(_))) {
        quote!(#private::AuthUser::role_mask(#user))
    } else {
        quote!(0u64)
    };
    let permission_mask = if uses(|a| matches!(a, Atom::Permission(_) | Atom::TypedPermission(_))) {
        quote!(#private::AuthUser::permission_mask(#user))
    } else {
        quote!(0u64)
    };
    (role_mask, permission_mask)
}
