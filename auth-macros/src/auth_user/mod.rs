//! `#[derive(AuthUser)]`: parse (`ast`) → validate (`valid`) → expand (`expand`).

mod ast;
mod expand;
mod valid;

use proc_macro2::TokenStream;

pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    match ast::UserModel::from_input(&input).and_then(valid::check) {
        Ok(model) => expand::expand(&model),
        Err(errors) => errors.write_errors(),
    }
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    fn errors(input: syn::DeriveInput) -> Vec<String> {
        match super::ast::UserModel::from_input(&input).and_then(super::valid::check) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
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
}
