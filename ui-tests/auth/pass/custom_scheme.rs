//! `custom(Type)` lists a scheme of the application's own beside the built-ins: any
//! number of them, in any order (the order tried), by name or by path, with
//! `optional` and with requirements. Each type implements `AuthScheme<User>`.

#![deny(warnings)]

use axum::Router;
use axum::extract::FromRef;
use axum::http::request::Parts;
use axum::routing::get;
use portcullis::{
    AuthError, AuthScheme, AuthUser, Context, Identity, Portcullis, Scheme, Verified, async_trait, auth,
    require,
};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

mod signing {
    use super::*;

    /// `X-Signature: <subject>` (an example, not advice), for `User` only.
    pub struct HmacSigning;

    #[async_trait]
    impl AuthScheme<User> for HmacSigning {
        type Credential = String;
        fn name(&self) -> Scheme {
            Scheme::custom("hmac")
        }
        fn extract(&self, parts: &Parts) -> Result<Option<String>, AuthError> {
            Ok(parts
                .headers
                .get("x-signature")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned))
        }
        async fn verify(
            &self,
            _: &Parts,
            subject: String,
            _: &Context<'_, User>,
        ) -> Result<Verified<User>, AuthError> {
            Ok(Verified::identity(Identity::new(Scheme::custom("hmac"), subject)))
        }
        fn challenge(&self, realm: &str) -> String {
            format!("Hmac realm=\"{realm}\"")
        }
    }
}

/// `X-Service: <name>`, for any user type.
struct ServiceName;

#[async_trait]
impl<U: AuthUser> AuthScheme<U> for ServiceName {
    type Credential = String;
    fn name(&self) -> Scheme {
        Scheme::custom("service")
    }
    fn extract(&self, parts: &Parts) -> Result<Option<String>, AuthError> {
        Ok(parts
            .headers
            .get("x-service")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned))
    }
    async fn verify(&self, _: &Parts, name: String, _: &Context<'_, U>) -> Result<Verified<U>, AuthError> {
        Ok(Verified::identity(Identity::new(Scheme::custom("service"), name)))
    }
    fn challenge(&self, realm: &str) -> String {
        format!("Service realm=\"{realm}\"")
    }
}

#[auth(custom(ServiceName))]
async fn only_custom(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt, custom(signing::HmacSigning))]
async fn after_jwt(user: User) -> String {
    user.id.to_string()
}

#[auth(custom(ServiceName), api_key, custom(crate::signing::HmacSigning), session)]
#[require(role = "admin")]
async fn mixed(user: User) -> String {
    format!("{} {:?}", user.id, user.roles)
}

#[auth(custom(ServiceName), optional)]
async fn optional(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/only_custom", get(only_custom))
        .route("/after_jwt", get(after_jwt))
        .route("/mixed", get(mixed))
        .route("/optional", get(optional))
        .with_state(state)
}

fn main() {
    let _ = app;
}
