//! A public handler has no user for a requirement to check.

use portcullis::{public, require};

#[public]
#[require(role = "admin")]
async fn health() -> &'static str {
    "ok"
}

fn main() {}
