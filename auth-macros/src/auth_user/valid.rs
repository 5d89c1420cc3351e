//! Checks of a [`UserModel`]: exactly one id, at most one field per role, sane names.

use super::ast::{NameList, RawField, UserModel};
use crate::errors::Errors;

/// Which field plays which part, once validated.
pub(super) struct Roles<'a> {
    pub(super) id: &'a RawField,
    pub(super) name: Option<&'a RawField>,
    pub(super) roles: Option<&'a RawField>,
    pub(super) permissions: Option<&'a RawField>,
    pub(super) password_hash: Option<&'a RawField>,
    pub(super) active: Option<&'a RawField>,
    pub(super) email_verified: Option<&'a RawField>,
}

pub(super) fn check(model: &UserModel, errors: &mut Errors) {
    for list in [&model.roles, &model.permissions].into_iter().flatten() {
        check_names(list, errors);
    }
    if let Some(lifetime) = model.generics.lifetimes().next() {
        errors.push_spanned(&lifetime.lifetime, "a user type cannot borrow: `AuthUser` types are `'static` (handlers own them); use owned fields such as `String`");
    }
    if let Some(grants) = &model.grants {
        check_grants(model, grants, errors);
    }
    if model.fields.iter().all(|f| !f.id.is_present()) {
        errors.push_spanned(&model.ident, "no field is marked `#[auth_user(id)]`: mark the field holding the user's unique id, e.g. `#[auth_user(id)] id: i64`");
    }
    for (key, pick) in PARTS {
        let mut marked = model.fields.iter().filter(|f| pick(f).is_present());
        marked.next();
        for extra in marked {
            errors.push(
                pick(extra).span(),
                format!("two fields are marked `#[auth_user({key})]`: keep the mark on one field only"),
            );
        }
    }
}

type Pick = fn(&RawField) -> darling::util::Flag;

const PARTS: [(&str, Pick); 7] = [
    ("id", |f| f.id),
    ("name", |f| f.name),
    ("roles", |f| f.roles),
    ("permissions", |f| f.permissions),
    ("password_hash", |f| f.password_hash),
    ("active", |f| f.active),
    ("email_verified", |f| f.email_verified),
];

/// Most names a declared set may hold (they are bits of a `u64`).
pub(super) const MAX_NAMES: usize = 64;

fn check_grants(model: &UserModel, grants: &super::ast::Grants, errors: &mut Errors) {
    let (Some(roles), Some(permissions)) = (&model.roles, &model.permissions) else {
        let span = grants
            .0
            .first()
            .map(|(role, _)| role.span())
            .unwrap_or_else(|| model.ident.span());
        errors.push(span, "`grants(...)` maps declared roles to declared permissions: declare both `roles(...)` and `permissions(...)`");
        return;
    };
    let role_names: Vec<String> = roles.0.iter().map(syn::LitStr::value).collect();
    let permission_names: Vec<String> = permissions.0.iter().map(syn::LitStr::value).collect();
    for (role, granted) in &grants.0 {
        let name = role.to_string();
        if !role_names.contains(&name) {
            errors.push_spanned(
                role,
                format!(
                    "`{name}` is not a declared role{}",
                    crate::suggest::did_you_mean(&name, role_names.iter().map(String::as_str))
                ),
            );
        }
        for lit in &granted.0 {
            let permission = lit.value();
            if permission != "*" && !permission_names.contains(&permission) {
                errors.push_spanned(
                    lit,
                    format!(
                        "`{permission}` is not a declared permission{}; `\"*\"` grants them all",
                        crate::suggest::did_you_mean(
                            &permission,
                            permission_names.iter().map(String::as_str)
                        )
                    ),
                );
            }
        }
    }
}

fn check_names(list: &NameList, errors: &mut Errors) {
    if let Some(extra) = list.0.get(MAX_NAMES) {
        errors.push_spanned(
            extra,
            format!("at most {MAX_NAMES} names can be declared (they are bits of a u64)"),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for lit in &list.0 {
        let name = lit.value();
        if name.is_empty() || name.contains(',') || name.chars().any(char::is_whitespace) {
            errors.push_spanned(
                lit,
                "a role or permission name must be non-empty, without spaces or commas",
            );
        } else if !seen.insert(name.clone()) {
            errors.push_spanned(lit, format!("`{name}` is declared twice: remove one"));
        }
    }
}

impl UserModel {
    /// The field of each part (only called on a checked model).
    pub(super) fn parts(&self) -> Roles<'_> {
        let find = |pick: Pick| self.fields.iter().find(|f| pick(f).is_present());
        Roles {
            id: find(PARTS[0].1).expect("checked: one id field"),
            name: find(PARTS[1].1),
            roles: find(PARTS[2].1),
            permissions: find(PARTS[3].1),
            password_hash: find(PARTS[4].1),
            active: find(PARTS[5].1),
            email_verified: find(PARTS[6].1),
        }
    }
}
