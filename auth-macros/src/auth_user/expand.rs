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

/// One "did you mean" message per declared name, then one without suggestion; the
/// `const` generated for a misspelt name panics with the one `NameCheck::lookup_role`
/// (or `lookup_permission`) returns.
fn hints(kind: &str, list: &Option<NameList>, user: &syn::Ident) -> TokenStream {
    let Some(NameList(names)) = list else {
        return quote!(&[]);
    };
    let all: Vec<String> = names.iter().map(syn::LitStr::value).collect();
    let declared = all.join(", ");
    let mut messages: Vec<String> = all
        .iter()
        .map(|name| {
            format!("this {kind} is not declared by `{user}`: did you mean `{name}`? (declared: {declared})")
        })
        .collect();
    messages.push(format!(
        "this {kind} is not declared by `{user}` (declared: {declared}): fix the spelling or add it to `#[auth_user({kind}s(...))]`"
    ));
    quote!(&[#(#messages),*])
}

fn bits_of(list: &Option<NameList>, names: &[syn::LitStr]) -> u64 {
    let Some(NameList(declared)) = list else { return 0 };
    names.iter().fold(0, |mask, lit| {
        let name = lit.value();
        if name == "*" {
            return u64::MAX >> (64 - declared.len().clamp(1, 64));
        }
        declared
            .iter()
            .position(|d| d.value() == name)
            .map_or(mask, |i| mask | (1 << i))
    })
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
        let read = quote_spanned!(ty.span()=> <#ty as #private::OptionalText>::text(&self.#field));
        quote! { fn name(&self) -> ::core::option::Option<&str> { #read } }
    });
    let names = |field: Option<&super::ast::RawField>, method: TokenStream| {
        field.map(|f| {
            let (field, ty) = (&f.ident, &f.ty);
            let visit =
                quote_spanned!(ty.span()=> <#ty as #private::NameSet>::for_each_name(&self.#field, __f));
            quote! { fn #method(&self, __f: &mut dyn ::core::ops::FnMut(&str)) { #visit } }
        })
    };
    let roles = names(parts.roles, quote!(for_each_role));
    let permissions = names(parts.permissions, quote!(for_each_permission));
    let password_hash = parts.password_hash.map(|f| {
        let (field, ty) = (&f.ident, &f.ty);
        let read = quote_spanned!(ty.span()=> <#ty as #private::OptionalText>::text(&self.#field));
        quote! { fn password_hash(&self) -> ::core::option::Option<&str> { #read } }
    });
    let active = parts.active.map(|f| {
        let (field, ty) = (&f.ident, &f.ty);
        let read = quote_spanned!(ty.span()=> <#ty as #private::BoolField>::get(&self.#field));
        quote! { fn is_active(&self) -> bool { #read } }
    });
    // Without `roles(...)` (`permissions(...)`), an enum field declares its enum's names.
    let declared_by = |list: &Option<NameList>, field: Option<&super::ast::RawField>| match (list, field) {
        (None, Some(field)) => {
            let ty = &field.ty;
            quote_spanned!(ty.span()=> <#ty as #private::NameSet>::DECLARED)
        }
        (list, _) => declared(list),
    };
    let declared_roles = declared_by(&model.roles, parts.roles);
    let declared_permissions = declared_by(&model.permissions, parts.permissions);
    let role_hints = hints("role", &model.roles, ident);
    let permission_hints = hints("permission", &model.permissions, ident);
    let grants = model.grants.iter().flat_map(|g| &g.0).map(|(role, permissions)| {
        let role_bit = bits_of(&model.roles, &[syn::LitStr::new(&role.to_string(), role.span())]);
        let permission_bits = bits_of(&model.permissions, &permissions.0);
        quote!((#role_bit, #permission_bits))
    });
    // Every use of the roles field's type is spanned on it: an unsupported type gets
    // one error, there.
    let role_mask = parts.roles.map(|f| {
        let (field, ty) = (&f.ident, &f.ty);
        let mask = quote_spanned!(ty.span()=> <#ty as #private::NameSet>::mask(&self.#field, declared));
        quote! {
            fn role_mask(&self) -> u64 {
                match <Self as #private::DeclaredNames>::DECLARED_ROLES {
                    ::core::option::Option::Some(declared) => #mask,
                    ::core::option::Option::None => 0,
                }
            }
        }
    });
    // Like `role_mask`: the field's own bits (an enum's variant indexes), plus the grants.
    let permission_mask = parts.permissions.map(|f| {
        let (field, ty) = (&f.ident, &f.ty);
        let mask = quote_spanned!(ty.span()=> <#ty as #private::NameSet>::mask(&self.#field, declared));
        quote! {
            fn permission_mask(&self) -> u64 {
                match <Self as #private::DeclaredNames>::DECLARED_PERMISSIONS {
                    ::core::option::Option::Some(declared) => #mask
                        | #private::granted(<Self as #private::DeclaredNames>::GRANTS, #private::AuthUser::role_mask(self)),
                    ::core::option::Option::None => 0,
                }
            }
        }
    });
    let email_verified = parts.email_verified.map(|f| {
        let (field, ty) = (&f.ident, &f.ty);
        let read = quote_spanned!(ty.span()=> <#ty as #private::BoolField>::get(&self.#field));
        quote! {
            fn email_verified(&self) -> bool { #read }
        }
    });
    let has_email_verified = parts.email_verified.is_some();
    let has_password_hash = parts.password_hash.is_some();
    let typed = |field: Option<&super::ast::RawField>| match field {
        Some(f) => {
            let ty = &f.ty;
            quote_spanned!(ty.span()=> <#ty as #private::NameSet>::Typed)
        }
        None => quote!(#private::Untyped),
    };
    let (typed_roles, typed_permissions) = (typed(parts.roles), typed(parts.permissions));
    // `roles(...)` and a role-enum field would number the roles twice (permissions alike).
    let one_declaration =
        |list: &Option<NameList>, field: Option<&super::ast::RawField>, message: &str| match (list, field) {
            (Some(list), Some(field)) => {
                let ty = &field.ty;
                let span = list
                    .0
                    .first()
                    .map_or_else(proc_macro2::Span::call_site, syn::LitStr::span);
                quote_spanned! {span=>
                    const _: () = ::core::assert!(<#ty as #private::NameSet>::DECLARED.is_none(), #message);
                }
            }
            _ => TokenStream::new(),
        };
    let one_role_declaration = one_declaration(
        &model.roles,
        parts.roles,
        "the roles field holds a role enum, which declares the roles: remove `roles(...)`",
    );
    let one_permission_declaration = one_declaration(
        &model.permissions,
        parts.permissions,
        "the permissions field holds a permission enum, which declares the permissions: remove `permissions(...)`",
    );

    quote! {
        #[doc(hidden)]
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #private::DeclaredNames for #ident #ty_generics #where_clause {
                const DECLARED_ROLES: ::core::option::Option<&'static [&'static str]> = #declared_roles;
                const DECLARED_PERMISSIONS: ::core::option::Option<&'static [&'static str]> = #declared_permissions;
                const GRANTS: &'static [(u64, u64)] = &[#(#grants),*];
                const ROLE_HINTS: &'static [&'static str] = #role_hints;
                const PERMISSION_HINTS: &'static [&'static str] = #permission_hints;
                const HAS_EMAIL_VERIFIED: bool = #has_email_verified;
                const HAS_PASSWORD_HASH: bool = #has_password_hash;
            }
            #[automatically_derived]
            impl #impl_generics #private::AuthUser for #ident #ty_generics #where_clause {
                #id_type
                fn id(&self) -> &Self::Id { &self.#id_field }
                #role_mask
                #permission_mask
                #email_verified
                #name
                #roles
                #permissions
                #password_hash
                #active
            }
            #[automatically_derived]
            impl #impl_generics #private::UserRoles for #ident #ty_generics #where_clause {
                type Typed = #typed_roles;
            }
            #[automatically_derived]
            impl #impl_generics #private::UserPermissions for #ident #ty_generics #where_clause {
                type Typed = #typed_permissions;
            }
            #one_role_declaration
            #one_permission_declaration
        };
    }
}
