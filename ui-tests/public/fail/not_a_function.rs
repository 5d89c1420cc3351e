//! `#[public]` goes on a handler function.

use portcullis::public;

#[public]
struct Health;

fn main() {}
