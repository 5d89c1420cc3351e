//! "Revoke everything issued before T" over HTTP, written once over any stores:
//! `tests/it/lifecycle/cut_offs.rs` runs it on the in-memory stores,
//! `tests/services/redis_cut_offs.rs` on Redis. Each scenario takes a
//! [`PortcullisBuilder`] whose stores are already chosen, issues credentials through the
//! gate's public API and sends every request through an axum `Router`.

use axum::Router;
use axum::routing::get;
use http::header::COOKIE;
use http::{Request, StatusCode};
use portcullis::{Portcullis, PortcullisBuilder, SessionConfig, TokenPair, auth};

use super::app::{AppState, User};
use super::assertions::expect_error;
use super::requests::{bearer, req, send};
use super::tokens::issued_tokens;

#[auth(jwt, session)]
async fn me(user: User) -> String {
    user.username
}

/// The gate with issued tokens and development sessions, and `GET /me` under it.
fn app(builder: PortcullisBuilder<User>) -> (Portcullis<User>, Router) {
    let auth = builder
        .tokens(issued_tokens())
        .sessions(SessionConfig::new().development(true))
        .build()
        .expect("valid configuration");
    let router = Router::new()
        .route("/me", get(me))
        .with_state(AppState { auth: auth.clone() });
    (auth, router)
}

async fn user(auth: &Portcullis<User>, id: i64) -> User {
    auth.users().find_by_id(&id).await.unwrap().expect("a test user")
}

/// A session of `user`, as the `Cookie` header that carries it.
async fn session_of(auth: &Portcullis<User>, user: &User) -> String {
    let (parts, ()) = Request::post("/login").body(()).unwrap().into_parts();
    let session = auth.start_session(&parts, user).await.unwrap();
    let set_cookie = session.set_cookie.to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn status_with_token(router: &Router, pair: &TokenPair) -> StatusCode {
    send(router, bearer("/me", &pair.access_token)).await.status
}

async fn status_with_session(router: &Router, cookie: &str) -> StatusCode {
    let request = req("/me")
        .header(COOKIE, cookie)
        .body(Default::default())
        .unwrap();
    send(router, request).await.status
}

/// A user's cut-off ends their access tokens, refresh families and sessions issued
/// before it — on every request, with `401 invalid_token` — and nobody else's; what
/// is issued afterwards works.
pub async fn user_cut_off_ends_their_credentials(builder: PortcullisBuilder<User>) {
    let (auth, router) = app(builder);
    let (alice, bob) = (user(&auth, 1).await, user(&auth, 2).await);
    let first = auth.issue_tokens(&alice, None).await.unwrap();
    let second = auth.issue_tokens(&alice, Some("read")).await.unwrap();
    let session = session_of(&auth, &alice).await;
    let bobs = auth.issue_tokens(&bob, None).await.unwrap();
    let bobs_session = session_of(&auth, &bob).await;
    assert_eq!(status_with_token(&router, &first).await, StatusCode::OK);
    assert_eq!(status_with_session(&router, &session).await, StatusCode::OK);
    // A refreshed pair is still of the family started before the cut-off.
    let (_, refreshed) = auth.refresh_tokens(&second.refresh_token).await.unwrap();

    auth.revoke_user_credentials(&alice.id).await.unwrap();

    for pair in [&first, &second, &refreshed] {
        let refused = send(&router, bearer("/me", &pair.access_token)).await;
        expect_error(&refused, StatusCode::UNAUTHORIZED, "invalid_token");
    }
    assert_eq!(
        status_with_session(&router, &session).await,
        StatusCode::UNAUTHORIZED
    );
    for refresh in [&first.refresh_token, &refreshed.refresh_token] {
        let refused = auth.refresh_tokens(refresh).await.expect_err("refused");
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{refused}");
    }
    // Bob is untouched.
    assert_eq!(status_with_token(&router, &bobs).await, StatusCode::OK);
    assert_eq!(status_with_session(&router, &bobs_session).await, StatusCode::OK);
    // What Alice is issued from now on works, refreshes included.
    let fresh = auth.issue_tokens(&alice, None).await.unwrap();
    assert_eq!(status_with_token(&router, &fresh).await, StatusCode::OK);
    let (_, rotated) = auth.refresh_tokens(&fresh.refresh_token).await.unwrap();
    assert_eq!(status_with_token(&router, &rotated).await, StatusCode::OK);
    let new_session = session_of(&auth, &alice).await;
    assert_eq!(status_with_session(&router, &new_session).await, StatusCode::OK);
    // The old session stays gone (it was destroyed when refused).
    assert_eq!(
        status_with_session(&router, &session).await,
        StatusCode::UNAUTHORIZED
    );
}

/// The cut-off of every user (a key compromise) ends every credential issued before
/// it; what is issued afterwards works.
pub async fn global_cut_off_ends_every_credential(builder: PortcullisBuilder<User>) {
    let (auth, router) = app(builder);
    let (alice, bob) = (user(&auth, 1).await, user(&auth, 2).await);
    let alices = auth.issue_tokens(&alice, None).await.unwrap();
    let bobs = auth.issue_tokens(&bob, None).await.unwrap();
    let bobs_session = session_of(&auth, &bob).await;

    auth.revoke_all_credentials().await.unwrap();

    for pair in [&alices, &bobs] {
        let refused = send(&router, bearer("/me", &pair.access_token)).await;
        expect_error(&refused, StatusCode::UNAUTHORIZED, "invalid_token");
    }
    assert_eq!(
        status_with_session(&router, &bobs_session).await,
        StatusCode::UNAUTHORIZED
    );
    assert!(auth.refresh_tokens(&bobs.refresh_token).await.is_err());
    let fresh = auth.issue_tokens(&bob, None).await.unwrap();
    assert_eq!(status_with_token(&router, &fresh).await, StatusCode::OK);
    let new_session = session_of(&auth, &bob).await;
    assert_eq!(status_with_session(&router, &new_session).await, StatusCode::OK);
}
