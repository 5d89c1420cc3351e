//! Code generation for `#[auth]`: the user parameter becomes the runtime's extractor.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::{Handler, is_user_marker};
use super::valid::AuthModel;

pub(super) fn expand(model: &AuthModel, handler: Handler) -> TokenStream {
    let Handler {
        attrs,
        vis,
        mut sig,
        body,
    } = handler;
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let auth = syn::Ident::new("__portcullis_auth", Span::mixed_site());

    let schemes = model
        .schemes
        .iter()
        .map(|variant| quote!(#private::Scheme::#variant));
    let extractor = if model.optional {
        quote!(MaybeAuthenticated)
    } else {
        quote!(Authenticated)
    };
    let user_ty = &model.user_ty;
    let auth_ty = quote_spanned! {user_ty.span()=>
        #private::#extractor<#user_ty, { #private::SchemeList::encode(&[#(#schemes),*]) }>
    };

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

    quote! {
        #(#attrs)*
        #vis #sig {
            #(#bindings)*
            #body
        }
    }
}
