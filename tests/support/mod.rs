//! Shared support of the integration test binaries, one module per concern:
//!
//! * [`app`]: the test user type, its in-memory users and the standard `Portcullis`;
//! * [`tokens`]: the keys, claims and JWT minting;
//! * [`requests`]: building requests and sending them through a `Router`;
//! * [`assertions`]: the error-response checks shared by the topics;
//! * [`faulty`]: one switchable wrapper that makes any store fail;
//! * [`store_suite`]: the behaviour suite every store implementation runs;
//! * [`abuse_suite`]: the stateful abuse scenarios of issue 14, over any stores;
//! * [`account_suite`]: the auth router's login by e-mail, sign-in on registration, token
//!   cookies and account disabling, over any stores;
//! * [`cut_off_suite`]: "revoke everything issued before T" over HTTP, over any stores;
//! * [`isolation_suite`]: two user types in one application, over any shared stores;
//! * [`redis_cluster`]: a local three-master Redis Cluster that dies with its guard;
//! * [`sqlx_users`]: the sqlx user-store suite, on SQLite (`it`) and PostgreSQL (`services`).
//!
//! Each binary (`tests/it/`, `tests/services/`) includes it with
//! `#[path = "../support/mod.rs"] mod support;` and uses a different subset, hence
//! `dead_code` is allowed here. (`services.rs` beside it is included separately by the
//! binaries that need external services.)
#![allow(dead_code, missing_docs, unreachable_pub)]

pub mod abuse_suite;
pub mod account_suite;
pub mod app;
pub mod assertions;
pub mod cut_off_suite;
pub mod faulty;
pub mod isolation_suite;
pub mod mail;
pub mod password_suite;
pub mod redis_cluster;
pub mod requests;
pub mod sqlx_users;
pub mod store_suite;
pub mod tokens;

pub use app::*;
pub use assertions::*;
pub use faulty::{AllInMemory, Faulty, Switch};
pub use mail::Outbox;
pub use requests::*;
pub use tokens::*;
