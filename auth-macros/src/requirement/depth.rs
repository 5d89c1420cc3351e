//! A bound on how deeply a requirement nests, checked before it is parsed.
//!
//! The grammar (`expr`) and `syn`'s type parser (generic arguments of a `fn = ...` or
//! `role = ...` path, where every `<` opens a qualified path) recurse once per level:
//! a requirement nested a few thousand levels deep overflowed the compiler's stack
//! instead of getting an error (found by the `require_expr` fuzz target, `fuzz/`; so
//! did ~2 000 `&` in a generic argument, each a reference type).

use proc_macro2::{TokenStream, TokenTree};

/// The deepest nesting allowed: parentheses (and other groups), and `!` and `<` in all.
pub(crate) const MAX_DEPTH: usize = 64;
/// `&` and `*` in all (each opens a reference or pointer type; `&&` joins requirements).
pub(crate) const MAX_REFERENCES: usize = 128;
/// Tokens in all (`fn() -> fn() -> ...` nests types without nesting groups).
pub(crate) const MAX_TOKENS: usize = 512;

/// An error on the first token past [`MAX_DEPTH`], if any. Walks the tokens without
/// recursion (the groups may nest as deeply as the input is long).
pub(crate) fn check(tokens: TokenStream) -> syn::Result<()> {
    let mut stack = vec![tokens.into_iter()];
    let (mut nots, mut angles, mut references, mut count) = (0, 0, 0, 0);
    while let Some(top) = stack.last_mut() {
        let Some(token) = top.next() else {
            stack.pop();
            continue;
        };
        count += 1;
        let too_deep = count > MAX_TOKENS
            || match &token {
                TokenTree::Group(group) => {
                    stack.push(group.stream().into_iter());
                    stack.len() > MAX_DEPTH + 1
                }
                TokenTree::Punct(p) if p.as_char() == '!' => {
                    nots += 1;
                    nots > MAX_DEPTH
                }
                TokenTree::Punct(p) if p.as_char() == '<' => {
                    angles += 1;
                    angles > MAX_DEPTH
                }
                TokenTree::Punct(p) if matches!(p.as_char(), '&' | '*') => {
                    references += 1;
                    references > MAX_REFERENCES
                }
                _ => false,
            };
        if too_deep {
            return Err(syn::Error::new(
                token.span(),
                format!(
                    "the requirement nests too deeply (at most {MAX_DEPTH} parentheses, `!` or `<`, {MAX_REFERENCES} `&` or `*`, {MAX_TOKENS} tokens): name a part of it with a `#[policy]` function"
                ),
            ));
        }
    }
    Ok(())
}
