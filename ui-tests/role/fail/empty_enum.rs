//! A role enum without variants is refused on its name.

use portcullis::Role;

#[derive(Clone, Copy, Role)]
enum Role {}

fn main() {}
