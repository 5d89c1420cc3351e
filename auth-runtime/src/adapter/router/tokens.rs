//! The token routes of the auth router — login, refresh, logout — and the sign-in
//! answer they share with registration: the pair as JSON, or, with
//! [`TokenCookies`](crate::TokenCookies), in two `HttpOnly` cookies beside
//! `{csrf_token, expires_in}`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, SET_COOKIE};
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Config, JwtOnly, local_account_only, password, problem, refuse};
use crate::error::AuthError;
use crate::gate::Portcullis;
use crate::guard::Authenticated;
use crate::scheme::Scheme;
use crate::tokens::TokenPair;
use crate::user::AuthUser;

/// A signed-in answer: the JSON fields and the cookies to set.
pub(super) struct SignedIn {
    pub(super) fields: Map<String, Value>,
    cookies: Vec<HeaderValue>,
}

impl SignedIn {
    /// The answer with `status`, the fields and the cookies.
    pub(super) fn respond(self, status: StatusCode) -> Response {
        let mut response = (status, Json(Value::Object(self.fields))).into_response();
        for cookie in self.cookies {
            response.headers_mut().append(SET_COOKIE, cookie);
        }
        response
    }
}

/// The pair as the client gets it: its JSON fields, or in cookies (with the CSRF token).
fn deliver<U: AuthUser>(auth: &Portcullis<U>, pair: TokenPair, csrf: Option<String>) -> SignedIn {
    match (auth.token_cookies(), csrf) {
        (Some(cookies), Some(csrf)) => {
            let access = cookies.access_header(&pair.access_token, pair.expires_in);
            let refresh = cookies.refresh_header(&pair.refresh_token, auth.refresh_cookie_age());
            let fields = json!({ "csrf_token": csrf, "expires_in": pair.expires_in });
            SignedIn {
                fields: fields.as_object().cloned().unwrap_or_default(),
                cookies: vec![access, refresh],
            }
        }
        _ => {
            let fields = serde_json::to_value(&pair).unwrap_or_default();
            SignedIn {
                fields: fields.as_object().cloned().unwrap_or_default(),
                cookies: Vec::new(),
            }
        }
    }
}

/// Issues a pair for `user` (after a login or a registration), for cookies when
/// token cookies are on.
pub(super) async fn sign_in<U: AuthUser>(auth: &Portcullis<U>, user: &U) -> Result<SignedIn, AuthError> {
    if auth.token_cookies().is_some() {
        let (pair, csrf) = auth.issue_cookie_tokens(user).await?;
        return Ok(deliver(auth, pair, Some(csrf)));
    }
    let pair = auth.issue_tokens(user, None).await?;
    Ok(deliver(auth, pair, None))
}

#[derive(Deserialize)]
pub(super) struct Credentials {
    pub(super) username: String,
    pub(super) password: String,
}

/// A password login for `scheme` (`username` may be a user name or an e-mail address,
/// `UserStore::find_by_email`); a legacy or outdated hash is upgraded on success.
pub(super) async fn password_login<U: AuthUser>(
    auth: &Portcullis<U>,
    config: &super::RouterState<U>,
    parts: &Parts,
    scheme: Scheme,
    form: Credentials,
) -> Result<U, AuthError> {
    let origin = auth.origin(parts);
    let logged_in = auth
        .login_from(&origin, Some(scheme), &form.username, &form.password)
        .await?;
    if logged_in.needs_rehash {
        password::upgrade_hash(auth, config, &logged_in.user, form.password).await;
    }
    Ok(logged_in.user)
}

pub(super) async fn login<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    axum::Extension(config): Config<U>,
    parts: Parts,
    body: Result<Json<Credentials>, JsonRejection>,
) -> Response {
    let form = input!(auth, body);
    let user = match password_login(&auth, &config, &parts, Scheme::JWT, form).await {
        Ok(user) => user,
        Err(e) => return refuse::<U, JwtOnly>(&auth, e),
    };
    match sign_in(&auth, &user).await {
        Ok(signed_in) => signed_in.respond(StatusCode::OK),
        Err(e) => refuse::<U, JwtOnly>(&auth, e),
    }
}

