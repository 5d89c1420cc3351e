//! The `#[require(...)]` / `#[permissions(...)]` grammar of the proc-macro crate,
//! compiled in from its source (`#[path]`: `expr.rs` and the `depth.rs` beside it):
//! a proc-macro crate cannot be linked as a library, and the grammar only needs `syn`
//! and the crate's `suggest` module.

#[path = "../../auth-macros/src/requirement/depth.rs"]
mod depth;
#[path = "../../auth-macros/src/requirement/expr.rs"]
#[allow(dead_code)]
mod expr;

/// A requirement expression as `#[require(...)]` and `#[permissions(...)]` read it:
/// a tree or a compile error (with its message rendered), never a panic.
pub fn require_expr(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The macro sees tokens rustc lexed; text that does not lex is not an attribute.
    let Ok(tokens) = text.parse::<proc_macro2::TokenStream>() else {
        return;
    };
    if let Err(error) = syn::parse2::<expr::Expr>(tokens.clone()) {
        let _ = error.to_compile_error();
    }
    if let Err(error) = syn::parse2::<expr::Permissions>(tokens) {
        let _ = error.to_compile_error();
    }
}
