//! The administrator's routes of the auth router: disabling an account (every
//! credential of it ends at once) and enabling it again.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use super::{Config, JwtOnly, problem, refuse, store_down};
use crate::audit::{Event, Record};
use crate::error::AuthError;
use crate::gate::Portcullis;
use crate::guard::Authenticated;
use crate::user::AuthUser;

/// `POST /users/{id}/disable`: the account becomes inactive (the application's
/// `Registrar::set_active`) and every access token, refresh family and session of it
/// issued until now is revoked; its API keys and anything not revoked are refused with
/// 403 because the user store now reports it inactive.
pub(super) async fn disable<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    config: Config<U>,
    admin: Authenticated<U, JwtOnly>,
    Path(target): Path<String>,
    parts: Parts,
) -> Response {
    set_active(&auth, config, admin, &target, &parts, false).await
}

/// `POST /users/{id}/enable`: the account may log in again; credentials revoked
/// when it was disabled stay revoked.
pub(super) async fn enable<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    config: Config<U>,
    admin: Authenticated<U, JwtOnly>,
    Path(target): Path<String>,
    parts: Parts,
) -> Response {
    set_active(&auth, config, admin, &target, &parts, true).await
}

/// 403 for a caller without the admin role (before anything about the target is
/// told), 404 for an unknown user, else 204.
async fn set_active<U: AuthUser>(
    auth: &Portcullis<U>,
    axum::Extension(config): Config<U>,
    admin: Authenticated<U, JwtOnly>,
    target: &str,
    parts: &Parts,
    active: bool,
) -> Response {
    if !admin.user.has_role(&config.shared.admin_role) {
        let denied = AuthError::Denied {
            scheme: admin.info.scheme(),
            requirement: "the admin role",
        };
        return admin.refuse(denied).into_response();
    }
    let not_found = || {
        problem(
            auth,
            StatusCode::NOT_FOUND,
            "not_found",
            "the user does not exist",
        )
    };
    let Ok(id) = target.parse::<U::Id>() else {
        return not_found();
    };
    match config.shared.registrar.set_active(&id, active).await {
        Ok(true) => {}
        Ok(false) => return not_found(),
        Err(e) => return store_down(auth, &e),
    }
    let origin = auth.origin(parts);
    // Inactive first: should the revocation fail (503, the admin retries), the
    // account's credentials are refused already by the user-store lookup.
    if !active && let Err(e) = auth.revoke_user_credentials_from(&origin, &id).await {
        return refuse::<U, JwtOnly>(auth, e);
    }
    let event = if active {
        Event::UserEnabled
    } else {
        Event::UserDisabled
    };
    Record::new(event, &origin)
        .user(&id)
        .actor(admin.user.id())
        .emit();
    StatusCode::NO_CONTENT.into_response()
}
