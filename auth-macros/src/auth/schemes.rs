//! Checks of the `#[auth(...)]` arguments: the schemes (built-in words and
//! `custom(Type)`), `optional` and `crate = path`.

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::parse::{Arg, Args, display};
use crate::errors::Errors;
use crate::suggest::closest;

/// Scheme names `#[auth]` accepts, with the runtime's scheme types
/// (`__private::schemes::*`).
pub(super) const BUILT_IN: [(&str, &str); 4] = [
    ("jwt", "Jwt"),
    ("api_key", "ApiKey"),
    ("basic", "Basic"),
    ("session", "Session"),
];

/// One scheme, in the order the request tries them.
pub(super) enum Scheme {
    /// A built-in scheme: the runtime type's name, spanned on the user's word.
    BuiltIn(syn::Ident),
    /// `custom(path)`: a type of the application implementing `AuthScheme<User>`.
    Custom(syn::Path),
}

/// The validated arguments.
pub(super) struct SchemeArgs {
    pub(super) schemes: Vec<Scheme>,
    pub(super) optional: bool,
    /// `hide_existence`: an unmet requirement answers 404, as a missing resource does.
    pub(super) hide_existence: Option<proc_macro2::Span>,
    pub(super) krate: syn::Path,
    /// `redirect = "..."` and `renderer = Type`.
    pub(super) browser: super::browser::BrowserArgs,
}

pub(super) fn scheme_list() -> String {
    let names: Vec<String> = BUILT_IN.iter().map(|(n, _)| format!("`{n}`")).collect();
    format!("{} and `custom(Type)`", names.join(", "))
}

/// `"; did you mean `x`?"`, or a hint to wrap a type in `custom(...)`, or nothing.
fn suggestion(word: &str) -> String {
    let candidates = BUILT_IN
        .iter()
        .map(|(n, _)| *n)
        .chain(["optional", "custom", "hide_existence"]);
    match closest(word, candidates) {
        Some("custom") => "; did you mean `custom(Type)`?".to_owned(),
        Some(name) => format!("; did you mean `{name}`?"),
        None if word.starts_with(|c: char| c.is_ascii_uppercase()) => {
            format!("; if `{word}` is a scheme type of your own, write `custom({word})`")
        }
        None => String::new(),
    }
}

/// The type path in `custom(...)`, or the message saying why it is not one.
fn custom_path(
    key: &syn::Ident,
    paren: &syn::token::Paren,
    tokens: proc_macro2::TokenStream,
) -> syn::Result<syn::Path> {
    if tokens.is_empty() {
        return Err(syn::Error::new(
            paren.span.join(),
            format!(
                "`{key}()` needs the type of your scheme: `custom(MyScheme)`, where `MyScheme` implements `AuthScheme<User>`"
            ),
        ));
    }
    let not_a_path = |what: String| {
        syn::Error::new_spanned(
            &tokens,
            format!(
                "`custom(...)` takes the path of a scheme type, e.g. `custom(HmacSigning)` or `custom(schemes::Hmac)`; {what}"
            ),
        )
    };
    if let Ok(lit) = syn::parse2::<syn::LitStr>(tokens.clone()) {
        return Err(not_a_path(format!(
            "write the type without quotes: `custom({})`",
            lit.value()
        )));
    }
    match syn::parse2::<syn::Type>(tokens.clone()) {
        Ok(syn::Type::Path(ty)) if ty.qself.is_none() => Ok(ty.path),
        Ok(ty) => Err(not_a_path(format!("`{}` is not a type path", display(&ty)))),
        Err(_) => Err(not_a_path(format!("`{}` is not a type", display(&tokens)))),
    }
}

pub(super) fn check(args: Args, errors: &mut Errors) -> SchemeArgs {
    let mut schemes = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut optional = false;
    let mut hide_existence = None;
    let mut krate: Option<syn::Path> = None;
    let mut browser = super::browser::BrowserArgs::default();
    // A scheme the user meant but got wrong: no "needs at least one scheme" on top.
    let mut attempted = false;
    let items = match args.items {
        Ok(items) => items,
        Err(e) => {
            errors.add(e);
            return SchemeArgs {
                schemes,
                optional,
                hide_existence,
                krate: crate::krate::default_path(),
                browser,
            };
        }
    };
    for item in items {
        let (key, span) = match &item {
            Arg::Crate(key, path) => {
                if krate.replace(path.clone()).is_some() {
                    errors.push(key.span(), "`crate = ...` is given twice: keep one");
                }
                continue;
            }
            Arg::Browser(key, value) => {
                browser.add(key.clone(), value.clone(), errors);
                continue;
            }
            Arg::Word(word) if word == "redirect" || word == "renderer" => {
                errors.push(word.span(), super::browser::needs_value(word));
                continue;
            }
            Arg::Word(word) => (word.to_string(), word.span()),
            Arg::Custom(key, _, tokens) => (format!("custom({})", display(tokens)), key.span()),
        };
        if seen.contains(&key) {
            let span = match &item {
                Arg::Custom(_, _, tokens) if !tokens.is_empty() => tokens.span(),
                _ => span,
            };
            errors.push(span, format!("`{key}` is listed twice in `#[auth]`: remove one"));
            attempted |= key != "optional" && key != "hide_existence";
            continue;
        }
        seen.push(key.clone());
        match item {
            Arg::Crate(..) | Arg::Browser(..) => {}
            Arg::Custom(key, paren, tokens) => {
                attempted = true;
                if let Some(path) = errors.handle(custom_path(&key, &paren, tokens)) {
                    schemes.push(Scheme::Custom(path));
                }
            }
            Arg::Word(word) if word == "optional" => optional = true,
            Arg::Word(word) if word == "hide_existence" => hide_existence = Some(word.span()),
            Arg::Word(word) if word == "custom" => {
                attempted = true;
                errors.push(
                    word.span(),
                    "`custom` needs the type of your scheme in parentheses: `custom(MyScheme)`, where `MyScheme` implements `AuthScheme<User>`",
                );
            }
            Arg::Word(word) => {
                attempted = true;
                match BUILT_IN.iter().find(|(n, _)| word == n) {
                    Some((_, ty)) => schemes.push(Scheme::BuiltIn(syn::Ident::new(ty, word.span()))),
                    None => errors.push(
                        word.span(),
                        format!(
                            "unknown scheme `{word}`{}\n  the schemes are {}; add `optional` to let requests without credentials in",
                            suggestion(&word.to_string()),
                            scheme_list()
                        ),
                    ),
                }
            }
        }
    }
    if !attempted {
        errors.push(
            Span::call_site(),
            format!(
                "`#[auth]` needs at least one scheme, e.g. `#[auth(jwt)]`; the schemes are {}",
                scheme_list()
            ),
        );
    }
    SchemeArgs {
        schemes,
        optional,
        hide_existence,
        krate: krate.unwrap_or_else(crate::krate::default_path),
        browser,
    }
}

