//! The start-up checks over HTTP routers built with `portcullis::routing`: deny by
//! default (a route whose handler has neither `#[auth]` nor `#[public]` is refused,
//! naming it, nested routers included) and each refusal of a scheme the gate cannot use.

use axum::Router;
use http::StatusCode;
use http::request::Parts;
use portcullis::routing::{Routes, get, post};
use portcullis::{
    AuthError, AuthRouter, AuthScheme, ConfigError, Context, InMemoryUserStore, Portcullis, Scheme,
    SessionConfig, Verified, async_trait, auth, public,
};

use crate::support::app::{AppState, User, builder, portcullis, users};
use crate::support::mail::Outbox;
use crate::support::password_suite::Accounts;
use crate::support::requests::{RequestExt, bearer, req, send};
use crate::support::tokens::{claims, hs256};

#[auth(jwt)]
async fn me(user: User) -> String {
    user.username
}

#[public]
async fn health() -> &'static str {
    "ok"
}

async fn forgotten() -> &'static str {
    "open by mistake"
}

#[auth(basic)]
async fn basic_only(user: User) -> String {
    user.username
}

#[auth(session)]
async fn session_only(user: User) -> String {
    user.username
}

/// A custom scheme nobody registers.
struct Unregistered;

#[async_trait]
impl AuthScheme<User> for Unregistered {
    type Credential = ();
    fn name(&self) -> Scheme {
        Scheme::custom("unregistered")
    }
    fn extract(&self, _: &Parts) -> Result<Option<()>, AuthError> {
        Ok(None)
    }
    async fn verify(&self, _: &Parts, (): (), _: &Context<'_, User>) -> Result<Verified<User>, AuthError> {
        Err(AuthError::invalid(Scheme::custom("unregistered"), "never"))
    }
    fn challenge(&self, realm: &str) -> String {
        format!("Unregistered realm=\"{realm}\"")
    }
}

#[auth(custom(Unregistered))]
async fn custom_only(user: User) -> String {
    user.username
}

/// A user type without a password hash field, for `basic`.
#[derive(Clone, portcullis::AuthUser)]
struct Hashless {
    #[auth_user(id)]
    id: i64,
}

#[auth(basic)]
async fn hashless_basic(_user: Hashless) {}

#[derive(Clone, axum::extract::FromRef)]
struct HashlessState {
    auth: Portcullis<Hashless>,
}

fn unannotated(result: Result<Router<AppState>, ConfigError>) -> (String, String, String) {
    match result {
        Err(ConfigError::Unannotated {
            method,
            path,
            handler,
        }) => (method, path, handler),
        Err(other) => panic!("another refusal: {other}"),
        Ok(_) => panic!("an unannotated route was accepted"),
    }
}

#[tokio::test]
async fn annotated_and_public_routes_are_served_nested_and_merged() {
    let auth = portcullis();
    let api = Routes::new().route("/me", get(me));
    let routes = Routes::new()
        .route("/health", get(health))
        .nest("/api", Routes::new().nest("/v1", api))
        .merge(AuthRouter::new(Accounts(users()), Outbox::default()).into_routes());
    let paths: Vec<String> = routes
        .table()
        .routes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(paths.contains(&"GET /api/v1/me".to_owned()), "{paths:?}");
    assert!(paths.contains(&"POST /auth/login".to_owned()), "{paths:?}");
    let app = routes.into_router(&auth).unwrap().with_state(AppState { auth });

    assert_eq!(send(&app, req("/health").empty()).await.status, StatusCode::OK);
    assert_eq!(
        send(&app, req("/api/v1/me").empty()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let reply = send(&app, bearer("/api/v1/me", &hs256(&claims("1")))).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("alice"))
    );
}

#[tokio::test]
async fn a_forgotten_annotation_is_refused_by_name_even_nested() {
    let auth = portcullis();
    let inner = Routes::new().route("/me", get(me).post(forgotten));
    let (method, path, handler) = unannotated(
        Routes::new()
            .route("/health", get(health))
            .nest("/api", Routes::new().nest("/v1", inner))
            .into_router(&auth),
    );
    assert_eq!((method.as_str(), path.as_str()), ("POST", "/api/v1/me"));
    assert_eq!(handler, format!("{}::forgotten", module_path!()));
    let message = ConfigError::Unannotated {
        method,
        path,
        handler,
    }
    .to_string();
    assert!(
        message.contains("neither `#[auth(...)]` nor `#[public]`"),
        "{message}"
    );

    // A closure is no annotated handler either.
    let (_, path, handler) = unannotated(
        Routes::new()
            .merge(Routes::new().route("/open", post(|| async { "open" })))
            .into_router(&auth),
    );
    assert_eq!(path, "/open");
    assert!(handler.contains("{{closure}}"), "{handler}");
}

fn refusal<S>(result: Result<Router<S>, ConfigError>) -> (String, String, String) {
    match result {
        Err(ConfigError::SchemeNotConfigured {
            handler,
            scheme,
            missing,
        }) => (handler, scheme, missing.to_owned()),
        Err(other) => panic!("another refusal: {other}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn a_jwt_route_without_keys_is_refused() {
    let auth = Portcullis::builder(users()).build().unwrap();
    let (handler, scheme, missing) =
        refusal(Routes::<AppState>::new().route("/me", get(me)).into_router(&auth));
    assert_eq!(
        (handler.as_str(), scheme.as_str()),
        (&*format!("{}::me", module_path!()), "jwt")
    );
    assert!(missing.contains("no JWT keys"), "{missing}");
    // With keys it passes.
    assert!(
        Routes::<AppState>::new()
            .route("/me", get(me))
            .into_router(&portcullis())
            .is_ok()
    );
}

#[test]
fn basic_on_a_user_type_without_a_password_hash_is_refused() {
    let auth = Portcullis::builder(InMemoryUserStore::<Hashless>::new())
        .build()
        .unwrap();
    let routes = Routes::<HashlessState>::new().route("/b", get(hashless_basic));
    let (_, scheme, missing) = refusal(routes.into_router(&auth));
    assert_eq!(scheme, "basic");
    assert!(missing.contains("password_hash"), "{missing}");
    // `User` has the field: basic passes.
    assert!(
        Routes::<AppState>::new()
            .route("/b", get(basic_only))
            .into_router(&portcullis())
            .is_ok()
    );
}

#[test]
fn a_session_route_without_sessions_is_refused() {
    let (_, scheme, missing) = refusal(
        Routes::<AppState>::new()
            .route("/s", get(session_only))
            .into_router(&portcullis()),
    );
    assert_eq!(scheme, "session");
    assert!(missing.contains("no sessions"), "{missing}");
    let auth = builder(users()).sessions(SessionConfig::new()).build().unwrap();
    assert!(
        Routes::<AppState>::new()
            .route("/s", get(session_only))
            .into_router(&auth)
            .is_ok()
    );
}

#[test]
fn a_custom_scheme_never_registered_is_refused() {
    let (handler, scheme, missing) = refusal(
        Routes::<AppState>::new()
            .route("/c", get(custom_only))
            .into_router(&portcullis()),
    );
    assert!(handler.ends_with("::custom_only"), "{handler}");
    assert_eq!(scheme, "custom(Unregistered)");
    assert!(missing.contains("PortcullisBuilder::scheme"), "{missing}");
    let auth = builder(users()).scheme(Unregistered).build().unwrap();
    assert!(
        Routes::<AppState>::new()
            .route("/c", get(custom_only))
            .into_router(&auth)
            .is_ok()
    );
}
