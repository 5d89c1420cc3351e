//! `POST /users/{id}/change_username`: a user renames their own account, or an
//! administrator another's (the `username.changed` audit event names both).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use serde::Deserialize;

use super::*;

#[derive(Deserialize)]
pub(super) struct RenameForm {
    username: String,
}

pub(super) async fn change_username<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    axum::Extension(config): Config<U>,
    user: Authenticated<U, JwtOnly>,
    Path(target): Path<String>,
    parts: Parts,
    body: Result<Json<RenameForm>, JsonRejection>,
) -> Response {
    let form = input!(auth, body);
    let not_found = || {
        problem(
            &auth,
            StatusCode::NOT_FOUND,
            "not_found",
            "the user does not exist",
        )
    };
    // 404 before 403: the resource must exist before ownership is judged.
    let Ok(target) = target.parse::<U::Id>() else {
        return not_found();
    };
    let current = match auth.users().find_by_id(&target).await {
        Ok(Some(current)) => current,
        Ok(None) => return not_found(),
        Err(e) => return store_down(&auth, &e),
    };
    if let Some(refused) = local_account_only(&user) {
        return refused;
    }
    if *user.user.id() != target && !user.user.has_role(&config.shared.admin_role) {
        let denied = AuthError::Denied {
            scheme: user.info.scheme(),
            requirement: "owner or admin",
        };
        return user.refuse(denied).into_response();
    }
    if !valid_username(&form.username) {
        return problem(
            &auth,
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "the user name needs 3 to 32 letters, digits, '_', '.' or '-'",
        );
    }
    if current.name() == Some(form.username.as_str()) {
        return problem(
            &auth,
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "the new user name is the current one",
        );
    }
    match config.shared.registrar.rename(&target, &form.username).await {
        Ok(Rename::Renamed(renamed)) => {
            Record::new(Event::UsernameChanged, &auth.origin(&parts))
                .user(renamed.id())
                .actor(user.user.id())
                .emit();
            Json(json!({ "id": renamed.id(), "username": renamed.name() })).into_response()
        }
        Ok(Rename::Taken) => problem(&auth, StatusCode::CONFLICT, "conflict", "the user name is taken"),
        Ok(Rename::NotFound) => not_found(),
        Err(e) => store_down(&auth, &e),
    }
}
