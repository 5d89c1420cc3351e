//! `#[derive(Role)]` and `#[derive(Permission)]`: a fieldless enum becomes a typed set of
//! role (or permission) names. One implementation, parameterised by [`Kind`].
//!
//! Small enough for one file: parse the options (`#[role(crate = path)]` on the enum,
//! `#[role(rename = "..")]` on a variant; `#[permission(...)]` alike) and validate the
//! variants (fieldless, at most 64, unique names), then expand, or emit the errors plus a
//! fallback impl.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

use crate::errors::Errors;

/// Which derive: the words of its messages and the trait it implements.
#[derive(Clone, Copy)]
pub(crate) struct Kind {
    /// The helper attribute and the noun: `role` / `permission`.
    noun: &'static str,
    /// The derive's name: `Role` / `Permission`.
    derive: &'static str,
    /// Example variants: `Admin, User`.
    example: &'static str,
    /// The trait in `__private` carrying the names: `TypedRole` / `TypedPermission`.
    typed: &'static str,
}

pub(crate) const ROLE: Kind = Kind {
    noun: "role",
    derive: "Role",
    example: "Admin, User",
    typed: "TypedRole",
};

pub(crate) const PERMISSION: Kind = Kind {
    noun: "permission",
    derive: "Permission",
    example: "PostsRead, PostsWrite",
    typed: "TypedPermission",
};

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

/// The options of `#[role(...)]` / `#[permission(...)]`: `crate = path` on the enum, `rename = ".."` on a variant.
#[derive(Default)]
struct Options {
    krate: Option<syn::Path>,
    rename: Option<String>,
}

fn options(kind: Kind, attrs: &[syn::Attribute], on_enum: bool, errors: &mut Errors) -> Options {
    let mut options = Options::default();
    let noun = kind.noun;
    for attr in attrs.iter().filter(|a| a.path().is_ident(noun)) {
        let parsed = attr.parse_nested_meta(|meta| {
            if on_enum && meta.path.is_ident("crate") {
                options.krate = Some(meta.value()?.parse()?);
                Ok(())
            } else if !on_enum && meta.path.is_ident("rename") {
                options.rename = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                Ok(())
            } else if on_enum {
                Err(meta.error(format!(
                    "unknown `{noun}` option on the enum: the only one is `crate = path`; `rename = \"name\"` goes on a variant",
                )))
            } else {
                Err(meta.error(format!("unknown `{noun}` option: the only one is `rename = \"name\"`")))
            }
        });
        errors.handle(parsed);
    }
    options
}

pub(crate) fn derive(kind: Kind, input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::new();
    let krate = options(kind, &input.attrs, true, &mut errors)
        .krate
        .unwrap_or_else(crate::krate::default_path);
    let names = names(kind, &input, &mut errors);
    match errors.finish_with(names) {
        Ok(Some(names)) => expand(kind, &input, &krate, &names),
        Ok(None) => unreachable!("a non-enum input is an error"),
        Err(e) => {
            let mut out = e.to_compile_error();
            out.extend(fallback(kind, &input, &krate));
            out
        }
    }
}

/// The names, in variant order (`None` when the input is not an enum).
fn names(kind: Kind, input: &syn::DeriveInput, errors: &mut Errors) -> Option<Vec<String>> {
    let Kind {
        noun,
        derive,
        example,
        ..
    } = kind;
    let data = match &input.data {
        syn::Data::Enum(data) => data,
        syn::Data::Struct(s) => {
            errors.push(
                s.struct_token.span(),
                format!("`#[derive({derive})]` goes on a fieldless enum of {noun}s, e.g. `enum {derive} {{ {example} }}`"),
            );
            return None;
        }
        syn::Data::Union(u) => {
            errors.push(
                u.union_token.span(),
                format!("`#[derive({derive})]` goes on a fieldless enum of {noun}s"),
            );
            return None;
        }
    };
    if data.variants.is_empty() {
        errors.push(
            input.ident.span(),
            format!("a {noun} enum needs at least one variant"),
        );
    }
    let first = example.split(',').next().unwrap_or(example);
    let mut names = Vec::new();
    for (i, variant) in data.variants.iter().enumerate() {
        if !matches!(variant.fields, syn::Fields::Unit) {
            errors.push(
                variant.fields.span(),
                format!("{noun} variants cannot hold data: write `{first}`, not `{first}(..)` or `{first} {{ .. }}`"),
            );
        }
        if i == 64 {
            errors.push(
                variant.ident.span(),
                format!("at most 64 {noun}s (they are bits of a u64)"),
            );
        }
        let before = errors.count();
        let renamed = options(kind, &variant.attrs, false, errors).rename;
        if errors.count() > before {
            continue;
        }
        let name = renamed.unwrap_or_else(|| snake_case(&variant.ident));
        if names.contains(&name) {
            errors.push(
                variant.ident.span(),
                format!("two variants are named `{name}`: rename one"),
            );
        }
        names.push(name);
    }
    Some(names)
}

