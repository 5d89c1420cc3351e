//! The session routes of the auth router: password login into a session, session
//! logout, and logout everywhere (any scheme).

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{StatusCode, header};
use serde_json::json;

use super::tokens::{self, Credentials};
use super::{Config, JwtOrSession, SessionOnly, local_account_only, problem, refuse};
use crate::audit::{Event, Record};
use crate::gate::Portcullis;
use crate::guard::Authenticated;
use crate::scheme::Scheme;
use crate::user::AuthUser;

/// Logout everywhere: every credential of the user issued until now ends.
pub(super) async fn logout_all<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    user: Authenticated<U, JwtOrSession>,
    parts: Parts,
) -> Response {
    if let Some(refused) = local_account_only(&user) {
        return refused;
    }
    let origin = auth.origin(&parts);
    if let Err(e) = auth.revoke_user_credentials_from(&origin, user.user.id()).await {
        return refuse::<U, JwtOrSession>(&auth, e);
    }
    if user.info.scheme() != Scheme::SESSION {
        // Token cookies, if any, are dead now: cleared like at logout.
        return tokens::clear_cookies(&auth, StatusCode::NO_CONTENT.into_response());
    }
    match auth.end_session_of(Some(user.user.id()), &parts).await {
        Ok(cleared) => (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response(),
        Err(e) => refuse::<U, JwtOrSession>(&auth, e),
    }
}

pub(super) async fn session_login<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    axum::Extension(config): Config<U>,
    parts: Parts,
    body: Result<Json<Credentials>, JsonRejection>,
) -> Response {
    let form = input!(auth, body);
    let user = match tokens::password_login(&auth, &config, &parts, Scheme::SESSION, form).await {
        Ok(user) => user,
        Err(e) => return refuse::<U, SessionOnly>(&auth, e),
    };
    match auth.start_session(&parts, &user).await {
        Ok(session) => (
            [(header::SET_COOKIE, session.set_cookie)],
            Json(json!({ "csrf_token": session.csrf_token })),
        )
            .into_response(),
        Err(e) => refuse::<U, SessionOnly>(&auth, e),
    }
}

pub(super) async fn session_logout<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    user: Authenticated<U, SessionOnly>,
    parts: Parts,
) -> Response {
    match auth.end_session_of(Some(user.user.id()), &parts).await {
        Ok(cleared) => {
            Record::new(Event::Logout, &auth.origin(&parts))
                .scheme(Some(Scheme::SESSION))
                .user(user.user.id())
                .emit();
            (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response()
        }
        Err(e) => refuse::<U, SessionOnly>(&auth, e),
    }
}
