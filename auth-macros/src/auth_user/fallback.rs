//! What `#[derive(AuthUser)]` emits beside its errors: dummy `DeclaredNames`, `AuthUser`,
//! `UserRoles` and `UserPermissions` impls, so that the handlers and requirements using the type compile on and
//! one mistake in the derive gives one error, not one more at every use (thiserror's
//! `fallback.rs`, clap's `dummies.rs`).

use proc_macro2::TokenStream;
use quote::quote;

/// What is known of the type despite the errors.
pub(super) struct Known<'a> {
    pub(super) krate: syn::Path,
    /// The type of the (first) field marked `#[auth_user(id)]`.
    pub(super) id: Option<&'a syn::Type>,
    /// The type of the (first) field marked `#[auth_user(roles)]`.
    pub(super) roles: Option<&'a syn::Type>,
    /// The type of the (first) field marked `#[auth_user(permissions)]`.
    pub(super) permissions: Option<&'a syn::Type>,
}

pub(super) fn expand(input: &syn::DeriveInput, known: &Known<'_>) -> TokenStream {
    // A borrowing user type is itself the mistake; an impl would only add a lifetime error.
    if input.generics.lifetimes().next().is_some() {
        return TokenStream::new();
    }
    let krate = &known.krate;
    let private = quote!(#krate::__private);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let id = known
        .id
        .map_or_else(|| quote!(::std::string::String), |ty| quote!(#ty));
    let typed = |field: Option<&syn::Type>| {
        field.map_or_else(
            || quote!(#private::Untyped),
            |ty| quote!(<#ty as #private::NameSet>::Typed),
        )
    };
    let (typed_roles, typed_permissions) = (typed(known.roles), typed(known.permissions));
    quote! {
        #[doc(hidden)]
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #private::DeclaredNames for #ident #ty_generics #where_clause {}
            #[automatically_derived]
            impl #impl_generics #private::AuthUser for #ident #ty_generics #where_clause {
                type Id = #id;
                fn id(&self) -> &Self::Id {
                    ::core::unimplemented!("`#[derive(AuthUser)]` failed; see the compile error")
                }
            }
            #[automatically_derived]
            impl #impl_generics #private::UserRoles for #ident #ty_generics #where_clause {
                type Typed = #typed_roles;
            }
            #[automatically_derived]
            impl #impl_generics #private::UserPermissions for #ident #ty_generics #where_clause {
                type Typed = #typed_permissions;
            }
        };
    }
}
