//! Browsers: the redirect of `#[auth(..., redirect = "/login")]` (which requests get
//! it, the `next` parameter it carries, [`safe_next`] that checks one), and a route's
//! own renderer (`#[auth(..., renderer = Type)]`): the options a guard carries in its
//! type ([`RouteOptions`]).

use std::marker::PhantomData;

use bytes::Bytes;
use http::header::{ACCEPT, CACHE_CONTROL, HeaderValue, LOCATION, VARY};
use http::request::Parts;
use http::{Method, StatusCode, Uri};

use crate::rejection::Rejection;
use crate::render::ErrorRenderer;

/// The longest `next` value [`safe_next`] accepts (and the redirect writes).
pub const MAX_NEXT_LEN: usize = 2048;

/// Accept header entries looked at (a browser sends fewer than ten).
const MAX_ACCEPT_ENTRIES: usize = 32;

/// A `next` parameter (the page to go back to after login) when it is a same-origin
/// relative path, else `None`: it starts with one `/` (not `//` nor `/\`, which
/// browsers read as another host), has no `\`, no whitespace, no control or non-ASCII
/// character (percent-encode them), and is at most [`MAX_NEXT_LEN`] bytes. Pass the
/// decoded value (as a query parser gives it): `%2F%2Fevil` decoded once is `//evil`,
/// refused; still encoded it does not start with `/`, refused.
///
/// ```
/// use portcullis::safe_next;
/// assert_eq!(safe_next("/posts?page=2"), Some("/posts?page=2"));
/// for evil in ["//evil.example", "/\\evil.example", "https://evil.example", "%2F%2Fevil", "/\tx", "javascript:alert(1)", ""] {
///     assert_eq!(safe_next(evil), None, "{evil}");
/// }
/// ```
pub fn safe_next(next: &str) -> Option<&str> {
    let bytes = next.as_bytes();
    let single_slash = bytes.first() == Some(&b'/') && !matches!(bytes.get(1), Some(b'/' | b'\\'));
    let plain = bytes.iter().all(|&b| (0x21..=0x7e).contains(&b) && b != b'\\');
    (single_slash && plain && next.len() <= MAX_NEXT_LEN).then_some(next)
}

/// The path and query a request was sent to, before a framework's nesting stripped a
/// prefix (the axum adapter records axum's `OriginalUri` as this).
#[derive(Debug, Clone)]
pub(crate) struct OriginalTarget(pub(crate) Uri);

/// Whether the request is a browser's page load: `GET` or `HEAD`, and its `Accept`
/// lists `text/html` (or `application/xhtml+xml`) with a quality above 0 and at least
/// that of every other type it names explicitly (wildcards do not count: `*/*` alone is
/// what `fetch()` and most API clients send). Other methods keep the 401: a redirected
/// `POST` would turn into a `GET` of its target after login.
pub(crate) fn wants_html(parts: &Parts) -> bool {
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return false;
    }
    let mut html = 0.0_f32;
    let mut other = 0.0_f32;
    for value in parts.headers.get_all(ACCEPT) {
        let Ok(value) = value.to_str() else { return false };
        for entry in value.split(',').take(MAX_ACCEPT_ENTRIES) {
            let mut fields = entry.split(';');
            let media = fields.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = fields
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            match media.as_str() {
                "text/html" | "application/xhtml+xml" => html = html.max(quality),
                m if m.ends_with("/*") || m.is_empty() => {}
                _ => other = other.max(quality),
            }
        }
    }
    html > 0.0 && html >= other
}

/// The 303 to `login` carrying the request's path and query as `next`, or `None`
/// when the request is no page load or its target is too long to carry.
pub(crate) fn redirect(parts: &Parts, login: &str) -> Option<http::Response<Bytes>> {
    if !wants_html(parts) {
        return None;
    }
    let target = parts
        .extensions
        .get::<OriginalTarget>()
        .map_or(&parts.uri, |t| &t.0);
    let next = target.path_and_query().map_or("/", |pq| pq.as_str());
    let next = safe_next(next)?;
    let separator = if login.contains('?') { '&' } else { '?' };
    let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let location = HeaderValue::try_from(format!("{login}{separator}next={encoded}")).ok()?;
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = StatusCode::SEE_OTHER;
    let headers = response.headers_mut();
    headers.insert(LOCATION, location);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(VARY, HeaderValue::from_static("Accept"));
    Some(response)
}

