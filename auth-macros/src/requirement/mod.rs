//! The requirement language shared by `#[require(...)]` and `#[permissions(...)]`: its
//! grammar (`expr`) and the checks generated from it (`expand`).
//!
//! `#[auth]` compiles the requirement attributes of its handler (it alone knows the user
//! parameter and the schemes); the attributes themselves only make sure `#[auth]` sees them.

pub(crate) mod expand;
pub(crate) mod expr;

use expr::{Expr, Permissions};

/// Which requirement attribute.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Require,
    Permissions,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Require => "require",
            Kind::Permissions => "permissions",
        }
    }

    /// The kind an attribute named `name` (last path segment) is, if any.
    pub(crate) fn of(name: &str) -> Option<Kind> {
        match name {
            "require" => Some(Kind::Require),
            "permissions" => Some(Kind::Permissions),
            _ => None,
        }
    }

    fn example(self) -> &'static str {
        match self {
            Kind::Require => "#[require(role = \"admin\")]",
            Kind::Permissions => "#[permissions(\"posts:write\")]",
        }
    }

    /// How to merge two attributes of this kind.
    pub(crate) fn merge_hint(self) -> &'static str {
        match self {
            Kind::Require => "combine the requirements with `&&` in one `#[require(...)]`",
            Kind::Permissions => "list all permissions in one `#[permissions(...)]`",
        }
    }
}

/// The requirement a `#[require(...)]` / `#[permissions(...)]` attribute states.
pub(crate) fn parse(kind: Kind, attr: &syn::Attribute) -> syn::Result<Expr> {
    let tokens = match &attr.meta {
        syn::Meta::List(list) if !list.tokens.is_empty() => list.tokens.clone(),
        _ => {
            return Err(syn::Error::new_spanned(
                attr,
                format!(
                    "`#[{}]` needs at least one requirement, e.g. `{}`",
                    kind.name(),
                    kind.example()
                ),
            ));
        }
    };
    match kind {
        Kind::Require => syn::parse2::<Expr>(tokens),
        Kind::Permissions => syn::parse2::<Permissions>(tokens).map(|p| p.0),
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, parse};

    fn error(kind: Kind, attr: syn::Attribute) -> String {
        match parse(kind, &attr) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_old_checked_marker_is_an_unknown_requirement() {
        let found = error(Kind::Require, syn::parse_quote!(#[require(__portcullis_checked)]));
        assert!(
            found.starts_with("unknown requirement `__portcullis_checked`"),
            "{found}"
        );
        let found = error(
            Kind::Permissions,
            syn::parse_quote!(#[permissions(__portcullis_checked)]),
        );
        assert!(!found.is_empty());
    }

    #[test]
    fn permission_lists_name_their_mistakes() {
        let found = error(Kind::Permissions, syn::parse_quote!(#[permissions(posts_write)]));
        assert!(
            found.starts_with("a permission is a string literal: write `\"posts_write\"`"),
            "{found}"
        );
        let found = error(Kind::Permissions, syn::parse_quote!(#[permissions(any())]));
        assert!(
            found.starts_with("`any()` needs at least one permission"),
            "{found}"
        );
        let found = error(Kind::Permissions, syn::parse_quote!(#[permissions("a" "b")]));
        assert!(found.starts_with("separate permissions with commas"), "{found}");
        assert!(
            error(
                Kind::Permissions,
                syn::parse_quote!(#[permissions(any("a", "b",))])
            )
            .is_empty()
        );
    }

    #[test]
    fn permission_enum_variants_are_paths() {
        assert!(
            error(
                Kind::Permissions,
                syn::parse_quote!(#[permissions(Perm::PostsWrite, "a", any::Perm::B)])
            )
            .is_empty()
        );
        assert!(
            error(
                Kind::Require,
                syn::parse_quote!(#[require(permission = Perm::PostsWrite || permission = "a")])
            )
            .is_empty()
        );
        let found = error(Kind::Require, syn::parse_quote!(#[require(permission = admin)]));
        assert!(
            found.starts_with("`permission` takes a string literal or a permission enum variant"),
            "{found}"
        );
    }

    #[test]
    fn bare_attributes_need_a_requirement() {
        let found = error(Kind::Require, syn::parse_quote!(#[require]));
        assert!(found.contains("needs at least one requirement"), "{found}");
        assert!(error(Kind::Require, syn::parse_quote!(#[require(role = "admin")])).is_empty());
    }
}
