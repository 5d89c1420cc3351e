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
use crate::requirement::{self, Kind, OnReturned};
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
    /// `#[require_returned]`: checked on the value the body returned.
    pub(super) require_returned: Option<OnReturned>,
    /// `#[filter_returned]`: checked on each returned item; the others are dropped.
    pub(super) filter_returned: Option<OnReturned>,
    /// `Option<_>` parameters named in `owner(...)` or passed to a policy: `None`
    /// answers 404.
    pub(super) optional_resources: Vec<syn::Ident>,
    /// `#[resource]` parameters named in `owner(...)` or passed to a policy: loaded by their `Resource`
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
    for attr in handler.attrs.iter().filter(|a| classify(a) == AttrKind::Public) {
        errors.push_spanned(
            attr,
            "`#[auth]` and `#[public]` exclude each other: keep `#[auth(...)]` to require a user, or `#[public]` to open the handler to everyone",
        );
    }
    let requirement = requirements(handler, optional, &mut errors);
    let [require_returned, filter_returned] = [Kind::RequireReturned, Kind::FilterReturned]
        .map(|kind| on_returned(handler, kind, optional, &mut errors));
    if let Some(span) = hide_existence
        && requirement.is_none()
        && require_returned.is_none()
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
        .map(|r| owners(r, sig, user.as_ref().map(|(index, _)| *index), info, &mut errors))
        .unwrap_or_default();
    // An `owner(...)` naming no parameter (misspelt) was reported: the `#[resource]` it
    // meant is not "named by no `owner(...)`" on top of that.
    let owners_named_all = errors.count() == before;
    resource_markers(sig, &loaded_resources, owners_named_all, &mut errors);
    for on in [&require_returned, &filter_returned].into_iter().flatten() {
        returned_names(on, sig, user.as_ref().map(|(index, _)| *index), info, &mut errors);
    }
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
        require_returned,
        filter_returned,
        optional_resources,
        loaded_resources,
    })
}

/// The `#[require_returned]` or `#[filter_returned]` attribute (`kind`), parsed.
fn on_returned(handler: &Handler, kind: Kind, optional: bool, errors: &mut Errors) -> Option<OnReturned> {
    let mut found = None;
    for (_, attr) in handler.requirements().filter(|(k, _)| *k == kind) {
        if found.is_some() {
            errors.push_spanned(attr, kind.given_twice());
            continue;
        }
        if optional {
            errors.push_spanned(attr, OPTIONAL_NEEDS_NO_REQUIREMENT);
        }
        found = Some(errors.handle(requirement::parse_returned(kind, attr)));
    }
    found.flatten()
}

/// A requirement on the returned value sees the value's name, the user and `AuthInfo`:
/// the handler's other parameters were consumed by its body.
fn returned_names(
    on: &OnReturned,
    sig: &syn::Signature,
    user: Option<usize>,
    info: Option<usize>,
    errors: &mut Errors,
) {
    let param_name = |index: Option<usize>| match index.and_then(|i| sig.inputs.iter().nth(i)) {
        Some(syn::FnArg::Typed(arg)) => match &*arg.pat {
            syn::Pat::Ident(p) => Some(p.ident.to_string()),
            _ => None,
        },
        _ => None,
    };
    let binding = on.binding.to_string();
    let mut visible = vec![binding.clone()];
    visible.extend(param_name(user));
    visible.extend(param_name(info));
    for atom in on.expr.atoms() {
        let names: Vec<&syn::Ident> = match atom {
            Atom::Owner { param, .. } => vec![param],
            Atom::Policy { args, .. } => args.iter().collect(),
            _ => continue,
        };
        for name in names {
            let is_owner = matches!(atom, Atom::Owner { .. });
            if (is_owner && *name == binding) || (!is_owner && visible.iter().any(|v| name == v)) {
                continue;
            }
            let message = if let Atom::Owner { fields, .. } = atom {
                let path: Vec<String> = fields
                    .iter()
                    .map(|f| quote::ToTokens::to_token_stream(f).to_string())
                    .collect();
                format!(
                    "`owner(...)` here reads the returned value: write `owner({binding}.{})`",
                    path.join(".")
                )
            } else {
                format!(
                    "`{name}` is not visible after the handler ran: a requirement on the returned value is passed `{binding}` (the value){}",
                    [param_name(user), param_name(info)]
                        .into_iter()
                        .flatten()
                        .map(|n| format!(", `{n}`"))
                        .collect::<String>()
                )
            };
            errors.push(name.span(), message);
        }
    }
}

/// A requirement of any kind on an `optional` handler.
const OPTIONAL_NEEDS_NO_REQUIREMENT: &str = "`optional` lets requests without credentials in, but this requirement needs a user: remove `optional` or the requirement";

/// The `#[require]` / `#[permissions]` attributes, parsed and merged.
fn requirements(handler: &Handler, optional: bool, errors: &mut Errors) -> Option<Expr> {
    let mut found: Vec<Expr> = Vec::new();
    let mut seen: Vec<Kind> = Vec::new();
    let mut first = None;
    for (kind, attr) in handler.requirements().filter(|(kind, _)| !kind.on_returned()) {
        if seen.contains(&kind) {
            errors.push_spanned(attr, kind.given_twice());
            continue;
        }
        seen.push(kind);
        first.get_or_insert(attr);
        if let Some(expr) = errors.handle(requirement::parse(kind, attr)) {
            found.push(expr);
        }
    }
    if optional && let Some(attr) = first {
        errors.push_spanned(attr, OPTIONAL_NEEDS_NO_REQUIREMENT);
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
                "`#[resource]` loads a resource for an `owner(...)` check or a policy, but neither names this parameter: add e.g. `#[require(owner(post.author_id))]` or remove `#[resource]`",
            );
        }
    }
}

/// The resource parameters named in `owner(...)` or passed to a policy: the
/// `Option<_>` ones and the `#[resource]` ones; checks each names a parameter (a policy
/// may also be passed the user and the `AuthInfo` parameter).
fn owners(
    requirement: &Expr,
    sig: &syn::Signature,
    user: Option<usize>,
    info: Option<usize>,
    errors: &mut Errors,
) -> (Vec<syn::Ident>, Vec<syn::Ident>) {
    let mut optional_resources = Vec::new();
    let mut loaded_resources = Vec::new();
    let mut named: Vec<(&syn::Ident, Option<&syn::Path>)> = Vec::new();
    for atom in requirement.atoms() {
        match atom {
            Atom::Owner { param, .. } => named.push((param, None)),
            Atom::Policy { path, args } => named.extend(args.iter().map(|arg| (arg, Some(path)))),
            _ => {}
        }
    }
    for (param, policy) in named {
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
            Some((index, _)) if policy.is_some() && (user == Some(index) || info == Some(index)) => {}
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
                let hint = did_you_mean(&param.to_string(), names.iter().map(String::as_str));
                let message = match policy {
                    Some(path) => format!(
                        "`{}` is passed `{param}`, which names no parameter of this handler{hint}\n  a policy is passed the handler's parameters: the user, `AuthInfo`, resources",
                        path.segments
                            .last()
                            .map(|s| s.ident.to_string())
                            .unwrap_or_default()
                    ),
                    None => format!(
                        "`owner({param}...)` names no parameter of this handler{hint}; add the resource as a parameter, e.g. `{param}: Post`"
                    ),
                };
                errors.push(param.span(), message);
            }
        }
    }
    (optional_resources, loaded_resources)
}
