//! Code generation for `#[derive(AuthUser)]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::{NameList, UserModel};

fn declared(list: &Option<NameList>) -> TokenStream {
    match list {
        Some(NameList(names)) => quote!(::core::option::Option::Some(&[#(#names),*])),
        None => quote!(::core::option::Option::None),
    }
}

pub(super) fn expand(model: &UserModel) -> TokenStream {
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let ident = &model.ident;
    let (impl_generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let parts = model.parts();

    let id_field = &parts.id.ident;
    let id_ty = &parts.id.ty;
    let id_type = quote_spanned!(id_ty.span()=> type Id = #id_ty;);

    let name = parts.name.map(|f| {
        let (field, ty) = (&f.ident, &f.ty);
        let read = quote_spanned!(ty.span()=> #private::OptionalText::text(&self.#field));
        quote! { fn name(&self) -> ::core::option::Option<&str> { #read } }
    });
    let names = |field: Option<&super::ast::RawField>, method: TokenStream| {
        field.map(|f| {
            let (field, ty) = (&f.ident, &f.ty);
            let visit = quote_spanned!(ty.span()=> #private::NameSet::for_each_name(&self.#field, __f));
            quote! { fn #method(&self, __f: &mut dyn ::core::ops::FnMut(&str)) { #visit } }
        })
    };
    let roles = names(parts.roles, quote!(for_each_role));
    let permissions = names(parts.permissions, quote!(for_each_permission));
    let password_hash = parts.password_hash.map(|f| {
        let (field, ty) = (&f.ident, &f.ty);
        let read = quote_spanned!(ty.span()=> #private::OptionalText::text(&self.#field));
        quote! { fn password_hash(&self) -> ::core::option::Option<&str> { #read } }
    });
    let active = parts.active.map(|f| {
        let (field, ty) = (&f.ident, &f.ty);
        let read = quote_spanned!(ty.span()=> { let __active: bool = self.#field; __active });
        quote! { fn is_active(&self) -> bool { #read } }
    });
    let declared_roles = declared(&model.roles);
    let declared_permissions = declared(&model.permissions);

    quote! {
        #[doc(hidden)]
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #private::AuthUser for #ident #ty_generics #where_clause {
                #id_type
                const DECLARED_ROLES: ::core::option::Option<&'static [&'static str]> = #declared_roles;
                const DECLARED_PERMISSIONS: ::core::option::Option<&'static [&'static str]> = #declared_permissions;
                fn id(&self) -> &Self::Id { &self.#id_field }
                #name
                #roles
                #permissions
                #password_hash
                #active
            }
        };
    }
}
