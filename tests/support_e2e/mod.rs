//! Fixtures of the reference server's end-to-end tests: a small HTTP/1.1 client, the
//! server process guard, the Redis and PostgreSQL backends, and HS256 token helpers.
#![allow(dead_code, missing_docs, unreachable_pub)]

pub mod backends;
pub mod http;
pub mod jwt;
pub mod server;
