//! `#[auth(..., redirect = "/login", renderer = Type)]`: the checks of both values
//! (the login path at compile time, on the literal) and the options type the guard
//! carries (`__private::Route<Renderer, Path>`; the path spelt as a list of `char`
//! const parameters, so that no item is generated beside the handler: associated
//! functions stay handlers).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::display;
use crate::errors::Errors;

/// The checked browser options of one `#[auth]`.
#[derive(Default)]
pub(super) struct BrowserArgs {
    /// The login page: a same-origin path.
    pub(super) redirect: Option<(String, Span)>,
    /// The route's renderer type.
    pub(super) renderer: Option<syn::Path>,
    /// Keys already seen (a second one is an error even when the first was wrong).
    seen: Vec<String>,
}

/// The message for a bare `redirect` or `renderer` word.
pub(super) fn needs_value(word: &syn::Ident) -> String {
    if word == "redirect" {
        "`redirect` needs the login page's path: `redirect = \"/login\"`".to_owned()
    } else {
        "`renderer` needs a renderer type: `renderer = HtmlPages`, where `HtmlPages` implements `ErrorRenderer` and `Default`".to_owned()
    }
}

impl BrowserArgs {
    pub(super) fn add(&mut self, key: syn::Ident, value: syn::Expr, errors: &mut Errors) {
        let name = key.to_string();
        if self.seen.contains(&name) {
            errors.push(key.span(), format!("`{name} = ...` is given twice: keep one"));
            return;
        }
        self.seen.push(name);
        if key == "redirect" {
            if let Some(path) = errors.handle(redirect(&value)) {
                self.redirect = Some((path, value.span()));
            }
        } else if let Some(path) = errors.handle(renderer(&value)) {
            self.renderer = Some(path);
        }
    }

    /// Whether `redirect` or `renderer` is given.
    pub(super) fn any(&self) -> bool {
        self.redirect.is_some() || self.renderer.is_some()
    }

    /// The guard's third type parameter, or nothing without options.
    pub(super) fn options_type(&self, private: &TokenStream) -> Option<TokenStream> {
        if !self.any() {
            return None;
        }
        let renderer = match &self.renderer {
            Some(path) => quote!(#path),
            None => quote!(#private::GlobalRenderer),
        };
        let path = match &self.redirect {
            Some((path, span)) => path.chars().rev().fold(
                quote_spanned!(*span=> #private::PathEnd),
                |rest, c| quote_spanned!(*span=> #private::PathChar<#c, #rest>),
            ),
            None => quote!(#private::NoRedirect),
        };
        Some(quote!(#private::Route<#renderer, #path>))
    }

    /// A check that the renderer type implements `ErrorRenderer + Default`, spanned on
    /// its path (rustc's error, and the trait's own message, land there).
    pub(super) fn renderer_check(&self, private: &TokenStream) -> TokenStream {
        let Some(path) = &self.renderer else {
            return TokenStream::new();
        };
        let check = crate::respan::respan(quote!(#private::route_renderer), path.span());
        quote_spanned!(path.span()=> #check::<#path>();)
    }
}

/// The login path: a string literal naming a path of this site.
fn redirect(value: &syn::Expr) -> syn::Result<String> {
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(lit),
        ..
    }) = value
    else {
        return Err(syn::Error::new_spanned(
            value,
            format!(
                "`redirect` takes the login page's path as a string literal, e.g. `redirect = \"/login\"`, not `{}`",
                display(value)
            ),
        ));
    };
    let path = lit.value();
    let bytes = path.as_bytes();
    let message = if bytes.first() != Some(&b'/') {
        Some(format!(
            "`redirect = \"{path}\"` is not a path of this site: write one starting with `/`, e.g. `redirect = \"/login\"` (absolute URLs are refused: no open redirect)"
        ))
    } else if matches!(bytes.get(1), Some(b'/' | b'\\')) {
        Some(format!(
            "`redirect = \"{path}\"` starts with `{}`, which browsers read as another host: write a path with a single leading `/`, e.g. `redirect = \"/login\"`",
            &path[..2]
        ))
    } else if !bytes
        .iter()
        .all(|&b| (0x21..=0x7e).contains(&b) && b != b'\\' && b != b'#')
    {
        Some(format!(
            "`redirect = \"{}\"` may hold only visible ASCII characters, without `\\` or `#`: percent-encode the others",
            path.escape_debug()
        ))
    } else if path.len() > 512 {
        Some("`redirect` is longer than 512 bytes: point it at a shorter login path".to_owned())
    } else {
        None
    };
    match message {
        Some(message) => Err(syn::Error::new(lit.span(), message)),
        None => Ok(path),
    }
}

/// The renderer: a type path.
fn renderer(value: &syn::Expr) -> syn::Result<syn::Path> {
    match value {
        syn::Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => Ok(p.path.clone()),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => Err(syn::Error::new(
            lit.span(),
            format!(
                "`renderer` takes a type path: write it without quotes, `renderer = {}`",
                lit.value()
            ),
        )),
        other => Err(syn::Error::new_spanned(
            other,
            format!(
                "`renderer` takes the path of a renderer type, e.g. `renderer = HtmlPages` (implementing `ErrorRenderer` and `Default`), not `{}`",
                display(other)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    fn redirect(tokens: proc_macro2::TokenStream) -> Result<String, String> {
        super::redirect(&syn::parse2(tokens).unwrap()).map_err(|e| e.to_string())
    }

    #[test]
    fn login_paths_are_paths_of_this_site() {
        assert_eq!(redirect(quote!("/login")).unwrap(), "/login");
        assert_eq!(
            redirect(quote!("/auth/login?lang=en")).unwrap(),
            "/auth/login?lang=en"
        );
        for (bad, says) in [
            (quote!("login"), "is not a path of this site"),
            (quote!("https://evil.example/login"), "is not a path of this site"),
            (quote!("//evil.example"), "starts with `//`"),
            (quote!("/\\evil.example"), "starts with `/\\`"),
            (quote!("/log in"), "visible ASCII"),
            (quote!("/login#top"), "visible ASCII"),
            (quote!(LOGIN), "as a string literal"),
        ] {
            let error = redirect(bad).unwrap_err();
            assert!(error.contains(says), "{error}");
        }
    }

    #[test]
    fn the_path_becomes_a_type() {
        let mut args = super::BrowserArgs::default();
        let mut errors = crate::errors::Errors::new();
        args.add(syn::parse_quote!(redirect), syn::parse_quote!("/l"), &mut errors);
        assert!(errors.finish().is_ok());
        let ty = args.options_type(&quote!(p)).unwrap().to_string();
        assert_eq!(
            ty,
            "p :: Route < p :: GlobalRenderer , p :: PathChar < '/' , p :: PathChar < 'l' , p :: PathEnd > > >"
        );
    }
}
