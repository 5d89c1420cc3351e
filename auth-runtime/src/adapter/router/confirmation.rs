//! The e-mail confirmation routes of the auth router (AuthX's flow): the status, a
//! request for a mail (once a minute), and the single-use link (`links.rs`).

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use serde_json::json;

use super::links::{NotSent, Purpose, mail_link, take_link};
use super::{Config, JwtOnly, RouterState, local_account_only, problem, refuse, store_down};
use crate::audit::{Event, Record};
use crate::gate::Portcullis;
use crate::guard::Authenticated;
use crate::user::AuthUser;

pub(super) async fn confirm_status<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    axum::Extension(config): Config<U>,
    user: Authenticated<U, JwtOnly>,
) -> Response {
    if let Some(refused) = local_account_only(&user) {
        return refused;
    }
    match config.shared.registrar.email(user.user.id()).await {
        Ok(Some(status)) => {
            Json(json!({ "email": status.email, "confirmed": status.confirmed })).into_response()
        }
        Ok(None) => problem(
            &auth,
            StatusCode::NOT_FOUND,
            "not_found",
            "the user does not exist",
        ),
        Err(e) => store_down(&auth, &e),
    }
}

pub(super) async fn confirm_request<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    axum::Extension(config): Config<U>,
    user: Authenticated<U, JwtOnly>,
) -> Response {
    if let Some(refused) = local_account_only(&user) {
        return refused;
    }
    let id = user.user.id();
    let status = match config.shared.registrar.email(id).await {
        Ok(Some(status)) => status,
        Ok(None) => {
            return problem(
                &auth,
                StatusCode::NOT_FOUND,
                "not_found",
                "the user does not exist",
            );
        }
        Err(e) => return store_down(&auth, &e),
    };
    if status.confirmed {
        return problem(
            &auth,
            StatusCode::BAD_REQUEST,
            "already_confirmed",
            "the e-mail address is already confirmed",
        );
    }
    let allowance = format!("confirm-request:{id}");
    if let Err(e) = auth.once_per(&allowance, Duration::from_secs(60)).await {
        return refuse::<U, JwtOnly>(&auth, e);
    }
    let user_id = id.to_string();
    let username = user.user.name().unwrap_or_default();
    match send_confirmation(&auth, &config, (&user_id, username), &status.email).await {
        Ok(()) => (StatusCode::ACCEPTED, Json(json!({ "sent": true }))).into_response(),
        Err(response) => {
            // Nothing was sent: the client may ask again at once.
            if let Err(e) = auth.give_back(&allowance).await {
                return refuse::<U, JwtOnly>(&auth, e);
            }
            *response
        }
    }
}

/// Stores a new single-use confirmation link for `user_id` and mails it.
async fn send_confirmation<U: AuthUser>(
    auth: &Portcullis<U>,
    config: &RouterState<U>,
    user: (&str, &str),
    email: &str,
) -> Result<(), Box<Response>> {
    let shared = &config.shared;
    let prefix = shared.confirm_link_prefix();
    let link = (Purpose::Confirmation, prefix.as_str(), shared.confirm_ttl);
    mail_link(auth, config, link, user, email, &shared.templates.confirmation)
        .await
        .map_err(|e| {
            Box::new(match e {
                NotSent::Auth(e) => refuse::<U, JwtOnly>(auth, e),
                NotSent::Store(e) => store_down(auth, &e),
            })
        })
}

pub(super) async fn confirm<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    axum::Extension(config): Config<U>,
    Path(token): Path<String>,
    parts: Parts,
) -> Response {
    let refused = || {
        problem(
            &auth,
            StatusCode::FORBIDDEN,
            "forbidden",
            "the confirmation link is unknown, used or expired",
        )
    };
    let ttl = config.shared.confirm_ttl;
    let taken = match take_link(&auth, Purpose::Confirmation, &token, ttl).await {
        Ok(Some(taken)) => taken,
        Ok(None) => return refused(),
        Err(e) => return store_down(&auth, &e),
    };
    let Ok(id) = taken.user_id.parse::<U::Id>() else {
        return refused();
    };
    match config.shared.registrar.confirm_email(&id).await {
        Ok(()) => {
            Record::new(Event::EmailConfirmed, &auth.origin(&parts))
                .user(&id)
                .emit();
            Json(json!({ "confirmed": true })).into_response()
        }
        Err(e) => {
            // Not confirmed: put the link back so that the user can retry it.
            taken.put_back(&auth, ttl).await;
            store_down(&auth, &e)
        }
    }
}
