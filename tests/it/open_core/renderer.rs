//! One failure path: the extractors' and the auth router's answers (400, 401, 409)
//! all go through the application's renderer; status and challenges stay imposed.

use std::sync::Mutex;

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::routing::get;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use portcullis::router::{AuthRouter, EmailStatus, Mailer, NewAccount, Registrar, Rename};
use portcullis::{ErrorRenderer, Portcullis, ProblemJsonRenderer, Rejection, StoreError, async_trait, auth};

use crate::support::{self, User};

/// An HTML renderer that also tries to turn every answer into 200 (it cannot).
struct Html;

impl ErrorRenderer for Html {
    fn render(&self, rejection: &Rejection) -> http::Response<Bytes> {
        let page = format!(
            "<h1>{} {}</h1><p>{}</p>",
            rejection.status().as_u16(),
            rejection.code(),
            rejection.message()
        );
        let mut response = http::Response::new(Bytes::from(page));
        *response.status_mut() = StatusCode::OK;
        response.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    }
}

/// Registration against the support users: names taken by them answer 409.
struct Users(Mutex<Vec<String>>);

#[async_trait]
impl Registrar<User> for Users {
    async fn register(&self, account: &NewAccount) -> Result<Option<User>, StoreError> {
        let mut names = self.0.lock().unwrap();
        if names.contains(&account.username) {
            return Ok(None);
        }
        names.push(account.username.clone());
        Ok(Some(User {
            id: 100 + names.len() as i64,
            username: account.username.clone(),
            roles: String::new(),
            password_hash: None,
            active: true,
        }))
    }
    async fn rename(&self, _: &i64, _: &str) -> Result<Rename<User>, StoreError> {
        Ok(Rename::NotFound)
    }
    async fn email(&self, _: &i64) -> Result<Option<EmailStatus>, StoreError> {
        Ok(None)
    }
    async fn confirm_email(&self, _: &i64) -> Result<(), StoreError> {
        Ok(())
    }
    async fn set_active(&self, _: &i64, _: bool) -> Result<bool, StoreError> {
        Ok(false)
    }
    async fn set_password_hash(&self, _: &i64, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

struct NoMail;

#[async_trait]
impl Mailer for NoMail {
    async fn send(&self, _: &str, _: &str, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

#[derive(Clone, FromRef)]
struct State {
    auth: Portcullis<User>,
}

#[auth(jwt)]
async fn me(user: User) -> String {
    user.username
}

fn app(renderer: impl ErrorRenderer) -> Router {
    let auth = Portcullis::builder(support::users())
        .jwt(support::jwt_config())
        .renderer(renderer)
        .build()
        .unwrap();
    let accounts = AuthRouter::new(Users(Mutex::new(vec!["alice".into()])), NoMail).routes();
    Router::new()
        .route("/mine", get(me))
        .merge(accounts)
        .with_state(State { auth })
}

fn register(body: &'static str) -> http::Request<Body> {
    support::req("/auth/register")
        .method("POST")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn a_malformed_registration_is_a_rendered_400() {
    let reply = support::send(&app(Html), register("{\"username\": ")).await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "the renderer cannot change the status"
    );
    assert_eq!(reply.headers["content-type"], "text/html; charset=utf-8");
    assert!(
        reply
            .body
            .as_str()
            .unwrap()
            .starts_with("<h1>400 invalid_input</h1>"),
        "{:?}",
        reply.body
    );
}

#[tokio::test]
async fn an_invalid_field_is_a_rendered_400() {
    let body =
        "{\"username\": \"zoe\", \"email\": \"not-an-address\", \"password\": \"long enough password\"}";
    let reply = support::send(&app(Html), register(body)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body.as_str().unwrap(),
        "<h1>400 invalid_input</h1><p>the e-mail address is not valid</p>"
    );
}

#[tokio::test]
async fn a_taken_name_is_a_rendered_409() {
    let body =
        "{\"username\": \"alice\", \"email\": \"a@example.com\", \"password\": \"long enough password\"}";
    let reply = support::send(&app(Html), register(body)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(
        reply.body.as_str().unwrap().starts_with("<h1>409 conflict</h1>"),
        "{:?}",
        reply.body
    );
}

#[tokio::test]
async fn an_extractor_401_is_rendered_with_its_challenge_imposed() {
    let reply = support::send(&app(Html), support::req("/mine").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenges(), ["Bearer realm=\"api\""]);
    assert!(
        reply
            .body
            .as_str()
            .unwrap()
            .starts_with("<h1>401 missing_credentials</h1>")
    );
}

#[tokio::test]
async fn problem_json_is_available() {
    let reply = support::send(&app(ProblemJsonRenderer), register("[]")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.headers["content-type"], "application/problem+json");
    assert_eq!(reply.body["status"], reply.status.as_u16());
    assert_eq!(reply.body["code"], "invalid_input");
    assert_eq!(reply.body["type"], "about:blank");
}