#[derive(Deserialize)]
struct RefreshForm {
    refresh_token: Option<String>,
}

/// The JSON body of `request`, or `None` when it has no `Content-Type` and `lenient`
/// (a request of a cookie client may have no body at all).
async fn optional_form<T: serde::de::DeserializeOwned>(
    parts: &Parts,
    request: Request,
    lenient: bool,
) -> Result<Option<T>, JsonRejection> {
    if lenient && !parts.headers.contains_key(CONTENT_TYPE) {
        return Ok(None);
    }
    Json::<T>::from_request(request, &())
        .await
        .map(|Json(form)| Some(form))
}

fn invalid_body<U: AuthUser>(auth: &Portcullis<U>, rejection: &JsonRejection) -> Response {
    problem(
        auth,
        StatusCode::BAD_REQUEST,
        "invalid_input",
        &rejection.body_text(),
    )
}

/// The refresh token comes in the body (the answer is then JSON) or, with token
/// cookies, in the refresh cookie (the answer sets both cookies again; the request
/// must be same-site and carry the family's `X-CSRF-Token`).
pub(super) async fn refresh<U: AuthUser>(State(auth): State<Portcullis<U>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let from_cookie = match auth.token_cookies().map(|c| c.refresh_from(&parts.headers)) {
        Some(Ok(token)) => token,
        Some(Err(e)) => return refuse::<U, JwtOnly>(&auth, e),
        None => None,
    };
    let request = Request::from_parts(parts.clone(), body);
    let form: Option<RefreshForm> = match optional_form(&parts, request, from_cookie.is_some()).await {
        Ok(form) => form,
        Err(rejection) => return invalid_body(&auth, &rejection),
    };
    let origin = auth.origin(&parts);
    match (form.and_then(|f| f.refresh_token), from_cookie) {
        (Some(token), _) => match auth.refresh_tokens_from(&origin, &token).await {
            Ok((_, pair)) => Json(pair).into_response(),
            Err(e) => refuse::<U, JwtOnly>(&auth, e),
        },
        (None, Some(token)) => match auth.refresh_cookie_tokens(&parts, &token).await {
            Ok((_, pair, csrf)) => deliver(&auth, pair, Some(csrf)).respond(StatusCode::OK),
            Err(e) => refuse::<U, JwtOnly>(&auth, e),
        },
        (None, None) => problem(
            &auth,
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "send the refresh token as `refresh_token`",
        ),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    refresh_token: Option<String>,
}

/// Revokes the access token's family (and the body's refresh token's); with token
/// cookies the body may be left out and both cookies are cleared.
pub(super) async fn logout<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    user: Authenticated<U, JwtOnly>,
    request: Request,
) -> Response {
    if let Some(refused) = local_account_only(&user) {
        return refused;
    }
    let (parts, body) = request.into_parts();
    let cookies = auth.token_cookies();
    let request = Request::from_parts(parts.clone(), body);
    let form: Option<LogoutForm> = match optional_form(&parts, request, cookies.is_some()).await {
        Ok(form) => form,
        Err(rejection) => return invalid_body(&auth, &rejection),
    };
    let origin = auth.origin(&parts);
    let refresh_token = form.as_ref().and_then(|f| f.refresh_token.as_deref());
    if let Err(e) = auth
        .logout_from(&origin, Some(user.user.id()), refresh_token, &user.info)
        .await
    {
        return refuse::<U, JwtOnly>(&auth, e);
    }
    clear_cookies(&auth, StatusCode::NO_CONTENT.into_response())
}

/// `response` with the `Set-Cookie`s that clear both token cookies (`Max-Age=0`), when
/// token cookies are on.
pub(super) fn clear_cookies<U: AuthUser>(auth: &Portcullis<U>, mut response: Response) -> Response {
    if let Some(cookies) = auth.token_cookies() {
        let headers = response.headers_mut();
        headers.append(SET_COOKIE, cookies.access_header("", 0));
        headers.append(SET_COOKIE, cookies.refresh_header("", 0));
    }
    response
}
