//! HTML pages for browsers (issue 11 items 7 and 8), driven by the browser test
//! (`tests/e2e/browser.rs`, headless Chromium):
//!
//! * `GET /login?next=...`: a login form; it posts the credentials to the auth router's
//!   `POST /session/login` with `fetch()` (JSON, as that route takes), then goes to
//!   `next` — only when [`portcullis::safe_next`] accepts it (a same-origin path), else
//!   to `/pages/notes`;
//! * `GET /pages/notes`: a page behind `#[auth(session, redirect = "/login")]` (a page
//!   load without a session is sent to the login page with `next`), with a plain HTML
//!   form carrying the session's CSRF token in a hidden field, the same form without
//!   it, and a logout form (also a plain form with the token);
//! * `POST /pages/notes`: the form's target (the token is read from the body by
//!   `CsrfFormLayer`, installed on the whole router in `main.rs`).
//!
//! Refusals of these handlers are HTML pages (`renderer = HtmlRefusal`): status and
//! `WWW-Authenticate` are still the library's.

use axum::extract::{Form, Query, State};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use bytes::Bytes;
use portcullis::routing::{Routes, get};
use portcullis::{ErrorRenderer, Portcullis, Rejection, auth, public};
use serde::Deserialize;

use crate::AppState;
use crate::db::User;

/// Where the login page goes without a usable `next`.
const HOME: &str = "/pages/notes";

/// The pages' routes.
pub fn routes() -> Routes<AppState> {
    Routes::new()
        .route("/login", get(login_page))
        .route("/pages/notes", get(notes_page).post(save_note))
}

/// Text for HTML (element content and quoted attribute values).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}\n</body></html>\n",
        escape(title)
    )
}

/// Refusals of the pages as HTML.
#[derive(Default)]
pub struct HtmlRefusal;

impl ErrorRenderer for HtmlRefusal {
    fn render(&self, rejection: &Rejection) -> http::Response<Bytes> {
        let body = page(
            "Refused",
            &format!(
                "<h1 id=\"refused\">{}</h1>\n<p id=\"code\">{}</p>\n<p><a href=\"/login\">Log in</a></p>",
                escape(&rejection.message()),
                escape(rejection.code())
            ),
        );
        let mut response = http::Response::new(Bytes::from(body));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    }
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

/// The login form. `next` is checked here, when the page is written: the script only
/// reads the checked value from the form's `data-next`.
#[utoipa::path(get, path = "/login", tag = "pages", responses(
    (status = 200, description = "the HTML login page (`next`: where to go after the login, a path of this site)", content_type = "text/html"),
))]
#[public]
pub(crate) async fn login_page(Query(query): Query<LoginQuery>) -> Response {
    let next = query
        .next
        .as_deref()
        .and_then(portcullis::safe_next)
        .unwrap_or(HOME);
    let body = format!(
        r#"<h1>Log in</h1>
<form id="login" data-next="{next}">
  <label>User name <input name="username" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>
<p id="error" hidden></p>
<script>
document.getElementById("login").addEventListener("submit", async (event) => {{
  event.preventDefault();
  const form = event.target;
  const response = await fetch("/session/login", {{
    method: "POST",
    headers: {{ "content-type": "application/json" }},
    body: JSON.stringify({{ username: form.username.value, password: form.password.value }}),
  }});
  if (response.ok) {{
    location.assign(form.dataset.next);
  }} else {{
    const error = document.getElementById("error");
    error.textContent = "Login failed (" + response.status + ")";
    error.hidden = false;
  }}
}});
</script>"#,
        next = escape(next)
    );
    Html(page("Log in", &body)).into_response()
}

/// The protected page: a note form with the session's CSRF token, the same without,
/// and logout.
#[utoipa::path(get, path = "/pages/notes", tag = "pages", responses(
    (status = 200, description = "the notes page, with forms carrying the CSRF token", content_type = "text/html"),
    (status = 303, description = "a page load without a session: to `/login?next=...`"),
))]
#[auth(session, redirect = "/login", renderer = HtmlRefusal)]
pub(crate) async fn notes_page(user: User, State(auth): State<Portcullis<User>>, parts: Parts) -> Response {
    let token = match auth.session_csrf_token(&parts).await {
        Ok(Some(token)) => token,
        Ok(None) => return http::StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return auth.refuse(e, &[portcullis::Scheme::SESSION]).into_response(),
    };
    let token = escape(&token);
    let body = format!(
        r#"<h1 id="welcome">Notes of {name}</h1>
<form id="with-token" method="post" action="/pages/notes">
  <input type="hidden" name="csrf_token" value="{token}">
  <label>Note <input name="note"></label>
  <button type="submit">Save</button>
</form>
<form id="without-token" method="post" action="/pages/notes">
  <label>Note <input name="note"></label>
  <button type="submit">Save without the token</button>
</form>
<form id="logout" method="post" action="/session/logout">
  <input type="hidden" name="csrf_token" value="{token}">
  <button type="submit">Log out</button>
</form>"#,
        name = escape(&user.username),
    );
    Html(page("Notes", &body)).into_response()
}

#[derive(Deserialize)]
struct Note {
    note: String,
}

/// The form's target: reached only with the CSRF token (the session check read it
/// from the body through `CsrfFormLayer`).
#[utoipa::path(post, path = "/pages/notes", tag = "pages", responses(
    (status = 200, description = "the note was saved (a plain HTML form with the CSRF token in `csrf_token`)", content_type = "text/html"),
))]
#[auth(session, redirect = "/login", renderer = HtmlRefusal)]
pub(crate) async fn save_note(user: User, Form(form): Form<Note>) -> Html<String> {
    Html(page(
        "Saved",
        &format!(
            "<h1 id=\"saved\">Saved for {}: {}</h1>\n<p><a href=\"{HOME}\">Back</a></p>",
            escape(&user.username),
            escape(&form.note)
        ),
    ))
}
