//! The requirement language of `#[require(...)]` and `#[permissions(...)]`, parsed
//! once at compile time into a tree.
//!
//! ```text
//! expr    := and ( "||" and )*
//! and     := unary ( "&&" unary )*
//! unary   := "!" unary | "(" expr ")" | atom
//! atom    := role = "name" | role = Enum::Variant | permission = "name"
//!          | permission = Enum::Variant | scope = "name"
//!          | claim(name = literal) | owner(param.field...) | verified_email | fresh
//!          | fn = path::to::check | path::to::policy(param, ...)
//! ```

use proc_macro2::Span;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{Token, parenthesized};

use crate::suggest::did_you_mean;

/// A requirement expression.
pub(crate) enum Expr {
    Any(Vec<Expr>),
    All(Vec<Expr>),
    Not(Box<Expr>),
    Atom(Atom),
}

/// A leaf requirement.
pub(crate) enum Atom {
    Role(syn::LitStr),
    TypedRole(syn::Path),
    Permission(syn::LitStr),
    TypedPermission(syn::Path),
    Scope(syn::LitStr),
    Claim(syn::Ident, syn::Lit),
    /// `owner(param.a.b)`: the parameter and the field path after it.
    Owner {
        param: syn::Ident,
        fields: Vec<syn::Member>,
        span: Span,
    },
    VerifiedEmail(Span),
    /// `fresh`: a password entered just now (a fresh token, or Basic).
    Fresh(Span),
    Predicate(syn::Path),
    /// `can_edit(user, post)`: a named policy (`#[policy]`) called with parameters.
    Policy {
        path: syn::Path,
        args: Vec<syn::Ident>,
    },
}

const ATOMS: [&str; 8] = [
    "role",
    "permission",
    "scope",
    "claim",
    "owner",
    "verified_email",
    "fresh",
    "fn",
];

impl Parse for Expr {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // Empty attributes are refused before parsing (`requirement::parse`).
        super::depth::check(input.cursor().token_stream())?;
        let expr = parse_any(input)?;
        if !input.is_empty() {
            return Err(unexpected(input));
        }
        Ok(expr)
    }
}

fn unexpected(input: ParseStream<'_>) -> syn::Error {
    if input.peek(Token![|]) || input.peek(Token![&]) {
        return input.error("use `||` and `&&` to combine requirements");
    }
    if input.peek(syn::Ident) {
        let word = input
            .fork()
            .parse::<syn::Ident>()
            .map(|i| i.to_string())
            .unwrap_or_default();
        if word == "and" || word == "or" {
            return input.error(format!(
                "use `{}` instead of `{word}`",
                if word == "and" { "&&" } else { "||" }
            ));
        }
    }
    input.error("expected `||`, `&&` or the end of the requirement")
}

fn parse_any(input: ParseStream<'_>) -> syn::Result<Expr> {
    let mut items = vec![parse_all(input)?];
    while input.peek(Token![||]) {
        input.parse::<Token![||]>()?;
        items.push(parse_all(input)?);
    }
    Ok(if items.len() == 1 {
        items.remove(0)
    } else {
        Expr::Any(items)
    })
}

fn parse_all(input: ParseStream<'_>) -> syn::Result<Expr> {
    let mut items = vec![parse_unary(input)?];
    while input.peek(Token![&&]) {
        input.parse::<Token![&&]>()?;
        items.push(parse_unary(input)?);
    }
    Ok(if items.len() == 1 {
        items.remove(0)
    } else {
        Expr::All(items)
    })
}

fn parse_unary(input: ParseStream<'_>) -> syn::Result<Expr> {
    if input.peek(Token![!]) {
        input.parse::<Token![!]>()?;
        return Ok(Expr::Not(Box::new(parse_unary(input)?)));
    }
    if input.peek(syn::token::Paren) {
        let content;
        parenthesized!(content in input);
        if content.is_empty() {
            return Err(syn::Error::new(
                content.span(),
                "empty parentheses: put a requirement inside",
            ));
        }
        let inner = parse_any(&content)?;
        if !content.is_empty() {
            return Err(unexpected(&content));
        }
        return Ok(inner);
    }
    parse_atom(input).map(Expr::Atom)
}

