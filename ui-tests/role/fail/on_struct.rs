//! `#[derive(Role)]` on a struct is refused on `struct`: roles are a fieldless enum.

use portcullis::Role;

#[derive(Clone, Copy, Role)]
struct Admin {
    level: u8,
}

fn main() {}