fn expand(kind: Kind, input: &syn::DeriveInput, krate: &syn::Path, names: &[String]) -> TokenStream {
    let syn::Data::Enum(data) = &input.data else {
        unreachable!("checked: an enum")
    };
    let ident = &input.ident;
    let private = quote!(#krate::__private);
    let typed = syn::Ident::new(kind.typed, proc_macro2::Span::call_site());
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let variants = data.variants.iter().map(|v| &v.ident);
    let indexes = 0..data.variants.len() as u32;
    quote! {
        #[doc(hidden)]
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #private::#typed for #ident #ty_generics #where_clause {
                const NAMES: &'static [&'static str] = &[#(#names),*];
                fn index(self) -> u32 {
                    match self { #(#ident::#variants => #indexes,)* }
                }
            }
            #[automatically_derived]
            impl #impl_generics #private::NameSet for #ident #ty_generics #where_clause {
                type Typed = #ident #ty_generics;
                const DECLARED: ::core::option::Option<&'static [&'static str]> =
                    ::core::option::Option::Some(<#ident #ty_generics as #private::#typed>::NAMES);
                fn for_each_name(&self, __f: &mut dyn ::core::ops::FnMut(&str)) {
                    __f(#private::#typed::name(*self))
                }
                fn mask(&self, _declared: &[&str]) -> u64 {
                    1u64 << #private::#typed::index(*self)
                }
            }
            #[automatically_derived]
            impl #impl_generics #private::NameEnum for #ident #ty_generics #where_clause {}
        };
    }
}

/// Beside the errors: `TypedRole` (or `TypedPermission`), `NameSet` and `NameEnum` impls
/// that declare no name, so that a user type holding the enum and the requirements naming
/// its variants compile on, and one mistake in the enum gives one error (thiserror's
/// `fallback.rs`, clap's `dummies.rs`). `for<'__r> Self: Copy` keeps a non-`Copy` input
/// from adding an error of its own.
fn fallback(kind: Kind, input: &syn::DeriveInput, krate: &syn::Path) -> TokenStream {
    let ident = &input.ident;
    let private = quote!(#krate::__private);
    let typed = syn::Ident::new(kind.typed, proc_macro2::Span::call_site());
    let failed = format!("`#[derive({})]` failed; see the compile error", kind.derive);
    let mut generics = input.generics.clone();
    generics
        .make_where_clause()
        .predicates
        .push(syn::parse_quote!(for<'__r> Self: ::core::marker::Copy));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[doc(hidden)]
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #private::#typed for #ident #ty_generics #where_clause {
                const NAMES: &'static [&'static str] = &[];
                fn index(self) -> u32 {
                    ::core::unimplemented!(#failed)
                }
            }
            #[automatically_derived]
            impl #impl_generics #private::NameSet for #ident #ty_generics #where_clause {
                type Typed = Self;
                fn for_each_name(&self, _: &mut dyn ::core::ops::FnMut(&str)) {}
            }
            #[automatically_derived]
            impl #impl_generics #private::NameEnum for #ident #ty_generics #where_clause {}
        };
    }
}

#[cfg(test)]
mod tests {
    fn derive(input: proc_macro2::TokenStream) -> String {
        super::derive(super::ROLE, input).to_string()
    }

    #[test]
    fn permissions_speak_of_permissions() {
        let out = super::derive(
            super::PERMISSION,
            quote::quote! {
                #[permission(crate = gate)]
                enum Perm { PostsWrite(u8), #[permission(rename = "posts_read")] A, PostsRead }
            },
        )
        .to_string();
        assert_eq!(out.matches("compile_error").count(), 2, "{out}");
        assert!(out.contains("permission variants cannot hold data"), "{out}");
        assert!(out.contains("two variants are named `posts_read`"), "{out}");
        assert!(
            out.contains("impl gate :: __private :: TypedPermission for Perm"),
            "{out}"
        );
        assert!(out.contains("gate :: __private :: NameEnum for Perm"), "{out}");
        let ok = super::derive(
            super::PERMISSION,
            quote::quote!(
                enum Perm {
                    PostsWrite,
                    #[permission(rename = "posts:read")]
                    PostsRead,
                }
            ),
        )
        .to_string();
        assert!(!ok.contains("compile_error"), "{ok}");
        assert!(ok.contains("\"posts_write\" , \"posts:read\""), "{ok}");
    }

    #[test]
    fn every_mistake_once_and_a_fallback_in_the_right_crate() {
        let out = derive(quote::quote! {
            #[role(crate = gate)]
            enum Role { Admin(u8), #[role(rename = "admin")] Boss, #[role(renam = "x")] User }
        });
        assert_eq!(out.matches("compile_error").count(), 3, "{out}");
        assert!(out.contains("cannot hold data"), "{out}");
        assert!(out.contains("two variants are named `admin`"), "{out}");
        assert!(out.contains("unknown `role` option"), "{out}");
        assert!(
            out.contains("impl gate :: __private :: TypedRole for Role"),
            "{out}"
        );
        assert!(
            out.contains("for < '__r > Self : :: core :: marker :: Copy"),
            "{out}"
        );
    }

    #[test]
    fn honours_the_crate_path() {
        let out = derive(quote::quote! {
            #[role(crate = gate)]
            enum Role { Admin, User }
        });
        assert!(!out.contains("compile_error"), "{out}");
        assert!(!out.contains("portcullis"), "{out}");
        assert!(out.contains("gate :: __private :: NameSet"), "{out}");
        let out = derive(quote::quote!(
            #[role(rename = "x")]
            enum Role {
                Admin,
            }
        ));
        assert!(out.contains("`rename = \\\"name\\\"` goes on a variant"), "{out}");
    }

    #[test]
    fn snake_case_names() {
        let ident: syn::Ident = syn::parse_quote!(SupportAgent);
        assert_eq!(super::snake_case(&ident), "support_agent");
    }
}
