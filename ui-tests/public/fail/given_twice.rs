//! `#[public]` twice on one handler.

use portcullis::public;

#[public]
#[public]
async fn health() -> &'static str {
    "ok"
}

fn main() {}
