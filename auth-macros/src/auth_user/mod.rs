//! `#[derive(AuthUser)]`: parse (`ast`) → validate (`valid`) → expand (`expand`), or the
//! errors plus a dummy impl (`fallback`).

mod ast;
mod expand;
mod fallback;
mod valid;

use proc_macro2::TokenStream;

use crate::errors::Errors;

pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::new();
    let model = ast::UserModel::from_input(&input, &mut errors);
    if let Some(model) = &model {
        valid::check(model, &mut errors);
    }
    let error = match (errors.finish(), &model) {
        (Ok(()), Some(model)) => return expand::expand(model),
        (Ok(()), None) => unreachable!("a missing model is an error"),
        (Err(error), _) => error,
    };
    let known = fallback::Known {
        krate: model.as_ref().map_or_else(
            || crate::krate::of_derive(&input.attrs, "auth_user"),
            |m| m.krate.clone(),
        ),
        id: model.as_ref().and_then(|m| m.field_type(|f| f.id.is_present())),
        roles: model
            .as_ref()
            .and_then(|m| m.field_type(|f| f.roles.is_present())),
        permissions: model
            .as_ref()
            .and_then(|m| m.field_type(|f| f.permissions.is_present())),
    };
    let mut out = error.to_compile_error();
    out.extend(fallback::expand(&input, &known));
    out
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    fn errors(input: syn::DeriveInput) -> Vec<String> {
        let mut errors = crate::errors::Errors::new();
        if let Some(model) = super::ast::UserModel::from_input(&input, &mut errors) {
            super::valid::check(&model, &mut errors);
        }
        errors
            .finish()
            .err()
            .into_iter()
            .flatten()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn reports_every_independent_mistake_at_once() {
        let found = errors(parse_quote! {
            #[auth_user(roles("admin", "admin"))]
            struct User {
                #[auth_user(idd)] a: i64,
                #[auth_user(roles)] r: String,
                #[auth_user(roles)] s: String,
            }
        });
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(
            found.iter().any(|e| e.contains("Did you mean `id`")),
            "{found:#?}"
        );
        assert!(found.iter().any(|e| e.contains("declared twice")), "{found:#?}");
        assert!(
            found
                .iter()
                .any(|e| e.contains("two fields are marked `#[auth_user(roles)]`")),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|e| e.contains("no field is marked `#[auth_user(id)]`")),
            "{found:#?}"
        );
    }

    #[test]
    fn accepts_a_complete_user() {
        let found = errors(parse_quote! {
            #[auth_user(roles("admin", "user"), permissions("posts:read"))]
            struct User {
                #[auth_user(id)] id: i64,
                #[auth_user(name)] username: String,
                #[auth_user(roles)] role: String,
                #[auth_user(permissions)] perms: Vec<String>,
                #[auth_user(password_hash)] hash: Option<String>,
                #[auth_user(active)] active: bool,
                other: u8,
            }
        });
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn a_mistake_gives_the_error_and_a_dummy_impl_in_the_right_crate() {
        let out = super::derive(quote::quote! {
            #[auth_user(crate = gate, rolez("admin"))]
            struct User {
                #[auth_user(id)] id: u32,
                #[auth_user(roles)] roles: Vec<Role>,
            }
        })
        .to_string();
        assert_eq!(out.matches("compile_error").count(), 1, "{out}");
        assert!(
            out.contains("impl gate :: __private :: AuthUser for User"),
            "{out}"
        );
        assert!(out.contains("type Id = u32"), "{out}");
        assert!(
            out.contains("< Vec < Role > as gate :: __private :: NameSet > :: Typed"),
            "{out}"
        );

        let out = super::derive(quote::quote! {
            #[auth_user(crate = gate)]
            enum User { A }
        })
        .to_string();
        assert_eq!(out.matches("compile_error").count(), 1, "{out}");
        assert!(out.contains("type Id = :: std :: string :: String"), "{out}");
    }
}
