//! The typed model of a `#[derive(AuthUser)]` input.

use darling::util::Flag;
use darling::{FromDeriveInput, FromField, FromMeta};
use syn::spanned::Spanned;

use crate::errors::Errors;

/// `roles("a", "b")` / `permissions(...)`: declared names with their spans.
#[derive(Debug, Clone, Default)]
pub(super) struct NameList(pub(super) Vec<syn::LitStr>);

/// `value`, or every error of `errors` (darling's `FromMeta` reports through its own
/// error type; the derive moves them into its [`Errors`] afterwards).
fn all_or_errors<T>(value: T, errors: Vec<darling::Error>) -> darling::Result<T> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(darling::Error::multiple(errors))
    }
}

impl FromMeta for NameList {
    fn from_list(items: &[darling::ast::NestedMeta]) -> darling::Result<Self> {
        let mut errors = Vec::new();
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
        all_or_errors(NameList(names), errors)
    }
}

/// `grants(admin("*"), moderator("posts:read", "posts:write"))`: role → permissions.
#[derive(Debug, Clone, Default)]
pub(super) struct Grants(pub(super) Vec<(syn::Ident, NameList)>);

impl FromMeta for Grants {
    fn from_list(items: &[darling::ast::NestedMeta]) -> darling::Result<Self> {
        let mut errors = Vec::new();
        let mut grants = Vec::new();
        for item in items {
            let parsed = match item {
                darling::ast::NestedMeta::Meta(meta @ syn::Meta::List(list)) => match list.path.get_ident() {
                    Some(role) => NameList::from_meta(meta).map(|names| (role.clone(), names)),
                    None => Err(darling::Error::custom(
                        "a grant starts with the role's name, not a path: write `admin(\"*\")`, not `roles::admin(\"*\")`",
                    )
                    .with_span(&list.path)),
                },
                other => Err(darling::Error::custom(
                    "expected `role(\"permission\", ...)`, e.g. `grants(admin(\"*\"), user(\"posts:read\"))`",
                )
                .with_span(other)),
            };
            match parsed {
                Ok(grant) => grants.push(grant),
                Err(e) => errors.push(e),
            }
        }
        all_or_errors(Grants(grants), errors)
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
}

impl UserModel {
    /// The model, or `None` when the input is not a struct with named fields. Errors in
    /// `#[auth_user(...)]` keys are recorded and the rest is still read, so that the
    /// validation's errors are reported with them.
    pub(super) fn from_input(input: &syn::DeriveInput, errors: &mut Errors) -> Option<Self> {
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
                errors.push(
                    span,
                    "`#[derive(AuthUser)]` needs a struct with named fields: name them, e.g. `struct User { id: i64, ... }`",
                );
                return None;
            }
            syn::Data::Enum(data) => {
                errors.push(
                    data.enum_token.span,
                    "`#[derive(AuthUser)]` cannot be used on an enum: derive it on the struct that holds the user (an enum of roles takes `#[derive(Role)]`)",
                );
                return None;
            }
            syn::Data::Union(data) => {
                errors.push(
                    data.union_token.span,
                    "`#[derive(AuthUser)]` cannot be used on a union: use a struct with named fields",
                );
                return None;
            }
        };
        let raw = errors
            .handle(RawInput::from_derive_input(input))
            .unwrap_or(RawInput {
                roles: None,
                permissions: None,
                grants: None,
                krate: None,
            });
        let fields: Vec<RawField> = fields
            .iter()
            .filter_map(|f| errors.handle(RawField::from_field(f)))
            .collect();
        Some(UserModel {
            ident: input.ident.clone(),
            generics: input.generics.clone(),
            krate: raw
                .krate
                .unwrap_or_else(|| crate::krate::of_derive(&input.attrs, "auth_user")),
            roles: raw.roles,
            permissions: raw.permissions,
            grants: raw.grants,
            fields,
        })
    }
}

impl UserModel {
    /// The type of the first field `marked` selects.
    pub(super) fn field_type(&self, marked: impl Fn(&RawField) -> bool) -> Option<&syn::Type> {
        self.fields.iter().find(|f| marked(f)).map(|f| &f.ty)
    }
}
