//! Checks of the handler under `#[auth]` (signature, requirement attributes), producing
//! the model expansion needs. The arguments are checked by `schemes`.

use syn::spanned::Spanned;

use super::parse::Args;
use super::schemes::{self, Scheme, SchemeArgs};
use crate::errors::Errors;
use crate::handler::{
    AttrKind, Handler, classify, is_auth_info, is_resource_marker, is_user_marker, option_inner,
};
use crate::requirement::expr::{Atom, Expr};
use crate::requirement::{self, Kind};
use crate::suggest::did_you_mean;

/// The validated model of one `#[auth]` use.
pub(super) struct AuthModel {
    /// The schemes, in the order given.
    pub(super) schemes: Vec<Scheme>,
    pub(super) optional: bool,
    /// `hide_existence`: an unmet requirement answers 404.
    pub(super) hide_existence: bool,
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
    /// `#[resource]` parameters named in `owner(...)`: loaded by their `Resource`
    /// implementation; a missing one answers 404.
    pub(super) loaded_resources: Vec<syn::Ident>,
}

pub(super) fn check(args: Args, handler: &Handler) -> syn::Result<AuthModel> {
    let mut errors = Errors::new();
    let SchemeArgs {
        schemes,
        optional,
        hide_existence,
        krate,
    } = schemes::check(args, &mut errors);
    for attr in handler.attrs.iter().filter(|a| classify(a) == AttrKind::Auth) {
        errors.push_spanned(
            attr,
            "`#[auth]` is given twice on this handler: merge the schemes into one `#[auth(...)]`",
        );
    }
    let requirement = requirements(handler, optional, &mut errors);
    if let Some(span) = hide_existence
        && requirement.is_none()
    {
        errors.push(
            span,
            "`hide_existence` answers an unmet requirement with 404, but this handler has none: add `#[require(...)]` or `#[permissions(...)]`, or remove `hide_existence`",
        );
    }
    let sig = &handler.sig;
    if sig.asyncness.is_none() {
        errors.push(
            sig.fn_token.span(),
            "`#[auth]` handlers must be `async fn`: add `async` before `fn`",
        );
    }
    let (user, info) = parameters(sig, optional, &mut errors);
    let before = errors.count();
    let (optional_resources, loaded_resources) = requirement
        .as_ref()
        .map(|r| owners(r, sig, user.as_ref().map(|(index, _)| *index), &mut errors))
        .unwrap_or_default();
    // An `owner(...)` naming no parameter (misspelt) was reported: the `#[resource]` it
    // meant is not "named by no `owner(...)`" on top of that.
    let owners_named_all = errors.count() == before;
    resource_markers(sig, &loaded_resources, owners_named_all, &mut errors);
    let user = errors
        .finish()
        .map(|()| user.expect("a missing user parameter is an error"))?;
    let (user, user_ty) = user;
    Ok(AuthModel {
        schemes,
        optional,
        hide_existence: hide_existence.is_some(),
        krate,
        user,
        user_ty,
        info,
        requirement,
        optional_resources,
        loaded_resources,
    })
}

/// The `#[require]` / `#[permissions]` attributes, parsed and merged.
fn requirements(handler: &Handler, optional: bool, errors: &mut Errors) -> Option<Expr> {
    let mut found: Vec<Expr> = Vec::new();
    let mut seen: Vec<Kind> = Vec::new();
    let mut first = None;
    for (kind, attr) in handler.requirements() {
        if seen.contains(&kind) {
            errors.push_spanned(
                attr,
                format!(
                    "`#[{}]` is given twice on this handler: {}",
                    kind.name(),
                    kind.merge_hint()
                ),
            );
            continue;
        }
        seen.push(kind);
        first.get_or_insert(attr);
        if let Some(expr) = errors.handle(requirement::parse(kind, attr)) {
            found.push(expr);
        }
    }
    if optional && let Some(attr) = first {
        errors.push_spanned(
            attr,
            "`optional` lets requests without credentials in, but this requirement needs a user: remove `optional` or the requirement",
        );
    }
    match found.len() {
        0 => None,
        1 => found.pop(),
        _ => Some(Expr::All(found)),
    }
}

/// The user parameter (index, user type) and the `AuthInfo` parameter.
fn parameters(
    sig: &syn::Signature,
    optional: bool,
    errors: &mut Errors,
) -> (Option<(usize, syn::Type)>, Option<usize>) {
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

    (user, info)
}

/// `#[resource]` marks only resources named in `owner(...)`, of the resource type itself.
fn resource_markers(
    sig: &syn::Signature,
    loaded: &[syn::Ident],
    owners_named_all: bool,
    errors: &mut Errors,
) {
    for input in &sig.inputs {
        let syn::FnArg::Typed(arg) = input else { continue };
        let Some(marker) = arg.attrs.iter().find(|a| is_resource_marker(a)) else {
            continue;
        };
        let named = matches!(&*arg.pat, syn::Pat::Ident(p) if loaded.contains(&p.ident));
        if option_inner(&arg.ty).is_some() {
            errors.push_spanned(
                &arg.ty,
                "a `#[resource]` parameter is the resource itself (a missing one answers 404): write `Post`, not `Option<Post>`",
            );
        } else if !named && owners_named_all {
            errors.push_spanned(
                marker,
                "`#[resource]` loads a resource for an `owner(...)` check, but no `owner(...)` names this parameter: add e.g. `#[require(owner(post.author_id))]` or remove `#[resource]`",
            );
        }
    }
}

/// The resource parameters named in `owner(...)`: the `Option<_>` ones and the
/// `#[resource]` ones; checks each names a parameter.
fn owners(
    requirement: &Expr,
    sig: &syn::Signature,
    user: Option<usize>,
    errors: &mut Errors,
) -> (Vec<syn::Ident>, Vec<syn::Ident>) {
    let mut optional_resources = Vec::new();
    let mut loaded_resources = Vec::new();
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
            Some((index, _)) if user == Some(index) => errors.push(
                param.span(),
                "`owner(...)` names a resource parameter, not the user: e.g. `owner(post.author_id)`",
            ),
            Some((_, arg)) => {
                let list = if arg.attrs.iter().any(is_resource_marker) {
                    &mut loaded_resources
                } else if option_inner(&arg.ty).is_some() {
                    &mut optional_resources
                } else {
                    continue;
                };
                if !list.contains(param) {
                    list.push(param.clone());
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
    (optional_resources, loaded_resources)
}
