//! `#[policy]`: a named rule over the user and resources, called from requirements with
//! parameters (`#[require(can_edit(user, post))]`).
//!
//! Two forms. `#[policy] [async] fn can_edit(user: &User, post: &Post) -> bool { .. }` is
//! Rust code: the attribute checks its shape (references in, `bool` out). A policy with
//! a requirement, `#[policy(role = "editor" && owner(post.team_id))] fn can_edit(user:
//! &User, post: &Post);`, has its body compiled from the requirement language of
//! `#[require]` over its own parameters: the first is the user, an `&AuthInfo` one (if
//! any) the credential, the others resources; names are checked as in handlers, so a
//! misspelt declared role fails the build on the literal.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Signature, Token, Visibility};

use crate::errors::Errors;
use crate::requirement::expand::{Scope, verdict};
use crate::requirement::expr::{Atom, Expr};
use crate::suggest::did_you_mean;

/// A function under `#[policy]`: with a body, or ending in `;`.
struct Item {
    attrs: Vec<Attribute>,
    vis: Visibility,
    sig: Signature,
    body: Option<TokenStream>,
    semi: Option<Token![;]>,
}

impl Parse for Item {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse().map_err(|e: syn::Error| {
            syn::Error::new(
                e.span(),
                "`#[policy]` goes on a function: `fn can_edit(user: &User, post: &Post) -> bool { ... }`",
            )
        })?;
        if input.peek(Token![;]) {
            let semi = Some(input.parse()?);
            return Ok(Item {
                attrs,
                vis,
                sig,
                body: None,
                semi,
            });
        }
        if !input.peek(syn::token::Brace) {
            return Err(input.error(
                "`#[policy]` goes on a function: `fn can_edit(user: &User, post: &Post) -> bool { ... }`",
            ));
        }
        Ok(Item {
            attrs,
            vis,
            sig,
            body: Some(input.parse()?),
            semi: None,
        })
    }
}

pub(crate) fn attribute(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = match syn::parse2::<Item>(item.clone()) {
        Ok(item) => item,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#item #e);
        }
    };
    let (requirement, krate) = split_crate(args);
    match expand(requirement, krate, &item) {
        Ok(tokens) => tokens,
        Err(error) => {
            // Keep a function of the declared shape so that callers see one error, here.
            let Item { attrs, vis, sig, .. } = &item;
            let mut sig = sig.clone();
            sig.output = syn::parse_quote!(-> bool);
            let error = error.to_compile_error();
            quote!(#(#attrs)* #[allow(unused_variables)] #vis #sig { ::core::unimplemented!() } #error)
        }
    }
}

/// The requirement and a trailing `crate = path` (requirements have no top-level comma).
fn split_crate(args: TokenStream) -> (TokenStream, syn::Path) {
    let trees: Vec<TokenTree> = args.into_iter().collect();
    let comma = trees
        .iter()
        .rposition(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','));
    if let Some(at) = comma {
        let tail: TokenStream = trees[at..].iter().cloned().collect();
        if let Some(krate) = crate::krate::find(tail) {
            return (trees[..at].iter().cloned().collect(), krate);
        }
    }
    let all: TokenStream = trees.into_iter().collect();
    match crate::krate::find(all.clone()) {
        Some(krate) => (TokenStream::new(), krate),
        None => (all, crate::krate::default_path()),
    }
}

/// A policy's parameter: its name and the type behind its reference.
struct Param<'a> {
    name: &'a syn::Ident,
    referent: &'a syn::Type,
}

