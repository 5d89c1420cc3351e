//! The e-mail confirmation routes of the auth router (AuthX's flow): the status, a
//! request for a mail (once a minute), and the single-use link.

use std::time::{Duration, SystemTime};

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use http::request::Parts;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Config, JwtOnly, RouterState, local_account_only, problem, refuse, store_down};
use crate::audit::{Event, Record};
use crate::error::AuthError;
use crate::gate::Portcullis;
use crate::guard::Authenticated;
use crate::store::SessionRecord;
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

/// Confirmation tokens: 256 random bits, kept only as a hash in the single-use store
/// (apart from sessions, under their own hash domain), single use, expiring.
fn confirmation_key(token: &str) -> [u8; 32] {
    Sha256::digest(format!("portcullis e-mail confirmation\n{token}").as_bytes()).into()
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
    match send_confirmation(&auth, &config, &id.to_string(), &status.email).await {
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

/// Stores a new single-use token for `user_id` and mails its link.
async fn send_confirmation<U: AuthUser>(
    auth: &Portcullis<U>,
    config: &RouterState<U>,
    user_id: &str,
    email: &str,
) -> Result<(), Box<Response>> {
    let mut bytes = [0u8; 32];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        return Err(Box::new(refuse::<U, JwtOnly>(auth, AuthError::Unavailable)));
    }
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let record = SessionRecord {
        user_id: user_id.to_owned(),
        csrf_token: String::new(),
        created: SystemTime::now(),
    };
    let ttl = config.shared.confirm_ttl;
    if let Err(e) = auth
        .one_time_store()
        .create(&confirmation_key(&token), &record, ttl)
        .await
    {
        return Err(Box::new(store_down(auth, &e)));
    }
    let link = config.shared.confirm_link(&token);
    let minutes = ttl.as_secs() / 60;
    let body = format!("Confirm your e-mail address: {link}\nThe link works once, for {minutes} minutes.");
    config
        .shared
        .mailer
        .send(email, "Confirm your e-mail address", &body)
        .await
        .map_err(|e| Box::new(store_down(auth, &e)))
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
    if token.len() != 43 {
        return refused();
    }
    let key = confirmation_key(&token);
    let ttl = config.shared.confirm_ttl;
    let store = auth.one_time_store();
    // Single use, atomically: of two racing requests, one gets the record.
    let record = match store.take(&key, ttl).await {
        Ok(Some(record)) => record,
        Ok(None) => return refused(),
        Err(e) => return store_down(&auth, &e),
    };
    let Ok(id) = record.user_id.parse::<U::Id>() else {
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
            let left = ttl.saturating_sub(record.created.elapsed().unwrap_or_default());
            if !left.is_zero() {
                let _ = store.create(&key, &record, left).await;
            }
            store_down(&auth, &e)
        }
    }
}
