//! The password routes of the auth router: a change by the signed-in user (the
//! current password required, every other credential revoked, fresh ones for the
//! caller), a reset by a mailed single-use link (`links.rs`) without user enumeration,
//! and the upgrade of a legacy or outdated hash after a login.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::request::Parts;
use http::{StatusCode, header};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::links::{NotSent, Purpose, mail_link, take_link};
use super::{Config, JwtOrSession, RouterState, local_account_only, problem, refuse, store_down};
use crate::accounts::{WEAK_PASSWORD, valid_email, valid_password};
use crate::audit::{Event, Origin, Record};
use crate::error::AuthError;
use crate::gate::Portcullis;
use crate::guard::Authenticated;
use crate::scheme::Scheme;
use crate::user::AuthUser;

/// Reset mails being looked up and sent at once; past it, `POST /auth/password/reset`
/// answers 503 (whatever the address).
pub(super) const MAX_PENDING_RESET_MAILS: usize = 64;

fn weak_password<U: AuthUser>(auth: &Portcullis<U>) -> Response {
    problem(auth, StatusCode::BAD_REQUEST, "invalid_input", WEAK_PASSWORD)
}

#[derive(Deserialize)]
pub(super) struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// `POST /auth/password`: the current password is checked like a login (401, counted
/// toward the lock-out, 429), the new one follows the registration rule (400). Then
/// every credential of the user issued until now is revoked *before* the new hash is
/// stored (a failure leaves either nothing changed or everyone signed out with the
/// old password: never the new password beside live old sessions), and the caller
/// gets fresh credentials of the scheme it used.
pub(super) async fn change_password<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    axum::Extension(config): Config<U>,
    user: Authenticated<U, JwtOrSession>,
    parts: Parts,
    body: Result<Json<PasswordChange>, JsonRejection>,
) -> Response {
    if let Some(refused) = local_account_only(&user) {
        return refused;
    }
    let form = input!(auth, body);
    if !valid_password(&form.new_password) {
        return weak_password(&auth);
    }
    let origin = auth.origin(&parts);
    let scheme = user.info.scheme();
    let id = user.user.id();
    if let Err(e) = auth
        .check_password_of(&origin, scheme, &user.user, &form.current_password)
        .await
    {
        return refuse::<U, JwtOrSession>(&auth, e);
    }
    let hash = match auth.hash_new_password(form.new_password).await {
        Ok(hash) => hash,
        Err(e) => return auth.refuse(e, &[]).into_response(),
    };
    if let Err(e) = auth.revoke_user_credentials_from(&origin, id).await {
        return refuse::<U, JwtOrSession>(&auth, e);
    }
    if let Err(e) = config.shared.registrar.set_password_hash(id, &hash).await {
        return store_down(&auth, &e);
    }
    Record::new(Event::PasswordChanged, &origin)
        .scheme(Some(scheme))
        .user(id)
        .emit();
    if scheme == Scheme::SESSION {
        // A new session id (the old session is destroyed first, and revoked anyway).
        match auth.start_session(&parts, &user.user).await {
            Ok(session) => (
                [(header::SET_COOKIE, session.set_cookie)],
                Json(json!({ "csrf_token": session.csrf_token })),
            )
                .into_response(),
            Err(e) => refuse::<U, JwtOrSession>(&auth, e),
        }
    } else {
        match auth.issue_tokens(&user.user, None).await {
            Ok(pair) => Json(pair).into_response(),
            Err(e) => refuse::<U, JwtOrSession>(&auth, e),
        }
    }
}

#[derive(Deserialize)]
pub(super) struct ResetRequest {
    email: String,
}

/// `POST /auth/password/reset`: the same 202 for every well-formed address, at once.
/// Only the address's allowance (one request a minute, 429) and the bound on mails
/// in flight (503) are decided in the request, and neither depends on whether the
/// address has an account; the lookup, the link and the mail happen after the answer,
/// so their time tells nothing either.
pub(super) async fn reset_request<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    axum::Extension(config): Config<U>,
    parts: Parts,
    body: Result<Json<ResetRequest>, JsonRejection>,
) -> Response {
    let form = input!(auth, body);
    if !valid_email(&form.email) {
        return problem(
            &auth,
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "the e-mail address is not valid",
        );
    }
    let address = URL_SAFE_NO_PAD.encode(Sha256::digest(form.email.to_lowercase().as_bytes()));
    let allowance = format!("reset-request:{address}");
    if let Err(e) = auth.once_per(&allowance, Duration::from_secs(60)).await {
        return auth.refuse(e, &[]).into_response();
    }
    let Ok(slot) = Arc::clone(&config.shared.reset_mails).try_acquire_owned() else {
        tracing::warn!("password-reset mails saturated: 503");
        return auth.refuse(AuthError::Unavailable, &[]).into_response();
    };
    let origin = auth.origin(&parts);
    tokio::spawn(async move {
        let _slot = slot;
        send_reset(&auth, &config, &form.email, &origin).await;
    });
    (StatusCode::ACCEPTED, Json(json!({ "accepted": true }))).into_response()
}

