//! Re-spanning generated tokens onto the user's tokens.

use proc_macro2::TokenStream;

/// Gives every token of `tokens` the span `span`, so that rustc's errors about the
/// generated code (a failed const evaluation, a type mismatch) point at the user's
/// token instead of the attribute.
pub(crate) fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner = proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
