//! Independent mistakes in the arguments and in the signature are all reported in one
//! compilation: a misspelt scheme, a duplicate scheme, a non-async handler, and no user
//! parameter.

#[portcullis::auth(jtw, api_key, api_key)]
fn me(id: u8) -> String {
    id.to_string()
}

fn main() {}
