//! Resources for `owner(...)` checks loaded by their `Resource` implementation: a
//! `#[resource] note: Note` parameter is fetched from the app state by the id in the path;
//! the answers come in the order 401 → 404 (missing) → 403 (someone else's), a failing
//! store answers 503, all through the gate's renderer, and the body receives `Note`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use portcullis::{
    Algorithm, AuthUser, InMemoryUserStore, JwtConfig, JwtKey, Portcullis, Resource, StoreError, auth,
    require,
};
use serde_json::{Value, json};

use crate::support::{AUDIENCE, ISSUER, Reply, RequestExt, SECRET, bearer, claims, hs256, req, send};

#[derive(Debug, Clone, AuthUser)]
struct Writer {
    #[auth_user(id)]
    id: i64,
}

const ANN: i64 = 1;
const BOB: i64 = 2;

#[derive(Debug, Clone)]
struct Note {
    id: i64,
    author_id: i64,
    text: String,
}

/// The notes "database": note 7 by ann, note 8 by bob; `down` makes every load fail.
#[derive(Clone, Default)]
struct Notes {
    down: Arc<AtomicBool>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<Writer>,
    notes: Notes,
}

impl Resource<AppState> for Note {
    type Id = i64;

    async fn load(id: i64, state: &AppState) -> Result<Option<Note>, StoreError> {
        if state.notes.down.load(Ordering::SeqCst) {
            return Err(StoreError::new("notes database unreachable"));
        }
        Ok(match id {
            7 => Some(Note {
                id,
                author_id: ANN,
                text: "ann's note".into(),
            }),
            8 => Some(Note {
                id,
                author_id: BOB,
                text: "bob's note".into(),
            }),
            _ => None,
        })
    }
}

/// The body gets the `Note` itself.
#[auth(jwt)]
#[require(owner(note.author_id))]
async fn read_note(user: Writer, #[resource] note: Note) -> Json<Value> {
    Json(json!({"user": user.id, "note": note.id, "text": note.text}))
}

/// The same check, but someone else's note reads like a missing one (404).
#[auth(jwt, hide_existence)]
#[require(owner(note.author_id))]
async fn read_note_hidden(user: Writer, #[resource] note: Note) -> Json<Value> {
    Json(json!({"user": user.id, "note": note.id, "text": note.text}))
}

fn app() -> (Router, Notes) {
    let users = InMemoryUserStore::new();
    users.insert(Writer { id: ANN });
    users.insert(Writer { id: BOB });
    let auth = Portcullis::builder(users)
        .jwt(
            JwtConfig::new()
                .key(JwtKey::hmac(SECRET, Algorithm::HS256))
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .build()
        .unwrap();
    let notes = Notes::default();
    let router = Router::new()
        .route("/notes/{id}", get(read_note))
        .route("/hidden/{id}", get(read_note_hidden))
        .with_state(AppState {
            auth,
            notes: notes.clone(),
        });
    (router, notes)
}

async fn get_as(app: &Router, uri: &str, sub: i64) -> Reply {
    send(app, bearer(uri, &hs256(&claims(&sub.to_string())))).await
}

#[track_caller]
fn assert_json(r: &Reply, status: StatusCode, body: Value) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.body, body);
}

#[tokio::test]
async fn the_owner_gets_the_loaded_resource() {
    let (app, _) = app();
    let r = get_as(&app, "/notes/7", ANN).await;
    assert_json(
        &r,
        StatusCode::OK,
        json!({"user": ANN, "note": 7, "text": "ann's note"}),
    );
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
}

#[tokio::test]
async fn without_credentials_401_comes_first_even_for_a_missing_resource() {
    let (app, _) = app();
    for uri in ["/notes/7", "/notes/99"] {
        let r = send(&app, req(uri).empty()).await;
        assert_json(
            &r,
            StatusCode::UNAUTHORIZED,
            json!({"error": "missing_credentials", "message": "authentication required: send credentials for one of: jwt"}),
        );
        assert_eq!(r.challenges(), [r#"Bearer realm="api""#]);
    }
}

#[tokio::test]
async fn a_missing_resource_is_404_before_any_403() {
    let (app, _) = app();
    // bob owns nothing with id 99 and nobody does: 404, not 403.
    let r = get_as(&app, "/notes/99", BOB).await;
    assert_json(
        &r,
        StatusCode::NOT_FOUND,
        json!({"error": "not_found", "message": "the resource does not exist"}),
    );
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
}

#[tokio::test]
async fn another_users_resource_is_403() {
    let (app, _) = app();
    let r = get_as(&app, "/notes/7", BOB).await;
    assert_json(
        &r,
        StatusCode::FORBIDDEN,
        json!({"error": "forbidden", "message": "missing requirement: owner(note.author_id)"}),
    );
    assert_eq!(
        r.challenges(),
        [r#"Bearer realm="api", error="insufficient_scope""#]
    );
}

#[tokio::test]
async fn a_failing_store_is_503_never_let_in() {
    let (app, notes) = app();
    notes.down.store(true, Ordering::SeqCst);
    let r = get_as(&app, "/notes/7", ANN).await;
    assert_json(
        &r,
        StatusCode::SERVICE_UNAVAILABLE,
        json!({"error": "temporarily_unavailable", "message": "authentication is temporarily unavailable, try again later"}),
    );
    assert_eq!(r.header("retry-after"), "1");
    // Still after authentication.
    let r = send(&app, req("/notes/7").empty()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// `hide_existence`: someone else's note and a missing note get the same 404 answer, so
/// ids cannot be probed; the owner still gets it, and no credentials are still 401.
#[tokio::test]
async fn hide_existence_answers_a_denial_like_a_missing_resource() {
    let (app, _) = app();
    let someone_elses = get_as(&app, "/hidden/8", ANN).await;
    let missing = get_as(&app, "/hidden/99", ANN).await;
    assert_eq!(
        someone_elses.status,
        StatusCode::NOT_FOUND,
        "{:?}",
        someone_elses.body
    );
    assert_eq!(someone_elses.body, missing.body);
    assert_eq!(someone_elses.body["error"], "not_found");
    assert_eq!(someone_elses.challenges(), missing.challenges());
    assert!(someone_elses.challenges().is_empty());
    let mine = get_as(&app, "/hidden/7", ANN).await;
    assert_json(
        &mine,
        StatusCode::OK,
        json!({"user": ANN, "note": 7, "text": "ann's note"}),
    );
    let r = send(&app, req("/hidden/8").empty()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Without the option, the same request is a 403.
    let r = get_as(&app, "/notes/8", ANN).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
