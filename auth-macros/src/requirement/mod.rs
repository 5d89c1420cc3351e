//! The requirement language shared by `#[require(...)]` and `#[permissions(...)]`: its
//! grammar (`expr`) and the checks generated from it (`expand`).
//!
//! `#[auth]` compiles the requirement attributes of its handler (it alone knows the user
//! parameter and the schemes); the attributes themselves only make sure `#[auth]` sees them.

mod depth;
pub(crate) mod expand;
pub(crate) mod expr;

use expr::{Expr, Permissions};

/// Which requirement attribute.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Require,
    Permissions,
    /// `#[require_returned(|post| ...)]`: a requirement on the returned value.
    RequireReturned,
    /// `#[filter_returned(|post| ...)]`: a requirement on each returned item; the
    /// others are removed.
    FilterReturned,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Require => "require",
            Kind::Permissions => "permissions",
            Kind::RequireReturned => "require_returned",
            Kind::FilterReturned => "filter_returned",
        }
    }

    /// Whether the requirement reads the handler's returned value.
    pub(crate) fn on_returned(self) -> bool {
        matches!(self, Kind::RequireReturned | Kind::FilterReturned)
    }

    /// The kind an attribute named `name` (last path segment) is, if any.
    pub(crate) fn of(name: &str) -> Option<Kind> {
        match name {
            "require" => Some(Kind::Require),
            "permissions" => Some(Kind::Permissions),
            "require_returned" => Some(Kind::RequireReturned),
            "filter_returned" => Some(Kind::FilterReturned),
            _ => None,
        }
    }

    fn example(self) -> &'static str {
        match self {
            Kind::Require => "#[require(role = \"admin\")]",
            Kind::Permissions => "#[permissions(\"posts:write\")]",
            Kind::RequireReturned => "#[require_returned(|post| owner(post.author_id))]",
            Kind::FilterReturned => "#[filter_returned(|post| owner(post.author_id))]",
        }
    }

    /// The error on a second attribute of this kind.
    pub(crate) fn given_twice(self) -> String {
        format!(
            "`#[{}]` is given twice on this handler: {}",
            self.name(),
            self.merge_hint()
        )
    }

    /// How to merge two attributes of this kind.
    pub(crate) fn merge_hint(self) -> &'static str {
        match self {
            Kind::Require => "combine the requirements with `&&` in one `#[require(...)]`",
            Kind::Permissions => "list all permissions in one `#[permissions(...)]`",
            Kind::RequireReturned => "combine the requirements with `&&` in one `#[require_returned(...)]`",
            Kind::FilterReturned => "combine the requirements with `&&` in one `#[filter_returned(...)]`",
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
        Kind::Permissions => syn::parse2::<Permissions>(tokens).map(|p| p.0),
        _ => syn::parse2::<Expr>(tokens),
    }
}

/// A requirement on the returned value: the name it is bound to and the requirement,
/// `|post| owner(post.author_id)`.
pub(crate) struct OnReturned {
    pub(crate) binding: syn::Ident,
    pub(crate) expr: Expr,
}

