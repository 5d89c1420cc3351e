//! Checks of `#[auth(...)]` and of the handler, producing the model expansion needs.

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::parse::{Arg, Args, Handler, is_user_marker};
use crate::suggest::did_you_mean;

/// Scheme names `#[auth]` accepts, as the runtime's `Scheme` variants.
pub(super) const SCHEMES: [(&str, &str); 3] = [("jwt", "Jwt"), ("api_key", "ApiKey"), ("basic", "Basic")];
const OPTIONS: [&str; 1] = ["optional"];

/// The validated model of one `#[auth]` use.
pub(super) struct AuthModel {
    /// Runtime `Scheme` variant names, in the order given.
    pub(super) schemes: Vec<syn::Ident>,
    pub(super) optional: bool,
    pub(super) krate: syn::Path,
    /// Index of the parameter receiving the user.
    pub(super) user: usize,
    /// The user type (`User` also when the parameter is `Option<User>`).
    pub(super) user_ty: syn::Type,
    /// Index of the `AuthInfo` parameter, if any.
    pub(super) info: Option<usize>,
}

struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        let error = syn::Error::new(span, message);
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }
}

fn scheme_list() -> String {
    SCHEMES
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn check(args: Args, handler: &Handler) -> Result<AuthModel, syn::Error> {
    let mut errors = Errors(None);
    let mut schemes: Vec<syn::Ident> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut optional = false;
    let mut krate: Option<syn::Path> = None;
    match args.items {
        Err(e) => errors.push(
            e.span(),
            format!("{e}; expected schemes such as `#[auth(jwt, api_key)]`"),
        ),
        Ok(items) => {
            for item in items {
                match item {
                    Arg::Crate(key, path) => {
                        if krate.replace(path).is_some() {
                            errors.push(key.span(), "`crate = ...` is given twice: keep one");
                        }
                    }
                    Arg::Word(word) => {
                        let name = word.to_string();
                        if seen.contains(&name) {
                            errors.push(
                                word.span(),
                                format!("`{name}` is listed twice in `#[auth]`: remove one"),
                            );
                            continue;
                        }
                        seen.push(name.clone());
                        if let Some((_, variant)) = SCHEMES.iter().find(|(n, _)| *n == name) {
                            schemes.push(syn::Ident::new(variant, word.span()));
                        } else if name == "optional" {
                            optional = true;
                        } else {
                            let known = SCHEMES.iter().map(|(n, _)| *n).chain(OPTIONS);
                            errors.push(
                                word.span(),
                                format!(
                                    "unknown scheme `{name}`{}\n  the schemes are {}; add `optional` to let requests without credentials in",
                                    did_you_mean(&name, known),
                                    scheme_list()
                                ),
                            );
                        }
                    }
                }
            }
            if schemes.is_empty() && seen.iter().all(|s| s == "optional") {
                errors.push(
                    Span::call_site(),
                    format!(
                        "`#[auth]` needs at least one scheme, e.g. `#[auth(jwt)]`; the schemes are {}",
                        scheme_list()
                    ),
                );
            }
        }
    }

    for attr in &handler.attrs {
        let last = attr.path().segments.last().map(|s| s.ident.to_string());
        if last.as_deref() == Some("auth") {
            errors.push(
                attr.span(),
                "`#[auth]` is given twice on this handler: merge the schemes into one `#[auth(...)]`",
            );
        }
    }
    let sig = &handler.sig;
    if sig.asyncness.is_none() {
        errors.push(
            sig.fn_token.span(),
            "`#[auth]` handlers must be `async fn`: add `async` before `fn`",
        );
    }

    let mut users = Vec::new();
    let mut info = None;
    for (index, input) in sig.inputs.iter().enumerate() {
        let arg = match input {
            syn::FnArg::Receiver(receiver) => {
                errors.push(receiver.span(), "an `#[auth]` handler cannot take `self`: make it a free function or an associated function");
                continue;
            }
            syn::FnArg::Typed(arg) => arg,
        };
        let marked = arg.attrs.iter().any(is_user_marker);
        let named_user = matches!(&*arg.pat, syn::Pat::Ident(p) if p.ident == "user" || p.ident == "_user");
        if marked || named_user {
            users.push((index, arg));
        } else if is_auth_info(&arg.ty) {
            info = Some(index);
        }
    }
    let mut user = None;
    match users.as_slice() {
        [] => errors.push(
            sig.ident.span(),
            "`#[auth]` handler has no user parameter: add one named `user` (e.g. `user: User`) or mark one with `#[user]`",
        ),
        [(index, arg), rest @ ..] => {
            for (_, extra) in rest {
                errors.push(
                    extra.span(),
                    "only one parameter can receive the authenticated user: remove this one or its `#[user]` mark",
                );
            }
            match (optional, option_inner(&arg.ty)) {
                (true, Some(inner)) => user = Some((*index, inner.clone())),
                (false, None) => user = Some((*index, (*arg.ty).clone())),
                (true, None) => errors.push(
                    arg.ty.span(),
                    "with `optional`, the user parameter must be an `Option`: write `Option<User>`",
                ),
                (false, Some(_)) => errors.push(
                    arg.ty.span(),
                    "the user parameter is an `Option` but `#[auth]` is not optional: add `optional` (e.g. `#[auth(jwt, optional)]`) or take the user type itself",
                ),
            }
        }
    }

    match (errors.0, user) {
        (Some(error), _) => Err(error),
        (None, Some((user, user_ty))) => Ok(AuthModel {
            schemes,
            optional,
            krate: krate.unwrap_or_else(|| syn::parse_quote!(::portcullis)),
            user,
            user_ty,
            info,
        }),
        (None, None) => unreachable!("a missing user parameter is reported as an error"),
    }
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

/// `T` when `ty` is `Option<T>`.
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let segment = last_segment(ty).filter(|s| s.ident == "Option")?;
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// `AuthInfo` or `Option<AuthInfo>` (by the last path segment).
fn is_auth_info(ty: &syn::Type) -> bool {
    let ty = option_inner(ty).unwrap_or(ty);
    last_segment(ty).is_some_and(|s| s.ident == "AuthInfo")
}