/// Mails a reset link to the account of `email`, if there is one that may log in with
/// a password; to the address the account has on record. Failures are logged.
async fn send_reset<U: AuthUser>(
    auth: &Portcullis<U>,
    config: &RouterState<U>,
    email: &str,
    origin: &Origin,
) {
    let shared = &config.shared;
    let found = match auth.users().find_by_email(email).await {
        Ok(found) => found,
        Err(e) => return tracing::warn!(error = %e, "password reset: application store unavailable"),
    };
    let Some(user) = found.filter(|u| u.is_active() && u.password_hash().is_some()) else {
        Record::new(Event::PasswordResetRequested, origin).emit();
        return;
    };
    let id = user.id();
    let to = match shared.registrar.email(id).await {
        Ok(Some(status)) => status.email,
        Ok(None) => return,
        Err(e) => {
            return tracing::warn!(user = %id, error = %e, "password reset: application store unavailable");
        }
    };
    let prefix = shared.reset_link_prefix();
    let link = (Purpose::PasswordReset, prefix.as_str(), shared.reset_ttl);
    let names = (&*id.to_string(), user.name().unwrap_or_default());
    match mail_link(auth, config, link, names, &to, &shared.templates.password_reset).await {
        Ok(()) => Record::new(Event::PasswordResetRequested, origin).user(id).emit(),
        Err(NotSent::Auth(e)) => tracing::warn!(user = %id, error = %e, "password reset: no link made"),
        Err(NotSent::Store(e)) => tracing::warn!(user = %id, error = %e, "password reset: link not mailed"),
    }
}

#[derive(Deserialize)]
pub(super) struct NewPassword {
    new_password: String,
}

/// `POST /auth/password/reset/{token}`: 400 for a weak password (the link is not
/// spent), 403 for an unknown, used or expired link (one answer for all three), else
/// the link is spent, every credential of the user revoked and the new hash stored:
/// 204. When revoking or storing fails, the link is put back for a retry (503).
pub(super) async fn reset_password<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    axum::Extension(config): Config<U>,
    Path(token): Path<String>,
    parts: Parts,
    body: Result<Json<NewPassword>, JsonRejection>,
) -> Response {
    let form = input!(auth, body);
    if !valid_password(&form.new_password) {
        return weak_password(&auth);
    }
    let refused = || {
        problem(
            &auth,
            StatusCode::FORBIDDEN,
            "forbidden",
            "the password-reset link is unknown, used or expired",
        )
    };
    let ttl = config.shared.reset_ttl;
    let taken = match take_link(&auth, Purpose::PasswordReset, &token, ttl).await {
        Ok(Some(taken)) => taken,
        Ok(None) => return refused(),
        Err(e) => return store_down(&auth, &e),
    };
    let Ok(id) = taken.user_id.parse::<U::Id>() else {
        return refused();
    };
    match auth.users().find_by_id(&id).await {
        Ok(Some(user)) if user.is_active() => {}
        Ok(_) => return refused(),
        Err(e) => {
            taken.put_back(&auth, ttl).await;
            return store_down(&auth, &e);
        }
    }
    let hash = match auth.hash_new_password(form.new_password).await {
        Ok(hash) => hash,
        Err(e) => {
            taken.put_back(&auth, ttl).await;
            return auth.refuse(e, &[]).into_response();
        }
    };
    let origin = auth.origin(&parts);
    if let Err(e) = auth.revoke_user_credentials_from(&origin, &id).await {
        taken.put_back(&auth, ttl).await;
        return auth.refuse(e, &[]).into_response();
    }
    if let Err(e) = config.shared.registrar.set_password_hash(&id, &hash).await {
        taken.put_back(&auth, ttl).await;
        return store_down(&auth, &e);
    }
    Record::new(Event::PasswordResetCompleted, &origin)
        .user(&id)
        .emit();
    StatusCode::NO_CONTENT.into_response()
}

/// After a login whose stored hash is a legacy one (bcrypt, scrypt, PBKDF2) or has
/// outdated argon2id parameters, and that the user store did not upgrade: the
/// password's argon2id hash is stored through [`Registrar::set_password_hash`]. A
/// failure is logged (without the password or a hash) and the login goes on.
///
/// [`Registrar::set_password_hash`]: crate::Registrar::set_password_hash
pub(super) async fn upgrade_hash<U: AuthUser>(
    auth: &Portcullis<U>,
    config: &RouterState<U>,
    user: &U,
    password: String,
) {
    let id = user.id();
    let hash = match auth.hash_new_password(password).await {
        Ok(hash) => hash,
        Err(e) => return tracing::warn!(user = %id, error = %e, "password hash upgrade skipped"),
    };
    match config.shared.registrar.set_password_hash(id, &hash).await {
        Ok(()) => tracing::info!(user = %id, "password hash upgraded to argon2id"),
        Err(e) => tracing::warn!(user = %id, error = %e, "password hash upgrade failed"),
    }
}