/// `#[require_returned(|name| requirement)]` / `#[filter_returned(|name| requirement)]`.
pub(crate) fn parse_returned(kind: Kind, attr: &syn::Attribute) -> syn::Result<OnReturned> {
    let syn::Meta::List(list) = &attr.meta else {
        return Err(syn::Error::new_spanned(
            attr,
            format!(
                "`#[{}]` needs a requirement, e.g. `{}`",
                kind.name(),
                kind.example()
            ),
        ));
    };
    let name = kind.name();
    let example = kind.example();
    list.parse_args_with(|input: syn::parse::ParseStream<'_>| {
        let hint = || format!("name the returned value first, like a closure's parameter: `{example}`");
        if input.is_empty() {
            return Err(syn::Error::new(
                list.delimiter.span().join(),
                format!("`#[{name}]` needs a requirement, e.g. `{example}`"),
            ));
        }
        input.parse::<syn::Token![|]>().map_err(|_| input.error(hint()))?;
        let binding: syn::Ident = input.parse().map_err(|_| input.error(hint()))?;
        let bar = input.parse::<syn::Token![|]>().map_err(|_| input.error(hint()))?;
        if input.is_empty() {
            return Err(syn::Error::new(
                bar.span,
                format!(
                    "a requirement on `{binding}` follows: e.g. `|{binding}| owner({binding}.author_id)`"
                ),
            ));
        }
        let expr: Expr = input.parse()?;
        Ok(OnReturned { binding, expr })
    })
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

    /// Found by the `require_expr` fuzz target: a few thousand `<` (syn's qualified
    /// paths) or parentheses (the grammar) overflowed the stack instead of an error.
    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = [
            format!("role = a<{}", "<".repeat(3000)),
            format!("fn = f::<{}B{}>", "<".repeat(3000), ">".repeat(3000)),
            format!("{}fresh{}", "(".repeat(2_000), ")".repeat(2_000)),
            format!("{}fresh", "!".repeat(5_000)),
            format!("fn = f::<{}B>", "&".repeat(3000)),
            format!("fn = f::<{}B>", "fn() -> ".repeat(1000)),
        ];
        for text in deep {
            let tokens: proc_macro2::TokenStream = text.parse().expect("tokens");
            let attr: syn::Attribute = syn::parse_quote!(#[require(#tokens)]);
            let found = error(Kind::Require, attr);
            assert!(found.starts_with("the requirement nests too deeply"), "{found}");
            let attr: syn::Attribute = syn::parse_quote!(#[permissions(#tokens)]);
            let found = error(Kind::Permissions, attr);
            assert!(found.starts_with("the requirement nests too deeply"), "{found}");
        }
        // 64 levels are still a requirement.
        let nested = format!("{}fresh{}", "(".repeat(63), ")".repeat(63));
        let tokens: proc_macro2::TokenStream = nested.parse().expect("tokens");
        assert_eq!(error(Kind::Require, syn::parse_quote!(#[require(#tokens)])), "");
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
    fn policy_calls_are_paths_with_parameter_names() {
        for attr in [
            syn::parse_quote!(#[require(can_edit(user, post))]),
            syn::parse_quote!(#[require(rules::can_edit(user, post) || role = "admin")]),
            syn::parse_quote!(#[require(!(a(user) && b(user, info)))]),
        ] {
            assert!(error(Kind::Require, attr).is_empty());
        }
        let found = error(
            Kind::Require,
            syn::parse_quote!(#[require(can_edit(user, post.id))]),
        );
        assert!(found.starts_with("pass the parameter itself, `post`"), "{found}");
        let found = error(Kind::Require, syn::parse_quote!(#[require(can_edit(user post))]));
        assert!(found.contains("parameter names separated by commas"), "{found}");
        let found = error(Kind::Require, syn::parse_quote!(#[require(can_edit())]));
        assert!(found.starts_with("`can_edit()` passes nothing"), "{found}");
        // Keywords stay keywords: `role(..)` is no policy named `role`.
        let found = error(Kind::Require, syn::parse_quote!(#[require(role("admin"))]));
        assert!(found.starts_with("expected `=` after `role`"), "{found}");
    }

    #[test]
    fn returned_value_requirements_name_the_value_first() {
        let parse = |attr: syn::Attribute, kind| match super::parse_returned(kind, &attr) {
            Ok(on) => on.binding.to_string(),
            Err(e) => e.to_string(),
        };
        assert_eq!(
            parse(
                syn::parse_quote!(#[require_returned(|post| owner(post.author_id))]),
                Kind::RequireReturned
            ),
            "post"
        );
        let found = parse(
            syn::parse_quote!(#[filter_returned(owner(post.author_id))]),
            Kind::FilterReturned,
        );
        assert!(found.starts_with("name the returned value first"), "{found}");
        let found = parse(
            syn::parse_quote!(#[filter_returned(|post|)]),
            Kind::FilterReturned,
        );
        assert!(found.starts_with("a requirement on `post` follows"), "{found}");
    }

    #[test]
    fn bare_attributes_need_a_requirement() {
        let found = error(Kind::Require, syn::parse_quote!(#[require]));
        assert!(found.contains("needs at least one requirement"), "{found}");
        assert!(error(Kind::Require, syn::parse_quote!(#[require(role = "admin")])).is_empty());
    }
}