impl Scheme {
    /// How the user wrote it, for tests and messages.
    #[cfg(test)]
    pub(super) fn written(&self) -> String {
        match self {
            Scheme::BuiltIn(ty) => BUILT_IN
                .iter()
                .find(|(_, t)| ty == t)
                .map(|(n, _)| (*n).to_owned())
                .unwrap_or_default(),
            Scheme::Custom(path) => format!("custom({})", display(path)),
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::super::parse::parse_args;
    use super::{SchemeArgs, check};
    use crate::errors::Errors;

    fn run(args: proc_macro2::TokenStream) -> (Vec<String>, Vec<String>) {
        let mut errors = Errors::new();
        let SchemeArgs { schemes, .. } = check(parse_args(args), &mut errors);
        let found = errors
            .finish()
            .err()
            .into_iter()
            .flatten()
            .map(|e| e.to_string())
            .collect();
        (schemes.iter().map(super::Scheme::written).collect(), found)
    }

    #[test]
    fn custom_schemes_mix_with_built_ins_in_order() {
        let (schemes, errors) = run(quote!(custom(Hmac), jwt, custom(crate::auth::Mtls<u8>), api_key));
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(
            schemes,
            ["custom(Hmac)", "jwt", "custom(crate::auth::Mtls<u8>)", "api_key"]
        );
    }

    #[test]
    fn custom_listed_twice() {
        let (schemes, errors) = run(quote!(custom(Hmac), jwt, custom(Hmac), custom(Other)));
        assert_eq!(schemes, ["custom(Hmac)", "jwt", "custom(Other)"]);
        assert_eq!(
            errors,
            ["`custom(Hmac)` is listed twice in `#[auth]`: remove one"]
        );
    }

    #[test]
    fn custom_without_a_type() {
        let (_, errors) = run(quote!(jwt, custom));
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(errors[0].starts_with("`custom` needs the type of your scheme in parentheses"));
        let (_, errors) = run(quote!(custom()));
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(errors[0].starts_with("`custom()` needs the type of your scheme"));
    }

    #[test]
    fn custom_with_something_else_than_a_path() {
        for (args, detail) in [
            (
                quote!(custom("Hmac")),
                "write the type without quotes: `custom(Hmac)`",
            ),
            (quote!(custom(&Hmac)), "`&Hmac` is not a type path"),
            (quote!(custom(1 + 2)), "`1 + 2` is not a type"),
            (quote!(custom(<T as X>::Y)), "is not a type path"),
        ] {
            let (schemes, errors) = run(args);
            assert!(schemes.is_empty());
            assert_eq!(errors.len(), 1, "{errors:#?}");
            assert!(errors[0].starts_with("`custom(...)` takes the path of a scheme type"));
            assert!(
                errors[0].ends_with(detail) || errors[0].contains(detail),
                "{errors:#?}"
            );
        }
    }

    #[test]
    fn custom_as_key_value_or_misspelt() {
        let (_, errors) = run(quote!(jwt, custom = Hmac));
        assert_eq!(errors, ["write a custom scheme in parentheses: `custom(Hmac)`"]);
        let (_, errors) = run(quote!(custm(Hmac)));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("did you mean `custom(...)`?"), "{errors:#?}");
    }

    #[test]
    fn unknown_words_name_custom_schemes() {
        let (_, errors) = run(quote!(custon, HmacSigning, kerberos));
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(errors[0].starts_with("unknown scheme `custon`; did you mean `custom(Type)`?"));
        assert!(errors[1].contains("write `custom(HmacSigning)`"), "{errors:#?}");
        assert!(
            errors[2].starts_with("unknown scheme `kerberos`\n"),
            "{errors:#?}"
        );
        assert!(
            errors[2].contains("`jwt`, `api_key`, `basic`, `session` and `custom(Type)`"),
            "{errors:#?}"
        );
    }

    #[test]
    fn needs_a_scheme() {
        let (_, errors) = run(quote!(optional));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("`#[auth]` needs at least one scheme"));
        let (_, errors) = run(quote!(kerberos));
        assert_eq!(errors.len(), 1, "an unknown scheme is enough: {errors:#?}");
    }
}