/// What a route's `#[auth(...)]` sets beside its schemes: a login page to redirect
/// browsers to, a renderer of its own. The third type parameter of
/// [`Authenticated`](crate::Authenticated) and [`MaybeAuthenticated`](crate::MaybeAuthenticated);
/// `()` is none of them (the global renderer, 401 for everyone).
///
/// ```
/// use portcullis::RouteOptions;
/// assert!(<() as RouteOptions>::redirect().is_none());
/// ```
pub trait RouteOptions: Send + Sync + 'static {
    /// The login page (a same-origin path) browsers are redirected to instead of a 401.
    fn redirect() -> Option<String>;
    /// The route's renderer's response to `rejection`, `None` for the global one.
    fn render(rejection: &Rejection) -> Option<http::Response<Bytes>>;
}

impl RouteOptions for () {
    fn redirect() -> Option<String> {
        None
    }
    fn render(_: &Rejection) -> Option<http::Response<Bytes>> {
        None
    }
}

/// The options `#[auth]` writes: `R` the renderer (a type implementing
/// [`ErrorRenderer`] and `Default`, or [`GlobalRenderer`]), `P` the login path spelt as
/// a list of characters ([`PathChar`] ... [`PathEnd`], or [`NoRedirect`]): a type, so
/// that associated functions can be handlers too (no item is generated beside them).
#[doc(hidden)]
pub struct Route<R, P>(PhantomData<fn() -> (R, P)>);

/// No route renderer: the gate's.
#[doc(hidden)]
pub struct GlobalRenderer;

/// No redirect.
#[doc(hidden)]
pub struct NoRedirect;

/// One character of the login path, then the rest.
#[doc(hidden)]
pub struct PathChar<const C: char, Rest>(PhantomData<fn() -> Rest>);

/// The end of the login path.
#[doc(hidden)]
pub struct PathEnd;

/// A renderer slot of [`Route`].
#[doc(hidden)]
pub trait RendererSlot: 'static {
    /// The response, `None` for the global renderer.
    fn render(rejection: &Rejection) -> Option<http::Response<Bytes>>;
}

impl RendererSlot for GlobalRenderer {
    fn render(_: &Rejection) -> Option<http::Response<Bytes>> {
        None
    }
}

impl<R: ErrorRenderer + Default> RendererSlot for R {
    fn render(rejection: &Rejection) -> Option<http::Response<Bytes>> {
        Some(R::default().render(rejection))
    }
}

/// A redirect slot of [`Route`].
#[doc(hidden)]
pub trait RedirectSlot: 'static {
    /// Appends the path's characters; `false` when there is no redirect.
    fn write(out: &mut String) -> bool;
}

impl RedirectSlot for NoRedirect {
    fn write(_: &mut String) -> bool {
        false
    }
}

impl RedirectSlot for PathEnd {
    fn write(_: &mut String) -> bool {
        true
    }
}

impl<const C: char, Rest: RedirectSlot> RedirectSlot for PathChar<C, Rest> {
    fn write(out: &mut String) -> bool {
        out.push(C);
        Rest::write(out)
    }
}

impl<R: RendererSlot, P: RedirectSlot> RouteOptions for Route<R, P> {
    fn redirect() -> Option<String> {
        let mut path = String::new();
        P::write(&mut path).then_some(path)
    }
    fn render(rejection: &Rejection) -> Option<http::Response<Bytes>> {
        R::render(rejection)
    }
}

/// Checks at compile time that a `renderer = Type` names a renderer `Route` can build.
#[doc(hidden)]
pub fn route_renderer<R: ErrorRenderer + Default>() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(method: Method, accept: &str, uri: &str) -> Parts {
        let (parts, ()) = http::Request::builder()
            .method(method)
            .uri(uri)
            .header(ACCEPT, accept)
            .body(())
            .unwrap()
            .into_parts();
        parts
    }

    #[test]
    fn page_loads_prefer_html() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(wants_html(&parts(Method::GET, browser, "/")));
        assert!(wants_html(&parts(Method::HEAD, "text/html", "/")));
        for accept in [
            "*/*",
            "application/json",
            "text/html;q=0.5, application/json",
            "text/html;q=0",
            "",
        ] {
            assert!(!wants_html(&parts(Method::GET, accept, "/")), "{accept}");
        }
        assert!(!wants_html(&parts(Method::POST, browser, "/")));
    }

    #[test]
    fn the_redirect_carries_the_target() {
        let response = redirect(&parts(Method::GET, "text/html", "/posts?page=2"), "/login").unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[LOCATION], "/login?next=%2Fposts%3Fpage%3D2");
        let response = redirect(&parts(Method::GET, "text/html", "/a"), "/login?lang=en").unwrap();
        assert_eq!(response.headers()[LOCATION], "/login?lang=en&next=%2Fa");
    }

    #[test]
    fn route_options_spell_the_path() {
        type Login = PathChar<'/', PathChar<'l', PathEnd>>;
        assert_eq!(<Route<GlobalRenderer, Login>>::redirect().as_deref(), Some("/l"));
        assert_eq!(<Route<GlobalRenderer, NoRedirect>>::redirect(), None);
    }
}
