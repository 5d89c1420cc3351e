//! Checks of `#[auth(...)]` and of the handler, producing the model expansion needs.

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::parse::{Arg, Args, Handler, is_user_marker};
use crate::require::attr_name;
use crate::require::expr::{Atom, Expr, Permissions};
use crate::suggest::did_you_mean;

/// Scheme names `#[auth]` accepts, as the runtime's `Scheme` variants.
pub(super) const SCHEMES: [(&str, &str); 4] = [
    ("jwt", "Jwt"),
    ("api_key", "ApiKey"),
    ("basic", "Basic"),
    ("session", "Session"),
];
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
    /// `#[require]` and `#[permissions]` together (all must hold).
    pub(super) requirement: Option<Expr>,
    /// `Option<_>` parameters named in `owner(...)`: `None` answers 404.
    pub(super) optional_resources: Vec<syn::Ident>,
}

struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.add(syn::Error::new(span, message));
    }

    /// An error covering all of `tokens` (a `Span` alone only covers the first token).
    fn push_spanned(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.add(syn::Error::new_spanned(tokens, message));
    }

    fn add(&mut self, error: syn::Error) {
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
        Err(e) => errors.add(e),
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

    let mut requirements: Vec<Expr> = Vec::new();
    let mut first_requirement: Option<syn::Attribute> = None;
    let (mut seen_require, mut seen_permissions) = (false, false);
    for attr in &handler.attrs {
        let name = attr_name(attr);
        match name.as_deref() {
            Some("auth") => errors.push_spanned(
                attr,
                "`#[auth]` is given twice on this handler: merge the schemes into one `#[auth(...)]`",
            ),
            Some(kind @ ("require" | "permissions")) => {
                let seen = if kind == "require" {
                    &mut seen_require
                } else {
                    &mut seen_permissions
                };
                if std::mem::replace(seen, true) {
                    let hint = if kind == "require" {
                        "combine the requirements with `&&` in one `#[require(...)]`"
                    } else {
                        "list all permissions in one `#[permissions(...)]`"
                    };
                    errors.push_spanned(
                        attr,
                        format!("`#[{kind}]` is given twice on this handler: {hint}"),
                    );
                    continue;
                }
                first_requirement.get_or_insert_with(|| attr.clone());
                let tokens = match &attr.meta {
                    syn::Meta::List(list) if list.tokens.to_string() == crate::require::CHECKED => continue,
                    syn::Meta::List(list) if !list.tokens.is_empty() => list.tokens.clone(),
                    _ => {
                        let example = if kind == "require" {
                            "#[require(role = \"admin\")]"
                        } else {
                            "#[permissions(\"posts:write\")]"
                        };
                        errors.push_spanned(
                            attr,
                            format!("`#[{kind}]` needs at least one requirement, e.g. `{example}`"),
                        );
                        continue;
                    }
                };
                let parsed = if kind == "require" {
                    syn::parse2::<Expr>(tokens)
                } else {
                    syn::parse2::<Permissions>(tokens).map(|p| p.0)
                };
                match parsed {
                    Ok(expr) => requirements.push(expr),
                    Err(e) => errors.add(e),
                }
            }
            _ => {}
        }
    }
    if optional && let Some(attr) = &first_requirement {
        errors.push_spanned(
            attr,
            "`optional` lets requests without credentials in, but this requirement needs a user: remove `optional` or the requirement",
        );
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
                errors.push_spanned(receiver, "an `#[auth]` handler cannot take `self`: make it a free function or an associated function");
                continue;
            }
            syn::FnArg::Typed(arg) => arg,
        };
        let marked = arg.attrs.iter().any(is_user_marker);
        let named_user = matches!(&*arg.pat, syn::Pat::Ident(p) if p.ident == "user" || p.ident == "_user");
        if marked || named_user {
            users.push((index, arg));
        } else if is_auth_info(&arg.ty) {
            match (optional, option_inner(&arg.ty).is_some()) {
                (true, false) => errors.push_spanned(
                    &arg.ty,
                    "with `optional` there is no `AuthInfo` for requests without credentials: write `Option<AuthInfo>`",
                ),
                (false, true) => errors.push_spanned(
                    &arg.ty,
                    "`Option<AuthInfo>` is for `optional` handlers; this one always authenticates: write `AuthInfo`",
                ),
                _ => {}
            }
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
                errors.push_spanned(
                    extra,
                    "only one parameter can receive the authenticated user: remove this one or its `#[user]` mark",
                );
            }
            match (optional, option_inner(&arg.ty)) {
                (true, Some(inner)) => user = Some((*index, inner.clone())),
                (false, None) => user = Some((*index, (*arg.ty).clone())),
                (true, None) => errors.push_spanned(
                    &arg.ty,
                    "with `optional`, the user parameter must be an `Option`: write `Option<User>`",
                ),
                (false, Some(_)) => errors.push_spanned(
                    &arg.ty,
                    "the user parameter is an `Option` but `#[auth]` is not optional: add `optional` (e.g. `#[auth(jwt, optional)]`) or take the user type itself",
                ),
            }
        }
    }

    let requirement = match requirements.len() {
        0 => None,
        1 => requirements.pop(),
        _ => Some(Expr::All(requirements)),
    };
    let mut optional_resources = Vec::new();
    if let Some(requirement) = &requirement {
        for atom in requirement.atoms() {
            let Atom::Owner { param, .. } = atom else { continue };
            let found = sig
                .inputs
                .iter()
                .enumerate()
                .find_map(|(index, input)| match input {
                    syn::FnArg::Typed(arg) => match &*arg.pat {
                        syn::Pat::Ident(p) if p.ident == *param => Some((index, arg)),
                        _ => None,
                    },
                    syn::FnArg::Receiver(_) => None,
                });
            match found {
                Some((index, _)) if user.as_ref().is_some_and(|(u, _)| *u == index) => errors.push(
                    param.span(),
                    "`owner(...)` names a resource parameter, not the user: e.g. `owner(post.author_id)`",
                ),
                Some((_, arg)) => {
                    if option_inner(&arg.ty).is_some() && !optional_resources.contains(param) {
                        optional_resources.push(param.clone());
                    }
                }
                None => {
                    let names: Vec<String> = sig
                        .inputs
                        .iter()
                        .filter_map(|input| match input {
                            syn::FnArg::Typed(arg) => match &*arg.pat {
                                syn::Pat::Ident(p) => Some(p.ident.to_string()),
                                _ => None,
                            },
                            syn::FnArg::Receiver(_) => None,
                        })
                        .collect();
                    errors.push(
                        param.span(),
                        format!(
                            "`owner({param}...)` names no parameter of this handler{}; add the resource as a parameter, e.g. `{param}: Post`",
                            did_you_mean(&param.to_string(), names.iter().map(String::as_str))
                        ),
                    );
                }
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
            requirement,
            optional_resources,
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
