//! Checks of a [`UserModel`]: exactly one id, at most one field per role, sane names.

use super::ast::{NameList, RawField, UserModel};

/// Which field plays which part, once validated.
pub(super) struct Roles<'a> {
    pub(super) id: &'a RawField,
    pub(super) name: Option<&'a RawField>,
    pub(super) roles: Option<&'a RawField>,
    pub(super) permissions: Option<&'a RawField>,
    pub(super) password_hash: Option<&'a RawField>,
    pub(super) active: Option<&'a RawField>,
}

pub(super) fn check(mut model: UserModel) -> darling::Result<UserModel> {
    let mut errors = darling::Error::accumulator();
    for error in std::mem::take(&mut model.parse_errors) {
        errors.push(error);
    }
    for list in [&model.roles, &model.permissions].into_iter().flatten() {
        check_names(list, &mut errors);
    }
    if model.fields.iter().all(|f| !f.id.is_present()) {
        errors.push(
            darling::Error::custom(
                "no field is marked `#[auth_user(id)]`: mark the field holding the user's unique id, e.g. `#[auth_user(id)] id: i64`",
            )
            .with_span(&model.ident),
        );
    }
    for (key, pick) in PARTS {
        let mut marked = model.fields.iter().filter(|f| pick(f).is_present());
        marked.next();
        for extra in marked {
            errors.push(
                darling::Error::custom(format!(
                    "two fields are marked `#[auth_user({key})]`: keep the mark on one field only"
                ))
                .with_span(&pick(extra).span()),
            );
        }
    }
    errors.finish_with(model)
}

type Pick = fn(&RawField) -> darling::util::Flag;

const PARTS: [(&str, Pick); 6] = [
    ("id", |f| f.id),
    ("name", |f| f.name),
    ("roles", |f| f.roles),
    ("permissions", |f| f.permissions),
    ("password_hash", |f| f.password_hash),
    ("active", |f| f.active),
];

fn check_names(list: &NameList, errors: &mut darling::error::Accumulator) {
    let mut seen = std::collections::HashSet::new();
    for lit in &list.0 {
        let name = lit.value();
        if name.is_empty() || name.contains(',') || name.chars().any(char::is_whitespace) {
            errors.push(
                darling::Error::custom(
                    "a role or permission name must be non-empty, without spaces or commas",
                )
                .with_span(lit),
            );
        } else if !seen.insert(name.clone()) {
            errors.push(
                darling::Error::custom(format!("`{name}` is declared twice: remove one")).with_span(lit),
            );
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
        }
    }
}
