//! The error accumulator every macro reports through.
//!
//! A macro pushes each independent mistake it finds and carries on, then calls
//! [`Errors::finish`] once: the user sees every mistake of one attribute in one compile
//! (serde's `Ctxt`, darling's `Error::accumulator()`). Dropping an accumulator without
//! finishing it is a bug in the macro and panics in debug builds, so no error is lost.

use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// Mistakes found so far, in the order found.
#[must_use = "call `finish` to report the errors"]
pub(crate) struct Errors {
    /// `None` once finished.
    errors: Option<Vec<syn::Error>>,
}

impl Errors {
    pub(crate) fn new() -> Self {
        Errors {
            errors: Some(Vec::new()),
        }
    }

    fn list(&mut self) -> &mut Vec<syn::Error> {
        self.errors.as_mut().expect("`Errors` used after `finish`")
    }

    /// An error at `span` (one token: the one the user must change).
    pub(crate) fn push(&mut self, span: Span, message: impl Display) {
        self.add(syn::Error::new(span, message));
    }

    /// An error covering all of `tokens` (a `Span` alone only covers the first token).
    pub(crate) fn push_spanned(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.add(syn::Error::new_spanned(tokens, message));
    }

    /// An error already built: a `syn::Error` (possibly several combined) or a
    /// `darling::Error`.
    pub(crate) fn add(&mut self, error: impl Into<syn::Error>) {
        let error: syn::Error = error.into();
        self.list().extend(error);
    }

    /// The value of `result`, or `None` with its error recorded.
    pub(crate) fn handle<T>(&mut self, result: Result<T, impl Into<syn::Error>>) -> Option<T> {
        result.map_err(|e| self.add(e)).ok()
    }

    /// Number of errors recorded so far.
    pub(crate) fn count(&self) -> usize {
        self.errors.as_ref().map_or(0, Vec::len)
    }

    /// Every error recorded, combined into one, or `Ok(())` when there is none.
    pub(crate) fn finish(mut self) -> syn::Result<()> {
        let errors = self.errors.take().expect("`finish` called once");
        let mut errors = errors.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                first.extend(errors);
                Err(first)
            }
        }
    }

    /// `value` when no error was recorded.
    pub(crate) fn finish_with<T>(self, value: T) -> syn::Result<T> {
        self.finish().map(|()| value)
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        if self.errors.is_some() && !std::thread::panicking() {
            debug_assert!(false, "`Errors` dropped without `finish`: errors would be lost");
        }
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::Span;
    use quote::quote;

    use super::Errors;

    fn texts(result: syn::Result<()>) -> Vec<String> {
        result
            .err()
            .into_iter()
            .flatten()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn no_error_finishes_ok() {
        let errors = Errors::new();
        assert_eq!(errors.count(), 0);
        assert!(errors.finish().is_ok());
        assert_eq!(Errors::new().finish_with(7).unwrap(), 7);
    }

    #[test]
    fn keeps_every_error_in_order() {
        let mut errors = Errors::new();
        errors.push(Span::call_site(), "first");
        errors.push_spanned(quote!(a b c), "second");
        let mut combined = syn::Error::new(Span::call_site(), "third");
        combined.combine(syn::Error::new(Span::call_site(), "fourth"));
        errors.add(combined);
        assert_eq!(errors.count(), 4);
        assert_eq!(texts(errors.finish()), ["first", "second", "third", "fourth"]);
    }

    #[test]
    fn handle_records_errors_and_passes_values() {
        let mut errors = Errors::new();
        let ok: syn::Result<u8> = Ok(1);
        let err: syn::Result<u8> = Err(syn::Error::new(Span::call_site(), "bad"));
        assert_eq!(errors.handle(ok), Some(1));
        assert_eq!(errors.handle(err), None);
        assert_eq!(texts(errors.finish()), ["bad"]);
    }

    #[test]
    fn takes_darling_errors_one_by_one() {
        let mut errors = Errors::new();
        let mut darling = darling::Error::accumulator();
        darling.push(darling::Error::custom("one"));
        darling.push(darling::Error::unknown_field_with_alts("idd", &["id"]));
        errors.add(darling.finish().unwrap_err());
        assert_eq!(errors.count(), 2);
        let found = texts(errors.finish());
        assert_eq!(found[0], "one");
        assert!(found[1].contains("Did you mean `id`"), "{found:?}");
    }

    #[test]
    #[should_panic(expected = "dropped without `finish`")]
    #[cfg(debug_assertions)]
    fn dropping_unfinished_errors_is_a_bug() {
        let mut errors = Errors::new();
        errors.push(Span::call_site(), "lost");
    }
}