fn equals(input: ParseStream<'_>, key: &str, example: &str) -> syn::Result<()> {
    if input.peek(Token![==]) {
        return Err(input.error(format!("use a single `=`: `{key} = {example}`")));
    }
    if input.peek(Token![!=]) {
        return Err(input.error(format!("negate with `!`: `!({key} = {example})`")));
    }
    input
        .parse::<Token![=]>()
        .map_err(|_| input.error(format!("expected `=` after `{key}`: `{key} = {example}`")))?;
    Ok(())
}

fn string(input: ParseStream<'_>, key: &str, example: &str) -> syn::Result<syn::LitStr> {
    input
        .parse::<syn::LitStr>()
        .map_err(|_| input.error(format!("`{key}` takes a string literal: `{key} = {example}`")))
}

fn parse_atom(input: ParseStream<'_>) -> syn::Result<Atom> {
    if let Some(path) = policy_path(input) {
        return parse_policy(input, path);
    }
    if input.peek(Token![fn]) {
        input.parse::<Token![fn]>()?;
        equals(input, "fn", "path::to::check")?;
        let path = input.parse::<syn::Path>().map_err(|_| {
            input.error("`fn =` takes the path of a predicate function: `fn = checks::is_staff`")
        })?;
        return Ok(Atom::Predicate(path));
    }
    let key: syn::Ident = input.parse().map_err(|_| {
        input.error("expected a requirement: `role = \"..\"`, `permission = \"..\"`, `scope = \"..\"`, `claim(name = value)`, `owner(param.field)`, `verified_email`, `fresh` or `fn = path`")
    })?;
    match key.to_string().as_str() {
        "role" => {
            equals(input, "role", "\"admin\"")?;
            if input.peek(syn::LitStr) {
                Ok(Atom::Role(input.parse()?))
            } else {
                let path = input.parse::<syn::Path>().map_err(|_| input.error("`role` takes a string literal or a role enum variant: `role = \"admin\"` or `role = Role::Admin`"))?;
                Ok(Atom::TypedRole(path))
            }
        }
        "permission" => {
            equals(input, "permission", "\"posts:write\"")?;
            if input.peek(syn::LitStr) {
                Ok(Atom::Permission(input.parse()?))
            } else if is_variant_path(input) {
                Ok(Atom::TypedPermission(input.parse()?))
            } else {
                Err(input.error("`permission` takes a string literal or a permission enum variant: `permission = \"posts:write\"` or `permission = Perm::PostsWrite`"))
            }
        }
        "scope" => {
            equals(input, "scope", "\"read:posts\"")?;
            Ok(Atom::Scope(string(input, "scope", "\"read:posts\"")?))
        }
        "claim" => {
            let content;
            parenthesized!(content in input);
            let name: syn::Ident = content
                .parse()
                .map_err(|_| content.error("`claim` takes `name = value`: `claim(tenant = \"acme\")`"))?;
            equals(&content, "claim(name", "value)")?;
            let value: syn::Lit = content
                .parse()
                .map_err(|_| content.error("a claim value is a literal: a string, a number or a bool"))?;
            if !content.is_empty() {
                return Err(content.error("`claim` takes one `name = value`; combine several with `&&`"));
            }
            Ok(Atom::Claim(name, value))
        }
        "owner" => {
            let content;
            parenthesized!(content in input);
            let span = content.span();
            let param: syn::Ident = content
                .parse()
                .map_err(|_| content.error("`owner` takes a parameter's field: `owner(post.author_id)`"))?;
            let mut fields = Vec::new();
            while content.peek(Token![.]) {
                content.parse::<Token![.]>()?;
                fields.push(content.parse::<syn::Member>()?);
            }
            if fields.is_empty() {
                return Err(syn::Error::new(
                    param.span(),
                    format!("name the field holding the owner's id: `owner({param}.author_id)`"),
                ));
            }
            if !content.is_empty() {
                return Err(content.error("`owner` takes a field path only: `owner(post.author_id)`"));
            }
            Ok(Atom::Owner { param, fields, span })
        }
        "verified_email" => Ok(Atom::VerifiedEmail(key.span())),
        "fresh" => Ok(Atom::Fresh(key.span())),
        other => Err(syn::Error::new(
            key.span(),
            format!(
                "unknown requirement `{other}`{}\n  the requirements are `role = ..`, `permission = ..`, `scope = ..`, `claim(name = value)`, `owner(param.field)`, `verified_email`, `fresh`, `fn = path` and policies called with parameters: `can_edit(user, post)`",
                did_you_mean(other, ATOMS)
            ),
        )),
    }
}