fn expand(requirement: TokenStream, krate: syn::Path, item: &Item) -> syn::Result<TokenStream> {
    let mut errors = Errors::new();
    let params = parameters(&item.sig, &mut errors);
    let parameters_ok = errors.count() == 0;
    let has_requirement = !requirement.is_empty();
    let expr = if has_requirement {
        errors.handle(syn::parse2::<Expr>(requirement))
    } else {
        None
    };
    match (has_requirement, &item.body) {
        (true, Some(body)) => errors.push_spanned(
            body,
            "a policy with a requirement gets its body from it: replace `{ ... }` with `;`",
        ),
        (false, None) if errors.count() == 0 => errors.push_spanned(
            item.semi,
            "this policy has neither a body nor a requirement: write the body (`{ ... }`) or give one, e.g. `#[policy(role = \"editor\" && owner(post.team_id))]`",
        ),
        _ => {}
    }
    let output_is_bool = match &item.sig.output {
        syn::ReturnType::Type(_, ty) => {
            matches!(&**ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("bool"))
        }
        syn::ReturnType::Default => false,
    };
    match (&item.sig.output, has_requirement) {
        (syn::ReturnType::Default, false) => errors.push(
            item.sig.paren_token.span.close(),
            "a policy answers yes or no: add `-> bool`",
        ),
        (syn::ReturnType::Type(_, ty), _) if !output_is_bool => errors.push_spanned(
            ty,
            "a policy answers yes or no: return `bool` (an `async fn` returning `bool` works too)",
        ),
        _ => {}
    }
    let info = params.iter().skip(1).find(|p| is_auth_info(p.referent));
    // A parameter that is wrong is the one mistake: names are checked against right ones.
    if let Some(expr) = &expr
        && parameters_ok
    {
        check_names(expr, &params, info.is_some(), &mut errors);
    }
    errors.finish()?;

    let Item {
        attrs,
        vis,
        sig,
        body,
        ..
    } = item;
    let Some(expr) = expr else {
        return Ok(quote!(#(#attrs)* #vis #sig #body));
    };
    let private = quote!(#krate::__private);
    let user = params[0].name;
    let user_ty = params[0].referent;
    let no_info = syn::Ident::new("__portcullis_no_info", Span::mixed_site());
    let info = info.map_or(&no_info, |p| p.name);
    let [roles, permissions] = ["__roles", "__permissions"].map(|n| syn::Ident::new(n, Span::mixed_site()));
    let argument = |name: &syn::Ident| quote!(::core::option::Option::Some(#name));
    let scope = Scope {
        private: &private,
        user_ty,
        user,
        info,
        roles: &roles,
        permissions: &permissions,
        optional_params: &[],
        argument: &argument,
        awaits: sig.asyncness.is_some(),
    };
    let check = verdict(&expr, &scope);
    let atoms = expr.atoms();
    let role_mask = if atoms
        .iter()
        .any(|a| matches!(a, Atom::Role(_) | Atom::TypedRole(_)))
    {
        quote!(#private::AuthUser::role_mask(#user))
    } else {
        quote!(0u64)
    };
    let permission_mask = if atoms
        .iter()
        .any(|a| matches!(a, Atom::Permission(_) | Atom::TypedPermission(_)))
    {
        quote!(#private::AuthUser::permission_mask(#user))
    } else {
        quote!(0u64)
    };
    let mut sig = sig.clone();
    sig.output = syn::parse_quote!(-> bool);
    let names = params.iter().map(|p| p.name);
    // Registered with its rule, for the access matrix (`PolicyRef::rule`).
    let rule = crate::registry::rule(&expr, &private);
    let entry = crate::registry::submit(
        &private,
        quote!(#private::PolicyEntry::__new(|| ::core::any::type_name_of_val(&__portcullis_here), &#rule)),
    );
    Ok(quote! {
        #(#attrs)*
        #vis #sig {
            #entry
            // Every parameter counts as used, whatever the requirement reads.
            let _ = (#(#names,)*);
            let #roles: u64 = #role_mask;
            let #permissions: u64 = #permission_mask;
            let __verdict: ::core::result::Result<(), &'static str> = #check;
            __verdict.is_ok()
        }
    })
}

/// The parameters, each `name: &Type`; the first one is the user.
fn parameters<'a>(sig: &'a Signature, errors: &mut Errors) -> Vec<Param<'a>> {
    let mut params = Vec::new();
    for input in &sig.inputs {
        let arg = match input {
            syn::FnArg::Receiver(receiver) => {
                errors.push_spanned(receiver, "a policy is a free function: remove `self`");
                continue;
            }
            syn::FnArg::Typed(arg) => arg,
        };
        let syn::Pat::Ident(pat) = &*arg.pat else {
            errors.push_spanned(
                &arg.pat,
                "a policy's parameters are plain names (`post: &Post`): requirements pass them by name",
            );
            continue;
        };
        match &*arg.ty {
            syn::Type::Reference(r) if r.mutability.is_none() => params.push(Param {
                name: &pat.ident,
                referent: &r.elem,
            }),
            syn::Type::Reference(r) => errors.push_spanned(
                r.mutability,
                "a policy only reads what it checks: take a shared reference (remove `mut`)",
            ),
            ty => errors.push_spanned(
                ty,
                format!(
                    "a policy reads what it checks: take a reference, `&{}`",
                    ty.to_token_stream()
                        .to_string()
                        .replace(" < ", "<")
                        .replace(" >", ">")
                ),
            ),
        }
    }
    if sig.inputs.is_empty() {
        errors.push(
            sig.paren_token.span.join(),
            "a policy takes the user first, then what it checks: e.g. `(user: &User, post: &Post)`",
        );
    }
    if let Some(first) = params.first()
        && sig.inputs.len() == params.len()
        && is_auth_info(first.referent)
    {
        errors.push_spanned(
            first.referent,
            "a policy takes the user first: e.g. `(user: &User, info: &AuthInfo)`",
        );
    }
    params
}

/// Whether `ty` names `AuthInfo` (by its last segment).
fn is_auth_info(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "AuthInfo"))
}

/// Names in a policy's requirement: resources and policy arguments are its parameters;
/// what reads the credential needs an `&AuthInfo` parameter.
fn check_names(expr: &Expr, params: &[Param<'_>], has_info: bool, errors: &mut Errors) {
    let names: Vec<String> = params.iter().map(|p| p.name.to_string()).collect();
    let unknown = |name: &syn::Ident, errors: &mut Errors, what: &str| {
        if !names.iter().any(|n| name == n) {
            errors.push(
                name.span(),
                format!(
                    "{what} `{name}`, which is no parameter of this policy{}",
                    did_you_mean(&name.to_string(), names.iter().map(String::as_str))
                ),
            );
        }
    };
    for atom in expr.atoms() {
        let credential = match atom {
            Atom::Scope(lit) => Some((lit.span(), "`scope = ..`")),
            Atom::Claim(name, _) => Some((name.span(), "`claim(..)`")),
            Atom::Fresh(span) => Some((*span, "`fresh`")),
            Atom::Predicate(path) => Some((path.span(), "`fn = ..`")),
            _ => None,
        };
        if let Some((span, what)) = credential
            && !has_info
        {
            errors.push(
                span,
                format!("{what} reads the credential: add `info: &AuthInfo` to the policy's parameters"),
            );
        }
        match atom {
            Atom::Owner { param, .. } if params.first().is_some_and(|p| p.name == param) => errors.push(
                param.span(),
                "`owner(...)` names a resource parameter, not the user: e.g. `owner(post.author_id)`",
            ),
            Atom::Owner { param, .. } => unknown(param, errors, "`owner(...)` names"),
            Atom::Policy { args, .. } => {
                for arg in args {
                    unknown(arg, errors, "a policy is passed");
                }
            }
            _ => {}
        }
    }
}
