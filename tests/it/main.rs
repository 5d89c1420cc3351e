//! Every in-process integration test of Portcullis, in one binary (no Redis, no
//! PostgreSQL, no reference server): requests go through an axum `Router` with
//! `oneshot`. One module per topic; handlers live beside the tests that call them, shared
//! fixtures in `tests/support/`.
//!
//! The tests that need Redis or PostgreSQL are in the `services` binary
//! (`tests/services/`), the end-to-end tests of the reference server over TCP in `e2e`.

#[path = "../support/mod.rs"]
mod support;

mod abuse;
mod audit;
mod auth_router;
mod authorization;
mod browser;
mod faults;
mod first_hour;
mod http_semantics;
mod isolation;
mod jwt_attacks;
mod jwt_keys;
mod layer;
mod lifecycle;
mod oidc;
mod open_core;
mod openapi;
mod registry;
mod resources;
mod schemes;
mod smoke;
mod sqlx_users;
mod stores;
mod token_cache;