/// A path followed by parentheses that is not a keyword (`claim(..)`, `owner(..)`): a
/// policy call, e.g. `can_edit(user, post)` or `policies::can_edit(user, post)`.
fn policy_path(input: ParseStream<'_>) -> Option<syn::Path> {
    let fork = input.fork();
    let path = fork.call(syn::Path::parse_mod_style).ok()?;
    if !fork.peek(syn::token::Paren) {
        return None;
    }
    match path.get_ident() {
        Some(word) if ATOMS.contains(&word.to_string().as_str()) => None,
        _ => Some(path),
    }
}

/// `path(a, b)`: the policy's arguments name parameters (of the handler, or of the
/// policy that calls it).
fn parse_policy(input: ParseStream<'_>, _: syn::Path) -> syn::Result<Atom> {
    let path = input.call(syn::Path::parse_mod_style)?;
    let content;
    let paren = parenthesized!(content in input);
    let name = tokens(&path);
    let mut args = Vec::new();
    while !content.is_empty() {
        let arg: syn::Ident = content.parse().map_err(|_| {
            content.error(format!(
                "a policy's arguments are parameter names: e.g. `{name}(user, post)`"
            ))
        })?;
        if content.peek(Token![.]) {
            return Err(syn::Error::new(
                arg.span(),
                format!("pass the parameter itself, `{arg}`: the policy reads its fields"),
            ));
        }
        args.push(arg);
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>().map_err(|_| {
            content.error(format!(
                "a policy's arguments are parameter names separated by commas: e.g. `{name}(user, post)`"
            ))
        })?;
    }
    if args.is_empty() {
        return Err(syn::Error::new(
            paren.span.join(),
            format!(
                "`{name}()` passes nothing: name the parameters the policy takes, e.g. `{name}(user, post)`"
            ),
        ));
    }
    Ok(Atom::Policy { path, args })
}

/// The arguments of `#[permissions(...)]`: `"a", "b"` (all) or `any("a", "b")`; each
/// a name or a permission enum variant (`Perm::PostsWrite`).
pub(crate) struct Permissions(pub(crate) Expr);

impl Parse for Permissions {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        super::depth::check(input.cursor().token_stream())?;
        let any = input.peek(syn::Ident) && input.peek2(syn::token::Paren);
        let list = if any {
            let word: syn::Ident = input.parse()?;
            if word != "any" {
                return Err(syn::Error::new(
                    word.span(),
                    format!("unknown `{word}(...)`: use `any(\"a\", \"b\")` for one of several permissions"),
                ));
            }
            let content;
            let paren = parenthesized!(content in input);
            if !input.is_empty() {
                return Err(input.error("`any(...)` must be the only argument"));
            }
            if content.is_empty() {
                return Err(syn::Error::new(
                    paren.span.join(),
                    "`any()` needs at least one permission, e.g. `any(\"posts:read\", \"posts:write\")`",
                ));
            }
            permission_names(&content)?
        } else {
            permission_names(input)?
        };
        if list.is_empty() {
            return Err(input.error(
                "`#[permissions]` needs at least one permission, e.g. `#[permissions(\"posts:write\")]`",
            ));
        }
        let atoms = list.into_iter().map(Expr::Atom).collect::<Vec<_>>();
        Ok(Permissions(match atoms.len() {
            1 => atoms.into_iter().next().expect("one"),
            _ if any => Expr::Any(atoms),
            _ => Expr::All(atoms),
        }))
    }
}

