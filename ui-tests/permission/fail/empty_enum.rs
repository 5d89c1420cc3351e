//! A permission enum without variants is refused on its name.

use portcullis::Permission;

#[derive(Clone, Copy, Permission)]
enum Perm {}

fn main() {}
