//! `#[public]` takes no arguments but `crate = path`.

use portcullis::public;

#[public(open)]
async fn health() -> &'static str {
    "ok"
}

fn main() {}
