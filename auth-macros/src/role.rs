//! `#[derive(Role)]`: a fieldless enum becomes a typed role set.
//!
//! Small enough for one file: parse the variants (names, `#[role(rename = "..")]`),
//! validate (fieldless, at most 64, unique names), expand.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

/// `AdminUser` → `admin_user`.
fn snake_case(ident: &syn::Ident) -> String {
    let mut out = String::new();
    for (i, c) in ident.to_string().chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn rename(variant: &syn::Variant) -> syn::Result<Option<String>> {
    let mut name = None;
    for attr in variant.attrs.iter().filter(|a| a.path().is_ident("role")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                name = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                Ok(())
            } else {
                Err(meta.error("unknown `role` option: the only one is `rename = \"name\"`"))
            }
        })?;
    }
    Ok(name)
}

pub(crate) fn derive(input: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(input).and_then(|input| expand(&input)) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn expand(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let data = match &input.data {
        syn::Data::Enum(data) => data,
        syn::Data::Struct(s) => {
            return Err(syn::Error::new(
                s.struct_token.span(),
                "`#[derive(Role)]` goes on a fieldless enum of roles, e.g. `enum Role { Admin, User }`",
            ));
        }
        syn::Data::Union(u) => {
            return Err(syn::Error::new(
                u.union_token.span(),
                "`#[derive(Role)]` goes on a fieldless enum of roles",
            ));
        }
    };
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    if data.variants.is_empty() {
        push(syn::Error::new(
            input.ident.span(),
            "a role enum needs at least one variant",
        ));
    }
    let mut names = Vec::new();
    for (i, variant) in data.variants.iter().enumerate() {
        if !matches!(variant.fields, syn::Fields::Unit) {
            push(syn::Error::new(
                variant.fields.span(),
                "role variants cannot hold data: write `Admin`, not `Admin(..)` or `Admin { .. }`",
            ));
        }
        if i == 64 {
            push(syn::Error::new(
                variant.ident.span(),
                "at most 64 roles (they are bits of a u64)",
            ));
        }
        let name = match rename(variant) {
            Ok(renamed) => renamed.unwrap_or_else(|| snake_case(&variant.ident)),
            Err(e) => {
                push(e);
                continue;
            }
        };
        if names.contains(&name) {
            push(syn::Error::new(
                variant.ident.span(),
                format!("two variants are named `{name}`: rename one"),
            ));
        }
        names.push(name);
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    let ident = &input.ident;
    let krate: syn::Path = syn::parse_quote!(::portcullis);
    let private = quote!(#krate::__private);
    let variants = data.variants.iter().map(|v| &v.ident);
    let indexes = 0..data.variants.len() as u32;
    Ok(quote! {
        #[doc(hidden)]
        const _: () = {
            #[automatically_derived]
            impl #private::TypedRole for #ident {
                const NAMES: &'static [&'static str] = &[#(#names),*];
                fn index(self) -> u32 {
                    match self { #(#ident::#variants => #indexes,)* }
                }
            }
            #[automatically_derived]
            impl #private::NameSet for #ident {
                type Typed = #ident;
                const DECLARED: ::core::option::Option<&'static [&'static str]> =
                    ::core::option::Option::Some(<#ident as #private::TypedRole>::NAMES);
                fn for_each_name(&self, __f: &mut dyn ::core::ops::FnMut(&str)) {
                    __f(#private::TypedRole::name(*self))
                }
                fn mask(&self, _declared: &[&str]) -> u64 {
                    1u64 << #private::TypedRole::index(*self)
                }
            }
        };
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn snake_case_names() {
        let ident: syn::Ident = syn::parse_quote!(SupportAgent);
        assert_eq!(super::snake_case(&ident), "support_agent");
    }
}
