//! The registry entry of an `#[auth]` handler: its schemes, whether it is optional, its
//! requirements (see `crate::registry`).

use proc_macro2::TokenStream;
use quote::quote;

use super::schemes::Scheme;
use super::valid::AuthModel;
use crate::registry::{location, nameable, path_text, rule_option, submit};

pub(super) fn entry(model: &AuthModel, sig: &syn::Signature) -> TokenStream {
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let schemes = model.schemes.iter().map(|scheme| match scheme {
        Scheme::BuiltIn(ty) => {
            let name = match ty.to_string().as_str() {
                "Jwt" => quote!(JWT),
                "ApiKey" => quote!(API_KEY),
                "Basic" => quote!(BASIC),
                _ => quote!(SESSION),
            };
            quote!(#private::SchemeRef::BuiltIn(#private::Scheme::#name))
        }
        Scheme::Custom(path) => {
            let written = path_text(path);
            quote!(#private::SchemeRef::Custom {
                written: #written,
                type_id: || ::core::any::TypeId::of::<#path>(),
            })
        }
    });
    let user_ty = &model.user_ty;
    let user = if nameable(user_ty, &sig.generics) {
        quote!(::core::option::Option::Some(|| ::core::any::TypeId::of::<#user_ty>()))
    } else {
        quote!(::core::option::Option::None)
    };
    let user_name = path_text_of_type(user_ty);
    let (optional, hide) = (model.optional, model.hide_existence);
    let requirement = rule_option(model.requirement.as_ref(), &private);
    let returned = rule_option(model.require_returned.as_ref().map(|r| &r.expr), &private);
    let filtered = rule_option(model.filter_returned.as_ref().map(|r| &r.expr), &private);
    let location = location(&sig.ident);
    submit(
        &private,
        quote! {
            #private::HandlerEntry::__auth(
                #location,
                &[#(#schemes),*],
                #optional,
                #hide,
                #user,
                #user_name,
            )
            .__requirements(#requirement, #returned, #filtered)
        },
    )
}

fn path_text_of_type(ty: &syn::Type) -> String {
    quote::ToTokens::to_token_stream(ty).to_string().replace(' ', "")
}