/// Whether a path with at least two segments follows (`Perm::PostsWrite`): a bare word is a
/// misspelt string, not a variant.
fn is_variant_path(input: ParseStream<'_>) -> bool {
    input.peek(Token![::]) || (input.peek(syn::Ident) && input.peek2(Token![::]))
}

/// `"a", Perm::B`: permissions, each a string literal or an enum variant's path.
fn permission_names(input: ParseStream<'_>) -> syn::Result<Vec<Atom>> {
    let mut names = Vec::new();
    while !input.is_empty() {
        if input.peek(syn::LitStr) {
            names.push(Atom::Permission(input.parse()?));
        } else if is_variant_path(input) {
            names.push(Atom::TypedPermission(input.parse()?));
        } else if input.peek(syn::Ident) {
            let word: syn::Ident = input.parse()?;
            return Err(syn::Error::new(
                word.span(),
                format!(
                    "a permission is a string literal: write `\"{}\"`, e.g. `#[permissions(\"posts:write\")]`, or a permission enum variant: `Perm::PostsWrite`",
                    syn::ext::IdentExt::unraw(&word)
                ),
            ));
        } else {
            return Err(input.error(
                "expected a permission name as a string literal, e.g. `#[permissions(\"posts:write\")]`, or a permission enum variant: `Perm::PostsWrite`",
            ));
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>().map_err(|_| {
            input.error("separate permissions with commas: `#[permissions(\"posts:read\", \"posts:write\")]`")
        })?;
    }
    Ok(names)
}

impl Expr {
    /// The expression as written (normalised), for denial messages.
    pub(crate) fn text(&self) -> String {
        let join = |items: &[Expr], op: &str| {
            items
                .iter()
                .map(|e| match e {
                    Expr::Any(_) | Expr::All(_) => format!("({})", e.text()),
                    _ => e.text(),
                })
                .collect::<Vec<_>>()
                .join(op)
        };
        match self {
            Expr::Any(items) => join(items, " || "),
            Expr::All(items) => join(items, " && "),
            Expr::Not(inner) => match &**inner {
                Expr::Atom(_) | Expr::Not(_) => format!("!{}", inner.text()),
                _ => format!("!({})", inner.text()),
            },
            Expr::Atom(atom) => atom.text(),
        }
    }

    /// Every atom, depth first.
    pub(crate) fn atoms(&self) -> Vec<&Atom> {
        match self {
            Expr::Any(items) | Expr::All(items) => items.iter().flat_map(Expr::atoms).collect(),
            Expr::Not(inner) => inner.atoms(),
            Expr::Atom(atom) => vec![atom],
        }
    }
}

fn tokens(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string().replace(" :: ", "::")
}

impl Atom {
    pub(crate) fn text(&self) -> String {
        match self {
            Atom::Role(lit) => format!("role = {:?}", lit.value()),
            Atom::TypedRole(path) => format!("role = {}", tokens(path)),
            Atom::Permission(lit) => format!("permission = {:?}", lit.value()),
            Atom::TypedPermission(path) => format!("permission = {}", tokens(path)),
            Atom::Scope(lit) => format!("scope = {:?}", lit.value()),
            Atom::Claim(name, value) => {
                format!("claim({} = {})", syn::ext::IdentExt::unraw(name), tokens(value))
            }
            Atom::Owner { param, fields, .. } => {
                let path: Vec<String> = fields.iter().map(tokens).collect();
                format!("owner({param}.{})", path.join("."))
            }
            Atom::VerifiedEmail(_) => "verified_email".to_owned(),
            Atom::Fresh(_) => "fresh".to_owned(),
            Atom::Predicate(path) => format!("fn = {}", tokens(path)),
            Atom::Policy { path, args } => {
                let args: Vec<String> = args.iter().map(ToString::to_string).collect();
                format!("{}({})", tokens(path), args.join(", "))
            }
        }
    }
}
