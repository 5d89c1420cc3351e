//! Code generation for `#[auth]`: the user parameter becomes the runtime's extractor;
//! requirements become checks run before the body.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::schemes::Scheme;
use super::valid::AuthModel;
use crate::handler::{Handler, is_user_marker};
use crate::requirement::expand::{Scope, verdict};
use crate::requirement::expr::Atom;

pub(super) fn expand(model: &AuthModel, handler: Handler) -> TokenStream {
    // `#[require]` / `#[permissions]` are compiled here and their attributes consumed;
    // uses of their bare names keep the user's imports of them used.
    let imports = handler.requirement_imports();
    let attrs: Vec<syn::Attribute> = handler.kept_attrs().cloned().collect();
    let Handler {
        vis, mut sig, body, ..
    } = handler;
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let auth = syn::Ident::new("__portcullis_auth", Span::mixed_site());

    let extractor = if model.optional {
        quote!(MaybeAuthenticated)
    } else {
        quote!(Authenticated)
    };
    let user_ty = &model.user_ty;
    // Only the user type keeps its span: errors about it (not `AuthUser`) land on it.
    let extractor_path = crate::respan::respan(quote!(#private::#extractor), user_ty.span());
    let schemes = model.schemes.iter().map(|scheme| match scheme {
        Scheme::BuiltIn(ty) => quote!(#private::schemes::#ty),
        Scheme::Custom(path) => quote!(#path),
    });
    let auth_ty = quote!(#extractor_path<#user_ty, (#(#schemes,)*)>);
    let checks = model.schemes.iter().filter_map(|scheme| match scheme {
        Scheme::Custom(path) => Some(scheme_check(path, user_ty, &private)),
        Scheme::BuiltIn(_) => None,
    });
    let checks = quote!(#(#checks)*);

    let mut bindings = Vec::new();
    let mut inputs: Vec<syn::FnArg> = Vec::new();
    for (index, input) in std::mem::take(&mut sig.inputs).into_iter().enumerate() {
        let syn::FnArg::Typed(mut arg) = input else {
            continue;
        };
        arg.attrs.retain(|a| !is_user_marker(a));
        let (pat, ty) = (&arg.pat, &arg.ty);
        if index == model.user {
            bindings.push(quote_spanned!(ty.span()=> let #pat: #ty = #auth.user;));
        } else if Some(index) == model.info {
            bindings.push(quote_spanned!(ty.span()=> let #pat: #ty = #auth.info;));
        } else {
            inputs.push(syn::FnArg::Typed(arg));
        }
    }
    sig.inputs.push(syn::parse_quote!(#auth: #auth_ty));
    sig.inputs.extend(inputs);

    let Some(requirement) = &model.requirement else {
        return quote! {
            #(#attrs)*
            #vis #sig {
                #imports
                #checks
                #(#bindings)*
                #body
            }
        };
    };

    // With requirements the handler may answer 404/403 itself: its return type `R`
    // becomes `Result<R, Refusal>` and the body runs in an async block, so that a
    // `return` or `?` in it keeps its meaning.
    let output = match &sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => quote!(#ty),
    };
    sig.output = syn::parse_quote!(-> ::core::result::Result<#output, #private::Refusal>);

    let names =
        ["__user", "__info", "__roles", "__permissions"].map(|n| syn::Ident::new(n, Span::mixed_site()));
    let [user, info, roles, permissions] = &names;
    let scope = Scope {
        private: &private,
        user_ty,
        user,
        info,
        roles,
        permissions,
        optional_params: &model.optional_resources,
    };
    let check = verdict(requirement, &scope);
    let not_found = model.optional_resources.iter().map(|param| {
        quote! {
            if #param.is_none() {
                return ::core::result::Result::Err(#auth.refuse(#private::AuthError::NotFound));
            }
        }
    });
    let atoms = requirement.atoms();
    let uses = |f: fn(&Atom) -> bool| atoms.iter().any(|a| f(a));
    let role_mask = if uses(|a| matches!(a, Atom::Role(_) | Atom::TypedRole(_))) {
        quote!(#private::AuthUser::role_mask(#user))
    } else {
        quote!(0u64)
    };
    let permission_mask = if uses(|a| matches!(a, Atom::Permission(_))) {
        quote!(#private::AuthUser::permission_mask(#user))
    } else {
        quote!(0u64)
    };

    quote! {
        #(#attrs)*
        #vis #sig {
            #imports
            #checks
            #(#not_found)*
            {
                let #user: &#user_ty = &#auth.user;
                let #info: &#private::AuthInfo = &#auth.info;
                let #roles: u64 = #role_mask;
                let #permissions: u64 = #permission_mask;
                let __verdict: ::core::result::Result<(), &'static str> = #check;
                if let ::core::result::Result::Err(__requirement) = __verdict {
                    let __scheme = #info.scheme();
                    return ::core::result::Result::Err(#auth.refuse(#private::AuthError::Denied {
                        scheme: __scheme,
                        requirement: __requirement,
                    }));
                }
            }
            #(#bindings)*
            ::core::result::Result::Ok(async move #body.await)
        }
    }
}

/// A check that a `custom(Type)` scheme implements the runtime's `AuthScheme<User>`,
/// spanned on the type's path in the attribute, so that rustc's error (and the trait's
/// `#[diagnostic::on_unimplemented]` message) lands there.
fn scheme_check(path: &syn::Path, user_ty: &syn::Type, private: &TokenStream) -> TokenStream {
    let first = path
        .segments
        .first()
        .map_or_else(Span::call_site, |s| s.ident.span());
    let last = path.segments.last().map_or(first, |s| s.ident.span());
    let check = syn::Ident::new("__portcullis_is_auth_scheme", first);
    let bound = crate::respan::respan(quote!(#private::AuthScheme<__U>), last);
    let close = quote_spanned!(last=> >());
    quote! {
        {
            #[allow(clippy::extra_unused_type_parameters)]
            fn #check<__S: #bound, __U: #private::AuthUser>() {}
            #check::<#path, #user_ty #close;
        }
    }
}
