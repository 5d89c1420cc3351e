//! The test application's user type, users and `Portcullis` configuration.

use axum::extract::FromRef;
use portcullis::{
    ApiKeyConfig, AuthUser, InMemoryRevocationStore, InMemoryUserStore, Portcullis, PortcullisBuilder,
    UserStore,
};

use super::tokens::jwt_config;

/// A static API key of the service account (user 3).
pub const STATIC_KEY: &str = "svc_static_key_0123456789abcdef";
/// Bob's stored API key.
pub const BOB_KEY: &str = "pk_bob_0123456789abcdefghij";
pub const ALICE_PASSWORD: &str = "alice-password-1";

#[derive(Debug, Clone, PartialEq, AuthUser)]
#[auth_user(roles("admin", "user"))]
pub struct User {
    #[auth_user(id)]
    pub id: i64,
    #[auth_user(name)]
    pub username: String,
    #[auth_user(roles)]
    pub roles: String,
    #[auth_user(password_hash)]
    pub password_hash: Option<String>,
    #[auth_user(active)]
    pub active: bool,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub auth: Portcullis<User>,
}

/// alice (1, admin, with a password), bob (2, user, with [`BOB_KEY`]), svc (3, no roles:
/// the owner of [`STATIC_KEY`]) and mallory (4, inactive); user `n`'s address is
/// `user<n>@example.com`.
pub fn users() -> InMemoryUserStore<User> {
    let store = InMemoryUserStore::new();
    let hash = portcullis::hash_password(ALICE_PASSWORD).unwrap();
    store.insert(User {
        id: 1,
        username: "alice".into(),
        roles: "admin".into(),
        password_hash: Some(hash),
        active: true,
    });
    store.insert(User {
        id: 2,
        username: "bob".into(),
        roles: "user".into(),
        password_hash: None,
        active: true,
    });
    store.insert(User {
        id: 3,
        username: "svc".into(),
        roles: "".into(),
        password_hash: None,
        active: true,
    });
    store.insert(User {
        id: 4,
        username: "mallory".into(),
        roles: "user".into(),
        password_hash: None,
        active: false,
    });
    store.add_api_key(&2, BOB_KEY);
    for id in 1..=4 {
        store.set_email(&id, &format!("user{id}@example.com"));
    }
    store
}

/// The standard configuration (JWT keys of [`jwt_config`], API keys in the header and the
/// `api_key` query parameter, [`STATIC_KEY`] for user 3) over another user store.
pub fn builder(store: impl UserStore<User>) -> PortcullisBuilder<User> {
    Portcullis::builder(store).jwt(jwt_config()).api_key(
        ApiKeyConfig::new()
            .query_param("api_key")
            .static_key(STATIC_KEY, 3),
    )
}

/// [`builder`] over [`users`], with an in-memory revocation store.
pub fn portcullis() -> Portcullis<User> {
    builder(users())
        .revocations(InMemoryRevocationStore::default())
        .build()
        .expect("test configuration is valid")
}
