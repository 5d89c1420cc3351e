//! The typed model of a `#[derive(AuthUser)]` input.

use darling::util::Flag;
use darling::{FromDeriveInput, FromField, FromMeta};
use syn::spanned::Spanned;

/// `roles("a", "b")` / `permissions(...)`: declared names with their spans.
#[derive(Debug, Clone, Default)]
pub(super) struct NameList(pub(super) Vec<syn::LitStr>);

impl FromMeta for NameList {
    fn from_list(items: &[darling::ast::NestedMeta]) -> darling::Result<Self> {
        let mut errors = darling::Error::accumulator();
        let mut names = Vec::new();
        for item in items {
            match item {
                darling::ast::NestedMeta::Lit(syn::Lit::Str(lit)) => names.push(lit.clone()),
                other => errors.push(
                    darling::Error::custom("expected a string literal, e.g. `roles(\"admin\", \"user\")`")
                        .with_span(other),
                ),
            }
        }
        errors.finish_with(NameList(names))
    }
}

/// `grants(admin("*"), moderator("posts:read", "posts:write"))`: role → permissions.
#[derive(Debug, Clone, Default)]
pub(super) struct Grants(pub(super) Vec<(syn::Ident, NameList)>);

impl FromMeta for Grants {
    fn from_list(items: &[darling::ast::NestedMeta]) -> darling::Result<Self> {
        let mut errors = darling::Error::accumulator();
        let mut grants = Vec::new();
        for item in items {
            let parsed = match item {
                darling::ast::NestedMeta::Meta(meta @ syn::Meta::List(list)) => match list.path.get_ident() {
                    Some(role) => NameList::from_meta(meta).map(|names| (role.clone(), names)),
                    None => Err(darling::Error::custom("expected a role name").with_span(&list.path)),
                },
                other => Err(darling::Error::custom(
                    "expected `role(\"permission\", ...)`, e.g. `grants(admin(\"*\"), user(\"posts:read\"))`",
                )
                .with_span(other)),
            };
            if let Some(grant) = errors.handle(parsed) {
                grants.push(grant);
            }
        }
        errors.finish_with(Grants(grants))
    }
}

#[derive(Debug, FromDeriveInput)]
#[darling(attributes(auth_user))]
pub(super) struct RawInput {
    #[darling(default)]
    pub(super) roles: Option<NameList>,
    #[darling(default)]
    pub(super) permissions: Option<NameList>,
    #[darling(default)]
    pub(super) grants: Option<Grants>,
    #[darling(rename = "crate", default)]
    pub(super) krate: Option<syn::Path>,
}

#[derive(Debug, Clone, FromField)]
#[darling(attributes(auth_user))]
pub(super) struct RawField {
    pub(super) ident: Option<syn::Ident>,
    pub(super) ty: syn::Type,
    pub(super) id: Flag,
    pub(super) name: Flag,
    pub(super) roles: Flag,
    pub(super) permissions: Flag,
    pub(super) password_hash: Flag,
    pub(super) active: Flag,
    pub(super) email_verified: Flag,
}

/// A parsed (not yet validated) user struct.
pub(super) struct UserModel {
    pub(super) ident: syn::Ident,
    pub(super) generics: syn::Generics,
    pub(super) krate: syn::Path,
    pub(super) roles: Option<NameList>,
    pub(super) permissions: Option<NameList>,
    pub(super) grants: Option<Grants>,
    pub(super) fields: Vec<RawField>,
    /// Errors in `#[auth_user(...)]` keys, reported with the validation's.
    pub(super) parse_errors: Vec<darling::Error>,
}

impl UserModel {
    pub(super) fn from_input(input: &syn::DeriveInput) -> darling::Result<Self> {
        let fields = match &input.data {
            syn::Data::Struct(syn::DataStruct {
                fields: syn::Fields::Named(named),
                ..
            }) => &named.named,
            syn::Data::Struct(syn::DataStruct {
                fields, struct_token, ..
            }) => {
                let span = if fields.is_empty() {
                    struct_token.span()
                } else {
                    fields.span()
                };
                return Err(darling::Error::custom(
                    "`#[derive(AuthUser)]` needs a struct with named fields: name them, e.g. `struct User { id: i64, ... }`",
                )
                .with_span(&span));
            }
            syn::Data::Enum(data) => {
                return Err(darling::Error::custom(
                    "`#[derive(AuthUser)]` cannot be used on an enum: derive it on the struct that holds the user (an enum of roles takes `#[derive(Role)]`)",
                )
                .with_span(&data.enum_token));
            }
            syn::Data::Union(data) => {
                return Err(darling::Error::custom(
                    "`#[derive(AuthUser)]` cannot be used on a union: use a struct with named fields",
                )
                .with_span(&data.union_token));
            }
        };
        // Key errors are kept for `valid::check` to report together with its own.
        let mut parse_errors = Vec::new();
        let raw = RawInput::from_derive_input(input).unwrap_or_else(|e| {
            parse_errors.push(e);
            RawInput {
                roles: None,
                permissions: None,
                grants: None,
                krate: None,
            }
        });
        let fields: Vec<RawField> = fields
            .iter()
            .filter_map(|f| RawField::from_field(f).map_err(|e| parse_errors.push(e)).ok())
            .collect();
        Ok(UserModel {
            ident: input.ident.clone(),
            generics: input.generics.clone(),
            krate: raw.krate.unwrap_or_else(|| syn::parse_quote!(::portcullis)),
            roles: raw.roles,
            permissions: raw.permissions,
            grants: raw.grants,
            parse_errors,
            fields,
        })
    }
}
