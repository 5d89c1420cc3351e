//! Parsing of `#[auth(...)]` arguments into [`Arg`]s. Words and `custom(...)` contents
//! are checked later (`schemes`), so that each mistake gets its own message and the
//! others are still reported.

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Token, token};

/// One `#[auth(...)]` argument.
pub(super) enum Arg {
    /// `jwt`, `optional`, ... (validated later, so typos get a suggestion).
    Word(syn::Ident),
    /// `custom(...)`: the key and the parenthesised tokens, as written.
    Custom(syn::Ident, token::Paren, TokenStream),
    /// `crate = path`.
    Crate(syn::Ident, syn::Path),
    /// `redirect = "/login"` or `renderer = Type`: the key and the value as written
    /// (checked by `browser`).
    Browser(syn::Ident, syn::Expr),
}

pub(super) const EXPECTED: &str =
    "expected a scheme name (`jwt`, `api_key`, `basic`, `session`), `custom(Type)` or `optional`";

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(syn::LitStr) {
            let lit: syn::LitStr = input.parse()?;
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "write the scheme as a word, without quotes: `#[auth({})]`",
                    lit.value()
                ),
            ));
        }
        let key = syn::Ident::parse_any(input).map_err(|e| syn::Error::new(e.span(), EXPECTED))?;
        if input.peek(token::Paren) {
            let content;
            let paren = syn::parenthesized!(content in input);
            let tokens: TokenStream = content.parse()?;
            if key == "custom" {
                return Ok(Arg::Custom(key, paren, tokens));
            }
            let hint = crate::suggest::closest(&key.to_string(), ["custom"])
                .map_or_else(String::new, |_| "; did you mean `custom(...)`?".to_owned());
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "`{key}(...)` is not an `#[auth]` option{hint}\n  schemes are words, e.g. `#[auth(jwt, api_key)]`; a scheme of your own is `custom(MyScheme)`"
                ),
            ));
        }
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            if key == "crate" {
                return Ok(Arg::Crate(key, input.parse()?));
            }
            if key == "redirect" || key == "renderer" {
                return Ok(Arg::Browser(key, input.parse()?));
            }
            if key == "custom" {
                let value = input
                    .parse::<syn::Type>()
                    .map_or_else(|_| "MyScheme".to_owned(), |ty| display(&ty));
                return Err(syn::Error::new(
                    key.span(),
                    format!("write a custom scheme in parentheses: `custom({value})`"),
                ));
            }
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "`{key} = ...` is not an `#[auth]` option; write schemes as words, e.g. `#[auth(jwt, api_key)]`"
                ),
            ));
        }
        Ok(Arg::Word(key))
    }
}

/// Parsed arguments, or the syntax error.
pub(super) struct Args {
    pub(super) items: syn::Result<Vec<Arg>>,
}

pub(super) fn parse_args(args: TokenStream) -> Args {
    let items = Punctuated::<Arg, Token![,]>::parse_terminated
        .parse2(args)
        .map(|p| p.into_iter().collect());
    Args { items }
}

/// Tokens as a user would write them (`a::B<C>`, not `a :: B < C >`).
pub(super) fn display(tokens: &impl quote::ToTokens) -> String {
    let text = tokens.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let glue = c == ' '
            && (matches!(out.chars().last(), Some(':' | '<' | '&'))
                || matches!(next, Some(':' | '<' | '>' | ',')));
        if !glue {
            out.push(c);
        }
    }
    out
}
